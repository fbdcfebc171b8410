"""AWS calls per inbound message: the webhook only verifies and hands on; the ingest consumer works per batch.

Every botocore call made while a handler runs is counted (the function is the handler module on
the call's stack, as tests/contract/iam.py attributes calls). The figures are printed (`-s`) and
asserted against the goals: at most 3 calls on the synchronous path, at most 1.2 per message for a
10-message envelope, and a bound on the consumer's calls per message of a 10-message batch.
"""

import json
from collections import Counter
from typing import Any

import pytest
from botocore.client import BaseClient

from tests.contract import iam
from tests.support import (
    add_number,
    change,
    contact,
    drain,
    envelope,
    meta_app_secret,
    post_webhook,
    queue_bodies,
    scan,
    sign_up,
    text_message,
)

NUMBER = "1098765432"
WEBHOOK, INGEST = "WhatsAppWebhookFunction", "WhatsAppIngestFunction"
# Per message of a batch of ten one-message envelopes from ten known customers: two BatchGets per
# batch, one conditional put, one activity update, and create_deliveries' put, update and 1/10 send.
CONSUMER_CALLS_PER_MESSAGE_GOAL = 4.5


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    return {"business": business, "key": key, "secret": meta_app_secret(aws)}


@pytest.fixture
def counted(monkeypatch):
    """(function, service.operation) -> how often, for calls made while a handler runs."""
    calls: Counter = Counter()
    make_api_call = BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        function = iam.running_function()
        if function:
            calls[(function, f"{self.meta.service_model.service_name}.{operation_name}")] += 1
        return make_api_call(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return calls


def _of(calls: Counter, function: str) -> dict[str, int]:
    return {operation: count for (name, operation), count in sorted(calls.items()) if name == function}


def _messages(count: int, first: int = 0) -> list[dict[str, Any]]:
    return [text_message(f"wamid.C{first + n}", f"Nachricht {n}", timestamp=1_795_000_000 + n) for n in range(count)]


def _warm(api, bakery) -> None:
    # A warm container: the app secret is read once per container and kept, as on Lambda.
    post_webhook(api, envelope(change(NUMBER, _messages(1, first=900), contacts=[contact()])), bakery["secret"])
    drain("IngestQueue", INGEST)


@pytest.mark.parametrize("messages", [1, 10])
def test_the_webhook_hands_an_envelope_on_in_one_call(api, aws, bakery, counted, messages):
    # Given a warm webhook and an envelope of one or ten customer messages
    _warm(api, bakery)
    counted.clear()
    payload = envelope(change(NUMBER, _messages(messages), contacts=[contact()]))
    # When Meta posts it
    response = post_webhook(api, payload, bakery["secret"])
    # Then it is acknowledged after one write: the raw envelope on the ingest queue
    assert response.status == 200, response.body
    synchronous = _of(counted, WEBHOOK)
    total = sum(synchronous.values())
    print(f"\nsynchronous path, {messages}-message envelope: {synchronous} = {total} ({total / messages:.2f}/message)")
    assert synchronous == {"sqs.SendMessage": 1}
    assert total <= 3
    assert total / messages <= (1.2 if messages > 1 else 3)
    (queued,) = queue_bodies(aws, "IngestQueue")
    assert queued == payload
    # And nothing was stored yet: the consumer does that
    assert {m["message_id"]["S"] for m in scan(aws["dynamodb"], "MessagesTable")} == {"wamid.C900"}


def test_the_consumer_works_per_batch(api, aws, bakery, counted):
    # Given ten customers writing for the first time, in ten envelopes the consumer receives as one batch
    customers = [f"43660000{n:04d}" for n in range(10)]
    for n, wa_id in enumerate(customers):
        first = text_message(f"wamid.FIRST{n}", "Hallo", wa_id=wa_id, timestamp=1_795_000_000)
        post_webhook(api, envelope(change(NUMBER, [first], contacts=[contact(wa_id)])), bakery["secret"])
    counted.clear()
    assert drain("IngestQueue", INGEST) == [{"batchItemFailures": []}]
    # Then first contact costs each customer one claim of their name more
    first_contact = _of(counted, INGEST)
    total = sum(first_contact.values())
    print(f"\nconsumer, batch of 10 first contacts: {json.dumps(first_contact)} = {total} ({total / 10:.1f}/message)")
    assert first_contact["dynamodb.PutItem"] == 30  # the name, the message, the delivery
    assert total / 10 <= CONSUMER_CALLS_PER_MESSAGE_GOAL + 1
    counted.clear()
    # When each writes again, in ten envelopes the consumer receives as one batch
    for n, wa_id in enumerate(customers):
        later = text_message(f"wamid.LATER{n}", "Noch da?", wa_id=wa_id, timestamp=1_795_000_100)
        post_webhook(api, envelope(change(NUMBER, [later], contacts=[contact(wa_id)])), bakery["secret"])
    results = drain("IngestQueue", INGEST)
    # Then one batch stored the ten messages and queued their callbacks
    assert results == [{"batchItemFailures": []}]
    stored = [m["message_id"]["S"] for m in scan(aws["dynamodb"], "MessagesTable")]
    assert sum(1 for wamid in stored if wamid.startswith("wamid.LATER")) == 10
    later = [
        item
        for item in scan(aws["dynamodb"], "DeliveriesTable")
        if json.loads(item["payload"]["S"])["data"]["message"]["message_id"].startswith("wamid.LATER")
    ]
    assert len(later) == 10
    assert all(item["enqueued"]["BOOL"] for item in later)
    # And its calls per message stay within the goal
    consumer = _of(counted, INGEST)
    total = sum(consumer.values())
    print(f"\nconsumer, batch of 10 one-message envelopes: {json.dumps(consumer)} = {total} ({total / 10:.1f}/message)")
    assert consumer["dynamodb.BatchGetItem"] == 2
    assert consumer["sqs.SendMessageBatch"] == 1
    assert total / 10 <= CONSUMER_CALLS_PER_MESSAGE_GOAL


def test_the_consumer_writes_a_customer_once_for_an_envelope_of_ten_of_their_messages(api, aws, bakery, counted):
    # Given a known customer
    _warm(api, bakery)
    # When ten of their messages come in one envelope
    post_webhook(api, envelope(change(NUMBER, _messages(10), contacts=[contact()])), bakery["secret"])
    counted.clear()
    assert drain("IngestQueue", INGEST) == [{"batchItemFailures": []}]
    # Then the ten messages are stored, and the customer's record is written once, for the newest
    consumer = _of(counted, INGEST)
    total = sum(consumer.values())
    print(f"\nconsumer, one envelope of 10 messages: {json.dumps(consumer)} = {total} ({total / 10:.1f}/message)")
    assert consumer["dynamodb.UpdateItem"] == 1 + 10  # the customer, and create_deliveries' mark per delivery
    assert total / 10 <= 3.5
    customer = next(i for i in scan(aws["dynamodb"], "CustomersTable") if i["customer_key"]["S"].startswith("cus_"))
    assert customer["last_message_preview"]["S"] == "Nachricht 9"
