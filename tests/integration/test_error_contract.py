"""Bad input gets a clear 4xx with the one error body, and writes nothing."""

import json

import pytest
from business_api.handler import lambda_handler as business_api

from local.apigw import http_api_event
from local.lambda_runtime import LocalLambdaContext
from tests.support import bearer, json_headers, scan, sign_up, sign_up_body


def _call(event):
    response = business_api(event, LocalLambdaContext("BusinessApiFunction"))
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def _assert_error_shape(body, code):
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize(
    ("body", "content_type", "base64_body", "status", "code"),
    [
        ('{"display_name": "Huber"', "application/json", False, 400, "malformed_json"),
        ("[1, 2", "application/json", False, 400, "malformed_json"),
        ("\xff\xfe not utf-8".encode("latin-1"), "application/json", True, 400, "malformed_body"),
        (json.dumps(sign_up_body()), "text/plain", False, 415, "unsupported_media_type"),
        (
            json.dumps(sign_up_body()),
            "application/x-www-form-urlencoded",
            False,
            415,
            "unsupported_media_type",
        ),
        (
            json.dumps({**sign_up_body(), "notes": "x" * 70_000}),
            "application/json",
            False,
            413,
            "payload_too_large",
        ),
        ("[]", "application/json", False, 422, "validation_failed"),
        ('"just a string"', "application/json", False, 422, "validation_failed"),
        ("null", "application/json", False, 422, "validation_failed"),
    ],
)
def test_unreadable_sign_ups_are_refused_without_a_write(aws, body, content_type, base64_body, status, code):
    # Given a sign-up request the API cannot read
    event = http_api_event(
        "POST", "/v1/businesses", body=body, headers={"content-type": content_type}, base64_body=base64_body
    )
    # When it reaches the function
    got_status, got_body = _call(event)
    # Then it answers a 4xx with the error body and stores nothing
    assert got_status == status
    _assert_error_shape(got_body, code)
    assert scan(aws["dynamodb"], "BusinessesTable") == []
    assert scan(aws["dynamodb"], "ApiKeysTable") == []


def test_a_base64_encoded_json_body_is_read(aws):
    event = http_api_event(
        "POST",
        "/v1/businesses",
        body=json.dumps(sign_up_body()).encode(),
        headers={"content-type": "application/json"},
        base64_body=True,
    )
    status, body = _call(event)
    assert status == 201
    assert body["business"]["tier"] == "free"


def test_a_body_that_is_not_base64_when_flagged_so_is_refused(aws):
    event = http_api_event("POST", "/v1/businesses", headers={"content-type": "application/json"})
    event.update(body="%%% not base64 %%%", isBase64Encoded=True)
    status, body = _call(event)
    assert status == 400
    _assert_error_shape(body, "malformed_body")


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"unexpected": True}, ["unexpected"]),
        ({"country": "XX"}, ["country"]),
        ({"country": "AUT"}, ["country"]),
        ({"contact_email": "not-an-email"}, ["contact_email"]),
        ({"website": "javascript:alert(1)"}, ["website"]),
        ({"display_name": ""}, ["display_name"]),
        ({"display_name": 42}, ["display_name"]),
        (
            {"size": {"employees": "many", "annual_turnover_eur": 1, "balance_sheet_total_eur": 1}},
            ["size.employees"],
        ),
        (
            {"size": {"employees": 1, "annual_turnover_eur": -5, "balance_sheet_total_eur": 1}},
            ["size.annual_turnover_eur"],
        ),
        (
            {"size": {"employees": 1, "annual_turnover_eur": 1, "balance_sheet_total_eur": 1, "x": 1}},
            ["size.x"],
        ),
        ({"size": None}, ["size"]),
        ({"display_name": "\u200b\u200c\u200d"}, ["display_name"]),
        ({"display_name": " \u2060 \ufeff "}, ["display_name"]),
        ({"display_name": "Huber\x00"}, ["display_name"]),
        ({"display_name": "Huber\nGmbH"}, ["display_name"]),
        ({"display_name": "Huber\x1bGmbH"}, ["display_name"]),
        ({"legal_name": "\u202eHbmG rebuH"}, ["legal_name"]),
        ({"legal_name": "Huber \u2067GmbH\u2069"}, ["legal_name"]),
    ],
)
def test_invalid_fields_are_named_in_the_details(api, aws, overrides, fields):
    response = api.request("POST", "/v1/businesses", headers=json_headers(), body=json.dumps(sign_up_body(**overrides)))
    assert response.status == 422
    body = response.json()
    _assert_error_shape(body, "validation_failed")
    assert [detail["field"] for detail in body["error"]["details"]] == fields
    assert all(detail["message"] for detail in body["error"]["details"])
    assert scan(aws["dynamodb"], "BusinessesTable") == []


def test_every_missing_required_field_is_reported(api):
    response = api.request("POST", "/v1/businesses", headers=json_headers(), body="{}")
    assert response.status == 422
    details = response.json()["error"]["details"]
    assert {detail["field"] for detail in details} == {
        "display_name",
        "legal_name",
        "country",
        "contact_email",
        "size",
    }
    assert {detail["message"] for detail in details} == {"is required"}


def test_an_unknown_route_is_a_json_404(aws):
    status, body = _call(http_api_event("GET", "/v1/nothing-here"))
    assert status == 404
    _assert_error_shape(body, "not_found")


def test_a_patch_with_wrong_content_type_changes_nothing(api):
    business, key = sign_up(api)
    response = api.request(
        "PATCH",
        "/v1/businesses/me",
        headers={**bearer(key), "content-type": "text/plain"},
        body='{"display_name": "Changed"}',
    )
    assert response.status == 415
    assert (
        api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()["display_name"]
        == (business["display_name"])
    )


def test_an_unexpected_failure_is_a_500_with_the_error_body_and_no_detail_leak(aws, monkeypatch):
    from bizline.services import accounts

    def broken(*_args, **_kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(accounts, "sign_up", broken)
    event = http_api_event(
        "POST",
        "/v1/businesses",
        body=json.dumps(sign_up_body()),
        headers={"content-type": "application/json"},
    )
    status, body = _call(event)
    assert status == 500
    _assert_error_shape(body, "internal_error")
    assert "hunter2" not in json.dumps(body)
