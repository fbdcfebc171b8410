"""The README's quick start works verbatim against the local platform."""

import os
import re
import subprocess

from local.template import PROJECT_ROOT


def _quickstart() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = re.search(r"<!-- quickstart -->\s*```sh\n(.*?)```\s*<!-- /quickstart -->", readme, re.DOTALL)
    assert block, "README.md lost its quick start block"
    return block.group(1)


def test_the_readme_quick_start_runs_as_written(platform):
    # Given the quick start exactly as the README shows it
    script = _quickstart()
    # When a shell runs it against the local platform
    result = subprocess.run(  # noqa: S603 - the README's own commands, against our local server
        ["/bin/bash", "-euo", "pipefail", "-c", script],
        env={"API": platform.api_url, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then every command succeeds and the business, its new key and the key list come back
    assert result.returncode == 0, result.stderr
    assert '"display_name":"Bäckerei Huber"' in result.stdout or "B\\u00e4ckerei Huber" in result.stdout
    assert '"name":"online shop"' in result.stdout
    assert '"items":[' in result.stdout
