"""The bench's world: an embedded AWS built from template.yaml, the HTTP API, every event source, a receiver.

Everything comes from the template, as in the tests (tests/conftest.py): moto in process with
every table, queue and secret; the HTTP API gateway of `local.gateway` in front of the handlers;
one poller per SQS and DynamoDB stream event source the template declares, whatever functions it
names. `drain()` polls them all, round after round, until a whole round finds nothing. Each
invocation is timed and handed to the recorder as the actor of the calls it makes.
"""

import json
import math
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.recorder import ESM_PREFIX, Recorder

NUMBER = "1077700001"  # a number no test uses: the sandbox accounts are process-wide
DISPLAY = "+43 1 7770001"
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": "eu-central-1",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "ALLOW_HTTP_CALLBACKS": "true",
    "CALLBACK_TIMEOUT_SECONDS": "5",
}


@dataclass
class Invocations:
    """How often a function ran in a phase, and for how long (billed: each rounded up to a millisecond)."""

    count: int = 0
    millis: float = 0.0
    billed_millis: int = 0


@dataclass
class Receiver:
    """The business's callback endpoint: answers 200 and notes which function was acting when each arrived."""

    url: str = ""
    senders: list[str | None] = field(default_factory=list)


class Harness:
    """One embedded AWS with the template's resources, the gateway, the pollers and a callback receiver."""

    def __init__(self, recorder: Recorder):
        self.recorder = recorder
        self.invocations: dict[tuple[str, str], Invocations] = {}
        self.receiver = Receiver()
        self.business_id = ""
        self._saved: dict[str, str] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> "Harness":
        import boto3
        from moto import mock_aws

        from local.gateway import HttpApiGateway
        from local.moto_safety import serialize_moto_requests
        from local.resources import provision
        from local.template import LOCAL_ENDPOINT, functions, load_template

        serialize_moto_requests()
        self.template = load_template()
        self.functions = functions(self.template)
        self._saved = dict(os.environ)
        merged: dict[str, str] = {}
        for spec in self.functions.values():
            merged.update(spec.environment)
        os.environ.update({**merged, **ENVIRONMENT})
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_ENDPOINT_URL", None)
        self._mock = mock_aws()
        self._mock.start()
        self._reset_caches()
        from bizline.observability import logger

        # The handlers' own logs would drown the figures; the tests' and make run's keep theirs.
        self._log_level = logger.log_level
        logger.setLevel("ERROR")
        self.session = boto3.session.Session(region_name="eu-central-1")
        provision(self.session.client, self.template, LOCAL_ENDPOINT)
        self.gateway = HttpApiGateway(self.template, invoker=self._invoke_or_raise)
        self._start_receiver()
        self._install_sandbox()
        self.pollers = self._pollers()
        return self

    def __exit__(self, *_: object) -> None:
        from bizline.adapters.providers import use_provider

        self._server.shutdown()
        self._server.server_close()
        use_provider(None)
        self._reset_caches()
        self._mock.stop()
        from bizline.observability import logger

        logger.setLevel(self._log_level)
        os.environ.clear()
        os.environ.update(self._saved)

    @staticmethod
    def _reset_caches() -> None:
        from bizline.caches import reset_caches

        reset_caches()

    def _start_receiver(self) -> None:
        receiver, recorder = self.receiver, self.recorder

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.senders.append(recorder.actor)
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.receiver.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/bizline"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _install_sandbox(self) -> None:
        from bizline.adapters.providers import use_provider
        from bizline.models.whatsapp_accounts import MetaPhoneNumber

        from local.sandbox_provider import SANDBOX_ACCOUNTS, SandboxProvider

        self.sandbox = SandboxProvider()  # no webhook: the bench posts the statuses it wants
        use_provider(self.sandbox)
        self.waba_id, self.waba_token = f"3{NUMBER}", f"EAAsandbox-bench-token-for-{NUMBER}"
        SANDBOX_ACCOUNTS.register(self.waba_id, self.waba_token, [MetaPhoneNumber(NUMBER, DISPLAY, "Bench GmbH")])

    def _pollers(self) -> list[tuple[str, Any]]:
        from botocore.config import Config

        from local.event_sources import DynamoDbStreamPoller, SqsPoller
        from local.template import event_sources

        # Stream ARNs name the account; botocore would route to an account endpoint moto does not know.
        config = Config(account_id_endpoint_mode="disabled")
        sqs = self.session.client("sqs")
        dynamodb = self.session.client("dynamodb", config=config)
        streams = self.session.client("dynamodbstreams", config=config)
        found: list[tuple[str, Any]] = []
        for source in event_sources(self.template, {"SQS", "DynamoDB"}):
            spec = self.functions[source.function]
            if source.type == "SQS":
                poller = SqsPoller(source, spec, sqs, self.template, self._invoke_safely)
            else:
                poller = DynamoDbStreamPoller(source, spec, dynamodb, streams, self.template, self._invoke_safely, sqs)
            found.append((source.function, poller))
        return found

    # -- invocation --------------------------------------------------------------------------
    def _invoke_or_raise(self, spec: Any, event: dict[str, Any], trigger: str) -> Any:
        from local.lambda_runtime import invoke

        started = time.perf_counter()
        try:
            with self.recorder.acting(spec.logical_id):
                return invoke(spec, event)
        finally:
            millis = (time.perf_counter() - started) * 1000
            stats = self.invocations.setdefault((self.recorder.phase, spec.logical_id), Invocations())
            stats.count += 1
            stats.millis += millis
            stats.billed_millis += max(1, math.ceil(millis))

    def _invoke_safely(self, spec: Any, event: dict[str, Any], trigger: str) -> tuple[bool, Any]:
        try:
            return True, self._invoke_or_raise(spec, event, trigger)
        except Exception as error:
            return False, error

    def drain(self, max_rounds: int = 50) -> int:
        """Poll every event source until a whole round finds nothing; returns the rounds that found work."""
        for busy_rounds in range(max_rounds):
            busy = False
            for function, poller in self.pollers:
                with self.recorder.acting(f"{ESM_PREFIX}{function}"):
                    busy = poller.poll_once() or busy
            if not busy:
                return busy_rounds
        raise RuntimeError(f"the event sources were still busy after {max_rounds} rounds")

    # -- the public entry points -------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        headers = {"content-type": "application/json"}
        if key:
            headers["authorization"] = f"Bearer {key}"
        raw = json.dumps(body) if body is not None else None
        return self.gateway.request(method, path, headers=headers, body=raw)

    def post_webhook(self, payload: dict[str, Any]) -> Any:
        from local.meta_envelopes import signed_body

        body, headers = signed_body(payload, self.meta_app_secret())
        return self.gateway.request("POST", "/webhooks/whatsapp", headers=headers, body=body)

    def meta_app_secret(self) -> str:
        if not hasattr(self, "_meta_app_secret"):
            name = os.environ["META_SECRET_NAME"]
            secret = self.session.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
            self._meta_app_secret = json.loads(secret)["app_secret"]
        return self._meta_app_secret

    def sign_up_business(self, name: str = "Bench Bäckerei") -> str:
        """A business with a callback URL at the receiver and the sandbox number: its API key."""
        created = self.request(
            "POST",
            "/v1/businesses",
            {
                "display_name": name,
                "legal_name": f"{name} GmbH",
                "country": "AT",
                "contact_email": "office@bench.example",
                "callback_url": self.receiver.url,
                "size": {"employees": 4, "annual_turnover_eur": 350_000, "balance_sheet_total_eur": 120_000},
            },
        )
        assert created.status == 201, created.body
        key = created.json()["api_key"]["api_key"]
        self.business_id = created.json()["business"]["business_id"]
        account = {"waba_id": self.waba_id, "access_token": self.waba_token}
        connected = self.request("POST", "/v1/whatsapp-accounts", account, key)
        assert connected.status in (200, 201), connected.body
        added = self.request("POST", "/v1/phone-numbers", {"phone_number_id": NUMBER}, key)
        assert added.status == 201, added.body
        return key
