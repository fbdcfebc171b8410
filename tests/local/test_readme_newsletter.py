"""The README's newsletter walk-through works verbatim against the local platform: schedule, send, stats."""

import json
import re
import urllib.request

import pytest

from local.demo import DEMO_API_KEY
from tests.local.conftest import wait_for
from tests.local.readme import run_readme_block

pytestmark = pytest.mark.slow  # waits on real time: `make test-fast` skips it


def test_the_readme_newsletter_runs_as_written_and_its_stats_reach_read(platform):
    # Given the demo bakery on a running platform
    # When a shell runs the README's newsletter block
    result = run_readme_block("newsletter", platform.api_url)
    # Then the newsletter was scheduled, then sent to both regulars
    assert result.returncode == 0, result.stderr
    assert '"state":"scheduled"' in result.stdout.replace(" ", "")
    newsletter_id = re.search(r'"newsletter_id":\s*"(nl_[0-9a-f]{20})"', result.stdout).group(1)

    def run():
        request = urllib.request.Request(
            f"{platform.api_url}/v1/newsletters/{newsletter_id}", headers={"authorization": f"Bearer {DEMO_API_KEY}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            shown = json.load(response)
        return shown, (shown.get("runs") or [{}])[0]

    # And its stats move on to delivered and read as the sandbox reports them
    assert wait_for(lambda: run()[1].get("read") == 2, timeout=30), run()
    shown, stats = run()
    assert shown["state"] == "sent"
    assert (stats["audience"], stats["queued"], stats["delivered"], stats["failed"]) == (2, 2, 2, 0)
