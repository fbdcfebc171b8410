"""The ingest consumer: per batch, partial batch failures, redelivery, and envelopes too large for one message.

Nothing is lost when the consumer fails midway: an envelope that failed is reported alone and
redelivered, and so are the envelopes whose share of the batch's shared writes failed; either way
every message is stored once and called back once.
"""

import json

import pytest

from tests.support import (
    add_number,
    change,
    contact,
    envelope,
    meta_app_secret,
    post_webhook,
    queue_bodies,
    scan,
    sign_up,
    text_message,
)

NUMBER = "1098765432"


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    return {"business": business, "key": key, "secret": meta_app_secret(aws)}


def _records(aws) -> list[dict]:
    """What the ingest queue holds, as the SQS records Lambda would hand the consumer."""
    url = aws["sqs"].get_queue_url(QueueName="IngestQueue")["QueueUrl"]
    records = []
    while batch := aws["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        records += [{"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs"} for m in batch]
    return records


def _consume(records: list[dict]) -> dict:
    from whatsapp_ingest.handler import lambda_handler

    from local.lambda_runtime import LocalLambdaContext

    return lambda_handler({"Records": records}, LocalLambdaContext("WhatsAppIngestFunction"))


def _post_messages(api, bakery, wamids: list[str]) -> None:
    for n, wamid in enumerate(wamids):
        wa_id = f"43660555{n:04d}"
        message = text_message(wamid, "Hallo", wa_id=wa_id)
        payload = envelope(change(NUMBER, [message], contacts=[contact(wa_id)]))
        assert post_webhook(api, payload, bakery["secret"]).status == 200


def _stored(aws) -> list[str]:
    return sorted(m["message_id"]["S"] for m in scan(aws["dynamodb"], "MessagesTable"))


def _callbacks(aws) -> list[str]:
    payloads = [json.loads(item["payload"]["S"]) for item in scan(aws["dynamodb"], "DeliveriesTable")]
    return sorted(p["data"]["message"]["message_id"] for p in payloads if p["type"] == "message.received")


def test_an_envelope_that_fails_is_retried_alone_and_stored_once(api, aws, bakery, monkeypatch):
    from bizline.adapters import messages_store

    # Given three envelopes on the ingest queue, and a store that fails once for the second message
    _post_messages(api, bakery, ["wamid.P1", "wamid.P2", "wamid.P3"])
    records = _records(aws)
    put_message, failed = messages_store.put_message, []

    def flaky(message):
        if message.message_id == "wamid.P2" and not failed:
            failed.append(message.message_id)
            raise RuntimeError("throttled")
        return put_message(message)

    monkeypatch.setattr(messages_store, "put_message", flaky)
    # When the consumer gets the batch
    response = _consume(records)
    # Then only the failed envelope is reported, and the others are stored and called back
    (failure,) = response["batchItemFailures"]
    retried = [
        {**record, "attributes": {"ApproximateReceiveCount": "2"}}
        for record in records
        if record["messageId"] == failure["itemIdentifier"]
    ]
    assert "wamid.P2" in retried[0]["body"]
    assert _stored(aws) == ["wamid.P1", "wamid.P3"]
    assert _callbacks(aws) == ["wamid.P1", "wamid.P3"]
    # When SQS delivers the failed one again, with a copy of another
    assert _consume([*retried, records[0]]) == {"batchItemFailures": []}
    # Then every message is stored once and called back once
    assert _stored(aws) == ["wamid.P1", "wamid.P2", "wamid.P3"]
    assert _callbacks(aws) == ["wamid.P1", "wamid.P2", "wamid.P3"]
    assert len(queue_bodies(aws, "DeliveryQueue")) == 3


def test_envelopes_whose_shared_writes_fail_are_redelivered_and_stored_once(api, aws, bakery, monkeypatch):
    from bizline.adapters import queues

    # Given two envelopes, and callbacks that cannot be queued on the first try
    _post_messages(api, bakery, ["wamid.W1", "wamid.W2"])
    records = _records(aws)
    send_tasks, failed = queues.send_tasks, []

    def flaky(queue_url, tasks, delay_seconds=0):
        if not failed:
            failed.append(queue_url)
            raise queues.EnqueueFailed("SQS is unavailable")
        return send_tasks(queue_url, tasks, delay_seconds)

    monkeypatch.setattr(queues, "send_tasks", flaky)
    # When the consumer gets the batch
    response = _consume(records)
    # Then both envelopes (their callbacks were sent together) are reported for SQS to deliver again
    assert sorted(failure["itemIdentifier"] for failure in response["batchItemFailures"]) == sorted(
        record["messageId"] for record in records
    )
    assert queue_bodies(aws, "DeliveryQueue") == []
    # When it does, after the time an interrupted try's callbacks count as abandoned
    from datetime import timedelta

    from bizline.clock import utc_now
    from bizline.rules.settling import ABANDONED_AFTER
    from bizline.services import whatsapp_ingest

    monkeypatch.setattr(whatsapp_ingest, "utc_now", lambda: utc_now() + ABANDONED_AFTER + timedelta(seconds=1))
    assert _consume(records) == {"batchItemFailures": []}
    # Then each message is stored once and its one callback is queued once
    assert _stored(aws) == ["wamid.W1", "wamid.W2"]
    assert _callbacks(aws) == ["wamid.W1", "wamid.W2"]
    assert len(queue_bodies(aws, "DeliveryQueue")) == 2


def test_an_envelope_larger_than_a_queue_message_is_split_by_change_and_read_whole(aws, bakery, monkeypatch):
    from bizline.rules import ingest_parts
    from bizline.rules.signatures import meta_signature
    from bizline.services import whatsapp_webhook

    # Given an envelope larger than one queue message may be (the limit made small for the test)
    monkeypatch.setattr(
        whatsapp_webhook, "queue_bodies", lambda raw, parsed: ingest_parts.queue_bodies(raw, parsed, 2_000)
    )
    monkeypatch.setattr(whatsapp_webhook, "batches", lambda bodies: ingest_parts.batches(bodies, 2_000))
    messages = [text_message(f"wamid.BIG{n:02d}", "Kipferl " * 20, timestamp=1_795_000_000 + n) for n in range(12)]
    body = json.dumps(envelope(change(NUMBER, messages, contacts=[contact()]))).encode()
    assert len(body) > 2_000
    # When Meta posts it
    parts = whatsapp_webhook.receive_notification(body, meta_signature(body, bakery["secret"]))
    # Then it is queued in several parts, each within the limit
    queued = _records(aws)
    assert parts == len(queued) > 1
    assert all(len(record["body"].encode()) <= 2_000 for record in queued)
    # And the consumer stores every message of it once, for one customer
    assert _consume(queued) == {"batchItemFailures": []}
    assert _stored(aws) == sorted(f"wamid.BIG{n:02d}" for n in range(12))
    assert len({m["customer_id"]["S"] for m in scan(aws["dynamodb"], "MessagesTable")}) == 1


def test_a_signed_notification_of_megabytes_is_acknowledged_and_every_message_of_it_stored(api, aws, bakery):
    from bizline.rules.ingest_parts import QUEUE_MESSAGE_LIMIT

    # Given a signed notification of about 700 KB (Meta's may reach 3 MB), far above an API request's 64 KiB
    messages = [text_message(f"wamid.MB{n:03d}", "Kipferl " * 500, timestamp=1_795_000_000 + n) for n in range(170)]
    body = json.dumps(envelope(change(NUMBER, messages, contacts=[contact()]))).encode()
    assert 600_000 < len(body) < 3 * 1024 * 1024
    # When Meta posts it to the webhook
    response = post_webhook(api, body, bakery["secret"])
    # Then it is acknowledged, queued in parts that each fit a queue message
    assert response.status == 200, response.body
    queued = _records(aws)
    assert len(queued) > 1
    assert all(len(record["body"].encode()) <= QUEUE_MESSAGE_LIMIT for record in queued)
    # And the consumer stores every message of it once
    assert _consume(queued) == {"batchItemFailures": []}
    assert _stored(aws) == sorted(f"wamid.MB{n:03d}" for n in range(170))


def test_a_notification_above_meta_s_3_mb_is_refused_before_anything_is_queued(api, aws, bakery):
    # Given a signed body larger than any notification Meta sends
    messages = [text_message(f"wamid.XL{n:04d}", "Kipferl " * 500, timestamp=1_795_000_000) for n in range(800)]
    body = json.dumps(envelope(change(NUMBER, messages, contacts=[contact()]))).encode()
    assert len(body) > 3 * 1024 * 1024
    # When it is posted to the webhook
    response = post_webhook(api, body, bakery["secret"])
    # Then it is refused with a clear error and nothing is queued
    assert response.status == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert _records(aws) == []
