"""Opt-out and opt-in keywords: a customer message that is only STOP (or START) changes their consent.

Opt-out always wins: the whole message, once case, accents, spaces and punctuation around it are
set aside, must be one keyword, so "Stopp!" opts out and "stop sending me that" is an ordinary
message. Businesses may add their own keywords to the defaults (German and English), never take
one away: STOP always works. A word cannot both opt out and opt in.
"""

import unicodedata
from dataclasses import dataclass

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
DEFAULT_OPT_OUT = frozenset({"STOP", "STOPP", "ABMELDEN", "UNSUBSCRIBE", "ABBESTELLEN"})
DEFAULT_OPT_IN = frozenset({"START", "ANMELDEN"})
MAX_KEYWORD_LENGTH = 40
# Spaces and punctuation around the word; typographic quotes and dashes by code point.
_AROUND = " \t\r\n.!?,;:\"'()[]*_~-\u00a1\u00bf\u00ab\u00bb\u201e\u201c\u201d\u201a\u2018\u2019\u2013\u2014"


@dataclass(frozen=True)
class Keywords:
    """The words that opt a customer out and in at one business."""

    opt_out: frozenset[str] = DEFAULT_OPT_OUT
    opt_in: frozenset[str] = DEFAULT_OPT_IN


def with_business_words(opt_out: list[str], opt_in: list[str]) -> Keywords:
    """The defaults plus a business's own words (normalised); ValueError when a word would do both."""
    out = {normalise(word) for word in opt_out} | DEFAULT_OPT_OUT
    into = {normalise(word) for word in opt_in} | DEFAULT_OPT_IN
    if "" in out or "" in into:
        raise ValueError("a keyword needs a letter or digit")
    both = sorted(out & into)
    if both:
        raise ValueError(f"a word cannot both opt out and opt in: {both[0]}")
    return Keywords(frozenset(out), frozenset(into))


def could_be_keyword(message_type: str, content: dict) -> bool:
    """Whether a message is short enough to be a keyword at all (so most messages need no look-up)."""
    if message_type != "text" or not isinstance(content, dict):
        return False
    word = normalise(str((content.get("text") or {}).get("body") or ""))
    return 0 < len(word) <= MAX_KEYWORD_LENGTH


def normalise(text: str) -> str:
    """Upper case, no accents, no surrounding spaces or punctuation: `Abbestellén!` -> `ABBESTELLEN`."""
    decomposed = unicodedata.normalize("NFKD", text.strip(_AROUND))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold().upper().strip(_AROUND)


def keyword_intent(message_type: str, content: dict, keywords: Keywords = Keywords()) -> str | None:
    """OPT_OUT or OPT_IN when a text message is only one of the keywords; else None (opt-out wins a tie)."""
    if message_type != "text":
        return None
    body = ((content.get("text") or {}).get("body") or "") if isinstance(content, dict) else ""
    word = normalise(str(body))
    if not word or len(word) > MAX_KEYWORD_LENGTH:
        return None
    if word in {normalise(keyword) for keyword in keywords.opt_out}:
        return OPT_OUT
    if word in {normalise(keyword) for keyword in keywords.opt_in}:
        return OPT_IN
    return None


def confirmation(intent: str) -> str:
    """The free-form reply that confirms the change (the customer just wrote: the window is open)."""
    if intent == OPT_OUT:
        return (
            "Sie erhalten keine Newsletter mehr. Mit START melden Sie sich wieder an. / "
            "You will no longer receive newsletters. Reply START to subscribe again."
        )
    return (
        "Sie erhalten wieder Newsletter. Mit STOP melden Sie sich ab. / "
        "You will receive newsletters again. Reply STOP to unsubscribe."
    )
