"""The public check a customer makes: does this phone number belong to a verified business?

Unknown and unverified numbers get the same answer, so the lookup tells nobody which numbers
bizline serves.
"""

import re
from urllib.parse import unquote

from bizline.adapters import accounts_store, messaging_store
from bizline.errors import ValidationFailed
from bizline.models.verification import PublicVerification

_SEPARATORS = re.compile(r"[\s\-./()]")
# E.164: a country code that does not start with 0, at most 15 digits in all.
_E164_DIGITS = re.compile(r"^[1-9]\d{6,14}$")


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


def lookup(phone_number: str) -> PublicVerification:
    e164 = to_e164(phone_number)
    for number in messaging_store.phone_numbers_displayed_as(e164):
        business = accounts_store.get_business(number.business_id)
        if business is not None and business.badge is not None:
            return PublicVerification(
                phone_number=e164,
                verified=True,
                verified_name=business.badge.verified_name,
                verified_since=business.badge.verified_since.date(),
            )
    return PublicVerification(phone_number=e164, verified=False)
