"""Lint the template after the SAM transform, where cfn-lint sees what SAM generates.

`sam validate --lint` lints the SAM source; errors inside generated resources (a bad `!Ref` in a
function's properties, a policy template naming a missing table) only show once it is expanded.

Usage: python -m local.lint_template template.yaml
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class _NoManagedPolicies:
    """bizline names no AWS managed policies by name, so none needs looking up in IAM."""

    def load(self) -> dict[str, str]:
        return {}


def expanded(template_path: Path) -> dict[str, Any]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")  # the translator insists on one
    source = yaml_parse(template_path.read_text())
    # Local paths are what `sam build` packages; the translator wants the S3 location it uploads to.
    for resource in source.get("Resources", {}).values():
        for uri in ("CodeUri", "ContentUri"):
            if isinstance(resource.get("Properties", {}).get(uri), str):
                resource["Properties"][uri] = "s3://bizline-artifacts/placeholder.zip"
    # Template parameters stay unresolved, as CloudFormation sees them.
    pseudo_parameters = {
        "AWS::Region": "eu-central-1",
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
    }
    return transform(source, pseudo_parameters, _NoManagedPolicies())


def main(argv: list[str]) -> int:
    template_path = Path(argv[1] if len(argv) > 1 else "template.yaml")
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "expanded.json"
        output.write_text(json.dumps(expanded(template_path), indent=1, default=str))
        cfn_lint = Path(sys.executable).parent / "cfn-lint"
        # W1020: the translator itself folds parameter defaults into !Sub strings (LayerName).
        command = [str(cfn_lint), "--ignore-checks", "W1020", "--", str(output)]
        result = subprocess.run(command, check=False)  # noqa: S603 - our own venv
    if result.returncode == 0:
        print(f"{template_path}: cfn-lint passes on the expanded template")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
