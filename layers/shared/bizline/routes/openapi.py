"""The OpenAPI document of the whole API, served by one route that is itself left out of it.

It reads every router through the catalog; no router in the catalog reads it back, so the
routes stay free of cycles. The document is what is served: each operation lists its success
answer (a 204 without a body), bizline's error body where bizline answers, and API Gateway's own
`{"message": ...}` where the gateway answers before any bizline code runs (the authorizer's 401
and 403, IAM's 403). `make test` holds the served API to it with schemathesis (`make api-contract`).
"""

import json
import re
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from bizline.models.common import GatewayMessage
from bizline.rules.team_roles import console_methods, is_team_path
from bizline.web import GATEWAY_ANSWERS_BY_SCHEME, GATEWAY_DESCRIPTIONS, SECURITY_SCHEME

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_GATEWAY_MESSAGE = {"$ref": "#/components/schemas/GatewayMessage"}
_ERROR_RESPONSE = {"$ref": "#/components/schemas/ErrorResponse"}
_ROUTE_ANSWERS_TOO = (
    " Or the route itself, in bizline's error body (`unauthorized`): a key revoked since API Gateway cached "
    "its authorizer's answer."
)


def _as_served(document: dict[str, Any]) -> None:
    """Bodiless answers declare no content; secured operations list what API Gateway answers itself."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("GatewayMessage", GatewayMessage.model_json_schema())
    for path_item in document["paths"].values():
        for method in _METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            responses = operation["responses"]
            for response in responses.values():
                if not response.get("content"):  # 204: no body, so no content type either
                    response.pop("content", None)
            for requirement in operation.get("security") or []:
                for scheme in requirement:
                    for status in GATEWAY_ANSWERS_BY_SCHEME.get(scheme, ()):
                        schema, description = _GATEWAY_MESSAGE, GATEWAY_DESCRIPTIONS[status]
                        if (scheme, status) == (SECURITY_SCHEME, 401):
                            # Every API-key route checks the key again itself (authentication.authenticate).
                            schema = {"anyOf": [_GATEWAY_MESSAGE, _ERROR_RESPONSE]}
                            description += _ROUTE_ANSWERS_TOO
                        responses[str(status)] = {
                            "description": description,
                            "content": {content_types.APPLICATION_JSON: {"schema": schema}},
                        }
            operation["responses"] = dict(sorted(responses.items()))


@lru_cache(maxsize=1)
def openapi_document() -> str:
    """The document covers every public router, whichever function serves it."""
    from bizline.routes.catalog import build_api_resolver

    document = json.loads(build_api_resolver().get_openapi_json_schema())
    _as_served(document)
    # Powertools adds its own validation-error schemas; bizline answers with ErrorResponse instead.
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        if f'"#/components/schemas/{unused}"' not in json.dumps(document["paths"]):
            schemas.pop(unused, None)
    return json.dumps(document, separators=(",", ":"))


@lru_cache(maxsize=1)
def _paths() -> tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]:
    # The routes the document lists, read from the routers themselves: a 405 never generates the document.
    from bizline.routes.catalog import documented_routes

    paths: dict[str, set[str]] = {}
    for method, path in documented_routes():
        paths.setdefault(path, set()).add(method)
    paths.setdefault("/v1/openapi.json", set()).add("GET")
    compiled = []
    for template, methods in paths.items():
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template))
        compiled.append((template, re.compile(f"^{pattern}$"), frozenset(methods)))
    return tuple(compiled)


def allowed_methods(path: str) -> set[str]:
    """The methods the whole API serves at `path` (empty when it serves none): the `Allow` of a 405.

    A path the document lists as it is (`/v1/subscribers/batch`) is its own resource, whatever
    template (`/v1/subscribers/{customer_id}`) it would match too.
    """
    if is_team_path(path):
        return console_methods(path)
    matching = [(template, methods) for template, pattern, methods in _paths() if pattern.match(path)]
    exact = [methods for template, methods in matching if template == path]
    return set(exact[0]) if exact else {method for _, methods in matching for method in methods}


def build_router() -> Router:
    router = Router()

    @router.get(
        "/v1/openapi.json",
        summary="This API's OpenAPI 3.1 document",
        tags=["Platform"],
        include_in_schema=False,
    )
    def openapi():  # the document is JSON text already: no model to validate
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())

    return router
