"""Persistence of callback deliveries: one item per event a business is told about.

Takes and returns `StoredDelivery`s; the conditions guarding an attempt and a reopening live here.
A batch of attempts is read in one request (with the businesses' callback settings) and claimed
in one transaction; each outcome is one conditional write, tried again within the invocation when
DynamoDB fails it, since an outcome not recorded means the callback is posted again later.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DoesNotExist, PynamoDBException
from pynamodb.transactions import TransactWrite

from bizline.adapters.accounts_store import callback_settings_of
from bizline.adapters.batch_reads import get_items
from bizline.adapters.conditional import save_if, transact, update_if
from bizline.adapters.cursors import decode_position, encode_position
from bizline.adapters.shards import DELIVERY_SHARDS, newest_first, shard_key
from bizline.adapters.tables import BusinessRecord, DeliveryRecord
from bizline.clock import from_iso, to_iso
from bizline.errors import TransitionRefused
from bizline.models.businesses import CallbackSettings
from bizline.models.deliveries import DeliveryOutcome, DeliveryStatus, StoredDelivery
from bizline.rules.settling import ATTEMPTABLE, REOPENABLE

KEEP_FOR = timedelta(days=30)
# Pauses between the tries of an outcome write that DynamoDB failed (throttled, 5xx, answer lost),
# above the SDK's own quick retries. A claim holds long enough for all of them (OUTCOME_RETRY_SECONDS).
OUTCOME_PAUSES = (0.2, 0.5, 1.0)
OUTCOME_RETRY_SECONDS = sum(OUTCOME_PAUSES)


def _delivery(record: DeliveryRecord) -> StoredDelivery:
    return StoredDelivery(
        business_id=_owner(record),
        delivery_id=record.delivery_id,
        event_type=record.event_type,
        payload=record.payload,
        status=DeliveryStatus(record.status),
        attempts=int(record.attempts),
        enqueued=bool(record.enqueued),
        created_at=from_iso(record.created_at),
        updated_at=from_iso(record.updated_at),
        last_status_code=int(record.last_status_code) if record.last_status_code is not None else None,
        last_error=record.last_error,
        next_attempt_at=from_iso(record.next_attempt_at),
        attempt_until=from_iso(record.attempt_until),
    )


def _keyed(business_id: str, delivery_id: str) -> DeliveryRecord:
    return DeliveryRecord(shard=_shard(business_id, delivery_id), delivery_id=delivery_id)


def _owner(record: DeliveryRecord) -> str:
    return record.shard.rpartition("#")[0]


def _shard(business_id: str, delivery_id: str) -> str:
    """A busy business's deliveries spread over DELIVERY_SHARDS partitions; the id always finds its own."""
    return shard_key(business_id, delivery_id, DELIVERY_SHARDS)


def create_delivery(delivery: StoredDelivery) -> bool:
    """Store a new delivery, kept for 30 days; False when one with its id is already there."""
    record = DeliveryRecord(
        shard=_shard(delivery.business_id, delivery.delivery_id),
        delivery_id=delivery.delivery_id,
        event_type=delivery.event_type,
        payload=delivery.payload,
        status=delivery.status,
        attempts=delivery.attempts,
        enqueued=delivery.enqueued,
        created_at=to_iso(delivery.created_at),
        updated_at=to_iso(delivery.updated_at),
        expires_at=delivery.created_at + KEEP_FOR,
    )
    return save_if(record, DeliveryRecord.delivery_id.does_not_exist())


def get_delivery(business_id: str, delivery_id: str) -> StoredDelivery | None:
    """One delivery, read consistently; None when there is none."""
    try:
        return _delivery(DeliveryRecord.get(_shard(business_id, delivery_id), delivery_id, consistent_read=True))
    except DoesNotExist:
        return None


def mark_enqueued(business_id: str, delivery_id: str) -> None:
    """Note that the delivery's task is on the queue."""
    _keyed(business_id, delivery_id).update(actions=[DeliveryRecord.enqueued.set(True)])


def claim_abandoned(business_id: str, delivery_id: str, touched_before: datetime, now: datetime) -> bool:
    """Take over queueing a delivery an interrupted try stored but never queued; one taker wins."""
    return update_if(
        _keyed(business_id, delivery_id),
        [DeliveryRecord.updated_at.set(to_iso(now))],
        (DeliveryRecord.enqueued == False)  # noqa: E712 - a DynamoDB condition, not a comparison
        & (DeliveryRecord.attempts == 0)
        & (DeliveryRecord.updated_at < to_iso(touched_before)),
    )


@dataclass(frozen=True)
class AttemptClaim:
    """An attempt to claim: the delivery, and how many attempts it had when it was read."""

    business_id: str
    delivery_id: str
    attempts_before: int


def read_for_attempts(
    keys: Sequence[tuple[str, str]],
) -> tuple[dict[tuple[str, str], StoredDelivery], dict[str, CallbackSettings]]:
    """Deliveries by (business id, delivery id), and their businesses' callback settings, in one read."""
    wanted = [_keyed(business_id, delivery_id) for business_id, delivery_id in keys]
    wanted += [BusinessRecord(business_id=business_id) for business_id in dict.fromkeys(key[0] for key in keys)]
    deliveries: dict[tuple[str, str], StoredDelivery] = {}
    settings: dict[str, CallbackSettings] = {}
    for record in get_items(wanted):
        if isinstance(record, DeliveryRecord):
            deliveries[(_owner(record), record.delivery_id)] = _delivery(record)
        else:
            settings[record.business_id] = callback_settings_of(record)
    return deliveries, settings


def _claim(claim: AttemptClaim, now: datetime, until: datetime) -> tuple[DeliveryRecord, list[Any], Any]:
    return (
        _keyed(claim.business_id, claim.delivery_id),
        [
            DeliveryRecord.attempts.set(claim.attempts_before + 1),
            DeliveryRecord.updated_at.set(to_iso(now)),
            DeliveryRecord.attempt_until.set(to_iso(until)),
        ],
        (DeliveryRecord.attempts == claim.attempts_before)
        & DeliveryRecord.status.is_in(*ATTEMPTABLE)
        & (DeliveryRecord.attempt_until.does_not_exist() | (DeliveryRecord.attempt_until < to_iso(now))),
    )


def claim_attempts(claims: Sequence[AttemptClaim], now: datetime, until: datetime) -> list[bool]:
    """Count each attempt only if nobody else made it or is making it (two copies of a task send one
    request); which were claimed. Each claim holds until `until`: an attempt that never settled frees it then.

    Several claims go in one transaction; one refused (another copy claimed first) cancels it, so it
    is left out and the rest are claimed again. Any other failure raises, and nothing was claimed.
    """
    claimed = [False] * len(claims)
    todo = list(range(len(claims)))
    while len(todo) > 1:

        def write(transaction: TransactWrite, indexes: list[int] = todo) -> None:
            for index in indexes:
                record, actions, condition = _claim(claims[index], now, until)
                transaction.update(record, actions=actions, condition=condition)

        refused = set(transact(write))
        if not refused:
            for index in todo:
                claimed[index] = True
            return claimed
        todo = [index for position, index in enumerate(todo) if position not in refused]
    for index in todo:
        claimed[index] = update_if(*_claim(claims[index], now, until))
    return claimed


def record_outcome(
    business_id: str, delivery_id: str, outcome: DeliveryOutcome, now: datetime, expected_updated_at: datetime
) -> bool:
    """Record where the delivery stands (what the outcome leaves out is cleared); False when superseded.

    Only if the delivery is as the attempt left it (`expected_updated_at`, still attemptable): a
    retry the business asked for meanwhile reopened it, and its fresh state must stand. A write
    DynamoDB fails is tried again (OUTCOME_PAUSES); one whose answer was lost may have been applied,
    so a refusal after a failure counts as recorded when the delivery holds this very outcome.
    """
    actions = [
        DeliveryRecord.status.set(outcome.status),
        DeliveryRecord.updated_at.set(to_iso(now)),
        DeliveryRecord.next_attempt_at.set(to_iso(outcome.next_attempt_at))
        if outcome.next_attempt_at
        else DeliveryRecord.next_attempt_at.remove(),
        DeliveryRecord.last_status_code.set(outcome.status_code)
        if outcome.status_code is not None
        else DeliveryRecord.last_status_code.remove(),
        DeliveryRecord.last_error.set(outcome.error) if outcome.error else DeliveryRecord.last_error.remove(),
        DeliveryRecord.attempt_until.remove(),
    ]
    condition = (DeliveryRecord.updated_at == to_iso(expected_updated_at)) & DeliveryRecord.status.is_in(*ATTEMPTABLE)
    failed = False
    for pause in (*OUTCOME_PAUSES, None):
        try:
            if update_if(_keyed(business_id, delivery_id), actions, condition):
                return True
            return failed and _holds(business_id, delivery_id, outcome, now)
        except (PynamoDBException, ClientError, BotoCoreError):
            if pause is None:
                raise
            failed = True
            time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - the last try returns or raises


def _holds(business_id: str, delivery_id: str, outcome: DeliveryOutcome, now: datetime) -> bool:
    found = get_items([_keyed(business_id, delivery_id)])
    if not found:
        return False
    stored = _delivery(found[0])
    return (stored.status, stored.updated_at, stored.attempt_until) == (outcome.status, now, None)


def reopen_delivery(business_id: str, delivery_id: str, now: datetime) -> StoredDelivery:
    """A failed delivery gets a fresh set of attempts (the business asked for a retry); else TransitionRefused."""
    record = _keyed(business_id, delivery_id)
    reopened = update_if(
        record,
        [
            DeliveryRecord.status.set(DeliveryStatus.PENDING),
            DeliveryRecord.attempts.set(0),
            DeliveryRecord.next_attempt_at.remove(),
            DeliveryRecord.attempt_until.remove(),
            DeliveryRecord.updated_at.set(to_iso(now)),
        ],
        DeliveryRecord.status.is_in(*REOPENABLE),
    )
    if not reopened:
        raise TransitionRefused("Only a failed delivery can be retried.", code="delivery_not_failed")
    return _delivery(record)  # the update read the item back


def list_deliveries(
    business_id: str, statuses: tuple[DeliveryStatus, ...] | None, limit: int, cursor: str | None
) -> tuple[list[StoredDelivery], str | None]:
    """A page of the business's deliveries, newest first, optionally of some statuses only."""
    scope = f"deliveries:{business_id}"
    after = decode_position(cursor, business_id, scope)

    def shard(shard: str, count: int) -> list[DeliveryRecord]:
        return list(
            DeliveryRecord.query(
                shard,
                DeliveryRecord.delivery_id < after if after else None,
                scan_index_forward=False,
                filter_condition=DeliveryRecord.status.is_in(*statuses) if statuses else None,
                limit=count,
            )
        )

    page, last = newest_first(shard, business_id, DELIVERY_SHARDS, lambda record: record.delivery_id, limit)
    return [_delivery(record) for record in page], encode_position(business_id, last, scope)
