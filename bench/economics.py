"""Money and partitions: cost per million inbound messages at list prices, and the hottest partition key.

Cost is computed from one scenario's counts, per unit of work: HTTP API requests, Lambda
invocations and GB-seconds (measured durations, each rounded up to a millisecond, times the
function's MemorySize from the template), DynamoDB read and write request units (from item
sizes, bench/capacity.py), SQS requests (64 KB chunks; the pollers' non-empty receives and their
deletes included) and Secrets Manager calls. Durations are measured in process against moto on a
shared machine: they stand in for Lambda's, not equal them.

The hottest partition: every write names its partition key value (the table's, and each global
secondary index's). A key design shares a partition among messages when a run of N messages from
N customers writes fewer than N/2 distinct values of it (a business id, say); such a key takes
(write units on it / N) x messages per second. Keys with about one value per message or customer
(a wamid, a conversation) grow with the customers, not the rate, and are listed but not scaled.
A partition bizline writes in N shards per business (`<business id>#<k>`, `shards` names them)
is one shared key space: each shard takes (write units on all shards / N / messages) x messages
per second, the load it bears at a rate where every shard sees thousands of customers (a short
run's busiest shard would only show how few customers it had).
"""

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.scenarios import Scenario

PRICES = Path(__file__).resolve().parent / "prices.json"
MESSAGES_PER_SECOND = 10_000
DEFAULT_MEMORY_MB = 128


def load_prices(path: Path = PRICES) -> dict[str, Any]:
    return json.loads(path.read_text())


def memory_mb(template: dict[str, Any], function: str) -> int:
    """A function's MemorySize: its own, else the Globals', else Lambda's default."""
    own = template["Resources"][function]["Properties"].get("MemorySize")
    default = template.get("Globals", {}).get("Function", {}).get("MemorySize", DEFAULT_MEMORY_MB)
    return int(own or default)


def usage_per_unit(scenario: Scenario, template: dict[str, Any]) -> dict[str, float]:
    """What one unit of work used, in the units AWS bills."""
    calls = scenario.sync + scenario.later
    invocations = [(function, stats) for phase in scenario.invocations.values() for function, stats in phase.items()]
    gb_seconds = sum(
        stats.billed_millis / 1000 * memory_mb(template, function) / 1024 for function, stats in invocations
    )
    units = scenario.units
    return {
        "http_api_request": scenario.requests / units,
        "lambda_request": sum(stats.count for _, stats in invocations) / units,
        "lambda_gb_second_arm64": gb_seconds / units,
        "dynamodb_read_request_unit": sum(call.read_units for call in calls) / units,
        "dynamodb_write_request_unit": sum(call.write_units for call in calls) / units,
        "sqs_request": sum(call.sqs_requests for call in calls if call.service == "sqs" and not call.empty_receive)
        / units,
        "secrets_manager_api_call": sum(1 for call in calls if call.service == "secretsmanager") / units,
    }


def cost_per_million(scenario: Scenario, template: dict[str, Any], prices: dict[str, Any]) -> dict[str, Any]:
    """USD per million units of work, by billed item, with what each unit used."""
    used = usage_per_unit(scenario, template)
    by_item = {
        item: round(amount * 1_000_000 * prices["prices"][item]["usd"] / prices["prices"][item]["per"], 4)
        for item, amount in used.items()
    }
    priced = {"dynamodb", "sqs", "secretsmanager", "dynamodbstreams"}
    unpriced = sorted({call.name for call in scenario.sync + scenario.later if call.service not in priced})
    estimated = sum(1 for call in scenario.sync + scenario.later if call.units_estimated)
    return {
        "scenario": scenario.name,
        "usd_per_million": round(sum(by_item.values()), 2),
        "usd_per_million_by_item": by_item,
        "used_per_unit": {item: round(amount, 4) for item, amount in used.items()},
        "unpriced_calls": unpriced,
        "dynamodb_calls_with_estimated_units": estimated,
        "prices_taken_on": prices["taken_on"],
        "region": prices["region"],
    }


def _sharded(table: str, value: str, shards: dict[str, int]) -> tuple[str, int] | None:
    """(business id, shard count) when `value` is one shard of a partition written in shards."""
    owner, _, number = value.rpartition("#")
    if table in shards and owner and number.isdigit():
        return owner, shards[table]
    return None


def hot_partitions(
    scenario: Scenario,
    rate: int = MESSAGES_PER_SECOND,
    top: int = 8,
    names: dict[str, str] | None = None,
    shards: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Writes and write units per partition key value per message, scaled to `rate` messages a second.

    `names` replaces known key values in the answer (a business id by "<business id>"); `shards`
    gives the shard count of each partition written in shards (`<business id>#<k>`).
    """
    names, shards = names or {}, shards or {}
    writes: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for call in scenario.sync + scenario.later:
        for table, value, units in call.partition_writes:
            sharded = _sharded(table, value, shards)
            if sharded:
                # One row per business for its N shards, counted as the share of one shard.
                owner, count = sharded
                value = f"{owner}#<one of {count} shards>"
                writes[(table, value)][0] += 1 / count
                writes[(table, value)][1] += units / count
                continue
            writes[(table, value)][0] += 1
            writes[(table, value)][1] += units
    distinct: dict[str, int] = defaultdict(int)
    for table, _ in writes:
        distinct[table] += 1
    rows = []
    for (table, value), (count, units) in writes.items():
        shared = distinct[table] < scenario.units / 2
        owner = value.partition("#")[0]
        value = f"{names[owner]}#{value.partition('#')[2]}" if "<one of" in value and owner in names else value
        rows.append(
            {
                "partition": table,
                "key": names.get(value, value),
                "shared_by_messages": shared,
                "distinct_keys_in_run": distinct[table],
                "writes_per_message": round(count / scenario.units, 3),
                "write_units_per_message": round(units / scenario.units, 3),
                "write_units_per_second": round(units / scenario.units * rate) if shared else None,
            }
        )
    rows.sort(key=lambda row: (row["write_units_per_second"] or 0, row["write_units_per_message"]), reverse=True)
    hottest = rows[0] if rows and rows[0]["shared_by_messages"] else None
    return {
        "scenario": scenario.name,
        "messages_per_second": rate,
        "hottest": hottest,
        "partitions": rows[:top],
    }
