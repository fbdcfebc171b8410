"""No partition key of one business takes 800 writes a second at 10,000 inbound messages a second.

Many single-message envelopes from many customers of one business go through the real webhook,
ingest consumer and callback delivery (the bench's platform); every write is counted per partition
key value, the table's and each global secondary index's (bench/capacity.py), and scaled to
10,000 messages a second with their callbacks (bench/economics.py). DynamoDB serves 1,000 write
units a second per partition; 800 leaves room.
"""

import pytest
from bizline.adapters.shards import SHARDED_PARTITIONS

from bench import economics
from bench.harness import Harness
from bench.recorder import install
from bench.scenarios import Bench

MESSAGES = 40
GOAL = 800


@pytest.fixture(scope="module")
def burst(embedded_aws):
    # The bench builds its own embedded AWS: the tests' one (kept per process) steps aside, and comes back
    # freshly provisioned for the next test that asks for it.
    embedded_aws.stop()
    recorder = install()
    recorder.calls.clear()
    with Harness(recorder) as harness:
        bench = Bench(harness, recorder)
        bench.setup()
        yield bench.burst(MESSAGES), harness.business_id


def test_no_key_of_one_business_takes_800_writes_a_second_at_10000_messages(burst):
    # Given 40 messages from 40 customers of one business, with their callbacks delivered
    scenario, _ = burst
    assert scenario.callbacks == MESSAGES
    # When the writes are counted per partition key value and scaled to 10,000 messages a second
    hot = economics.hot_partitions(scenario, top=100, shards=SHARDED_PARTITIONS)
    # Then every key the messages share takes less than 800 write units a second
    shared = [row for row in hot["partitions"] if row["shared_by_messages"]]
    assert shared, "the sharded listings are shared by the messages of the business"
    assert all(row["write_units_per_second"] < GOAL for row in shared), shared
    # And no other key is written for more than a few messages (one customer's, one message's)
    writes: dict[tuple[str, str], int] = {}
    for call in scenario.sync + scenario.later:
        for table, value, _ in call.partition_writes:
            if table not in SHARDED_PARTITIONS:
                writes[(table, value)] = writes.get((table, value), 0) + 1
    busiest = max(writes.items(), key=lambda item: item[1])
    assert busiest[1] <= 4, busiest


def test_the_sharded_keys_are_the_business_own_and_spread(burst):
    # Given the same burst
    scenario, business_id = burst
    # When the shard keys the writes went to are listed
    used: dict[str, set[str]] = {table: set() for table in SHARDED_PARTITIONS}
    for call in scenario.sync + scenario.later:
        for table, value, _ in call.partition_writes:
            if table in SHARDED_PARTITIONS:
                used[table].add(value)
    # Then each is one of the business's own N shards, and 40 customers land on many of them
    for table, values in used.items():
        owners = {value.rpartition("#")[0] for value in values}
        numbers = {int(value.rpartition("#")[2]) for value in values}
        assert owners == {business_id}, (table, owners)
        assert numbers <= set(range(SHARDED_PARTITIONS[table])), table
        assert len(values) >= MESSAGES // 4, (table, len(values))
