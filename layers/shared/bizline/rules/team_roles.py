"""Team members (the console): who a signed-in member is, and which of the console's routes their role may call.

The console reaches the API under `/team` (`/team/v1/conversations` stands for `/v1/conversations`),
behind API Gateway's JWT authorizer for the team's Cognito user pool; API keys keep the `/v1`
routes. API Gateway has checked the ID token's signature, issuer, audience and expiry before a
handler runs: what is left is the member's business and role, decided here.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TEAM_PREFIX = "/team"
OWNER = "owner"
AGENT = "agent"
REVIEWERS = "reviewers"
BUSINESS_ID_CLAIM = "custom:business_id"
GROUPS_CLAIM = "cognito:groups"

_EVERY_MEMBER = frozenset({OWNER, AGENT})
_OWNERS = frozenset({OWNER})

# Each console route (method, the /v1 path it stands for) and the roles that may call it: an owner
# everything the console offers, an agent the inbox and newsletters read-only.
CONSOLE_ROUTES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/v1/businesses/me"): _OWNERS,
    ("PATCH", "/v1/businesses/me"): _OWNERS,
    ("POST", "/v1/businesses/me/webhook-secret"): _OWNERS,
    ("POST", "/v1/api-keys"): _OWNERS,
    ("GET", "/v1/api-keys"): _OWNERS,
    ("DELETE", "/v1/api-keys/{key_id}"): _OWNERS,
    ("POST", "/v1/members"): _OWNERS,
    ("GET", "/v1/members"): _OWNERS,
    ("DELETE", "/v1/members/{member_id}"): _OWNERS,
    ("GET", "/v1/conversations"): _EVERY_MEMBER,
    ("GET", "/v1/conversations/{customer_id}/messages"): _EVERY_MEMBER,
    ("POST", "/v1/conversations/{customer_id}/read"): _EVERY_MEMBER,
    ("PUT", "/v1/conversations/{customer_id}/assignee"): _EVERY_MEMBER,
    ("POST", "/v1/messages"): _EVERY_MEMBER,
    ("GET", "/v1/deliveries"): _OWNERS,
    ("POST", "/v1/deliveries/{delivery_id}/retry"): _OWNERS,
    ("GET", "/v1/templates"): _EVERY_MEMBER,
    ("GET", "/v1/subscribers"): _EVERY_MEMBER,
    ("POST", "/v1/verification-requests"): _OWNERS,
    ("GET", "/v1/verification-requests"): _OWNERS,
    ("GET", "/v1/verification-requests/{request_id}"): _OWNERS,
    ("POST", "/v1/verification-requests/{request_id}/withdraw"): _OWNERS,
    ("POST", "/v1/verification-requests/{request_id}/documents"): _OWNERS,
    ("POST", "/v1/verification-requests/{request_id}/documents/{document_id}/attach"): _OWNERS,
    # Newsletters: every member follows them and their runs; owners import subscribers and send.
    ("POST", "/v1/subscribers/batch"): _OWNERS,
    ("POST", "/v1/newsletters"): _OWNERS,
    ("GET", "/v1/newsletters"): _EVERY_MEMBER,
    ("GET", "/v1/newsletters/{newsletter_id}"): _EVERY_MEMBER,
    ("POST", "/v1/newsletters/{newsletter_id}/cancel"): _OWNERS,
    ("DELETE", "/v1/newsletters/{newsletter_id}"): _OWNERS,
    ("POST", "/v1/newsletters/{newsletter_id}/send-now"): _OWNERS,
    # Billing and the WhatsApp connection are the owners'.
    ("GET", "/v1/usage"): _OWNERS,
    ("GET", "/v1/invoices"): _OWNERS,
    ("GET", "/v1/invoices/{month}/csv"): _OWNERS,
    ("GET", "/v1/invoices/{month}/pdf"): _OWNERS,
    ("GET", "/v1/whatsapp-accounts"): _OWNERS,
    ("POST", "/v1/whatsapp-accounts"): _OWNERS,
    ("GET", "/v1/whatsapp-accounts/{waba_id}/phone-numbers"): _OWNERS,
    ("GET", "/v1/phone-numbers"): _OWNERS,
    ("POST", "/v1/phone-numbers"): _OWNERS,
}


@dataclass(frozen=True)
class TeamMember:
    """A signed-in person of a business: their Cognito `sub`, e-mail, business and role."""

    member_id: str
    email: str
    business_id: str
    role: str | None


def is_team_path(path: str) -> bool:
    return path == TEAM_PREFIX or path.startswith(TEAM_PREFIX + "/")


def api_path(path: str) -> str:
    """The /v1 path a console path stands for (any other path as it is)."""
    return path[len(TEAM_PREFIX) :] if is_team_path(path) else path


def groups_of(claim: Any) -> list[str]:
    """The groups of a `cognito:groups` claim, however it arrives.

    API Gateway hands a JWT authorizer's array claims to Lambda flattened to text, `"[owner agent]"`;
    a decoded token has a list.
    """
    if claim is None:
        return []
    if isinstance(claim, list | tuple):
        return [str(group) for group in claim]
    text = str(claim).strip().removeprefix("[").removesuffix("]")
    return [group for group in text.replace(",", " ").split() if group]


def role_of(groups: Iterable[str]) -> str | None:
    """A member's role: owner wins over agent; anyone else (a reviewer) has no business role."""
    found = set(groups)
    for role in (OWNER, AGENT):
        if role in found:
            return role
    return None


def member_from_claims(claims: Mapping[str, Any]) -> TeamMember | None:
    """The member an ID token's claims name, or None when they name no member of a business."""
    member_id = str(claims.get("sub") or "")
    business_id = str(claims.get(BUSINESS_ID_CLAIM) or "")
    if not member_id or not business_id or claims.get("token_use", "id") != "id":
        return None
    return TeamMember(
        member_id=member_id,
        email=str(claims.get("email") or ""),
        business_id=business_id,
        role=role_of(groups_of(claims.get(GROUPS_CLAIM))),
    )


def may_call(role: str | None, method: str, route_path: str) -> bool:
    """Whether a role may call a console route (`route_path` as declared, with or without /team)."""
    return role is not None and role in CONSOLE_ROUTES.get((method.upper(), api_path(route_path)), frozenset())


def console_methods(path: str) -> set[str]:
    """The methods the console's routes serve at a concrete /team path (the `Allow` of a 405)."""
    concrete = api_path(path)
    found = set()
    for (method, pattern), _ in CONSOLE_ROUTES.items():
        regex = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(pattern)) + "$"
        if re.match(regex, concrete):
            found.add(method)
    return found
