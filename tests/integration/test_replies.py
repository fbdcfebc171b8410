"""Phone numbers, POST /v1/messages, the service window, idempotency, providers, pacing and statuses."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bizline.models.tasks import SendTask
from bizline.services import sending

from tests.support import (
    add_number,
    approved_template,
    bearer,
    change,
    connect_account,
    contact,
    drain,
    envelope,
    json_headers,
    meta_app_secret,
    post_and_ingest,
    post_json,
    queue_bodies,
    sandbox_account,
    scan,
    sign_up,
    status,
    text_message,
)

NUMBER = "1098765432"
CUSTOMER = "436601234567"


@pytest.fixture
def sandbox():
    from bizline.adapters.providers import use_provider

    from local.sandbox_provider import SandboxProvider

    provider = SandboxProvider()
    use_provider(provider)
    yield provider.sent
    use_provider(None)


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    return {"business": business, "key": key, "meta_secret": meta_app_secret(aws)}


def _customer_writes(api, bakery, wamid="wamid.IN1", timestamp=None):
    timestamp = timestamp or int(datetime.now(UTC).timestamp())
    message = text_message(wamid, "Habt ihr offen?", timestamp=timestamp)
    assert (
        post_and_ingest(api, envelope(change(NUMBER, [message], contacts=[contact()])), bakery["meta_secret"]).status
        == 200
    )


def _reply(api, key, body=None, idempotency_key=None, **overrides):
    request = {
        "from_phone_number_id": NUMBER,
        "to": {"wa_id": CUSTOMER},
        "type": "text",
        "text": {"body": "Ja, bis 18 Uhr."},
    }
    request.update(overrides)
    headers = json_headers(key)
    if idempotency_key:
        headers["idempotency-key"] = idempotency_key
    return api.request("POST", "/v1/messages", headers=headers, body=json.dumps(body or request))


TEMPLATE_DEFINITION = {
    "name": "order_ready",
    "language": "de",
    "category": "utility",
    "components": [{"type": "BODY", "text": "Ihre {{1}} ist fertig.", "example": {"body_text": [["Torte"]]}}],
}
TEMPLATE = {
    "name": "order_ready",
    "language": {"code": "de"},
    "components": [{"type": "body", "parameters": [{"type": "text", "text": "Torte"}]}],
}


# -- phone numbers --------------------------------------------------------------------------------
def test_a_number_belongs_to_one_business(api, bakery):
    # Given the bakery holds NUMBER, proven through its sandbox account, as Meta reports it
    listed = api.request("GET", "/v1/phone-numbers", headers=bearer(bakery["key"])).json()["items"]
    assert [(item["phone_number_id"], item["display_phone_number"]) for item in listed] == [(NUMBER, "+4312345678")]
    # When another business whose connected account also lists NUMBER adds it
    _, other_key = sign_up(api, display_name="Other")
    waba_id, token = sandbox_account(NUMBER, "+43 1 2345678")
    assert connect_account(api, other_key, waba_id, token).status == 201
    taken = post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER}, other_key)
    # Then it is refused without saying whose it is
    assert taken.status == 409
    assert taken.json()["error"]["code"] == "phone_number_taken"
    assert bakery["business"]["business_id"] not in taken.body.decode()
    assert api.request("DELETE", f"/v1/phone-numbers/{NUMBER}", headers=bearer(other_key)).status == 404
    assert api.request("GET", "/v1/phone-numbers", headers=bearer(other_key)).json()["items"] == []
    assert api.request("DELETE", f"/v1/phone-numbers/{NUMBER}", headers=bearer(bakery["key"])).status == 204
    assert api.request("GET", "/v1/phone-numbers", headers=bearer(bakery["key"])).json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"phone_number_id": "abc"},
        {"phone_number_id": "123", "display_phone_number": "+4312345678"},
        {"phone_number_id": "123"},
        {},
    ],
)
def test_invalid_phone_numbers_are_refused(api, bakery, body):
    assert post_json(api, "/v1/phone-numbers", body, bakery["key"]).status == 422


# -- the service window ---------------------------------------------------------------------------
def test_a_reply_within_the_window_is_accepted_queued_and_sent(api, aws, bakery, sandbox):
    _customer_writes(api, bakery)
    response = _reply(api, bakery["key"])
    assert response.status == 202
    accepted = response.json()
    assert accepted["status"] == "accepted"
    assert queue_bodies(aws, "SendQueue") == [
        {"business_id": bakery["business"]["business_id"], "message_id": accepted["message_id"]}
    ]
    drain("SendQueue", "MessageSenderFunction")
    assert [(sent["to"].wa_id, sent["content"]["text"]["body"]) for sent in sandbox] == [(CUSTOMER, "Ja, bis 18 Uhr.")]
    stored = {m["message_id"]["S"]: m for m in scan(aws["dynamodb"], "MessagesTable")}[accepted["message_id"]]
    assert stored["status"]["S"] == "submitted"
    assert stored["wamid"]["S"] == sandbox[0]["wamid"]


def test_a_free_form_reply_outside_the_window_is_refused_before_anything_is_queued(api, aws, bakery):
    old = int((datetime.now(UTC) - timedelta(hours=25)).timestamp())
    _customer_writes(api, bakery, timestamp=old)
    response = _reply(api, bakery["key"])
    assert response.status == 422
    assert response.json()["error"]["code"] == "outside_customer_service_window"
    assert queue_bodies(aws, "SendQueue") == []
    assert [m["direction"]["S"] for m in scan(aws["dynamodb"], "MessagesTable")] == ["inbound"]


def test_a_template_may_open_a_conversation_with_a_new_customer(api, aws, bakery):
    # Given the bakery's approved template order_ready (de) with one variable
    approved_template(api, aws, bakery["key"], TEMPLATE_DEFINITION)
    # When it sends it to someone who never wrote
    response = _reply(api, bakery["key"], type="template", text=None, template=TEMPLATE, to={"wa_id": "436609999999"})
    assert response.status == 202
    stored = [m for m in scan(aws["dynamodb"], "MessagesTable") if m["direction"]["S"] == "outbound"]
    assert stored[0]["billing_category"]["S"] == "template"


def test_a_text_to_someone_who_never_wrote_is_outside_the_window(api, bakery):
    response = _reply(api, bakery["key"], to={"wa_id": "436609999999"})
    assert response.status == 422
    assert response.json()["error"]["code"] == "outside_customer_service_window"


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": "image", "text": None, "image": {"link": "https://cdn.example/cake.jpg"}},
        {"type": "text", "text": None},
        {"type": "text", "template": TEMPLATE},
        {"to": {}},
        {"type": "sticker"},
    ],
)
def test_content_must_match_its_type(api, bakery, overrides):
    _customer_writes(api, bakery)
    response = _reply(api, bakery["key"], **overrides)
    if overrides.get("type") == "image" and "image" in overrides:
        assert response.status == 202
    else:
        assert response.status == 422


def test_a_number_of_another_business_is_not_found(api, bakery):
    _, other_key = sign_up(api, display_name="Other")
    add_number(api, other_key, "5556667777")
    _customer_writes(api, bakery)
    response = _reply(api, bakery["key"], from_phone_number_id="5556667777")
    assert response.status == 404
    assert _reply(api, other_key).status == 404  # the bakery's number, used by the other business


# -- idempotency ----------------------------------------------------------------------------------
def test_the_same_idempotency_key_returns_the_same_message_once(api, aws, bakery):
    _customer_writes(api, bakery)
    first = _reply(api, bakery["key"], idempotency_key="order-42-reply")
    second = _reply(api, bakery["key"], idempotency_key="order-42-reply")
    assert first.status == second.status == 202
    assert first.json() == second.json()
    assert len(queue_bodies(aws, "SendQueue")) == 1
    # A different key is a different message
    assert (
        _reply(api, bakery["key"], idempotency_key="order-43-reply").json()["message_id"] != first.json()["message_id"]
    )


def test_reusing_a_key_for_a_different_request_is_refused(api, bakery):
    _customer_writes(api, bakery)
    _reply(api, bakery["key"], idempotency_key="k1")
    changed = _reply(api, bakery["key"], idempotency_key="k1", text={"body": "Something else"})
    assert changed.status == 422
    assert changed.json()["error"]["code"] == "idempotency_key_reused"


def test_idempotency_keys_are_per_business(api, aws, bakery):
    _customer_writes(api, bakery)
    _, other_key = sign_up(api, display_name="Other")
    add_number(api, other_key, "5556667777")
    post_and_ingest(
        api,
        envelope(
            change(
                "5556667777",
                [text_message("wamid.O1", "hi", timestamp=int(datetime.now(UTC).timestamp()))],
                contacts=[contact()],
            )
        ),
        bakery["meta_secret"],
    )
    mine = _reply(api, bakery["key"], idempotency_key="same").json()
    theirs = _reply(api, other_key, idempotency_key="same", from_phone_number_id="5556667777").json()
    assert mine["message_id"] != theirs["message_id"]


# -- statuses -------------------------------------------------------------------------------------
def _sent_reply(api, aws, bakery, sandbox):
    _customer_writes(api, bakery)
    message_id = _reply(api, bakery["key"]).json()["message_id"]
    drain("SendQueue", "MessageSenderFunction")
    return message_id, sandbox[-1]["wamid"]


def _status_of(aws, message_id):
    stored = {m["message_id"]["S"]: m for m in scan(aws["dynamodb"], "MessagesTable")}[message_id]
    return stored["status"]["S"], stored


def test_statuses_only_move_forward(api, aws, bakery, sandbox):
    message_id, wamid = _sent_reply(api, aws, bakery, sandbox)
    for state in ("delivered", "read", "delivered", "sent"):
        post_and_ingest(api, envelope(change(NUMBER, statuses=[status(wamid, state)])), bakery["meta_secret"])
    drain("StatusQueue", "StatusUpdatesFunction")
    state, stored = _status_of(aws, message_id)
    assert state == "read"
    assert set(stored["status_times"]["M"]) >= {"delivered", "read"}
    # And each forward step was queued for delivery once: delivered, read
    events = [json.loads(item["payload"]["S"]) for item in scan(aws["dynamodb"], "DeliveriesTable")]
    assert sorted(e["data"]["status"] for e in events if e["type"] == "message.status") == ["delivered", "read"]


def test_a_failed_status_records_metas_error(api, aws, bakery, sandbox):
    message_id, wamid = _sent_reply(api, aws, bakery, sandbox)
    errors = [{"code": 131047, "title": "Re-engagement message", "message": "More than 24 hours have passed"}]
    post_and_ingest(
        api, envelope(change(NUMBER, statuses=[status(wamid, "failed", errors=errors)])), bakery["meta_secret"]
    )
    drain("StatusQueue", "StatusUpdatesFunction")
    state, stored = _status_of(aws, message_id)
    assert state == "failed"
    assert json.loads(stored["errors"]["S"])[0]["code"] == 131047


def test_a_status_that_overtakes_its_send_is_retried_not_lost(api, aws, bakery):
    post_and_ingest(api, envelope(change(NUMBER, statuses=[status("wamid.FUTURE", "sent")])), bakery["meta_secret"])
    results = drain("StatusQueue", "StatusUpdatesFunction")
    assert len(results[0]["batchItemFailures"]) == 1


def test_a_status_for_a_wamid_bizline_never_sent_is_kept_as_unmatched_not_dead_lettered(api, aws, bakery):
    # Given a status for a message some other client sent, already handed to the consumer three times
    post_and_ingest(api, envelope(change(NUMBER, statuses=[status("wamid.ECHO", "delivered")])), bakery["meta_secret"])
    url = aws["sqs"].get_queue_url(QueueName="StatusQueue")["QueueUrl"]
    for _ in range(3):
        assert aws["sqs"].receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
    # When the consumer takes it a fourth time
    (result,) = drain("StatusQueue", "StatusUpdatesFunction", rounds=1)
    # Then it is not reported as failed (no retry into the dead-letter queue) but kept as unmatched, expiring
    assert result["batchItemFailures"] == []
    (kept,) = scan(aws["dynamodb"], "WhatsAppEventsTable")
    assert (kept["kind"]["S"], kept["event_key"]["S"]) == ("unmatched_status", "unmatched_status#wamid.ECHO#delivered")
    assert kept["business_id"]["S"] == bakery["business"]["business_id"]
    assert "expires_at" in kept
    assert queue_bodies(aws, "StatusQueue") == []
    assert [e for e in scan(aws["dynamodb"], "DeliveriesTable") if "message.status" in e["payload"]["S"]] == []


def test_a_failed_status_never_changes_a_customers_message(api, aws, bakery):
    # Given a customer's message, and a `failed` status naming its wamid
    _customer_writes(api, bakery)
    inbound = next(m for m in scan(aws["dynamodb"], "MessagesTable") if m["direction"]["S"] == "inbound")
    wamid = inbound["wamid"]["S"]
    errors = [{"code": 131000, "title": "Something went wrong"}]
    post_and_ingest(
        api, envelope(change(NUMBER, statuses=[status(wamid, "failed", errors=errors)])), bakery["meta_secret"]
    )
    # When the consumer takes it
    (result,) = drain("StatusQueue", "StatusUpdatesFunction", rounds=1)
    # Then the customer's message is as it was, and nothing is retried or called back
    assert result["batchItemFailures"] == []
    state, stored = _status_of(aws, inbound["message_id"]["S"])
    assert state == inbound["status"]["S"]
    assert "errors" not in stored
    assert [e for e in scan(aws["dynamodb"], "DeliveriesTable") if "message.status" in e["payload"]["S"]] == []


# -- providers ------------------------------------------------------------------------------------
class _GraphApi:
    """A stand-in for graph.facebook.com on 127.0.0.1, answering as scripted."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                owner.requests.append((self.path, self.headers.get("authorization"), body))
                code, answer = owner.answers.pop(0) if len(owner.answers) > 1 else owner.answers[0]
                payload = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def graph_api(monkeypatch, aws):
    from bizline.settings import get_settings

    servers = []

    def start(*answers):
        server = _GraphApi(answers)
        servers.append(server)
        monkeypatch.setenv("META_GRAPH_API_URL", server.url)
        # The bakery proved its number at the sandbox; from here on Meta's Graph API (this stand-in) sends.
        from bizline.adapters.providers import use_provider

        use_provider(None)
        aws["secretsmanager"].put_secret_value(
            SecretId="bizline/meta",
            SecretString=json.dumps({"app_secret": "s", "verify_token": "v", "access_token": "EAAG-test-token"}),
        )
        get_settings.cache_clear()
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
        return server

    yield start
    for server in servers:
        server.server.shutdown()
    get_settings.cache_clear()


def test_the_meta_provider_posts_to_the_graph_api_with_the_business_token(api, aws, bakery, graph_api):
    graph = graph_api((200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.GRAPH1"}]}))
    bakery["meta_secret"] = "s"
    _customer_writes(api, bakery)
    message_id = _reply(api, bakery["key"]).json()["message_id"]
    drain("SendQueue", "MessageSenderFunction")
    ((path, authorization, body),) = graph.requests
    assert path == f"/v21.0/{NUMBER}/messages"
    # The token of the account the bakery proved the number through, not the platform's
    assert authorization == f"Bearer EAAsandbox-test-token-for-{NUMBER}"
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {"body": "Ja, bis 18 Uhr.", "preview_url": False},
        # Meta hands it back with each status of the message
        "biz_opaque_callback_data": f"bizline:{message_id}",
    }
    assert _status_of(aws, message_id)[1]["wamid"]["S"] == "wamid.GRAPH1"


def test_meta_throttling_is_retried_later(api, aws, bakery, graph_api):
    graph_api((400, {"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429}}))
    bakery["meta_secret"] = "s"
    _customer_writes(api, bakery)
    message_id = _reply(api, bakery["key"]).json()["message_id"]
    drain("SendQueue", "MessageSenderFunction")
    assert _status_of(aws, message_id)[0] == "accepted"
    depth = aws["sqs"].get_queue_attributes(
        QueueUrl=aws["sqs"].get_queue_url(QueueName="SendQueue")["QueueUrl"],
        AttributeNames=["ApproximateNumberOfMessagesDelayed"],
    )["Attributes"]
    assert depth["ApproximateNumberOfMessagesDelayed"] == "1"


def test_a_permanent_meta_error_fails_the_message_and_tells_the_business(api, aws, bakery, graph_api):
    graph_api(
        (
            400,
            {
                "error": {
                    "message": "Recipient phone number not in allowed list",
                    "code": 131030,
                    "type": "OAuthException",
                    "fbtrace_id": "A1",
                }
            },
        )
    )
    bakery["meta_secret"] = "s"
    _customer_writes(api, bakery)
    message_id = _reply(api, bakery["key"]).json()["message_id"]
    drain("SendQueue", "MessageSenderFunction")
    state, stored = _status_of(aws, message_id)
    assert state == "failed"
    assert json.loads(stored["errors"]["S"])[0]["code"] == 131030
    events = [json.loads(item["payload"]["S"]) for item in scan(aws["dynamodb"], "DeliveriesTable")]
    assert any(e["type"] == "message.status" and e["data"]["status"] == "failed" for e in events)


# -- pacing ---------------------------------------------------------------------------------------
def test_a_burst_on_one_number_is_paced_not_dropped_and_other_numbers_go_on(api, aws, bakery, sandbox, monkeypatch):
    from bizline.settings import get_settings

    monkeypatch.setenv("SENDS_PER_SECOND_PER_NUMBER", "2")
    get_settings.cache_clear()
    # Given five replies queued on the bakery's number, and one on another business's number
    _customer_writes(api, bakery)
    for index in range(5):
        assert _reply(api, bakery["key"], text={"body": f"reply {index}"}).status == 202
    _, other_key = sign_up(api, display_name="Other")
    add_number(api, other_key, "5556667777")
    post_and_ingest(
        api,
        envelope(
            change(
                "5556667777",
                [text_message("wamid.O2", "hi", timestamp=int(datetime.now(UTC).timestamp()))],
                contacts=[contact()],
            )
        ),
        bakery["meta_secret"],
    )
    assert _reply(api, other_key, from_phone_number_id="5556667777").status == 202
    # When the sender works the queue once (one batch of six), all in one instant: the bucket refills
    # with time, and a loaded machine must not stretch the batch over a refill
    from bizline.services import newsletter_sending, sending

    instant = datetime.now(UTC)
    # The sender's entry point reads the clock once and hands it on: pinned there (and in sending.py)
    monkeypatch.setattr(newsletter_sending, "utc_now", lambda: instant)
    monkeypatch.setattr(sending, "utc_now", lambda: instant)
    drain("SendQueue", "MessageSenderFunction", rounds=1)
    # Then two go out on the bakery's number (its bucket holds two), the other number's reply goes out too,
    sent_from = [sent["phone_number_id"] for sent in sandbox]
    assert sent_from.count(NUMBER) == 2
    assert sent_from.count("5556667777") == 1
    # and the other three wait in the queue, delayed, not dropped
    statuses = [m["status"]["S"] for m in scan(aws["dynamodb"], "MessagesTable") if m["direction"]["S"] == "outbound"]
    assert sorted(statuses) == ["accepted"] * 3 + ["submitted"] * 3
    delayed = aws["sqs"].get_queue_attributes(
        QueueUrl=aws["sqs"].get_queue_url(QueueName="SendQueue")["QueueUrl"],
        AttributeNames=["ApproximateNumberOfMessagesDelayed"],
    )["Attributes"]["ApproximateNumberOfMessagesDelayed"]
    assert delayed == "3"


def test_a_duplicate_send_task_sends_once(api, aws, bakery, sandbox):
    _customer_writes(api, bakery)
    _reply(api, bakery["key"])
    (task,) = queue_bodies(aws, "SendQueue")
    sending.send_queued(SendTask.model_validate(task))
    sending.send_queued(SendTask.model_validate(task))
    assert len(sandbox) == 1


# -- queue consumers ------------------------------------------------------------------------------
def _put_on_queue(aws, queue_name, body):
    url = aws["sqs"].get_queue_url(QueueName=queue_name)["QueueUrl"]
    return aws["sqs"].send_message(QueueUrl=url, MessageBody=body)["MessageId"]


def test_a_malformed_send_task_is_one_reported_failure_and_the_good_task_is_sent(api, aws, bakery, sandbox):
    # Given a reply waiting on the send queue, and beside it a body that is no send task
    _customer_writes(api, bakery)
    message_id = _reply(api, bakery["key"]).json()["message_id"]
    malformed = _put_on_queue(aws, "SendQueue", json.dumps({"business_id": bakery["business"]["business_id"]}))
    # When the sender takes both in one batch
    (result,) = drain("SendQueue", "MessageSenderFunction", rounds=1)
    # Then the reply goes out, and only the malformed record is reported back to SQS
    assert [sent["content"]["text"]["body"] for sent in sandbox] == ["Ja, bis 18 Uhr."]
    assert _status_of(aws, message_id)[0] == "submitted"
    assert result["batchItemFailures"] == [{"itemIdentifier": malformed}]


def test_a_malformed_status_task_is_one_reported_failure_and_the_good_status_applies(api, aws, bakery, sandbox):
    # Given a sent reply's `delivered` status on the status queue, and beside it a body that is not JSON
    message_id, wamid = _sent_reply(api, aws, bakery, sandbox)
    post_and_ingest(api, envelope(change(NUMBER, statuses=[status(wamid, "delivered")])), bakery["meta_secret"])
    malformed = _put_on_queue(aws, "StatusQueue", "{not json")
    # When the status consumer takes both in one batch
    (result,) = drain("StatusQueue", "StatusUpdatesFunction", rounds=1)
    # Then the status is applied and its callback recorded, and only the malformed record is reported
    assert _status_of(aws, message_id)[0] == "delivered"
    events = [json.loads(item["payload"]["S"]) for item in scan(aws["dynamodb"], "DeliveriesTable")]
    assert [e["data"]["status"] for e in events if e["type"] == "message.status"] == ["delivered"]
    assert result["batchItemFailures"] == [{"itemIdentifier": malformed}]
