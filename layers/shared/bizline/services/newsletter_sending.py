"""Sending a newsletter's message: stored by the sender, once under its id per run and recipient, then sent.

The dispatcher queues a send per recipient without writing anything per recipient; the sender's
conditional put of the message (already claimed for sending) is the one check that a run's message
goes out once, however often its page or its send task was queued. The send asks Meta to hand the
message id back with each status (`biz_opaque_callback_data`), so the first status records the wamid
and the sender writes nothing after the send: one write per recipient, and the number's pacing
bucket once per ten. The subscriber is read once more just before: a customer who opted out since
the page was queued gets nothing, kept as a `withheld` message and counted as skipped (once: only
the put that stored it counts). What follows a refused send is the usual (sending.py): retried
while Meta is busy, and a final failure counted in the run's stats under Meta's error code.
"""

import time
import zlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from bizline.adapters import messages_store, newsletters_store, subscribers_store
from bizline.adapters.providers import get_provider
from bizline.clock import to_iso, utc_now
from bizline.models.stored_messages import StoredMessage
from bizline.models.subscribers import SUBSCRIBED
from bizline.models.tasks import SendTask
from bizline.rules.message_status import ACCEPTED, FAILED, SENDING, WITHHELD
from bizline.rules.newsletter_dispatch import OPTED_OUT
from bizline.rules.providers import ProviderError, Recipient, with_callback_data
from bizline.services.sending import access_token, queue_send, send_failed, send_queued, take_send_tokens

# A newsletter's sends take the number's pacing tokens ten at a time (one bucket write for a batch of the
# send queue), kept for this container a moment: using them a little later only sends slower, never faster.
TOKENS_AT_ONCE = 10
TOKENS_KEPT_SECONDS = 2.0
_reserved: dict[str, tuple[int, float]] = {}


def _token(phone_number_id: str, now: datetime) -> float:
    """0 when a pacing token is had (from this container's reserve, else the bucket), else the seconds to wait."""
    count, until = _reserved.get(phone_number_id, (0, 0.0))
    if count > 0 and time.monotonic() < until:
        _reserved[phone_number_id] = (count - 1, until)
        return 0.0
    granted, wait = take_send_tokens(phone_number_id, now, TOKENS_AT_ONCE)
    if granted:
        _reserved[phone_number_id] = (granted - 1, time.monotonic() + TOKENS_KEPT_SECONDS)
    return wait


def send_task(task: SendTask, now: datetime | None = None) -> str:
    """Send what the send queue holds: a reply, or a newsletter's message. Returns what happened, for the log."""
    now = now or utc_now()
    if task.newsletter is not None and task.attempt == 0:
        outcome = _store_and_send(task, now)
        if outcome is not None:
            return outcome
    return send_queued(task, now, count_failure)


def count_failure(message: StoredMessage, errors: list[dict[str, Any]]) -> None:
    """Count a newsletter message that failed for good in its run's stats, under Meta's error code."""
    if message.newsletter:
        reason = str(errors[0].get("code")) if errors and errors[0].get("code") is not None else "send_failed"
        newsletters_store.count_statuses(message.business_id, message.newsletter, [FAILED], 0, reason)


def _store_and_send(task: SendTask, now: datetime) -> str | None:
    """Store a newsletter's message claimed for sending (once: its id is one per run and recipient), then send it.

    None when the message was stored before: the usual path looks at how far it got.
    """
    part = task.newsletter
    subscriber = subscribers_store.get_subscriber(task.business_id, part.customer_id)
    if subscriber is None or subscriber.status != SUBSCRIBED:
        return _withhold(task, now)
    wait = _token(part.phone_number_id, now)
    if wait > 0:
        queue_send(task, wait)
        return f"paced: {wait:.2f} s"
    message = _message(task, SENDING, now)
    if not messages_store.put_message(message):
        return None
    try:
        token = access_token(task.business_id, part.phone_number_id)
        content = with_callback_data(part.content, task.message_id)
        wamid = get_provider().send(part.phone_number_id, Recipient(part.wa_id, part.user_id), content, token)
    except ProviderError as error:
        return send_failed(task, message, error, now, count_failure)
    # No write here: Meta's first status names this message (its callback data) and records the wamid.
    return f"newsletter message submitted as {wamid}"


def _withhold(task: SendTask, now: datetime) -> str:
    """Keep, once, that the run's message was not sent because its customer opted out after its page was queued."""
    message = _message(task, WITHHELD, now)
    message = replace(message, errors=[{"code": OPTED_OUT, "title": "The customer opted out before sending."}])
    if messages_store.put_message(message):
        newsletters_store.count_skipped_at_send(
            task.business_id, task.newsletter.newsletter_run, OPTED_OUT, zlib.crc32(task.message_id.encode())
        )
    return "withheld: the customer opted out"


def _message(task: SendTask, status: str, now: datetime) -> StoredMessage:
    part = task.newsletter
    return StoredMessage(
        business_id=task.business_id,
        message_id=task.message_id,
        customer_id=part.customer_id,
        direction="outbound",
        phone_number_id=part.phone_number_id,
        type="template",
        content=part.content,
        billing_category="marketing",
        status=status,
        status_times={ACCEPTED: to_iso(now), status: to_iso(now)},
        created_at=now,
        sent_at=now,
        newsletter=part.newsletter_run,
    )
