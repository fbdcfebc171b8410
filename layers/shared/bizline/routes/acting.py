"""Who a request acts as: a signed-in team member (the console's /team routes) or a business's API key.

Both are checked against what is stored on every request, so a removed member or a revoked key stops
at once. Only the routers of a business's own API use this: functions without them reach neither the
API keys nor the team.
"""

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from bizline.errors import Forbidden, Unauthorized
from bizline.rules.team_roles import TeamMember, is_team_path, may_call, member_from_claims


def _route(event: APIGatewayProxyEventV2) -> tuple[str, str]:
    method, _, path = (event.route_key or "").partition(" ")
    return method, path


def team_member(event: APIGatewayProxyEventV2) -> TeamMember | None:
    """The signed-in member a console (/team) request comes from; None for an API key's request.

    API Gateway's JWT authorizer has verified the ID token; its claims name the member's business
    and groups. 401 when they name no member of a business, 403 when the role may not call the route.
    """
    method, path = _route(event)
    if not is_team_path(path):
        return None
    authorizer = event.request_context.authorizer
    member = member_from_claims((authorizer.jwt_claim if authorizer else None) or {})
    if member is None:
        # Only reachable when a /team route lost its JWT authorizer, or a token of no business's member.
        raise Unauthorized("Sign in as a member of a business: the console's routes need a team member's ID token.")
    if not may_call(member.role, method, path):
        raise Forbidden(
            f"A member with the role {member.role or 'none'} may not do this; ask an owner of the business.",
            code="role_not_allowed",
        )
    return member


def authenticated_business_id(event: APIGatewayProxyEventV2) -> str:
    """The business this request acts for: a team member's who is still on the team (console routes), or
    the API key's, checked against the key itself (services.authentication)."""
    from bizline.services.authentication import authenticate
    from bizline.services.team_access import authenticate_member

    member = team_member(event)
    if member is not None:
        authenticate_member(member.business_id, member.member_id)
        return member.business_id
    authorizer = event.request_context.authorizer
    authorized = (authorizer.get_lambda or {}).get("business_id") if authorizer else None
    return authenticate(event.headers.get("authorization"), authorized)
