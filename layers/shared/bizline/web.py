"""The HTTP edge shared by every API function: resolver, body guard, auth and the error contract.

Every response that is not a success carries `{"error": {"code", "message", "details"}}`.
"""

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from bizline.errors import (
    BadRequest,
    BizlineError,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from bizline.models.common import ErrorResponse, error_body
from bizline.observability import logger
from bizline.settings import get_settings

API_TITLE = "bizline API"
API_VERSION = "1.0.0"
SECURITY_SCHEME = "apiKey"
AUTHENTICATED = [{SECURITY_SCHEME: []}]
REVIEWER_SECURITY_SCHEME = "sigv4"
REVIEWER = [{REVIEWER_SECURITY_SCHEME: []}]

_ERROR_DESCRIPTIONS = {
    400: "The request body could not be read.",
    401: "A valid API key (or signature) is required.",
    403: "Refused: the verify token or credentials do not match.",
    404: "Not found, or it belongs to another business.",
    409: "The request conflicts with the current state.",
    413: "The request body is too large.",
    415: "The request body must be application/json.",
    422: "Validation failed; `details` names each field.",
    500: "Unexpected failure on bizline's side; safe to retry.",
    503: "A service bizline depends on (Meta's Graph API) did not answer; safe to retry.",
}
_METHODS_WITH_BODY = {"POST", "PUT", "PATCH"}


def error_responses(*status_codes: int) -> dict[int, dict[str, Any]]:
    """OpenAPI documentation of the error bodies a route can answer with.

    422 and 500 are always listed: any route validates, and any route can fail.
    """
    return {
        status: {
            "description": _ERROR_DESCRIPTIONS[status],
            "content": {content_types.APPLICATION_JSON: {"model": ErrorResponse}},
        }
        for status in sorted({*status_codes, 422, 500})
    }


def json_error(status_code: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> Response:
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(error_body(code, message, details)),
    )


def _field_path(location: tuple[Any, ...] | list[Any]) -> str | None:
    # Powertools prefixes locations with where they came from ("body", "query", ...).
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or None


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        error_type = error.get("type")
        message = error.get("msg") or "is invalid"
        if error_type == "missing":
            message = "is required"
        elif error_type == "extra_forbidden":
            message = "is not a known field"
        details.append({"field": _field_path(error.get("loc", ())), "message": message, "type": error_type})
    return details


def build_resolver(*routers: Router) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)
    app.configure_openapi(
        title=API_TITLE,
        version=API_VERSION,
        summary="Business messaging: accounts, API keys, conversations, verification.",
        security_schemes={
            SECURITY_SCHEME: HTTPBearer(description="An API key: `Authorization: Bearer bzl_...`."),
            REVIEWER_SECURITY_SCHEME: APIKey(
                name="Authorization",
                in_=APIKeyIn.header,
                description="bizline reviewers: an AWS Signature Version 4 by an IAM principal allowed to invoke "
                "the API (`execute-api:Invoke`).",
            ),
        },
    )

    @app.exception_handler(BizlineError)
    def _domain_error(error: BizlineError) -> Response:
        return json_error(error.status_code, error.code, error.message, error.details)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response:
        details = _validation_details(list(error.errors()))
        if any(detail["type"] == "json_invalid" for detail in details):
            return json_error(400, "malformed_json", "The request body is not valid JSON.")
        return json_error(422, "validation_failed", "The request has invalid fields.", details)

    @app.not_found
    def _no_route(_: NotFoundError) -> Response:
        return json_error(404, "not_found", "No such route.")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("unhandled error")
        return json_error(500, "internal_error", "Something went wrong on our side; please retry later.")

    for router in routers:
        app.include_router(router)
    return app


def _header(event: Mapping[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return value
    return None


def raw_body(event: Mapping[str, Any]) -> bytes:
    """The exact bytes the client sent, whether or not API Gateway base64-encoded them."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise BadRequest("The request body is not valid base64.", code="malformed_body") from error
    return body.encode("utf-8")


def check_body(event: Mapping[str, Any]) -> dict[str, Any]:
    """Refuse what the resolver cannot safely parse, and hand it a plain UTF-8 body.

    Returns the event to resolve (decoded when API Gateway base64-encoded a JSON body).
    """
    method = (event.get("requestContext", {}).get("http", {}).get("method") or "").upper()
    body = raw_body(event)
    if len(body) > get_settings().max_body_bytes:
        raise PayloadTooLarge(f"The request body is larger than {get_settings().max_body_bytes} bytes.")
    if method not in _METHODS_WITH_BODY or not body:
        return dict(event)
    content_type = (_header(event, "content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType("Send the request body as JSON with 'Content-Type: application/json'.")
    try:
        text = body.decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError as error:
        raise BadRequest("The request body is not UTF-8.", code="malformed_body") from error
    except json.JSONDecodeError as error:
        raise BadRequest(f"The request body is not valid JSON: {error.msg}.", code="malformed_json") from error
    return {**event, "body": text, "isBase64Encoded": False}


def handle(app: APIGatewayHttpResolver, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        event = check_body(event)
    except BizlineError as error:
        return {
            "statusCode": error.status_code,
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps(error_body(error.code, error.message)),
            "isBase64Encoded": False,
        }
    return app.resolve(event, context)


def reviewer_identity(event: APIGatewayProxyEventV2) -> str:
    """The IAM principal API Gateway verified for an AWS_IAM route (its ARN), for the audit trail."""
    authorizer = event.request_context.authorizer
    iam = authorizer.iam if authorizer else None
    identity = (iam.user_arn or iam.caller_id) if iam else None
    if not identity:
        # Only reachable when a route lost its AWS_IAM authorizer: refuse rather than act anonymously.
        raise Unauthorized("A signed (AWS SigV4) request is required.")
    return identity


def authenticated_business_id(event: APIGatewayProxyEventV2) -> str:
    """The business this request acts for, checked against the key itself (see accounts.authenticate)."""
    from bizline.services.accounts import authenticate

    authorizer = event.request_context.authorizer
    authorized = (authorizer.get_lambda or {}).get("business_id") if authorizer else None
    return authenticate(event.headers.get("authorization"), authorized)
