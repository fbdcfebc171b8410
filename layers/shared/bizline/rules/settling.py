"""What an attempt's answer means for a callback delivery, and which statuses belong together.

Pure decisions: the deliveries service applies a settlement through its store, and re-queues the
task when the settlement asks for another try.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bizline.models.deliveries import CallbackResponse, DeliveryOutcome, DeliveryStatus
from bizline.rules.retries import is_retryable, next_delay, parse_retry_after

# A delivery in one of these may still be attempted.
ATTEMPTABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
FINAL_FAILURES = (
    DeliveryStatus.FAILED,
    DeliveryStatus.DEAD_LETTERED,
    DeliveryStatus.ENDPOINT_DISABLED,
    DeliveryStatus.UNSAFE_ENDPOINT,
)
# The business may ask for a fresh set of attempts once it fixed whatever stopped these.
REOPENABLE = (*FINAL_FAILURES, DeliveryStatus.NO_ENDPOINT)
# A delivery stored but not yet queued this long ago was left by an interrupted try (a Lambda
# times out after 10 s); younger, it is another copy of the same event still on its way to the queue.
ABANDONED_AFTER = timedelta(seconds=30)

# The `status` filter of the deliveries listing accepts every status a delivery can show, and two
# words name a group: `failed` is every final failure, `pending` every delivery still being attempted.
STATUS_GROUPS: dict[str, tuple[DeliveryStatus, ...]] = {"failed": FINAL_FAILURES, "pending": ATTEMPTABLE}
STATUS_FILTERS: dict[str, tuple[DeliveryStatus, ...]] = {
    **{status.value: (status,) for status in DeliveryStatus},
    **STATUS_GROUPS,
}

GONE = 410


@dataclass(frozen=True)
class Settlement:
    """How a delivery settles: the outcome to record, and what else follows from it."""

    outcome: DeliveryOutcome
    summary: str  # what happened, for the log
    disable_endpoint: bool = False
    retry_in: timedelta | None = None


def abandoned_before(now: datetime) -> datetime:
    """Stored-but-unqueued deliveries last touched before this time may be queued by someone else."""
    return now - ABANDONED_AFTER


def before_attempt(callback_url: str | None, callbacks_disabled: bool) -> Settlement | None:
    """The settlement when the business's callback settings rule out an attempt; None when one may be made."""
    if not callback_url:
        return Settlement(DeliveryOutcome(DeliveryStatus.NO_ENDPOINT), "no callback URL")
    if callbacks_disabled:
        return Settlement(
            DeliveryOutcome(DeliveryStatus.ENDPOINT_DISABLED, error="endpoint disabled"), "endpoint disabled"
        )
    return None


def unsafe_endpoint(reason: str) -> Settlement:
    """The settlement when the callback URL failed the safety check at send time."""
    return Settlement(DeliveryOutcome(DeliveryStatus.UNSAFE_ENDPOINT, error=reason), "unsafe endpoint")


def settle(
    response: CallbackResponse, attempts_made: int, now: datetime, rng: random.Random | None = None
) -> Settlement:
    """What the endpoint's answer to attempt number `attempts_made` means (Standard Webhooks retry schedule)."""
    code = response.status_code
    if code is not None and 200 <= code < 300:
        return Settlement(DeliveryOutcome(DeliveryStatus.SUCCEEDED, status_code=code), f"delivered ({code})")
    if code == GONE:
        gone = "the endpoint answered 410 Gone; callbacks are off until the URL changes"
        return Settlement(
            DeliveryOutcome(DeliveryStatus.ENDPOINT_DISABLED, status_code=code, error=gone),
            "gone: endpoint disabled",
            disable_endpoint=True,
        )
    answered = f"the endpoint answered {code}"
    if not is_retryable(code):
        return Settlement(DeliveryOutcome(DeliveryStatus.FAILED, status_code=code, error=answered), f"refused ({code})")
    wait = next_delay(attempts_made, parse_retry_after(response.retry_after), rng)
    if wait is None:
        return Settlement(
            DeliveryOutcome(DeliveryStatus.DEAD_LETTERED, status_code=code, error=response.error or answered),
            "dead-lettered",
        )
    return Settlement(
        DeliveryOutcome(DeliveryStatus.RETRYING, status_code=code, error=response.error, next_attempt_at=now + wait),
        f"retry in {int(wait.total_seconds())} s",
        retry_in=wait,
    )
