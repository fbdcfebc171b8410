"""The README's quick start works verbatim against the local platform."""

import pytest

from tests.local.readme import run_readme_block

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def test_the_readme_quick_start_runs_as_written(platform):
    # Given the quick start exactly as the README shows it
    # When a shell runs it against the local platform
    result = run_readme_block("quickstart", platform.api_url)
    # Then every command succeeds and the business, its new key and the key list come back
    assert result.returncode == 0, result.stderr
    assert '"display_name":"Bäckerei Huber"' in result.stdout or "B\\u00e4ckerei Huber" in result.stdout
    assert '"name":"online shop"' in result.stdout
    assert '"items":[' in result.stdout
