"""The monthly close and invoices: frozen once, zero for SMEs, priced by the month's card, late events adjusted."""

from datetime import UTC, datetime

from tests.integration.test_metering import _life_of_a_reply, _meter
from tests.integration.test_usage import RATE_CARD, _publish
from tests.support import BANK_SIZE, as_reviewer, bearer, sign_up


def _close(api, month: str) -> dict:
    response = as_reviewer(api, "POST", "/admin/invoices/close", {"month": month})
    assert response.status == 200, response.body
    return response.json()


def _marketing(business_id: str, count: int, sent_at: str, first: int) -> list[dict]:
    records = []
    for index in range(count):
        records += _life_of_a_reply(f"mk{first + index}", sent_at, "marketing", (first + index) * 10, business_id)
    return records


def test_closing_a_month_freezes_a_zero_invoice_for_an_sme_and_a_priced_one_for_an_enterprise(api, aws):
    # Given a bakery (free) and a bank (enterprise) that both sent 3 marketing messages in March
    bakery, bakery_key = sign_up(api)
    bank, bank_key = sign_up(api, display_name="Bank", legal_name="Bank AG", size=BANK_SIZE)
    assert _publish(api, "2026-01").status == 201
    _meter(_marketing(bakery["business_id"], 3, "2026-03-10T10:00:00+00:00", 0))
    _meter(_marketing(bank["business_id"], 3, "2026-03-10T10:00:00+00:00", 100))
    # When March is closed, twice
    first = _close(api, "2026-03")
    again = _close(api, "2026-03")
    # Then two invoices were frozen once; the second run changed nothing
    assert (first["closed"], first["already_closed"]) == (2, 0)
    assert (again["closed"], again["already_closed"]) == (0, 2)
    free = api.request("GET", "/v1/invoices/2026-03", headers=bearer(bakery_key)).json()
    paid = api.request("GET", "/v1/invoices/2026-03", headers=bearer(bank_key)).json()
    # And the bakery's is 0 with its usage itemised; the bank's is 3 x 0.4 cents = 1.2, rounded half up to 1
    assert free["tier"] == "free"
    assert {"meter": "marketing", "quantity": 3, "amount_cents": 0} in free["lines"]
    assert free["total_cents"] == 0
    assert {"meter": "marketing", "quantity": 3, "amount_cents": 1} in paid["lines"]
    assert paid["total_cents"] == 1
    assert "Meta bills its own fees" in paid["note"]
    # And each business lists only its own invoices
    listed = api.request("GET", "/v1/invoices", headers=bearer(bakery_key)).json()["items"]
    assert [(item["business_id"], item["month"]) for item in listed] == [(bakery["business_id"], "2026-03")]


def test_a_late_event_after_the_close_is_an_adjustment_on_the_next_invoice(api, aws):
    # Given a bank's March, closed with two marketing messages (0.8 cents: 1 cent)
    bank, key = sign_up(api, display_name="Bank", legal_name="Bank AG", size=BANK_SIZE)
    assert _publish(api, "2026-01").status == 201
    _meter(_marketing(bank["business_id"], 2, "2026-03-31T23:59:59.999+00:00", 0))
    _close(api, "2026-03")
    march = api.request("GET", "/v1/invoices/2026-03", headers=bearer(key)).json()
    # When Meta's pricing for three more March messages arrives in April, with one April message
    _meter(_marketing(bank["business_id"], 3, "2026-03-31T23:00:00+00:00", 10))
    _meter(_marketing(bank["business_id"], 1, "2026-04-01T00:00:00+00:00", 20))
    _close(api, "2026-04")
    # Then March's invoice is as it was, and April's books the late three as a March adjustment: March now
    # costs 5 x 0.4 = 2 cents, of which 1 was billed
    assert api.request("GET", "/v1/invoices/2026-03", headers=bearer(key)).json() == march
    april = api.request("GET", "/v1/invoices/2026-04", headers=bearer(key)).json()
    assert {"meter": "marketing", "quantity": 1, "amount_cents": 0} in april["lines"]
    late = [line for line in april["adjustments"] if line["meter"] == "marketing"]
    assert late == [{"month": "2026-03", "meter": "marketing", "quantity": 3, "amount_cents": 1}]
    assert april["total_cents"] == sum(line["amount_cents"] for line in april["lines"] + april["adjustments"])


def test_each_month_is_priced_by_the_card_valid_in_it(api, aws):
    # Given a card from January (utility 0.2 cents) and one from April (utility 2.5 cents, no allowance)
    bank, key = sign_up(api, display_name="Bank", legal_name="Bank AG", size=BANK_SIZE)
    assert _publish(api, "2026-01").status == 201
    april_card = {**RATE_CARD, "tiers": {**RATE_CARD["tiers"]}}
    april_card["tiers"]["enterprise"] = {"prices": {"utility": [{"cents_per_thousand": 2500}]}}
    assert _publish(api, "2026-04", april_card).status == 201
    records = []
    for index in range(4):
        records += _life_of_a_reply(
            f"u3{index}", "2026-03-15T10:00:00+00:00", "utility", index * 10, bank["business_id"]
        )
        records += _life_of_a_reply(
            f"u4{index}", "2026-04-15T10:00:00+00:00", "utility", 100 + index * 10, bank["business_id"]
        )
    _meter(records)
    # When March and April are closed
    _close(api, "2026-03")
    _close(api, "2026-04")
    # Then March used January's card (1 free, 3 x 0.2 = 0.6 -> 1 cent) and April its own (4 x 2.5 = 10 cents)
    march = api.request("GET", "/v1/invoices/2026-03", headers=bearer(key)).json()
    april = api.request("GET", "/v1/invoices/2026-04", headers=bearer(key)).json()
    assert (march["rate_card"], march["total_cents"]) == ("2026-01", 1)
    assert (april["rate_card"], april["total_cents"]) == ("2026-04", 10)


def test_an_invoice_of_a_month_not_closed_is_not_found(api):
    _, key = sign_up(api)
    response = api.request("GET", "/v1/invoices/2026-03", headers=bearer(key))
    assert response.status == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_schedule_closes_the_month_that_just_ended(api, aws, monkeypatch):
    # Given a bank with usage in March, and the scheduler firing on 1 April at 00:10 UTC
    from bizline.services import invoices

    from local.lambda_runtime import invoke
    from local.template import functions

    bank, key = sign_up(api, display_name="Bank", legal_name="Bank AG", size=BANK_SIZE)
    _meter(_marketing(bank["business_id"], 1, "2026-03-20T10:00:00+00:00", 0))
    monkeypatch.setattr(invoices, "utc_now", lambda: datetime(2026, 4, 1, 0, 10, tzinfo=UTC))
    # When the scheduled function runs with the schedule's empty input
    result = invoke(functions()["MonthlyCloseFunction"], {})
    # Then March is closed
    assert result == {"month": "2026-03", "closed": 1, "already_closed": 0}
    assert api.request("GET", "/v1/invoices/2026-03", headers=bearer(key)).status == 200
    # And its CSV and PDF were written as it froze
    listed = aws["s3"].list_objects_v2(Bucket="invoicesbucket", Prefix=f"invoices/{bank['business_id']}/2026-03/")
    assert sorted(item["Key"].rsplit("/", 1)[1] for item in listed["Contents"]) == ["invoice.csv", "invoice.pdf"]
