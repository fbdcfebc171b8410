"""Client mistakes that once answered 500 now get a clear 4xx with the one error body, and write nothing."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support import (
    add_number,
    as_reviewer,
    bearer,
    change,
    contact,
    envelope,
    json_headers,
    meta_app_secret,
    post_and_ingest,
    scan,
    sign_up,
    sign_up_body,
    text_message,
)

NUMBER = "1098765432"


def _assert_error(response, status, code):
    assert response.status == status, response.body
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def _sign_up_with_number(number_text: str) -> str:
    body = json.dumps(sign_up_body())
    return body.replace('"employees": 4', f'"employees": {number_text}')


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("[" * 10_000 + "]" * 10_000, 400, "nesting_too_deep"),
        ('{"a":' * 5_000 + "1" + "}" * 5_000, 400, "nesting_too_deep"),
        (_sign_up_with_number("9" * 5_000), 400, "number_too_large"),
        (_sign_up_with_number("NaN"), 400, "malformed_json"),
        (_sign_up_with_number("Infinity"), 400, "malformed_json"),
    ],
)
def test_bodies_the_parser_cannot_take_are_refused_on_a_public_route(api, aws, body, status, code):
    # Given a body nested ten thousand deep, a number too long to convert, or a non-JSON constant
    # When it is posted to the public sign-up
    response = api.request("POST", "/v1/businesses", headers=json_headers(), body=body)
    # Then the API answers a 4xx with the error body and stores nothing
    _assert_error(response, status, code)
    assert scan(aws["dynamodb"], "BusinessesTable") == []


def test_a_deeply_nested_body_on_the_webhook_is_refused_before_the_signature_check(api, aws):
    # Given an unsigned webhook body ten thousand arrays deep
    body = ("[" * 10_000 + "]" * 10_000).encode()
    # When it reaches the unauthenticated WhatsApp webhook
    response = post_and_ingest(api, body, secret=None)
    # Then it is a 400 with the error body, and nothing is kept
    _assert_error(response, 400, "nesting_too_deep")
    assert scan(aws["dynamodb"], "UnroutedWebhooksTable") == []


def test_a_deep_but_reasonable_body_still_reads(api):
    # Given a sign-up whose notes are not part of the schema, nested twenty deep
    body = json.dumps({**sign_up_body(), "extra": json.loads("[" * 20 + "]" * 20)})
    # When it is posted
    response = api.request("POST", "/v1/businesses", headers=json_headers(), body=body)
    # Then it is read and judged by the schema (422 on the unknown field), not refused as too deep
    _assert_error(response, 422, "validation_failed")


@pytest.mark.parametrize(
    "content_type",
    ["application/merge-patch+json", "application/json-patch+json", "application/vnd.api+json"],
)
def test_json_flavours_bizline_does_not_speak_are_415(api, content_type):
    # Given a business
    business, key = sign_up(api)
    # When it sends a PATCH as a JSON flavour other than application/json
    response = api.request(
        "PATCH",
        "/v1/businesses/me",
        headers={**bearer(key), "content-type": content_type},
        body='{"display_name": "Changed"}',
    )
    # Then it is told which type to send, and nothing changed
    _assert_error(response, 415, "unsupported_media_type")
    assert "application/json" in response.json()["error"]["message"]
    assert (
        api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()["display_name"]
        == (business["display_name"])
    )


@pytest.mark.parametrize("content_type", ["Application/JSON", "application/json; charset=utf-8"])
def test_application_json_in_any_spelling_is_read(api, content_type):
    # Given a sign-up with a content type spelled with capitals or a charset
    response = api.request(
        "POST", "/v1/businesses", headers={"content-type": content_type}, body=json.dumps(sign_up_body())
    )
    # Then it is read
    assert response.status == 201, response.body


# -- pagination cursors ----------------------------------------------------------------------------
@pytest.fixture
def busy_bakery(api, aws):
    """A bakery with three customers who wrote twice each: every listing has more than one page."""
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    secret = meta_app_secret(aws)
    now = datetime.now(UTC)
    for index, wa_id in enumerate(["436601111111", "436602222222", "436603333333"]):
        for turn in range(2):
            at = int((now - timedelta(minutes=10 * index + turn)).timestamp())
            message = text_message(f"wamid.{index}.{turn}", "hallo", wa_id=wa_id, timestamp=at)
            post_and_ingest(api, envelope(change(NUMBER, [message], contacts=[contact(wa_id)])), secret)
    conversations = api.request("GET", "/v1/conversations", headers=bearer(key)).json()["items"]
    return {"business": business, "key": key, "customers": [row["customer_id"] for row in conversations]}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _page(api, key, path, cursor=None):
    query = "limit=1" + (f"&cursor={cursor}" if cursor else "")
    return api.request("GET", path, headers=bearer(key), query=query)


def test_cursors_are_opaque_signed_and_still_page(api, busy_bakery):
    # Given the first page of a conversation's messages
    path = f"/v1/conversations/{busy_bakery['customers'][0]}/messages"
    first = _page(api, busy_bakery["key"], path).json()
    # Then its cursor is a payload and a signature, and it brings the next page
    payload, _, signature = first["next_cursor"].partition(".")
    assert payload
    assert len(signature) == 43
    second = _page(api, busy_bakery["key"], path, first["next_cursor"])
    assert second.status == 200
    assert second.json()["items"][0]["message_id"] != first["items"][0]["message_id"]


def test_a_cursor_that_decodes_but_bizline_did_not_make_is_400(api, busy_bakery):
    # Given a cursor a client made up: the old unsigned format, naming the business's own partition
    business_id = busy_bakery["business"]["business_id"]
    made_up = _b64(json.dumps({"business_id": {"S": business_id}, "nonsense": {"N": "1"}}).encode())
    # When it is used, bare or with a signature of the client's own
    for cursor in (made_up, f"{made_up}.{_b64(b'x' * 32)}", f"{made_up}.", "."):
        response = _page(api, busy_bakery["key"], "/v1/conversations", cursor)
        # Then it is a 400 invalid_cursor, never a 500
        _assert_error(response, 400, "invalid_cursor")


def test_an_altered_cursor_is_400(api, busy_bakery):
    # Given a real cursor whose payload the client changed, keeping bizline's signature
    first = _page(api, busy_bakery["key"], "/v1/conversations").json()
    payload, _, signature = first["next_cursor"].partition(".")
    key = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    key["last_message_at"] = {"S": "1970-01-01T00:00:00+00:00"}
    altered = f"{_b64(json.dumps(key).encode())}.{signature}"
    # When it is used
    response = _page(api, busy_bakery["key"], "/v1/conversations", altered)
    # Then it is refused
    _assert_error(response, 400, "invalid_cursor")


def test_a_cursor_is_good_only_for_the_listing_that_made_it(api, busy_bakery):
    # Given a cursor from one customer's messages
    key = busy_bakery["key"]
    first_customer, second_customer = busy_bakery["customers"][:2]
    cursor = _page(api, key, f"/v1/conversations/{first_customer}/messages").json()["next_cursor"]
    # When it is used for another customer's messages, for the conversations or the deliveries
    for path in (f"/v1/conversations/{second_customer}/messages", "/v1/conversations", "/v1/deliveries"):
        response = _page(api, key, path, cursor)
        # Then each refuses it as a 400, not a DynamoDB error
        _assert_error(response, 400, "invalid_cursor")


def test_another_business_cannot_use_a_cursor(api, busy_bakery):
    # Given the bakery's conversation cursor, and another business
    cursor = _page(api, busy_bakery["key"], "/v1/conversations").json()["next_cursor"]
    _, other_key = sign_up(api, display_name="Other")
    # When the other business pages with it
    response = _page(api, other_key, "/v1/conversations", cursor)
    # Then it is refused
    _assert_error(response, 400, "invalid_cursor")


# -- names ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Ba\u0308ckerei Huber", "B\u00e4ckerei Huber"),
        ("\U0001f468\u200d\U0001f373 Huber", "\U0001f468\u200d\U0001f373 Huber"),
        ("\u0936\u0930\u094d\u092e\u093e Sweets", "\u0936\u0930\u094d\u092e\u093e Sweets"),
        (
            "\u05de\u05d0\u05e4\u05d9\u05d9\u05ea \u05d4\u05d5\u05d1\u05e8",
            "\u05de\u05d0\u05e4\u05d9\u05d9\u05ea \u05d4\u05d5\u05d1\u05e8",
        ),
    ],
)
def test_real_names_are_kept_in_their_composed_form(api, sent, stored):
    # Given a name with a combining mark, an emoji joined by a zero-width joiner, Devanagari or Hebrew
    response = api.request(
        "POST", "/v1/businesses", headers=json_headers(), body=json.dumps(sign_up_body(display_name=sent))
    )
    # Then the business is created with the name NFC-normalised
    assert response.status == 201, response.body
    assert response.json()["business"]["display_name"] == stored


# -- methods --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v1/api-keys", "GET, POST"),
        ("DELETE", "/v1/businesses/me", "GET, PATCH"),
        ("GET", "/v1/messages", "POST"),
        ("PATCH", "/v1/api-keys/key_123", "DELETE"),
        ("DELETE", "/v1/conversations", "GET"),
        ("PUT", "/webhooks/whatsapp", "GET, POST"),
        ("POST", "/v1/health", "GET"),
        ("POST", "/v1/openapi.json", "GET"),
    ],
)
def test_a_known_path_with_a_method_it_does_not_serve_is_405_with_allow(api, aws, method, path, allow):
    # Given a path the API serves, called with a method it does not serve (with a key, and a body)
    _, key = sign_up(api)
    # When the request arrives
    response = api.request(method, path, headers=json_headers(key), body='{"name": "x"}')
    # Then it is a 405 with the error body and the methods the path serves, and nothing was written
    _assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allow
    assert len(scan(aws["dynamodb"], "ApiKeysTable")) == 1


def test_a_wrong_method_is_405_even_without_a_key_or_a_readable_body(api):
    # Given a wrong method, no key and a body that is not JSON
    response = api.request("PUT", "/v1/businesses/me", headers={"content-type": "text/plain"}, body="%%%")
    # Then the method is what the API answers about
    _assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET, PATCH"


def test_an_unknown_path_under_the_api_is_bizlines_404(api):
    # Given a path under /v1 that no route serves
    response = api.request("GET", "/v1/nothing-here")
    # Then it is bizline's 404 error body
    _assert_error(response, 404, "not_found")


def test_a_wrong_method_on_a_reviewer_path_needs_a_signature_first(api):
    # Given a reviewer path called with a wrong method
    unsigned = api.request("DELETE", "/admin/verification-requests")
    signed = as_reviewer(api, "DELETE", "/admin/verification-requests")
    # Then without a signature API Gateway refuses it; signed, it is a 405
    assert unsigned.status == 403
    _assert_error(signed, 405, "method_not_allowed")
    assert signed.headers["allow"] == "GET"


def test_a_known_route_still_answers_as_before(api):
    # Given the routes that name their method, next to the catch-all
    _, key = sign_up(api)
    # Then they are served as ever, and an absent key still meets the authorizer
    assert api.request("GET", "/v1/api-keys", headers=bearer(key)).status == 200
    assert api.request("GET", "/v1/api-keys").status == 401
