"""Callbacks the receiver cannot break: absurd Retry-After, slow or dripping endpoints, every status filterable."""

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bizline.adapters import http_callbacks
from bizline.rules.callback_safety import CallbackTarget
from bizline.rules.retries import LONGEST_WAIT
from bizline.services import deliveries

from local.lambda_runtime import invoke
from local.template import PROJECT_ROOT, functions
from tests.support import (
    add_number,
    bearer,
    change,
    contact,
    delivery_owner,
    drain,
    envelope,
    meta_app_secret,
    post_and_ingest,
    queue_bodies,
    scan,
    sign_up,
    text_message,
)

NUMBER = "1098765432"
TIMEOUT = 0.5


@pytest.fixture
def callback_timeout() -> float:
    return TIMEOUT


@pytest.fixture
def bakery(api, aws, receiver):
    business, key = sign_up(api, callback_url=receiver.url)
    add_number(api, key, NUMBER)
    return {"business_id": business["business_id"], "key": key, "meta_secret": meta_app_secret(aws)}


def _customer_writes(api, bakery, wamid="wamid.BUDGET1"):
    response = post_and_ingest(
        api, envelope(change(NUMBER, [text_message(wamid, "Hallo")], contacts=[contact()])), bakery["meta_secret"]
    )
    assert response.status == 200


def _deliveries(aws) -> dict[str, dict]:
    items = scan(aws["dynamodb"], "DeliveriesTable")
    return {delivery_owner(item): {key: next(iter(v.values())) for key, v in item.items()} for item in items}


def _sqs_event(bodies: list[dict]) -> dict:
    sample = json.loads((PROJECT_ROOT / "events/callback_delivery/delivery.json").read_text())["Records"][0]
    return {
        "Records": [
            {**sample, "messageId": f"msg-{number}", "body": json.dumps(body)} for number, body in enumerate(bodies)
        ]
    }


@pytest.mark.parametrize("retry_after", ["inf", "1e9", "nan", "-inf"])
def test_an_absurd_retry_after_is_retried_on_schedule(api, aws, bakery, receiver, retry_after):
    # Given an endpoint answering 503 with a Retry-After no schedule can mean
    receiver.script = [(503, {"Retry-After": retry_after}, 0.0), (200, {}, 0.0)]
    _customer_writes(api, bakery)
    # When the delivery queue is worked
    results = drain("DeliveryQueue", "CallbackDeliveryFunction")
    # Then the batch succeeded and the delivery waits for its next attempt, no later than the schedule allows
    assert results == [{"batchItemFailures": []}]
    record = _deliveries(aws)[bakery["business_id"]]
    assert (record["status"], int(record["attempts"]), int(record["last_status_code"])) == ("retrying", 1, 503)
    wait = datetime.fromisoformat(record["next_attempt_at"]) - datetime.fromisoformat(record["updated_at"])
    assert timedelta(seconds=4) <= wait <= LONGEST_WAIT
    # And when that time comes, the attempt is made and delivered
    task = {"business_id": bakery["business_id"], "delivery_id": record["delivery_id"]}
    assert deliveries.deliver(task, now=datetime.fromisoformat(record["next_attempt_at"])) == "delivered (200)"
    assert len(receiver.received) == 2


def test_a_delivery_scheduled_decades_ahead_is_attempted_after_the_longest_wait(api, aws, bakery, receiver):
    # Given a delivery an earlier version parked 31 years ahead after its first attempt
    receiver.script = [(503, {}, 0.0), (200, {}, 0.0)]
    _customer_writes(api, bakery)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    record = _deliveries(aws)[bakery["business_id"]]
    last_attempt = datetime.fromisoformat(record["updated_at"])
    aws["dynamodb"].update_item(
        TableName="DeliveriesTable",
        Key={"shard": {"S": record["shard"]}, "delivery_id": {"S": record["delivery_id"]}},
        UpdateExpression="SET next_attempt_at = :far",
        ExpressionAttributeValues={":far": {"S": (last_attempt + timedelta(seconds=1e9)).isoformat()}},
    )
    task = {"business_id": bakery["business_id"], "delivery_id": record["delivery_id"]}
    # When a copy of its task arrives an hour later, it waits no longer than the longest wait allows
    assert deliveries.deliver(task, now=last_attempt + timedelta(hours=1)) == "not due yet"
    # And once the longest wait after its last attempt has passed, it is attempted and delivered
    assert deliveries.deliver(task, now=last_attempt + LONGEST_WAIT + timedelta(seconds=1)) == "delivered (200)"
    assert _deliveries(aws)[bakery["business_id"]]["status"] == "succeeded"


@contextmanager
def _slow_endpoint(hold: float) -> Iterator[dict]:
    """An endpoint that holds every request `hold` seconds and counts how many it holds at once."""
    seen = {"url": "", "in_flight": 0, "most_at_once": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            with lock:
                seen["in_flight"] += 1
                seen["most_at_once"] = max(seen["most_at_once"], seen["in_flight"])
            time.sleep(hold)
            with lock:
                seen["in_flight"] -= 1
            with contextlib.suppress(OSError):  # the caller gave up long ago
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    seen["url"] = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def test_one_slow_business_does_not_hold_the_others_callbacks(api, aws, bakery, receiver, monkeypatch):
    from bizline.settings import get_settings

    # Given a 2 s deadline per attempt, and four businesses whose endpoint holds every request for 5 s
    deadline = 2.0
    monkeypatch.setenv("CALLBACK_TIMEOUT_SECONDS", str(deadline))
    get_settings.cache_clear()
    with _slow_endpoint(hold=5.0) as slow:
        slow_ids = [
            sign_up(api, display_name=f"Slow {n}", callback_url=slow["url"])[0]["business_id"] for n in range(4)
        ]
        business_ids = [*slow_ids, bakery["business_id"]]
        deliveries.create_deliveries(
            [deliveries.NewDelivery(b, "message.received", "wamid.SLOW", {"n": 1}) for b in business_ids]
        )
        tasks = queue_bodies(aws, "DeliveryQueue")
        assert len(tasks) == 5
        # When one batch (the template's BatchSize: 5) carries all five tasks, the slow ones first
        tasks.sort(key=lambda task: business_ids.index(task["business_id"]))
        started = time.monotonic()
        response = invoke(functions()["CallbackDeliveryFunction"], _sqs_event(tasks))
        elapsed = time.monotonic() - started
    # Then the four slow attempts were under way at the same time, not one after another
    assert response == {"batchItemFailures": []}
    assert slow["most_at_once"] == 4
    # And the batch lasted about one deadline, not one per slow business (4 x 2 s in a row)
    assert elapsed < 3 * deadline, elapsed
    # And the bakery got its callback; the slow ones timed out and wait for their retry
    stored = _deliveries(aws)
    assert stored[bakery["business_id"]]["status"] == "succeeded"
    assert len(receiver.received) == 1
    for business_id in slow_ids:
        assert (stored[business_id]["status"], stored[business_id]["last_error"]) == ("retrying", "timeout")


def test_a_receiver_dripping_its_answer_is_cut_at_the_deadline():
    # Given an endpoint that sends its status line, then one header byte every 0.1 s, for ever
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nx-slow: ")
            while not stop.is_set():
                try:
                    connection.sendall(b"a")
                except OSError:
                    return
                time.sleep(0.1)

    threading.Thread(target=drip, daemon=True).start()
    target = CallbackTarget("http", "127.0.0.1", server.getsockname()[1], "/hooks", "127.0.0.1")
    try:
        # When a callback is posted with a 0.5 s deadline
        started = time.monotonic()
        response = http_callbacks.post(target, {"content-type": "application/json"}, "{}", TIMEOUT)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        server.close()
    # Then the attempt ends at the deadline as a timeout, though every single read was quick
    assert (response.status_code, response.error) == (None, "timeout")
    assert TIMEOUT <= elapsed < TIMEOUT + 2.0, elapsed  # without the deadline: until the header grows to 64 KiB


@pytest.mark.parametrize(
    "status",
    [
        "pending",
        "retrying",
        "succeeded",
        "failed",
        "dead_lettered",
        "endpoint_disabled",
        "unsafe_endpoint",
        "no_endpoint",
    ],
)
def test_the_deliveries_filter_accepts_every_status_the_api_returns(api, aws, monkeypatch, status):
    # Given a business whose callback host resolves to a private address when the callback is sent
    monkeypatch.setattr(http_callbacks, "resolve_all", lambda host, port: ["10.0.0.7"])
    _business, key = sign_up(api, callback_url="https://hooks.rebinding.example/in")
    add_number(api, key, NUMBER)
    post_and_ingest(
        api, envelope(change(NUMBER, [text_message("wamid.UNSAFE", "x")], contacts=[contact()])), meta_app_secret(aws)
    )
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    # When the business lists its deliveries by any status the API shows
    listed = api.request("GET", "/v1/deliveries", headers=bearer(key), query=f"status={status}")
    # Then the filter is accepted, and the unsafe delivery is listed under its own status and under `failed`
    assert listed.status == 200, listed.body
    shown = [item["status"] for item in listed.json()["items"]]
    assert shown == (["unsafe_endpoint"] if status in {"unsafe_endpoint", "failed"} else [])
