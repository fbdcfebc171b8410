"""Rendering an invoice as files: euros from integer cents, CSV rows, the PDF's text, deterministic output."""

import csv
import io

from bizline.models.billing import Invoice
from bizline.rules.invoice_files import csv_text, euros, pdf_bytes, pdf_text

INVOICE = Invoice(
    business_id="biz_1",
    month="2026-04",
    tier="enterprise",
    rate_card="2026-01",
    currency="EUR",
    lines=[{"meter": "marketing", "quantity": 1234, "amount_cents": 494}],
    adjustments=[{"month": "2026-03", "meter": "utility", "quantity": -2, "amount_cents": -5}],
    total_cents=489,
    closed_at="2026-05-01T00:10:00+00:00",
    rounding="Each line is rounded half up to a whole cent; the total is the sum of the lines.",
    note="Meta bills its own fees to the business's WhatsApp Business Account. This invoice is bizline's fee only.",
)


def test_cents_become_euros_with_two_decimals_and_a_sign():
    assert [euros(cents) for cents in (0, 1, 99, 100, 123456, -5, -250)] == [
        "0.00",
        "0.01",
        "0.99",
        "1.00",
        "1234.56",
        "-0.05",
        "-2.50",
    ]


def test_the_csv_lists_lines_then_adjustments_then_the_total():
    rows = list(csv.DictReader(io.StringIO(csv_text(INVOICE))))
    assert [(row["kind"], row["month"], row["meter"], row["amount_cents"]) for row in rows] == [
        ("line", "2026-04", "marketing", "494"),
        ("adjustment", "2026-03", "utility", "-5"),
        ("total", "2026-04", "", "489"),
    ]
    assert rows[1]["amount_eur"] == "-0.05"


def test_the_pdf_says_what_the_invoice_says_and_renders_the_same_twice():
    text = pdf_text(INVOICE)
    assert text["total"] == ["Total: EUR 4.89"]
    assert text["adjustments"] == ["utility (2026-03): -2 = EUR -0.05"]
    assert INVOICE.note in text["notes"]
    first, second = pdf_bytes(INVOICE), pdf_bytes(INVOICE)
    assert first.startswith(b"%PDF")
    assert first == second
    assert b"Total: EUR 4.89" in first


def test_a_month_without_usage_still_renders_a_zero_invoice():
    empty = INVOICE.model_copy(update={"lines": [], "adjustments": [], "total_cents": 0, "tier": "free"})
    assert pdf_text(empty)["lines"] == ["No usage this month."]
    assert b"Total: EUR 0.00" in pdf_bytes(empty)
