"""The patterns the OpenAPI document shows are the rules the API applies, character for character."""

import re
import unicodedata

import pytest
from bizline.models.common import NAME_PATTERN, NOT_BLANK, CallbackUrl, Name, text
from bizline.models.invisible import INVISIBLE
from pydantic import TypeAdapter, ValidationError


def _accepts(adapter: TypeAdapter, value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


# Every character of the Basic Multilingual Plane, and a sample of the others.
_CHARACTERS = [*(code for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF), *range(0x10000, 0x110000, 97)]


def test_the_invisible_characters_are_unicodes_own():
    # Given the class spelled out in bizline.models.invisible, and Python's Unicode database
    invisible = re.compile(f"[{INVISIBLE}]")
    expected = {
        code
        for code in range(0x110000)
        if unicodedata.category(chr(code)) in {"Cf", "Mn", "Zs", "Zl", "Zp"}
        or code in {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800}
    }
    # Then they name the same characters (regenerate the module when Python's Unicode moves on)
    assert {code for code in range(0x110000) if invisible.match(chr(code))} == expected


@pytest.mark.parametrize("around", ["{}", " {}a "])
def test_the_name_pattern_and_the_name_rule_agree_on_every_character(around):
    # Given characters alone, or between White_Space and a letter
    name, pattern = TypeAdapter(Name), re.compile(NAME_PATTERN)
    disagreements = [
        hex(code)
        for code in _CHARACTERS
        if bool(pattern.fullmatch(around.format(chr(code)))) != _accepts(name, around.format(chr(code)))
    ]
    # Then the document's pattern takes exactly what the API takes
    assert disagreements == []


def test_not_blank_text_agrees_with_its_pattern():
    free_text, pattern = TypeAdapter(text(10)), re.compile(NOT_BLANK)
    for value in [" ", "\u3000\u2028", "\t", "\x1c", "\ufeff", " a ", "\x85", "\u200b"]:
        assert bool(pattern.search(value)) == _accepts(free_text, value), repr(value)


@pytest.mark.parametrize(
    ("url", "taken"),
    [
        ("https://hooks.huber.example/in?v=2", True),
        ("https://hooks.huber.example/in#x", False),
        ("http://127.0.0.1:3000/hooks/bizline", True),
        ("https://huber.example:65535", True),
        ("https://huber.example:65536", False),
        ("https://256.1.1.1/", False),
        ("https://1.2.3/", False),
        ("https://xn--a.example/", False),
        ("https://huber.example/\u00e4", False),
        ("HTTPS://huber.example/", False),
        ("https://huber.example/ok\n", False),
    ],
)
def test_a_url_is_taken_exactly_when_its_pattern_matches(url, taken):
    adapter = TypeAdapter(CallbackUrl)
    # Read as ECMA-262 reads it (the document's dialect): `$` ends the text, never a line before it.
    pattern = re.compile(adapter.json_schema()["pattern"].removesuffix("$") + r"\Z")
    assert bool(pattern.search(url)) is taken
    assert _accepts(adapter, url) is taken
