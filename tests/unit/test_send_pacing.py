"""Send pacing: a token bucket per phone number, and how failed sends are retried."""

import pytest
from bizline.models.phone_numbers import SendBucket
from bizline.rules.send_pacing import (
    MAX_RETRY_DELAY_SECONDS,
    MAX_SEND_ATTEMPTS,
    contended_wait,
    may_retry,
    retry_delay_seconds,
    take_token,
)

NOW = 1_795_000_000.0


def test_a_number_that_never_sent_starts_with_a_full_bucket_and_takes_one_token():
    # Given no bucket yet / When a token is asked for at 2 a second, burst 2
    pacing = take_token(None, NOW, rate=2, burst=2)
    # Then it is granted, one token is left, and the bucket is written as its first version
    assert pacing.wait_seconds == 0
    assert pacing.bucket == SendBucket(tokens=1, refilled_at=NOW, version=0)


def test_an_empty_bucket_tells_how_long_until_the_next_token():
    # Given a bucket emptied a moment ago / When a token is asked for / Then the wait is the time to refill one
    pacing = take_token(SendBucket(tokens=0, refilled_at=NOW, version=3), NOW + 0.1, rate=2, burst=2)
    assert pacing.wait_seconds == pytest.approx(0.4)
    assert pacing.bucket is None


def test_the_bucket_refills_with_time_but_never_beyond_the_burst():
    # Given a bucket emptied an hour ago / When a token is asked for
    pacing = take_token(SendBucket(tokens=0, refilled_at=NOW - 3600, version=7), NOW, rate=2, burst=2)
    # Then it holds the burst again, gives one, and the next version is written
    assert pacing.wait_seconds == 0
    assert pacing.bucket == SendBucket(tokens=1, refilled_at=NOW, version=8)


def test_a_burst_gets_the_bucket_full_then_waits():
    # Given a fresh number sending five at once at 2 a second
    bucket, granted = None, 0
    for _ in range(5):
        pacing = take_token(bucket, NOW, rate=2, burst=2)
        if pacing.wait_seconds == 0:
            bucket, granted = pacing.bucket, granted + 1
    # Then two go out and the others wait half a second
    assert granted == 2
    assert take_token(bucket, NOW, rate=2, burst=2).wait_seconds == pytest.approx(0.5)


def test_when_other_senders_keep_winning_the_bucket_a_sender_waits_one_tokens_worth():
    assert contended_wait(80) == pytest.approx(1 / 80)


@pytest.mark.parametrize(
    ("retryable", "attempt", "retried"),
    [(True, 1, True), (True, MAX_SEND_ATTEMPTS - 1, True), (True, MAX_SEND_ATTEMPTS, False), (False, 1, False)],
)
def test_only_passing_errors_are_retried_and_only_so_often(retryable, attempt, retried):
    assert may_retry(retryable, attempt) is retried


def test_retries_back_off_exponentially_within_the_queues_delay_limit():
    assert [retry_delay_seconds(attempt) for attempt in range(1, 6)] == [2, 4, 8, 16, 32]
    assert retry_delay_seconds(20) == MAX_RETRY_DELAY_SECONDS == 900


def test_up_to_ten_tokens_are_taken_in_one_go_and_never_more_than_the_bucket_holds():
    from bizline.rules.send_pacing import take_tokens

    granted, pacing = take_tokens(None, 100.0, rate=80, burst=80, wanted=10)
    assert (granted, pacing.bucket.tokens) == (10, 70)
    granted, pacing = take_tokens(SendBucket(tokens=2.5, refilled_at=100.0, version=3), 100.0, 80, 80, 10)
    assert (granted, pacing.bucket.tokens, pacing.bucket.version) == (2, 0.5, 4)
    granted, pacing = take_tokens(SendBucket(tokens=0.2, refilled_at=100.0, version=3), 100.0, 80, 80, 10)
    assert (granted, pacing.bucket) == (0, None)
    assert pacing.wait_seconds == pytest.approx(0.8 / 80)
