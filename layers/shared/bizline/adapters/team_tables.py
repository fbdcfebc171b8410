"""PynamoDB model of the team members table (template.yaml's TeamMembersTable)."""

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from bizline.adapters.table_names import FromSettings


class TeamMemberRecord(Model):
    """A person of a business's team; their login is the team user pool's user `member_id` (its sub)."""

    class Meta:
        table_name = FromSettings("team_members_table")

    business_id = UnicodeAttribute(hash_key=True)
    member_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    invited_at = UnicodeAttribute()
    invited_by = UnicodeAttribute(null=True)
