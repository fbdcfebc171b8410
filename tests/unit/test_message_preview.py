"""The short line a conversation list shows for each kind of message."""

import pytest
from bizline.rules.message_preview import preview


@pytest.mark.parametrize(
    ("message_type", "body", "line"),
    [
        ("text", {"body": "Habt ihr Kipferl?"}, "Habt ihr Kipferl?"),
        ("image", {"caption": "Diese Torte"}, "Diese Torte"),
        ("image", {"id": "media-1"}, "[image]"),
        ("video", {}, "[video]"),
        ("document", {"filename": "order.pdf", "caption": "Bestellung"}, "order.pdf"),
        ("document", {"caption": "Bestellung"}, "Bestellung"),
        ("audio", {"id": "media-2"}, "[audio]"),
        ("sticker", {}, "[sticker]"),
        ("location", {"name": "Stephansplatz"}, "Stephansplatz"),
        ("location", {"latitude": 48.2}, "[location]"),
        ("contacts", {}, "[contacts]"),
        ("reaction", {"emoji": "👍"}, "👍"),
        ("button", {"text": "Ja"}, "Ja"),
        ("interactive", {"type": "button_reply", "button_reply": {"title": "Ja"}}, "Ja"),
        ("interactive", {"type": "list_reply", "list_reply": {"title": "Brot"}}, "Brot"),
        ("interactive", {"type": "nfm_reply"}, "[interactive]"),
        ("template", {"name": "order_ready"}, "[template order_ready]"),
        ("template", {}, "[template]"),
    ],
)
def test_each_kind_of_message_has_its_line(message_type, body, line):
    assert preview(message_type, {"type": message_type, message_type: body}) == line


def test_a_kind_bizline_does_not_know_shows_the_type_meta_gave():
    # Given a message read as `unknown` whose content names its real type
    assert preview("unknown", {"type": "hologram", "hologram": {"depth": 3}}) == "[hologram]"


def test_a_long_text_is_cut_to_the_limit():
    assert preview("text", {"type": "text", "text": {"body": "x" * 500}}) == "x" * 120
    assert preview("text", {"type": "text", "text": {"body": "Kipferl"}}, limit=3) == "Kip"
