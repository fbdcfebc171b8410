"""Turn a bench run into its outputs: the figures next to their goals, bench/results.json, BENCHMARKS.md, the chart."""

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.scenarios import Scenario

CHART = "bench/calls_per_unit.png"


def machine() -> dict[str, Any]:
    """CPU model, cores, Python and OS of this run."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware")):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def figure(name: str, value: float | None, goal: float | None, unit: str, at_most: bool = True, note: str = "") -> dict:
    """One figure; `met` compares it with its goal (at most, or below when at_most is False)."""
    met = None
    if value is not None and goal is not None:
        met = value <= goal if at_most else value < goal
    return {"name": name, "value": value, "goal": goal, "unit": unit, "at_most": at_most, "met": met, "note": note}


def scenario_summary(scenario: Scenario) -> dict[str, Any]:
    return {
        "description": scenario.description,
        "units": scenario.units,
        "unit": scenario.unit,
        "sync_calls_per_unit": round(scenario.per_unit("sync"), 2),
        "async_calls_per_unit": round(scenario.per_unit("async"), 2),
        "callbacks_delivered": scenario.callbacks,
        "calls": {"sync": scenario.breakdown("sync"), "async": scenario.breakdown("async")},
        "invocations": {
            phase: {
                function: {"count": stats.count, "millis": round(stats.millis, 1), "billed_millis": stats.billed_millis}
                for function, stats in sorted(functions.items())
            }
            for phase, functions in scenario.invocations.items()
        },
    }


def _goal_text(row: dict[str, Any]) -> str:
    if row["goal"] is None:
        return "-"
    return f"{'<=' if row['at_most'] else '<'} {row['goal']:g}"


def _value_text(row: dict[str, Any]) -> str:
    value = row["value"]
    if value is None:
        return "not measured"
    if not row["unit"]:
        return f"{value:g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def _with_unit(row: dict[str, Any]) -> str:
    return _value_text(row) if row["value"] is None else f"{_value_text(row)} {row['unit']}".strip()


def _verdict(row: dict[str, Any]) -> str:
    return {True: "met", False: "NOT met", None: "-"}[row["met"]]


def console_table(figures: list[dict[str, Any]]) -> str:
    width = max(len(row["name"]) for row in figures)
    lines = [f"{'figure':<{width}}  {'value':>12}  {'goal':>10}  verdict"]
    for row in figures:
        value = _with_unit(row)
        lines.append(f"{row['name']:<{width}}  {value:>12}  {_goal_text(row):>10}  {_verdict(row)}")
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    """BENCHMARKS.md: the figures next to their goals, the machine and the date, and how to read them."""
    box = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"`make bench` on {results['date']}: {box['cpu']}, {box['cores']} cores, Python {box['python']} "
        f"({box['os']}). Full figures in `bench/results.json`; the chart is `{CHART}`.",
        "",
        "| figure | value | goal | |",
        "|---|---|---|---|",
    ]
    for row in results["figures"]:
        goal = f"{_goal_text(row)} {row['unit']}".strip() if row["goal"] is not None else "-"
        lines.append(f"| {row['name']} | {_with_unit(row)} | {goal} | {_verdict(row)} |")
    lines += ["", "Notes:", ""]
    lines += [f"- {row['name']}: {row['note']}" for row in results["figures"] if row["note"]]
    lines += [f"- {note}" for note in results["notes"]]
    lines += ["", "Where the calls go (bizline's functions; service:operation x calls per unit of work):", ""]
    lines += [f"- {line}" for line in where_the_calls_go(results["scenarios"])]
    lines += ["", f"![AWS calls per unit of work]({CHART})", ""]
    return "\n".join(lines)


def where_the_calls_go(scenarios: dict[str, Any]) -> list[str]:
    """One line per scenario and phase: each function's calls by operation, per unit of work."""
    lines = []
    for name, summary in scenarios.items():
        if name == "warmup":
            continue
        for phase in ("sync", "async"):
            parts = []
            for actor, operations in summary["calls"][phase].items():
                if actor.startswith("EventSourceMapping:"):
                    continue
                each = ", ".join(f"{operation} {count / summary['units']:g}" for operation, count in operations.items())
                parts.append(f"{actor} ({each})")
            lines.append(f"{name} {phase}: {'; '.join(parts) or 'none'}")
    return lines


def chart(results: dict[str, Any], path: Path) -> None:
    """One horizontal bar chart: AWS calls by bizline's functions per unit of work, synchronous and asynchronous."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = results["scenarios"]
    names = [name for name in scenarios if name != "warmup"]
    labels = [f"{name}\n(per {scenarios[name]['unit']})" for name in names]
    sync = [scenarios[name]["sync_calls_per_unit"] for name in names]
    later = [scenarios[name]["async_calls_per_unit"] for name in names]
    callback = results["callbacks"]
    labels.append("callback\n(DynamoDB per delivery)")
    sync.append(0.0)
    later.append(callback["dynamodb_calls_per_callback"] or 0.0)
    goals = {"inbound_1": 3, "inbound_1_known": 3, "inbound_10": 1.2}
    marks = [(names.index(name), goal) for name, goal in goals.items() if name in names]
    marks.append((len(labels) - 1, 2))
    figure_, axes = plt.subplots(figsize=(9, 0.7 * len(labels) + 1.5))
    positions = range(len(labels))
    axes.barh(positions, sync, color="#d95f02", label="synchronous (during the request)")
    axes.barh(positions, later, left=sync, color="#7570b3", label="asynchronous (event sources, drained)")
    for position, (first, second) in enumerate(zip(sync, later, strict=True)):
        axes.text(first + second + 0.1, position, f"{first:g} + {second:g}", va="center", fontsize=8)
    for index, (position, goal) in enumerate(marks):
        axes.plot(
            [goal, goal],
            [position - 0.45, position + 0.45],
            color="black",
            linewidth=2,
            label="goal" if index == 0 else None,
        )
    axes.set_xlim(0, max(first + second for first, second in zip(sync, later, strict=True)) * 1.15 + 0.5)
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("AWS calls per unit of work (warm containers)")
    axes.set_title(f"bizline: AWS calls per unit of work ({results['date']})")
    axes.legend(loc="lower right", fontsize=8)
    figure_.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure_.savefig(path, dpi=110)
    plt.close(figure_)


def write(results: dict[str, Any], root: Path) -> None:
    (root / "bench").mkdir(exist_ok=True)
    (root / "bench" / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    (root / "BENCHMARKS.md").write_text(markdown(results))
    chart(results, root / CHART)


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
