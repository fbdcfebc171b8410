"""The README's verification walk-through works verbatim: sign-up to a badge a customer can check."""

import json
import urllib.request

import pytest

from tests.local.readme import run_readme_block

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def test_the_readme_verification_runs_as_written(platform):
    # Given the demo bakery on a running platform
    # When a shell runs the README's verification block
    result = run_readme_block("verification", platform.api_url)
    # Then the document is uploaded and attached, the reviewer approves, and a customer sees the badge
    assert result.returncode == 0, result.stderr
    assert "uploaded firmenbuchauszug.pdf: 204" in result.stdout
    assert '"state":"attached"' in result.stdout
    assert '"state": "in_review"' in result.stdout
    assert '"state": "approved"' in result.stdout
    assert '"decided_by": "arn:aws:iam::123456789012:user/bizline-local"' in result.stdout
    assert '"phone_number":"+4315550100","verified":true,"verified_name":"B\\u00e4ckerei Demo GmbH"' in result.stdout
    # And the bakery's endpoint received each step as a signed callback
    assert '"type": "verification.submitted"' in result.stdout
    assert '"type": "verification.approved"' in result.stdout
    # And the badge is on the business
    request = urllib.request.Request(
        f"{platform.api_url}/v1/businesses/me",
        headers={"authorization": "Bearer bzl_demo_bakery_local_only_do_not_use_in_aws_000000000"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["badge"]["verified_name"] == "Bäckerei Demo GmbH"
