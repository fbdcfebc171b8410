"""GET /v1/conversations and a conversation's messages: newest first, paged, one business's own."""

import json
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


def _row(api, bakery, wa_id):
    listed = api.request("GET", "/v1/conversations", headers=bearer(bakery["key"])).json()["items"]
    return next(row for row in listed if row["wa_id"] == wa_id)


def test_unread_counts_what_the_customer_wrote_since_the_team_last_opened_the_conversation(api, bakery):
    now = datetime.now(UTC).replace(microsecond=0)
    anna = "436601111111"
    # Given Anna wrote three messages, and the bakery answered the last one
    for n in range(3):
        _writes(api, bakery, f"wamid.U{n}", anna, now - timedelta(minutes=10 - n))
    # Then the conversation has three unread messages
    row = _row(api, bakery, anna)
    assert (row["unread"], row["last_read_at"]) == (3, None)
    # When a team member opens it
    read = api.request("POST", f"/v1/conversations/{row['customer_id']}/read", headers=bearer(bakery["key"]))
    # Then nothing is unread, for everyone
    assert read.status == 200, read.body
    assert read.json()["unread"] == 0
    assert _row(api, bakery, anna)["unread"] == 0
    # And when she writes once more, one is unread
    _writes(api, bakery, "wamid.U9", anna, datetime.now(UTC) + timedelta(seconds=2))
    assert _row(api, bakery, anna)["unread"] == 1


def test_a_conversation_is_assigned_to_a_member_of_the_team_and_no_one_else(api, aws, bakery):
    from tests.support import json_headers, post_json

    def put(path, body, key=bakery["key"]):
        return api.request("PUT", path, headers=json_headers(key), body=json.dumps(body))

    anna = "436601111111"
    _writes(api, bakery, "wamid.S1", anna, datetime.now(UTC))
    customer_id = _row(api, bakery, anna)["customer_id"]
    member = post_json(api, "/v1/members", {"email": "eva@example.com", "role": "agent"}, api_key=bakery["key"])
    assert member.status == 201, member.body
    path = f"/v1/conversations/{customer_id}/assignee"
    # When the bakery assigns Anna's conversation to its agent Eva
    assigned = put(path, {"member_id": member.json()["member_id"]})
    # Then the conversation names her in the list
    assert assigned.status == 200, assigned.body
    expected = {"member_id": member.json()["member_id"], "email": "eva@example.com"}
    assert _row(api, bakery, anna)["assignee"] == expected
    # And a member id of no one on the team is refused, leaving the assignment as it was
    stranger = put(path, {"member_id": "not-a-member"})
    assert stranger.status == 422
    assert stranger.json()["error"]["code"] == "unknown_member"
    assert _row(api, bakery, anna)["assignee"] == expected
    # And null assigns it to nobody
    assert put(path, {"member_id": None}).status == 200
    assert _row(api, bakery, anna)["assignee"] is None
    # And another business can neither read nor assign it
    _, other_key = sign_up(api)
    assert api.request("POST", f"/v1/conversations/{customer_id}/read", headers=bearer(other_key)).status == 404
    assert put(path, {"member_id": None}, other_key).status == 404
