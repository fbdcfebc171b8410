"""What an attempt's answer means for a callback delivery: pure decisions, no AWS."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from bizline.models.deliveries import CallbackResponse, DeliveryOutcome, DeliveryStatus
from bizline.rules.retries import LONGEST_WAIT, MAX_ATTEMPTS, due_at
from bizline.rules.settling import (
    ABANDONED_AFTER,
    ATTEMPTABLE,
    FINAL_FAILURES,
    REOPENABLE,
    STATUS_FILTERS,
    abandoned_before,
    before_attempt,
    settle,
    unsafe_endpoint,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("code", [200, 201, 204, 299])
def test_a_2xx_succeeds(code):
    # When the endpoint answers 2xx to the first attempt
    settlement = settle(CallbackResponse(code), 1, NOW)
    # Then the delivery succeeded, nothing else follows
    assert settlement.outcome == DeliveryOutcome(DeliveryStatus.SUCCEEDED, status_code=code)
    assert settlement.summary == f"delivered ({code})"
    assert (settlement.disable_endpoint, settlement.retry_in) == (False, None)


def test_410_gone_disables_the_endpoint():
    # When the endpoint answers 410 Gone
    settlement = settle(CallbackResponse(410), 3, NOW)
    # Then the delivery is endpoint_disabled, and the business's callbacks are switched off, not retried
    assert settlement.outcome.status is DeliveryStatus.ENDPOINT_DISABLED
    assert settlement.outcome.status_code == 410
    assert "410 Gone" in settlement.outcome.error
    assert (settlement.disable_endpoint, settlement.retry_in) == (True, None)
    assert settlement.summary == "gone: endpoint disabled"


@pytest.mark.parametrize("code", [301, 400, 401, 404, 422])
def test_a_refusal_not_worth_retrying_fails(code):
    # When the endpoint answers with a status a retry cannot change
    settlement = settle(CallbackResponse(code), 1, NOW)
    # Then the delivery failed for good
    assert settlement.outcome == DeliveryOutcome(
        DeliveryStatus.FAILED, status_code=code, error=f"the endpoint answered {code}"
    )
    assert (settlement.summary, settlement.disable_endpoint, settlement.retry_in) == (f"refused ({code})", False, None)


@pytest.mark.parametrize(
    ("response", "attempts", "base"),
    [
        (CallbackResponse(500), 1, timedelta(seconds=5)),
        (CallbackResponse(503), 2, timedelta(minutes=5)),
        (CallbackResponse(408), 3, timedelta(minutes=30)),
        (CallbackResponse(None, error="timeout"), 4, timedelta(hours=2)),
    ],
)
def test_a_retryable_answer_with_attempts_left_retries_on_the_schedule(response, attempts, base):
    # When a retryable answer comes back with attempts left
    settlement = settle(response, attempts, NOW, random.Random(3))
    # Then the delivery is retrying, due after the scheduled wait (within the 10 % jitter)
    assert settlement.outcome.status is DeliveryStatus.RETRYING
    assert (settlement.outcome.status_code, settlement.outcome.error) == (response.status_code, response.error)
    assert base * 0.9 <= settlement.retry_in <= base * 1.1
    assert settlement.outcome.next_attempt_at == NOW + settlement.retry_in
    assert settlement.summary == f"retry in {int(settlement.retry_in.total_seconds())} s"
    assert settlement.disable_endpoint is False


def test_retry_after_is_honoured_when_longer_than_the_schedule():
    # When a 429 asks for two minutes after the first attempt (the schedule says 5 s)
    settlement = settle(CallbackResponse(429, retry_after="120"), 1, NOW)
    # Then the next attempt waits at least those two minutes
    assert settlement.retry_in >= timedelta(seconds=120)
    assert settlement.outcome.next_attempt_at >= NOW + timedelta(seconds=120)


@pytest.mark.parametrize(
    ("response", "error"),
    [(CallbackResponse(500), "the endpoint answered 500"), (CallbackResponse(None, error="timeout"), "timeout")],
)
def test_out_of_attempts_the_delivery_is_dead_lettered(response, error):
    # When the last attempt gets a retryable answer too
    settlement = settle(response, MAX_ATTEMPTS, NOW)
    # Then the delivery is dead-lettered, with the last answer, and not re-queued
    assert settlement.outcome == DeliveryOutcome(
        DeliveryStatus.DEAD_LETTERED, status_code=response.status_code, error=error
    )
    assert (settlement.summary, settlement.retry_in) == ("dead-lettered", None)


def test_settings_that_rule_out_an_attempt():
    # Given no callback URL, then a disabled endpoint, then working settings
    assert before_attempt(None, callbacks_disabled=False).outcome == DeliveryOutcome(DeliveryStatus.NO_ENDPOINT)
    assert before_attempt("", callbacks_disabled=True).outcome.status is DeliveryStatus.NO_ENDPOINT
    disabled = before_attempt("https://hooks.example/in", callbacks_disabled=True)
    assert disabled.outcome == DeliveryOutcome(DeliveryStatus.ENDPOINT_DISABLED, error="endpoint disabled")
    assert disabled.disable_endpoint is False  # already off: nothing more to switch off
    assert before_attempt("https://hooks.example/in", callbacks_disabled=False) is None


def test_an_unsafe_endpoint_settles_with_the_reason():
    settlement = unsafe_endpoint("The callback URL must use https.")
    assert settlement.outcome == DeliveryOutcome(
        DeliveryStatus.UNSAFE_ENDPOINT, error="The callback URL must use https."
    )
    assert (settlement.summary, settlement.retry_in) == ("unsafe endpoint", None)


def test_status_groups_cover_every_status_once():
    # Every status is attemptable, succeeded, or one the business may reopen
    grouped = [*ATTEMPTABLE, DeliveryStatus.SUCCEEDED, *REOPENABLE]
    assert sorted(grouped) == sorted(DeliveryStatus)
    # And the listing's filters accept every status the API shows; `failed` and `pending` name groups
    assert set(STATUS_FILTERS) == {status.value for status in DeliveryStatus}
    assert STATUS_FILTERS["failed"] == FINAL_FAILURES
    assert STATUS_FILTERS["pending"] == (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
    for status in set(DeliveryStatus) - {DeliveryStatus.FAILED, DeliveryStatus.PENDING}:
        assert STATUS_FILTERS[status.value] == (status,)
    assert set(FINAL_FAILURES) == {"failed", "dead_lettered", "endpoint_disabled", "unsafe_endpoint"}


@pytest.mark.parametrize("retry_after", ["inf", "Infinity", "-inf", "nan", "1e9", "1e308", "99999999999999999999"])
def test_a_retry_after_no_schedule_can_mean_is_clamped_to_the_schedule(retry_after):
    # Given an endpoint answering 503 with an absurd Retry-After to the first attempt
    response = CallbackResponse(503, retry_after=retry_after)
    # When the attempt settles
    settlement = settle(response, 1, NOW, random.Random(7))
    # Then it is retried, no later than the schedule's longest wait
    assert settlement.outcome.status is DeliveryStatus.RETRYING
    assert timedelta(seconds=4) <= settlement.retry_in <= LONGEST_WAIT
    assert settlement.outcome.next_attempt_at == NOW + settlement.retry_in


def test_a_reasonable_retry_after_is_honoured():
    # When the endpoint asks for an hour's pause after the first attempt (whose own wait is 5 s)
    settlement = settle(CallbackResponse(429, retry_after="3600"), 1, NOW, random.Random(7))
    # Then the next attempt waits that hour
    assert settlement.retry_in == timedelta(hours=1)


def test_a_delivery_scheduled_decades_ahead_is_due_after_the_longest_wait():
    # Given a delivery scheduled 31 years ahead before waits were clamped
    last_attempt = NOW - timedelta(hours=1)
    scheduled = NOW + timedelta(seconds=1e9)
    # Then it is due the longest wait after its last attempt; a sane schedule is kept as is
    assert due_at(scheduled, last_attempt) == last_attempt + LONGEST_WAIT
    assert due_at(NOW + timedelta(minutes=5), last_attempt) == NOW + timedelta(minutes=5)


def test_a_delivery_left_unqueued_longer_than_a_lambda_runs_counts_as_abandoned():
    # Given now
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    # When asking which unqueued deliveries were abandoned
    cutoff = abandoned_before(now)
    # Then those untouched for longer than a function's timeout (10 s) and the 30 s margin
    assert cutoff == now - timedelta(seconds=30)
    assert timedelta(seconds=10) < ABANDONED_AFTER
