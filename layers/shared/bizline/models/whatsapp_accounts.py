"""WhatsApp Business Accounts a business connects, and the phone numbers Meta reports in them."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr, StringConstraints

from bizline.models.common import RequestModel, ResponseModel, documented

WabaId = Annotated[str, StringConstraints(strip_whitespace=False, pattern=r"^[0-9]{1,32}$")]
# Meta's access tokens are printable ASCII without spaces; anything else cannot go in a header.
_TOKEN_PATTERN = re.compile(r"^[!-~]+$")


def _token_characters(token: SecretStr) -> SecretStr:
    if not _TOKEN_PATTERN.match(token.get_secret_value()):
        raise ValueError("must be printable ASCII without spaces, as Meta issues it")
    return token


AccessToken = Annotated[
    SecretStr,
    Field(min_length=20, max_length=4096),
    AfterValidator(_token_characters),
    documented(pattern=_TOKEN_PATTERN.pattern),
]


@dataclass(frozen=True)
class MetaPhoneNumber:
    """A phone number exactly as Meta's Graph API reports it in a WhatsApp Business Account."""

    phone_number_id: str
    display_phone_number: str
    verified_name: str
    quality_rating: str | None = None


@dataclass(frozen=True)
class StoredWhatsAppAccount:
    """A business's connected WhatsApp Business Account; `secret_name` holds its access token."""

    business_id: str
    waba_id: str
    secret_name: str
    connected_at: datetime
    token_updated_at: datetime


class ConnectWhatsAppAccountRequest(RequestModel):
    waba_id: WabaId = Field(description="The WhatsApp Business Account id Meta's Embedded Signup handed over.")
    access_token: AccessToken = Field(
        description="The business-scoped access token for that account. Stored encrypted, never shown again."
    )


class RotateAccessTokenRequest(RequestModel):
    access_token: AccessToken = Field(description="The new business-scoped access token; replaces the old one.")


class AvailablePhoneNumber(ResponseModel):
    phone_number_id: str
    display_phone_number: str = Field(description="E.164, as Meta reports it.")
    verified_name: str
    quality_rating: str | None = None


class WhatsAppAccount(ResponseModel):
    waba_id: str
    connected_at: datetime
    token_updated_at: datetime
    phone_numbers: list[AvailablePhoneNumber] | None = Field(
        default=None, description="The account's numbers as Meta reports them (when bizline just asked Meta)."
    )


class WhatsAppAccountList(ResponseModel):
    items: list[WhatsAppAccount]
