"""GET and PATCH /v1/businesses/me: the account, its changes, and a change of tier over time."""

import json
from datetime import UTC, datetime

import pytest
from bizline.services import accounts

from tests.support import BANK_SIZE, bearer, json_headers, sign_up


def _patch(api, key, body):
    return api.request("PATCH", "/v1/businesses/me", headers=json_headers(key), body=json.dumps(body))


@pytest.fixture
def clock(monkeypatch):
    """Moves bizline's notion of now; tests set `clock.now`."""

    class Clock:
        now = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

    monkeypatch.setattr(accounts, "utc_now", lambda: Clock.now)
    return Clock


def test_a_business_changes_its_name_website_and_callback(api):
    # Given a signed-up bakery
    business, key = sign_up(api)
    # When it changes its display name, clears its website and sets a callback
    response = _patch(
        api,
        key,
        {"display_name": "Huber Brot", "website": None, "callback_url": "https://hooks.huber.example/in"},
    )
    # Then the change is answered and stored
    assert response.status == 200, response.body
    stored = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()
    assert stored["display_name"] == "Huber Brot"
    assert stored["website"] is None
    assert stored["callback_url"] == "https://hooks.huber.example/in"
    # And what was not named is kept
    assert stored["legal_name"] == business["legal_name"]
    assert stored["tier"] == "free"


def test_growing_into_a_large_enterprise_changes_the_tier_from_next_month(api, clock):
    # Given a free bakery on 14 March
    _, key = sign_up(api)
    # When it reports the figures of a large enterprise
    response = _patch(api, key, {"size": BANK_SIZE})
    # Then its size class changes at once, its tier only from 1 April, with the date it was recorded
    assert response.status == 200, response.body
    business = response.json()
    assert business["size_class"] == "large"
    assert business["tier"] == "free"
    assert business["pending_tier_change"] == {
        "from_tier": "free",
        "to_tier": "enterprise",
        "recorded_on": "2026-03-14",
        "effective_from": "2026-04-01",
    }
    # And on 31 March it is still free
    clock.now = datetime(2026, 3, 31, 23, 59, tzinfo=UTC)
    assert api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()["tier"] == "free"
    # And from 1 April it is billed as an enterprise, the change kept in its history
    clock.now = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    april = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()
    assert april["tier"] == "enterprise"
    assert april["pending_tier_change"] is None
    assert [change["to_tier"] for change in april["tier_history"]] == ["enterprise"]


def test_shrinking_back_before_the_change_applies_cancels_it(api, clock):
    _, key = sign_up(api)
    _patch(api, key, {"size": BANK_SIZE})
    # When the figures go back to an SME's before the month ends
    response = _patch(api, key, {"size": {"employees": 5, "annual_turnover_eur": 1, "balance_sheet_total_eur": 1}})
    # Then no change of tier is pending and the tier never moved
    assert response.json()["pending_tier_change"] is None
    clock.now = datetime(2026, 4, 2, tzinfo=UTC)
    business = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()
    assert business["tier"] == "free"
    assert business["tier_history"] == []


def test_an_applied_change_is_kept_when_the_business_is_next_written(api, clock):
    _, key = sign_up(api)
    _patch(api, key, {"size": BANK_SIZE})
    clock.now = datetime(2026, 5, 3, tzinfo=UTC)
    # When the business changes its name after the change took effect
    _patch(api, key, {"display_name": "Huber Industries"})
    # Then the stored tier is the new one, even read back a month later
    clock.now = datetime(2026, 6, 1, tzinfo=UTC)
    business = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()
    assert business["tier"] == "enterprise"
    assert len(business["tier_history"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"display_name": None}, "display_name"),
        ({"display_name": ""}, "display_name"),
        ({"size": None}, "size"),
        ({"display_name": "\u200b\u200d\ufeff"}, "display_name"),
        ({"display_name": "Huber\u202eGmbH"}, "display_name"),
        ({"display_name": "Huber\u0000"}, "display_name"),
        ({"website": "ftp://huber.example"}, "website"),
        ({"website": "http://huber.example"}, "website"),
        (
            {"size": {"employees": -1, "annual_turnover_eur": 0, "balance_sheet_total_eur": 0}},
            "size.employees",
        ),
        ({"size": {"employees": 1}}, "size.annual_turnover_eur"),
        ({"legal_name": "Other GmbH"}, "legal_name"),
        ({"tier": "free"}, "tier"),
    ],
)
def test_invalid_changes_are_refused_and_change_nothing(api, body, field):
    business, key = sign_up(api)
    response = _patch(api, key, body)
    assert response.status == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert field in [detail["field"] for detail in error["details"]]
    assert api.request("GET", "/v1/businesses/me", headers=bearer(key)).json() == business


def test_a_name_is_stored_in_its_composed_form(api):
    # Given a business whose new name is written with a combining diaeresis (a + U+0308)
    _, key = sign_up(api)
    # When it changes its name
    response = _patch(api, key, {"display_name": "Ba\u0308ckerei Huber"})
    # Then the name is stored NFC-normalised, as one character
    assert response.status == 200
    assert response.json()["display_name"] == "B\u00e4ckerei Huber"
    assert api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()["display_name"] == "B\u00e4ckerei Huber"
