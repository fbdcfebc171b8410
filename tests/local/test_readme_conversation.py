"""The README's conversation walk-through works verbatim against the local platform."""

import pytest

from tests.local.readme import run_readme_block

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def test_the_readme_conversation_runs_as_written(platform):
    # Given the demo bakery on a running platform
    # When a shell runs the README's conversation block
    result = run_readme_block("conversation", platform.api_url)
    # Then the customer's message arrives as a verified callback, and the reply is sent with statuses
    assert result.returncode == 0, result.stderr
    assert '"messages_stored": 1' in result.stdout
    assert '"type": "message.received"' in result.stdout
    assert '"verified": true' in result.stdout
    assert '"status":"accepted"' in result.stdout
    assert '"Ja, frisch aus dem Ofen!"' in result.stdout
