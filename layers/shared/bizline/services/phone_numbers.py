"""A business's WhatsApp phone numbers as bizline routes by them: each belongs to the one business that proved it.

Adding and removing numbers (proven through Meta) is services/number_registration.
"""

from bizline.adapters import phone_numbers_store as store
from bizline.errors import NotFound
from bizline.models.messaging import PhoneNumber, PhoneNumberList
from bizline.models.phone_numbers import OwnedPhoneNumber


def list_phone_numbers(business_id: str) -> PhoneNumberList:
    """The business's numbers."""
    numbers = store.list_phone_numbers(business_id)
    return PhoneNumberList(items=[PhoneNumber.model_validate(number) for number in numbers])


def owned_phone_number(business_id: str, phone_number_id: str) -> OwnedPhoneNumber:
    """One of the business's numbers; 404 for a number it does not own (whoever else does)."""
    number = proven_number(phone_number_id)
    if number is None or number.business_id != business_id:
        raise NotFound("No such phone number.")
    return number


def owner_of(phone_number_id: str) -> str | None:
    """The business a number's webhooks go to; None when nobody proved it."""
    number = proven_number(phone_number_id)
    return number.business_id if number else None


def proven_number(phone_number_id: str) -> OwnedPhoneNumber | None:
    """The number with this Meta id, when a business proved it through a connected account; else None.

    A number registered before accounts were connected (no `waba_id`) proves nothing: it routes nowhere.
    """
    number = store.get_phone_number(phone_number_id)
    return number if number is not None and number.waba_id else None
