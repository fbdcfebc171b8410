"""Persistence of metered usage: counters written together with the markers of the events they count.

`add_counts` is one TransactWriteItems: a conditional put of each event's marker (it must not exist)
and one ADD per counter item. If any marker exists, nothing is written and the keys already counted
come back, so the caller counts the rest again without them: an event is counted exactly once.
"""

from datetime import datetime

from pynamodb.transactions import TransactWrite

from bizline.adapters.conditional import transact
from bizline.adapters.tables import UsageRecord
from bizline.models.usage import CounterDelta, Meter, MonthUsage, UsageEvent

MARKER_SORT_KEY = "marker"
ROSTER_SORT_KEY = "roster"

# The (business, month) rosters this container wrote: one write per business and month, not per batch.
_rostered: set[tuple[str, str]] = set()


def counter_key(business_id: str, month: str, shard: int) -> str:
    """The partition key of one shard of a business's counters for a month."""
    return f"{business_id}#{month}#{shard:02d}"


def _roster(business_id: str, month: str) -> None:
    """List the business among the month's businesses with usage, before any of its counters exist.

    Only roster items carry `month`, so the by_month index takes one write per business and month
    instead of one per counter write, all of which would land on the month's one index key.
    """
    if (business_id, month) in _rostered:
        return
    UsageRecord(pk=f"{business_id}#{month}#{ROSTER_SORT_KEY}", sk=ROSTER_SORT_KEY, month=month).save()
    _rostered.add((business_id, month))


def _marker(event: UsageEvent, expires_at: datetime) -> UsageRecord:
    return UsageRecord(pk=f"marker#{event.key}", sk=MARKER_SORT_KEY, expires_at=expires_at)


def add_counts(events: list[UsageEvent], deltas: list[CounterDelta], markers_expire_at: datetime) -> set[str]:
    """Count `events` (summed as `deltas`) once: the keys among them already counted, or set() when written."""

    for business_id, month in sorted({(delta.business_id, delta.month) for delta in deltas}):
        _roster(business_id, month)

    def write(transaction: TransactWrite) -> None:
        for event in events:
            transaction.save(_marker(event, markers_expire_at), condition=UsageRecord.pk.does_not_exist())
        for delta in deltas:
            actions = [UsageRecord.business_id.set(delta.business_id)]
            actions += [getattr(UsageRecord, str(meter)).add(count) for meter, count in delta.counts.items()]
            transaction.update(
                UsageRecord(pk=counter_key(delta.business_id, delta.month, delta.shard), sk=delta.day),
                actions=actions,
            )

    refused = transact(write)
    already = {events[index].key for index in refused if index < len(events)}
    if refused and not already:
        raise RuntimeError("a usage transaction was refused for a reason other than a counted event")
    return already


def month_usage(business_id: str, month: str, shards: int) -> MonthUsage:
    """A business's counts for a month: every shard's day items, summed."""
    usage = MonthUsage(business_id=business_id, month=month)
    for shard in range(shards):
        for record in UsageRecord.query(counter_key(business_id, month, shard), consistent_read=True):
            counts = {str(meter): int(getattr(record, str(meter)) or 0) for meter in Meter}
            usage.add(record.sk, {meter: count for meter, count in counts.items() if count})
    return usage


def businesses_with_usage(month: str) -> list[str]:
    """The businesses that have any usage counted in a month (or about to), in id order."""
    found: set[str] = set()
    for key in UsageRecord.by_month.query(month):
        found.add(key.pk.rsplit("#", 2)[0])
    return sorted(found)


def forget_rosters() -> None:
    """Forget which rosters were written (tests and the local platform start from empty tables)."""
    _rostered.clear()
