"""The API refuses what its OpenAPI document refuses, and takes what the document takes.

Each case here was once accepted against the document (a JSON array as a body, `false` for an
integer, a second content object, a name longer than its maxLength) or refused although the
document allowed it (a percent-encoded path parameter, a number in E.164's shape).
"""

import json

import pytest

from local.gateway import HttpApiGateway
from tests.support import (
    add_number,
    approved_template,
    bearer,
    json_headers,
    post_json,
    queue_bodies,
    sandbox_account,
    scan,
    sign_up,
    sign_up_body,
)

NUMBER = "1098765432"


def _assert_refused(response, status=422, code="validation_failed"):
    assert response.status == status, response.body
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


# -- bodies that are no object --------------------------------------------------------------------
@pytest.mark.parametrize("body", ["[null, null]", "[]", "null", '"a key"', "42", "true"])
def test_a_body_that_is_no_json_object_is_422_and_creates_nothing(api, aws, body):
    # Given a business with its one key
    _, key = sign_up(api)
    # When it posts a JSON value that is not an object where the document asks for one (the body is optional)
    response = api.request("POST", "/v1/api-keys", headers=json_headers(key), body=body)
    # Then it is a 422 with the error body, and no second key exists
    error = _assert_refused(response)
    assert error["details"] == [{"field": None, "message": "must be a JSON object", "type": "model_type"}]
    assert len(scan(aws["dynamodb"], "ApiKeysTable")) == 1


def test_an_absent_body_still_creates_a_key(api, aws):
    # Given a business; When it creates a key without any body (the body is optional, not nullable)
    _, key = sign_up(api)
    response = api.request("POST", "/v1/api-keys", headers=bearer(key))
    # Then the key is created
    assert response.status == 201, response.body
    assert len(scan(aws["dynamodb"], "ApiKeysTable")) == 2


def test_an_array_on_a_required_body_is_refused_before_the_route(api, aws):
    # Given a sign-up sent as an array of its fields
    response = api.request("POST", "/v1/businesses", headers=json_headers(), body=json.dumps([sign_up_body()]))
    # Then it is refused and nothing is stored
    _assert_refused(response)
    assert scan(aws["dynamodb"], "BusinessesTable") == []


# -- integers and booleans ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", [False, True, "4", "4.0", [4], {"n": 4}, 4.5])
def test_what_json_schema_does_not_call_an_integer_is_refused(api, aws, value):
    # Given size figures whose headcount is a boolean, a string, an array, an object or a fraction
    size = {"employees": value, "annual_turnover_eur": 1, "balance_sheet_total_eur": 1}
    # When a business signs up with them
    response = post_json(api, "/v1/businesses", sign_up_body(size=size))
    # Then the field is named, and nothing is stored
    error = _assert_refused(response)
    assert [detail["field"] for detail in error["details"]] == ["size.employees"]
    assert scan(aws["dynamodb"], "BusinessesTable") == []


def test_false_for_an_integer_is_refused_on_a_change_too(api):
    # Given a business
    _, key = sign_up(api)
    size = {"employees": 4, "annual_turnover_eur": 0, "balance_sheet_total_eur": False}
    # When it changes its size figures with `false` for a sum
    response = api.request("PATCH", "/v1/businesses/me", headers=json_headers(key), body=json.dumps({"size": size}))
    # Then it is refused, and the figures are unchanged
    _assert_refused(response)
    me = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()
    assert me["size"]["balance_sheet_total_eur"] == 120_000


def test_an_integer_written_with_a_zero_fraction_is_an_integer(api):
    # Given figures written 4.0 (JSON Schema's integer includes it)
    size = {"employees": 4.0, "annual_turnover_eur": 350_000, "balance_sheet_total_eur": 120_000.0}
    # When a business signs up with them
    response = post_json(api, "/v1/businesses", sign_up_body(size=size))
    # Then it is read as the integers they are
    assert response.status == 201, response.body
    assert response.json()["business"]["size"] == {
        "employees": 4,
        "annual_turnover_eur": 350_000,
        "balance_sheet_total_eur": 120_000,
    }


# -- strings the document constrains -------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": "at"}, "country"),
        ({"country": " AT"}, "country"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"display_name": "\u0085" + "x" * 100}, "display_name"),
        ({"legal_name": "\u00a0" * 3}, "legal_name"),
        ({"legal_name": "\ufe0f\u3164"}, "legal_name"),
        ({"website": "https://huber.example:99999/"}, "website"),
        ({"website": "https://999.1.1.1/"}, "website"),
        ({"website": "https://huber.example/a b"}, "website"),
        ({"website": " https://huber.example"}, "website"),
        ({"callback_url": "ftp://hooks.huber.example/in"}, "callback_url"),
    ],
)
def test_strings_the_document_refuses_are_refused(api, aws, overrides, field):
    # Given a sign-up with a value the document's enum, maxLength or pattern refuses
    response = post_json(api, "/v1/businesses", sign_up_body(**overrides))
    # Then it is a 422 naming that field, and nothing is stored
    error = _assert_refused(response)
    assert [detail["field"] for detail in error["details"]] == [field]
    assert scan(aws["dynamodb"], "BusinessesTable") == []


def test_names_lose_surrounding_white_space_after_their_length_is_counted(api):
    # Given a display name of exactly 100 characters, two of them spaces around it
    name = " " + "B" * 98 + " "
    # When a business signs up with it
    response = post_json(api, "/v1/businesses", sign_up_body(display_name=name, website="https://huber.example"))
    # Then it is taken, stored without the spaces, and the website is normalised
    assert response.status == 201, response.body
    business = response.json()["business"]
    assert business["display_name"] == "B" * 98
    assert business["website"] == "https://huber.example/"


# -- messages: one content object, the one the type names ------------------------------------------
@pytest.fixture
def bakery(api, aws):
    _, key = sign_up(api)
    add_number(api, key, NUMBER)
    return key


def _message(**overrides):
    body = {"from_phone_number_id": NUMBER, "to": {"wa_id": "436601234567"}, "type": "template"}
    body["template"] = {"name": "opening_hours", "language": {"code": "de_AT"}}
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    "overrides",
    [
        {"text": {"body": "Hallo"}},
        {"type": "text", "text": {"body": "Hallo"}},
        {"to": {"wa_id": "436601234567", "customer_id": None}},
        {"to": {}},
        {"to": {"wa_id": " 436601234567"}},
        {"template": {"name": "opening_hours", "language": {"code": "de AT"}}},
        {"type": "image", "template": None, "image": {"link": "https://cdn.example:70000/cake.jpg"}},
        {"type": "text", "template": None, "text": {"body": "Hallo", "preview_url": "yes"}},
        {"type": "text", "template": None, "text": {"body": " \u3000 "}},
    ],
)
def test_a_message_the_document_refuses_is_refused_and_nothing_is_queued(api, aws, bakery, overrides):
    # Given a message with a second content object, a null or blank recipient field, a bad
    # language code, an unusable link, a string for a boolean, or a blank text
    response = post_json(api, "/v1/messages", _message(**overrides), bakery)
    # Then it is refused, and nothing is stored or queued
    _assert_refused(response)
    assert queue_bodies(aws, "SendQueue") == []
    assert [m for m in scan(aws["dynamodb"], "MessagesTable") if m["direction"]["S"] == "outbound"] == []


def _approve_opening_hours(api, aws, key):
    body = {
        "name": "opening_hours",
        "language": "de_AT",
        "category": "utility",
        "components": [{"type": "BODY", "text": "Wir haben heute bis 18 Uhr offen."}],
    }
    approved_template(api, aws, key, body)


def test_the_other_content_objects_may_be_null(api, aws, bakery):
    # Given the bakery's approved template, and a message of it that names the other content objects as
    # null, as generated clients do
    _approve_opening_hours(api, aws, bakery)
    body = _message(text=None, image=None, audio=None, video=None, document=None)
    # When it is sent
    response = post_json(api, "/v1/messages", body, bakery)
    # Then it is accepted and queued once
    assert response.status == 202, response.body
    assert len(queue_bodies(aws, "SendQueue")) == 1


def test_a_repeated_idempotent_request_with_null_fields_is_the_same_request(api, aws, bakery):
    # Given a message of the bakery's approved template sent with an Idempotency-Key and explicit nulls
    _approve_opening_hours(api, aws, bakery)
    headers = {**json_headers(bakery), "idempotency-key": "order-7"}
    first = api.request("POST", "/v1/messages", headers=headers, body=json.dumps(_message(text=None)))
    # When the same message comes again without the nulls
    second = api.request("POST", "/v1/messages", headers=headers, body=json.dumps(_message()))
    # Then it is the same message, queued once
    assert first.status == second.status == 202, (first.body, second.body)
    assert first.json()["message_id"] == second.json()["message_id"]
    assert len(queue_bodies(aws, "SendQueue")) == 1


# -- WhatsApp accounts ---------------------------------------------------------------------------
def test_an_access_token_that_cannot_be_a_header_is_refused_not_a_500(api, aws):
    # Given a business and a sandbox account
    _, key = sign_up(api)
    waba_id, _token = sandbox_account("5550001111", "+43 1 5550001")
    # When it connects the account with a token holding non-ASCII characters or spaces
    for token in ("EAAG\u00e4" + "x" * 30, "EAAG " + "x" * 30):
        response = post_json(api, "/v1/whatsapp-accounts", {"waba_id": waba_id, "access_token": token}, key)
        # Then it is a 422 naming the token, and nothing is connected
        error = _assert_refused(response)
        assert [detail["field"] for detail in error["details"]] == ["access_token"]
    assert api.request("GET", "/v1/whatsapp-accounts", headers=bearer(key)).json()["items"] == []


# -- path parameters, decoded as API Gateway decodes them ------------------------------------------
def test_a_percent_encoded_number_is_looked_up_decoded(api):
    # Given a number written with a `+` and spaces, percent-encoded as a client library sends it
    response = api.request("GET", "/v1/public/verified/%2B43%201%202345678")
    # Then the lookup reads it as the number it is
    assert response.status == 200, response.body
    assert response.json()["phone_number"] == "+4312345678"


def test_a_number_in_e164_shape_that_no_country_issues_is_simply_not_verified(api):
    # Given digits in E.164's shape under a country code nobody holds
    response = api.request("GET", "/v1/public/verified/+9991234567")
    # Then it is answered like any unknown number, not refused
    assert response.status == 200, response.body
    assert response.json() == {
        "phone_number": "+9991234567",
        "verified": False,
        "verified_name": None,
        "verified_since": None,
    }


def test_a_percent_encoded_key_id_reaches_the_route_decoded(api, aws):
    # Given a business with two keys
    _, key = sign_up(api)
    second = post_json(api, "/v1/api-keys", {"name": "shop"}, key).json()
    encoded = "".join(f"%{byte:02X}" for byte in second["key_id"].encode())
    # When it revokes the second one, its id fully percent-encoded in the path
    response = api.request("DELETE", f"/v1/api-keys/{encoded}", headers=bearer(key))
    # Then that key is revoked
    assert response.status == 204, response.body
    listed = {item["key_id"] for item in api.request("GET", "/v1/api-keys", headers=bearer(key)).json()["items"]}
    assert len(listed) == 1
    assert second["key_id"] not in listed


def test_a_path_parameter_no_route_takes_is_404_not_405(api):
    # Given a key id holding an encoded slash, and a number holding a control character
    _, key = sign_up(api)
    for method, path in (("DELETE", "/v1/api-keys/key%2Fx"), ("GET", "/v1/public/verified/%C2%84")):
        # When the method the path's template serves is used
        response = api.request(method, path, headers=bearer(key))
        # Then no such resource exists: 404, not 405 for a method the path does serve
        _assert_refused(response, 404, "not_found")


def test_the_gateway_hands_lambda_the_path_decoded_as_api_gateway_does():
    # Given the local gateway, recording the event it would hand the function
    events = []
    gateway = HttpApiGateway(invoker=lambda spec, event, trigger: events.append(event) or {"statusCode": 200})
    # When a client sends a path parameter percent-encoded
    gateway.request("GET", "/v1/public/verified/%2B43%201%202345678")
    # Then `rawPath` and `pathParameters` arrive decoded, the route key as declared
    (event,) = events
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/v1/public/verified/+43 1 2345678"
    assert event["pathParameters"] == {"phone_number": "+43 1 2345678"}
    assert event["routeKey"] == "GET /v1/public/verified/{phone_number}"
