"""What a change on the messages table (or a delivery, or a review) counts, and how a batch's counts become few writes.

Every countable event gets a key that names it for good (business, message and what happened), so
a stream record delivered twice, a batch replayed or split differently, or two records telling the
same news (a status Meta repeats) all give the same key: the store writes the key as a marker in
the same transaction as the counters, and a key already marked is never counted again.

Counts of a message land on the day (UTC) the message was sent, whenever Meta prices it, so a
month's `unconfirmed` (`submitted - priced - failed`) is settled within that month's own counters.

Writes: one transaction per chunk of a batch (DynamoDB takes at most 100 items per transaction:
one marker per event plus one counter item per business and day). A chunk's counters go to one of
`SHARDS` counter items per business and month, chosen from the chunk's first key, so one busy
business spreads its writes over `SHARDS` partition keys; reading sums the shards.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from bizline.models.usage import (
    OUTBOUND_CATEGORIES,
    UNCONFIRMED,
    CounterDelta,
    Meter,
    MonthUsage,
    UsageEvent,
)

SHARDS = 16
MAX_TRANSACTION_ITEMS = 100
# Markers outlive any redelivery: a stream keeps records 24 hours, Meta retries webhooks for 7 days.
MARKER_LIFETIME = timedelta(days=40)

_CATEGORY_ALIASES = {
    "service": Meter.SERVICE,
    "marketing": Meter.MARKETING,
    "marketing_lite": Meter.MARKETING,
    "utility": Meter.UTILITY,
    "authentication": Meter.AUTHENTICATION,
    "authentication_international": Meter.AUTHENTICATION,
    "authentication-international": Meter.AUTHENTICATION,
}


def month_of(at: datetime) -> str:
    """The UTC month of a time, YYYY-MM."""
    return at.astimezone(UTC).strftime("%Y-%m")


def day_of(at: datetime) -> str:
    """The UTC day of a time, YYYY-MM-DD."""
    return at.astimezone(UTC).strftime("%Y-%m-%d")


def _time(value: Any) -> datetime:
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def read_pricing(value: Any) -> dict[str, Any] | None:
    """Meta's `pricing` object as stored on a message (JSON text or a map); None when absent or unreadable."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return dict(value) if isinstance(value, dict) and value else None


def category_meter(pricing: dict[str, Any]) -> Meter:
    """The meter of Meta's pricing category; a category bizline does not know is counted as `other_category`."""
    return _CATEGORY_ALIASES.get(str(pricing.get("category", "")).strip().lower(), Meter.OTHER_CATEGORY)


def message_events(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[UsageEvent]:
    """What one change of a message counts (the stream's old and new images, plain values)."""
    if not new:
        return []  # a message expiring or deleted never takes back what it counted
    old = old or {}
    business_id, message_id = str(new["business_id"]), str(new["message_id"])
    at = _time(new.get("sent_at") or new["created_at"])

    def event(meter: Meter, what: str) -> UsageEvent:
        return UsageEvent(business_id, month_of(at), day_of(at), meter, f"{business_id}#{message_id}#{what}")

    if new.get("direction") == "inbound":
        return [event(Meter.INBOUND, "received")] if not old else []
    events = []
    if new.get("wamid") and not old.get("wamid"):
        events.append(event(Meter.SUBMITTED, "submitted"))
        # The newsletter hook: a message sent for a newsletter names it, and counts one recipient.
        if new.get("newsletter_id"):
            events.append(event(Meter.NEWSLETTER_RECIPIENTS, "newsletter_recipient"))
    pricing = read_pricing(new.get("pricing"))
    if pricing and not read_pricing(old.get("pricing")):
        events.append(event(category_meter(pricing), "priced"))
        if pricing.get("billable") is False:
            events.append(event(Meter.META_NOT_BILLABLE, "meta_not_billable"))
    elif not pricing and new.get("status") == "failed" and old.get("status") != "failed":
        events.append(event(Meter.FAILED, "failed"))
    return events


def review_events(entry: dict[str, Any] | None) -> list[UsageEvent]:
    """A verification audit entry that decides a review counts one review for its business."""
    if not entry or entry.get("to_state") not in {"approved", "rejected"}:
        return []
    at = _time(entry["at"])
    key = f"{entry['business_id']}#{entry['request_id']}#{entry['entry_id']}#review"
    return [UsageEvent(str(entry["business_id"]), month_of(at), day_of(at), Meter.REVIEWS, key)]


def callback_events(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[UsageEvent]:
    """A callback delivery that turns `succeeded` counts one callback, on the day it succeeded.

    Keyed by the delivery: a delivery that succeeds once counts once, whatever the attempts, the
    stream's repeats or a later write to the same item.
    """
    if not new or new.get("status") != "succeeded" or (old or {}).get("status") == "succeeded":
        return []
    at = _time(new["updated_at"])
    # A delivery keeps its business only in its partition key, one of the business's shards.
    business_id = str(new["shard"]).rsplit("#", 1)[0]
    key = f"{business_id}#{new['delivery_id']}#callback_delivered"
    return [UsageEvent(business_id, month_of(at), day_of(at), Meter.CALLBACKS, key)]


def distinct(events: Iterable[UsageEvent]) -> list[UsageEvent]:
    """Events in order, each key once (a batch may carry the same news twice)."""
    seen: set[str] = set()
    kept = []
    for event in events:
        if event.key not in seen:
            seen.add(event.key)
            kept.append(event)
    return kept


def plan_transactions(events: Iterable[UsageEvent], max_items: int = MAX_TRANSACTION_ITEMS) -> list[list[UsageEvent]]:
    """Split a batch's events into chunks whose markers and counter items fit one transaction each."""
    chunks: list[list[UsageEvent]] = []
    current: list[UsageEvent] = []
    groups: set[tuple[str, str]] = set()
    for event in distinct(events):
        group = (event.business_id, event.day)
        needed = 1 + (group not in groups)
        if current and len(current) + len(groups) + needed > max_items:
            chunks.append(current)
            current, groups = [], set()
        current.append(event)
        groups.add(group)
    if current:
        chunks.append(current)
    return chunks


def shard_for(key: str, shards: int = SHARDS) -> int:
    """A stable shard for a key: its SHA-256, modulo the shard count."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % shards


def counter_deltas(chunk: list[UsageEvent], shards: int = SHARDS) -> list[CounterDelta]:
    """One counter write per business and day for a chunk, all in the shard its first key picks."""
    if not chunk:
        return []
    shard = shard_for(chunk[0].key, shards)
    sums: dict[tuple[str, str, str], dict[Meter, int]] = {}
    for event in chunk:
        counts = sums.setdefault((event.business_id, event.month, event.day), {})
        counts[event.meter] = counts.get(event.meter, 0) + 1
    return [CounterDelta(business, month, day, shard, counts) for (business, month, day), counts in sums.items()]


def with_unconfirmed(counts: dict[str, int]) -> dict[str, int]:
    """Counts with the derived `unconfirmed`: submitted replies Meta neither priced nor failed (never below 0)."""
    confirmed = sum(counts.get(meter, 0) for meter in OUTBOUND_CATEGORIES) + counts.get(Meter.FAILED, 0)
    return {**counts, UNCONFIRMED: max(0, counts.get(Meter.SUBMITTED, 0) - confirmed)}


def month_totals(usage: MonthUsage) -> dict[str, int]:
    """A month's totals per meter, `unconfirmed` settled day by day."""
    totals: dict[str, int] = {}
    for counts in usage.days.values():
        for meter, count in with_unconfirmed(counts).items():
            totals[meter] = totals.get(meter, 0) + count
    return totals
