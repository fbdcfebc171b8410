"""A customer's message to a business: the customer resolved, the message stored once, the business told.

The ingest consumer builds and stores each customer message with `inbound_message` and
`received_delivery` (resolving customers per batch); the local platform's demo seed stores one
through `receive_customer_message`.
"""

from datetime import datetime

from bizline.adapters import customers_store
from bizline.clock import to_iso
from bizline.models.stored_messages import StoredMessage
from bizline.observability import logger, mask_phone
from bizline.rules.envelope import CustomerMessage
from bizline.rules.message_status import RECEIVED
from bizline.rules.service_window import SERVICE_CATEGORY
from bizline.services.conversations import add_to_conversation, message_view
from bizline.services.deliveries import NewDelivery

RECEIVED_EVENT = "message.received"


def inbound_message(business_id: str, customer_id: str, message: CustomerMessage, now: datetime) -> StoredMessage:
    """The message as bizline stores it: under its wamid, in the customer's conversation."""
    return StoredMessage(
        business_id=business_id,
        message_id=message.wamid,
        customer_id=customer_id,
        direction="inbound",
        phone_number_id=message.phone_number_id,
        type=message.type,
        content=message.content,
        billing_category=SERVICE_CATEGORY,
        wamid=message.wamid,
        status=RECEIVED,
        status_times={RECEIVED: to_iso(now)},
        created_at=now,
        sent_at=message.sent_at,
    )


def received_delivery(stored: StoredMessage) -> NewDelivery:
    """The `message.received` callback of a stored customer message."""
    data = {"message": message_view(stored).model_dump(mode="json")}
    return NewDelivery(stored.business_id, RECEIVED_EVENT, stored.message_id, data)


def receive_customer_message(business_id: str, message: CustomerMessage, now: datetime) -> tuple[NewDelivery, bool]:
    """Store one customer message under its wamid; the callback it needs, and whether it was new."""
    customer_id = customers_store.resolve_customer(business_id, message.customer, now)
    stored = inbound_message(business_id, customer_id, message, now)
    new = add_to_conversation(stored)
    if new:
        logger.info(
            "customer message stored",
            extra={"business_id": business_id, "customer": mask_phone(message.customer.wa_id), "type": message.type},
        )
    return received_delivery(stored), new
