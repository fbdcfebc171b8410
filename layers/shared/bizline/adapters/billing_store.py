"""Persistence of rate cards and invoices: versioned, immutable documents in the usage table."""

import json

from bizline.adapters.conditional import save_if
from bizline.adapters.tables import UsageRecord
from bizline.errors import Conflict
from bizline.models.billing import RateCard

RATE_CARDS = "rate_card"


def put_rate_card(card: RateCard) -> None:
    """Store a rate card version once: a card for the same month is never replaced (409)."""
    record = UsageRecord(pk=RATE_CARDS, sk=card.valid_from, document=card.model_dump_json())
    if not save_if(record, UsageRecord.pk.does_not_exist()):
        raise Conflict(f"A rate card valid from {card.valid_from} exists; publish a new one for a later month.")


def rate_cards() -> list[RateCard]:
    """Every rate card version, oldest first."""
    return [RateCard.model_validate_json(record.document) for record in UsageRecord.query(RATE_CARDS)]


def _invoice_key(business_id: str) -> str:
    return f"invoice#{business_id}"


def put_invoice(business_id: str, month: str, invoice: dict) -> bool:
    """Store a month's invoice once; False when it was frozen before (it never changes)."""
    record = UsageRecord(pk=_invoice_key(business_id), sk=month, document=json.dumps(invoice, sort_keys=True))
    return save_if(record, UsageRecord.pk.does_not_exist())


def get_invoice(business_id: str, month: str) -> dict | None:
    """A business's frozen invoice for a month; None when that month is not closed for it."""
    for record in UsageRecord.query(_invoice_key(business_id), UsageRecord.sk == month, consistent_read=True):
        return json.loads(record.document)
    return None


def list_invoices(business_id: str) -> list[dict]:
    """A business's frozen invoices, newest first."""
    records = UsageRecord.query(_invoice_key(business_id), scan_index_forward=False)
    return [json.loads(record.document) for record in records]
