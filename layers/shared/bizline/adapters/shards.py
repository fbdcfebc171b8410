"""Business-wide listings written to N partitions ("shards") and read back as one, newest first.

One business's hottest listings (conversations by recent activity, callback deliveries) would put
every write of a busy business on one partition key, which DynamoDB serves at 1,000 write units a
second. Each item instead goes to `<business id>#<k>`, k from a stable hash of a value of its
own, so the business id stays part of every key (another tenant's shard is never queried). A page
queries every shard for the items after the last one shown (by the listing's sort key, unique
across shards), merges them and keeps the first `limit`; the cursor is that sort key alone, so it
stays small however many shards there are.
"""

import zlib
from collections.abc import Callable, Iterable

# Conversations: about two index writes a message (the old entry out, the new one in).
ACTIVITY_SHARDS = 64
# Deliveries: about five write units a delivered callback.
DELIVERY_SHARDS = 128
# The partitions (template table, or table/index) written in shards, for counting writes per key.
SHARDED_PARTITIONS = {"CustomersTable/by_recent_activity": ACTIVITY_SHARDS, "DeliveriesTable": DELIVERY_SHARDS}


def shard_of(value: str, shards: int) -> int:
    """The shard a value always goes to (crc32: stable across processes, unlike hash())."""
    return zlib.crc32(value.encode()) % shards


def shard_key(business_id: str, value: str, shards: int) -> str:
    """The partition key of the business's shard that `value` goes to: `<business id>#<k>`."""
    return f"{business_id}#{shard_of(value, shards)}"


def newest_first[Item](
    query: Callable[[str, int], Iterable[Item]],
    business_id: str,
    shards: int,
    sort_value: Callable[[Item], str],
    limit: int,
) -> tuple[list[Item], str | None]:
    """One page over every shard, newest first: the items and the sort value to continue after, if more remain.

    `query(shard key, n)` returns at most n items of that shard, newest first, after the cursor's
    position. Each shard is asked for one more than a page: more remain exactly when the merge
    holds more than `limit`.
    """
    found: list[Item] = []
    for number in range(shards):
        found.extend(query(f"{business_id}#{number}", limit + 1))
    found.sort(key=sort_value, reverse=True)
    page = found[:limit]
    return page, sort_value(page[-1]) if len(found) > limit else None
