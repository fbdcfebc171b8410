"""Metered usage: what is counted (meters), one countable event, and a business's counts for a month.

A meter is one counter per business, month (UTC) and day. Outbound messages are counted by the
category Meta reports in the status webhook's `pricing` object; `submitted` counts every reply Meta
accepted, so the ones Meta never confirmed (`unconfirmed`) are `submitted - priced - failed`.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Meter(StrEnum):
    INBOUND = "inbound"
    # Meta's pricing categories (status webhook `pricing.category`).
    SERVICE = "service"
    MARKETING = "marketing"
    UTILITY = "utility"
    AUTHENTICATION = "authentication"
    # A category Meta reports that bizline does not know yet: counted, never dropped.
    OTHER_CATEGORY = "other_category"
    # Replies Meta accepted (it named them with a wamid), and those it reported failed unpriced.
    SUBMITTED = "submitted"
    FAILED = "failed"
    # Of the priced ones, how many Meta itself did not bill (`pricing.billable` false).
    META_NOT_BILLABLE = "meta_not_billable"
    # Messages sent for a newsletter (the message carries `newsletter_id`): one per recipient.
    NEWSLETTER_RECIPIENTS = "newsletter_recipients"
    # Verification reviews decided (approved or rejected).
    REVIEWS = "reviews"
    # Callbacks delivered to the business's endpoint: a delivery that succeeded (the deliveries table's stream).
    CALLBACKS = "callbacks"


OUTBOUND_CATEGORIES = (Meter.SERVICE, Meter.MARKETING, Meter.UTILITY, Meter.AUTHENTICATION, Meter.OTHER_CATEGORY)
# Derived, never stored: sends Meta never confirmed with a price or a failure.
UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class UsageEvent:
    """One countable thing: `key` names it for good (a replayed stream record yields the same key)."""

    business_id: str
    month: str  # YYYY-MM (UTC)
    day: str  # YYYY-MM-DD (UTC)
    meter: Meter
    key: str


@dataclass(frozen=True)
class CounterDelta:
    """What one transaction adds to one counter item: a business's day, in one shard."""

    business_id: str
    month: str
    day: str
    shard: int
    counts: dict[Meter, int]


@dataclass
class MonthUsage:
    """A business's counts for one month: per day and meter, and the month's totals."""

    business_id: str
    month: str
    days: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, day: str, counts: dict[str, int]) -> None:
        today = self.days.setdefault(day, {})
        for meter, count in counts.items():
            today[meter] = today.get(meter, 0) + count
