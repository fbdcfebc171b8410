"""Callbacks to businesses: one delivery per event, signed, retried on the Standard Webhooks schedule.

A delivery's id is the `webhook-id` the business sees on every attempt, so a receiver can drop
duplicates. An attempt is claimed with a conditional write before the request goes out: two
copies of the same task (SQS delivers at least once) make one request. What an answer means is
decided by `rules.settling`; this module applies it through the store and the delivery queue.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bizline.adapters import accounts_store, http_callbacks, queues
from bizline.adapters import deliveries_store as store
from bizline.clock import utc_now
from bizline.errors import NotFound
from bizline.models.deliveries import DeliveryStatus, StoredDelivery
from bizline.models.messaging import CallbackEvent, Delivery, DeliveryList
from bizline.models.tasks import DeliveryTask
from bizline.observability import logger
from bizline.rules import retries, settling
from bizline.rules.callback_safety import UnsafeCallbackUrl, vet_callback_url
from bizline.rules.signatures import secrets_in_force, standard_webhook_headers
from bizline.settings import get_settings


def delivery_id_for(business_id: str, event_type: str, subject: str) -> str:
    """Stable for the same event: a repeated webhook cannot create a second delivery."""
    digest = hashlib.sha256(f"{business_id}|{event_type}|{subject}".encode()).hexdigest()[:26]
    return f"evt_{digest}"


@dataclass(frozen=True)
class NewDelivery:
    business_id: str
    event_type: str
    subject: str
    data: dict[str, Any]


def _queue(tasks: list[DeliveryTask], wait: timedelta | None = None) -> None:
    # SQS delays at most 15 minutes; a longer wait takes several hops, each checking the due time.
    delay = (int(wait.total_seconds()) or 1) if wait else 0
    queues.send_tasks(get_settings().delivery_queue_url, tasks, delay_seconds=delay)


def create_deliveries(events: list[NewDelivery], now: datetime | None = None) -> None:
    """Record each event's delivery and queue the ones not queued yet (batched, at most 10 a call)."""
    now = now or utc_now()
    to_queue: list[DeliveryTask] = []
    for event in events:
        delivery_id = delivery_id_for(event.business_id, event.event_type, event.subject)
        body = CallbackEvent(
            id=delivery_id, type=event.event_type, created_at=now, business_id=event.business_id, data=event.data
        ).model_dump_json()
        created = store.create_delivery(
            StoredDelivery(
                business_id=event.business_id,
                delivery_id=delivery_id,
                event_type=event.event_type,
                payload=body,
                status=DeliveryStatus.PENDING,
                attempts=0,
                enqueued=False,
                created_at=now,
                updated_at=now,
            )
        )
        # Queue again only what an earlier, interrupted try stored but never queued: a copy of the
        # same event arriving meanwhile (Meta retries, concurrent posts) must not queue it twice.
        if created or store.claim_abandoned(event.business_id, delivery_id, settling.abandoned_before(now), now):
            to_queue.append(DeliveryTask(business_id=event.business_id, delivery_id=delivery_id))
    if to_queue:
        _queue(to_queue)
        for task in to_queue:
            store.mark_enqueued(task.business_id, task.delivery_id)


def _apply(
    task: DeliveryTask,
    settlement: settling.Settlement,
    now: datetime,
    expected_updated_at: datetime,
    callback_url: str | None = None,
) -> str:
    recorded = store.record_outcome(task.business_id, task.delivery_id, settlement.outcome, now, expected_updated_at)
    if not recorded:
        # The business retried the delivery meanwhile: its reopened state and its own task stand.
        return "superseded by a retry"
    if settlement.disable_endpoint and callback_url:
        accounts_store.disable_callbacks(task.business_id, callback_url, now)
    if settlement.retry_in:
        _queue([task], settlement.retry_in)
    return settlement.summary


def deliver(task: DeliveryTask | Mapping[str, str], now: datetime | None = None) -> str:
    """Make the delivery's next attempt if it is due. Returns what happened, for the log."""
    task = DeliveryTask.model_validate(task)
    now = now or utc_now()
    delivery = store.get_delivery(task.business_id, task.delivery_id)
    if delivery is None or delivery.status not in settling.ATTEMPTABLE:
        return "nothing to do"
    if delivery.next_attempt_at:
        due = retries.due_at(delivery.next_attempt_at, delivery.updated_at)
        if due > now:
            _queue([task], due - now)
            return "not due yet"
    settings = accounts_store.get_callback_settings(task.business_id)
    refused = settling.before_attempt(
        settings.callback_url if settings else None, bool(settings and settings.callback_disabled_at)
    )
    if refused:
        return _apply(task, refused, now, expected_updated_at=delivery.updated_at)
    # The claim outlives the attempt's deadline by a margin for settling it.
    until = now + timedelta(seconds=2 * get_settings().callback_timeout_seconds)
    if not store.claim_attempt(task.business_id, task.delivery_id, delivery.attempts, now, until):
        return "attempt already made"
    try:
        target = vet_callback_url(
            settings.callback_url,
            resolver=http_callbacks.resolve_all,
            allow_http_loopback=get_settings().allow_http_callbacks,
        )
    except UnsafeCallbackUrl as error:
        return _apply(task, settling.unsafe_endpoint(error.message), now, expected_updated_at=now)
    headers = standard_webhook_headers(
        secrets_in_force(settings, now), task.delivery_id, int(now.timestamp()), delivery.payload
    )
    response = http_callbacks.post(target, headers, delivery.payload, get_settings().callback_timeout_seconds)
    attempts = delivery.attempts + 1
    settlement = settling.settle(response, attempts, now)
    if settlement.outcome.status is DeliveryStatus.DEAD_LETTERED:
        logger.warning("delivery dead-lettered", extra={"delivery_id": task.delivery_id, "attempts": attempts})
    return _apply(task, settlement, now, expected_updated_at=now, callback_url=settings.callback_url)


def _view(delivery: StoredDelivery) -> Delivery:
    return Delivery(
        delivery_id=delivery.delivery_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        updated_at=delivery.updated_at,
    )


def list_deliveries(business_id: str, status: str | None, limit: int, cursor: str | None) -> DeliveryList:
    """A page of the business's deliveries, newest first; `status` names a group of statuses."""
    statuses = settling.STATUS_FILTERS.get(status) if status else None
    deliveries, next_cursor = store.list_deliveries(business_id, statuses, limit, cursor)
    return DeliveryList(items=[_view(delivery) for delivery in deliveries], next_cursor=next_cursor)


def retry_delivery(business_id: str, delivery_id: str, now: datetime | None = None) -> Delivery:
    """Give a failed delivery a fresh set of attempts and queue it (404 unknown, 409 when it did not fail)."""
    now = now or utc_now()
    if store.get_delivery(business_id, delivery_id) is None:
        raise NotFound("No such delivery.")
    reopened = store.reopen_delivery(business_id, delivery_id, now)
    settings = accounts_store.get_callback_settings(business_id)
    if settings and settings.callback_url and settings.callback_disabled_at:
        accounts_store.reenable_callbacks(business_id, settings.callback_url)
    _queue([DeliveryTask(business_id=business_id, delivery_id=delivery_id)])
    return _view(reopened)
