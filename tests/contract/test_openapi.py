"""GET /v1/openapi.json: a valid OpenAPI 3.1 document of every route, its models and its errors."""

import json

import pytest
from openapi_spec_validator import validate

from local.apigw import http_api_event
from local.lambda_runtime import LocalLambdaContext
from local.template import http_routes

ERROR_REF = "#/components/schemas/ErrorResponse"


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


def test_every_authenticated_route_documents_the_key_and_the_401(document):
    public = {f"{route.method} {route.path}" for route in http_routes() if route.authorizer is None}
    signed = {f"{route.method} {route.path}" for route in http_routes() if route.authorizer == "AWS_IAM"}
    for name, operation in _operations(document):
        if name in public:
            assert "security" not in operation, name
            continue
        if name in signed:
            # API Gateway refuses unsigned requests itself (403); the route documents the scheme.
            assert operation["security"] == [{"sigv4": []}], name
            continue
        assert operation["security"] == [{"apiKey": []}], name
        assert operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"] == ERROR_REF


def test_every_error_response_uses_the_one_error_body(document):
    for name, operation in _operations(document):
        errors = {code: response for code, response in operation["responses"].items() if code.startswith(("4", "5"))}
        for code, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (name, code)


def test_request_and_response_models_are_described(document):
    sign_up = document["paths"]["/v1/businesses"]["post"]
    assert sign_up["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SignUpRequest")
    assert sign_up["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/SignUpResponse")
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    info = document["components"]["schemas"]["ErrorInfo"]
    assert set(info["required"]) == {"code", "message"}
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
