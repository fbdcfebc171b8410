"""What delivering callbacks costs in DynamoDB calls, counted with a botocore event hook under moto.

Counted: every DynamoDB API call any client (boto3's or PynamoDB's, in any thread) makes while the
delivery function handles one SQS batch, from its first line to its answer. Not counted: the SQS
poll and the deletion of the batch's messages (the Lambda service makes those, not the function).
"""

import json
from collections import Counter
from typing import Any

import botocore.session
import pytest
from bizline.services import deliveries

from local.lambda_runtime import invoke
from local.template import PROJECT_ROOT, functions
from tests.support import queue_bodies, scan, sign_up

BATCH = 10
MOST_PER_CALLBACK = 2


@pytest.fixture
def callback_timeout() -> float:
    return 2.0


@pytest.fixture
def dynamodb_calls(aws, monkeypatch) -> Counter[str]:
    """Every DynamoDB call made from now on by a client made from now on, by operation."""
    from bizline.caches import reset_caches

    calls: Counter[str] = Counter()
    original = botocore.session.Session.create_client

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        client = original(self, service_name, *args, **kwargs)
        if service_name == "dynamodb":
            client.meta.events.register("before-call.dynamodb", count)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    reset_caches()  # PynamoDB's and boto3's clients are made again, with the hook
    return calls


def _sqs_event(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    sample = json.loads((PROJECT_ROOT / "events/callback_delivery/delivery.json").read_text())["Records"][0]
    return {
        "Records": [
            {**sample, "messageId": f"msg-{number}", "body": json.dumps(body)} for number, body in enumerate(bodies)
        ]
    }


def test_a_batch_of_ten_callbacks_costs_at_most_two_dynamodb_calls_each(api, aws, receiver, dynamodb_calls):
    # Given ten callbacks waiting for one business, their tasks in one SQS batch
    business, _key = sign_up(api, callback_url=receiver.url)
    deliveries.create_deliveries(
        [
            deliveries.NewDelivery(business["business_id"], "message.received", f"wamid.CALLS{n}", {"n": n})
            for n in range(BATCH)
        ]
    )
    tasks = queue_bodies(aws, "DeliveryQueue")
    assert len(tasks) == BATCH
    dynamodb_calls.clear()
    # When the delivery function handles the batch
    response = invoke(functions()["CallbackDeliveryFunction"], _sqs_event(tasks))
    # Then every callback was delivered once and recorded as delivered
    assert response == {"batchItemFailures": []}
    assert sorted(request.headers["webhook-id"] for request in receiver.received) == sorted(
        task["delivery_id"] for task in tasks
    )
    assert Counter(item["status"]["S"] for item in scan(aws["dynamodb"], "DeliveriesTable")) == {"succeeded": BATCH}
    # And DynamoDB was called at most twice per callback
    print(f"\nDynamoDB calls for {BATCH} callbacks: {sum(dynamodb_calls.values())} {dict(dynamodb_calls)}")
    assert sum(dynamodb_calls.values()) <= MOST_PER_CALLBACK * BATCH, dict(dynamodb_calls)
