"""A business's team: invite a member (their login, role and business), list them, remove one."""

from datetime import datetime

from bizline.adapters import team_directory, team_members_store
from bizline.clock import utc_now
from bizline.errors import Conflict, NotFound
from bizline.models.team import InviteMemberRequest, Member, MemberList, StoredMember


def _view(member: StoredMember) -> Member:
    return Member(
        member_id=member.member_id,
        email=member.email,
        role=member.role,  # type: ignore[arg-type] - stored from a validated Role
        invited_at=member.invited_at,
        invited_by=member.invited_by,
    )


def invite_member(
    business_id: str, request: InviteMemberRequest, invited_by: str | None = None, now: datetime | None = None
) -> Member:
    """Invite a person by e-mail into the business's team with a role; 409 when the address has a login."""
    email = request.email.lower()
    member_id = team_directory.invite(email, business_id, request.role)
    member = StoredMember(business_id, member_id, email, request.role, now or utc_now(), invited_by)
    team_members_store.put_member(member)
    return _view(member)


def list_members(business_id: str) -> MemberList:
    """The business's team, by e-mail."""
    members = sorted(team_members_store.list_members(business_id), key=lambda member: member.email)
    return MemberList(items=[_view(member) for member in members])


def remove_member(business_id: str, member_id: str, acting_member_id: str | None = None) -> None:
    """Remove a member and their login; 404 for one the business does not have, 409 for oneself."""
    member = team_members_store.get_member(business_id, member_id)
    if member is None:
        raise NotFound("No such member.")
    if member_id == acting_member_id:
        raise Conflict("You cannot remove yourself; ask another owner.", code="cannot_remove_yourself")
    team_directory.remove(member.email)
    team_members_store.delete_member(business_id, member_id)
