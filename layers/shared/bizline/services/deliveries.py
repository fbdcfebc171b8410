"""Callbacks to businesses: one delivery per event, signed, retried on the Standard Webhooks schedule.

A delivery's id is the `webhook-id` the business sees on every attempt, so a receiver can drop
duplicates. An attempt is claimed with a conditional write before the request goes out: two
copies of the same task (SQS delivers at least once) make one request.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bizline.adapters import accounts_store, http_callbacks, queues
from bizline.adapters import deliveries_store as store
from bizline.adapters.tables import DeliveryRecord
from bizline.errors import Conflict, NotFound
from bizline.models.messaging import CallbackEvent, Delivery, DeliveryList
from bizline.observability import logger
from bizline.rules.callback_safety import UnsafeCallbackUrl, vet_callback_url
from bizline.rules.retries import is_retryable, next_delay, parse_retry_after
from bizline.rules.signatures import standard_webhook_headers
from bizline.settings import get_settings

FINAL_FAILURES = ("failed", "dead_lettered", "endpoint_disabled", "unsafe_endpoint")
KEEP_FOR = timedelta(days=30)


def delivery_id_for(business_id: str, event_type: str, subject: str) -> str:
    """Stable for the same event: a repeated webhook cannot create a second delivery."""
    digest = hashlib.sha256(f"{business_id}|{event_type}|{subject}".encode()).hexdigest()[:26]
    return f"evt_{digest}"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class NewDelivery:
    business_id: str
    event_type: str
    subject: str
    data: dict[str, Any]


def create_deliveries(events: list[NewDelivery], now: datetime | None = None) -> None:
    """Record each event's delivery and queue the ones not queued yet (batched, at most 10 a call)."""
    now = now or _now()
    to_queue: list[dict[str, str]] = []
    for event in events:
        delivery_id = delivery_id_for(event.business_id, event.event_type, event.subject)
        body = CallbackEvent(
            id=delivery_id, type=event.event_type, created_at=now, business_id=event.business_id, data=event.data
        ).model_dump_json()
        created = store.create_delivery(
            DeliveryRecord(
                business_id=event.business_id,
                delivery_id=delivery_id,
                event_type=event.event_type,
                payload=body,
                status="pending",
                attempts=0,
                enqueued=False,
                created_at=now.isoformat(),
                updated_at=now.isoformat(),
                expires_at=now + KEEP_FOR,
            )
        )
        existing = None if created else store.get_delivery(event.business_id, delivery_id)
        # Queue again only what an earlier, interrupted try stored but never queued.
        if created or (existing and not existing.enqueued and existing.attempts == 0):
            to_queue.append({"business_id": event.business_id, "delivery_id": delivery_id})
    if to_queue:
        queues.send_tasks(get_settings().delivery_queue_url, to_queue)
        for task in to_queue:
            store.mark_enqueued(task["business_id"], task["delivery_id"])


def _secrets_in_force(settings: accounts_store.CallbackSettings, now: datetime) -> list[str]:
    in_force = [settings.webhook_secret] if settings.webhook_secret else []
    expires = settings.previous_webhook_secret_expires_at
    if settings.previous_webhook_secret and expires and expires > now:
        in_force.append(settings.previous_webhook_secret)
    return in_force


def _requeue(task: dict[str, str], wait: timedelta) -> None:
    # SQS delays at most 15 minutes; a longer wait takes several hops, each checking the due time.
    queues.send_tasks(get_settings().delivery_queue_url, [task], delay_seconds=int(wait.total_seconds()) or 1)


def deliver(task: dict[str, str], now: datetime | None = None) -> str:
    """Make the delivery's next attempt if it is due. Returns what happened, for the log."""
    now = now or _now()
    business_id, delivery_id = task["business_id"], task["delivery_id"]
    delivery = store.get_delivery(business_id, delivery_id)
    if delivery is None or delivery.status not in ("pending", "retrying"):
        return "nothing to do"
    due = datetime.fromisoformat(delivery.next_attempt_at) if delivery.next_attempt_at else now
    if due > now:
        _requeue(task, due - now)
        return "not due yet"
    settings = accounts_store.get_callback_settings(business_id)
    if settings is None or not settings.callback_url:
        store.record_outcome(business_id, delivery_id, status="no_endpoint", now=now)
        return "no callback URL"
    if settings.callback_disabled_at:
        store.record_outcome(business_id, delivery_id, status="endpoint_disabled", now=now, error="endpoint disabled")
        return "endpoint disabled"
    attempts_before = int(delivery.attempts)
    if not store.claim_attempt(business_id, delivery_id, attempts_before, now):
        return "attempt already made"
    try:
        target = vet_callback_url(settings.callback_url, allow_http_loopback=get_settings().allow_http_callbacks)
    except UnsafeCallbackUrl as error:
        store.record_outcome(business_id, delivery_id, status="unsafe_endpoint", now=now, error=error.message)
        return "unsafe endpoint"
    timestamp = int(now.timestamp())
    headers = standard_webhook_headers(_secrets_in_force(settings, now), delivery_id, timestamp, delivery.payload)
    response = http_callbacks.post(target, headers, delivery.payload, get_settings().callback_timeout_seconds)
    return _settle(task, delivery, response, attempts_before + 1, now)


def _settle(
    task: dict[str, str],
    delivery: DeliveryRecord,
    response: http_callbacks.CallbackResponse,
    attempts: int,
    now: datetime,
) -> str:
    business_id, delivery_id = delivery.business_id, delivery.delivery_id
    code = response.status_code
    if code is not None and 200 <= code < 300:
        store.record_outcome(business_id, delivery_id, status="succeeded", now=now, status_code=code)
        return f"delivered ({code})"
    if code == 410:
        accounts_store.disable_callbacks(business_id, now)
        store.record_outcome(
            business_id,
            delivery_id,
            status="endpoint_disabled",
            now=now,
            status_code=code,
            error="the endpoint answered 410 Gone; callbacks are off until the URL changes",
        )
        return "gone: endpoint disabled"
    if not is_retryable(code):
        store.record_outcome(
            business_id, delivery_id, status="failed", now=now, status_code=code, error=f"the endpoint answered {code}"
        )
        return f"refused ({code})"
    wait = next_delay(attempts, parse_retry_after(response.retry_after))
    if wait is None:
        store.record_outcome(
            business_id,
            delivery_id,
            status="dead_lettered",
            now=now,
            status_code=code,
            error=response.error or f"the endpoint answered {code}",
        )
        logger.warning("delivery dead-lettered", extra={"delivery_id": delivery_id, "attempts": attempts})
        return "dead-lettered"
    store.record_outcome(
        business_id,
        delivery_id,
        status="retrying",
        now=now,
        status_code=code,
        error=response.error,
        next_attempt_at=now + wait,
    )
    _requeue(task, wait)
    return f"retry in {int(wait.total_seconds())} s"


def _view(record: DeliveryRecord) -> Delivery:
    return Delivery(
        delivery_id=record.delivery_id,
        event_type=record.event_type,
        status=record.status,
        attempts=int(record.attempts),
        last_status_code=int(record.last_status_code) if record.last_status_code is not None else None,
        last_error=record.last_error,
        next_attempt_at=datetime.fromisoformat(record.next_attempt_at) if record.next_attempt_at else None,
        created_at=datetime.fromisoformat(record.created_at),
        updated_at=datetime.fromisoformat(record.updated_at),
    )


STATUS_FILTERS = {
    "failed": FINAL_FAILURES,
    "pending": ("pending", "retrying"),
    "succeeded": ("succeeded",),
    "no_endpoint": ("no_endpoint",),
}


def list_deliveries(business_id: str, status: str | None, limit: int, cursor: str | None) -> DeliveryList:
    records, next_cursor = store.list_deliveries(
        business_id, STATUS_FILTERS.get(status) if status else None, limit, cursor
    )
    return DeliveryList(items=[_view(record) for record in records], next_cursor=next_cursor)


def retry_delivery(business_id: str, delivery_id: str, now: datetime | None = None) -> Delivery:
    now = now or _now()
    if store.get_delivery(business_id, delivery_id) is None:
        raise NotFound("No such delivery.")
    if not store.reopen_delivery(business_id, delivery_id, now, (*FINAL_FAILURES, "no_endpoint")):
        raise Conflict("Only a failed delivery can be retried.", code="delivery_not_failed")
    accounts_store.reenable_callbacks(business_id)
    queues.send_tasks(get_settings().delivery_queue_url, [{"business_id": business_id, "delivery_id": delivery_id}])
    return _view(store.get_delivery(business_id, delivery_id))
