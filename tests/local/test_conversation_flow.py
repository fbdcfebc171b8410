"""The whole conversation on the local platform: a customer writes, the business gets a signed
callback, replies, and the sandbox's statuses come back through the webhook."""

import json
import urllib.request

import pytest

from local.demo import DEMO_API_KEY, DEMO_BUSINESS_ID, DEMO_CUSTOMER_WA_ID, DEMO_PHONE_NUMBER_ID
from tests.local.conftest import wait_for

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def _http(platform, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(platform.api_url + path, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _callbacks(platform, event_type):
    _, body = _http(platform, "GET", "/local/callbacks")
    return [item for item in body["items"] if item["event"].get("type") == event_type]


def test_customer_writes_business_receives_replies_and_statuses_arrive(platform):
    auth = {"authorization": f"Bearer {DEMO_API_KEY}"}
    # Given a customer writing to the demo bakery through the signed webhook
    status, sent = _http(platform, "POST", "/local/customer-messages", {"text": "Zwei Kipferl für 10 Uhr?"})
    assert status == 200
    assert sent["webhook"]["received"] is True
    assert sent["messages_stored"] == 1
    # Then the bakery's endpoint receives a signed callback that verifies
    assert wait_for(lambda: _callbacks(platform, "message.received"), timeout=20)
    received = _callbacks(platform, "message.received")[-1]
    assert received["verified"] is True
    assert received["business_id"] == DEMO_BUSINESS_ID
    assert received["event"]["data"]["message"]["content"]["text"]["body"] == "Zwei Kipferl für 10 Uhr?"
    # When the bakery replies within the service window
    status, accepted = _http(
        platform,
        "POST",
        "/v1/messages",
        {
            "from_phone_number_id": DEMO_PHONE_NUMBER_ID,
            "to": {"wa_id": DEMO_CUSTOMER_WA_ID},
            "type": "text",
            "text": {"body": "Gerne, liegen bereit!"},
        },
        auth,
    )
    assert status == 202

    # Then the sandbox sends it and its statuses come back through the webhook, up to read
    def reply_read():
        _, page = _http(platform, "GET", f"/v1/conversations/wa:{DEMO_CUSTOMER_WA_ID}/messages", headers=auth)
        mine = [item for item in page["items"] if item["message_id"] == accepted["message_id"]]
        return mine and mine[0]["status"] == "read"

    assert wait_for(reply_read, timeout=90)
    # And the bakery was told of each status, signed
    assert wait_for(
        lambda: (
            {c["event"]["data"]["status"] for c in _callbacks(platform, "message.status")}
            >= {"sent", "delivered", "read"}
        ),
        timeout=30,
    )
    assert all(c["verified"] for c in _callbacks(platform, "message.status"))
