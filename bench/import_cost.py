"""A minimal stand-in for bench/cold_start.py: each handler's import time against a bare `import boto3`.

Used by `make bench` only when bench/cold_start.py is absent. Each figure is the median of `runs`
fresh interpreters timing one import (module-level init included), with the function's environment
from the template; the return value has cold_start.measure()'s shape.
"""

import os
import statistics
import subprocess
import sys
from typing import Any

from local.template import PROJECT_ROOT, functions

_TIMED_IMPORT = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "__import__(sys.argv[1])\n"
    "print((time.perf_counter() - start) * 1000)\n"
)


def _import_ms(module: str, environment: dict[str, str]) -> float:
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", _TIMED_IMPORT, module],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    return float(done.stdout.strip().splitlines()[-1])


def _environment(variables: dict[str, str]) -> dict[str, str]:
    paths = [PROJECT_ROOT / "functions", PROJECT_ROOT / "layers" / "shared", PROJECT_ROOT]
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(str(path) for path in paths),
        "AWS_REGION": "eu-central-1",
        "AWS_DEFAULT_REGION": "eu-central-1",
        **variables,
    }


def measure(runs: int = 7) -> dict[str, Any]:
    """{"boto3_ms": x, "functions": {logical id: {"import_ms": y, "ratio": y / x}}}: medians of `runs`."""
    specs = functions()
    bare: list[float] = []
    timings: dict[str, list[float]] = {logical_id: [] for logical_id in specs}
    for spec in specs.values():  # unmeasured: bytecode caches written, files in the page cache
        _import_ms(spec.handler.rpartition(".")[0], _environment(spec.environment))
    for _ in range(runs):  # interleaved, so a busy moment of a shared machine falls on all alike
        bare.append(_import_ms("boto3", _environment({})))
        for logical_id, spec in specs.items():
            module = spec.handler.rpartition(".")[0]
            timings[logical_id].append(_import_ms(module, _environment(spec.environment)))
    boto3_ms = statistics.median(bare)
    return {
        "boto3_ms": round(boto3_ms, 1),
        "functions": {
            logical_id: {
                "import_ms": round(statistics.median(values), 1),
                "ratio": round(statistics.median(values) / boto3_ms, 2),
            }
            for logical_id, values in timings.items()
        },
    }
