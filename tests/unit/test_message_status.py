"""Which status may replace which: Meta's statuses arrive out of order, and only move a message forward."""

import pytest
from bizline.rules.message_status import (
    ACCEPTED,
    RECEIVED,
    SENDING,
    STATUS_RANK,
    SUBMITTED,
    awaits_sending,
    may_replace,
    rank_of,
)


def test_statuses_rank_sent_delivered_read_and_failed_ranks_with_read():
    assert [rank_of(status) for status in ("sent", "delivered", "read", "failed")] == [1, 2, 3, 3]
    assert STATUS_RANK["failed"] == STATUS_RANK["read"]


@pytest.mark.parametrize("status", [ACCEPTED, SENDING, SUBMITTED, RECEIVED, "deleted", ""])
def test_bizlines_own_states_and_unknown_statuses_rank_zero(status):
    assert rank_of(status) == 0


@pytest.mark.parametrize(
    ("current", "incoming", "replaces"),
    [
        (SUBMITTED, "sent", True),
        (SUBMITTED, "read", True),
        ("sent", "delivered", True),
        ("delivered", "read", True),
        ("delivered", "failed", True),
        # A late `delivered` never overwrites `read`
        ("read", "delivered", False),
        ("read", "sent", False),
        ("delivered", "delivered", False),
        # `failed` and `read` rank alike: neither replaces the other
        ("read", "failed", False),
        ("failed", "read", False),
        # A status Meta may add later moves nothing
        (SUBMITTED, "deleted", False),
    ],
)
def test_a_status_replaces_only_one_of_lower_rank(current, incoming, replaces):
    assert may_replace(rank_of(current), incoming) is replaces


@pytest.mark.parametrize(
    ("status", "awaits"), [(ACCEPTED, True), (SENDING, True), (SUBMITTED, False), ("read", False), ("failed", False)]
)
def test_only_accepted_and_claimed_replies_await_sending(status, awaits):
    assert awaits_sending(status) is awaits
