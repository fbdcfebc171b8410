"""API Gateway HTTP API (payload format 2.0) event shapes, as AWS sends them to Lambda."""

import base64
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl


def http_api_event(
    method: str,
    raw_path: str,
    *,
    route_path: str | None = None,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    path_parameters: dict[str, str] | None = None,
    authorizer_context: dict[str, Any] | None = None,
    source_ip: str = "127.0.0.1",
    base64_body: bool | None = None,
) -> dict[str, Any]:
    """An HTTP API v2 event: header names lower-cased, repeated query keys comma-joined, as in AWS."""
    method = method.upper()
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    lowered.setdefault("host", "localhost")
    query_parameters: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        query_parameters[key] = f"{query_parameters[key]},{value}" if key in query_parameters else value
    raw_body = body.encode("utf-8") if isinstance(body, str) else body
    if base64_body is None:
        # AWS base64-encodes bodies it does not consider text.
        content_type = lowered.get("content-type", "")
        base64_body = raw_body is not None and not (
            content_type.startswith("text/") or "json" in content_type or "xml" in content_type
        )
    if raw_body is not None and not base64_body:
        try:
            raw_body.decode("utf-8")
        except UnicodeDecodeError:
            # Bytes that are not text travel base64-encoded, whatever their content type claims.
            base64_body = True
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {route_path or raw_path}",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lowered["host"],
            "domainPrefix": lowered["host"].split(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{method} {route_path or raw_path}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": bool(base64_body),
    }
    if query_parameters:
        event["queryStringParameters"] = query_parameters
    if path_parameters:
        event["pathParameters"] = path_parameters
    if authorizer_context is not None:
        event["requestContext"]["authorizer"] = {"lambda": authorizer_context}
    if raw_body is not None and not base64_body:
        try:
            event["body"] = raw_body.decode("utf-8")
        except UnicodeDecodeError:  # not text whatever its content type says: AWS base64-encodes it
            base64_body = event["isBase64Encoded"] = True
    if raw_body is not None and base64_body:
        event["body"] = base64.b64encode(raw_body).decode()
    return event


def authorizer_event(route_key: str, raw_path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The request-authorizer event (payload 2.0) API Gateway sends before a protected route."""
    lowered = {name.lower(): value for name, value in headers.items()}
    method = route_key.split(" ", 1)[0]
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:eu-central-1:123456789012:local/$default/{method}{raw_path}",
        "identitySource": [lowered.get("authorization", "")],
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
        },
    }
