"""The callback telling a business a message's new status; shared by the sender and the status consumer."""

from datetime import datetime
from typing import Any

from bizline.clock import to_iso
from bizline.models.stored_messages import StoredMessage
from bizline.services.deliveries import NewDelivery

STATUS_EVENT = "message.status"


def status_delivery(
    message: StoredMessage, status: str, at: datetime, errors: list[dict[str, Any]], wamid: str | None = None
) -> NewDelivery:
    """The callback telling the business a message's new status (one per message and status)."""
    data = {
        "message_id": message.message_id,
        "customer_id": message.customer_id,
        **({"wamid": wamid} if wamid else {}),
        "status": status,
        "at": to_iso(at),
        "errors": errors,
    }
    return NewDelivery(message.business_id, STATUS_EVENT, f"{wamid or message.message_id}#{status}", data)
