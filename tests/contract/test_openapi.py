"""GET /v1/openapi.json: a valid OpenAPI 3.1 document of every route, its models and its errors."""

import json
import re

import pytest
from bizline.rules.team_roles import is_team_path
from openapi_spec_validator import validate

from local.apigw import http_api_event
from local.lambda_runtime import LocalLambdaContext
from local.template import http_routes

ERROR_REF = "#/components/schemas/ErrorResponse"
GATEWAY_REF = "#/components/schemas/GatewayMessage"
# API Gateway's own answers, before any bizline code runs: by security scheme, and the throttled route.
GATEWAY_ANSWERS = {"apiKey": {"401", "403"}, "sigv4": {"403"}}
THROTTLED = {"GET /v1/public/verified/{phone_number}": {"429"}}


@pytest.fixture(scope="module")
def document(function_environment_module):
    from business_api.handler import lambda_handler

    response = lambda_handler(http_api_event("GET", "/v1/openapi.json"), LocalLambdaContext("BusinessApiFunction"))
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    return json.loads(response["body"])


@pytest.fixture(scope="module")
def function_environment_module():
    from local.template import functions

    with pytest.MonkeyPatch.context() as patch:
        for spec in functions().values():
            for name, value in spec.environment.items():
                patch.setenv(name, value)
        yield


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_template_route_is_documented_except_the_document_itself(document):
    documented = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}
    # (the console's /team routes are their /v1 twins for team members, not operations of their own)
    declared = {(route.method, route.path) for route in http_routes() if not is_team_path(route.path)}
    declared -= {("GET", "/v1/openapi.json")}
    assert documented == declared


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _gateway_answers(name, operation):
    schemes = {scheme for requirement in operation.get("security", []) for scheme in requirement}
    return set().union(THROTTLED.get(name, set()), *(GATEWAY_ANSWERS[scheme] for scheme in schemes))


def _gateway_schema(name, operation, code):
    """API Gateway's own body; for an API key's 401 also bizline's, since each route checks the key again
    (a key revoked while the gateway still caches its authorizer's yes)."""
    if code == "401" and {"apiKey": []} in operation.get("security", []):
        return {"anyOf": [{"$ref": GATEWAY_REF}, {"$ref": ERROR_REF}]}
    return {"$ref": GATEWAY_REF}


def test_every_secured_route_documents_its_scheme_and_api_gateways_own_answers(document):
    public = {f"{route.method} {route.path}" for route in http_routes() if route.authorizer is None}
    signed = {f"{route.method} {route.path}" for route in http_routes() if route.authorizer == "AWS_IAM"}
    for name, operation in _operations(document):
        if name in public:
            assert "security" not in operation, name
            continue
        if name in signed:
            # API Gateway refuses an unsigned or wrongly signed request itself: 403 {"message": "Forbidden"}.
            assert operation["security"] == [{"sigv4": []}], name
            refusals = {"403"}
        else:
            # No Authorization header: 401 {"message": "Unauthorized"}; a key the authorizer refuses: 403.
            assert operation["security"] == [{"apiKey": []}], name
            refusals = {"401", "403"}
        for code in refusals:
            schema = operation["responses"][code]["content"]["application/json"]["schema"]
            assert schema == _gateway_schema(name, operation, code), (name, code)
    gateway = document["components"]["schemas"]["GatewayMessage"]
    assert (gateway["required"], gateway["properties"]["message"]["type"]) == (["message"], "string")


def test_every_error_response_uses_the_one_error_body_where_bizline_answers(document):
    for name, operation in _operations(document):
        errors = {code: response for code, response in operation["responses"].items() if code.startswith(("4", "5"))}
        for code, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            expected = _gateway_schema(name, operation, code) if code in _gateway_answers(name, operation) else None
            assert schema == (expected or {"$ref": ERROR_REF}), (name, code)


# Operations that answer one of two successes: created (201), or already there (200, idempotent).
CREATED_OR_ALREADY_THERE = {"POST /v1/phone-numbers", "POST /v1/whatsapp-accounts", "POST /v1/subscribers"}


def test_every_operation_documents_its_success_answers(document):
    for name, operation in _operations(document):
        successes = {code: response for code, response in operation["responses"].items() if code.startswith("2")}
        expected = {"200", "201"} if name in CREATED_OR_ALREADY_THERE else None
        assert set(successes) == expected if expected else len(successes) == 1, (name, sorted(successes))
        for code, response in successes.items():
            assert response["description"], name
            if code == "204":
                # No body: no content type either
                assert "content" not in response, name
                continue
            ((media_type, content),) = response["content"].items()
            assert media_type in {"application/json", "text/plain"}, name
            if media_type == "application/json":
                assert "$ref" in content["schema"] or content["schema"].get("type"), name


def test_the_deliveries_filter_accepts_every_status_a_delivery_shows(document):
    from bizline.models.deliveries import DeliveryStatus

    (status,) = [p for p in document["paths"]["/v1/deliveries"]["get"]["parameters"] if p["name"] == "status"]
    refs = re.findall(r'"#/components/schemas/(\w+)"', json.dumps(status["schema"]))
    enums = [
        status["schema"].get("enum", []),
        *(document["components"]["schemas"][ref].get("enum", []) for ref in refs),
    ]
    assert {value for enum in enums for value in enum} == {status.value for status in DeliveryStatus}


def test_request_and_response_models_are_described(document):
    sign_up = document["paths"]["/v1/businesses"]["post"]
    assert sign_up["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SignUpRequest")
    assert sign_up["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/SignUpResponse")
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    info = document["components"]["schemas"]["ErrorInfo"]
    assert set(info["required"]) == {"code", "message"}
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def _schema(document, reference):
    return document["components"]["schemas"][reference.rsplit("/", 1)[-1]]


def test_every_operation_with_a_path_parameter_documents_404(document):
    # A path parameter may name nothing, or hold a character no route takes (a decoded `/`).
    for name, operation in _operations(document):
        if "{" in name:
            assert "404" in operation["responses"], name


def test_a_message_is_one_of_its_types_each_with_its_own_content(document):
    body = document["paths"]["/v1/messages"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["discriminator"]["propertyName"] == "type"
    contents = {"text", "image", "audio", "video", "document", "template"}
    assert set(body["discriminator"]["mapping"]) == contents
    for kind, reference in body["discriminator"]["mapping"].items():
        variant = _schema(document, reference)
        assert variant["additionalProperties"] is False
        assert variant["properties"]["type"]["const"] == kind
        assert kind in variant["required"]
        # Every other content object may only be absent or null
        assert {other: variant["properties"][other] for other in contents - {kind}} == {
            other: {"type": "null", "title": other.title()} for other in contents - {kind}
        }
    recipient = _schema(document, variant["properties"]["to"]["$ref"])
    assert recipient["minProperties"] == 1
    assert all("anyOf" not in field for field in recipient["properties"].values()), "recipient fields are not nullable"


def test_the_document_states_the_rules_of_sign_up(document):
    from bizline.models.countries import ISO_3166_ALPHA2

    sign_up = document["components"]["schemas"]["SignUpRequest"]["properties"]
    assert set(sign_up["country"]["enum"]) == ISO_3166_ALPHA2
    assert sign_up["display_name"]["maxLength"] == 100
    for field in ("display_name", "legal_name"):
        re.compile(sign_up[field]["pattern"])  # a regex every reader (Python's `re` included) compiles
    size = document["components"]["schemas"]["SizeFigures"]["properties"]
    assert {field["type"] for field in size.values()} == {"integer"}
    assert all("minimum" in field and "maximum" in field for field in size.values())
    update = document["components"]["schemas"]["BusinessUpdate"]["properties"]
    assert "anyOf" not in update["display_name"], "cannot be null"
    assert "anyOf" not in update["size"], "cannot be null"


def test_a_pagination_cursor_is_documented_as_opaque(document):
    for path in ("/v1/conversations", "/v1/deliveries", "/admin/verification-requests"):
        (cursor,) = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "cursor"]
        assert "invalid_cursor" in cursor["description"], path
        assert "400" in document["paths"][path]["get"]["responses"], path


def test_the_document_states_the_rules_of_subscribers_and_templates(document):
    # Given the subscriber and template request bodies as the document describes them
    schemas = document["components"]["schemas"]
    subscribe, update = schemas["SubscribeRequest"], schemas["UpdateSubscriberRequest"]
    template = schemas["CreateTemplateRequest"]
    # Then a subscriber is named by a wa_id or a user_id, present as a string
    assert subscribe["anyOf"] == [
        {"required": ["wa_id"], "properties": {"wa_id": {"type": "string"}}},
        {"required": ["user_id"], "properties": {"user_id": {"type": "string"}}},
    ]
    # And attribute names outside their pattern are refused, on creation and on update
    for attributes in (subscribe["properties"]["attributes"], update["properties"]["attributes"]["anyOf"][0]):
        assert attributes["additionalProperties"] is False
        assert list(attributes["patternProperties"]) == ["^[a-z][a-z0-9_]{0,39}$"]
    # And a template has exactly one BODY and at most one of each other component
    rules = {
        rule["contains"]["properties"]["type"]["const"]: rule for rule in template["properties"]["components"]["allOf"]
    }
    assert {kind: (rule["minContains"], rule["maxContains"]) for kind, rule in rules.items()} == {
        "HEADER": (0, 1),
        "BODY": (1, 1),
        "FOOTER": (0, 1),
        "BUTTONS": (0, 1),
    }
