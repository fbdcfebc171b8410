"""Callbacks to businesses: one delivery per event, signed, retried on the Standard Webhooks schedule.

A delivery's id is the `webhook-id` the business sees on every attempt, so a receiver can drop
duplicates. An attempt is claimed with a conditional write before the request goes out: two
copies of the same task (SQS delivers at least once) make one request. What an answer means is
decided by `rules.settling`; this module applies it through the store and the delivery queue.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bizline.adapters import accounts_store, http_callbacks, queues
from bizline.adapters import deliveries_store as store
from bizline.clock import utc_now
from bizline.errors import NotFound
from bizline.models.businesses import CallbackSettings
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


@dataclass(frozen=True)
class Attempt:
    """One task of a batch after its delivery was read: settled already (`summary`), or claimed to be made."""

    task: DeliveryTask
    now: datetime
    summary: str | None = None
    delivery: StoredDelivery | None = None
    settings: CallbackSettings | None = None


def _before_claim(
    task: DeliveryTask, delivery: StoredDelivery | None, settings: CallbackSettings | None, now: datetime
) -> str | None:
    """What becomes of a task without an attempt (its summary), or None when an attempt is to be claimed."""
    if delivery is None or delivery.status not in settling.ATTEMPTABLE:
        return "nothing to do"
    if delivery.next_attempt_at:
        due = retries.due_at(delivery.next_attempt_at, delivery.updated_at)
        if due > now:
            _queue([task], due - now)
            return "not due yet"
    if delivery.attempt_until and delivery.attempt_until >= now:
        # Another copy is making the attempt, or a claim of this very task was applied and its answer
        # lost: look again once the claim has expired, so an attempt that never settled is made then.
        _queue([task], delivery.attempt_until - now)
        return "attempt in flight"
    refused = settling.before_attempt(
        settings.callback_url if settings else None, bool(settings and settings.callback_disabled_at)
    )
    if refused:
        return _apply(task, refused, now, expected_updated_at=delivery.updated_at)
    return None


def start_attempts(tasks: Sequence[DeliveryTask | Mapping[str, str]], now: datetime | None = None) -> list[Attempt]:
    """Read a batch's deliveries and their businesses' callback settings (one read), settle what needs
    no attempt, and claim the attempts to make (one write). One Attempt per task, in order.

    The settings are read after the tasks left the queue and before any attempt is claimed: every
    attempt signs with the secrets and goes to the URL the business has at the start of its batch.
    """
    tasks = [DeliveryTask.model_validate(task) for task in tasks]
    now = now or utc_now()
    keys = [(task.business_id, task.delivery_id) for task in tasks]
    stored, settings = store.read_for_attempts(keys) if tasks else ({}, {})
    attempts: list[Attempt] = []
    to_claim: list[int] = []
    for index, (task, key) in enumerate(zip(tasks, keys, strict=True)):
        if key in keys[:index]:
            # SQS handed out two copies of the task in one batch: the first one speaks for both.
            attempts.append(Attempt(task, now, summary="a copy of another task in this batch"))
            continue
        delivery, business = stored.get(key), settings.get(task.business_id)
        summary = _before_claim(task, delivery, business, now)
        attempts.append(Attempt(task, now, summary=summary, delivery=delivery, settings=business))
        if summary is None:
            to_claim.append(index)
    # The claim outlives the attempt's deadline by a margin for settling it, retries of the outcome included.
    until = now + timedelta(seconds=2 * get_settings().callback_timeout_seconds + store.OUTCOME_RETRY_SECONDS)
    claims = [store.AttemptClaim(*keys[index], attempts[index].delivery.attempts) for index in to_claim]
    for index, claimed in zip(to_claim, store.claim_attempts(claims, now, until), strict=True):
        if not claimed:
            attempts[index] = Attempt(tasks[index], now, summary="attempt already made")
    return attempts


def finish_attempt(attempt: Attempt) -> str:
    """Make a claimed attempt and record its outcome; an attempt settled before the wire just says so."""
    if attempt.summary is not None:
        return attempt.summary
    task, now, delivery, settings = attempt.task, attempt.now, attempt.delivery, attempt.settings
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


def deliver(task: DeliveryTask | Mapping[str, str], now: datetime | None = None) -> str:
    """Make the delivery's next attempt if it is due. Returns what happened, for the log."""
    (attempt,) = start_attempts([task], now)
    return finish_attempt(attempt)


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
