"""Which tier a month is billed at, and what usage costs by a rate card: integer cents, one rounding rule.

Rounding: a line's amount is units x cents_per_thousand / 1,000 for each price band, summed in
thousandths of a cent and rounded half up to a whole cent once per line; the invoice total is the
sum of its lines. Tier `free` is never charged: its lines carry the usage and 0.
"""

from datetime import date

from bizline.models.billing import AllowanceUse, RateCard, TierTerms
from bizline.models.businesses import Business
from bizline.models.tiers import Tier


def first_day(month: str) -> date:
    """The first day of a month (YYYY-MM)."""
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def next_month(month: str) -> str:
    """The month after a month."""
    day = first_day(month)
    return f"{day.year + day.month // 12:04d}-{day.month % 12 + 1:02d}"


def previous_month(month: str) -> str:
    """The month before a month."""
    day = first_day(month)
    return f"{day.year - (day.month == 1):04d}-{(day.month - 2) % 12 + 1:02d}"


def tier_in_month(business: Business, month: str) -> Tier:
    """The tier in force on the month's first day: a change recorded mid-month applies from the next."""
    starts = first_day(month)
    changes = sorted(
        [*business.tier_history, *([business.pending_tier_change] if business.pending_tier_change else [])],
        key=lambda change: change.effective_from,
    )
    if not changes:
        return business.tier
    tier = changes[0].from_tier
    for change in changes:
        if change.effective_from <= starts:
            tier = change.to_tier
    return tier


def card_for(cards: list[RateCard], month: str) -> RateCard | None:
    """The card valid in a month: the latest whose valid_from is not after it."""
    valid = [card for card in cards if card.valid_from <= month]
    return max(valid, key=lambda card: card.valid_from) if valid else None


def allowances_used(terms: TierTerms, totals: dict[str, int]) -> list[AllowanceUse]:
    """Each free allowance of the tier, how much of it the month used and what remains."""
    return [
        AllowanceUse(
            meter=meter,
            included=included,
            used=min(included, totals.get(meter, 0)),
            remaining=max(0, included - totals.get(meter, 0)),
        )
        for meter, included in sorted(terms.allowances.items())
    ]


def charge_cents(terms: TierTerms, meter: str, count: int) -> int:
    """What `count` units of a meter cost in a month: past the allowance, band by band, rounded half up once."""
    billable = max(0, count - terms.allowances.get(meter, 0))
    thousandths, below = 0, 0
    for band in terms.prices.get(meter, []):
        ceiling = billable if band.up_to is None else min(billable, band.up_to)
        if ceiling > below:
            thousandths += (ceiling - below) * band.cents_per_thousand
            below = ceiling
    return (thousandths + 500) // 1000


def line_amounts(card: RateCard | None, tier: Tier, totals: dict[str, int]) -> dict[str, int]:
    """Cents per meter with usage; all 0 on tier `free` or without a card."""
    if tier is Tier.FREE or card is None:
        return dict.fromkeys(totals, 0)
    terms = card.tiers[tier]
    return {meter: charge_cents(terms, meter, count) for meter, count in totals.items()}


META_FEES_NOTE = (
    "Meta bills its own fees for WhatsApp messages to the business's WhatsApp Business Account, "
    "separately. This invoice is bizline's fee only."
)


def invoice_lines(card: RateCard | None, tier: Tier, totals: dict[str, int]) -> list[dict]:
    """One line per meter with usage: quantity and amount in cents (0 on tier `free`)."""
    amounts = line_amounts(card, tier, totals)
    return [
        {"meter": meter, "quantity": count, "amount_cents": amounts[meter]}
        for meter, count in sorted(totals.items())
        if count
    ]


def adjustment_lines(card: RateCard | None, tier: Tier, billed: dict[str, int], now: dict[str, int]) -> list[dict]:
    """What a closed month's late events change: the difference per meter, in units and cents."""
    before, after = line_amounts(card, tier, billed), line_amounts(card, tier, now)
    lines = []
    for meter in sorted(set(billed) | set(now)):
        quantity = now.get(meter, 0) - billed.get(meter, 0)
        amount = after.get(meter, 0) - before.get(meter, 0)
        if quantity or amount:
            lines.append({"meter": meter, "quantity": quantity, "amount_cents": amount})
    return lines


def invoice(
    business_id: str,
    month: str,
    tier: Tier,
    card: RateCard | None,
    totals: dict[str, int],
    adjustments: list[dict],
    closed_at: str,
) -> dict:
    """A month's invoice: its lines, the previous month's adjustments, the total, and what Meta bills apart."""
    lines = invoice_lines(card, tier, totals)
    return {
        "business_id": business_id,
        "month": month,
        "tier": str(tier),
        "rate_card": card.valid_from if card else None,
        "currency": "EUR",
        "lines": lines,
        "adjustments": adjustments,
        "total_cents": sum(line["amount_cents"] for line in [*lines, *adjustments]),
        "billed_totals": totals,
        "closed_at": closed_at,
        "rounding": "Each line is rounded half up to a whole cent; the total is the sum of the lines.",
        "note": META_FEES_NOTE,
    }
