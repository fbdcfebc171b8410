"""The published contract is the served behaviour: schemathesis against the local platform.

Every check schemathesis has (bar the ones `schemathesis.toml` explains), its coverage, fuzzing and
stateful phases, seeded and bounded so that `make test` spends about a minute and a half on it.
The platform runs in this process; schemathesis runs as its own process, as a client would.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from local.demo import DEMO_API_KEY
from local.platform import LocalPlatform

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).parent / "st"


@pytest.mark.api_contract
@pytest.mark.timeout(1200)  # schemathesis itself is given 900 s (400 to 570 s beside pytest on two cores)
def test_the_served_api_is_the_published_openapi_document(tmp_path):
    # Given the whole platform running locally, with the demo business and its API key
    with LocalPlatform(port=0, log_out=io.StringIO()) as platform:
        # When schemathesis tests every operation of the document it serves
        result = subprocess.run(  # noqa: S603 - the installed schemathesis, with fixed arguments
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(CONFIG),
                "run",
                f"{platform.api_url}/v1/openapi.json",
                "--phases",
                "coverage,fuzzing,stateful",
            ],
            cwd=tmp_path,
            env={**os.environ, "BIZLINE_API_KEY": DEMO_API_KEY, "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    # Then every answer matches the document: no failure, no error
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert "passed" in result.stdout
