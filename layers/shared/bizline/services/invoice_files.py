"""A closed month's invoice as files: the CSV of its line items and the PDF, in S3, handed out as links.

The close writes both as it freezes each invoice. A file the close did not get to write (it
stopped between the invoice and its files) is rendered from the frozen invoice when first asked
for: the invoice never changes, so neither do its files. The running month has no files: it is not
invoiced yet (GET /v1/usage shows it as it grows).
"""

from datetime import timedelta

from bizline.adapters import billing_store, invoice_files
from bizline.clock import utc_now
from bizline.errors import NotFound
from bizline.models.billing import Invoice, InvoiceFileLink
from bizline.rules import invoice_files as render

LINK_LIFETIME = timedelta(minutes=5)
KINDS = {
    "csv": (render.CSV_CONTENT_TYPE, lambda invoice: render.csv_text(invoice).encode()),
    "pdf": (render.PDF_CONTENT_TYPE, render.pdf_bytes),
}


def _write(invoice: Invoice, kind: str) -> str:
    content_type, rendered = KINDS[kind]
    key = invoice_files.object_key(invoice.business_id, invoice.month, kind)
    invoice_files.put(key, rendered(invoice), content_type)
    return key


def store_files(invoice: Invoice) -> None:
    """Write a frozen invoice's CSV and PDF (the close calls it once per invoice it freezes)."""
    for kind in KINDS:
        _write(invoice, kind)


def file_link(business_id: str, month: str, kind: str) -> InvoiceFileLink:
    """A 5-minute link to a closed month's CSV or PDF; 404 when the month is not closed for the business."""
    document = billing_store.get_invoice(business_id, month)
    if document is None:
        raise NotFound("No invoice for this month: it is not closed yet, or there was no usage.")
    invoice = Invoice.model_validate(document)
    key = invoice_files.object_key(business_id, month, kind)
    if not invoice_files.exists(key):
        key = _write(invoice, kind)
    now = utc_now()
    return InvoiceFileLink(
        url=invoice_files.download_link(key, render.filename(invoice, kind), int(LINK_LIFETIME.total_seconds())),
        expires_at=now + LINK_LIFETIME,
        filename=render.filename(invoice, kind),
        content_type=KINDS[kind][0],
    )
