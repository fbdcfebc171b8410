"""Opt-out and opt-in keywords: case-, accent- and punctuation-insensitive, whole message only, opt-out first."""

import pytest
from bizline.rules.consent_keywords import OPT_IN, OPT_OUT, keyword_intent, with_business_words


def text(body):
    return {"text": {"body": body}}


@pytest.mark.parametrize("body", ["STOP", "stop", "Stopp!", " ABMELDEN ", "Abbestellén", "„unsubscribe“", "STÖP"])
def test_opt_out_words_in_any_case_accent_or_quotes(body):
    assert keyword_intent("text", text(body)) == OPT_OUT


@pytest.mark.parametrize("body", ["start", "Anmelden."])
def test_opt_in_words(body):
    assert keyword_intent("text", text(body)) == OPT_IN


@pytest.mark.parametrize("body", ["stop sending", "bitte stop", "", "Kipferl?"])
def test_anything_more_than_the_word_is_an_ordinary_message(body):
    assert keyword_intent("text", text(body)) is None


def test_only_text_messages_count():
    assert keyword_intent("image", {"image": {"caption": "STOP"}}) is None


def test_a_business_adds_words_but_cannot_make_one_do_both():
    words = with_business_words(["Nein danke"], ["Ja bitte"])
    assert keyword_intent("text", text("nein, danke")) is None  # the comma is inside the words
    assert keyword_intent("text", text("NEIN DANKE!"), words) == OPT_OUT
    assert keyword_intent("text", text("ja bitte"), words) == OPT_IN
    with pytest.raises(ValueError, match="both"):
        with_business_words([], ["Stop"])
