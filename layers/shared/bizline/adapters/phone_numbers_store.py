"""Persistence of WhatsApp phone numbers: each belongs to one business, counted on it to bound how many."""

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from bizline.adapters.conditional import delete_if, transact
from bizline.adapters.tables import BusinessRecord, PhoneNumberRecord
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


def add_phone_number(number: OwnedPhoneNumber, limit: int) -> None:
    """Register a proven number for its business and count it there, together or not at all.

    Conflict `phone_number_taken` when a business proved it already, `limit_reached` when its
    business has `limit` numbers (a business from before the count existed counts from zero).
    """
    record = PhoneNumberRecord(
        phone_number_id=number.phone_number_id,
        business_id=number.business_id,
        waba_id=number.waba_id,
        display_phone_number=number.display_phone_number,
        verified_name=number.verified_name,
        created_at=to_iso(number.created_at),
    )
    count = BusinessRecord.phone_number_count
    # A number registered before accounts existed (no waba_id) proved nothing: a proven one replaces it.
    unproven = PhoneNumberRecord.phone_number_id.does_not_exist() | PhoneNumberRecord.waba_id.does_not_exist()

    def write(transaction: TransactWrite) -> None:
        transaction.save(record, condition=unproven)
        transaction.update(
            BusinessRecord(business_id=number.business_id),
            actions=[count.add(1)],
            condition=BusinessRecord.business_id.exists() & (count.does_not_exist() | (count < limit)),
        )

    refused = transact(write)
    if 0 in refused:
        raise Conflict("This phone number is already registered with bizline.", code="phone_number_taken")
    if refused:
        raise Conflict(
            f"The business has {limit} phone numbers, the most it may have: remove one before adding another.",
            code="limit_reached",
        )


def get_phone_number(phone_number_id: str) -> OwnedPhoneNumber | None:
    """The number with this Meta id, whoever owns it; None when nobody registered it."""
    try:
        return _from_record(PhoneNumberRecord.get(phone_number_id, consistent_read=True))
    except DoesNotExist:
        return None


def get_phone_numbers(phone_number_ids: set[str]) -> dict[str, OwnedPhoneNumber]:
    """The registered numbers among these Meta ids, by id, read together (BatchGetItem, 100 keys a call)."""
    if not phone_number_ids:
        return {}
    found = PhoneNumberRecord.batch_get(sorted(phone_number_ids), consistent_read=True)
    return {record.phone_number_id: _from_record(record) for record in found}


def list_phone_numbers(business_id: str) -> list[OwnedPhoneNumber]:
    """Every number of one business."""
    return [_from_record(record) for record in PhoneNumberRecord.by_business.query(business_id)]


def proven_numbers_displayed_as(e164: str) -> list[OwnedPhoneNumber]:
    """The proven numbers (through a connected account) customers see as `e164`; at most five are read."""
    numbers = [_from_record(record) for record in PhoneNumberRecord.by_display_number.query(e164, limit=5)]
    return [number for number in numbers if number.waba_id]


def remove_phone_number(business_id: str, phone_number_id: str) -> None:
    """Remove one of a business's numbers and uncount it; NotFound when it has no such number."""
    owned = PhoneNumberRecord.business_id == business_id
    count = BusinessRecord.phone_number_count

    def write(transaction: TransactWrite) -> None:
        transaction.delete(PhoneNumberRecord(phone_number_id=phone_number_id), condition=owned)
        transaction.update(BusinessRecord(business_id=business_id), actions=[count.add(-1)], condition=count > 0)

    refused = transact(write)
    if 0 in refused:
        raise NotFound("No such phone number.")
    # A number added before numbers were counted is removed without a count to take it from.
    if refused and not delete_if(PhoneNumberRecord(phone_number_id=phone_number_id), owned):
        raise NotFound("No such phone number.")
