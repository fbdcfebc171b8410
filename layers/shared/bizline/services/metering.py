"""Meter usage from DynamoDB streams: each batch counted once, in few writes, a failing record retried.

The messages table's stream (and the verification audit trail's, and the callback deliveries')
arrives in batches. Each record
becomes zero or more usage events (rules.metering); the batch's events are written in as few
transactions as fit, each counting its events exactly once. When a record cannot be read or a
transaction fails, everything before it stays counted and the answer names that record: Lambda
retries from there (ReportBatchItemFailures), and after the last retry sends the batch's place in
the stream to the on-failure queue. Whatever is replayed is skipped by its markers.

Newsletters: a message sent for a newsletter carries `newsletter_id`, and its submission counts one
newsletter recipient (rules.metering.message_events); nothing else needs wiring here.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bizline.adapters import usage_store
from bizline.clock import utc_now
from bizline.models.usage import UsageEvent
from bizline.observability import logger
from bizline.rules import metering


@dataclass(frozen=True)
class StreamChange:
    """One stream record as the metering reads it: where it is, which table, and its images (plain values)."""

    sequence_number: str
    source_arn: str
    old_image: dict[str, Any] | None
    new_image: dict[str, Any] | None


def events_of(change: StreamChange) -> list[UsageEvent]:
    """The usage events of one record, by what its images are: a delivery, a message or an audit entry."""
    image = change.new_image or change.old_image or {}
    if "delivery_id" in image and "event_type" in image:
        return metering.callback_events(change.old_image, change.new_image)
    if "message_id" in image:
        return metering.message_events(change.old_image, change.new_image)
    if "entry_id" in image and "request_id" in image:
        return metering.review_events(change.new_image if change.old_image is None else None)
    logger.warning("a stream record metering does not read", extra={"source": change.source_arn})
    return []


def count_once(events: list[UsageEvent], now: datetime) -> int:
    """Count events no earlier batch counted; how many were new."""
    pending = metering.distinct(events)
    while pending:
        already = usage_store.add_counts(
            pending, metering.counter_deltas(pending), markers_expire_at=now + metering.MARKER_LIFETIME
        )
        if not already:
            return len(pending)
        pending = [event for event in pending if event.key not in already]
    return 0


def meter_changes(changes: list[StreamChange], now: datetime | None = None) -> str | None:
    """Count a batch; the sequence number of the first record to retry, or None when all are counted."""
    now = now or utc_now()
    located: list[tuple[str, UsageEvent]] = []
    first_unread = None
    for change in changes:
        try:
            located += [(change.sequence_number, event) for event in events_of(change)]
        except (KeyError, TypeError, ValueError):
            logger.exception("a stream record metering cannot read", extra={"sequence": change.sequence_number})
            first_unread = change.sequence_number
            break
    origin = {event.key: sequence for sequence, event in reversed(located)}
    for chunk in metering.plan_transactions(event for _, event in located):
        try:
            count_once(chunk, now)
        except Exception:
            logger.exception("counting a chunk of the batch failed; retrying from its first record")
            return origin[chunk[0].key]
    return first_unread
