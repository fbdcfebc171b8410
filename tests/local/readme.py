"""Run a marked shell block of README.md, as a reader would paste it, against a local platform."""

import os
import re
import subprocess

from local.template import PROJECT_ROOT


def readme_block(name: str) -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = re.search(rf"<!-- {name} -->\s*```sh\n(.*?)```\s*<!-- /{name} -->", readme, re.DOTALL)
    assert block, f"README.md lost its {name} block"
    return block.group(1)


def run_readme_block(name: str, api_url: str) -> subprocess.CompletedProcess[str]:
    """The block's commands in bash (strict mode), from the project root, with API pointing at the platform."""
    return subprocess.run(  # noqa: S603 - the README's own commands, against our local server
        ["/bin/bash", "-euo", "pipefail", "-c", readme_block(name)],
        env={"API": api_url, "PATH": os.environ["PATH"]},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
