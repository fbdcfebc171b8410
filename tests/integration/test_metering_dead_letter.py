"""The metering's dead-letter path: a stream record it can never count ends in MeteringDeadLetterQueue, nothing lost."""

from typing import Any

import boto3
import pytest
from botocore.config import Config

from local.event_sources import DynamoDbStreamPoller
from local.lambda_runtime import invoke
from local.lint_template import expanded
from local.template import PROJECT_ROOT, event_sources, functions, load_template
from tests.integration.test_metering import _totals
from tests.support import queue_bodies

SPEC = functions()["MeteringFunction"]


def _poller(source, template, invocations: list[Any]) -> DynamoDbStreamPoller:
    region = {"region_name": "eu-central-1", "config": Config(account_id_endpoint_mode="disabled")}

    def invoker(spec, event, trigger):
        invocations.append(invoke(spec, event))
        return True, invocations[-1]

    return DynamoDbStreamPoller(
        source,
        SPEC,
        boto3.client("dynamodb", **region),
        boto3.client("dynamodbstreams", **region),
        template,
        invoker,
        boto3.client("sqs", region_name="eu-central-1"),
    )


def test_a_message_the_metering_cannot_read_goes_to_the_dead_letter_queue_after_the_last_retry(aws, monkeypatch):
    # Given a message whose send time cannot be read, beside one that can, on the messages table
    for message_id, sent_at in (("msg_good", "2026-03-10T10:00:00+00:00"), ("msg_broken", "yesterday-ish")):
        item = {
            "message_key": {"S": f"biz_dlq#{message_id}"},
            "business_id": {"S": "biz_dlq"},
            "message_id": {"S": message_id},
            "direction": {"S": "inbound"},
            "sent_at": {"S": sent_at},
        }
        aws["dynamodb"].put_item(TableName="MessagesTable", Item=item)
    # When Lambda's stream mapping, as the template configures it, retries until it gives up
    monkeypatch.setattr("local.event_sources.time.sleep", lambda seconds: None)
    template = load_template()
    (source,) = [
        s
        for s in event_sources(template, {"DynamoDB"})
        if s.function == "MeteringFunction" and "MessagesTable" in str(s.properties["Stream"])
    ]
    invocations: list[Any] = []
    poller = _poller(source, template, invocations)
    for _ in range(source.properties["MaximumRetryAttempts"] + 3):
        poller.poll_once()
    # Then the readable message was counted once, before the broken one
    assert _totals("biz_dlq", "2026-03") == {"inbound": 1, "unconfirmed": 0}
    # And the broken one was tried once and retried MaximumRetryAttempts times, each time named as the failure
    failing = [answer for answer in invocations if answer["batchItemFailures"]]
    assert len(failing) == 1 + source.properties["MaximumRetryAttempts"]
    # And its place in the stream waits in the metering's dead-letter queue, to be replayed by hand
    (failure,) = queue_bodies(aws, "MeteringDeadLetterQueue")
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["streamArn"] == poller.stream_arn
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1


MAPPINGS = ["MeteringFunctionMessages", "MeteringFunctionCallbacks", "MeteringFunctionReviews"]


@pytest.mark.parametrize("mapping", MAPPINGS)
def test_every_metered_stream_sends_its_failures_to_the_dead_letter_queue(mapping):
    # Given the template as SAM expands it
    resources = expanded(PROJECT_ROOT / "template.yaml")["Resources"]
    # Then each stream mapping reports partial failures, and gives up to the dead-letter queue the role may send to
    properties = resources[mapping]["Properties"]
    destination = {"Fn::GetAtt": ["MeteringDeadLetterQueue", "Arn"]}
    assert properties["DestinationConfig"] == {"OnFailure": {"Destination": destination}}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    statements = [
        statement
        for policy in resources["MeteringFunctionRole"]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    assert {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": destination} in statements
