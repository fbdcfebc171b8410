"""A business's team: the people who sign in to the console, each with a role."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from bizline.models.common import EMAIL_PATTERN, EmailAddress, RequestModel, ResponseModel, documented

Role = Literal["owner", "agent"]
LOGIN_LENGTH = 128  # a Cognito username's most; the e-mail address is the login
# An address the team's user pool takes as a login: ASCII, and a top-level domain of two letters or
# more (the e-mail check's rules, EMAIL_PATTERN, still apply before it).
_LOGIN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
MEMBER_EMAIL_PATTERN = f"{EMAIL_PATTERN}{_LOGIN}$"


def _fits_a_login(value: str) -> str:
    if len(value) > LOGIN_LENGTH:
        raise ValueError(f"String should have at most {LOGIN_LENGTH} characters")
    if not re.fullmatch(_LOGIN, value):
        raise ValueError("must be an ASCII address with a top-level domain of two letters or more (it is the login)")
    return value


MemberEmail = Annotated[
    EmailAddress, documented(pattern=MEMBER_EMAIL_PATTERN, maxLength=LOGIN_LENGTH), AfterValidator(_fits_a_login)
]


class InviteMemberRequest(RequestModel):
    email: MemberEmail = Field(description="Where the invitation (with a temporary password) goes; their login.")
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
