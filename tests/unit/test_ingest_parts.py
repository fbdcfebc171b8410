"""Envelopes as the ingest queue carries them: whole when they fit, else split by entry and change."""

import json

import pytest
from bizline.rules.ingest_parts import EnvelopeTooLarge, batches, queue_bodies


def _envelope(*entries):
    return {"object": "whatsapp_business_account", "entry": list(entries)}


def _entry(waba, *changes):
    return {"id": waba, "time": 1795000000, "changes": list(changes)}


def _messages_change(count, size=100, number="1098765432"):
    return {
        "field": "messages",
        "value": {
            "metadata": {"phone_number_id": number},
            "contacts": [{"wa_id": "43660"}],
            "messages": [{"id": f"wamid.{n}", "text": {"body": "x" * size}} for n in range(count)],
        },
    }


def _items(bodies):
    """Every (entry id, field, message id) the bodies carry, and the other fields each change kept."""
    found = []
    for body in bodies:
        for entry in json.loads(body)["entry"]:
            for change in entry["changes"]:
                value = change["value"]
                assert value["metadata"]
                assert value["contacts"]
                found += [(entry["id"], change["field"], m["id"]) for m in value["messages"]]
    return sorted(found)


def test_an_envelope_that_fits_is_carried_as_it_came():
    raw = json.dumps(_envelope(_entry("w", _messages_change(3))), indent=3)
    assert queue_bodies(raw, json.loads(raw)) == [raw]


def test_a_large_envelope_is_split_by_entry_and_change_and_every_item_is_in_exactly_one_part():
    # Given two entries, one with two changes, in all larger than the limit
    envelope = _envelope(_entry("w1", _messages_change(5), _messages_change(5)), _entry("w2", _messages_change(40)))
    raw = json.dumps(envelope)
    # When it is cut for a queue of 2,000-byte messages
    bodies = queue_bodies(raw, envelope, limit=2_000)
    # Then every part fits, keeps the envelope's shape, and together they hold every message once
    assert all(len(body.encode()) <= 2_000 for body in bodies)
    assert all(json.loads(body)["object"] == "whatsapp_business_account" for body in bodies)
    expected = [("w1", "messages", f"wamid.{n}") for n in range(5)] * 2
    expected += [("w2", "messages", f"wamid.{n}") for n in range(40)]
    assert _items(bodies) == sorted(expected)


def test_one_item_larger_than_a_message_cannot_be_queued():
    envelope = _envelope(_entry("w", _messages_change(1, size=5_000)))
    with pytest.raises(EnvelopeTooLarge):
        queue_bodies(json.dumps(envelope), envelope, limit=2_000)


def test_bodies_are_grouped_ten_at_most_and_within_the_limit():
    groups = batches(["a" * 300] * 25, limit=1_000)
    assert [len(group) for group in groups] == [3] * 8 + [1]
    assert [body for group in groups for body in group] == ["a" * 300] * 25
    assert [len(group) for group in batches(["a"] * 25)] == [10, 10, 5]
