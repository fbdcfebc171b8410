"""Reading Meta's webhook envelope into customer messages and statuses, and the names a customer goes by."""

from datetime import UTC, datetime

from bizline.models.customers import CustomerIdentity
from bizline.models.whatsapp import WebhookEnvelope
from bizline.rules.envelope import read_envelope

from local.meta_envelopes import change, contact, envelope, status, text_message

NUMBER = "1098765432"


NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _read(*changes):
    reading = read_envelope(WebhookEnvelope.model_validate(envelope(*changes)).entry, NOW)
    return reading.messages, reading.statuses


def test_a_text_message_names_its_number_customer_time_and_keeps_the_message_whole():
    # Given Meta's notification of one text message
    message = text_message("wamid.A1", "Habt ihr Kipferl?", wa_id="436601234567", timestamp=1_795_000_000)
    # When it is read
    (read,), statuses = _read(change(NUMBER, [message], contacts=[contact("436601234567", name="Anna")]))
    # Then the message carries the number, the customer with their profile name, the time and the content as sent
    assert statuses == []
    assert read.phone_number_id == NUMBER
    assert read.wamid == "wamid.A1"
    assert read.customer == CustomerIdentity("436601234567", None, "Anna")
    assert read.sent_at == datetime.fromtimestamp(1_795_000_000, UTC)
    assert read.type == "text"
    assert read.content == message


def test_every_entry_change_message_and_status_counts():
    # Given two changes, each with messages and statuses
    first = change(NUMBER, [text_message("wamid.1", "a", "4366011")], [status("wamid.OUT1", "sent", 1)])
    second = change(
        "2223334444",
        [text_message("wamid.2", "b", "4366022"), text_message("wamid.3", "c", "4366022")],
        [status("wamid.OUT2", "read", 2, recipient_id="4366022")],
    )
    # When the envelope is read
    messages, statuses = _read(first, second)
    # Then nothing is left out
    assert [(m.phone_number_id, m.wamid) for m in messages] == [
        (NUMBER, "wamid.1"),
        ("2223334444", "wamid.2"),
        ("2223334444", "wamid.3"),
    ]
    assert [(s.phone_number_id, s.wamid, s.status) for s in statuses] == [
        (NUMBER, "wamid.OUT1", "sent"),
        ("2223334444", "wamid.OUT2", "read"),
    ]
    assert statuses[1].recipient == CustomerIdentity("4366022", None)


def test_an_unknown_message_type_is_kept_as_unknown_with_its_content():
    hologram = {"id": "wamid.H", "from": "4366011", "timestamp": "1", "type": "hologram", "hologram": {"depth": 3}}
    (read,), _ = _read(change(NUMBER, [hologram]))
    assert read.type == "unknown"
    assert read.content["hologram"] == {"depth": 3}


def test_a_message_without_any_sender_is_skipped():
    # Given a system notice: no `from`, no user id, and no contact to take them from
    notice = {"id": "wamid.SYS", "timestamp": "1", "type": "system", "system": {"body": "number changed"}}
    messages, _ = _read(change(NUMBER, [notice]))
    assert messages == []


def test_a_customer_known_by_user_id_only_takes_the_ids_of_their_contact():
    message = text_message("wamid.U1", "Hallo", wa_id=None, user_id="AT.1234567890")
    (read,), _ = _read(change(NUMBER, [message], contacts=[contact(None, "AT.1234567890", name="Anna")]))
    assert read.customer == CustomerIdentity(None, "AT.1234567890", "Anna")


def test_statuses_carry_metas_errors():
    errors = [{"code": 131047, "title": "Re-engagement message"}]
    _, (read,) = _read(change(NUMBER, statuses=[status("wamid.F", "failed", 5, "4366011", errors=errors)]))
    assert read.errors == errors
    assert read.at == datetime.fromtimestamp(5, UTC)


def test_changes_other_than_messages_are_left_alone():
    other = {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}
    assert _read(other) == ([], [])


def test_a_customer_goes_by_wa_and_user_keys_and_each_key_names_them_back():
    # Given a customer known by both ids
    identity = CustomerIdentity("436601234567", "AT.1234567890", "Anna")
    # Then they go by both keys, and each key reads back as that one id
    assert identity.keys == ["wa:436601234567", "user:AT.1234567890"]
    assert CustomerIdentity.from_key("wa:436601234567") == CustomerIdentity("436601234567", None)
    assert CustomerIdentity.from_key("user:AT.1234567890") == CustomerIdentity(None, "AT.1234567890")
    assert CustomerIdentity(None, None).keys == []


def test_anything_else_is_no_customer_key():
    assert [CustomerIdentity.from_key(key) for key in ("cus_0123", "wa:", "user:", "phone:4366", "")] == [None] * 5


def _reading(*changes, entry_time=None):
    payload = envelope(*changes)
    if entry_time is not None:
        payload["entry"][0]["time"] = entry_time
    return read_envelope(WebhookEnvelope.model_validate(payload).entry, NOW)


def test_numbers_where_meta_documents_strings_are_read():
    # Given a message whose timestamp and sender are JSON numbers
    message = {"id": "wamid.N", "from": 4366011, "timestamp": 1_795_000_000, "type": "text", "text": {"body": "a"}}
    # When it is read / Then it is one message with Meta's time and the sender as text
    (read,) = _reading(change(NUMBER, [message])).messages
    assert read.sent_at == datetime.fromtimestamp(1_795_000_000, UTC)
    assert read.customer.wa_id == "4366011"


def test_a_message_without_a_timestamp_is_timed_when_it_arrived():
    message = text_message("wamid.T", "a", "4366011")
    del message["timestamp"]
    (read,) = _reading(change(NUMBER, [message])).messages
    assert read.sent_at == NOW


def test_a_message_that_cannot_be_read_is_unreadable_with_its_reason_and_its_neighbour_is_read():
    # Given a message without an id beside a good one
    broken = {"from": "4366011", "timestamp": "1", "type": "text"}
    reading = _reading(change(NUMBER, [broken, text_message("wamid.G", "b", "4366011")]))
    # Then the good one is read, and the broken one is kept whole with a reason naming the id
    assert [m.wamid for m in reading.messages] == ["wamid.G"]
    (unreadable,) = reading.unreadable
    assert unreadable.payload == broken
    assert unreadable.phone_number_id == NUMBER
    assert "id" in unreadable.reason
    # And its key is the same for the same content, different for other content
    assert unreadable.key == _reading(change(NUMBER, [broken])).unreadable[0].key
    assert unreadable.key != _reading(change(NUMBER, [{**broken, "timestamp": "2"}])).unreadable[0].key


def test_edits_revocations_and_number_changes_are_not_new_messages():
    edit = {
        "from": "4366011",
        "id": "wamid.E",
        "timestamp": "5",
        "type": "edit",
        "edit": {"original_message_id": "wamid.O", "message": {"type": "text", "text": {"body": "neu"}}},
    }
    revoke = {
        "from": "4366011",
        "id": "wamid.R",
        "timestamp": "6",
        "type": "revoke",
        "revoke": {"original_message_id": "wamid.O"},
    }
    system = {
        "from": "4366011",
        "id": "wamid.S",
        "timestamp": "7",
        "type": "system",
        "system": {"body": "changed", "wa_id": "4366099", "type": "user_changed_number"},
    }
    reading = _reading(change(NUMBER, [edit, revoke, system]))
    assert reading.messages == []
    assert reading.unreadable == []
    assert [(r.kind, r.original_wamid, r.content) for r in reading.revisions] == [
        ("edit", "wamid.O", {"type": "text", "text": {"body": "neu"}}),
        ("revoke", "wamid.O", None),
    ]
    (moved,) = reading.number_changes
    assert (moved.old_wa_id, moved.new_wa_id) == ("4366011", "4366099")


def test_an_edit_without_its_original_is_unreadable():
    edit = {"from": "4366011", "id": "wamid.E", "timestamp": "5", "type": "edit", "edit": {"message": {}}}
    reading = _reading(change(NUMBER, [edit]))
    assert reading.revisions == []
    assert "original_message_id" in reading.unreadable[0].reason


def test_other_fields_are_changes_keyed_by_content_and_time():
    # Given a template update (no number) and an echo (with metadata)
    template = {"field": "message_template_status_update", "value": {"event": "APPROVED", "message_template_id": 1}}
    echo = {"field": "smb_message_echoes", "value": {"metadata": {"phone_number_id": NUMBER}, "message_echoes": []}}
    first = _reading(template, echo, entry_time=1_795_000_000)
    # Then both are changes; the echo names its number, the template only its account
    assert [(c.field, c.phone_number_id, c.waba_id) for c in first.changes] == [
        ("message_template_status_update", None, "waba-1"),
        ("smb_message_echoes", NUMBER, "waba-1"),
    ]
    # And the same change read again has the same key; at another time, another key
    assert first.changes[0].key == _reading(template, entry_time=1_795_000_000).changes[0].key
    assert first.changes[0].key != _reading(template, entry_time=1_795_000_001).changes[0].key


def test_value_level_errors_are_a_change_of_their_own():
    value = change(NUMBER)
    value["value"]["errors"] = [{"code": 131000}]
    (errors,) = _reading(value).changes
    assert (errors.field, errors.value, errors.phone_number_id) == ("errors", [{"code": 131000}], NUMBER)
