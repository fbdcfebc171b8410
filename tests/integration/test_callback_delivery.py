"""Signed callbacks to each business: Standard Webhooks signatures, retries, 410, dead letters."""

import json
from datetime import datetime, timedelta

import pytest
from bizline.adapters import accounts_store
from bizline.rules.retries import MAX_ATTEMPTS
from bizline.rules.signatures import secrets_in_force
from bizline.services import deliveries
from standardwebhooks.webhooks import Webhook

from local.lambda_runtime import invoke
from local.template import PROJECT_ROOT, functions
from tests.support import (
    add_number,
    bearer,
    change,
    contact,
    drain,
    envelope,
    json_headers,
    meta_app_secret,
    post_and_ingest,
    post_json,
    queue_bodies,
    scan,
    sign_up,
    text_message,
)

NUMBER = "1098765432"


@pytest.fixture
def bakery(api, aws, receiver):
    response = post_json(
        api,
        "/v1/businesses",
        {
            "display_name": "Bäckerei Huber",
            "legal_name": "Bäckerei Huber GmbH",
            "country": "AT",
            "contact_email": "office@huber.example",
            "callback_url": receiver.url,
            "size": {"employees": 4, "annual_turnover_eur": 1, "balance_sheet_total_eur": 1},
        },
    )
    assert response.status == 201, response.body
    created = response.json()
    add_number(api, created["api_key"]["api_key"], NUMBER)
    return {
        "business": created["business"],
        "key": created["api_key"]["api_key"],
        "webhook_secret": created["webhook_secret"],
        "meta_secret": meta_app_secret(aws),
    }


def _customer_writes(api, bakery, wamid="wamid.CB1", text="Gibt es Krapfen?"):
    response = post_and_ingest(
        api, envelope(change(NUMBER, [text_message(wamid, text)], contacts=[contact()])), bakery["meta_secret"]
    )
    assert response.status == 200


def _delivery(aws):
    (item,) = scan(aws["dynamodb"], "DeliveriesTable")
    return {key: next(iter(value.values())) for key, value in item.items()}


def test_a_customer_message_arrives_signed_and_verifies_with_the_standard_webhooks_library(api, aws, bakery, receiver):
    # Given a customer's message received through the webhook
    _customer_writes(api, bakery)
    # When the delivery queue is worked
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    # Then the business's endpoint got it once, signed so the official library verifies it
    (request,) = receiver.received
    verified = Webhook(bakery["webhook_secret"]).verify(request.body, request.headers)
    assert verified["type"] == "message.received"
    assert verified["data"]["message"]["content"]["text"]["body"] == "Gibt es Krapfen?"
    assert verified["data"]["message"]["billing_category"] == "service"
    assert request.headers["webhook-id"] == verified["id"]
    assert _delivery(aws)["status"] == "succeeded"


def test_a_5xx_is_retried_on_schedule_with_the_same_webhook_id(api, aws, bakery, receiver):
    receiver.script = [(500, {}, 0.0), (200, {}, 0.0)]
    _customer_writes(api, bakery)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    # Then the attempt is recorded with its status and the next attempt about 5 s later, re-queued with a delay
    first = _delivery(aws)
    assert (first["status"], int(first["attempts"]), int(first["last_status_code"])) == ("retrying", 1, 500)
    wait = datetime.fromisoformat(first["next_attempt_at"]) - datetime.fromisoformat(first["updated_at"])
    assert timedelta(seconds=4) <= wait <= timedelta(seconds=6)
    delayed = aws["sqs"].get_queue_attributes(
        QueueUrl=aws["sqs"].get_queue_url(QueueName="DeliveryQueue")["QueueUrl"],
        AttributeNames=["ApproximateNumberOfMessagesDelayed"],
    )
    assert delayed["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    # When the retry is due
    task = {"business_id": bakery["business"]["business_id"], "delivery_id": first["delivery_id"]}
    outcome = deliveries.deliver(task, now=datetime.fromisoformat(first["next_attempt_at"]))
    # Then it is delivered, with the same webhook-id and a fresh timestamp
    assert outcome == "delivered (200)"
    assert [r.headers["webhook-id"] for r in receiver.received] == [first["delivery_id"]] * 2
    assert receiver.received[0].headers["webhook-timestamp"] != receiver.received[1].headers["webhook-timestamp"]


def test_an_early_copy_of_the_task_waits_for_the_due_time(api, aws, bakery, receiver):
    receiver.script = [(503, {}, 0.0)]
    _customer_writes(api, bakery)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    first = _delivery(aws)
    task = {"business_id": bakery["business"]["business_id"], "delivery_id": first["delivery_id"]}
    assert deliveries.deliver(task) == "not due yet"
    assert len(receiver.received) == 1


def test_429_honours_retry_after(api, aws, bakery, receiver):
    receiver.script = [(429, {"Retry-After": "120"}, 0.0)]
    _customer_writes(api, bakery)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    record = _delivery(aws)
    wait = datetime.fromisoformat(record["next_attempt_at"]) - datetime.fromisoformat(record["updated_at"])
    assert wait >= timedelta(seconds=120)


def test_a_timeout_is_retried(api, aws, bakery, receiver):
    receiver.script = [(200, {}, 2.0)]
    _customer_writes(api, bakery)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    record = _delivery(aws)
    assert (record["status"], record["last_error"]) == ("retrying", "timeout")


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_a_4xx_is_final(api, aws, bakery, receiver, status):
    receiver.script = [(status, {}, 0.0)]
    _customer_writes(api, bakery)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    record = _delivery(aws)
    assert (record["status"], int(record["last_status_code"])) == ("failed", status)
    assert queue_bodies(aws, "DeliveryQueue") == []


def test_410_gone_disables_the_endpoint_until_the_url_changes(api, aws, bakery, receiver):
    receiver.script = [(410, {}, 0.0)]
    _customer_writes(api, bakery, "wamid.G1")
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    assert _delivery(aws)["status"] == "endpoint_disabled"
    # The next event is not even attempted
    _customer_writes(api, bakery, "wamid.G2")
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    assert len(receiver.received) == 1
    statuses = {item["delivery_id"]["S"]: item["status"]["S"] for item in scan(aws["dynamodb"], "DeliveriesTable")}
    assert set(statuses.values()) == {"endpoint_disabled"}
    # A new callback URL brings callbacks back
    receiver.script = [(200, {}, 0.0)]
    api.request(
        "PATCH",
        "/v1/businesses/me",
        headers=json_headers(bakery["key"]),
        body=json.dumps({"callback_url": receiver.url + "?v=2"}),
    )
    _customer_writes(api, bakery, "wamid.G3")
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    assert len(receiver.received) == 2


def test_after_the_last_attempt_the_delivery_is_dead_lettered_visible_and_retryable(api, aws, bakery, receiver):
    receiver.script = [(500, {}, 0.0)]
    _customer_writes(api, bakery)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    task = {"business_id": bakery["business"]["business_id"], "delivery_id": _delivery(aws)["delivery_id"]}
    # When every scheduled retry fails too
    for _ in range(MAX_ATTEMPTS - 1):
        due = datetime.fromisoformat(_delivery(aws)["next_attempt_at"])
        deliveries.deliver(task, now=due)
    # Then it is dead-lettered after the last attempt (about three days in all)
    record = _delivery(aws)
    assert (record["status"], int(record["attempts"])) == ("dead_lettered", MAX_ATTEMPTS)
    first_attempt = datetime.fromisoformat(record["created_at"])
    assert (
        timedelta(days=2, hours=12) < datetime.fromisoformat(record["updated_at"]) - first_attempt < timedelta(days=4)
    )
    # And the business sees it among its failed deliveries
    listed = api.request("GET", "/v1/deliveries", headers=bearer(bakery["key"]), query="status=failed").json()
    assert [(item["delivery_id"], item["status"], item["attempts"]) for item in listed["items"]] == [
        (task["delivery_id"], "dead_lettered", MAX_ATTEMPTS)
    ]
    # And can retry it once its endpoint works again
    receiver.script = [(200, {}, 0.0)]
    retried = api.request("POST", f"/v1/deliveries/{task['delivery_id']}/retry", headers=bearer(bakery["key"]))
    assert retried.status == 202
    assert retried.json()["status"] == "pending"
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    assert _delivery(aws)["status"] == "succeeded"


def test_retrying_a_delivery_that_did_not_fail_is_a_conflict_and_another_business_gets_404(api, aws, bakery):
    _customer_writes(api, bakery)
    delivery_id = _delivery(aws)["delivery_id"]
    assert api.request("POST", f"/v1/deliveries/{delivery_id}/retry", headers=bearer(bakery["key"])).status == 409
    _, other_key = sign_up(api, display_name="Other")
    assert api.request("POST", f"/v1/deliveries/{delivery_id}/retry", headers=bearer(other_key)).status == 404
    assert api.request("GET", "/v1/deliveries", headers=bearer(other_key)).json()["items"] == []


def test_a_duplicate_task_makes_one_request(api, aws, bakery, receiver):
    _customer_writes(api, bakery)
    (task,) = queue_bodies(aws, "DeliveryQueue")
    # Given SQS handing the same task out twice
    deliveries.deliver(task)
    deliveries.deliver(task)
    assert len(receiver.received) == 1


def _sqs_event(*bodies: str) -> dict:
    """An SQS event as Lambda hands it over, one record per body (the sample event's record shape)."""
    sample = json.loads((PROJECT_ROOT / "events/callback_delivery/delivery.json").read_text())["Records"][0]
    return {"Records": [{**sample, "messageId": f"msg-{number}", "body": body} for number, body in enumerate(bodies)]}


@pytest.mark.parametrize("malformed", ['{"business_id": "biz_x"', '{"business_id": "biz_x"}', "[]"])
def test_a_malformed_task_is_one_reported_failure_and_the_rest_of_the_batch_is_delivered(
    api, aws, bakery, receiver, malformed
):
    # Given a batch with a malformed task (not JSON, no delivery id, not an object) and a good one
    _customer_writes(api, bakery)
    (task,) = queue_bodies(aws, "DeliveryQueue")
    event = _sqs_event(malformed, json.dumps(task))
    # When the delivery function handles it
    response = invoke(functions()["CallbackDeliveryFunction"], event)
    # Then only the malformed record is reported, and the good one is delivered
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert len(receiver.received) == 1
    assert _delivery(aws)["status"] == "succeeded"


def test_during_a_rotation_both_secrets_sign_for_24_hours(api, aws, bakery, receiver):
    old_secret = bakery["webhook_secret"]
    rotated = api.request("POST", "/v1/businesses/me/webhook-secret", headers=bearer(bakery["key"]))
    assert rotated.status == 201
    new_secret = rotated.json()["webhook_secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != old_secret
    _customer_writes(api, bakery)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    (request,) = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old_secret, new_secret):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "message.received"
    # And after 24 hours only the new one signs
    task = {"business_id": bakery["business"]["business_id"], "delivery_id": "evt_later"}
    settings = accounts_store.get_callback_settings(task["business_id"])
    later = datetime.fromisoformat(rotated.json()["previous_secret_valid_until"]) + timedelta(seconds=1)
    assert secrets_in_force(settings, later) == [new_secret]


def test_without_a_callback_url_the_message_is_still_in_the_history(api, aws):
    _business, key = sign_up(api)
    add_number(api, key, NUMBER)
    post_and_ingest(
        api, envelope(change(NUMBER, [text_message("wamid.NOCB", "Hallo")], contacts=[contact()])), meta_app_secret(aws)
    )
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    assert _delivery(aws)["status"] == "no_endpoint"
    history = api.request("GET", "/v1/conversations/wa:436601234567/messages", headers=bearer(key)).json()
    assert [item["message_id"] for item in history["items"]] == ["wamid.NOCB"]


def test_a_callback_to_a_private_address_is_refused_at_send_time(api, aws, monkeypatch):
    # Given a callback host that resolves to the cloud metadata address when the callback is sent
    from bizline.adapters import http_callbacks

    monkeypatch.setattr(http_callbacks, "resolve_all", lambda host, port: ["169.254.169.254"])
    _business, key = sign_up(api, callback_url="https://hooks.rebinding.example/in")
    add_number(api, key, NUMBER)
    post_and_ingest(
        api, envelope(change(NUMBER, [text_message("wamid.SSRF", "x")], contacts=[contact()])), meta_app_secret(aws)
    )
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    record = _delivery(aws)
    assert record["status"] == "unsafe_endpoint"


# -- queueing once --------------------------------------------------------------------------------
def _stored_but_never_queued(aws, bakery, created_at: datetime) -> str:
    """A delivery as a try that was interrupted between storing and queueing leaves it."""
    event = deliveries.NewDelivery(bakery["business"]["business_id"], "message.received", "wamid.INTERRUPTED", {"n": 1})
    delivery_id = deliveries.delivery_id_for(event.business_id, event.event_type, event.subject)
    from bizline.adapters import deliveries_store
    from bizline.models.deliveries import DeliveryStatus, StoredDelivery

    deliveries_store.create_delivery(
        StoredDelivery(
            business_id=event.business_id,
            delivery_id=delivery_id,
            event_type=event.event_type,
            payload="{}",
            status=DeliveryStatus.PENDING,
            attempts=0,
            enqueued=False,
            created_at=created_at,
            updated_at=created_at,
        )
    )
    return delivery_id


def test_a_delivery_an_interrupted_try_never_queued_is_queued_once_by_the_next_copy(aws, bakery):
    # Given a delivery stored a minute ago whose task never reached the queue
    now = datetime.fromisoformat("2026-11-25T12:00:00+00:00")
    delivery_id = _stored_but_never_queued(aws, bakery, now - timedelta(minutes=1))
    event = deliveries.NewDelivery(bakery["business"]["business_id"], "message.received", "wamid.INTERRUPTED", {"n": 1})
    # When the same event comes again, twice
    deliveries.create_deliveries([event], now)
    deliveries.create_deliveries([event], now + timedelta(seconds=1))
    # Then its task is queued once, and the delivery knows it
    assert [body["delivery_id"] for body in queue_bodies(aws, "DeliveryQueue")] == [delivery_id]
    stored = next(item for item in scan(aws["dynamodb"], "DeliveriesTable") if item["delivery_id"]["S"] == delivery_id)
    assert stored["enqueued"]["BOOL"] is True


def test_a_copy_arriving_while_the_first_try_is_still_queueing_queues_nothing(aws, bakery):
    # Given a delivery stored a moment ago by a try that is still on its way to the queue
    now = datetime.fromisoformat("2026-11-25T12:00:00+00:00")
    _stored_but_never_queued(aws, bakery, now - timedelta(seconds=2))
    # When a copy of the same event arrives
    event = deliveries.NewDelivery(bakery["business"]["business_id"], "message.received", "wamid.INTERRUPTED", {"n": 1})
    deliveries.create_deliveries([event], now)
    # Then it leaves the queueing to that try
    assert queue_bodies(aws, "DeliveryQueue") == []
