"""Meta's webhook beyond customer messages: every other change recorded per business and sent as a callback.

A change belongs to the business owning the phone number it names (`metadata.phone_number_id`,
else a `display_phone_number`); changes naming only the WhatsApp Business Account (templates,
account updates) belong to the businesses that connected that account. Changes nobody owns are
kept like unrouted webhooks, for operators. Records are keyed by content, so Meta's repeated
deliveries record once and call back once. Template changes also update the business's template
state; `user_preferences` also update the customer's answer to marketing messages.
"""

from datetime import datetime
from typing import Any

from bizline.adapters import (
    customers_store,
    message_templates_store,
    phone_numbers_store,
    whatsapp_accounts_store,
    whatsapp_events_store,
)
from bizline.models.customers import CustomerIdentity
from bizline.models.whatsapp_events import CHANGE, UNREADABLE, WhatsAppEvent
from bizline.observability import logger, mask_phone
from bizline.rules.envelope import FieldChange, Unreadable, meta_time
from bizline.rules.phone_numbers import normalise_meta_display_number
from bizline.rules.whatsapp_changes import (
    KEEP_CHANGES_FOR,
    KEEP_FOR_OPERATORS,
    callback_type,
    marketing_preferences,
    template_update,
)
from bizline.services.deliveries import NewDelivery
from bizline.services.phone_numbers import owner_of

WABA_KEY_PREFIX = "waba:"


def owners_of_change(change: FieldChange) -> list[str]:
    """The businesses a change belongs to: the owner of the number it names, else those that connected its account.

    Empty when it names nothing bizline knows. An account a second business also connected (each
    with a token Meta accepted) tells both.
    """
    if change.phone_number_id:
        owner = owner_of(change.phone_number_id)
        return [owner] if owner else []
    displayed = normalise_meta_display_number(change.display_phone_number or "")
    if displayed:
        owners = {number.business_id for number in phone_numbers_store.proven_numbers_displayed_as(displayed)}
        return list(owners) if len(owners) == 1 else []
    return whatsapp_accounts_store.businesses_connected_to(change.waba_id) if change.waba_id else []


def record_change(business_id: str, change: FieldChange, now: datetime) -> tuple[NewDelivery, bool]:
    """Record one change for its business and apply what it means; the callback it needs, and whether it was new."""
    new = whatsapp_events_store.record_event(
        WhatsAppEvent(
            business_id=business_id,
            event_key=change.key,
            kind=CHANGE,
            payload=change.value,
            received_at=now,
            expires_at=now + KEEP_CHANGES_FOR,
            field=change.field,
            phone_number_id=change.phone_number_id,
            waba_id=change.waba_id,
        )
    )
    # Applied on repeats too (each write is conditional): an earlier try may have recorded but not applied it.
    _apply_templates(business_id, change, now)
    _apply_preferences(business_id, change, now)
    if new:
        logger.info("whatsapp change recorded", extra={"business_id": business_id, "field": change.field})
    data: dict[str, Any] = {
        "field": change.field,
        "waba_id": change.waba_id,
        "phone_number_id": change.phone_number_id,
        "value": change.value,
    }
    return NewDelivery(business_id, callback_type(change.field), change.key, data), new


def _apply_templates(business_id: str, change: FieldChange, now: datetime) -> None:
    update = template_update(change.field, change.value)
    if update is not None:
        message_templates_store.apply_template_update(business_id, update, change.at or now)


def _apply_preferences(business_id: str, change: FieldChange, now: datetime) -> None:
    for preference in marketing_preferences(change.field, change.value):
        identity = CustomerIdentity(wa_id=preference.wa_id, user_id=preference.user_id)
        customer_id = customers_store.resolve_customer(business_id, identity, now)
        at = meta_time(preference.timestamp, change.at or now)
        if customers_store.set_marketing_preference(business_id, customer_id, preference.value, at):
            logger.info(
                "marketing preference recorded",
                extra={
                    "business_id": business_id,
                    "customer": mask_phone(preference.wa_id),
                    "marketing_messages": preference.value,
                },
            )


def keep_unreadable(business_id: str, item: Unreadable, now: datetime) -> bool:
    """Keep an item of a business's number that could not be read, whole and with the reason, for its operators.

    False when kept before. (Items nobody owns are kept as unrouted, per batch: services.whatsapp_ingest.)
    """
    logger.warning("webhook item could not be read", extra={"business_id": business_id, "reason": item.reason})
    return whatsapp_events_store.record_event(
        WhatsAppEvent(
            business_id=business_id,
            event_key=item.key,
            kind=UNREADABLE,
            payload=item.payload,
            received_at=now,
            expires_at=now + KEEP_FOR_OPERATORS,
            phone_number_id=item.phone_number_id,
            waba_id=item.waba_id,
            reason=item.reason,
        )
    )
