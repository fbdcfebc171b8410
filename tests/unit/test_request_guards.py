"""Guards on what clients send: names, and how deep a JSON body nests (no AWS)."""

import pytest
from bizline.models.common import Name
from bizline.web import _nesting_depth
from pydantic import TypeAdapter, ValidationError

NAME = TypeAdapter(Name)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("  Bäckerei Huber  ", "Bäckerei Huber"),
        ("Ba\u0308ckerei", "B\u00e4ckerei"),  # decomposed: composed to one character (NFC)
        ("Cafe\u0301 Sonne", "Caf\u00e9 Sonne"),
        ("\U0001f469\u200d\U0001f373 Kitchen", "\U0001f469\u200d\U0001f373 Kitchen"),  # a joiner inside an emoji
        ("\u0645\u062e\u0628\u0632", "\u0645\u062e\u0628\u0632"),  # right-to-left script without overrides
    ],
)
def test_real_names_are_kept_normalised(sent, kept):
    # Given a name a business may really have, when it is read, then it is kept in NFC form
    assert NAME.validate_python(sent) == kept


@pytest.mark.parametrize(
    "sent",
    [
        "\u200b",
        "\u200b\u200c\u200d\u2060\ufeff",
        " \u00a0\u3000 ",
        "Huber\x00",
        "Huber\tGmbH",
        "Huber\r\nGmbH",
        "Huber\x7f",
        "\u202eHbmG rebuH",
        "Huber\u202a GmbH\u202c",
        "Huber \u2066GmbH\u2069",
        "\u0301\u0308",
    ],
)
def test_invisible_names_and_hidden_characters_are_refused(sent):
    # Given a name that shows nothing, or hides control or bidi-override characters, then it is refused
    with pytest.raises(ValidationError):
        NAME.validate_python(sent)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ("1", 0),
        ('{"a": [1, {"b": []}]}', 4),
        ('"[[[[[["', 0),  # brackets inside a string do not count
        ('{"a\\"[[": ["]]]"]}', 2),  # nor do escaped quotes end the string
        ("[" * 10_000 + "]" * 10_000, 33),  # counting stops once past the bound
    ],
)
def test_nesting_depth_counts_arrays_and_objects_outside_strings(text, depth):
    assert _nesting_depth(text, bound=32) == depth
