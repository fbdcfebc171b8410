"""`make bench`: count, price and time bizline's units of work; print each figure next to its goal; write the outputs.

Figures: AWS calls per inbound message (synchronous and asynchronous, one message and a 10-message
envelope), per status, per reply, DynamoDB calls per delivered callback; cost per million inbound
messages with their callbacks (bench/economics.py, prices in bench/prices.json); the hottest
partition key at 10,000 messages a second for one business; cold start per function as a ratio to
a bare `import boto3` (bench/cold_start.py when present, else bench/import_cost.py); and the
duration of `make test`, when MAKE_TEST_SECONDS (or the file .make-test-seconds) gives it.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from bizline.adapters.shards import SHARDED_PARTITIONS

from bench import economics, report
from bench.harness import ENVIRONMENT
from bench.scenarios import Bench, Scenario

ROOT = Path(__file__).resolve().parent.parent
GOALS = {
    "sync_one": 3,
    "sync_per_message_batched": 1.2,
    "dynamodb_per_callback": 2,
    "usd_per_million": 5,
    "hot_partition_writes": 800,
    "cold_start_ratio": 1.5,
    "make_test_seconds": 180,
    "newsletter_dispatcher_sqs_per_recipient": 0.11,
    "newsletter_dispatcher_dynamodb_per_recipient": 0.02,
    "newsletter_sender_dynamodb_writes_per_recipient": 2,
}


def count(burst_messages: int = 20, scenarios: tuple[str, ...] = ()) -> tuple[dict[str, Scenario], str]:
    """Run the scenarios on a fresh embedded AWS with the recorder installed (all, or those named).

    Returns them with the id of the business they ran for.
    """
    from bench.harness import Harness
    from bench.recorder import install

    os.environ.update(ENVIRONMENT)
    recorder = install()
    recorder.calls.clear()
    with Harness(recorder) as harness:
        bench = Bench(harness, recorder)
        if not scenarios:
            return bench.run_all(burst_messages), harness.business_id
        bench.setup()
        for name in scenarios:
            if name == "burst":
                bench.burst(burst_messages)
            elif name == "inbound_10":
                bench.inbound(10, name=name)
            elif name == "inbound_1":
                bench.inbound(1, name=name)
            else:
                getattr(bench, name)()
        return bench.scenarios, harness.business_id


def callbacks(scenarios: dict[str, Scenario]) -> dict[str, Any]:
    """Calls per delivered callback, by the functions that were acting when a callback reached the receiver."""
    senders = sorted(set().union(*(scenario.callback_senders for scenario in scenarios.values())))
    source = scenarios.get("burst") or next(iter(scenarios.values()))
    made = [call for call in source.function_calls("async") + source.function_calls("sync") if call.actor in senders]
    delivered = source.callbacks
    by_operation: dict[str, int] = {}
    for call in made:
        by_operation[call.name] = by_operation.get(call.name, 0) + 1
    return {
        "scenario": source.name,
        "senders": senders,
        "delivered": delivered,
        "dynamodb_calls_per_callback": round(sum(1 for c in made if c.service == "dynamodb") / delivered, 2)
        if delivered
        else None,
        "calls_per_callback": {name: round(total / delivered, 2) for name, total in sorted(by_operation.items())}
        if delivered
        else {},
    }


def cold_starts(runs: int) -> dict[str, Any]:
    try:
        from bench.cold_start import measure  # type: ignore[import-not-found]

        source = "bench/cold_start.py"
    except ImportError:
        from bench.import_cost import measure

        source = "bench/import_cost.py (bench/cold_start.py absent)"
    measured = measure(runs=runs)
    return {"source": source, "runs": runs, **measured}


def make_test_seconds() -> float | None:
    raw = os.environ.get("MAKE_TEST_SECONDS")
    marker = ROOT / ".make-test-seconds"
    if not raw and marker.exists():
        raw = marker.read_text().strip()
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def newsletter_figures(scenarios: dict[str, Scenario]) -> list[dict[str, Any]]:
    """Per newsletter recipient: the dispatcher's SQS and DynamoDB calls at scale, and the sender's DynamoDB writes."""
    rows = []
    writes = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

    def per_recipient(scenario: Scenario, actor: str, service: str, operations: set[str] | None = None) -> float:
        calls = scenario.function_calls("sync") + scenario.function_calls("async")
        made = [c for c in calls if c.actor == actor and c.service == service]
        made = [c for c in made if operations is None or c.operation in operations]
        return round(len(made) / scenario.units, 4)

    fanout = scenarios.get("newsletter_fanout")
    if fanout is not None:
        dispatcher = "NewsletterDispatcherFunction"
        stats = fanout.invocations.get("sync", {}).get(dispatcher)
        pages = -(-fanout.units // 1000)
        per_page = f"{stats.millis / pages:.0f} ms per page of 1,000 on the embedded AWS" if stats else ""
        rows += [
            report.figure(
                f"newsletter dispatcher ({fanout.units} recipients): SQS calls per recipient",
                per_recipient(fanout, dispatcher, "sqs"),
                GOALS["newsletter_dispatcher_sqs_per_recipient"],
                "",
            ),
            report.figure(
                f"newsletter dispatcher ({fanout.units} recipients): DynamoDB calls per recipient",
                per_recipient(fanout, dispatcher, "dynamodb"),
                GOALS["newsletter_dispatcher_dynamodb_per_recipient"],
                "",
                note=per_page,
            ),
        ]
    scenario = scenarios.get("newsletter")
    if scenario is not None:
        rows.append(
            report.figure(
                "newsletter sender: DynamoDB writes per recipient",
                per_recipient(scenario, "MessageSenderFunction", "dynamodb", writes),
                GOALS["newsletter_sender_dynamodb_writes_per_recipient"],
                "",
                note=(
                    "the message stored once, claimed (Meta's first status brings its wamid); "
                    "the number's pacing bucket once per ten sends"
                ),
            )
        )
    return rows


def figures(results: dict[str, Any], scenarios: dict[str, Scenario]) -> list[dict[str, Any]]:
    figure = report.figure
    one, ten = scenarios["inbound_1"], scenarios["inbound_10"]
    known = scenarios["inbound_1_known"]
    rows = [
        figure("inbound, 1 message (new customer): sync calls", len(one.function_calls("sync")), GOALS["sync_one"], ""),
        figure(
            "inbound, 1 message (known customer): sync calls", len(known.function_calls("sync")), GOALS["sync_one"], ""
        ),
        figure(
            "inbound, 10-message envelope: sync calls per message",
            round(ten.per_unit("sync"), 2),
            GOALS["sync_per_message_batched"],
            "",
        ),
        figure("inbound, 1 message: async calls", round(one.per_unit("async"), 2), None, ""),
        figure("inbound, 10-message envelope: async calls per message", round(ten.per_unit("async"), 2), None, ""),
        figure("status: sync calls", round(scenarios["status"].per_unit("sync"), 2), None, ""),
        figure(
            "status: async calls (its callback included)", round(scenarios["status"].per_unit("async"), 2), None, ""
        ),
        figure("reply (POST /v1/messages): sync calls", round(scenarios["reply"].per_unit("sync"), 2), None, ""),
        figure("reply: async calls (sending)", round(scenarios["reply"].per_unit("async"), 2), None, ""),
        *newsletter_figures(scenarios),
        figure(
            "callback: DynamoDB calls per delivery",
            results["callbacks"]["dynamodb_calls_per_callback"],
            GOALS["dynamodb_per_callback"],
            "",
            note=f"by {', '.join(results['callbacks']['senders']) or 'no function'}: "
            f"{results['callbacks']['calls_per_callback']}",
        ),
        figure(
            "cost per million inbound messages incl. callback",
            results["cost"]["usd_per_million"],
            GOALS["usd_per_million"],
            "USD",
            note=_cost_note(results["cost"]),
        ),
    ]
    hottest = results["hot_partitions"]["hottest"]
    rows.append(
        figure(
            "hottest partition at 10,000 msg/s for one business",
            hottest["write_units_per_second"] if hottest else 0,
            GOALS["hot_partition_writes"],
            "WCU/s",
            at_most=False,
            note=_hot_note(hottest),
        )
    )
    cold = results.get("cold_start")
    if cold and cold.get("functions"):
        worst = max(cold["functions"].items(), key=lambda item: item[1]["ratio"])
        rows.append(
            figure(
                "cold start: worst handler import / bare import boto3",
                worst[1]["ratio"],
                GOALS["cold_start_ratio"],
                "x",
                note=f"{worst[0]}; boto3 {cold['boto3_ms']} ms; every function in bench/results.json",
            )
        )
    seconds = results["make_test"]["seconds"]
    rows.append(
        figure(
            "make test",
            seconds,
            GOALS["make_test_seconds"],
            "s",
            at_most=False,
            note="" if seconds is not None else results["make_test"]["note"],
        )
    )
    return rows


def _cost_note(cost: dict[str, Any]) -> str:
    items = ", ".join(f"{item} {usd:g}" for item, usd in cost["usd_per_million_by_item"].items() if usd)
    return (
        f"from the `{cost['scenario']}` scenario; USD per million by item: {items}; prices of {cost['prices_taken_on']}"
    )


def _hot_note(hottest: dict[str, Any] | None) -> str:
    if not hottest:
        return "no partition key is shared by the messages of a business"
    return (
        f"{hottest['partition']}, key {hottest['key']}: {hottest['writes_per_message']:g} writes "
        f"({hottest['write_units_per_message']:g} WCU) per message"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=20, help="messages in the burst scenario (cost, hot keys)")
    parser.add_argument("--cold-start-runs", type=int, default=7, help="fresh interpreters per import (0: skip)")
    parser.add_argument("--output", type=Path, default=ROOT, help="where BENCHMARKS.md and bench/ are written")
    options = parser.parse_args(argv)

    from local.template import load_template

    scenarios, business_id = count(options.burst)
    template = load_template()
    results: dict[str, Any] = {
        "date": report.today(),
        "machine": report.machine(),
        "scenarios": {name: report.scenario_summary(scenario) for name, scenario in scenarios.items()},
        "callbacks": callbacks(scenarios),
        "cost": economics.cost_per_million(scenarios["burst"], template, economics.load_prices()),
        "hot_partitions": economics.hot_partitions(
            scenarios["burst"], names={business_id: "<business id>"}, shards=SHARDED_PARTITIONS
        ),
        "cold_start": cold_starts(options.cold_start_runs) if options.cold_start_runs else None,
        "make_test": {
            "seconds": make_test_seconds(),
            "note": "not measured here: give it as MAKE_TEST_SECONDS=... (or in .make-test-seconds)",
        },
        "notes": [
            "Counts are of warm containers: a warm-up runs every path once first (secrets cached, clients made; "
            "the gateway caches the authorizer's answer for ReauthorizeEvery, so a reply's count has no "
            "authorizer call).",
            "Sync = calls by functions while the request is answered; async = calls by functions while every "
            "SQS queue and DynamoDB stream the template wires to a function is drained until quiet. The Lambda "
            "pollers' own calls are kept apart (EventSourceMapping:<function> in bench/results.json).",
            "DynamoDB request units come from item sizes (bench/capacity.py); durations are measured in process "
            "against moto on a shared machine and only stand in for Lambda's.",
            "The hot partition is counted per partition key value (table or index), as the goal asks; DynamoDB "
            "may split a busy key with a sort key across partitions, but never one item, and not at once.",
        ],
    }
    results["figures"] = figures(results, scenarios)
    report.write(results, options.output)
    print(report.console_table(results["figures"]))
    print(
        f"\nwrote {options.output / 'bench' / 'results.json'}, {options.output / 'BENCHMARKS.md'}, "
        f"{options.output / report.CHART}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
