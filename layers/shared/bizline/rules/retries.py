"""When to try a callback again: the Standard Webhooks schedule, with jitter, over about three days."""

import math
import random
from datetime import datetime, timedelta

# After the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, ... (about 3 days in all).
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=14),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1
# A receiver's `Retry-After` may stretch a wait up to the schedule's longest step, never beyond:
# `inf`, `1e9` or a date decades ahead would otherwise park a delivery for good.
LONGEST_WAIT = max(RETRY_DELAYS)

RETRYABLE_STATUS = {408, 429}


def is_retryable(status_code: int | None) -> bool:
    """Timeouts and connection errors (no status), 408, 429 and 5xx are worth another try."""
    return status_code is None or status_code in RETRYABLE_STATUS or status_code >= 500


def next_delay(
    attempts_made: int, retry_after_seconds: float | None = None, rng: random.Random | None = None
) -> timedelta | None:
    """The wait before the next attempt, or None when `attempts_made` used them all."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    base = RETRY_DELAYS[attempts_made - 1]
    jitter = (rng or random.Random()).uniform(-JITTER, JITTER)  # noqa: S311 - spreading load, not a secret
    delay = base * (1 + jitter)
    if retry_after_seconds is not None:
        delay = max(delay, clamp_wait(retry_after_seconds))
    return delay


def clamp_wait(seconds: float) -> timedelta:
    """A wait the receiver asked for, clamped to [0, LONGEST_WAIT] (not-a-number counts as nothing asked)."""
    if math.isnan(seconds) or seconds <= 0:
        return timedelta(0)
    return min(LONGEST_WAIT, timedelta(seconds=min(seconds, LONGEST_WAIT.total_seconds())))


def due_at(next_attempt_at: datetime, last_attempt_at: datetime) -> datetime:
    """When a scheduled attempt is due: never later than the longest wait after the last attempt.

    A delivery scheduled before waits were clamped may carry a time years ahead; it is due by then.
    """
    return min(next_attempt_at, last_attempt_at + LONGEST_WAIT)


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds (the HTTP-date form is rare from webhook receivers and ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    # `inf`, `nan` and negatives are no wait a receiver can mean; a finite one is clamped by next_delay.
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
