"""An invoice's CSV and PDF: written to S3 when the month closes, handed out as 5-minute links, tenant-scoped."""

import csv
import io

import requests

from tests.integration.test_invoices import _close, _marketing
from tests.integration.test_metering import _meter
from tests.integration.test_usage import _publish
from tests.support import BANK_SIZE, bearer, sign_up


def _link(api, key: str, month: str, kind: str) -> dict:
    response = api.request("GET", f"/v1/invoices/{month}/{kind}", headers=bearer(key))
    assert response.status == 200, response.body
    return response.json()


BUCKET = "invoicesbucket"  # the local platform names a bucket by its logical id, lower-cased


def _objects(aws) -> list[str]:
    listed = aws["s3"].list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def _closed_bank_march(api) -> tuple[str, str]:
    bank, key = sign_up(api, display_name="Bank", legal_name="Bank AG", size=BANK_SIZE)
    assert _publish(api, "2026-01").status == 201
    _meter(_marketing(bank["business_id"], 3, "2026-03-10T10:00:00+00:00", 0))
    _close(api, "2026-03")
    return bank["business_id"], key


def test_closing_a_month_writes_the_csv_of_its_line_items_with_the_total(api, aws):
    # Given an enterprise with 3 marketing messages in March (3 x 0.4 cents: 1 cent)
    # When March is closed
    business_id, key = _closed_bank_march(api)
    # Then both files are in the invoices bucket, under the business
    prefix = f"invoices/{business_id}/2026-03"
    assert _objects(aws) == [f"{prefix}/invoice.csv", f"{prefix}/invoice.pdf"]
    # And the CSV link is a 5-minute presigned GET that downloads the line items and the total
    link = _link(api, key, "2026-03", "csv")
    assert "X-Amz-Expires=300" in link["url"]
    assert link["filename"] == "bizline-invoice-2026-03.csv"
    downloaded = requests.get(link["url"], timeout=10)
    assert downloaded.status_code == 200
    assert 'filename="bizline-invoice-2026-03.csv"' in downloaded.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(downloaded.content.decode())))
    assert {
        "kind": "line",
        "month": "2026-03",
        "meter": "marketing",
        "quantity": "3",
        "amount_cents": "1",
        "amount_eur": "0.01",
    } in rows
    assert rows[-1] == {
        "kind": "total",
        "month": "2026-03",
        "meter": "",
        "quantity": "",
        "amount_cents": "1",
        "amount_eur": "0.01",
    }
    # And it itemises exactly the JSON invoice's lines
    invoice = api.request("GET", "/v1/invoices/2026-03", headers=bearer(key)).json()
    assert [
        {"meter": row["meter"], "quantity": int(row["quantity"]), "amount_cents": int(row["amount_cents"])}
        for row in rows
        if row["kind"] == "line"
    ] == invoice["lines"]
    assert int(rows[-1]["amount_cents"]) == invoice["total_cents"]


def test_the_pdf_invoice_carries_the_total_and_says_meta_bills_its_own_fees(api, aws):
    # Given a closed March for an enterprise
    _business_id, key = _closed_bank_march(api)
    # When the business follows its PDF link
    link = _link(api, key, "2026-03", "pdf")
    pdf = requests.get(link["url"], timeout=10).content
    # Then it is a PDF whose (uncompressed) text carries the total and the note on Meta's fees
    assert pdf.startswith(b"%PDF")
    assert link["content_type"] == "application/pdf"
    assert b"Total: EUR 0.01" in pdf
    assert b"marketing: 3 = EUR 0.01" in pdf
    assert b"Meta bills its own fees" in pdf
    assert b"bizline's fee only" in pdf


def test_a_file_the_close_did_not_write_is_rendered_from_the_frozen_invoice_when_asked(api, aws):
    # Given a closed March whose files are gone (a close that stopped between the invoice and its files)
    business_id, key = _closed_bank_march(api)
    first = requests.get(_link(api, key, "2026-03", "csv")["url"], timeout=10).content
    for name in _objects(aws):
        aws["s3"].delete_object(Bucket=BUCKET, Key=name)
    # When the business asks for the CSV again
    again = requests.get(_link(api, key, "2026-03", "csv")["url"], timeout=10).content
    # Then it is written again, the same as before
    assert again == first
    assert _objects(aws) == [f"invoices/{business_id}/2026-03/invoice.csv"]


def test_invoice_files_are_404_for_an_open_month_and_for_another_tenant(api, aws):
    # Given a closed March for a bank, and a bakery with no invoice
    _closed_bank_march(api)
    _bakery, bakery_key = sign_up(api)
    # When the bakery asks for March's files, or the bank for April's (still running)
    # Then each is a 404, and nothing is written
    for month in ("2026-03", "2026-04"):
        response = api.request("GET", f"/v1/invoices/{month}/pdf", headers=bearer(bakery_key))
        assert response.status == 404, response.body
        assert response.json()["error"]["code"] == "not_found"
    assert len(_objects(aws)) == 2
    # And a month that is not a month is refused as invalid
    invalid = api.request("GET", "/v1/invoices/2026-13/csv", headers=bearer(bakery_key))
    assert invalid.status == 422
    assert invalid.json()["error"]["code"] == "validation_failed"
