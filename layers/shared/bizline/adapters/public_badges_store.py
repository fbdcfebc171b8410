"""Persistence of the public lookup: one item per E.164 number, for proven numbers of verified businesses."""

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import delete_if, save_if
from bizline.adapters.tables import PublicBadgeRecord
from bizline.clock import from_iso, to_iso
from bizline.models.phone_numbers import PublicBadge


def get_badge(e164: str) -> PublicBadge | None:
    """The badge shown for a number; one read whatever the answer."""
    try:
        record = PublicBadgeRecord.get(e164)
    except DoesNotExist:
        return None
    return PublicBadge(
        phone_number=record.phone_number,
        phone_number_id=record.phone_number_id,
        business_id=record.business_id,
        verified_name=record.verified_name,
        verified_since=from_iso(record.verified_since),
    )


def put_badge(badge: PublicBadge) -> bool:
    """Show a badge for the number, unless another phone number id holds that display number; False then."""
    record = PublicBadgeRecord(
        phone_number=badge.phone_number,
        phone_number_id=badge.phone_number_id,
        business_id=badge.business_id,
        verified_name=badge.verified_name,
        verified_since=to_iso(badge.verified_since),
    )
    condition = PublicBadgeRecord.phone_number.does_not_exist() | (
        PublicBadgeRecord.phone_number_id == badge.phone_number_id
    )
    return save_if(record, condition)


def remove_badge(e164: str, phone_number_id: str) -> None:
    """Stop showing the badge of that phone number id (another id's item for the same number stays)."""
    delete_if(PublicBadgeRecord(phone_number=e164), PublicBadgeRecord.phone_number_id == phone_number_id)
