"""Fixtures: an embedded AWS (moto) with the tables of template.yaml, and the HTTP API in front of it."""

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.gateway import HttpApiGateway
from local.template import create_tables, functions

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
    from bizline.adapters.tables import reset_connections
    from bizline.settings import get_settings

    get_settings.cache_clear()
    reset_connections()


@pytest.fixture
def function_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every function's environment from the template, as Lambda would set it."""
    environment: dict[str, str] = {}
    for spec in functions().values():
        environment.update(spec.environment)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.fixture
def aws(function_environment: dict[str, str]) -> Iterator[dict[str, Any]]:
    with mock_aws():
        _reset_cached_clients()
        dynamodb = boto3.client("dynamodb", region_name="eu-central-1")
        create_tables(dynamodb)
        yield {"dynamodb": dynamodb}
        _reset_cached_clients()


@pytest.fixture
def api(aws: dict[str, Any]) -> HttpApiGateway:
    return HttpApiGateway()
