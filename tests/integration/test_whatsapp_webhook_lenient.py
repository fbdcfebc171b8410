"""POST /webhooks/whatsapp reads each message and status on its own: a signed notification is always a 200.

The ingest consumer acts on what the webhook queued (`post_and_ingest` runs it) before the tests look.

A message or status that cannot be read is kept whole with the reason (for operators, expiring),
and its neighbours are stored as usual; Meta would retry a 5xx for days and fail the same way.
"""

import json
from datetime import UTC, datetime

import pytest

from tests.support import (
    add_number,
    change,
    contact,
    envelope,
    meta_app_secret,
    post_and_ingest,
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


def _stored(aws):
    return {m["message_id"]["S"]: m for m in scan(aws["dynamodb"], "MessagesTable")}


def _kept(aws, kind):
    return [item for item in scan(aws["dynamodb"], "WhatsAppEventsTable") if item["kind"]["S"] == kind]


def test_a_numeric_timestamp_and_numeric_ids_are_read(api, aws, bakery):
    # Given a message whose timestamp and sender are JSON numbers, and a contact with a numeric wa_id
    message = {"id": "wamid.NUM", "from": 436601234567, "timestamp": 1795000000, "type": "text", "text": {"body": "a"}}
    payload = envelope(change(NUMBER, [message], contacts=[{"wa_id": 436601234567, "profile": {"name": "Anna"}}]))
    # When Meta posts it
    response = post_and_ingest(api, payload, bakery["secret"])
    # Then it is stored with Meta's time and the customer's number, and acknowledged
    assert response.status == 200, response.body
    assert list(_stored(aws)) == ["wamid.NUM"]
    stored = _stored(aws)["wamid.NUM"]
    assert stored["sent_at"]["S"].startswith(datetime.fromtimestamp(1795000000, UTC).isoformat()[:19])
    names = {item["customer_key"]["S"] for item in scan(aws["dynamodb"], "CustomersTable")}
    assert "wa:436601234567" in names


def test_a_message_without_a_timestamp_is_stored_at_the_time_it_arrived(api, aws, bakery):
    # Given a message with no timestamp
    message = text_message("wamid.NOTIME", "Hallo")
    del message["timestamp"]
    # When Meta posts it
    response = post_and_ingest(api, envelope(change(NUMBER, [message], contacts=[contact()])), bakery["secret"])
    # Then it is stored, timed when bizline received it
    assert response.status == 200, response.body
    stored = _stored(aws)["wamid.NOTIME"]
    assert stored["sent_at"]["S"][:4] == str(datetime.now(UTC).year)


def test_a_message_without_an_id_is_kept_with_the_reason_and_its_neighbour_is_stored(api, aws, bakery):
    # Given a batch with a message that has no id beside a good one
    broken = {"from": "436601234567", "timestamp": "1795000000", "type": "text", "text": {"body": "ohne id"}}
    good = text_message("wamid.GOOD", "mit id")
    payload = envelope(change(NUMBER, [broken, good], contacts=[contact()]))
    # When Meta posts it
    first = post_and_ingest(api, payload, bakery["secret"])
    # Then the good message is stored and the other kept as unreadable
    assert list(_stored(aws)) == ["wamid.GOOD"]
    assert len(_kept(aws, "unreadable")) == 1
    # When Meta posts it again
    second = post_and_ingest(api, payload, bakery["secret"])
    # Then both posts are acknowledged, the good message is stored and called back once
    assert (first.status, second.status) == (200, 200)
    assert list(_stored(aws)) == ["wamid.GOOD"]
    assert len(queue_bodies(aws, "DeliveryQueue")) == 1
    # And the unreadable message is kept once, whole, with the reason and an expiry, for the business's operators
    (kept,) = _kept(aws, "unreadable")
    assert kept["business_id"]["S"] == bakery["business"]["business_id"]
    details = json.loads(kept["payload"]["S"])
    assert details["value"] == broken
    assert "id" in details["reason"]
    assert "expires_at" in kept


def test_a_status_that_cannot_be_read_is_kept_and_the_good_one_is_queued(api, aws, bakery):
    # Given a status without an id beside a good status
    payload = envelope(change(NUMBER, statuses=[{"status": "delivered", "timestamp": 1}, status("wamid.OUT", "read")]))
    # When Meta posts it
    response = post_and_ingest(api, payload, bakery["secret"])
    # Then the good status is queued and the other kept with its reason
    assert response.status == 200
    assert [task["wamid"] for task in queue_bodies(aws, "StatusQueue")] == ["wamid.OUT"]
    assert len(_kept(aws, "unreadable")) == 1


def test_a_messages_change_without_metadata_is_kept_for_operators(api, aws, bakery):
    # Given a `messages` change that names no phone number
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba-9", "changes": [{"field": "messages", "value": {"messages": [{"id": "x"}]}}]}],
    }
    # When Meta posts it
    response = post_and_ingest(api, payload, bakery["secret"])
    # Then it is acknowledged and kept under the account it came from
    assert response.status == 200
    (kept,) = scan(aws["dynamodb"], "UnroutedWebhooksTable")
    assert kept["phone_number_id"]["S"] == "waba:waba-9"
    assert "metadata" in json.loads(kept["payload"]["S"])["reason"]
    assert scan(aws["dynamodb"], "MessagesTable") == []


def test_a_system_notice_without_a_new_number_is_kept_not_stored_as_a_message(api, aws, bakery):
    # Given a system message of a kind bizline does not act on
    notice = {"id": "wamid.SYS", "timestamp": "1", "type": "system", "system": {"type": "something_else"}}
    # When Meta posts it
    response = post_and_ingest(api, envelope(change(NUMBER, [notice])), bakery["secret"])
    # Then nothing is stored as a message and the notice is kept with the reason
    assert response.status == 200
    assert scan(aws["dynamodb"], "MessagesTable") == []
    assert "something_else" in json.loads(_kept(aws, "unreadable")[0]["payload"]["S"])["reason"]
