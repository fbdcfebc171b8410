"""The 24-hour customer service window and the billing category of replies."""

from datetime import UTC, datetime, timedelta

import pytest
from bizline.rules.service_window import expires_at, is_open, may_send, reply_billing_category, unread_since_read

WROTE = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


def test_the_window_closes_24_hours_after_the_customers_last_message():
    # Given a customer who last wrote at 09:30 / When / Then the window closes at 09:30 the next day
    assert expires_at(WROTE) == datetime(2026, 11, 19, 9, 30, tzinfo=UTC)


def test_a_customer_who_never_wrote_has_no_window():
    assert expires_at(None) is None
    assert not is_open(None, WROTE)


@pytest.mark.parametrize(
    ("later", "open_"),
    [
        (timedelta(0), True),
        (timedelta(hours=23, minutes=59, seconds=59), True),
        (timedelta(hours=24), False),
        (timedelta(hours=25), False),
    ],
)
def test_the_window_is_open_until_it_closes_not_at_the_moment_it_closes(later, open_):
    assert is_open(WROTE, WROTE + later) is open_


@pytest.mark.parametrize(
    ("message_type", "last_inbound_at", "allowed"),
    [
        ("template", None, True),
        ("template", WROTE - timedelta(days=3), True),
        ("text", WROTE - timedelta(hours=1), True),
        ("image", WROTE - timedelta(hours=1), True),
        ("text", WROTE - timedelta(hours=25), False),
        ("text", None, False),
    ],
)
def test_templates_go_out_at_any_time_everything_else_only_within_the_window(message_type, last_inbound_at, allowed):
    assert may_send(message_type, last_inbound_at, WROTE) is allowed


def test_templates_are_billed_as_templates_everything_else_as_service():
    assert reply_billing_category("template") == "template"
    assert [reply_billing_category(kind) for kind in ("text", "image", "document")] == ["service"] * 3


def test_a_conversation_is_unread_when_the_customer_wrote_after_the_team_last_opened_it():
    # Given a customer who wrote at 10:00
    wrote = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    # Then it is unread if never opened or opened before, read if opened at or after
    assert unread_since_read(wrote, None)
    assert unread_since_read(wrote, wrote - timedelta(seconds=1))
    assert not unread_since_read(wrote, wrote)
    # And a conversation the customer never wrote in has nothing unread
    assert not unread_since_read(None, None)
