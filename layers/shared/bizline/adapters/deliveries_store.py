"""Persistence of callback deliveries: one item per event a business is told about."""

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import save_if, update_if
from bizline.adapters.cursors import decode_cursor, encode_cursor, owned_by
from bizline.adapters.tables import DeliveryRecord


def _iso(value: datetime) -> str:
    return value.isoformat()


def create_delivery(record: DeliveryRecord) -> bool:
    return save_if(record, DeliveryRecord.delivery_id.does_not_exist())


def get_delivery(business_id: str, delivery_id: str) -> DeliveryRecord | None:
    try:
        return DeliveryRecord.get(business_id, delivery_id, consistent_read=True)
    except DoesNotExist:
        return None


def mark_enqueued(business_id: str, delivery_id: str) -> None:
    DeliveryRecord(business_id=business_id, delivery_id=delivery_id).update(actions=[DeliveryRecord.enqueued.set(True)])


def claim_attempt(business_id: str, delivery_id: str, attempts_before: int, now: datetime) -> bool:
    """Count an attempt only if nobody else made it: two copies of a task send one request."""
    return update_if(
        DeliveryRecord(business_id=business_id, delivery_id=delivery_id),
        [DeliveryRecord.attempts.set(attempts_before + 1), DeliveryRecord.updated_at.set(_iso(now))],
        (DeliveryRecord.attempts == attempts_before) & DeliveryRecord.status.is_in("pending", "retrying"),
    )


def record_outcome(
    business_id: str,
    delivery_id: str,
    *,
    status: str,
    now: datetime,
    status_code: int | None = None,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    actions = [
        DeliveryRecord.status.set(status),
        DeliveryRecord.updated_at.set(_iso(now)),
        DeliveryRecord.next_attempt_at.set(_iso(next_attempt_at))
        if next_attempt_at
        else DeliveryRecord.next_attempt_at.remove(),
        DeliveryRecord.last_status_code.set(status_code)
        if status_code is not None
        else DeliveryRecord.last_status_code.remove(),
        DeliveryRecord.last_error.set(error) if error else DeliveryRecord.last_error.remove(),
    ]
    DeliveryRecord(business_id=business_id, delivery_id=delivery_id).update(actions=actions)


def reopen_delivery(business_id: str, delivery_id: str, now: datetime, final_statuses: tuple[str, ...]) -> bool:
    """A failed delivery gets a fresh set of attempts (the business asked for a retry)."""
    return update_if(
        DeliveryRecord(business_id=business_id, delivery_id=delivery_id),
        [
            DeliveryRecord.status.set("pending"),
            DeliveryRecord.attempts.set(0),
            DeliveryRecord.next_attempt_at.remove(),
            DeliveryRecord.updated_at.set(_iso(now)),
        ],
        DeliveryRecord.status.is_in(*final_statuses),
    )


def list_deliveries(
    business_id: str, statuses: tuple[str, ...] | None, limit: int, cursor: str | None
) -> tuple[list[DeliveryRecord], str | None]:
    result = DeliveryRecord.query(
        business_id,
        scan_index_forward=False,
        filter_condition=DeliveryRecord.status.is_in(*statuses) if statuses else None,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, owned_by(business_id)),
    )
    items = list(result)
    return items, encode_cursor(result.last_evaluated_key)
