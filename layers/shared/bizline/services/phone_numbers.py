"""A business's WhatsApp phone numbers: each belongs to one business, and routes its webhooks."""

from datetime import UTC, datetime

from bizline.adapters import messaging_store as store
from bizline.adapters.tables import PhoneNumberRecord
from bizline.errors import Conflict, NotFound
from bizline.models.messaging import AddPhoneNumberRequest, PhoneNumber, PhoneNumberList


def normalise_display_number(number: str) -> str:
    digits = "".join(character for character in number if character.isdigit())
    return f"+{digits}"


def _view(record: PhoneNumberRecord) -> PhoneNumber:
    return PhoneNumber(
        phone_number_id=record.phone_number_id,
        display_phone_number=record.display_phone_number,
        created_at=datetime.fromisoformat(record.created_at),
    )


def add_phone_number(business_id: str, request: AddPhoneNumberRequest, now: datetime | None = None) -> PhoneNumber:
    now = now or datetime.now(UTC)
    display = normalise_display_number(request.display_phone_number)
    if not store.add_phone_number(business_id, request.phone_number_id, display, now):
        raise Conflict("This phone number is already registered with bizline.", code="phone_number_taken")
    return PhoneNumber(phone_number_id=request.phone_number_id, display_phone_number=display, created_at=now)


def list_phone_numbers(business_id: str) -> PhoneNumberList:
    return PhoneNumberList(items=[_view(record) for record in store.list_phone_numbers(business_id)])


def owned_phone_number(business_id: str, phone_number_id: str) -> PhoneNumberRecord:
    record = store.get_phone_number(phone_number_id)
    if record is None or record.business_id != business_id:
        raise NotFound("No such phone number.")
    return record


def remove_phone_number(business_id: str, phone_number_id: str) -> None:
    if not store.remove_phone_number(business_id, phone_number_id):
        raise NotFound("No such phone number.")
