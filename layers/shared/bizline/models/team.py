"""A business's team: the people who sign in to the console, each with a role."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import Field

from bizline.models.common import ContactEmail, RequestModel, ResponseModel

Role = Literal["owner", "agent"]


class InviteMemberRequest(RequestModel):
    email: ContactEmail = Field(description="Where the invitation (with a temporary password) goes; their login.")
    role: Role = Field(description="`owner`: everything, API keys and billing included. `agent`: the inbox.")


class Member(ResponseModel):
    member_id: str = Field(description="The member's id in the team's user pool (its `sub`).")
    email: str
    role: Role
    invited_at: datetime
    invited_by: str | None = Field(default=None, description="The member who invited them (none for an API key).")


class MemberList(ResponseModel):
    items: list[Member]


@dataclass(frozen=True)
class StoredMember:
    business_id: str
    member_id: str
    email: str
    role: str
    invited_at: datetime
    invited_by: str | None = None
