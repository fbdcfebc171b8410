"""Fair-use caps at the door: a request that would pass a cap of the business's tier is refused (429).

Refused before anything is stored or queued, so nothing accepted is ever dropped later. A tier
whose rate card caps none of the meters a request adds to costs one card read and no usage read.
"""

from datetime import datetime

from bizline.adapters import accounts_store, billing_store, usage_store
from bizline.clock import to_iso, utc_now
from bizline.errors import QuotaExceeded
from bizline.rules import billing, fair_use, metering


def ensure_within_caps(business_id: str, meters: list[str], now: datetime | None = None) -> None:
    """Raise 429 quota_exceeded when one more unit of any of `meters` would pass the tier's cap this month."""
    now = now or utc_now()
    month = metering.month_of(now)
    business = accounts_store.get_business(business_id)
    if business is None:
        return
    card = billing.card_for(billing_store.rate_cards(), month)
    terms = card.tiers[billing.tier_in_month(business, month)] if card else None
    if not fair_use.capped_meters(terms, meters):
        return
    totals = metering.month_totals(usage_store.month_usage(business_id, month, metering.SHARDS))
    reached = fair_use.reached_caps(terms, meters, totals, month)
    if reached:
        raise QuotaExceeded(
            fair_use.message(reached[0]),
            details=[
                {
                    "message": fair_use.message(cap),
                    "type": "quota_exceeded",
                    "meter": cap.meter,
                    "cap": cap.cap,
                    "used": cap.used,
                    "resets_at": to_iso(cap.resets_at),
                }
                for cap in reached
            ],
        )


def ensure_send_within_caps(business_id: str, billing_category: str, now: datetime) -> None:
    """POST /v1/messages: 429 quota_exceeded when the send would pass a cap of the business's tier."""
    ensure_within_caps(business_id, fair_use.send_meters(billing_category), now)
