"""What a newcomer meets: the banner's secrets, `make customer/admin/webhook` finding `make run`, one-line errors."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from local import admin, customer, invoke, webhook
from local.demo import DEMO_META_APP_SECRET, DEMO_PHONE_NUMBER_ID, DEMO_VERIFY_TOKEN
from local.endpoint import write_state
from local.meta_envelopes import change, contact, envelope, text_message
from local.platform import _outcome
from local.template import PROJECT_ROOT
from tests.local.conftest import wait_for

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stored(platform, wa_id: str, wamid: str) -> int:
    """How many messages of the demo bakery's conversation with `wa_id` carry `wamid` (the API's view)."""
    from local.demo import DEMO_API_KEY

    request = urllib.request.Request(
        f"{platform.api_url}/v1/conversations/wa:{wa_id}/messages?limit=100",
        headers={"authorization": f"Bearer {DEMO_API_KEY}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            items = json.loads(response.read())["items"]
    except urllib.error.HTTPError:
        return 0  # the customer is not known yet
    return sum(1 for item in items if item["message_id"] == wamid)


@pytest.fixture
def recorded(platform, tmp_path, monkeypatch):
    """A state file naming the running platform, as `make run` leaves it, and no PORT in the environment."""
    monkeypatch.setenv("BIZLINE_LOCAL_STATE", str(tmp_path / "state.json"))
    monkeypatch.delenv("PORT", raising=False)
    write_state(platform.api_url)
    return platform


def test_the_banner_names_the_meta_app_secret_and_verify_token(platform):
    banner = platform.banner()
    assert DEMO_META_APP_SECRET in banner
    assert DEMO_VERIFY_TOKEN in banner
    assert "make webhook FILE=" in banner


def test_make_customer_finds_the_port_make_run_serves_on(recorded, capsys):
    # Given `make run` on a port other than 3000 and no PORT given to `make customer`
    # When a customer writes
    code = customer.main(["customer", "Habt ihr Kipferl?"])
    # Then the message reaches that platform's webhook and is stored
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["wamid"].startswith("wamid.local.")
    assert answer["messages_stored"] == 1


def test_make_admin_finds_the_port_make_run_serves_on(recorded, capsys):
    assert admin.main(["list"]) == 0
    assert "items" in json.loads(capsys.readouterr().out)


def test_make_webhook_signs_and_posts_any_envelope(recorded, tmp_path, capsys):
    # Given a Meta envelope in a file, for the demo bakery's number
    wa_id = "436609876543"
    message = text_message("wamid.make.webhook.0001", "Grüß Gott", wa_id, None, int(time.time()))
    payload = tmp_path / "payload.json"
    notification = envelope(change(DEMO_PHONE_NUMBER_ID, messages=[message], contacts=[contact(wa_id)]))
    payload.write_text(json.dumps(notification))
    # When `make webhook FILE=payload.json` posts it
    code = webhook.main(["webhook", str(payload)])
    # Then the signature checks out and the message is stored once
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("200 ")
    assert json.loads(out[4:])["received"] is True
    assert wait_for(lambda: _stored(recorded, wa_id, "wamid.make.webhook.0001") == 1)


def test_make_webhook_reports_a_bad_signature_answer_as_a_failure(recorded, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(webhook, "DEMO_META_APP_SECRET", "not-the-secret")
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(envelope()))
    assert webhook.main(["webhook", str(payload)]) == 1
    assert capsys.readouterr().out.startswith("401 ")


@pytest.mark.parametrize(
    "command",
    [
        lambda: customer.main(["customer", "Hallo"]),
        lambda: admin.main(["list"]),
        lambda: webhook.main(["webhook", "events/whatsapp_webhook/notification.json"]),
    ],
    ids=["customer", "admin", "webhook"],
)
def test_nothing_running_is_one_line_not_a_traceback(command, monkeypatch, capsys):
    # Given no platform on the port
    monkeypatch.setenv("PORT", str(_free_port()))
    # When a command that talks to it runs
    code = command()
    # Then it says so in one line and fails
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "make run" in err
    assert "Traceback" not in err


def test_make_webhook_and_invoke_name_a_missing_file_in_one_line(capsys):
    assert webhook.main(["webhook", "events/no/such.json"]) == 2
    assert invoke.main(["invoke", "business_api", "events/no/such.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2
    assert "events/no/such.json" in err
    assert "Traceback" not in err


def test_the_invocation_log_says_the_status():
    assert _outcome({"statusCode": 200, "body": ""}) == "200"
    assert _outcome({"statusCode": 404, "body": ""}) == "404 client error"
    assert _outcome({"statusCode": 500, "body": ""}) == "500 server error"


def test_log_lines_carry_their_own_function_name_under_concurrency(platform):
    from bizline.observability import logger

    from local.lambda_runtime import _per_thread_log_keys

    # Given two invocations of different functions running side by side in the one process
    _per_thread_log_keys()
    together = threading.Barrier(2)
    lines: dict[str, dict] = {}

    def invocation(name: str) -> None:
        logger.append_keys(function_name=name)
        together.wait()  # both have set their keys before either logs
        record = logging.LogRecord("bizline", logging.WARNING, __file__, 1, "hello", None, None)
        lines[name] = json.loads(logger.registered_formatter.format(record))

    threads = [threading.Thread(target=invocation, args=(name,)) for name in ("WebhookFn", "DeliveryFn")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # Then each one's log line names its own function
    assert {name: line["function_name"] for name, line in lines.items()} == {
        "WebhookFn": "WebhookFn",
        "DeliveryFn": "DeliveryFn",
    }


def test_make_run_keeps_the_terminal_for_bizline_and_records_its_port(tmp_path):
    # Given `make run` on a free port
    port = _free_port()
    state = tmp_path / "state.json"
    environment = {**os.environ, "PORT": str(port), "BIZLINE_LOCAL_STATE": str(state)}
    for name in ("AWS_ENDPOINT_URL", "BUSINESSES_TABLE", "API_KEYS_TABLE"):
        environment.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.run"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(line.startswith("Ctrl-C stops it") for line in lines):
            time.sleep(0.1)
        banner_end = next(index for index, line in enumerate(lines) if line.startswith("Ctrl-C stops it"))
        # Then it records where it serves
        assert json.loads(state.read_text())["api"] == f"http://127.0.0.1:{port}"
        # And while idle for two seconds (the pollers polling the embedded AWS) nothing scrolls the banner away
        time.sleep(2)
        after = [line for line in lines[banner_end + 1 :] if line.strip()]
        assert after == [], after[:5]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    # And stopping forgets the address
    assert not state.exists()


def test_the_sample_meta_envelope_posts_with_make_webhook(recorded, capsys):
    code = webhook.main(["webhook", "events/whatsapp_webhook/meta/customer_writes.json"])
    out = capsys.readouterr().out
    assert code == 0, out
    sample = json.loads((PROJECT_ROOT / "events/whatsapp_webhook/meta/customer_writes.json").read_text())
    (message,) = sample["entry"][0]["changes"][0]["value"]["messages"]
    assert wait_for(lambda: _stored(recorded, message["from"], message["id"]) == 1)
