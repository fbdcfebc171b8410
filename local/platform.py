"""bizline on a laptop: an embedded AWS (moto server), the HTTP API, and every event source.

Everything comes from template.yaml: the resources, the routes, the authorizers, the event
sources and the functions' environment. Handlers run in this process.
"""

import json
import logging
import os
import sys
import threading
import time
import traceback
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

from local.console import ConsoleConfig, ConsoleFiles
from local.event_sources import DynamoDbStreamPoller, Poller, SchedulePoller, SqsPoller
from local.gateway import HttpApiGateway, IamCredentials
from local.identity_pool import IDENTITY_PATH, identity_pools
from local.lambda_runtime import invoke
from local.playground import Playground
from local.resources import provision
from local.template import (
    REGION,
    TEMPLATE_PATH,
    FunctionSpec,
    arn_of,
    event_sources,
    functions,
    load_template,
    resolve,
)

LOCAL_ACCESS_KEY = "AKIABIZLINELOCAL0001"
LOCAL_SECRET_KEY = "bizline-local-secret-key-not-for-aws"  # noqa: S105 - moto accepts any credentials

log = logging.getLogger("bizline.local")


@dataclass
class InvocationLog:
    """One line per invocation, so a person can watch the data flow."""

    out: TextIO = sys.stderr
    lock: threading.Lock = field(default_factory=threading.Lock)

    def write(self, function: str, trigger: str, millis: float, outcome: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        with self.lock:
            print(f"{stamp} {function:<28} {trigger:<48} {millis:7.1f} ms  {outcome}", file=self.out, flush=True)


def _outcome(result: Any) -> str:
    if isinstance(result, dict) and "statusCode" in result:
        code = int(result["statusCode"])
        kind = "server error" if code >= 500 else "client error" if code >= 400 else ""
        return f"{code} {kind}".strip()
    if isinstance(result, dict) and "isAuthorized" in result:
        return "allowed" if result["isAuthorized"] else "denied"
    if isinstance(result, dict) and result.get("batchItemFailures"):
        return f"partial: {len(result['batchItemFailures'])} failed"
    return "ok"


class _HttpServer(ThreadingHTTPServer):
    # A burst of connections waits in the listen backlog instead of being reset (the default is 5).
    request_queue_size = 128


class LocalPlatform:
    def __init__(
        self,
        template_path: Path = TEMPLATE_PATH,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        seed_demo: bool = True,
        log_out: TextIO = sys.stderr,
        extra_environment: dict[str, str] | None = None,
        scheduler_clock: Callable[[], datetime] | None = None,
    ):
        self.template = load_template(template_path)
        self.host = host
        self.port = port
        self.seed_demo = seed_demo
        self.invocations = InvocationLog(log_out)
        self.extra_environment = extra_environment or {}
        self.scheduler_clock = scheduler_clock
        self._saved_environment: dict[str, str] | None = None
        self.moto_server: Any = None
        self.http_server: ThreadingHTTPServer | None = None
        self.pollers: list[Poller] = []
        self.endpoint = ""
        self.functions: dict[str, FunctionSpec] = {}
        self.console_config: ConsoleConfig | None = None
        self.identity_pools: dict[str, Any] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "LocalPlatform":
        """Start everything; a start that fails part-way stops what it started and leaves the process as it was."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> "LocalPlatform":
        from moto.server import ThreadedMotoServer

        from local.moto_safety import serialize_moto_requests

        serialize_moto_requests()
        # moto's server logs each request through werkzeug (dozens a second while the pollers poll):
        # the terminal is for bizline's one line per invocation.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._saved_environment = dict(os.environ)
        self.moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto_server.start()
        moto_host, moto_port = self.moto_server.get_host_and_port()
        self.endpoint = f"http://{moto_host}:{moto_port}"
        # moto keeps its state per process: start from nothing, even after an earlier platform.
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"))  # noqa: S310
        self._configure_environment()
        session = self._session()
        self.resources = provision(
            lambda service: session.client(service, endpoint_url=self.endpoint), self.template, self.endpoint
        )
        self.functions = functions(self.template, self.endpoint)
        self._apply_function_environment()
        meta_secret = self.template["Resources"].get("MetaSecret")
        if meta_secret:
            from local.demo import seed_demo_meta_secret

            name = resolve(self.template, meta_secret["Properties"]["Name"], self.endpoint)
            seed_demo_meta_secret(session.client("secretsmanager", endpoint_url=self.endpoint), name)
        # The team's user pool (the console's sign-in) and the JWT authorizer checking its tokens.
        from local.cognito import jwt_authorizers, team_pool

        self.team_pool = team_pool(self.template)  # provisioned above
        # Reviewers' short-lived credentials: the template's identity pool, answered locally (local/identity_pool.py).
        self.identity_pools = identity_pools(self.template, self.team_pool, self.endpoint)
        self.console_config = self._console_config()
        self.gateway = HttpApiGateway(
            self.template,
            invoker=self.invoke_or_raise,
            iam_credentials=IamCredentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY),
            endpoint=self.endpoint,
            jwt_authorizers=jwt_authorizers(self.template, self.team_pool, self.endpoint),
            identity_pools=list(self.identity_pools.values()),
        )
        self._start_http()
        self._forget_cached_clients()
        # Replies go to the sandbox, which answers with statuses through this platform's own webhook.
        from bizline.adapters.providers import use_provider

        from local.demo import DEMO_META_APP_SECRET
        from local.sandbox_provider import SandboxProvider

        self.sandbox = SandboxProvider(f"{self.api_url}/webhooks/whatsapp", DEMO_META_APP_SECRET)
        use_provider(self.sandbox)
        if self.seed_demo:
            from local.demo import DEMO_BUSINESS_ID, seed_demo_business, seed_demo_team, seed_starter_rate_card

            seed_demo_business(callback_url=f"{self.api_url}/local/callbacks/{DEMO_BUSINESS_ID}")
            seed_starter_rate_card()
            if self.console_config:
                seed_demo_team(
                    session.client("cognito-idp", endpoint_url=self.endpoint), self.console_config.user_pool_id
                )
        self._start_pollers(session)
        return self

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()
        for poller in self.pollers:
            poller.join(timeout=5)
        if self.http_server:
            self.http_server.shutdown()
            self.http_server.server_close()
            self.http_server = None
        if self.moto_server:
            self.moto_server.stop()
            self.moto_server = None
        if self._saved_environment is not None:
            # Leave the process as it was: tests run other platforms and moto mocks after this one.
            os.environ.clear()
            os.environ.update(self._saved_environment)
            self._saved_environment = None
            self._forget_cached_clients()
            from bizline.adapters.providers import use_provider

            use_provider(None)

    def _console_config(self) -> ConsoleConfig | None:
        """The first user pool and app client: where the console signs members in."""
        if not self.team_pool.user_pools or not self.team_pool.clients:
            return None
        return ConsoleConfig(
            cognito_endpoint=self.endpoint,
            region=REGION,
            user_pool_id=next(iter(self.team_pool.user_pools.values())),
            client_id=next(iter(self.team_pool.clients.values())),
            identity_pool_id=next(iter(self.identity_pools), ""),
            identity_endpoint=IDENTITY_PATH if self.identity_pools else "",  # this origin's
        )

    @staticmethod
    def _forget_cached_clients() -> None:
        from bizline.caches import reset_caches

        reset_caches()

    def __enter__(self) -> "LocalPlatform":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- environment -------------------------------------------------------------------------
    def _configure_environment(self) -> None:
        os.environ.update(
            AWS_ACCESS_KEY_ID=LOCAL_ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=LOCAL_SECRET_KEY,
            AWS_REGION=REGION,
            AWS_DEFAULT_REGION=REGION,
            AWS_ENDPOINT_URL=self.endpoint,
            POWERTOOLS_TRACE_DISABLED="true",
            POWERTOOLS_METRICS_DISABLED="true",
            POWERTOOLS_LOG_LEVEL=os.environ.get("BIZLINE_LOCAL_LOG_LEVEL", "WARNING"),
            ALLOW_HTTP_CALLBACKS="true",
        )
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)

    def _apply_function_environment(self) -> None:
        """Handlers share this process, so they share one environment: the union of theirs."""
        merged: dict[str, str] = {}
        for spec in self.functions.values():
            for name, value in spec.environment.items():
                if name in merged and merged[name] != value and not name.startswith("POWERTOOLS_"):
                    log.warning("%s differs between functions; %s wins locally", name, spec.logical_id)
                merged[name] = value
        # The local platform decides these, whatever the template's defaults say.
        for name in ("POWERTOOLS_LOG_LEVEL",):
            merged.pop(name, None)
        os.environ.update(merged)
        os.environ.update(self.extra_environment)
        self._forget_cached_clients()

    def _session(self) -> Any:
        import boto3

        return boto3.session.Session(
            aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY, region_name=REGION
        )

    # -- invocation --------------------------------------------------------------------------
    def invoke_or_raise(self, spec: FunctionSpec, event: dict[str, Any], trigger: str) -> Any:
        started = time.perf_counter()
        try:
            result = invoke(spec, event)
        except Exception as error:
            millis = (time.perf_counter() - started) * 1000
            self.invocations.write(spec.logical_id, trigger, millis, f"FAILED {type(error).__name__}: {error}")
            traceback.print_exc(file=self.invocations.out)
            raise
        self.invocations.write(spec.logical_id, trigger, (time.perf_counter() - started) * 1000, _outcome(result))
        return result

    def invoke_safely(self, spec: FunctionSpec, event: dict[str, Any], trigger: str) -> tuple[bool, Any]:
        try:
            return True, self.invoke_or_raise(spec, event, trigger)
        except Exception as error:
            return False, error

    # -- HTTP API ----------------------------------------------------------------------------
    def _start_http(self) -> None:
        gateway = self.gateway

        def post_to_gateway(path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
            answer = gateway.request("POST", path, headers=headers, body=body)
            return answer.status, answer.body

        playground = self.playground = Playground(post_to_gateway)
        identity_pool = next(iter(self.identity_pools.values()), None)
        # A template without the console (a test's own) serves none.
        has_console = "ConsoleSecurityHeaders" in self.template.get("Resources", {})
        console = self.console = ConsoleFiles(self.console_config, template=self.template) if has_console else None

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                path, _, query = self.path.partition("?")
                static = console.handle(self.command, path) if console else None
                if static is not None:
                    status, static_headers, data = static
                    self.send_response(status)
                    for name, value in static_headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                    return
                local = playground.handle(self.command, path, dict(self.headers.items()), body or b"", query)
                content_type = "application/json"
                if path == IDENTITY_PATH and self.command == "POST" and identity_pool:
                    local = identity_pool.handle(self.headers.get("x-amz-target", ""), body or b"")
                    content_type = "application/x-amz-json-1.1"
                if local is not None:
                    status, payload = local
                    data = json.dumps(payload).encode() if payload else b""
                    self.send_response(status)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                response = gateway.request(
                    self.command, path, headers=dict(self.headers.items()), body=body, query=query
                )
                self.send_response(response.status)
                for name, value in response.headers.items():
                    if name not in {"content-length", "connection"}:
                        self.send_header(name, value)
                self.send_header("content-length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

            def __getattr__(self, name: str) -> Any:
                # Any other method (TRACE, CONNECT, ...) is routed too: API Gateway answers it 404, not 501.
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
                # Requests too malformed to route get API Gateway's JSON answer, never an HTML page.
                data = json.dumps({"message": message or "Bad Request"}).encode()
                self.send_response(code, message)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("connection", "close")
                self.end_headers()
                if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                    self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the invocation log already has one line per request

        self.http_server = _HttpServer((self.host, self.port), Handler)
        self.http_server.daemon_threads = True
        self.port = self.http_server.server_address[1]
        threading.Thread(target=self.http_server.serve_forever, name="http-api", daemon=True).start()

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- event sources -----------------------------------------------------------------------
    def _start_pollers(self, session: Any) -> None:
        def client(service: str) -> Any:
            return session.client(service, endpoint_url=self.endpoint)

        sqs, dynamodb, streams = client("sqs"), client("dynamodb"), client("dynamodbstreams")
        for source in event_sources(self.template, {"SQS"}):
            self.pollers.append(
                SqsPoller(source, self.functions[source.function], sqs, self.template, self.invoke_safely)
            )
        for source in event_sources(self.template, {"DynamoDB"}):
            spec = self.functions[source.function]
            self.pollers.append(
                DynamoDbStreamPoller(source, spec, dynamodb, streams, self.template, self.invoke_safely, sqs)
            )
        scheduled = [
            (source, self.functions[source.function])
            for source in event_sources(self.template, {"Schedule", "ScheduleV2"})
        ]
        by_arn = {arn_of(self.template, logical_id): spec for logical_id, spec in self.functions.items()}
        by_arn.update(self.functions)  # template schedules name their function by logical id
        clock = {"clock": self.scheduler_clock} if self.scheduler_clock else {}
        self.pollers.append(SchedulePoller(client("scheduler"), by_arn, scheduled, self.invoke_safely, **clock))
        # What the seed wrote (the demo's first message, metered from the stream) is taken in before
        # the banner, so an idle `make run` prints nothing after it.
        for poller in self.pollers:
            if isinstance(poller, DynamoDbStreamPoller):
                for _ in range(10):
                    if not poller.poll_once():
                        break
        for poller in self.pollers:
            poller.start()

    # -- banner ------------------------------------------------------------------------------
    def banner(self) -> str:
        from local.demo import (
            DEMO_AGENT_EMAIL,
            DEMO_AGENT_PASSWORD,
            DEMO_API_KEY,
            DEMO_BUSINESS_ID,
            DEMO_META_APP_SECRET,
            DEMO_OWNER_EMAIL,
            DEMO_OWNER_PASSWORD,
            DEMO_PHONE_NUMBER_ID,
            DEMO_REVIEWER_EMAIL,
            DEMO_REVIEWER_PASSWORD,
            DEMO_VERIFY_TOKEN,
            DEMO_WABA_ID,
        )

        lines = [
            "",
            "bizline is running locally (embedded AWS, no Docker, no AWS account)",
            "",
            f"  API           {self.api_url}",
            f"  OpenAPI       {self.api_url}/v1/openapi.json",
            f"  console       {self.api_url}/console/",
            f"  Meta webhook  {self.api_url}/webhooks/whatsapp",
            f"  embedded AWS  {self.endpoint}   (region {REGION})",
            f"  credentials   AWS_ACCESS_KEY_ID={LOCAL_ACCESS_KEY}",
            f"                AWS_SECRET_ACCESS_KEY={LOCAL_SECRET_KEY}",
        ]
        lines += [
            f"  Meta secret   app secret {DEMO_META_APP_SECRET}   (signs X-Hub-Signature-256)",
            f"                verify token {DEMO_VERIFY_TOKEN}",
            "                make webhook FILE=payload.json   # signs any envelope with it and posts it",
        ]
        if self.seed_demo:
            lines += [
                "",
                f"  demo business {DEMO_BUSINESS_ID} (Bäckerei Demo, an SME on the free tier)",
                f"  demo API key  {DEMO_API_KEY}",
                f"  console       {self.api_url}/console/   sign in as",
                f"                owner  {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}",
                f"                agent  {DEMO_AGENT_EMAIL} / {DEMO_AGENT_PASSWORD}",
                f"                reviewer  {DEMO_REVIEWER_EMAIL} / {DEMO_REVIEWER_PASSWORD}   (bizline's queue)",
                "",
                f"  demo account  {DEMO_WABA_ID} (a WhatsApp Business Account at the sandbox provider)",
                f"  demo number   {DEMO_PHONE_NUMBER_ID} (replies go to the sandbox provider)",
                f"  callbacks     {self.api_url}/local/callbacks  (the demo bakery's receiver; signatures checked)",
                "",
                "  try:",
                f"    curl -s {self.api_url}/v1/businesses/me -H 'authorization: Bearer {DEMO_API_KEY}'",
                "    make customer TEXT='Habt ihr heute Kipferl?'     # a customer writes, via the signed webhook",
                "    make admin ARGS='list'                           # a reviewer's queue (SigV4, local credentials)",
                f"    curl -s {self.api_url}/v1/public/verified/+4315550100   # is the bakery verified?",
            ]
        lines += ["", "Ctrl-C stops it; state lives as long as this process.", ""]
        return "\n".join(lines)
