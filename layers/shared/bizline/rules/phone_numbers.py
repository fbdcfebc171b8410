"""Phone numbers as bizline writes them: `+` and digits (E.164)."""

import re
from urllib.parse import unquote

from bizline.errors import ValidationFailed

_SEPARATORS = re.compile(r"[\s\-./()]")
# E.164: a country code that does not start with 0, at most 15 digits in all.
_E164_DIGITS = re.compile(r"^[1-9]\d{6,14}$")


def normalise_display_number(number: str) -> str:
    """+4312345678 from '+43 1 234-5678': the digits a business typed, after a `+`."""
    digits = "".join(character for character in number if character.isdigit())
    return f"+{digits}"


def to_e164(number: str) -> str:
    """+4315550100 from '+43 1 555-0100', '0043 1 5550100' or '4315550100'; 422 for anything else."""
    # Path parameters may arrive still percent-encoded (%2B for +, %20 for a space).
    compact = _SEPARATORS.sub("", unquote(number))
    digits = compact.removeprefix("+") if compact.startswith("+") else compact.removeprefix("00")
    if not _E164_DIGITS.match(digits):
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
    return f"+{digits}"
