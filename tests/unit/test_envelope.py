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
