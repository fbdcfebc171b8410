"""Fixtures: an embedded AWS (moto) with the tables of template.yaml, and the HTTP API in front of it."""

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.gateway import HttpApiGateway, IamCredentials
from local.moto_safety import serialize_moto_requests
from local.resources import provision
from local.template import LOCAL_ENDPOINT, functions, load_template

serialize_moto_requests()

# Never reach a real account from a test, whatever the developer's shell holds.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_REGION="eu-central-1",
    AWS_DEFAULT_REGION="eu-central-1",
    POWERTOOLS_METRICS_NAMESPACE="bizline",
    POWERTOOLS_SERVICE_NAME="bizline",
    POWERTOOLS_TRACE_DISABLED="true",
)
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)


def _reset_cached_clients() -> None:
    # Each test's moto has its own resources: forget clients, connections and cached secrets.
    from bizline.caches import reset_caches

    reset_caches()


@pytest.fixture
def function_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The union of every function's environment from the template: tests drive many handlers in one process.

    Each function names only its own resources; tests/contract/test_function_environment.py proves
    each one's environment suffices for its code.
    """
    environment: dict[str, str] = {}
    for spec in functions().values():
        environment.update(spec.environment)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.fixture
def aws(function_environment: dict[str, str]) -> Iterator[dict[str, Any]]:
    """moto with every resource of template.yaml: tables, queues, secrets, ..."""
    with mock_aws():
        _reset_cached_clients()

        def client(service: str) -> Any:
            return boto3.client(service, region_name="eu-central-1")

        provision(client, load_template(), LOCAL_ENDPOINT)
        yield {
            "dynamodb": client("dynamodb"),
            "sqs": client("sqs"),
            "secretsmanager": client("secretsmanager"),
            "s3": client("s3"),
        }
        _reset_cached_clients()
        # A test may have installed the sandbox provider (tests.support.sandbox_account): send through Meta again.
        from bizline.adapters.providers import use_provider

        use_provider(None)


REVIEWER_CREDENTIALS = IamCredentials("AKIAREVIEWERTEST0001", "reviewer-secret-key-for-tests")


@pytest.fixture
def api(aws: dict[str, Any]) -> HttpApiGateway:
    """The HTTP API; AWS_IAM routes accept SigV4 signatures by REVIEWER_CREDENTIALS."""
    return HttpApiGateway(iam_credentials=REVIEWER_CREDENTIALS)
