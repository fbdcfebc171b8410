"""Meta's webhook signature, Standard Webhooks signing, and the retry schedule."""

import random
from datetime import timedelta

import pytest
from bizline.rules.retries import (
    LONGEST_WAIT,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    clamp_wait,
    is_retryable,
    next_delay,
    parse_retry_after,
)
from bizline.rules.signatures import (
    meta_signature,
    meta_signature_valid,
    new_webhook_secret,
    standard_webhook_headers,
)
from standardwebhooks.webhooks import Webhook


def test_meta_signatures_check_the_exact_bytes():
    body = b'{"object":"whatsapp_business_account"}'
    header = meta_signature(body, "app-secret")
    assert header.startswith("sha256=")
    assert meta_signature_valid(body, header, "app-secret")
    assert meta_signature_valid(body, header.upper().replace("SHA256=", "sha256="), "app-secret")
    assert not meta_signature_valid(body + b" ", header, "app-secret")
    assert not meta_signature_valid(body, header, "other-secret")
    assert not meta_signature_valid(body, None, "app-secret")
    assert not meta_signature_valid(body, header, "")


def test_standard_webhooks_headers_verify_with_the_official_library():
    import time

    secret = new_webhook_secret()
    body = '{"type":"message.received"}'
    headers = standard_webhook_headers([secret], "evt_1", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"type": "message.received"}
    with pytest.raises(Exception):  # noqa: B017, PT011 - the library's own verification error
        Webhook(new_webhook_secret()).verify(body, headers)


def test_the_schedule_spans_about_three_days_with_jitter():
    total = sum(RETRY_DELAYS, timedelta())
    assert timedelta(days=2, hours=20) < total < timedelta(days=3, hours=4)
    assert RETRY_DELAYS[:4] == (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
    rng = random.Random(7)
    delays = {next_delay(1, rng=rng) for _ in range(20)}
    assert len(delays) > 1
    assert all(timedelta(seconds=4.5) <= delay <= timedelta(seconds=5.5) for delay in delays)
    assert next_delay(MAX_ATTEMPTS) is None
    assert next_delay(1, retry_after_seconds=600) >= timedelta(seconds=600)


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (None, True),
        (408, True),
        (429, True),
        (500, True),
        (503, True),
        (400, False),
        (404, False),
        (410, False),
        (301, False),
    ],
)
def test_what_is_worth_retrying(status, retry):
    assert is_retryable(status) is retry


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("1e9", 1e9),
        ("-1", None),
        ("soon", None),
        (None, None),
        ("inf", None),
        ("-inf", None),
        ("nan", None),
    ],
)
def test_retry_after_in_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


@pytest.mark.parametrize("attempts", range(1, MAX_ATTEMPTS))
def test_a_requested_wait_never_goes_beyond_the_longest_step(attempts):
    # When the receiver asks for 31 years (or more than timedelta can hold) after any attempt
    for asked in (1e9, 1e300):
        # Then the wait is the schedule's longest step at most
        assert next_delay(attempts, retry_after_seconds=asked, rng=random.Random(3)) <= LONGEST_WAIT
    assert clamp_wait(float("nan")) == timedelta(0)
    assert clamp_wait(-5) == timedelta(0)
    assert max(RETRY_DELAYS) == LONGEST_WAIT
