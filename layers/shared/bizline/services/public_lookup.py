"""The public check a customer makes: does this phone number belong to a verified business?

Unknown and unverified numbers get the same answer, so the lookup tells nobody which numbers
bizline serves.
"""

from bizline.adapters import accounts_store, phone_numbers_store
from bizline.models.verification import PublicVerification
from bizline.rules.phone_numbers import to_e164


def lookup(phone_number: str) -> PublicVerification:
    """Whether the number (E.164, separators allowed) is a verified business's; 422 for a malformed number."""
    e164 = to_e164(phone_number)
    for number in phone_numbers_store.phone_numbers_displayed_as(e164):
        business = accounts_store.get_business(number.business_id)
        if business is not None and business.badge is not None:
            return PublicVerification(
                phone_number=e164,
                verified=True,
                verified_name=business.badge.verified_name,
                verified_since=business.badge.verified_since.date(),
            )
    return PublicVerification(phone_number=e164, verified=False)
