"""`make run`'s entry point: banner, health, a sign-up, and a clean stop on Ctrl-C."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from local.template import PROJECT_ROOT

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_run_starts_serves_and_stops_cleanly():
    # Given the entry point `make run` uses, on a free port
    port = _free_port()
    environment = {**os.environ, "PORT": str(port)}
    for name in ("AWS_ENDPOINT_URL", "BUSINESSES_TABLE", "API_KEYS_TABLE"):
        environment.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.run"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # When it prints its banner (within 15 seconds)
        started = time.monotonic()
        banner = []
        for line in process.stdout:
            banner.append(line)
            if line.startswith("Ctrl-C stops it"):
                break
        assert time.monotonic() - started < 15, "".join(banner)
        text = "".join(banner)
        assert f"http://127.0.0.1:{port}" in text
        assert "demo API key  bzl_" in text
        # Then health answers and a business can sign up
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=5) as response:
            assert json.loads(response.read())["status"] == "ok"
        body = {
            "display_name": "Smoke Bakery",
            "legal_name": "Smoke Bakery KG",
            "country": "DE",
            "contact_email": "smoke@bakery.example",
            "size": {"employees": 2, "annual_turnover_eur": 90_000, "balance_sheet_total_eur": 40_000},
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/businesses",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
            assert json.loads(response.read())["api_key"]["api_key"].startswith("bzl_")
    finally:
        # And Ctrl-C stops it cleanly (in a second or two when the machine is idle; the bound is for a loaded one)
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0
