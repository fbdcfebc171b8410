"""A newsletter to many subscribers under moto: every one queued once, within the dispatcher's call budget.

`make test` fans out to 20,000 (twenty pages); BIZLINE_FANOUT_RECIPIENTS=100000 runs the issue's full
size (168 s on this 2-core machine: moto's query reads the whole partition for every page).

Counted calls of the dispatcher per recipient: at most 0.11 to SQS (SendMessageBatch of ten, plus the
hand-overs) and 0.02 to DynamoDB (a few per page of a thousand). The time per page is printed, to
judge how a run of a million stays within each invocation's timeout (it hands its cursor on 30 s
before the end).
"""

import json
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.contract import iam
from tests.support import add_number, approved_template, json_headers, post_json, sign_up

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

RECIPIENTS = int(os.environ.get("BIZLINE_FANOUT_RECIPIENTS", "20000"))
NUMBER = "1098765432"
TEMPLATE = {
    "name": "weekly_offer",
    "language": "de",
    "category": "marketing",
    "components": [{"type": "BODY", "text": "Hallo {{first_name}}!",
                    "example": {"body_text_named_params": [{"param_name": "first_name", "example": "Anna"}]}}],
}  # fmt: skip


def _seed_subscribers(business_id: str, count: int) -> None:
    """Subscribers written straight into the table (as POST /v1/subscribers/batch leaves them), 25 per call."""
    dynamodb = boto3.client("dynamodb", region_name="eu-central-1")
    items = []
    for n in range(count):
        customer = f"cus_{n:020x}"
        items.append(
            {
                "business_id": {"S": business_id},
                "subscriber_key": {"S": f"sub#{customer}"},
                "customer_id": {"S": customer},
                "wa_id": {"S": f"43{n:010d}"},
                "status": {"S": "subscribed"},
                "at": {"S": "2026-11-23T08:30:00Z"},
                "source": {"S": "bench"},
                "tags": {"L": [{"S": "stammkunde"}]},
                "attributes": {"S": json.dumps({"first_name": f"Kunde {n}"})},
                "consent_source": {"S": "bench"},
                "consent_at": {"S": "2026-11-23T08:30:00Z"},
                "consent_text": {"S": "Ja"},
                "created_at": {"S": "2026-11-23T08:30:00Z"},
            }
        )
        if len(items) == 25:
            dynamodb.batch_write_item(RequestItems={"SubscribersTable": [{"PutRequest": {"Item": i}} for i in items]})
            items = []
    if items:
        dynamodb.batch_write_item(RequestItems={"SubscribersTable": [{"PutRequest": {"Item": i}} for i in items]})


@pytest.fixture
def linear_moto_sqs(monkeypatch):
    """moto's SendMessage reads the queue's attributes for each message, counting every queued message's
    visibility: quadratic in the queue's depth (AWS's is not). Its message counts read 0 while this is on."""
    from moto.sqs.models import Queue

    for name in (
        "approximate_number_of_messages",
        "approximate_number_of_messages_not_visible",
        "approximate_number_of_messages_delayed",
    ):
        monkeypatch.setattr(Queue, name, property(lambda self: 0))
    return monkeypatch


@pytest.fixture
def counted_calls(monkeypatch):
    """Every AWS call the dispatcher makes, by service and operation."""
    from botocore.client import BaseClient

    counts: Counter[str] = Counter()
    make_api_call = BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        if iam.running_function() == "NewsletterDispatcherFunction":
            counts[f"{self.meta.service_model.service_name}:{operation_name}"] += 1
        return make_api_call(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return counts


def test_a_fan_out_to_every_subscriber_queues_each_once_within_the_call_budget(
    api, aws, counted_calls, linear_moto_sqs
):
    from local.lambda_runtime import invoke
    from local.template import functions

    # Given a business with an approved template, an unlimited number and RECIPIENTS subscribers
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    approved_template(api, aws, key, TEMPLATE)
    limit = api.request(
        "PUT", f"/v1/messaging-limits/{NUMBER}", headers=json_headers(key), body=json.dumps({"limit": "unlimited"})
    )
    assert limit.status == 200
    _seed_subscribers(business["business_id"], RECIPIENTS)
    body = {
        "name": "Großer Newsletter",
        "from_phone_number_id": NUMBER,
        "template": {"name": "weekly_offer", "language": "de"},
        "variables": {"first_name": {"attribute": "first_name"}},
        "send_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds"),
    }
    created = post_json(api, "/v1/newsletters", body, key).json()
    event = {"business_id": business["business_id"], "newsletter_id": created["newsletter_id"]}
    # When its schedule fires (and any hand-over is run)
    started = time.monotonic()
    outcome = invoke(functions()["NewsletterDispatcherFunction"], event | {"scheduled_time": "2026-12-01T08:00:00Z"})
    from tests.support import drain

    drain("NewsletterDispatchQueue", "NewsletterDispatcherFunction", rounds=100)
    elapsed = time.monotonic() - started
    linear_moto_sqs.undo()
    # Then every subscriber's send is on the send queue once
    url = aws["sqs"].get_queue_url(QueueName="SendQueue")["QueueUrl"]
    depth = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert int(depth["Attributes"]["ApproximateNumberOfMessages"]) == RECIPIENTS, outcome
    shown = api.request("GET", f"/v1/newsletters/{created['newsletter_id']}", headers=json_headers(key)).json()
    (run,) = shown["runs"]
    assert (shown["state"], run["audience"], run["queued"]) == ("sent", RECIPIENTS, RECIPIENTS)
    # And the dispatcher stayed within its budget per recipient
    sqs = sum(n for name, n in counted_calls.items() if name.startswith("sqs:"))
    dynamodb = sum(n for name, n in counted_calls.items() if name.startswith("dynamodb:"))
    pages = -(-RECIPIENTS // 1000)
    print(
        f"\nfan-out of {RECIPIENTS}: {elapsed:.1f} s under moto, {elapsed / pages * 1000:.0f} ms per page of 1,000; "
        f"SQS {sqs / RECIPIENTS:.4f}, DynamoDB {dynamodb / RECIPIENTS:.4f} calls per recipient: {dict(counted_calls)}"
    )
    assert sqs / RECIPIENTS <= 0.11
    assert dynamodb / RECIPIENTS <= 0.02
