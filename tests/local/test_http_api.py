"""The local HTTP API over real HTTP: routes from the template, auth as in AWS."""

import json
import urllib.error
import urllib.request

import pytest

from local.demo import DEMO_API_KEY, DEMO_BUSINESS_ID
from local.template import http_routes

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def _call(platform, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(platform.api_url + path, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_every_template_route_is_served(platform):
    # Given every HTTP route the template declares
    for route in http_routes():
        path = route.path.replace("{key_id}", "key_unknown")
        # When it is called without credentials
        status, _ = _call(platform, route.method, path)
        # Then it is routed: public routes answer, protected ones ask for a key (401) or, for IAM routes,
        # refuse the unsigned request (403, as API Gateway does); none is unknown
        assert status != 404 or "{" in route.path, route
        if route.authorizer:
            assert status == (403 if route.authorizer == "AWS_IAM" else 401), route


def test_public_routes_answer_without_a_key(platform):
    assert _call(platform, "GET", "/v1/health") == (200, {"status": "ok", "service": "bizline"})
    status, document = _call(platform, "GET", "/v1/openapi.json")
    assert status == 200
    assert document["openapi"].startswith("3.1")


def test_the_demo_business_is_ready_with_its_key(platform):
    status, business = _call(platform, "GET", "/v1/businesses/me", headers={"authorization": f"Bearer {DEMO_API_KEY}"})
    assert status == 200
    assert business["business_id"] == DEMO_BUSINESS_ID
    assert business["tier"] == "free"


def test_sign_up_then_use_the_key(platform):
    # Given a new business signing up over HTTP
    status, created = _call(
        platform,
        "POST",
        "/v1/businesses",
        {
            "display_name": "Café Sonne",
            "legal_name": "Café Sonne OG",
            "country": "AT",
            "contact_email": "hallo@cafe-sonne.example",
            "size": {"employees": 6, "annual_turnover_eur": 480_000, "balance_sheet_total_eur": 150_000},
        },
    )
    assert status == 201
    key = created["api_key"]["api_key"]
    # When it calls an authenticated route with its key
    status, keys = _call(platform, "GET", "/v1/api-keys", headers={"authorization": f"Bearer {key}"})
    # Then it sees its own key only
    assert status == 200
    assert [item["key_id"] for item in keys["items"]] == [created["api_key"]["key_id"]]


def test_auth_answers_as_api_gateway_does(platform):
    # No Authorization header: API Gateway's 401
    assert _call(platform, "GET", "/v1/businesses/me") == (401, {"message": "Unauthorized"})
    # A key the authorizer refuses: API Gateway's 403
    wrong = {"authorization": "Bearer bzl_not_a_real_key_000000000000000000000000000"}
    assert _call(platform, "GET", "/v1/businesses/me", headers=wrong) == (403, {"message": "Forbidden"})
    # An unknown route: API Gateway's 404
    assert _call(platform, "GET", "/v2/nothing") == (404, {"message": "Not Found"})


def test_a_revoked_key_fails_in_the_handler_while_the_authorizer_answer_is_cached(platform):
    demo = {"authorization": f"Bearer {DEMO_API_KEY}"}
    # Given a second key that has been used (API Gateway now caches the authorizer's yes)
    status, created = _call(platform, "POST", "/v1/api-keys", {"name": "till"}, headers=demo)
    assert status == 201
    second = {"authorization": f"Bearer {created['api_key']}"}
    assert _call(platform, "GET", "/v1/businesses/me", headers=second)[0] == 200
    # When it is revoked
    assert _call(platform, "DELETE", f"/v1/api-keys/{created['key_id']}", headers=demo)[0] == 204
    # Then the next call still passes the cached authorizer but the handler refuses it
    status, body = _call(platform, "GET", "/v1/businesses/me", headers=second)
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    # And once the cache is gone, the gateway refuses it itself
    platform.gateway.clear_authorizer_cache()
    assert _call(platform, "GET", "/v1/businesses/me", headers=second)[0] == 403
