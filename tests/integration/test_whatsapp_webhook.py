"""GET|POST /webhooks/whatsapp: the handshake, signatures, parsing, routing and idempotency.

The webhook hands each signed envelope to the ingest queue; what it holds is stored by the ingest
consumer, which these tests run (`ingest`, `post_and_ingest`) before looking at what was stored.
"""

import base64
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import (
    add_number,
    change,
    contact,
    envelope,
    ingest,
    meta_app_secret,
    post_and_ingest,
    post_webhook,
    queue_bodies,
    scan,
    sign_up,
    status,
    text_message,
)

NUMBER = "1098765432"


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    return {"business": business, "key": key, "secret": meta_app_secret(aws)}


def _nothing_written(aws):
    for table in ("MessagesTable", "CustomersTable", "DeliveriesTable", "UnroutedWebhooksTable", "WhatsAppEventsTable"):
        assert scan(aws["dynamodb"], table) == [], table
    assert queue_bodies(aws, "DeliveryQueue") == []
    assert queue_bodies(aws, "StatusQueue") == []
    assert queue_bodies(aws, "IngestQueue") == []


# -- handshake ------------------------------------------------------------------------------------
def test_the_handshake_echoes_the_challenge_for_the_right_token(api, aws):
    query = "hub.mode=subscribe&hub.verify_token=bizline-verify-token&hub.challenge=1158201444"
    response = api.request("GET", "/webhooks/whatsapp", query=query)
    assert response.status == 200
    assert response.body == b"1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "query",
    [
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        "hub.mode=unsubscribe&hub.verify_token=bizline-verify-token&hub.challenge=1",
        "hub.mode=subscribe&hub.challenge=1",
        "",
    ],
)
def test_the_handshake_refuses_anything_else(api, aws, query):
    assert api.request("GET", "/webhooks/whatsapp", query=query).status == 403


# -- signatures -----------------------------------------------------------------------------------
def test_a_signed_notification_is_stored_and_queued_for_delivery(api, aws, bakery):
    # Given a customer's text message, signed with the app secret
    payload = envelope(change(NUMBER, [text_message("wamid.A1", "Habt ihr Kipferl?")], contacts=[contact()]))
    # When Meta posts it
    response = post_webhook(api, payload, bakery["secret"])
    # Then it is acknowledged once it is on the ingest queue, as it came
    assert response.status == 200
    assert response.json() == {"received": True, "queued_parts": 1}
    assert queue_bodies(aws, "IngestQueue") == [payload]
    # And once the ingest consumer ran, it is stored once with the service billing category, and queued for delivery
    assert ingest() == [{"batchItemFailures": []}]
    messages = scan(aws["dynamodb"], "MessagesTable")
    assert len(messages) == 1
    assert [(m["message_id"]["S"], m["billing_category"]["S"], m["direction"]["S"]) for m in messages] == [
        ("wamid.A1", "service", "inbound")
    ]
    assert messages[0]["business_id"]["S"] == bakery["business"]["business_id"]
    deliveries = queue_bodies(aws, "DeliveryQueue")
    assert len(deliveries) == 1
    assert deliveries[0]["business_id"] == bakery["business"]["business_id"]


@pytest.mark.parametrize(
    "tamper",
    ["wrong secret", "flipped byte", "missing header", "not sha256"],
)
def test_a_bad_signature_is_401_and_writes_nothing(api, aws, bakery, tamper):
    body = json.dumps(envelope(change(NUMBER, [text_message("wamid.X", "hi")], contacts=[contact()]))).encode()
    from bizline.rules.signatures import meta_signature

    headers = {"content-type": "application/json"}
    if tamper == "wrong secret":
        headers["x-hub-signature-256"] = meta_signature(body, "not-the-app-secret")
    elif tamper == "flipped byte":
        headers["x-hub-signature-256"] = meta_signature(body, bakery["secret"])
        body = body.replace(b'"hi"', b'"hj"')
    elif tamper == "not sha256":
        headers["x-hub-signature-256"] = "sha1=" + meta_signature(body, bakery["secret"]).removeprefix("sha256=")
    response = api.request("POST", "/webhooks/whatsapp", headers=headers, body=body)
    assert response.status == 401
    assert response.json()["error"]["code"] in {"invalid_signature"}
    _nothing_written(aws)


def test_the_signature_covers_the_exact_bytes_of_a_base64_encoded_body(aws, bakery):
    from bizline.rules.signatures import meta_signature
    from whatsapp_webhook.handler import lambda_handler

    from local.apigw import http_api_event
    from local.lambda_runtime import LocalLambdaContext

    # Given a body with non-ASCII text that API Gateway passed on base64-encoded
    body = json.dumps(
        envelope(change(NUMBER, [text_message("wamid.B64", "Grüß Gott 🥐")], contacts=[contact()])),
        ensure_ascii=False,
    ).encode("utf-8")
    event = http_api_event(
        "POST",
        "/webhooks/whatsapp",
        body=body,
        headers={"content-type": "application/json", "x-hub-signature-256": meta_signature(body, bakery["secret"])},
        base64_body=True,
    )
    assert event["isBase64Encoded"]
    assert base64.b64decode(event["body"]) == body
    # When it reaches the function / Then the signature verifies over those bytes
    response = lambda_handler(event, LocalLambdaContext("WhatsAppWebhookFunction"))
    assert response["statusCode"] == 200, response["body"]
    ingest()
    stored = scan(aws["dynamodb"], "MessagesTable")
    assert json.loads(stored[0]["content"]["S"])["text"]["body"] == "Grüß Gott 🥐"


# -- parsing --------------------------------------------------------------------------------------
def test_every_entry_change_message_and_status_of_a_batch_counts(api, aws, bakery):
    # Given Meta batching two entries: several message types, an unknown one, and statuses
    image = {
        "id": "wamid.IMG",
        "from": "436601234567",
        "timestamp": "1795000001",
        "type": "image",
        "image": {"id": "media-1", "mime_type": "image/jpeg", "caption": "Diese Torte"},
    }
    location = {
        "id": "wamid.LOC",
        "from": "436601234567",
        "timestamp": "1795000002",
        "type": "location",
        "location": {"latitude": 48.2, "longitude": 16.37, "name": "Stephansplatz"},
    }
    reaction = {
        "id": "wamid.REA",
        "from": "436601234567",
        "timestamp": "1795000003",
        "type": "reaction",
        "reaction": {"message_id": "wamid.A1", "emoji": "👍"},
    }
    button = {
        "id": "wamid.BTN",
        "from": "436601234567",
        "timestamp": "1795000004",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Ja"}},
    }
    unknown = {
        "id": "wamid.NEW",
        "from": "436601234567",
        "timestamp": "1795000005",
        "type": "hologram",
        "hologram": {"depth": 3},
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "waba-1", "changes": [change(NUMBER, [image, location], contacts=[contact()])]},
            {
                "id": "waba-1",
                "changes": [
                    change(NUMBER, [reaction, button, unknown], contacts=[contact()]),
                    change(NUMBER, statuses=[status("wamid.OUT1", "delivered"), status("wamid.OUT2", "read")]),
                ],
            },
        ],
    }
    # When it arrives
    response = post_and_ingest(api, payload, bakery["secret"])
    assert response.status == 200
    # Then every message is stored once and called back once, the unknown type kept whole, and both statuses
    # are queued; nothing was unrouted, recorded as another change, updated or unreadable
    stored = {m["message_id"]["S"]: m for m in scan(aws["dynamodb"], "MessagesTable")}
    assert len(scan(aws["dynamodb"], "DeliveriesTable")) == 5
    assert scan(aws["dynamodb"], "UnroutedWebhooksTable") == []
    assert scan(aws["dynamodb"], "WhatsAppEventsTable") == []
    assert not any("edited_at" in m or "deleted_at" in m for m in stored.values())
    assert {key: value["type"]["S"] for key, value in stored.items()} == {
        "wamid.IMG": "image",
        "wamid.LOC": "location",
        "wamid.REA": "reaction",
        "wamid.BTN": "interactive",
        "wamid.NEW": "unknown",
    }
    assert json.loads(stored["wamid.NEW"]["content"]["S"])["hologram"] == {"depth": 3}
    assert sorted(task["status"] for task in queue_bodies(aws, "StatusQueue")) == ["delivered", "read"]


def test_a_customer_known_only_by_user_id_is_one_customer_when_the_phone_number_appears(api, aws, bakery):
    # Given a customer who writes first with a username (business-scoped user id only)
    first = text_message("wamid.U1", "Hallo", wa_id=None, user_id="AT.1234567890")
    post_and_ingest(api, envelope(change(NUMBER, [first], contacts=[contact(None, "AT.1234567890")])), bakery["secret"])
    # When the same customer later writes with both ids
    second = text_message(
        "wamid.U2", "Noch da?", wa_id="436601234567", user_id="AT.1234567890", timestamp=1_795_000_050
    )
    post_and_ingest(
        api,
        envelope(change(NUMBER, [second], contacts=[contact("436601234567", "AT.1234567890")])),
        bakery["secret"],
    )
    # Then both messages belong to one customer, known by both names
    messages = scan(aws["dynamodb"], "MessagesTable")
    assert len({m["customer_id"]["S"] for m in messages}) == 1
    names = {item["customer_key"]["S"] for item in scan(aws["dynamodb"], "CustomersTable")}
    customer_id = messages[0]["customer_id"]["S"]
    assert names == {"user:AT.1234567890", "wa:436601234567", customer_id}


# -- idempotency ----------------------------------------------------------------------------------
def test_the_same_notification_ten_times_stores_and_queues_once(api, aws, bakery):
    payload = envelope(change(NUMBER, [text_message("wamid.DUP", "Einmal bitte")], contacts=[contact()]))
    responses = [post_webhook(api, payload, bakery["secret"]) for _ in range(10)]
    assert {response.status for response in responses} == {200}
    assert len(queue_bodies(aws, "IngestQueue")) == 10
    assert ingest() == [{"batchItemFailures": []}]
    assert len(scan(aws["dynamodb"], "MessagesTable")) == 1
    assert len(scan(aws["dynamodb"], "DeliveriesTable")) == 1
    assert len(queue_bodies(aws, "DeliveryQueue")) == 1


def _consume_each_at_once(aws) -> list:
    """Ten consumers at once, each handed one of the queued envelopes (as Lambda scales out)."""
    from whatsapp_ingest.handler import lambda_handler

    from local.lambda_runtime import LocalLambdaContext

    url = aws["sqs"].get_queue_url(QueueName="IngestQueue")["QueueUrl"]
    records = []
    while batch := aws["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        records += [{"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs"} for m in batch]

    def consume(record):
        return lambda_handler({"Records": [record]}, LocalLambdaContext("WhatsAppIngestFunction"))

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(consume, records))


def test_the_same_notification_ten_times_at_once_stores_and_queues_once(api, aws, bakery):
    payload = envelope(change(NUMBER, [text_message("wamid.RACE", "Gleichzeitig")], contacts=[contact()]))
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: post_webhook(api, payload, bakery["secret"]), range(10)))
    assert {response.status for response in responses} == {200}
    # And ten consumers act on the ten copies at once
    assert _consume_each_at_once(aws) == [{"batchItemFailures": []}] * 10
    assert len(scan(aws["dynamodb"], "MessagesTable")) == 1
    assert len(scan(aws["dynamodb"], "DeliveriesTable")) == 1
    assert len(queue_bodies(aws, "DeliveryQueue")) == 1
    assert len({item["customer_id"]["S"] for item in scan(aws["dynamodb"], "CustomersTable")}) == 1


# -- routing --------------------------------------------------------------------------------------
def test_a_number_nobody_owns_is_acknowledged_and_kept_for_operators(api, aws, bakery):
    payload = envelope(change("5550001111", [text_message("wamid.LOST", "Hallo?")], contacts=[contact()]))
    response = post_and_ingest(api, payload, bakery["secret"])
    assert response.status == 200
    assert len(scan(aws["dynamodb"], "UnroutedWebhooksTable")) == 1
    assert scan(aws["dynamodb"], "MessagesTable") == []
    unrouted = scan(aws["dynamodb"], "UnroutedWebhooksTable")
    assert [(item["phone_number_id"]["S"], item["event_key"]["S"]) for item in unrouted] == [
        ("5550001111", "message#wamid.LOST")
    ]
    assert "expires_at" in unrouted[0]


def test_messages_are_routed_to_the_business_owning_the_number(api, aws, bakery):
    other, other_key = sign_up(api, display_name="Konditorei")
    add_number(api, other_key, "2223334444")
    payload = envelope(
        change(NUMBER, [text_message("wamid.FOR-BAKERY", "a")], contacts=[contact()]),
        change("2223334444", [text_message("wamid.FOR-OTHER", "b")], contacts=[contact()]),
    )
    post_and_ingest(api, payload, bakery["secret"])
    owners = {m["message_id"]["S"]: m["business_id"]["S"] for m in scan(aws["dynamodb"], "MessagesTable")}
    assert owners == {
        "wamid.FOR-BAKERY": bakery["business"]["business_id"],
        "wamid.FOR-OTHER": other["business_id"],
    }


def test_a_signed_payload_that_is_not_a_webhook_is_a_400_without_writes(api, aws, bakery):
    response = post_webhook(api, {"hello": "world"}, bakery["secret"])
    assert response.status == 400
    _nothing_written(aws)
