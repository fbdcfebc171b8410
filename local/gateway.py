"""An HTTP API gateway emulation: routes, Lambda authorizer and v2 events, all from template.yaml."""

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from local.apigw import authorizer_event, http_api_event
from local.lambda_runtime import invoke
from local.template import FunctionSpec, HttpRoute, functions, http_routes, load_template, resources_of_type


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
    def __init__(self, template: dict[str, Any] | None = None):
        self.template = template or load_template()
        self.functions: dict[str, FunctionSpec] = functions(self.template)
        self.routes = [(route, _path_pattern(route.path)) for route in http_routes(self.template)]
        self.authorizers = self._authorizer_functions()

    def _authorizer_functions(self) -> dict[str, FunctionSpec]:
        found = {}
        for api in resources_of_type(self.template, "AWS::Serverless::HttpApi").values():
            for name, authorizer in api["Properties"].get("Auth", {}).get("Authorizers", {}).items():
                function_arn = authorizer.get("FunctionArn", {})
                if "Fn::GetAtt" in function_arn:
                    found[name] = self.functions[function_arn["Fn::GetAtt"][0]]
        return found

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
        if not lowered.get("authorization"):
            return _gateway_message(401, "Unauthorized")
        answer = invoke(
            self.authorizers[route.authorizer],
            authorizer_event(f"{route.method} {route.path}", path, lowered),
        )
        if not answer.get("isAuthorized"):
            return _gateway_message(403, "Forbidden")
        return answer.get("context") or {}

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
        route, path_parameters = found
        authorizer_context = None
        if route.authorizer:
            outcome = self._authorize(route, path, headers)
            if isinstance(outcome, GatewayResponse):
                return outcome
            authorizer_context = outcome
        event = http_api_event(
            method,
            path,
            route_path=route.path,
            body=body,
            headers=headers,
            query=query,
            path_parameters=path_parameters or None,
            authorizer_context=authorizer_context,
        )
        result = invoke(self.functions[route.function], event)
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
