"""Routes for a business's team: the people who sign in to the console."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from bizline.models.team import InviteMemberRequest, Member, MemberList
from bizline.routes.acting import authenticated_business_id, team_member
from bizline.services import team
from bizline.web import AUTHENTICATED, error_responses

_TAGS = ["Team"]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/members",
        summary="Invite a member to the team",
        description=(
            "Creates the person's console login with a role (`owner` or `agent`); bizline's user pool e-mails "
            "them a temporary password, which they replace at their first sign-in. An address that already "
            "has a login is 409 `member_exists`. A business invites its first owner with its API key."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={201: {"description": "The invited member."}} | error_responses(400, 401, 409, 413, 415),
    )
    def invite_member(request: Annotated[InviteMemberRequest, Body()]) -> Response[Member]:
        owner = business_id()
        inviter = team_member(router.current_event)
        invited = team.invite_member(owner, request, inviter.email if inviter else None)
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=invited)

    @router.get(
        "/v1/members",
        summary="The team's members",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "Every member, by e-mail."}} | error_responses(401),
    )
    def list_members() -> MemberList:
        return team.list_members(business_id())

    @router.delete(
        "/v1/members/<member_id>",
        summary="Remove a member",
        description="Deletes their login; their console stops at once (each console request checks the team).",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={204: {"description": "Removed.", "content": {}}} | error_responses(401, 404, 409, 422),
    )
    def remove_member(member_id: Annotated[str, Path(max_length=64)]) -> Response[None]:
        owner = business_id()
        acting = team_member(router.current_event)
        team.remove_member(owner, member_id, acting.member_id if acting else None)
        return Response(status_code=204)

    return router
