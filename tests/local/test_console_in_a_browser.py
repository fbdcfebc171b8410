"""The console in a real browser against the local platform (console/e2e/console.e2e.mjs, Playwright).

An owner signs in, a customer's message (as `make customer` sends it) appears in the inbox without
a reload (the time it took is printed; the inbox's one-second poll is held by its component test);
the owner applies for verification and uploads a document, a reviewer signs in, opens the request
with its document shown, claims and approves it with a reason (identity pool credentials signing the
/admin calls), and the owner sees the badge; the owner imports subscribers from a CSV, a newsletter
scheduled 10 seconds ahead shows as sent with its stats and the usage chart shows it; an operator
closes the month and the owner downloads its invoice's CSV through its presigned link; the agent
replies and sees it reach read; screenshots of each main screen at desktop and phone widths land in
build/console-screenshots. Any browser console error or failed request fails it. It needs the built
console (`make console`) and Debian's chromium (`make chromium`): `make test` provides both and
requires this test to run (BIZLINE_BROWSER_TESTS=required); elsewhere it is skipped, saying what is
missing.
"""

import os
import shutil
import subprocess
import sys

import pytest

from local.template import PROJECT_ROOT

pytestmark = pytest.mark.slow  # starts a local platform and a browser

CONSOLE = PROJECT_ROOT / "console"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "build" / "console-screenshots"


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (CONSOLE / "node_modules" / "playwright-core").is_dir():
        return "console/node_modules is not installed (make console)"
    if not (CONSOLE / "dist" / "index.html").is_file():
        return "the console is not built (make console)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no chromium at {CHROMIUM} (make chromium)"
    return None


@pytest.fixture
def browser_ready() -> None:
    missing = _missing()
    if missing:
        if os.environ.get("BIZLINE_BROWSER_TESTS") == "required":
            pytest.fail(f"the console's browser test cannot run: {missing}")
        pytest.skip(missing)


def test_an_owner_and_an_agent_answer_a_customer_in_the_console(browser_ready, platform):
    # Given the local platform with the demo bakery, its owner and its agent
    # When the browser run signs in, receives a customer's message and replies (see the script's steps)
    run = subprocess.run(
        ["node", "e2e/console.e2e.mjs"],  # noqa: S607
        cwd=CONSOLE,
        env={
            **os.environ,
            "BIZLINE_API": platform.api_url,
            "BIZLINE_PYTHON": sys.executable,
            "CHROMIUM": CHROMIUM,
            "SCREENSHOTS": str(SCREENSHOTS),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Then every step passed without a console error or failed request, and each screen was photographed
    assert run.returncode == 0, run.stdout + run.stderr
    print(run.stdout)  # each step, with how long the customer's message took to show (pytest -s or -rP)
    shots = {path.stem for path in SCREENSHOTS.glob("*.png")}
    for screen in ("sign-in", "inbox", "thread", "settings", "newsletters", "usage", "verification", "review"):
        assert {f"desktop-{screen}", f"phone-{screen}"} <= shots, screen
