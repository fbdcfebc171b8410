"""How fast and how often a phone number's replies go out: a token bucket per number, and retries.

The bucket holds at most `burst` tokens and refills at `rate` tokens a second; each send takes one.
"""

from dataclasses import dataclass

from bizline.models.phone_numbers import SendBucket

MAX_SEND_ATTEMPTS = 8
MAX_RETRY_DELAY_SECONDS = 900  # SQS's limit for one message's delay


@dataclass(frozen=True)
class Pacing:
    """The outcome of asking for a token: 0 seconds and the bucket to write, or the seconds to wait."""

    wait_seconds: float
    bucket: SendBucket | None = None


def take_token(bucket: SendBucket | None, now_seconds: float, rate: float, burst: float) -> Pacing:
    """Refill the bucket for the time passed and take one token; a number never seen starts full."""
    if bucket is None:
        tokens, version = burst, -1
    else:
        tokens = min(burst, bucket.tokens + (now_seconds - bucket.refilled_at) * rate)
        version = bucket.version
    if tokens < 1:
        return Pacing(wait_seconds=(1 - tokens) / rate)
    return Pacing(wait_seconds=0.0, bucket=SendBucket(tokens=tokens - 1, refilled_at=now_seconds, version=version + 1))


def take_tokens(
    bucket: SendBucket | None, now_seconds: float, rate: float, burst: float, wanted: int
) -> tuple[int, Pacing]:
    """Take up to `wanted` tokens at once (as many whole ones as the bucket holds): how many, and the outcome."""
    first = take_token(bucket, now_seconds, rate, burst)
    if first.bucket is None:
        return 0, first
    granted = max(1, min(wanted, int(first.bucket.tokens) + 1))
    left = first.bucket.tokens - (granted - 1)
    return granted, Pacing(0.0, SendBucket(tokens=left, refilled_at=now_seconds, version=first.bucket.version))


def contended_wait(rate: float) -> float:
    """The wait when other senders kept winning the bucket: one token's worth."""
    return 1.0 / rate


def may_retry(retryable: bool, attempt: int) -> bool:
    """Whether a failed send is tried again: only a passing error, and only so often."""
    return retryable and attempt < MAX_SEND_ATTEMPTS


def retry_delay_seconds(attempt: int) -> int:
    """Exponential backoff for the next try of a send, within SQS's delay limit."""
    return min(2**attempt, MAX_RETRY_DELAY_SECONDS)
