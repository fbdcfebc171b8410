"""A business's usage for a month (and every business's, for operators), and the rate cards that price it."""

from bizline.adapters import accounts_store, billing_store, cursors, usage_store
from bizline.clock import utc_now
from bizline.errors import NotFound
from bizline.models.billing import DayUsage, RateCard, UsageReport, UsageReportList
from bizline.models.businesses import Business
from bizline.rules import billing, metering


def current_month() -> str:
    """This month (UTC)."""
    return metering.month_of(utc_now())


def _business(business_id: str) -> Business:
    business = accounts_store.get_business(business_id)
    if business is None:
        raise NotFound("No such business.")
    return business


def report(business: Business, month: str, cards: list[RateCard] | None = None) -> UsageReport:
    """A business's counts for a month, with the tier and card that apply and the allowances used."""
    usage = usage_store.month_usage(business.business_id, month, metering.SHARDS)
    totals = metering.month_totals(usage)
    tier = billing.tier_in_month(business, month)
    card = billing.card_for(billing_store.rate_cards() if cards is None else cards, month)
    terms = card.tiers[tier] if card else None
    return UsageReport(
        business_id=business.business_id,
        month=month,
        tier=tier,
        rate_card=card.valid_from if card else None,
        totals=totals,
        days=[
            DayUsage(day=day, counts=metering.with_unconfirmed(counts)) for day, counts in sorted(usage.days.items())
        ],
        allowances=billing.allowances_used(terms, totals) if terms else [],
        caps=dict(terms.caps) if terms else {},
    )


def usage_of(business_id: str, month: str | None) -> UsageReport:
    """GET /v1/usage: the business's own usage in a month (this month by default)."""
    return report(_business(business_id), month or current_month())


ADMIN_USAGE_SCOPE = "admin-usage"


def _page_key(month: str, business_id: str) -> dict:
    return {"month": {"S": month}, "business_id": {"S": business_id}}


def usage_of_everyone(month: str | None, limit: int = 50, cursor: str | None = None) -> UsageReportList:
    """GET /admin/usage: the businesses with usage in a month, in id order, a page at a time."""
    month = month or current_month()
    after = cursors.decode_cursor(cursor, cursors.in_partition("month", month), ADMIN_USAGE_SCOPE)
    after_id = after["business_id"]["S"] if after else ""
    remaining = [business_id for business_id in usage_store.businesses_with_usage(month) if business_id > after_id]
    page = remaining[:limit]
    cards = billing_store.rate_cards()
    items = []
    for business_id in page:
        business = accounts_store.get_business(business_id)
        if business is not None:
            items.append(report(business, month, cards))
    more = len(remaining) > len(page)
    next_cursor = cursors.encode_cursor(_page_key(month, page[-1]), ADMIN_USAGE_SCOPE) if more else None
    return UsageReportList(month=month, items=items, next_cursor=next_cursor)


def publish_rate_card(card: RateCard) -> RateCard:
    """Store a new rate card version (valid from its month until the next version's)."""
    billing_store.put_rate_card(card)
    return card


def list_rate_cards() -> list[RateCard]:
    """Every rate card version, oldest first."""
    return billing_store.rate_cards()
