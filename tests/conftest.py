"""Fixtures: an embedded AWS (moto) with the tables of template.yaml, and the HTTP API in front of it."""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import boto3
import pytest

from local.gateway import HttpApiGateway, IamCredentials
from local.moto_safety import serialize_moto_requests
from local.template import functions
from tests.embedded_aws import EmbeddedAws

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


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[EmbeddedAws]:
    """moto with every resource of template.yaml, provisioned once per test process (tests/embedded_aws.py)."""
    embedded = EmbeddedAws()
    yield embedded
    embedded.stop()


@pytest.fixture
def aws(function_environment: dict[str, str], embedded_aws: EmbeddedAws) -> Iterator[dict[str, Any]]:
    """moto with every resource of template.yaml: tables, queues, secrets, ..., as new for each test."""
    embedded_aws.fresh()
    _reset_cached_clients()

    def client(service: str) -> Any:
        return boto3.client(service, region_name="eu-central-1")

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
    # Templates submitted to the sandbox's shared accounts would refuse the next test's same name.
    from local.sandbox_provider import SANDBOX_ACCOUNTS

    for account in SANDBOX_ACCOUNTS.accounts.values():
        account.templates.clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first (stable otherwise): under pytest-xdist the quick ones then fill in around them
    instead of one worker finishing a long end-to-end run alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


REVIEWER_CREDENTIALS = IamCredentials("AKIAREVIEWERTEST0001", "reviewer-secret-key-for-tests")


@pytest.fixture
def api(aws: dict[str, Any]) -> HttpApiGateway:
    """The HTTP API; AWS_IAM routes accept SigV4 signatures by REVIEWER_CREDENTIALS."""
    return HttpApiGateway(iam_credentials=REVIEWER_CREDENTIALS)


# ---------------------------------------------------------------------------------------------
# IAM proven by the tests: every AWS call a handler makes is recorded (tests/contract/iam.py) and,
# when the session ends, judged against the function's role after the SAM transform. A call the
# role would refuse in production fails the run, whatever subset of tests ran. On a run of the
# whole suite, a granted permission no test used fails it too, unless it is listed in
# iam.UNEXERCISED_GRANTS with its reason. The recording is written to BIZLINE_IAM_RECORDING
# (default: bizline-iam-calls.json in the system temp directory) for a look afterwards.
# ---------------------------------------------------------------------------------------------
from tests.contract import iam  # noqa: E402

iam.install_recorder()


WHOLE_SUITE_MARKEXPR = "not api_contract"


def _is_whole_suite(session: pytest.Session) -> bool:
    config = session.config
    # `make unit` leaves schemathesis to its own run (`-m "not api_contract"`): still every test of the suite.
    if (
        config.option.keyword
        or config.option.markexpr not in ("", WHOLE_SUITE_MARKEXPR)
        or getattr(config.option, "lf", False)
    ):
        return False
    tests_root = Path(__file__).resolve().parent
    arguments = [Path(str(argument).split("::", 1)[0]).resolve() for argument in config.args]
    return all(argument in {tests_root, tests_root.parent} for argument in arguments)


_WORKER_CALLS = "bizline_iam_calls"


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Under pytest-xdist the controller judges the run: each worker hands over the calls it recorded."""
    iam.RECORDED.update(iam.Call(**call) for call in getattr(node, "workeroutput", {}).get(_WORKER_CALLS, []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        # An xdist worker saw only its share of the tests: the controller checks them all together.
        workeroutput[_WORKER_CALLS] = [asdict(call) for call in iam.RECORDED]
        return
    recording = Path(os.environ.get("BIZLINE_IAM_RECORDING", Path(tempfile.gettempdir()) / "bizline-iam-calls.json"))
    iam.save(recording, iam.RECORDED)
    problems = [f"{call.function} may not {call.action} on {call.resource}" for call in iam.refused(iam.RECORDED)]
    problems += [
        f"{call.function} wrote to the append-only audit table without a condition ({call.action})"
        for call in iam.unconditioned_audit_writes(iam.RECORDED)
    ]
    if _is_whole_suite(session) and exitstatus == pytest.ExitCode.OK:
        problems += [
            f"{grant.function} is granted {grant.action} on {grant.resource} ({grant.sid}) but no test used it: "
            "remove it, or list it in UNEXERCISED_GRANTS (tests/contract/iam.py) with the reason"
            for grant in iam.unexpected_unused(iam.RECORDED)
        ]
    problems += [
        f"{grant.function} used {grant.action} on {grant.resource}, granted as {grant.sid}: name it for its use"
        for grant in iam.used_reached_by_import(iam.RECORDED)
    ]
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.section("IAM (tests/contract/iam.py)", red=True)
            for problem in problems:
                reporter.write_line(problem)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
