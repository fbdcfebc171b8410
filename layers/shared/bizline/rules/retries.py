"""When to try a callback again: the Standard Webhooks schedule, with jitter, over about three days."""

import random
from datetime import timedelta

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
        delay = max(delay, timedelta(seconds=retry_after_seconds))
    return delay


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds (the HTTP-date form is rare from webhook receivers and ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
