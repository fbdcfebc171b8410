"""An HTTP API gateway emulation: routes, Lambda authorizer and v2 events, all from template.yaml."""

import base64
import hmac
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from local import sigv4
from local.apigw import authorizer_event, http_api_event
from local.identity_pool import IdentityPool, TemporaryCredentials
from local.lambda_runtime import invoke
from local.template import (
    ACCOUNT_ID,
    FunctionSpec,
    HttpRoute,
    functions,
    http_routes,
    load_template,
    resources_of_type,
)

Invoker = Callable[[FunctionSpec, dict[str, Any], str], Any]
IAM = "AWS_IAM"


def _invoke_quietly(spec: FunctionSpec, event: dict[str, Any], trigger: str) -> Any:
    return invoke(spec, event)


@dataclass(frozen=True)
class IamCredentials:
    access_key: str
    secret_key: str


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _path_pattern(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{pattern}$")


def _gateway_message(status: int, message: str) -> GatewayResponse:
    # API Gateway's own answers carry {"message": ...}, not bizline's error body.
    return GatewayResponse(status, {"content-type": "application/json"}, json.dumps({"message": message}).encode())


class HttpApiGateway:
    """Routes requests to handlers as API Gateway would: authorizers (cached), IAM, v2 events."""

    def __init__(
        self,
        template: dict[str, Any] | None = None,
        *,
        invoker: Invoker = _invoke_quietly,
        iam_credentials: IamCredentials | None = None,
        endpoint: str | None = None,
        jwt_authorizers: dict[str, Any] | None = None,
        identity_pools: list[IdentityPool] | None = None,
    ):
        self.template = template or load_template()
        self.functions: dict[str, FunctionSpec] = (
            functions(self.template, endpoint) if endpoint else functions(self.template)
        )
        # As API Gateway: a route naming the method wins over ANY, and an ANY catch-all comes last.
        routes = sorted(http_routes(self.template, include_catch_all=True), key=lambda route: route.method == "ANY")
        self.routes = [(route, _path_pattern(route.path)) for route in routes]
        self.authorizers = self._authorizers()
        self.invoker = invoker
        self.iam_credentials = iam_credentials
        # JWT authorizers (local.cognito.JwtAuthorizer) by name; without one, its routes refuse every token.
        self.jwt_authorizers = jwt_authorizers or {}
        self._jwt_names = self._jwt_authorizer_names()
        # Cognito identity pools whose short-lived credentials sign AWS_IAM routes, for what their roles allow.
        self.identity_pools = identity_pools or []
        self.api_id = next(iter(resources_of_type(self.template, "AWS::Serverless::HttpApi")), "HttpApi")
        self._authorizer_cache: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}
        self._cache_lock = threading.Lock()

    def _authorizers(self) -> dict[str, tuple[FunctionSpec, int]]:
        """Each Lambda authorizer's function and how long API Gateway caches its answers."""
        found = {}
        for api in resources_of_type(self.template, "AWS::Serverless::HttpApi").values():
            for name, authorizer in api.get("Properties", {}).get("Auth", {}).get("Authorizers", {}).items():
                function_arn = authorizer.get("FunctionArn", {})
                if "Fn::GetAtt" in function_arn:
                    ttl = int(authorizer.get("Identity", {}).get("ReauthorizeEvery", 300))
                    found[name] = (self.functions[function_arn["Fn::GetAtt"][0]], ttl)
        return found

    def _jwt_authorizer_names(self) -> set[str]:
        names = set()
        for api in resources_of_type(self.template, "AWS::Serverless::HttpApi").values():
            for name, authorizer in api.get("Properties", {}).get("Auth", {}).get("Authorizers", {}).items():
                if "JwtConfiguration" in authorizer:
                    names.add(name)
        return names

    def _authorize_jwt(self, route: HttpRoute, headers: dict[str, str]) -> dict[str, Any] | GatewayResponse:
        """API Gateway's JWT authorizer: 401 without a token or for one that does not pass."""
        lowered = {name.lower(): value for name, value in headers.items()}
        authorizer = self.jwt_authorizers.get(route.authorizer or "")
        claims = authorizer.claims(lowered.get("authorization")) if authorizer else None
        if claims is None:
            return _gateway_message(401, "Unauthorized")
        return {"jwt": {"claims": claims, "scopes": None}}

    def clear_authorizer_cache(self) -> None:
        with self._cache_lock:
            self._authorizer_cache.clear()

    def match(self, method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
        for route, pattern in self.routes:
            if route.method not in (method.upper(), "ANY"):
                continue
            matched = pattern.match(path)
            if matched:
                return route, matched.groupdict()
        return None

    def _authorize(self, route: HttpRoute, path: str, headers: dict[str, str]) -> dict[str, Any] | GatewayResponse:
        lowered = {name.lower(): value for name, value in headers.items()}
        identity = lowered.get("authorization")
        if not identity:
            return _gateway_message(401, "Unauthorized")
        spec, ttl = self.authorizers[route.authorizer]
        cache_key = (route.authorizer, identity)
        with self._cache_lock:
            cached = self._authorizer_cache.get(cache_key)
        if cached and cached[0] > time.monotonic():
            context = cached[1]
        else:
            try:
                answer = self.invoker(
                    spec, authorizer_event(f"{route.method} {route.path}", path, lowered), "authorizer"
                )
            except Exception:
                return _gateway_message(500, "Internal Server Error")
            context = (answer.get("context") or {}) if answer.get("isAuthorized") else None
            if ttl:
                with self._cache_lock:
                    self._authorizer_cache[cache_key] = (time.monotonic() + ttl, context)
        if context is None:
            return _gateway_message(403, "Forbidden")
        return context

    def _authorize_iam(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> dict[str, Any] | GatewayResponse:
        lowered = {name.lower(): value for name, value in headers.items()}
        url = f"http://{lowered.get('host', 'localhost')}{path}" + (f"?{query}" if query else "")
        access_key = sigv4.access_key_of(headers) or ""
        temporary = None
        if self.iam_credentials is not None and access_key == self.iam_credentials.access_key:
            secret_key = self.iam_credentials.secret_key
        else:
            temporary = self._temporary_credentials(access_key)
            if temporary is None:
                return _gateway_message(403, "Forbidden")
            secret_key = temporary[1].secret_key
        caller = sigv4.verify(method, url, headers, body, access_key, secret_key, ACCOUNT_ID)
        if caller is None:
            return _gateway_message(403, "Forbidden")
        iam: dict[str, Any] = {
            "accessKey": caller.access_key,
            "accountId": caller.account_id,
            "callerId": caller.access_key,
            "principalOrgId": None,
            "userArn": caller.user_arn,
            "userId": caller.access_key,
        }
        if temporary is not None:
            # Then, as IAM: temporary credentials count only with their session token, for what their role allows.
            pool, credentials = temporary
            if not hmac.compare_digest(lowered.get("x-amz-security-token", ""), credentials.session_token):
                return _gateway_message(403, "The security token included in the request is invalid")
            if not pool.may_invoke(credentials, self.api_id, method, path):
                return _gateway_message(403, "Forbidden")
            # As API Gateway describes a caller signing with Cognito identity pool credentials.
            iam |= {
                "userArn": credentials.assumed_role_arn,
                "userId": f"{credentials.role}:CognitoIdentityCredentials",
                "cognitoIdentity": {
                    "amr": ["authenticated"],
                    "identityId": credentials.identity_id,
                    "identityPoolId": credentials.identity_pool_id,
                },
            }
        return {"iam": iam}

    def _temporary_credentials(self, access_key: str) -> tuple[IdentityPool, TemporaryCredentials] | None:
        """The identity pool that handed out these (unexpired) credentials, and the credentials."""
        for pool in self.identity_pools:
            credentials = pool.live_credentials(access_key)
            if credentials is not None:
                return pool, credentials
        return None

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        query: str = "",
    ) -> GatewayResponse:
        headers = headers or {}
        found = self.match(method, path)
        if found is None:
            return _gateway_message(404, "Not Found")
        route, encoded_parameters = found
        # API Gateway routes on the path as sent, then hands Lambda the path and its parameters
        # percent-decoded (`rawPath` too); only the signature is checked over the path as sent.
        path_parameters = {name: unquote(value) for name, value in encoded_parameters.items()}
        decoded_path = unquote(path)
        raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        if route.authorizer == IAM:
            outcome = self._authorize_iam(method, path, query, headers, raw)
        elif route.authorizer in self._jwt_names:
            outcome = self._authorize_jwt(route, headers)
        elif route.authorizer:
            outcome = self._authorize(route, decoded_path, headers)
        else:
            outcome = None
        if isinstance(outcome, GatewayResponse):
            return outcome
        event = http_api_event(
            method,
            decoded_path,
            route_path=route.path,
            body=body,
            headers=headers,
            query=query,
            path_parameters=path_parameters or None,
        )
        # The route's key as declared: an ANY route arrives as "ANY /path", whatever the method.
        event["routeKey"] = event["requestContext"]["routeKey"] = f"{route.method} {route.path}"
        if isinstance(outcome, dict):
            # Lambda authorizers' context arrives under "lambda"; IAM callers under "iam"; JWT claims under "jwt".
            own_shape = route.authorizer == IAM or route.authorizer in self._jwt_names
            event["requestContext"]["authorizer"] = outcome if own_shape else {"lambda": outcome}
        try:
            result = self.invoker(self.functions[route.function], event, f"http {method.upper()} {path}")
        except Exception:
            return _gateway_message(500, "Internal Server Error")
        return self._to_response(result)

    @staticmethod
    def _to_response(result: Any) -> GatewayResponse:
        if not isinstance(result, dict) or "statusCode" not in result:
            # Payload 2.0 treats any other value as a 200 JSON body.
            return GatewayResponse(200, {"content-type": "application/json"}, json.dumps(result).encode())
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
        headers = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name.lower()] = ",".join(str(value) for value in values)
        return GatewayResponse(int(result["statusCode"]), headers, raw)
