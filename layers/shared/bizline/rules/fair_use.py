"""Fair-use caps: which of a tier's monthly caps a new unit of usage would pass, and when they reset.

A cap is the most units of a meter a business may use in a calendar month (UTC), from the rate
card's terms for its tier; a meter without a cap is unlimited. A cap reached refuses what would
add to it (429 quota_exceeded) until the first instant of the next month, when every cap resets.
Counts come from the metered usage, which trails the streams by seconds: a burst may pass a cap
by what is still in flight, never silently lose what was accepted.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from bizline.models.billing import TierTerms
from bizline.rules.billing import first_day, next_month


@dataclass(frozen=True)
class ReachedCap:
    """A cap that a new unit of `meter` would pass: the cap, what the month used, when it resets."""

    meter: str
    cap: int
    used: int
    resets_at: datetime


def resets_at(month: str) -> datetime:
    """When a month's caps reset: the first instant of the next month (UTC)."""
    day = first_day(next_month(month))
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def capped_meters(terms: TierTerms | None, meters: list[str]) -> list[str]:
    """The meters among `meters` that the terms cap (no terms: none is capped)."""
    return [meter for meter in meters if terms is not None and meter in terms.caps]


def reached_caps(terms: TierTerms | None, meters: list[str], totals: dict[str, int], month: str) -> list[ReachedCap]:
    """The caps one more unit of each meter would pass, in the order the meters were asked."""
    return [
        ReachedCap(meter, terms.caps[meter], totals.get(meter, 0), resets_at(month))
        for meter in capped_meters(terms, meters)
        if terms is not None and totals.get(meter, 0) >= terms.caps[meter]
    ]


def send_meters(billing_category: str) -> list[str]:
    """The meters a reply adds to when accepted: every send is `submitted`; a free-form one is `service`.

    A template's category is Meta's to decide (the status webhook's pricing tells it): caps on the
    template categories are enforced on the `submitted` count, not guessed at send time.
    """
    return ["submitted", *(["service"] if billing_category == "service" else [])]


def message(reached: ReachedCap) -> str:
    """The error message naming the cap and when it resets."""
    return (
        f"The fair-use cap of {reached.cap} {reached.meter} per month for your tier is reached "
        f"({reached.used} used); it resets at {reached.resets_at.strftime('%Y-%m-%dT%H:%M:%SZ')}."
    )
