"""The verification audit stream's consumer: one callback per entry, failures reported per record."""

import json
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer
from botocore.config import Config

from local.event_sources import DynamoDbStreamPoller
from local.lambda_runtime import invoke
from local.lint_template import expanded
from local.template import PROJECT_ROOT, event_sources, functions, load_template
from tests.support import queue_bodies, scan

BUSINESS_ID = "biz_demobakery000000001"
SPEC = functions()["VerificationEventsFunction"]


def _entry(request_id: str, to_state: str, from_state: str | None = "in_review") -> dict[str, str]:
    entry = {
        "request_id": request_id,
        "entry_id": f"2026-11-23T09:30:00+00:00#{to_state}",
        "business_id": BUSINESS_ID,
        "actor": "arn:aws:iam::123456789012:user/bizline-reviewer",
        "at": "2026-11-23T09:30:00+00:00",
        "to_state": to_state,
        "reason": "Firmenbuch extract matches.",
    }
    if from_state:
        entry["from_state"] = from_state
    return entry


def _stream_event(*entries: dict[str, str]) -> dict[str, Any]:
    """A DynamoDB stream event as Lambda hands it over: one INSERT record per entry, in order."""
    serialize = TypeSerializer().serialize
    records = []
    for number, entry in enumerate(entries, start=1):
        image = {name: serialize(value) for name, value in entry.items()}
        records.append(
            {
                "eventID": f"event-{number}",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "eu-central-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1795426200,
                    "Keys": {key: image[key] for key in ("request_id", "entry_id") if key in image},
                    "NewImage": image,
                    "SequenceNumber": str(100 + number),
                    "SizeBytes": 310,
                    "StreamViewType": "NEW_IMAGE",
                },
                "eventSourceARN": "arn:aws:dynamodb:eu-central-1:123456789012:table/VerificationAuditTable/stream/x",
            }
        )
    return {"Records": records}


def _delivery_types(aws) -> list[str]:
    return sorted(item["event_type"]["S"] for item in scan(aws["dynamodb"], "DeliveriesTable"))


def test_a_record_that_fails_is_reported_alone(aws):
    # Given a batch whose second entry is malformed (no state reached) between two good ones
    broken = _entry("vrq_broken", "approved")
    del broken["to_state"]
    event = _stream_event(_entry("vrq_1", "approved"), broken, _entry("vrq_2", "rejected"))
    # When the consumer handles it
    response = invoke(SPEC, event)
    # Then only the malformed record is reported, by its sequence number, for Lambda to retry from there
    assert response == {"batchItemFailures": [{"itemIdentifier": "102"}]}
    # And the good entries became their callbacks, each queued
    assert _delivery_types(aws) == ["verification.approved", "verification.rejected"]
    assert len(queue_bodies(aws, "DeliveryQueue")) == 2


def test_a_repeated_record_does_not_make_a_second_callback(aws):
    # Given the stream handing the same entry over twice, in one batch and again in a later one
    entry = _entry("vrq_1", "approved")
    assert invoke(SPEC, _stream_event(entry, entry)) == {"batchItemFailures": []}
    assert invoke(SPEC, _stream_event(entry)) == {"batchItemFailures": []}
    # Then there is one delivery, queued once
    (delivery,) = scan(aws["dynamodb"], "DeliveriesTable")
    assert delivery["event_type"]["S"] == "verification.approved"
    assert queue_bodies(aws, "DeliveryQueue") == [
        {"business_id": BUSINESS_ID, "delivery_id": delivery["delivery_id"]["S"]}
    ]
    # And the callback tells the decision and its reason, not who reviewed
    payload = json.loads(delivery["payload"]["S"])
    assert payload["data"] == {
        "request_id": "vrq_1",
        "state": "approved",
        "previous_state": "in_review",
        "at": "2026-11-23T09:30:00+00:00",
        "reason": "Firmenbuch extract matches.",
    }


def test_only_inserts_are_news_for_the_business(aws):
    # Given a record that is not an insert
    event = _stream_event(_entry("vrq_1", "approved"))
    event["Records"][0]["eventName"] = "MODIFY"
    # Then it is done with, and nothing is told
    assert invoke(SPEC, event) == {"batchItemFailures": []}
    assert scan(aws["dynamodb"], "DeliveriesTable") == []


def test_after_the_last_retry_the_batch_goes_to_the_dead_letter_queue(aws, monkeypatch):
    # Given an audit entry the consumer cannot handle, written to the audit table
    broken = _entry("vrq_broken", "approved")
    del broken["to_state"]
    aws["dynamodb"].put_item(
        TableName="VerificationAuditTable", Item={name: {"S": value} for name, value in broken.items()}
    )
    # When Lambda's stream mapping, as the template configures it, retries it until it gives up
    monkeypatch.setattr("local.event_sources.time.sleep", lambda seconds: None)
    template = load_template()
    (source,) = [s for s in event_sources(template, {"DynamoDB"}) if s.function == "VerificationEventsFunction"]
    region = {"region_name": "eu-central-1", "config": Config(account_id_endpoint_mode="disabled")}
    invocations: list[Any] = []

    def invoker(spec, event, trigger):
        invocations.append(invoke(spec, event))
        return True, invocations[-1]

    poller = DynamoDbStreamPoller(
        source,
        SPEC,
        boto3.client("dynamodb", **region),
        boto3.client("dynamodbstreams", **region),
        template,
        invoker,
        boto3.client("sqs", region_name="eu-central-1"),
    )
    for _ in range(source.properties["MaximumRetryAttempts"] + 2):
        poller.poll_once()
    # Then it was tried once and retried MaximumRetryAttempts times, each time reported as failed
    assert len(invocations) == 1 + source.properties["MaximumRetryAttempts"]
    assert all(len(result["batchItemFailures"]) == 1 for result in invocations)
    # And its place in the stream waits in the dead-letter queue, nothing was told
    (failure,) = queue_bodies(aws, "VerificationEventsDeadLetterQueue")
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert failure["DDBStreamBatchInfo"]["streamArn"] == poller.stream_arn
    assert scan(aws["dynamodb"], "DeliveriesTable") == []


def test_the_function_may_send_to_its_on_failure_destination():
    # Given the template as SAM expands it
    resources = expanded(PROJECT_ROOT / "template.yaml")["Resources"]
    # Then the stream mapping sends failures to the dead-letter queue, and the function's role may send there
    mapping = resources["VerificationEventsFunctionAuditTrail"]["Properties"]
    destination = {"Fn::GetAtt": ["VerificationEventsDeadLetterQueue", "Arn"]}
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": destination}}
    statements = [
        statement
        for policy in resources["VerificationEventsFunctionRole"]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    assert {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": destination} in statements
