"""A business's team members (the console's people), one item per member under the business."""

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import delete_if
from bizline.adapters.tables import TeamMemberRecord
from bizline.clock import from_iso, to_iso
from bizline.models.team import StoredMember


def _from_record(record: TeamMemberRecord) -> StoredMember:
    return StoredMember(
        business_id=record.business_id,
        member_id=record.member_id,
        email=record.email,
        role=record.role,
        invited_at=from_iso(record.invited_at),
        invited_by=record.invited_by,
    )


def put_member(member: StoredMember) -> None:
    """Store a member (again: the same business and member id replaces the item)."""
    TeamMemberRecord(
        business_id=member.business_id,
        member_id=member.member_id,
        email=member.email,
        role=member.role,
        invited_at=to_iso(member.invited_at),
        invited_by=member.invited_by,
    ).save()


def list_members(business_id: str) -> list[StoredMember]:
    """Every member of a business's team."""
    return [_from_record(record) for record in TeamMemberRecord.query(business_id)]


def get_member(business_id: str, member_id: str) -> StoredMember | None:
    """One member of a business, or None (another business's member is None too)."""
    try:
        return _from_record(TeamMemberRecord.get(business_id, member_id, consistent_read=True))
    except DoesNotExist:
        return None


def delete_member(business_id: str, member_id: str) -> bool:
    """Remove a member's item; False when there was none."""
    return delete_if(
        TeamMemberRecord(business_id=business_id, member_id=member_id), TeamMemberRecord.member_id.exists()
    )
