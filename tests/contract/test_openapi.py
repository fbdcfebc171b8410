"""GET /v1/openapi.json: a valid OpenAPI 3.1 document of every route, its models and its errors."""

import json
import re

import pytest
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
    declared = {(route.method, route.path) for route in http_routes()} - {("GET", "/v1/openapi.json")}
    assert documented == declared


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _gateway_answers(name, operation):
    schemes = {scheme for requirement in operation.get("security", []) for scheme in requirement}
    return set().union(THROTTLED.get(name, set()), *(GATEWAY_ANSWERS[scheme] for scheme in schemes))


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
            assert schema == {"$ref": GATEWAY_REF}, (name, code)
    gateway = document["components"]["schemas"]["GatewayMessage"]
    assert (gateway["required"], gateway["properties"]["message"]["type"]) == (["message"], "string")


def test_every_error_response_uses_the_one_error_body_where_bizline_answers(document):
    for name, operation in _operations(document):
        errors = {code: response for code, response in operation["responses"].items() if code.startswith(("4", "5"))}
        for code, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            expected = GATEWAY_REF if code in _gateway_answers(name, operation) else ERROR_REF
            assert schema == {"$ref": expected}, (name, code)


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
