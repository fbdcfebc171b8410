"""Apply a message status from Meta: forward only, once, and tell the business."""

from datetime import datetime
from typing import Any

from bizline.adapters import messaging_store as store
from bizline.rules.envelope import STATUS_RANK
from bizline.services.deliveries import NewDelivery, create_deliveries


class MessageNotYetKnown(Exception):
    """The status overtook the send that produced it: try again shortly."""


def apply_status_update(task: dict[str, Any]) -> bool:
    """True when the status moved the message forward (and a callback was queued)."""
    message = store.find_message_by_wamid(task["wamid"])
    if message is None or message.business_id != task["business_id"]:
        raise MessageNotYetKnown(task["wamid"])
    status = task["status"]
    rank = STATUS_RANK.get(status, 0)
    at = datetime.fromisoformat(task["at"])
    if rank == 0 or not store.apply_status(message.business_id, message.message_id, status, rank, at, task["errors"]):
        return False
    data = {
        "message_id": message.message_id,
        "customer_id": message.customer_id,
        "wamid": task["wamid"],
        "status": status,
        "at": task["at"],
        "errors": task["errors"],
    }
    create_deliveries([NewDelivery(message.business_id, "message.status", f"{task['wamid']}#{status}", data)])
    return True
