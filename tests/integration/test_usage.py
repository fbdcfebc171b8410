"""GET /v1/usage and /admin/usage, and rate cards: counts per meter and day, the tier and card that apply."""

import json
from datetime import UTC, datetime

from bizline.rules.billing import next_month

from tests.integration.test_metering import _life_of_a_reply, _meter, _record
from tests.support import BANK_SIZE, as_reviewer, bearer, json_headers, sign_up

RATE_CARD = {
    "currency": "EUR",
    "tiers": {
        "free": {"caps": {"marketing": 1000}},
        "enterprise": {
            "allowances": {"service": 1000, "utility": 1},
            "prices": {
                "service": [{"cents_per_thousand": 50}],
                "utility": [{"cents_per_thousand": 200}],
                "marketing": [{"up_to": 100000, "cents_per_thousand": 400}, {"cents_per_thousand": 300}],
            },
        },
    },
}


def _publish(api, valid_from: str, card: dict | None = None):
    return as_reviewer(api, "PUT", f"/admin/rate-cards/{valid_from}", card or RATE_CARD)


def _inbound(sequence: int, business_id: str, message_id: str, sent_at: str) -> dict:
    message = {"business_id": business_id, "message_id": message_id, "direction": "inbound", "sent_at": sent_at}
    return _record(sequence, None, message)


def test_a_business_sees_its_month_per_meter_and_day_with_its_tier_and_allowances(api, aws):
    # Given an enterprise with usage on two days of March, and a rate card valid since January
    business, key = sign_up(api, display_name="Bank", legal_name="Bank AG", size=BANK_SIZE)
    other, other_key = sign_up(api)
    assert _publish(api, "2026-01").status == 201
    bid = business["business_id"]
    records = [
        *_life_of_a_reply("m1", "2026-03-02T08:00:00+00:00", "utility", 1, bid),
        *_life_of_a_reply("m2", "2026-03-02T09:00:00+00:00", "utility", 11, bid),
        *_life_of_a_reply("m3", "2026-03-05T09:00:00+00:00", "marketing", 21, bid)[:2],
        _inbound(31, bid, "in1", "2026-03-05T08:00:00+00:00"),
        _inbound(32, other["business_id"], "in2", "2026-03-05T08:00:00+00:00"),
    ]
    _meter(records)
    # When the business asks for March
    response = api.request("GET", "/v1/usage", headers=bearer(key), query="month=2026-03")
    # Then it sees its own counts per meter and day, its tier, the card and the allowance it used
    assert response.status == 200, response.body
    report = response.json()
    assert (report["tier"], report["rate_card"]) == ("enterprise", "2026-01")
    assert report["totals"]["utility"] == 2
    assert report["totals"]["inbound"] == 1
    assert report["totals"]["unconfirmed"] == 1
    assert [(day["day"], day["counts"].get("utility", 0)) for day in report["days"]] == [
        ("2026-03-02", 2),
        ("2026-03-05", 0),
    ]
    assert {"meter": "utility", "included": 1, "used": 1, "remaining": 0} in report["allowances"]
    # And the other business sees only its own inbound message
    theirs = api.request("GET", "/v1/usage", headers=bearer(other_key), query="month=2026-03").json()
    assert theirs["totals"] == {"inbound": 1, "unconfirmed": 0}
    assert theirs["tier"] == "free"


def test_a_month_that_is_not_yyyy_mm_is_refused(api):
    _, key = sign_up(api)
    response = api.request("GET", "/v1/usage", headers=bearer(key), query="month=2026-13")
    assert response.status == 422
    assert response.json()["error"]["code"] == "validation_failed"
    # And a year without a month before it (year 0) is refused too, never a 500
    assert api.request("GET", "/v1/usage", headers=bearer(key), query="month=0000-01").status == 422


def test_a_tier_change_mid_month_applies_from_the_next_month(api):
    # Given an SME that grows into a large enterprise this month
    _, key = sign_up(api)
    grown = api.request("PATCH", "/v1/businesses/me", headers=json_headers(key), body=json.dumps({"size": BANK_SIZE}))
    assert grown.status == 200, grown.body
    assert _publish(api, "2026-01").status == 201
    this_month = datetime.now(UTC).strftime("%Y-%m")
    # Then this month is still billed free, and the next at the enterprise tier
    now = api.request("GET", "/v1/usage", headers=bearer(key)).json()
    later = api.request("GET", "/v1/usage", headers=bearer(key), query=f"month={next_month(this_month)}").json()
    assert (now["month"], now["tier"]) == (this_month, "free")
    assert later["tier"] == "enterprise"


def test_operators_see_every_business_with_usage_and_need_a_signature(api, aws):
    # Given two businesses with usage in March
    first, _ = sign_up(api)
    second, _ = sign_up(api, display_name="Bank", legal_name="Bank AG", size=BANK_SIZE)
    _meter([_inbound(1, first["business_id"], "a", "2026-03-01T00:00:00+00:00")])
    _meter([_inbound(2, second["business_id"], "b", "2026-03-31T23:59:59.999+00:00")])
    # When an operator asks with a signed request, and someone asks without one
    response = as_reviewer(api, "GET", "/admin/usage", query="month=2026-03")
    unsigned = api.request("GET", "/admin/usage", query="month=2026-03")
    # Then both businesses are listed with their counts, and the unsigned request is refused
    assert response.status == 200, response.body
    listed = {item["business_id"]: item["totals"]["inbound"] for item in response.json()["items"]}
    assert listed == {first["business_id"]: 1, second["business_id"]: 1}
    assert unsigned.status == 403


def test_rate_cards_are_versions_by_month_and_never_rewritten(api):
    # Given a card from January and one from April
    assert _publish(api, "2026-01").status == 201
    april = json.loads(json.dumps(RATE_CARD))
    april["tiers"]["enterprise"]["prices"]["utility"] = [{"cents_per_thousand": 250}]
    assert _publish(api, "2026-04", april).status == 201
    # When January's is published again, or a card with bands out of order
    again = _publish(api, "2026-01", april)
    broken = json.loads(json.dumps(RATE_CARD))
    broken["tiers"]["enterprise"]["prices"]["marketing"].reverse()
    refused = _publish(api, "2026-05", broken)
    # Then the first stays as it was, and the broken one is refused
    assert again.status == 409
    assert refused.status == 422
    cards = as_reviewer(api, "GET", "/admin/rate-cards").json()
    assert [card["valid_from"] for card in cards] == ["2026-01", "2026-04"]
    assert cards[0]["tiers"]["enterprise"]["prices"]["utility"] == [{"up_to": None, "cents_per_thousand": 200}]


def test_operators_page_through_every_business_with_usage(api, aws):
    # Given five businesses with usage in March
    ids = []
    for index in range(5):
        business, _key = sign_up(api, display_name=f"Shop {index}", legal_name=f"Shop {index} GmbH")
        ids.append(business["business_id"])
        _meter([_inbound(100 + index, business["business_id"], f"in{index}", "2026-03-05T08:00:00+00:00")])
    # When an operator pages two at a time
    seen, cursor, pages = [], None, 0
    while True:
        query = "month=2026-03&limit=2" + (f"&cursor={cursor}" if cursor else "")
        response = as_reviewer(api, "GET", "/admin/usage", query=query)
        assert response.status == 200, response.body
        page = response.json()
        pages += 1
        seen += [item["business_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then every business came once, in id order, over three pages
    assert seen == sorted(ids)
    assert pages == 3
    # And a cursor for another month, or altered, is refused
    first = as_reviewer(api, "GET", "/admin/usage", query="month=2026-03&limit=2").json()["next_cursor"]
    other = as_reviewer(api, "GET", "/admin/usage", query=f"month=2026-04&limit=2&cursor={first}")
    assert other.status == 400
    assert other.json()["error"]["code"] == "invalid_cursor"
    altered = as_reviewer(api, "GET", "/admin/usage", query=f"month=2026-03&limit=2&cursor=x{first}")
    assert altered.status == 400
