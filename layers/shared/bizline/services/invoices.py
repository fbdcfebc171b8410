"""The monthly close and a business's invoices.

Closing a month freezes each business's invoice for it: written once (a second close finds it and
changes nothing), never rewritten. Events counted for a month after its close (a late status from
Meta, a replayed stream) are booked on the next month's invoice as adjustments for that month:
the difference between the closed month's counts now and the counts its invoice billed. Each
frozen invoice's CSV and PDF are written to S3 as it is frozen (services.invoice_files).
"""

from bizline.adapters import accounts_store, billing_store, usage_store
from bizline.clock import to_iso, utc_now
from bizline.errors import NotFound
from bizline.models.billing import CloseResult, Invoice, InvoiceList, RateCard
from bizline.models.tiers import Tier
from bizline.rules import billing, metering
from bizline.services import invoice_files


def _adjustments(business_id: str, month: str, cards: list[RateCard]) -> list[dict]:
    earlier = billing.previous_month(month)
    closed = billing_store.get_invoice(business_id, earlier)
    if closed is None:
        return []
    now = metering.month_totals(usage_store.month_usage(business_id, earlier, metering.SHARDS))
    card = billing.card_for(cards, earlier)
    lines = billing.adjustment_lines(card, Tier(closed["tier"]), closed["billed_totals"], now)
    return [{"month": earlier, **line} for line in lines]


def close_month(month: str) -> CloseResult:
    """Freeze every invoice of a month: each business with usage in it, or late usage for the month before."""
    cards = billing_store.rate_cards()
    candidates = set(usage_store.businesses_with_usage(month))
    candidates |= set(usage_store.businesses_with_usage(billing.previous_month(month)))
    closed = already = 0
    for business_id in sorted(candidates):
        if billing_store.get_invoice(business_id, month) is not None:
            already += 1
            continue
        business = accounts_store.get_business(business_id)
        if business is None:
            continue
        totals = metering.month_totals(usage_store.month_usage(business_id, month, metering.SHARDS))
        tier = billing.tier_in_month(business, month)
        document = billing.invoice(
            business_id,
            month,
            tier,
            billing.card_for(cards, month),
            totals,
            _adjustments(business_id, month, cards),
            to_iso(utc_now()),
        )
        if billing_store.put_invoice(business_id, month, document):
            closed += 1
            invoice_files.store_files(Invoice.model_validate(document))
        else:
            already += 1
    return CloseResult(month=month, closed=closed, already_closed=already)


def close_previous_month() -> CloseResult:
    """The scheduled close (the 1st, 00:10 UTC): the month that just ended."""
    return close_month(billing.previous_month(metering.month_of(utc_now())))


def invoices_of(business_id: str) -> InvoiceList:
    """A business's invoices, newest first."""
    return InvoiceList(
        items=[Invoice.model_validate(document) for document in billing_store.list_invoices(business_id)]
    )


def invoice_of(business_id: str, month: str) -> Invoice:
    """One invoice of a business; 404 when the month is not closed for it (or it had no usage)."""
    document = billing_store.get_invoice(business_id, month)
    if document is None:
        raise NotFound("No invoice for this month: it is not closed yet, or there was no usage.")
    return Invoice.model_validate(document)
