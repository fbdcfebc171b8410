"""An invoice as files: the CSV of its line items and the PDF a business files away.

Both are rendered from the frozen invoice alone, so rendering again gives the same content (the
PDF's creation date is the close's time, not the render's). Amounts are the invoice's integer
cents, shown as EUR with two decimals; nothing is recomputed here. The PDF is written uncompressed:
a few kilobytes, and its text stays searchable by any tool.
"""

import csv
import io
from datetime import datetime

from bizline.models.billing import Invoice

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
PDF_CONTENT_TYPE = "application/pdf"
CSV_COLUMNS = ("kind", "month", "meter", "quantity", "amount_cents", "amount_eur")


def euros(cents: int) -> str:
    """Integer cents as euros with two decimals (a minus sign for credits): 1234 -> '12.34', -5 -> '-0.05'."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def filename(invoice: Invoice, kind: str) -> str:
    """The name a download is saved under: bizline-invoice-<month>.<kind>."""
    return f"bizline-invoice-{invoice.month}.{kind}"


def csv_rows(invoice: Invoice) -> list[dict[str, str]]:
    """The line items, then the adjustments to earlier months, then the total: one row each."""
    rows = [
        {
            "kind": "line",
            "month": invoice.month,
            "meter": line.meter,
            "quantity": str(line.quantity),
            "amount_cents": str(line.amount_cents),
            "amount_eur": euros(line.amount_cents),
        }
        for line in invoice.lines
    ]
    rows += [
        {
            "kind": "adjustment",
            "month": line.month,
            "meter": line.meter,
            "quantity": str(line.quantity),
            "amount_cents": str(line.amount_cents),
            "amount_eur": euros(line.amount_cents),
        }
        for line in invoice.adjustments
    ]
    rows.append(
        {
            "kind": "total",
            "month": invoice.month,
            "meter": "",
            "quantity": "",
            "amount_cents": str(invoice.total_cents),
            "amount_eur": euros(invoice.total_cents),
        }
    )
    return rows


def csv_text(invoice: Invoice) -> str:
    """The CSV file: a header, one row per line item and adjustment, and the total."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_rows(invoice))
    return out.getvalue()


def pdf_text(invoice: Invoice) -> dict[str, list[str]]:
    """What the PDF says, section by section (the renderer lays it out; tests read it here too)."""
    return {
        "heading": [
            f"bizline invoice {invoice.month}",
            f"Business: {invoice.business_id}",
            f"Tier: {invoice.tier}   Rate card: {invoice.rate_card or 'none'}   Currency: {invoice.currency}",
            f"Closed: {invoice.closed_at}",
        ],
        "lines": [f"{line.meter}: {line.quantity} = EUR {euros(line.amount_cents)}" for line in invoice.lines]
        or ["No usage this month."],
        "adjustments": [
            f"{line.meter} ({line.month}): {line.quantity:+d} = EUR {euros(line.amount_cents)}"
            for line in invoice.adjustments
        ],
        "total": [f"Total: EUR {euros(invoice.total_cents)}"],
        "notes": [invoice.note, invoice.rounding],
    }


def pdf_bytes(invoice: Invoice) -> bytes:
    """The PDF file (fpdf2, core fonts, uncompressed), dated at the invoice's close."""
    from fpdf import FPDF  # the PDF library is loaded only by what renders one

    text = pdf_text(invoice)
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.set_creation_date(datetime.fromisoformat(invoice.closed_at))
    pdf.set_title(f"bizline invoice {invoice.month}")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 10, text["heading"][0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for section, title in (
        ("heading", None),
        ("lines", "Line items"),
        ("adjustments", "Adjustments to earlier months"),
        ("total", None),
        ("notes", "Notes"),
    ):
        rows = text[section][1:] if section == "heading" else text[section]
        if not rows:
            continue
        pdf.ln(3)
        if title:
            pdf.set_font("Helvetica", style="B", size=11)
            pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", style="B" if section == "total" else "", size=12 if section == "total" else 10)
        for row in rows:
            pdf.multi_cell(0, 6, _latin1(row), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    # The core fonts speak Latin-1; anything else (a business id never has it) is replaced, not fatal.
    return text.encode("latin-1", "replace").decode("latin-1")
