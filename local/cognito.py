"""The team's Cognito user pool on the embedded AWS, and API Gateway's JWT authorizer in front of /team.

moto's Cognito signs ID tokens with its own RSA key and publishes it as a JWKS, and names its
tokens' issuer as Cognito does (`https://cognito-idp.<region>.amazonaws.com/<pool id>`), so the
local gateway checks a token exactly as the template's JwtConfiguration tells API Gateway to:
signature (RS256, by `kid`), issuer, audience (`aud`, or `client_id` for access tokens) and expiry.
"""

import base64
import json
import re
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from local.template import ACCOUNT_ID, REGION, physical_name, resolve, resources_of_type

_POOL = "AWS::Cognito::UserPool"
_CLIENT = "AWS::Cognito::UserPoolClient"
_CLIENT_PROPERTIES = (
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "ReadAttributes",
    "WriteAttributes",
    "IdTokenValidity",
    "AccessTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "EnableTokenRevocation",
)


@dataclass(frozen=True)
class TeamPool:
    """The template's user pools and app clients: their ids by logical id."""

    user_pools: dict[str, str]
    clients: dict[str, str]

    def physical_ids(self) -> dict[str, str]:
        return {**self.user_pools, **self.clients}


def team_pool(template: dict[str, Any]) -> TeamPool:
    """The ids the embedded AWS gives the template's pools and clients (local.template.physical_name)."""
    return TeamPool(
        {logical_id: physical_name(template, logical_id) for logical_id in resources_of_type(template, _POOL)},
        {logical_id: physical_name(template, logical_id) for logical_id in resources_of_type(template, _CLIENT)},
    )


def _pool_arguments(properties: dict[str, Any], name: str) -> dict[str, Any]:
    arguments: dict[str, Any] = {"PoolName": name}
    for key in ("UsernameAttributes", "AutoVerifiedAttributes", "MfaConfiguration", "Policies"):
        if key in properties:
            arguments[key] = properties[key]
    if "AdminCreateUserConfig" in properties:
        arguments["AdminCreateUserConfig"] = {
            "AllowAdminCreateUserOnly": properties["AdminCreateUserConfig"].get("AllowAdminCreateUserOnly", False)
        }
    schema = []
    for attribute in properties.get("Schema", []):
        entry = {key: value for key, value in attribute.items() if key != "StringAttributeConstraints"}
        if "StringAttributeConstraints" in attribute:
            constraints = attribute["StringAttributeConstraints"]
            entry["StringAttributeConstraints"] = {key: str(value) for key, value in constraints.items()}
        schema.append(entry)
    if schema:
        arguments["Schema"] = schema
    return arguments


def _moto_backend() -> Any:
    # moto runs in this process (its mock, or the local platform's threaded server).
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[ACCOUNT_ID][REGION]


def _rename_pool(old: str, new: str) -> None:
    """moto names a pool at random; CloudFormation's Ref is known only once it exists. Locally the pool
    takes the id its Ref resolves to, so functions' environments (TEAM_USER_POOL_ID) are known up front."""
    backend = _moto_backend()
    pool = backend.user_pools.pop(old)
    pool.id = new
    pool.arn = pool.arn.replace(old, new)
    backend.user_pools[new] = pool


def _rename_client(pool_id: str, old: str, new: str) -> None:
    pool = _moto_backend().user_pools[pool_id]
    client = pool.clients.pop(old)
    client.id = new
    pool.clients[new] = client


def create_team_pool(cognito: Any, template: dict[str, Any]) -> TeamPool:
    """Every user pool, app client and group of the template, on the embedded AWS, named as `team_pool` says."""
    names = team_pool(template)
    for logical_id, resource in resources_of_type(template, _POOL).items():
        properties = resource.get("Properties", {})
        name = str(resolve(template, properties.get("UserPoolName", logical_id)))
        created = cognito.create_user_pool(**_pool_arguments(properties, name))["UserPool"]["Id"]
        _rename_pool(created, names.user_pools[logical_id])
    for logical_id, resource in resources_of_type(template, _CLIENT).items():
        properties = resource["Properties"]
        arguments = {key: properties[key] for key in _CLIENT_PROPERTIES if key in properties}
        pool_id = names.user_pools[properties["UserPoolId"]["Ref"]]
        created = cognito.create_user_pool_client(UserPoolId=pool_id, **arguments)["UserPoolClient"]["ClientId"]
        _rename_client(pool_id, created, names.clients[logical_id])
    for resource in resources_of_type(template, "AWS::Cognito::UserPoolGroup").values():
        properties = resource["Properties"]
        cognito.create_group(
            UserPoolId=names.user_pools[properties["UserPoolId"]["Ref"]],
            GroupName=properties["GroupName"],
            Description=properties.get("Description", ""),
            Precedence=int(properties.get("Precedence", 0)),
        )
    return names


def _resolve_with(template: dict[str, Any], value: Any, physical: dict[str, str]) -> str:
    """Resolve an intrinsic whose Ref/${...} names a resource moto gave a generated id."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in physical:
        return physical[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        text = re.sub(r"\$\{(\w+)\}", lambda match: physical.get(match.group(1), match.group(0)), value["Fn::Sub"])
        return str(resolve(template, {"Fn::Sub": text}))
    return str(resolve(template, value))


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class JwtAuthorizer:
    """API Gateway's JWT authorizer: which tokens pass, and the claims a handler then sees."""

    def __init__(self, issuer: str, audiences: list[str], jwks_url: str, clock: Any = time.time):
        self.issuer = issuer
        self.audiences = set(audiences)
        self.jwks_url = jwks_url
        self.clock = clock
        self._keys: dict[str, rsa.RSAPublicKey] | None = None

    def _public_keys(self) -> dict[str, rsa.RSAPublicKey]:
        if self._keys is None:
            with urllib.request.urlopen(self.jwks_url, timeout=5) as response:  # noqa: S310 - the embedded AWS
                jwks = json.load(response)
            self._keys = {
                key["kid"]: rsa.RSAPublicNumbers(
                    int.from_bytes(_b64url(key["e"]), "big"), int.from_bytes(_b64url(key["n"]), "big")
                ).public_key()
                for key in jwks["keys"]
                if key.get("kty") == "RSA"
            }
        return self._keys

    def claims(self, authorization: str | None) -> dict[str, Any] | None:
        """The token's claims as API Gateway hands them to Lambda, or None when it does not pass."""
        payload = self.payload(authorization)
        if payload is None:
            return None
        # API Gateway flattens array claims to text ("[owner agent]") and passes every other value as a string.
        return {
            name: "[" + " ".join(str(item) for item in value) + "]" if isinstance(value, list) else str(value)
            for name, value in payload.items()
        }

    def payload(self, authorization: str | None) -> dict[str, Any] | None:
        """The token's claims as signed (lists stay lists), or None when it does not pass."""
        if not authorization:
            return None
        token = authorization.removeprefix("Bearer ").strip()
        try:
            header_part, payload_part, signature_part = token.split(".")
            header = json.loads(_b64url(header_part))
            payload = json.loads(_b64url(payload_part))
            key = self._public_keys().get(header.get("kid"))
            if header.get("alg") != "RS256" or key is None:
                return None
            key.verify(
                _b64url(signature_part),
                f"{header_part}.{payload_part}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (ValueError, InvalidSignature, json.JSONDecodeError, UnicodeDecodeError):
            return None
        now = self.clock()
        audience = payload.get("aud") if payload.get("token_use") != "access" else payload.get("client_id")
        if (
            payload.get("iss") != self.issuer
            or audience not in self.audiences
            or float(payload.get("exp", 0)) <= now
            or float(payload.get("nbf", 0)) > now
        ):
            return None
        return payload


def jwt_authorizers(template: dict[str, Any], pool: TeamPool, endpoint: str) -> dict[str, JwtAuthorizer]:
    """Every JWT authorizer of the template's HTTP APIs, checking tokens of the embedded Cognito."""
    found = {}
    physical = pool.physical_ids()
    for api in resources_of_type(template, "AWS::Serverless::HttpApi").values():
        for name, authorizer in api.get("Properties", {}).get("Auth", {}).get("Authorizers", {}).items():
            configuration = authorizer.get("JwtConfiguration")
            if not configuration:
                continue
            issuer = _resolve_with(template, configuration["issuer"], physical)
            audiences = [_resolve_with(template, audience, physical) for audience in configuration["audience"]]
            pool_id = issuer.rsplit("/", 1)[-1]
            found[name] = JwtAuthorizer(issuer, audiences, f"{endpoint}/{pool_id}/.well-known/jwks.json")
    return found
