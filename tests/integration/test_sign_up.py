"""POST /v1/businesses: public sign-up, the tier, and the first API key."""

import json

import pytest

from tests.support import BANK_SIZE, M, bearer, post_json, scan, sign_up, sign_up_body


def test_a_bakery_signs_up_on_the_free_tier_and_gets_a_working_key(api, aws):
    # Given a small bakery's details
    body = sign_up_body()
    # When it signs up
    response = post_json(api, "/v1/businesses", body)
    # Then it is created as a free micro enterprise with a key shown once
    assert response.status == 201
    created = response.json()
    business = created["business"]
    assert business["display_name"] == "Bäckerei Huber"
    assert business["country"] == "AT"
    assert business["size_class"] == "micro"
    assert business["tier"] == "free"
    assert business["pending_tier_change"] is None
    key = created["api_key"]
    assert key["api_key"].startswith("bzl_")
    assert key["api_key"].startswith(key["prefix"])
    # And the business and one key hash are stored, the key itself nowhere
    businesses = scan(aws["dynamodb"], "BusinessesTable")
    keys = scan(aws["dynamodb"], "ApiKeysTable")
    assert [item["business_id"]["S"] for item in businesses] == [business["business_id"]]
    assert len(keys) == 1
    assert keys[0]["business_id"]["S"] == business["business_id"]
    assert key["api_key"] not in json.dumps(businesses + keys)
    # And the key works at once
    me = api.request("GET", "/v1/businesses/me", headers=bearer(key["api_key"]))
    assert me.status == 200
    assert me.json()["business_id"] == business["business_id"]


def test_a_bank_signs_up_on_the_enterprise_tier(api):
    business, _ = sign_up(api, display_name="Big Bank", legal_name="Big Bank AG", size=BANK_SIZE)
    assert business["size_class"] == "large"
    assert business["tier"] == "enterprise"


@pytest.mark.parametrize(
    ("size", "tier", "size_class"),
    [
        (
            {"employees": 249, "annual_turnover_eur": 50 * M, "balance_sheet_total_eur": 99 * M},
            "free",
            "medium",
        ),
        (
            {"employees": 249, "annual_turnover_eur": 50 * M + 1, "balance_sheet_total_eur": 43 * M},
            "free",
            "medium",
        ),
        (
            {"employees": 249, "annual_turnover_eur": 50 * M + 1, "balance_sheet_total_eur": 43 * M + 1},
            "enterprise",
            "large",
        ),
        ({"employees": 250, "annual_turnover_eur": 1, "balance_sheet_total_eur": 1}, "enterprise", "large"),
    ],
)
def test_the_tier_follows_the_sme_definition_through_the_api(api, size, tier, size_class):
    business, _ = sign_up(api, size=size)
    assert (business["tier"], business["size_class"]) == (tier, size_class)


def test_two_sign_ups_get_distinct_businesses_and_keys(api, aws):
    first, first_key = sign_up(api)
    second, second_key = sign_up(api)
    assert first["business_id"] != second["business_id"]
    assert first_key != second_key
    assert len(scan(aws["dynamodb"], "BusinessesTable")) == 2


def test_a_plain_http_callback_is_refused_outside_local_development(api, aws):
    response = post_json(api, "/v1/businesses", sign_up_body(callback_url="http://example.com/hook"))
    assert response.status == 422
    assert response.json()["error"]["details"][0]["field"] == "callback_url"
    assert scan(aws["dynamodb"], "BusinessesTable") == []


def test_a_sign_up_is_counted_by_tier(api, capsys):
    sign_up(api)
    emitted = [line for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    metrics = [json.loads(line) for line in emitted]
    assert any(
        metric.get("BusinessSignedUp_free") == [1.0] or metric.get("BusinessSignedUp_free") == 1.0 for metric in metrics
    )
