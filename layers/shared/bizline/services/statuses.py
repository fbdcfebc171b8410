"""Apply a message status from Meta: forward only, once, and tell the business."""

from datetime import datetime
from typing import Any

from bizline.adapters import messages_store
from bizline.clock import to_iso
from bizline.models.stored_messages import StoredMessage
from bizline.models.tasks import StatusTask
from bizline.rules.message_status import may_replace
from bizline.services.deliveries import NewDelivery, create_deliveries

STATUS_EVENT = "message.status"


class MessageNotYetKnown(Exception):
    """The status overtook the send that produced it: try again shortly."""


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


def apply_status_update(task: StatusTask) -> bool:
    """True when the status moved the message forward (and a callback was queued)."""
    message = messages_store.find_message_by_wamid(task.wamid)
    if message is None or message.business_id != task.business_id:
        raise MessageNotYetKnown(task.wamid)
    if not may_replace(message.status_rank, task.status):
        return False
    if not messages_store.apply_status(message.business_id, message.message_id, task.status, task.at, task.errors):
        return False
    create_deliveries([status_delivery(message, task.status, task.at, task.errors, wamid=task.wamid)])
    return True
