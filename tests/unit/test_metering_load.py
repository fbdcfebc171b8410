"""One business at 10,000 messages a second: how many counter writes land on one partition key.

DynamoDB takes up to 1,000 write units a second per partition; bizline keeps every key under 800
writes a second. The integration test (tests/integration/test_metering.py) proves the store writes
exactly what this plan says; here a whole second of traffic is planned without an AWS call.
"""

from collections import Counter

from bizline.models.usage import Meter, UsageEvent
from bizline.rules.metering import SHARDS, counter_deltas, plan_transactions, shard_for

MESSAGES_PER_SECOND = 10_000
# A reply leaves five records on the stream (accepted, submitted, sent, delivered, read); two count.
RECORDS_PER_MESSAGE, EVENTS_PER_MESSAGE = 5, 2


def _second_of_traffic() -> list[UsageEvent]:
    events = []
    for index in range(MESSAGES_PER_SECOND):
        key = f"biz_hot#msg_{index:05d}"
        events.append(UsageEvent("biz_hot", "2026-04", "2026-04-01", Meter.SUBMITTED, f"{key}#submitted"))
        events.append(UsageEvent("biz_hot", "2026-04", "2026-04-01", Meter.MARKETING, f"{key}#priced"))
    return events


def _writes_per_key(records_per_batch: int, shards: int) -> Counter:
    events = _second_of_traffic()
    per_batch = records_per_batch * EVENTS_PER_MESSAGE // RECORDS_PER_MESSAGE
    writes: Counter = Counter()
    for start in range(0, len(events), per_batch):
        for chunk in plan_transactions(events[start : start + per_batch]):
            for delta in counter_deltas(chunk, shards):
                writes[(delta.business_id, delta.month, delta.shard)] += 1
        for event in events[start : start + per_batch]:
            writes[event.key] += 1  # its marker
    return writes


def test_full_batches_keep_every_key_far_under_800_writes_a_second():
    # Given the template's batches of 100 records (the 1 s batching window fills them under load)
    writes = _writes_per_key(records_per_batch=100, shards=SHARDS)
    # Then the hottest counter shard takes a few dozen writes in the second, each marker one
    counters = [count for key, count in writes.items() if isinstance(key, tuple)]
    assert sum(counters) == 500  # one per batch, not one per message
    assert max(counters) < 800
    assert max(count for key, count in writes.items() if isinstance(key, str)) == 1


def test_sharding_is_what_keeps_small_batches_under_800():
    # Given batches of 10 records (a quiet window before the burst, or a bisected retry)
    unsharded = _writes_per_key(records_per_batch=10, shards=1)
    sharded = _writes_per_key(records_per_batch=10, shards=SHARDS)
    # Then one counter item would take 5,000 writes in the second; 16 shards keep each under 800
    assert max(count for key, count in unsharded.items() if isinstance(key, tuple)) == 5_000
    assert max(count for key, count in sharded.items() if isinstance(key, tuple)) < 800


def test_shards_are_spread_evenly():
    picked = Counter(shard_for(f"k{index}") for index in range(16_000))
    assert set(picked) == set(range(SHARDS))
    assert max(picked.values()) < 1.2 * 1_000
