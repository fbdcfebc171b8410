"""The team's Cognito identity pool on the embedded AWS: a reviewer's ID token becomes short-lived credentials.

The console trades a member's ID token for IAM credentials with Cognito's JSON API (`GetId`, then
`GetCredentialsForIdentity`) and signs its /admin calls with them (SigV4 and the session token).
moto's cognito-identity answers both calls, but checks no token, maps no role and hands every caller
the same fixed credentials, so the local platform answers them itself (at IDENTITY_PATH), from the
template, and its gateway checks the credentials as IAM would:

- the pool (AWS::Cognito::IdentityPool): its user pools' app clients; unauthenticated identities only
  when it allows them (bizline's does not);
- the role mapping (AWS::Cognito::IdentityPoolRoleAttachment): `Rules` on the ID token's claims,
  the first match wins (Equals, Contains, StartsWith, NotEqual), or `Token` (cognito:preferred_role);
  with `AmbiguousRoleResolution: Deny` a token no rule maps gets no credentials;
- the role (AWS::IAM::Role): it must trust cognito-identity.amazonaws.com for this pool's id; its
  inline policies' execute-api:Invoke statements decide which routes its credentials may call
  (an explicit Deny wins; `*` and `?` match as in IAM).

What differs from AWS: the credentials are random strings this process remembers (no STS), valid
an hour; only execute-api:Invoke on the local API's ARN is evaluated
(`arn:aws:execute-api:<region>:<account>:HttpApi/$default/<METHOD>/<path>`), without conditions,
permission boundaries or organisation policies; the token check is the JWT authorizer's (signature,
issuer, audience, expiry, an ID token), not Cognito's server-side check of revoked sessions.
"""

import json
import re
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.cognito import JwtAuthorizer, TeamPool
from local.template import ACCOUNT_ID, REGION, physical_name, resolve, resources_of_type

# Where the local platform answers Cognito's identity JSON API (in AWS: cognito-identity.<region>.amazonaws.com).
IDENTITY_PATH = "/local/cognito-identity"
CREDENTIALS_VALID_FOR = 3600  # seconds, as GetCredentialsForIdentity's
_TARGET_PREFIX = "AWSCognitoIdentityService."


@dataclass(frozen=True)
class TemporaryCredentials:
    access_key: str
    secret_key: str
    session_token: str
    expires_at: float  # epoch seconds
    role: str  # the role's logical id
    identity_id: str
    identity_pool_id: str

    @property
    def assumed_role_arn(self) -> str:
        return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{self.role}/CognitoIdentityCredentials"


class IdentityError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _iam_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _rule_matches(rule: dict[str, Any], claims: dict[str, Any]) -> bool:
    value = claims.get(rule["Claim"])
    wanted = str(rule["Value"])
    match rule["MatchType"]:
        case "Equals":
            return str(value) == wanted
        case "NotEqual":
            return value is not None and str(value) != wanted
        case "StartsWith":
            return str(value or "").startswith(wanted)
        case "Contains":
            return any(wanted in str(item) for item in _as_list(value)) if value is not None else False
    return False


class IdentityPool:
    """One identity pool of the template, with the roles its mapping names and the credentials it handed out."""

    def __init__(
        self,
        template: dict[str, Any],
        logical_id: str,
        team_pool: TeamPool,
        cognito_endpoint: str,
        clock: Callable[[], float] = time.time,
    ):
        self.template = template
        self.logical_id = logical_id
        self.pool_id = physical_name(template, logical_id)
        self.clock = clock
        properties = template["Resources"][logical_id]["Properties"]
        self.allows_unauthenticated = bool(properties.get("AllowUnauthenticatedIdentities", False))
        # Logins are keyed by provider name: cognito-idp.<region>.amazonaws.com/<user pool id>.
        self.providers: dict[str, JwtAuthorizer] = {}
        for provider in properties.get("CognitoIdentityProviders", []):
            pool_logical_id = provider["ProviderName"]["Fn::GetAtt"][0]
            name = f"cognito-idp.{REGION}.amazonaws.com/{team_pool.user_pools[pool_logical_id]}"
            client_id = team_pool.clients[provider["ClientId"]["Ref"]]
            issuer = f"https://{name}"
            jwks = f"{cognito_endpoint}/{team_pool.user_pools[pool_logical_id]}/.well-known/jwks.json"
            self.providers[name] = JwtAuthorizer(issuer, [client_id], jwks, clock=clock)
        self.mappings = [
            mapping
            for attachment in resources_of_type(template, "AWS::Cognito::IdentityPoolRoleAttachment").values()
            if attachment["Properties"]["IdentityPoolId"] == {"Ref": logical_id}
            for mapping in attachment["Properties"].get("RoleMappings", {}).values()
        ]
        self.roles = {
            str(resolve(template, {"Fn::GetAtt": [role_id, "Arn"]})): role_id
            for role_id in resources_of_type(template, "AWS::IAM::Role")
        }
        self._issued: dict[str, TemporaryCredentials] = {}
        self._lock = threading.Lock()

    # -- Cognito's JSON API ------------------------------------------------------------------
    def handle(self, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """Answer one call (`x-amz-target`, JSON body) as Cognito does: 200, or 400 with `__type` and `message`."""
        try:
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                request = None
            logins = request.get("Logins") or {} if isinstance(request, dict) else None
            if not isinstance(request, dict) or not isinstance(logins, dict):
                raise IdentityError("InvalidParameterException", "The request is not a JSON object with Logins.")
            action = target.removeprefix(_TARGET_PREFIX)
            if not target.startswith(_TARGET_PREFIX) or action not in ("GetId", "GetCredentialsForIdentity"):
                raise IdentityError("InvalidAction", f"{target} is not served locally.")
            if action == "GetId":
                return 200, {"IdentityId": self.get_id(request.get("IdentityPoolId"), logins)}
            return 200, self.credentials_for(request.get("IdentityId"), logins)
        except IdentityError as error:
            return 400, {"__type": error.kind, "message": error.message}

    def _verified_claims(self, logins: dict[str, str]) -> dict[str, Any]:
        if not logins:
            if self.allows_unauthenticated:
                raise IdentityError("NotAuthorizedException", "Unauthenticated identities are not served locally.")
            raise IdentityError("NotAuthorizedException", "Unauthenticated access is not supported for this pool.")
        if len(logins) != 1:
            raise IdentityError("NotAuthorizedException", "Invalid login token.")
        ((provider, token),) = logins.items()
        authorizer = self.providers.get(provider)
        if authorizer is None:
            raise IdentityError("NotAuthorizedException", "Invalid login token. Provider not configured for this pool.")
        claims = authorizer.payload(str(token))
        if claims is None or claims.get("token_use") != "id":
            raise IdentityError("NotAuthorizedException", "Invalid login token. Token is not valid.")
        return {**claims, "_provider": provider}

    def _identity_id(self, claims: dict[str, Any]) -> str:
        # One identity per member, as AWS keeps: derived from the pool and the token's subject.
        return f"{REGION}:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.pool_id}/{claims["_provider"]}/{claims["sub"]}')}"

    def get_id(self, identity_pool_id: str | None, logins: dict[str, str]) -> str:
        """The caller's identity id in this pool (GetId)."""
        if identity_pool_id != self.pool_id:
            raise IdentityError("ResourceNotFoundException", f"IdentityPool '{identity_pool_id}' not found.")
        return self._identity_id(self._verified_claims(logins))

    def _role_for(self, claims: dict[str, Any]) -> str:
        for mapping in self.mappings:
            if resolve(self.template, mapping["IdentityProvider"]) != f"{claims['_provider']}:{claims['aud']}":
                continue
            if mapping["Type"] == "Token":
                preferred = claims.get("cognito:preferred_role")
                if preferred in self.roles:
                    return self.roles[preferred]
            else:
                for rule in mapping.get("RulesConfiguration", {}).get("Rules", []):
                    if _rule_matches(rule, claims):
                        return self.roles[str(resolve(self.template, rule["RoleARN"]))]
            if mapping.get("AmbiguousRoleResolution") == "Deny":
                raise IdentityError("NotAuthorizedException", "Unable to resolve a role for this identity: denied.")
        # No default authenticated role is declared for this pool (Roles.authenticated is not emulated).
        raise IdentityError("InvalidIdentityPoolConfigurationException", "No role is mapped for this identity.")

    def _trusts_this_pool(self, role: str) -> bool:
        document = self.template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]
        for statement in document.get("Statement", []):
            principal = statement.get("Principal", {}).get("Federated")
            audience = statement.get("Condition", {}).get("StringEquals", {}).get("cognito-identity.amazonaws.com:aud")
            if (
                statement.get("Effect") == "Allow"
                and principal == "cognito-identity.amazonaws.com"
                and "sts:AssumeRoleWithWebIdentity" in _as_list(statement.get("Action"))
                and resolve(self.template, audience) == self.pool_id
            ):
                return True
        return False

    def credentials_for(self, identity_id: str | None, logins: dict[str, str]) -> dict[str, Any]:
        """Fresh credentials of the role the token maps to (GetCredentialsForIdentity)."""
        claims = self._verified_claims(logins)
        if identity_id != self._identity_id(claims):
            raise IdentityError("NotAuthorizedException", "Invalid login token. Not the identity's token.")
        role = self._role_for(claims)
        if not self._trusts_this_pool(role):
            raise IdentityError("InvalidIdentityPoolConfigurationException", f"{role} does not trust this pool.")
        alphabet = string.ascii_uppercase + string.digits
        issued = TemporaryCredentials(
            access_key="ASIA" + "".join(secrets.choice(alphabet) for _ in range(16)),
            secret_key=secrets.token_urlsafe(30),
            session_token=secrets.token_urlsafe(96),
            expires_at=self.clock() + CREDENTIALS_VALID_FOR,
            role=role,
            identity_id=identity_id,
            identity_pool_id=self.pool_id,
        )
        with self._lock:
            self._issued = {key: value for key, value in self._issued.items() if value.expires_at > self.clock()}
            self._issued[issued.access_key] = issued
        return {
            "IdentityId": identity_id,
            "Credentials": {
                "AccessKeyId": issued.access_key,
                "SecretKey": issued.secret_key,
                "SessionToken": issued.session_token,
                "Expiration": issued.expires_at,
            },
        }

    # -- IAM, as the gateway asks it -----------------------------------------------------------
    def live_credentials(self, access_key: str) -> TemporaryCredentials | None:
        """Credentials this pool handed out and that have not expired."""
        with self._lock:
            issued = self._issued.get(access_key)
        return issued if issued and issued.expires_at > self.clock() else None

    def may_invoke(self, credentials: TemporaryCredentials, api_id: str, method: str, path: str) -> bool:
        """Whether the credentials' role may execute-api:Invoke the route: an Allow and no Deny."""
        arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/$default/{method.upper()}{path}"
        verdicts = set()
        for policy in self.template["Resources"][credentials.role]["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"].get("Statement", []):
                if not {"execute-api:Invoke", "execute-api:*"} & set(_as_list(statement.get("Action"))):
                    continue
                resources = [str(resolve(self.template, resource)) for resource in _as_list(statement["Resource"])]
                if any(_iam_pattern(resource).match(arn) for resource in resources):
                    verdicts.add(statement["Effect"])
        return verdicts == {"Allow"}


def identity_pools(template: dict[str, Any], team_pool: TeamPool, cognito_endpoint: str) -> dict[str, IdentityPool]:
    """Every identity pool of the template, by its (local) id."""
    pools = [
        IdentityPool(template, logical_id, team_pool, cognito_endpoint)
        for logical_id in resources_of_type(template, "AWS::Cognito::IdentityPool")
    ]
    return {pool.pool_id: pool for pool in pools}
