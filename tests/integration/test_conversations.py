"""GET /v1/conversations and a conversation's messages: newest first, paged, one business's own."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import (
    add_number,
    bearer,
    change,
    contact,
    envelope,
    meta_app_secret,
    post_and_ingest,
    sign_up,
    text_message,
)

NUMBER = "1098765432"


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    return {"business": business, "key": key, "meta_secret": meta_app_secret(aws)}


def _writes(api, bakery, wamid, wa_id, at, name="Anna"):
    message = text_message(wamid, f"message {wamid}", wa_id=wa_id, timestamp=int(at.timestamp()))
    payload = envelope(change(NUMBER, [message], contacts=[contact(wa_id, name=name)]))
    post_and_ingest(api, payload, bakery["meta_secret"])


def test_conversations_list_one_row_per_customer_most_recent_first_with_the_window(api, bakery):
    now = datetime.now(UTC).replace(microsecond=0)
    # Given Anna wrote two days ago, Ben an hour ago, and Anna again just now
    _writes(api, bakery, "wamid.A1", "436601111111", now - timedelta(days=2), "Anna")
    _writes(api, bakery, "wamid.B1", "436602222222", now - timedelta(hours=1), "Ben")
    _writes(api, bakery, "wamid.C1", "436603333333", now - timedelta(days=3), "Cleo")
    _writes(api, bakery, "wamid.A2", "436601111111", now, "Anna")
    # When the bakery lists its conversations
    listed = api.request("GET", "/v1/conversations", headers=bearer(bakery["key"])).json()["items"]
    # Then there is one row per customer, the most recent first, with the service window
    assert [(row["name"], row["last_message_preview"]) for row in listed] == [
        ("Anna", "message wamid.A2"),
        ("Ben", "message wamid.B1"),
        ("Cleo", "message wamid.C1"),
    ]
    assert [row["service_window_open"] for row in listed] == [True, True, False]
    assert datetime.fromisoformat(listed[1]["service_window_expires_at"]) == now + timedelta(hours=23)


def test_a_late_older_message_does_not_move_the_conversation_back(api, bakery):
    now = datetime.now(UTC).replace(microsecond=0)
    _writes(api, bakery, "wamid.NEW", "436601111111", now)
    _writes(api, bakery, "wamid.OLD", "436601111111", now - timedelta(minutes=5))
    (row,) = api.request("GET", "/v1/conversations", headers=bearer(bakery["key"])).json()["items"]
    assert row["last_message_preview"] == "message wamid.NEW"


def test_messages_come_newest_first_in_pages(api, bakery):
    now = datetime.now(UTC).replace(microsecond=0)
    for minute in range(5):
        _writes(api, bakery, f"wamid.P{minute}", "436601111111", now - timedelta(minutes=5 - minute))
    customer_id = api.request("GET", "/v1/conversations", headers=bearer(bakery["key"])).json()["items"][0][
        "customer_id"
    ]
    seen, cursor = [], None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.request(
            "GET", f"/v1/conversations/{customer_id}/messages", headers=bearer(bakery["key"]), query=query
        )
        assert page.status == 200
        body = page.json()
        assert len(body["items"]) <= 2
        seen += [item["message_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"wamid.P{minute}" for minute in reversed(range(5))]


def test_another_business_cannot_read_a_conversation_or_use_its_cursor(api, bakery):
    now = datetime.now(UTC)
    for index in range(3):
        _writes(api, bakery, f"wamid.S{index}", "436601111111", now - timedelta(minutes=index))
    customer_id = api.request("GET", "/v1/conversations", headers=bearer(bakery["key"])).json()["items"][0][
        "customer_id"
    ]
    first_page = api.request(
        "GET", f"/v1/conversations/{customer_id}/messages", headers=bearer(bakery["key"]), query="limit=1"
    ).json()
    _, other_key = sign_up(api, display_name="Other")
    assert api.request("GET", "/v1/conversations", headers=bearer(other_key)).json()["items"] == []
    assert api.request("GET", f"/v1/conversations/{customer_id}/messages", headers=bearer(other_key)).status == 404
    assert api.request("GET", "/v1/conversations/wa:436601111111/messages", headers=bearer(other_key)).status == 404
    stolen = api.request(
        "GET", "/v1/conversations", headers=bearer(other_key), query=f"cursor={first_page['next_cursor']}"
    )
    assert stolen.status == 400
    assert stolen.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=many", "cursor=%%%"])
def test_bad_paging_parameters_are_refused(api, bakery, query):
    response = api.request("GET", "/v1/conversations", headers=bearer(bakery["key"]), query=query)
    assert response.status in {400, 422}
    assert "error" in response.json()
