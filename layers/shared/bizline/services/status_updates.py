"""Apply a message status from Meta: forward only, once, and tell the business.

A status for a wamid no send has recorded yet is retried a few times (it may have overtaken its
send), then kept as unmatched for operators: echoes and other clients' messages are never ours,
and retrying them into the dead-letter queue would only bury real failures. A status never changes
a customer's (inbound) message.
"""

import zlib
from datetime import datetime

from bizline.adapters import messages_store, newsletters_store, whatsapp_events_store
from bizline.clock import utc_now
from bizline.models.stored_messages import StoredMessage
from bizline.models.tasks import StatusTask
from bizline.models.whatsapp_events import UNMATCHED_STATUS, WhatsAppEvent
from bizline.observability import logger
from bizline.rules.message_status import may_replace, rank_of
from bizline.rules.providers import message_id_of
from bizline.rules.whatsapp_changes import KEEP_FOR_OPERATORS, stop_waiting_for_send
from bizline.services.deliveries import create_deliveries
from bizline.services.statuses import status_delivery


class MessageNotYetKnown(Exception):
    """The status overtook the send that produced it: try again shortly."""


def apply_status_update(task: StatusTask, attempt: int = 1, now: datetime | None = None) -> bool:
    """True when the status moved the message forward (and a callback was queued).

    `attempt` counts the task's deliveries; an unknown wamid raises `MessageNotYetKnown` (retry)
    until it has waited long enough, and is then kept as unmatched.
    """
    message = _message_of(task)
    if message is None or message.business_id != task.business_id:
        if not stop_waiting_for_send(attempt):
            raise MessageNotYetKnown(task.wamid)
        _keep_unmatched(task, now or utc_now())
        return False
    if message.direction == "inbound":
        logger.info("status for a customer's message ignored", extra={"status": task.status})
        return False
    if not may_replace(message.status_rank, task.status):
        # A late status still tells what Meta bills, when no earlier one did (metering reads it).
        if task.pricing and message.pricing is None:
            messages_store.record_pricing(message.business_id, message.message_id, task.pricing)
        return False
    wamid = task.wamid if message.wamid is None else None
    if not messages_store.apply_status(
        message.business_id, message.message_id, task.status, task.at, task.errors, task.pricing, wamid
    ):
        return False
    if message.newsletter:
        _count_for_newsletter(message.business_id, message.newsletter, message.message_id, message.status_rank, task)
    create_deliveries([status_delivery(message, task.status, task.at, task.errors, wamid=task.wamid)])
    return True


def _message_of(task: StatusTask) -> StoredMessage | None:
    """The message a status is about: by the id its send handed Meta (one read), else by its wamid."""
    message_id = message_id_of(task.callback_data)
    if message_id is not None:
        message = messages_store.get_message(task.business_id, message_id)
        # Another client of the number may hand Meta any text: its wamid must agree once bizline knows it.
        if message is not None and message.wamid in (None, task.wamid):
            return message
    return messages_store.find_message_by_wamid(task.wamid)


def _count_for_newsletter(
    business_id: str, newsletter_run: str, message_id: str, from_rank: int, task: StatusTask
) -> None:
    """Count the status in the newsletter run's stats, on the counter shard of the message (never one hot key).

    A message read before its `delivered` arrived was delivered too: every stage it passed counts. A failure
    counts under Meta's error code: 131049 (Meta's per-user marketing limit) is its own reason.
    """
    reason = None
    if task.status == "failed":
        reason = str(task.errors[0].get("code", "unknown")) if task.errors else "unknown"
        reached = ["failed"]
    else:
        reached = [
            stage for stage in ("sent", "delivered", "read") if from_rank < rank_of(stage) <= rank_of(task.status)
        ]
    shard = zlib.crc32(message_id.encode())
    newsletters_store.count_statuses(business_id, newsletter_run, reached, shard, reason)


def _keep_unmatched(task: StatusTask, now: datetime) -> None:
    logger.info("status for a wamid bizline never sent kept as unmatched", extra={"status": task.status})
    whatsapp_events_store.record_event(
        WhatsAppEvent(
            business_id=task.business_id,
            event_key=f"unmatched_status#{task.wamid}#{task.status}",
            kind=UNMATCHED_STATUS,
            payload=task.model_dump(mode="json"),
            received_at=now,
            expires_at=now + KEEP_FOR_OPERATORS,
            phone_number_id=task.phone_number_id,
            reason="no message of this business has this wamid",
        )
    )
