"""Phone numbers as bizline writes them: E.164 (`+` and digits), parsed by Google's libphonenumber.

libphonenumber is imported on the first number parsed: its metadata costs a cold start of every
function that can reach these rules, while only a few routes (registering a number, the public
lookup, Meta's number changes) parse one.
"""

import re
from typing import TYPE_CHECKING

from bizline.errors import ValidationFailed
from bizline.models.verification import LOOKUP_PATTERN

_LOOKUP = re.compile(LOOKUP_PATTERN)

if TYPE_CHECKING:
    import phonenumbers


def _parse_international(number: str) -> "phonenumbers.PhoneNumber | None":
    import phonenumbers

    # Meta reports display numbers with or without `+` ("+1 631-555-5555", "15550783881");
    # customers may type the 00 international prefix. Either way the country code comes first.
    text = number.strip()
    if not text.startswith("+"):
        text = "+" + text.removeprefix("00")
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None


def normalise_meta_display_number(number: str) -> str | None:
    """+16315555555 from Meta's '+1 631-555-5555'; None when Meta's text is no international number."""
    import phonenumbers

    parsed = _parse_international(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) if parsed else None


def to_e164(number: str) -> str:
    """+4315550100 from '+43 1 555-0100', '0043 1 5550100' or '4315550100'; 422 for anything else.

    A number written as E.164 that no country could issue (libphonenumber finds it impossible)
    is still a number: it is answered in plain E.164, and no business can hold it.
    """
    if _LOOKUP.fullmatch(number) is None:
        raise ValidationFailed(
            "The request has invalid fields.",
            details=[
                {
                    "field": "phone_number",
                    "message": "must be an international number (E.164), e.g. +43 1 5550100",
                    "type": "phone_number",
                }
            ],
        )
    digits = re.sub(r"[^0-9]", "", number.removeprefix("+").removeprefix("00"))
    return normalise_meta_display_number(number) or f"+{digits}"
