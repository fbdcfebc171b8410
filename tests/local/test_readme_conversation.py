"""The README's conversation walk-through works verbatim against the local platform."""

import os
import re
import subprocess

from local.template import PROJECT_ROOT


def test_the_readme_conversation_runs_as_written(platform):
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = re.search(r"<!-- conversation -->\s*```sh\n(.*?)```\s*<!-- /conversation -->", readme, re.DOTALL)
    assert block, "README.md lost its conversation block"
    result = subprocess.run(  # noqa: S603 - the README's own commands, against our local server
        ["/bin/bash", "-euo", "pipefail", "-c", block.group(1)],
        env={"API": platform.api_url, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"messages_stored": 1' in result.stdout
    assert '"type": "message.received"' in result.stdout
    assert '"verified": true' in result.stdout
    assert '"status":"accepted"' in result.stdout
    assert '"Ja, frisch aus dem Ofen!"' in result.stdout
