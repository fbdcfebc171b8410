"""The HTTP edge shared by every API function: resolver, body guard, auth and the error contract.

Every response that is not a success carries `{"error": {"code", "message", "details"}}`.
"""

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from bizline.errors import (
    BadRequest,
    BizlineError,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from bizline.models.common import ErrorResponse, GatewayMessage, error_body
from bizline.observability import logger
from bizline.rules.team_roles import TEAM_PREFIX
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
    404: "Not found, or it belongs to another business (or a path parameter holds a character no route takes).",
    409: "The request conflicts with the current state.",
    413: "The request body is too large.",
    415: "The request body must be application/json.",
    422: "Validation failed; `details` names each field.",
    429: "A fair-use cap of the business's tier is reached (`quota_exceeded`); `details` name it and when it resets.",
    500: "Unexpected failure on bizline's side; safe to retry.",
    503: "A service bizline depends on (Meta's Graph API) did not answer; safe to retry.",
}
_METHODS_WITH_BODY = {"POST", "PUT", "PATCH"}
CURSOR_DESCRIPTION = (
    "Opaque: the `next_cursor` of the previous page of the same listing. bizline signs its cursors, so any "
    "other value is refused with 400 `invalid_cursor` (no schema can tell a made-up one apart)."
)
# API Gateway answers these itself, with its own body, before the route's function runs.
GATEWAY_DESCRIPTIONS = {
    401: "API Gateway: the `Authorization` header is missing.",
    403: "API Gateway: refused by the authorizer (an unknown or revoked API key), or no valid AWS signature.",
    429: "API Gateway: throttled; try again later.",
}
# Which of API Gateway's own answers each security scheme brings (an API key: the Lambda authorizer,
# whose identity source is the `Authorization` header; a reviewer: IAM authorization).
GATEWAY_ANSWERS_BY_SCHEME = {SECURITY_SCHEME: (401, 403), REVIEWER_SECURITY_SCHEME: (403,)}
# A JSON string (with its escapes) or one bracket: what decides how deep a body nests.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_OPENING = frozenset("[{")


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


def gateway_responses(*status_codes: int) -> dict[int, dict[str, Any]]:
    """OpenAPI documentation of API Gateway's own answers: `{"message": ...}`, not bizline's error body."""
    return {
        status: {
            "description": GATEWAY_DESCRIPTIONS[status],
            "content": {content_types.APPLICATION_JSON: {"model": GatewayMessage}},
        }
        for status in sorted(status_codes)
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


def _methods_served(app: APIGatewayHttpResolver, path: str) -> set[str]:
    """The methods this resolver's own routes serve at `path`."""
    return {
        method.upper()
        for route in app._static_routes + app._dynamic_routes
        if route.rule.match(path)
        for method in (route.method if isinstance(route.method, list | tuple) else [route.method])
    }


def method_not_allowed(allowed: Iterable[str]) -> Response:
    """405 with the error body and the `Allow` header naming what the path serves."""
    methods = ", ".join(sorted(set(allowed)))
    response = json_error(405, "method_not_allowed", f"This path does not serve that method; it serves {methods}.")
    response.headers["Allow"] = methods
    return response


def describe_api(app: APIGatewayHttpResolver) -> APIGatewayHttpResolver:
    """Give the resolver that generates the OpenAPI document its title and security schemes.

    Only that resolver needs them: Powertools' OpenAPI models are a pydantic model per object of the
    specification, slower to import than boto3, so no function's resolver loads them to serve requests.
    """
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer

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
    return app


def build_resolver(
    *routers: Router, allowed_methods: Callable[[str], Iterable[str]] | None = None
) -> APIGatewayHttpResolver:
    """The resolver of one function: its routers, the error contract, and 404/405 for what no route serves.

    `allowed_methods(path)` names the methods the whole API serves at a path (the function behind the
    catch-all routes knows every route); without it, the resolver's own routes decide.
    """
    # The console's /team routes are their /v1 twins behind the team's JWT authorizer (rules.team_roles).
    app = APIGatewayHttpResolver(enable_validation=True, strip_prefixes=[TEAM_PREFIX])

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
        path = app.current_event.path
        allowed = _methods_served(app, path) | set(allowed_methods(path) if allowed_methods else ())
        # A path parameter no route's pattern takes (a decoded `/`, `?` or control character) finds no
        # route for a method the path's template does serve: that resource does not exist.
        if allowed and app.current_event.http_method.upper() not in allowed:
            return method_not_allowed(allowed)
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


def _nesting_depth(text: str, bound: int) -> int:
    """How deep the arrays and objects of a JSON text nest, counted until it passes `bound`."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > bound:
                    break
        elif len(token) == 1:
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _content_type(event: Mapping[str, Any]) -> str:
    content_type = (_header(event, "content-type") or "").split(";")[0].strip().lower()
    if content_type == "application/json":
        return content_type
    if content_type == "application/merge-patch+json":
        raise UnsupportedMediaType(
            "JSON merge patches are not supported: send the changed fields as 'Content-Type: application/json' "
            "(an absent field is kept, null clears an optional one)."
        )
    raise UnsupportedMediaType("Send the request body as JSON with 'Content-Type: application/json'.")


def _parse_json(text: str) -> Any:
    settings = get_settings()
    if _nesting_depth(text, settings.max_body_depth) > settings.max_body_depth:
        raise BadRequest(
            f"The request body nests arrays and objects more than {settings.max_body_depth} deep.",
            code="nesting_too_deep",
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise BadRequest(f"The request body is not valid JSON: {error.msg}.", code="malformed_json") from error
    except ValueError as error:
        if "digits" in str(error):
            # Python refuses to convert integers longer than sys.get_int_max_str_digits() (4300).
            raise BadRequest("The request body has an integer too long to read.", code="number_too_large") from error
        raise BadRequest(f"The request body is not valid JSON: {error}.", code="malformed_json") from error
    except RecursionError as error:  # pragma: no cover - the depth bound comes first
        raise BadRequest("The request body nests too deep.", code="nesting_too_deep") from error


def check_body(event: Mapping[str, Any], max_bytes: int | None = None) -> dict[str, Any]:
    """Refuse what the resolver cannot safely parse, and hand it a plain UTF-8 body.

    Every route gets these checks, the unauthenticated webhook included, before any signature or
    key is looked at: size, media type, encoding, nesting depth, integer length, JSON itself, and that
    it is a JSON object (422 otherwise, as the schema of every documented body says).
    Returns the event to resolve (decoded when API Gateway base64-encoded a JSON body, its
    content type spelled as the resolver expects it). `max_bytes` replaces the API's size limit (Meta's
    webhook takes larger notifications than any API request).
    """
    method = (event.get("requestContext", {}).get("http", {}).get("method") or "").upper()
    body = raw_body(event)
    limit = max_bytes or get_settings().max_body_bytes
    if len(body) > limit:
        raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    if method not in _METHODS_WITH_BODY or not body:
        return dict(event)
    content_type = _content_type(event)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest("The request body is not UTF-8.", code="malformed_body") from error
    if not isinstance(_parse_json(text), dict):
        # Every documented request body is a JSON object; an array, string, number or null is not one.
        raise ValidationFailed(
            "The request body must be a JSON object.",
            details=[{"field": None, "message": "must be a JSON object", "type": "model_type"}],
        )
    headers = {name: value for name, value in (event.get("headers") or {}).items() if name.lower() != "content-type"}
    return {**event, "headers": {**headers, "content-type": content_type}, "body": text, "isBase64Encoded": False}


def handle(
    app: APIGatewayHttpResolver, event: Mapping[str, Any], context: LambdaContext, max_body_bytes: int | None = None
) -> dict[str, Any]:
    """Check the body at the edge, then resolve; a catch-all route never reads a body, so 404/405 come first."""
    try:
        if not str(event.get("routeKey", "")).startswith("ANY "):
            event = check_body(event, max_body_bytes)
    except BizlineError as error:
        return {
            "statusCode": error.status_code,
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps(error_body(error.code, error.message, error.details)),
            "isBase64Encoded": False,
        }
    return app.resolve(event, context)


def reviewer_identity(event: APIGatewayProxyEventV2) -> str:
    """The IAM principal API Gateway verified for an AWS_IAM route (its ARN), for the audit trail.

    Reviewers in the console share one role (Cognito identity pool credentials): their Cognito
    identity, one per person, follows the role's ARN so the trail still says who.
    """
    authorizer = event.request_context.authorizer
    iam = authorizer.iam if authorizer else None
    identity = (iam.user_arn or iam.caller_id) if iam else None
    if not identity:
        # Only reachable when a route lost its AWS_IAM authorizer: refuse rather than act anonymously.
        raise Unauthorized("A signed (AWS SigV4) request is required.")
    cognito_identity = iam.cognito_identity_id if iam else ""
    return f"{identity} ({cognito_identity})" if cognito_identity else identity
