"""A batch of callbacks read and claimed at once: copies, races between read and claim, failed outcome writes."""

from datetime import timedelta

import pytest
from bizline.adapters import deliveries_store
from bizline.services import deliveries
from botocore.exceptions import ClientError
from pynamodb.connection.base import Connection

from tests.support import queue_bodies, scan, sign_up


def _waiting(api, aws, receiver, count):
    business, _key = sign_up(api, callback_url=receiver.url)
    deliveries.create_deliveries(
        [
            deliveries.NewDelivery(business["business_id"], "message.received", f"wamid.B{n}", {"n": n})
            for n in range(count)
        ]
    )
    return queue_bodies(aws, "DeliveryQueue")


def _statuses(aws):
    return {item["delivery_id"]["S"]: item["status"]["S"] for item in scan(aws["dynamodb"], "DeliveriesTable")}


def test_two_copies_of_a_task_in_one_batch_make_one_request(api, aws, receiver):
    # Given SQS handing out the same task twice in one batch
    (task,) = _waiting(api, aws, receiver, 1)
    # When the batch is worked
    attempts = deliveries.start_attempts([task, task])
    summaries = [deliveries.finish_attempt(attempt) for attempt in attempts]
    # Then one request went out
    assert summaries == ["delivered (200)", "a copy of another task in this batch"]
    assert len(receiver.received) == 1


def test_a_claim_taken_between_the_read_and_the_claim_leaves_the_rest_of_the_batch_claimed(
    api, aws, receiver, monkeypatch
):
    # Given two waiting callbacks, and another copy of the first task claiming it right after this batch read it
    first, second = _waiting(api, aws, receiver, 2)
    read = deliveries_store.read_for_attempts
    raced = []

    def read_then_raced(keys):
        found = read(keys)
        if not raced:
            raced.append(True)
            (other,) = deliveries.start_attempts([first])
            assert other.summary is None  # the other copy holds the claim and is about to post
        return found

    monkeypatch.setattr(deliveries_store, "read_for_attempts", read_then_raced)
    # When this batch claims both
    attempts = deliveries.start_attempts([first, second])
    # Then the first is left to the copy that claimed it, and the second is still claimed and delivered
    assert attempts[0].summary == "attempt already made"
    assert deliveries.finish_attempt(attempts[1]) == "delivered (200)"
    assert [request.headers["webhook-id"] for request in receiver.received] == [second["delivery_id"]]


def _failing_updates(monkeypatch, failures: list[str]):
    """The next UpdateItems fail as listed: "refused" before DynamoDB applies it, "lost" after it applied it."""
    make_api_call = Connection._make_api_call

    def failing(self, operation_name, operation_kwargs):
        if operation_name != "UpdateItem" or not failures:
            return make_api_call(self, operation_name, operation_kwargs)
        kind = failures.pop(0)
        if kind == "lost":
            make_api_call(self, operation_name, operation_kwargs)
        error = {"Error": {"Code": "InternalServerError", "Message": kind}, "ResponseMetadata": {"HTTPStatusCode": 500}}
        raise ClientError(error, operation_name)

    monkeypatch.setattr(Connection, "_make_api_call", failing)


@pytest.mark.parametrize("failures", [["refused"], ["lost"], ["refused", "lost", "refused"]])
def test_a_delivered_callback_whose_outcome_write_fails_is_recorded_and_not_posted_again(
    api, aws, receiver, monkeypatch, failures
):
    # Given a claimed attempt, and DynamoDB failing the outcome write (or losing its answer) after the POST
    (task,) = _waiting(api, aws, receiver, 1)
    (attempt,) = deliveries.start_attempts([task])
    _failing_updates(monkeypatch, failures)
    # When the attempt is made
    summary = deliveries.finish_attempt(attempt)
    # Then the outcome was written on a later try (or found written), and the callback is delivered once
    assert summary == "delivered (200)"
    assert failures == []
    assert _statuses(aws) == {task["delivery_id"]: "succeeded"}
    assert deliveries.deliver(task) == "nothing to do"
    assert len(receiver.received) == 1


def test_an_outcome_write_failing_on_every_try_fails_the_attempt(api, aws, receiver, monkeypatch):
    # Given DynamoDB failing every try of the outcome write
    (task,) = _waiting(api, aws, receiver, 1)
    (attempt,) = deliveries.start_attempts([task])
    monkeypatch.setattr(deliveries_store, "OUTCOME_PAUSES", (0.0, 0.0))
    _failing_updates(monkeypatch, ["refused"] * 3)
    # When the attempt is made, then it fails (SQS hands the task out again once the claim has expired)
    with pytest.raises(Exception, match="refused"):
        deliveries.finish_attempt(attempt)
    assert _statuses(aws) == {task["delivery_id"]: "pending"}


def test_a_claim_whose_answer_was_lost_is_attempted_once_it_expires(api, aws, receiver):
    # Given a claim DynamoDB applied but whose answer never came back: no attempt followed it
    (task,) = _waiting(api, aws, receiver, 1)
    (claimed,) = deliveries.start_attempts([task])
    assert claimed.summary is None
    # When SQS hands the task out again while the claim holds
    assert deliveries.deliver(task) == "attempt in flight"
    # Then it waits on the queue for the claim to expire, and nothing was posted
    delayed = aws["sqs"].get_queue_attributes(
        QueueUrl=aws["sqs"].get_queue_url(QueueName="DeliveryQueue")["QueueUrl"],
        AttributeNames=["ApproximateNumberOfMessagesDelayed"],
    )
    assert delayed["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert receiver.received == []
    # And once the claim has expired, the attempt is made
    after = claimed.now + timedelta(seconds=60)
    assert deliveries.deliver(task, now=after) == "delivered (200)"
    assert len(receiver.received) == 1
