"""Persistence of WhatsApp phone numbers: each belongs to one business."""

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import delete_if, save_if
from bizline.adapters.tables import PhoneNumberRecord
from bizline.clock import from_iso, to_iso
from bizline.errors import Conflict, NotFound
from bizline.models.phone_numbers import OwnedPhoneNumber


def _from_record(record: PhoneNumberRecord) -> OwnedPhoneNumber:
    return OwnedPhoneNumber(
        phone_number_id=record.phone_number_id,
        business_id=record.business_id,
        display_phone_number=record.display_phone_number,
        created_at=from_iso(record.created_at),
        waba_id=record.waba_id,
        verified_name=record.verified_name,
    )


def add_phone_number(number: OwnedPhoneNumber) -> None:
    """Register a proven number for its business; Conflict when any business proved it already."""
    record = PhoneNumberRecord(
        phone_number_id=number.phone_number_id,
        business_id=number.business_id,
        waba_id=number.waba_id,
        display_phone_number=number.display_phone_number,
        verified_name=number.verified_name,
        created_at=to_iso(number.created_at),
    )
    # A number registered before accounts existed (no waba_id) proved nothing: a proven one replaces it.
    unproven = PhoneNumberRecord.phone_number_id.does_not_exist() | PhoneNumberRecord.waba_id.does_not_exist()
    if not save_if(record, unproven):
        raise Conflict("This phone number is already registered with bizline.", code="phone_number_taken")


def get_phone_number(phone_number_id: str) -> OwnedPhoneNumber | None:
    """The number with this Meta id, whoever owns it; None when nobody registered it."""
    try:
        return _from_record(PhoneNumberRecord.get(phone_number_id, consistent_read=True))
    except DoesNotExist:
        return None


def list_phone_numbers(business_id: str) -> list[OwnedPhoneNumber]:
    """Every number of one business."""
    return [_from_record(record) for record in PhoneNumberRecord.by_business.query(business_id)]


def remove_phone_number(business_id: str, phone_number_id: str) -> None:
    """Remove one of a business's numbers; NotFound when it has no such number."""
    if not delete_if(PhoneNumberRecord(phone_number_id=phone_number_id), PhoneNumberRecord.business_id == business_id):
        raise NotFound("No such phone number.")
