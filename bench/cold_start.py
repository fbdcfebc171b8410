"""Cold start of every Lambda function, as a ratio to a bare `import boto3` in the same interpreter.

A cold start here is the CPU time a fresh interpreter spends importing a function's handler module:
the import and the module-level init it runs. Every function of template.yaml (its CodeUri and
Handler, never a list kept here) is imported in a fresh `python` with the environment the template
gives it (intrinsics filled with local dummy values), AWS_* variables as Lambda sets them, and
`sys.path` as Lambda builds it: the function's code first, then the shared layer. A bare
`import boto3` is timed the same way. The runs are interleaved (boto3, every function, boto3, ...)
so that the load of a shared machine falls on all of them alike; each figure is a median.

The figure is the import, not the first request: what a function loads on first use (a route's
validators, email-validator, libphonenumber) is not in it. That is the point for what only some
requests need, and a shift, not a saving, for what every request of a function needs.

`measure()` gives the figures (`make bench` writes them out); `python -m bench.cold_start` prints
a table, and `--profile FunctionName` the heaviest imports of one function (`-X importtime`).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from local.template import PROJECT_ROOT, functions

LAYER = PROJECT_ROOT / "layers" / "shared"
BARE = "boto3"
# Runs in the fresh interpreter: the CPU time of one import, module-level init included. CPU time, not
# wall time: on a shared machine another process's load stretches the wall clock of every sample (seen
# here: the same import 350 ms in one round and 1,700 ms in the next), while the CPU an import needs
# stays put. On a Lambda host the files are cached and the vCPU is the function's own: the two agree.
_TIMED_IMPORT = (
    "import sys, time\n"
    "start = time.process_time()\n"
    "__import__(sys.argv[1])\n"
    "print((time.process_time() - start) * 1000)\n"
)


def _handler_module(handler: str) -> str:
    """`business_api.handler.lambda_handler` -> `business_api.handler`."""
    return handler.rsplit(".", 1)[0]


def targets() -> dict[str, dict[str, Any]]:
    """Every function of template.yaml: the module Lambda imports, where its code is, its environment."""
    found = {}
    for name, spec in sorted(functions().items()):
        code_uri = spec.properties.get("CodeUri", ".")
        found[name] = {
            "module": _handler_module(spec.handler),
            "code": PROJECT_ROOT / code_uri,
            "environment": spec.environment,
            "memory": spec.properties.get("MemorySize", 512),
        }
    return found


def lambda_environment(name: str = "bare", code: Path = PROJECT_ROOT, variables: dict[str, str] | None = None) -> dict:
    """What Lambda's python3.13 runtime gives a function: its variables, AWS_* and its sys.path."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "eu-central-1",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "LAMBDA_TASK_ROOT": str(code),
        "PYTHONPATH": os.pathsep.join([str(code), str(LAYER)]),
        **(variables or {}),
    }


def _run(module: str, environment: dict[str, str], *flags: str) -> subprocess.CompletedProcess:
    completed = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, *flags, "-c", _TIMED_IMPORT, module],
        env=environment,
        cwd=environment["LAMBDA_TASK_ROOT"],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{completed.stderr[-2000:]}")
    return completed


def _import_ms(module: str, environment: dict[str, str]) -> float:
    return float(_run(module, environment).stdout.strip().splitlines()[-1])


def measure(runs: int = 7) -> dict[str, dict]:
    """Median import times of every function's handler module and of a bare `import boto3`, and their ratios.

    Returns {"boto3_ms": x, "runs": n, "functions": {"BusinessApiFunction": {"module": ..., "import_ms": y,
    "ratio": y / x, "samples_ms": [...]}, ...}}.
    """
    found = targets()
    jobs = {BARE: (BARE, lambda_environment())}
    for name, target in found.items():
        environment = lambda_environment(name, target["code"], target["environment"])
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(target["memory"])
        jobs[name] = (target["module"], environment)
    # One unmeasured round: bytecode caches written, files in the page cache, as on a warm Lambda host.
    for module, environment in jobs.values():
        _import_ms(module, environment)
    samples: dict[str, list[float]] = {job: [] for job in jobs}
    for _ in range(runs):
        for job, (module, environment) in jobs.items():
            samples[job].append(_import_ms(module, environment))
    bare = statistics.median(samples[BARE])
    return {
        "boto3_ms": round(bare, 1),
        "runs": runs,
        "python": sys.version.split()[0],
        "functions": {
            name: {
                "module": jobs[name][0],
                "import_ms": round(statistics.median(samples[name]), 1),
                "ratio": round(statistics.median(samples[name]) / bare, 2),
                "samples_ms": [round(sample, 1) for sample in samples[name]],
            }
            for name in found
        },
    }


def profile(function: str, top: int = 25) -> list[tuple[int, int, str]]:
    """The heaviest imports of one function (`-X importtime`): (self us, cumulative us, module), by self time."""
    target = targets()[function]
    environment = lambda_environment(function, target["code"], target["environment"])
    completed = _run(target["module"], environment, "-X", "importtime")
    rows = []
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, module = (part.strip() for part in line.removeprefix("import time:").split("|"))
        rows.append((int(self_us), int(cumulative_us), module))
    return sorted(rows, reverse=True)[:top]


def _table(results: dict[str, Any]) -> str:
    lines = [
        f"bare import boto3: {results['boto3_ms']:.1f} ms (median of {results['runs']}, python {results['python']})",
        f"{'function':<32} {'import ms':>10} {'x boto3':>8}",
    ]
    for name, figures in results["functions"].items():
        lines.append(f"{name:<32} {figures['import_ms']:>10.1f} {figures['ratio']:>7.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per function (default 7)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--profile", metavar="FUNCTION", help="list the heaviest imports of one function instead")
    arguments = parser.parse_args(argv)
    if arguments.profile:
        for self_us, cumulative_us, module in profile(arguments.profile):
            print(f"{self_us / 1000:8.1f} ms self {cumulative_us / 1000:8.1f} ms cumulative  {module}")
        return
    results = measure(arguments.runs)
    print(json.dumps(results, indent=2) if arguments.json else _table(results))


if __name__ == "__main__":
    main()
