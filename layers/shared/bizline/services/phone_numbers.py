"""A business's WhatsApp phone numbers: each belongs to one business, and routes its webhooks."""

from datetime import datetime

from bizline.adapters import phone_numbers_store as store
from bizline.clock import utc_now
from bizline.errors import NotFound
from bizline.models.messaging import AddPhoneNumberRequest, PhoneNumber, PhoneNumberList
from bizline.models.phone_numbers import OwnedPhoneNumber
from bizline.rules.phone_numbers import normalise_display_number
from bizline.settings import get_settings


def add_phone_number(business_id: str, request: AddPhoneNumberRequest, now: datetime | None = None) -> PhoneNumber:
    """Register a number for the business; 409 phone_number_taken when any business has it, 409
    limit_reached when the business has as many numbers as it may have."""
    number = OwnedPhoneNumber(
        phone_number_id=request.phone_number_id,
        business_id=business_id,
        display_phone_number=normalise_display_number(request.display_phone_number),
        created_at=now or utc_now(),
    )
    store.add_phone_number(number, limit=get_settings().max_phone_numbers_per_business)
    return PhoneNumber.model_validate(number)


def list_phone_numbers(business_id: str) -> PhoneNumberList:
    """The business's numbers."""
    numbers = store.list_phone_numbers(business_id)
    return PhoneNumberList(items=[PhoneNumber.model_validate(number) for number in numbers])


def owned_phone_number(business_id: str, phone_number_id: str) -> OwnedPhoneNumber:
    """One of the business's numbers; 404 for a number it does not own (whoever else does)."""
    number = store.get_phone_number(phone_number_id)
    if number is None or number.business_id != business_id:
        raise NotFound("No such phone number.")
    return number


def owner_of(phone_number_id: str) -> str | None:
    """The business a number's webhooks go to; None when nobody registered it."""
    number = store.get_phone_number(phone_number_id)
    return number.business_id if number else None


def remove_phone_number(business_id: str, phone_number_id: str) -> None:
    """Remove one of the business's numbers; 404 when it has no such number."""
    store.remove_phone_number(business_id, phone_number_id)
