"""The public check a customer makes: does this phone number belong to a verified business?

One read of one item keyed by the E.164 number, whatever the answer: the item exists only for a
number the business proved through Meta while it holds a badge. Unknown and unverified numbers
get the same answer, so the lookup tells nobody which numbers bizline serves.
"""

from bizline.adapters import public_badges_store
from bizline.models.verification import PublicVerification
from bizline.rules.phone_numbers import to_e164


def lookup(phone_number: str) -> PublicVerification:
    """Whether the number (E.164, separators allowed) is a verified business's; 422 for a malformed number."""
    e164 = to_e164(phone_number)
    badge = public_badges_store.get_badge(e164)
    if badge is None:
        return PublicVerification(phone_number=e164, verified=False)
    return PublicVerification(
        phone_number=e164,
        verified=True,
        verified_name=badge.verified_name,
        verified_since=badge.verified_since.date(),
    )
