"""POST /webhooks/whatsapp beyond customer messages: every other change recorded per business and called back.

Also a customer's edits, revocations and number changes, and what template and preference
changes leave behind for the business (template states, the customer's marketing answer).
The ingest consumer acts on what the webhook queued (`post_and_ingest` runs it) before the tests look.
"""

import json

import pytest

from tests.support import (
    CUSTOMER_WA_ID,
    add_number,
    change,
    contact,
    envelope,
    meta_app_secret,
    post_and_ingest,
    scan,
    sign_up,
    text_message,
)

NUMBER = "1098765432"
WABA = "waba-1"
BAKERY_WABA = f"3{NUMBER}"  # the sandbox account add_number connects for the bakery's number


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER, display="+43 1 2345678")
    return {"business": business, "key": key, "secret": meta_app_secret(aws), "id": business["business_id"]}


def _field_change(field, value, time=1795000000):
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA, "time": time, "changes": [{"field": field, "value": value}]}],
    }


def _metadata():
    return {"display_phone_number": "4312345678", "phone_number_id": NUMBER}


def _callbacks(aws, event_type):
    payloads = [json.loads(item["payload"]["S"]) for item in scan(aws["dynamodb"], "DeliveriesTable")]
    return [payload for payload in payloads if payload["type"] == event_type]


def _records(aws, kind):
    return [item for item in scan(aws["dynamodb"], "WhatsAppEventsTable") if item["kind"]["S"] == kind]


def _preferences(value, timestamp=1795000000):
    return {
        "messaging_product": "whatsapp",
        "metadata": _metadata(),
        "contacts": [{"wa_id": CUSTOMER_WA_ID, "profile": {"name": "Anna"}}],
        "user_preferences": [
            {
                "wa_id": CUSTOMER_WA_ID,
                "detail": "User requested to stop marketing messages",
                "category": "marketing_messages",
                "value": value,
                "timestamp": timestamp,
            }
        ],
    }


def _customer(aws):
    items = scan(aws["dynamodb"], "CustomersTable")
    return next(item for item in items if item["customer_key"]["S"].startswith("cus_"))


# -- other fields ---------------------------------------------------------------------------------
def test_a_stop_of_marketing_messages_is_kept_on_the_customer_recorded_and_called_back_once(api, aws, bakery):
    # Given a customer's stop of marketing messages, which Meta delivers three times
    payload = _field_change("user_preferences", _preferences("stop"))
    # When it arrives
    responses, recorded = [], []
    for _ in range(3):
        responses.append(post_and_ingest(api, payload, bakery["secret"]))
        recorded.append(len(_records(aws, "change")))
    # Then every post is acknowledged, the first one records the change, the repeats nothing more
    assert {response.status for response in responses} == {200}
    assert recorded == [1, 1, 1]
    # And the customer carries the stop, with its time
    customer = _customer(aws)
    assert customer["marketing_messages"]["S"] == "stop"
    assert customer["marketing_messages_at"]["S"].startswith("2026-11-18")
    # And the business has one record and one signed callback of it, the value kept whole
    (record,) = _records(aws, "change")
    assert record["business_id"]["S"] == bakery["id"]
    (callback,) = _callbacks(aws, "whatsapp.user_preferences")
    assert callback["data"]["value"]["user_preferences"][0]["value"] == "stop"
    assert callback["business_id"] == bakery["id"]


def test_an_older_resume_arriving_late_does_not_undo_a_later_stop(api, aws, bakery):
    # Given a stop at t2, then a resume from t1 < t2 arriving late
    post_and_ingest(api, _field_change("user_preferences", _preferences("stop", 1795000200)), bakery["secret"])
    post_and_ingest(api, _field_change("user_preferences", _preferences("resume", 1795000100)), bakery["secret"])
    # Then the customer's answer is still stop, and both changes reached the business
    assert _customer(aws)["marketing_messages"]["S"] == "stop"
    assert len(_callbacks(aws, "whatsapp.user_preferences")) == 2
    # When a later resume arrives / Then it is the customer's answer
    post_and_ingest(api, _field_change("user_preferences", _preferences("resume", 1795000300)), bakery["secret"])
    assert _customer(aws)["marketing_messages"]["S"] == "resume"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (
            "smb_message_echoes",
            {
                "messaging_product": "whatsapp",
                "metadata": _metadata(),
                "message_echoes": [{"from": "4312345678", "to": CUSTOMER_WA_ID, "id": "wamid.E", "type": "text"}],
            },
        ),
        ("phone_number_quality_update", {"display_phone_number": "4312345678", "event": "FLAGGED"}),
        ("hologram_update", {"metadata": _metadata(), "depth": 3}),
    ],
)
def test_a_change_naming_a_number_reaches_its_business_as_a_callback(api, aws, bakery, field, value):
    # Given a change of another field naming the bakery's number (by id, or as displayed)
    # When Meta posts it
    response = post_and_ingest(api, _field_change(field, value), bakery["secret"])
    # Then it is recorded for the bakery and called back as whatsapp.<field>, kept whole
    assert response.status == 200
    (record,) = _records(aws, "change")
    assert (record["business_id"]["S"], json.loads(record["payload"]["S"])["field"]) == (bakery["id"], field)
    (callback,) = _callbacks(aws, f"whatsapp.{field}")
    assert callback["data"]["value"] == value
    assert callback["data"]["field"] == field


def test_a_template_update_naming_only_the_account_reaches_the_business_that_connected_it(api, aws, bakery):
    # Given a template approval naming only the account the bakery connected (its number's account)
    value = {
        "event": "APPROVED",
        "message_template_id": 4242,
        "message_template_name": "weekly_offer",
        "message_template_language": "de",
        "reason": "NONE",
    }
    payload = _field_change("message_template_status_update", value)
    payload["entry"][0]["id"] = BAKERY_WABA
    # When Meta posts it twice
    recorded_after = []
    for _ in range(2):
        post_and_ingest(api, payload, bakery["secret"])
        recorded_after.append(len(_records(aws, "change")))
    # Then it is recorded once for the bakery, its template is approved, and one callback carries it
    assert recorded_after == [1, 1]
    (recorded,) = _records(aws, "change")
    assert recorded["business_id"]["S"] == bakery["id"]
    (callback,) = _callbacks(aws, "whatsapp.message_template_status_update")
    assert callback["data"]["waba_id"] == BAKERY_WABA
    from bizline.adapters import message_templates_store

    (template,) = message_templates_store.list_templates(bakery["id"])
    assert (template.name, template.status) == ("weekly_offer", "APPROVED")
    # And nothing is kept for operators
    assert scan(aws["dynamodb"], "UnroutedWebhooksTable") == []


def test_a_change_naming_an_account_nobody_connected_is_kept_for_operators(api, aws, bakery):
    # Given a template status update naming a WhatsApp Business Account no business connected
    value = {"event": "APPROVED", "message_template_id": 12345, "message_template_name": "offer", "reason": "NONE"}
    payload = _field_change("message_template_status_update", value)
    # When Meta posts it twice
    responses, kept_after = [], []
    for _ in range(2):
        responses.append(post_and_ingest(api, payload, bakery["secret"]))
        kept_after.append(len(scan(aws["dynamodb"], "UnroutedWebhooksTable")))
    # Then it is acknowledged and kept once under the account, with an expiry, and nobody is called back
    assert {response.status for response in responses} == {200}
    assert kept_after == [1, 1]
    (kept,) = scan(aws["dynamodb"], "UnroutedWebhooksTable")
    assert kept["phone_number_id"]["S"] == f"waba:{WABA}"
    assert json.loads(kept["payload"]["S"])["value"] == value
    assert "expires_at" in kept
    assert _callbacks(aws, "whatsapp.message_template_status_update") == []


def test_value_level_errors_are_recorded_and_called_back(api, aws, bakery):
    # Given a `messages` change carrying errors about the number rather than a message
    errors = [{"code": 131000, "title": "Something went wrong", "message": "Something went wrong"}]
    value = change(NUMBER)["value"] | {"errors": errors}
    # When Meta posts it
    response = post_and_ingest(api, _field_change("messages", value), bakery["secret"])
    # Then the errors are recorded for the bakery and called back
    assert response.status == 200
    (record,) = _records(aws, "change")
    assert (record["business_id"]["S"], json.loads(record["payload"]["S"])["field"]) == (bakery["id"], "errors")
    assert _callbacks(aws, "whatsapp.errors")[0]["data"]["value"] == errors


def test_template_webhooks_keep_each_templates_latest_state_per_business(aws, bakery):
    from datetime import UTC, datetime

    from bizline.adapters import message_templates_store
    from bizline.rules.envelope import FieldChange
    from bizline.services.deliveries import create_deliveries
    from bizline.services.whatsapp_changes import record_change

    now = datetime(2026, 11, 25, 12, tzinfo=UTC)

    def template_change(field, value, minute):
        at = datetime(2026, 11, 25, 11, minute, tzinfo=UTC)
        return FieldChange(WABA, field, value, None, None, at)

    # Given the bakery's template approved, then its quality dropping, and a late copy of a pending status
    ids = {"message_template_id": "777", "message_template_name": "offer", "message_template_language": "de"}
    approved = {**ids, "event": "APPROVED", "reason": "NONE", "message_template_category": "MARKETING"}
    quality = {**ids, "previous_quality_score": "GREEN", "new_quality_score": "YELLOW"}
    pending = {**ids, "event": "PENDING"}
    # When they are recorded for the bakery (the routing of account changes aside)
    changes = [
        template_change("message_template_status_update", approved, 1),
        template_change("message_template_quality_update", quality, 2),
        template_change("message_template_status_update", pending, 0),
    ]
    create_deliveries([record_change(bakery["id"], change, now)[0] for change in changes], now)
    # Then the template's state is the approval with the new quality; the late pending changed nothing
    (template,) = message_templates_store.list_templates(bakery["id"])
    assert (template.template_id, template.name, template.language) == ("777", "offer", "de")
    assert (template.status, template.quality, template.category) == ("APPROVED", "YELLOW", "MARKETING")
    # And another business has no templates
    assert message_templates_store.list_templates("biz_other") == []
    # And each change reached the bakery as a callback
    assert len(_callbacks(aws, "whatsapp.message_template_status_update")) == 2


# -- edits, revocations, number changes -----------------------------------------------------------
def _message(wamid, kind, body, timestamp=1795000100):
    return {"from": CUSTOMER_WA_ID, "id": wamid, "timestamp": str(timestamp), "type": kind, kind: body}


def _stored(aws):
    return {m["message_id"]["S"]: m for m in scan(aws["dynamodb"], "MessagesTable")}


def test_an_edit_updates_the_original_message_and_keeps_its_history(api, aws, bakery):
    # Given a customer's message
    post_and_ingest(
        api, envelope(change(NUMBER, [text_message("wamid.O", "Kipferl?")], contacts=[contact()])), bakery["secret"]
    )
    edit = _message(
        "wamid.ED",
        "edit",
        {"original_message_id": "wamid.O", "message": {"type": "text", "text": {"body": "Krapfen?"}}},
    )
    # When the customer edits it, and Meta delivers the edit twice
    post_and_ingest(api, envelope(change(NUMBER, [edit], contacts=[contact()])), bakery["secret"])
    edited_at = _stored(aws)["wamid.O"].get("edited_at")
    post_and_ingest(api, envelope(change(NUMBER, [edit], contacts=[contact()])), bakery["secret"])
    # Then no message is added: the original carries the new content and the old one in its history, once
    assert edited_at is not None
    assert _stored(aws)["wamid.O"]["edited_at"] == edited_at
    stored = _stored(aws)
    assert list(stored) == ["wamid.O"]
    assert json.loads(stored["wamid.O"]["content"]["S"]) == {"type": "text", "text": {"body": "Krapfen?"}}
    history = [json.loads(entry["S"]) for entry in stored["wamid.O"]["edit_history"]["L"]]
    assert [(entry["content"]["text"]["body"], entry["replaced_by"]) for entry in history] == [("Kipferl?", "wamid.ED")]
    # And the business is told once, with the message as it now reads
    (callback,) = _callbacks(aws, "message.edited")
    assert callback["data"]["message"]["content"]["text"]["body"] == "Krapfen?"
    assert callback["data"]["message"]["edit_history"][0]["content"]["text"]["body"] == "Kipferl?"


def test_a_revocation_marks_the_original_deleted(api, aws, bakery):
    # Given a customer's message
    post_and_ingest(
        api, envelope(change(NUMBER, [text_message("wamid.O", "Hoppla")], contacts=[contact()])), bakery["secret"]
    )
    # When the customer deletes it
    revoke = _message("wamid.RV", "revoke", {"original_message_id": "wamid.O"})
    response = post_and_ingest(api, envelope(change(NUMBER, [revoke], contacts=[contact()])), bakery["secret"])
    # Then the original is marked deleted, nothing is added, and the business is told
    assert response.status == 200
    stored = _stored(aws)
    assert list(stored) == ["wamid.O"]
    assert "deleted_at" in stored["wamid.O"]
    (callback,) = _callbacks(aws, "message.deleted")
    assert callback["data"]["message"]["deleted_at"]


def test_an_edit_of_a_message_bizline_does_not_have_is_kept_not_invented(api, aws, bakery):
    # Given an edit of a message bizline never stored (or another customer's)
    edit = _message(
        "wamid.ED", "edit", {"original_message_id": "wamid.NONE", "message": {"type": "text", "text": {"body": "x"}}}
    )
    # When Meta posts it
    response = post_and_ingest(api, envelope(change(NUMBER, [edit], contacts=[contact()])), bakery["secret"])
    # Then it is acknowledged, nothing is stored as a message, and the edit is kept for operators
    assert response.status == 200
    assert scan(aws["dynamodb"], "MessagesTable") == []
    assert len(_records(aws, "unmatched_revision")) == 1
    assert _callbacks(aws, "message.edited") == []


def test_a_customer_changing_number_stays_one_customer_under_the_new_number(api, aws, bakery):
    # Given a customer who wrote from their old number
    post_and_ingest(
        api, envelope(change(NUMBER, [text_message("wamid.1", "Hallo")], contacts=[contact()])), bakery["secret"]
    )
    customer_id = _customer(aws)["customer_id"]["S"]
    # When Meta reports their new number (twice)
    notice = _message(
        "wamid.SYS",
        "system",
        {"body": "Anna changed from old to new", "wa_id": "436609999999", "type": "user_changed_number"},
    )
    for _ in range(2):
        assert post_and_ingest(api, envelope(change(NUMBER, [notice])), bakery["secret"]).status == 200
    # And the customer writes from the new number
    later = text_message("wamid.2", "Neue Nummer", wa_id="436609999999", timestamp=1795000200)
    post_and_ingest(api, envelope(change(NUMBER, [later], contacts=[contact("436609999999")])), bakery["secret"])
    # Then both messages are one customer's, known by the new number only, and the business was told once
    assert {m["customer_id"]["S"] for m in _stored(aws).values()} == {customer_id}
    names = {item["customer_key"]["S"] for item in scan(aws["dynamodb"], "CustomersTable")}
    assert names == {customer_id, "wa:436609999999"}
    assert _customer(aws)["wa_id"]["S"] == "436609999999"
    (callback,) = _callbacks(aws, "customer.number_changed")
    assert callback["data"] == {"customer_id": customer_id, "old_wa_id": CUSTOMER_WA_ID, "new_wa_id": "436609999999"}


def test_a_number_change_and_a_message_from_the_new_number_in_one_batch_are_one_customer(api, aws, bakery):
    # Given a customer who wrote from their old number
    post_and_ingest(
        api, envelope(change(NUMBER, [text_message("wamid.1", "Hallo")], contacts=[contact()])), bakery["secret"]
    )
    customer_id = _customer(aws)["customer_id"]["S"]
    # When one notification carries the number change and a message from the new number
    notice = _message(
        "wamid.SYS", "system", {"body": "changed", "wa_id": "436609999999", "type": "user_changed_number"}
    )
    later = text_message("wamid.2", "Neue Nummer", wa_id="436609999999", timestamp=1795000200)
    payload = envelope(change(NUMBER, [later, notice], contacts=[contact("436609999999")]))
    response = post_and_ingest(api, payload, bakery["secret"])
    # Then the customer moved, and the message belongs to them
    assert response.status == 200
    (moved,) = _callbacks(aws, "customer.number_changed")
    assert moved["data"]["customer_id"] == customer_id
    assert {m["customer_id"]["S"] for m in _stored(aws).values()} == {customer_id}
