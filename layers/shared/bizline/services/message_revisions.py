"""A customer edits or deletes a message they sent, or moves to a new phone number.

An edit replaces the original message's content and keeps the earlier one in its history; a
revocation marks the original deleted; neither adds a message. A number change moves the customer
to the new wa_id. Each is applied once however often Meta repeats it, and the business is told.
An edit or revocation of a message bizline does not have is kept for operators, not invented.
"""

from datetime import datetime

from bizline.adapters import customers_store, messages_store, whatsapp_events_store
from bizline.models.customers import CustomerIdentity
from bizline.models.stored_messages import StoredMessage
from bizline.models.whatsapp_events import UNMATCHED_REVISION, WhatsAppEvent
from bizline.observability import logger, mask_phone
from bizline.rules.envelope import EDIT, MessageRevision, NumberChange
from bizline.rules.whatsapp_changes import KEEP_FOR_OPERATORS
from bizline.services.conversations import message_view
from bizline.services.deliveries import NewDelivery

EDITED_EVENT = "message.edited"
DELETED_EVENT = "message.deleted"
NUMBER_CHANGED_EVENT = "customer.number_changed"
_EDIT_TRIES = 3


def _original(business_id: str, revision: MessageRevision) -> StoredMessage | None:
    """The customer's own earlier message the revision names; None for anything else."""
    message = messages_store.find_message_by_wamid(revision.original_wamid)
    if message is None or message.business_id != business_id or message.direction != "inbound":
        return None
    sender = customers_store.find_customer(business_id, revision.customer)
    return message if sender is not None and sender.customer_id == message.customer_id else None


def _apply_edit(message: StoredMessage, revision: MessageRevision) -> tuple[StoredMessage, bool]:
    for _ in range(_EDIT_TRIES):
        if revision.wamid in message.edit_wamids:
            return message, False
        if messages_store.apply_edit(message, revision.wamid, revision.content or {}, revision.at):
            return messages_store.get_message(message.business_id, message.message_id) or message, True
        # Edited meanwhile (or this very edit landed): read it again and look.
        message = messages_store.get_message(message.business_id, message.message_id) or message
    logger.warning("message kept changing while an edit was applied", extra={"message_id": message.message_id})
    return message, False


def apply_revision(business_id: str, revision: MessageRevision, now: datetime) -> tuple[NewDelivery | None, bool]:
    """Apply an edit or revocation to the original message; its callback (None when unmatched) and whether new."""
    message = _original(business_id, revision)
    if message is None:
        whatsapp_events_store.record_event(
            WhatsAppEvent(
                business_id=business_id,
                event_key=f"unmatched_revision#{revision.wamid}",
                kind=UNMATCHED_REVISION,
                payload=revision.raw,
                received_at=now,
                expires_at=now + KEEP_FOR_OPERATORS,
                phone_number_id=revision.phone_number_id,
                reason=f"{revision.kind} of a message this business does not have from this customer",
            )
        )
        return None, False
    if revision.kind == EDIT:
        message, new = _apply_edit(message, revision)
        event = EDITED_EVENT
    else:
        new = messages_store.mark_deleted(business_id, message.message_id, revision.at)
        message = messages_store.get_message(business_id, message.message_id) or message
        event = DELETED_EVENT
    data = {"message": message_view(message).model_dump(mode="json"), "revision_wamid": revision.wamid}
    return NewDelivery(business_id, event, revision.wamid, data), new


def apply_number_change(business_id: str, change: NumberChange, now: datetime) -> tuple[NewDelivery | None, bool]:
    """Move the customer to their new number; its callback (None when nobody had the old number) and whether new."""
    customer = customers_store.find_customer(business_id, CustomerIdentity(wa_id=change.old_wa_id, user_id=None))
    moved_before = customer is None
    if customer is None:
        customer = customers_store.find_customer(business_id, CustomerIdentity(wa_id=change.new_wa_id, user_id=None))
        if customer is None:
            logger.info("number change of a customer this business does not have", extra={"business_id": business_id})
            return None, False
    elif not customers_store.move_wa_id(business_id, customer.customer_id, change.old_wa_id, change.new_wa_id, now):
        logger.warning(
            "new number already names another customer",
            extra={"business_id": business_id, "customer": mask_phone(change.new_wa_id)},
        )
        return None, False
    data = {"customer_id": customer.customer_id, "old_wa_id": change.old_wa_id, "new_wa_id": change.new_wa_id}
    return NewDelivery(business_id, NUMBER_CHANGED_EVENT, change.wamid, data), not moved_before
