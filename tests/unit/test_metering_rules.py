"""What a message change counts, how a batch becomes transactions, and the month a count belongs to."""

from datetime import UTC, datetime, timedelta, timezone

from bizline.models.usage import Meter, MonthUsage, UsageEvent
from bizline.rules.metering import (
    MAX_TRANSACTION_ITEMS,
    category_meter,
    counter_deltas,
    distinct,
    message_events,
    month_of,
    month_totals,
    plan_transactions,
    review_events,
)

SENT = "2026-03-10T12:00:00+00:00"


def _reply(**fields):
    return {"business_id": "biz_1", "message_id": "msg_1", "direction": "outbound", "sent_at": SENT, **fields}


def test_an_inbound_message_counts_once_when_stored_and_never_on_later_changes():
    inbound = {"business_id": "biz_1", "message_id": "msg_in", "direction": "inbound", "sent_at": SENT}
    assert [event.meter for event in message_events(None, inbound)] == [Meter.INBOUND]
    assert message_events(inbound, {**inbound, "edited_at": SENT}) == []


def test_a_reply_counts_its_submission_then_the_category_meta_prices_once():
    accepted = _reply(status="accepted")
    submitted = _reply(status="submitted", wamid="wamid.1")
    pricing = '{"billable": false, "category": "service", "pricing_model": "PMP", "type": "free_customer_service"}'
    sent = {**submitted, "status": "sent", "pricing": pricing}
    assert message_events(None, accepted) == []
    assert [event.meter for event in message_events(accepted, submitted)] == [Meter.SUBMITTED]
    assert [event.meter for event in message_events(submitted, sent)] == [Meter.SERVICE, Meter.META_NOT_BILLABLE]
    # A repeated or later status keeps the first pricing: nothing new to count
    assert message_events(sent, {**sent, "status": "delivered"}) == []


def test_metas_categories_map_to_meters_and_an_unknown_one_is_kept():
    assert category_meter({"category": "marketing_lite"}) is Meter.MARKETING
    assert category_meter({"category": "authentication-international"}) is Meter.AUTHENTICATION
    assert category_meter({"category": "UTILITY"}) is Meter.UTILITY
    assert category_meter({"category": "referral_conversion"}) is Meter.OTHER_CATEGORY


def test_a_newsletter_message_counts_a_recipient_when_submitted():
    events = message_events(_reply(status="accepted"), _reply(status="submitted", wamid="w", newsletter_id="nl_1"))
    assert [event.meter for event in events] == [Meter.SUBMITTED, Meter.NEWSLETTER_RECIPIENTS]


def test_a_failure_without_pricing_counts_failed_once():
    submitted = _reply(status="submitted", wamid="w")
    failed = {**submitted, "status": "failed"}
    assert [event.meter for event in message_events(submitted, failed)] == [Meter.FAILED]
    assert message_events(failed, failed) == []


def test_events_keep_their_key_whichever_record_tells_them():
    submitted = _reply(status="submitted", wamid="w")
    again = message_events(_reply(status="accepted"), submitted)
    assert again == message_events({**_reply(status="sending")}, submitted)


def test_the_month_is_utc_and_ends_at_23_59_59_999():
    last = datetime(2026, 1, 31, 23, 59, 59, 999_000, tzinfo=UTC)
    assert month_of(last) == "2026-01"
    assert month_of(last + timedelta(milliseconds=1)) == "2026-02"
    assert month_of(datetime(2026, 2, 1, 0, 59, tzinfo=timezone(timedelta(hours=1)))) == "2026-01"


def test_a_decided_review_counts_and_other_transitions_do_not():
    entry = {"business_id": "biz_1", "request_id": "vrq_1", "entry_id": "e1", "at": SENT, "to_state": "approved"}
    assert [event.meter for event in review_events(entry)] == [Meter.REVIEWS]
    assert review_events({**entry, "to_state": "in_review"}) == []


def _events(count: int, days: int = 1) -> list[UsageEvent]:
    return [
        UsageEvent("biz_1", "2026-03", f"2026-03-{1 + index % days:02d}", Meter.MARKETING, f"k{index}")
        for index in range(count)
    ]


def test_a_batch_becomes_transactions_of_at_most_100_items_markers_and_counters_included():
    for days in (1, 3, 31):
        chunks = plan_transactions(_events(250, days))
        assert sum(len(chunk) for chunk in chunks) == 250
        for chunk in chunks:
            assert len(chunk) + len(counter_deltas(chunk)) <= MAX_TRANSACTION_ITEMS


def test_a_chunk_writes_one_counter_per_business_and_day_whatever_its_size():
    chunk = _events(90)
    deltas = counter_deltas(chunk)
    assert len(deltas) == 1
    assert deltas[0].counts == {Meter.MARKETING: 90}


def test_the_same_news_twice_in_a_batch_is_one_event():
    events = _events(3)
    assert distinct([*events, *events]) == events


def test_unconfirmed_is_settled_per_day_and_never_negative():
    usage = MonthUsage("biz_1", "2026-03")
    usage.add("2026-03-01", {"submitted": 3, "utility": 1, "failed": 1})
    usage.add("2026-03-02", {"marketing": 2})  # priced before their submissions were counted
    totals = month_totals(usage)
    assert totals["unconfirmed"] == 1
    assert totals["submitted"] == 3
