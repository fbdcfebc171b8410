"""Adding and removing a business's WhatsApp phone numbers: picked from its connected accounts as Meta reports them.

A number belongs to one business, which proved it: Meta listed it in a WhatsApp Business Account
the business connected with its own token. Its webhooks are routed there and its sends use that
token; the display number and verified name are Meta's, never the business's typing.
"""

from datetime import datetime

from bizline.adapters import phone_numbers_store as store
from bizline.adapters import whatsapp_accounts_store
from bizline.clock import utc_now
from bizline.errors import NotFound, ValidationFailed
from bizline.models.messaging import AddPhoneNumberRequest, PhoneNumber
from bizline.models.phone_numbers import OwnedPhoneNumber
from bizline.models.whatsapp_accounts import MetaPhoneNumber, StoredWhatsAppAccount
from bizline.rules.phone_numbers import normalise_meta_display_number
from bizline.services import public_badges, whatsapp_accounts
from bizline.settings import get_settings


def _not_in_accounts() -> ValidationFailed:
    return ValidationFailed(
        "None of the business's connected WhatsApp Business Accounts has this phone number.",
        code="phone_number_not_in_account",
        details=[{"field": "phone_number_id", "message": "not reported by Meta for your accounts", "type": "meta"}],
    )


def _find_at_meta(business_id: str, request: AddPhoneNumberRequest) -> tuple[StoredWhatsAppAccount, MetaPhoneNumber]:
    if request.waba_id:
        accounts = [whatsapp_accounts.get_account(business_id, request.waba_id)]
    else:
        accounts = whatsapp_accounts_store.list_accounts(business_id)
    for account in accounts:
        listed = whatsapp_accounts.available_numbers(business_id, account.waba_id).phone_numbers or []
        for number in listed:
            if number.phone_number_id == request.phone_number_id:
                reported = MetaPhoneNumber(
                    number.phone_number_id, number.display_phone_number, number.verified_name, number.quality_rating
                )
                return account, reported
    raise _not_in_accounts()


def add_phone_number(
    business_id: str, request: AddPhoneNumberRequest, now: datetime | None = None
) -> tuple[PhoneNumber, bool]:
    """Add a number Meta lists in one of the business's accounts; 422 when none does, 409 when another holds it.

    Adding a number the business already holds answers it again; the second value tells whether it is new.
    """
    account, reported = _find_at_meta(business_id, request)
    held = store.get_phone_number(reported.phone_number_id)
    if held is not None and held.business_id == business_id and held.waba_id == account.waba_id:
        return PhoneNumber.model_validate(held), False
    display = normalise_meta_display_number(reported.display_phone_number)
    if display is None:
        raise _not_in_accounts()
    number = OwnedPhoneNumber(
        phone_number_id=reported.phone_number_id,
        business_id=business_id,
        display_phone_number=display,
        created_at=now or utc_now(),
        waba_id=account.waba_id,
        verified_name=reported.verified_name,
    )
    store.add_phone_number(number, limit=get_settings().max_phone_numbers_per_business)
    public_badges.show_if_verified(number)
    return PhoneNumber.model_validate(number), True


def remove_phone_number(business_id: str, phone_number_id: str) -> None:
    """Remove one of the business's numbers and its public badge; 404 when it has no such number."""
    number = store.get_phone_number(phone_number_id)  # proven or not: a business may remove what it registered
    if number is None or number.business_id != business_id:
        raise NotFound("No such phone number.")
    public_badges.hide_badge(number)
    store.remove_phone_number(business_id, phone_number_id)
