"""WhatsApp Business Accounts a business connects, and the phone numbers Meta reports in them."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr, StringConstraints

from bizline.models.common import RequestModel, ResponseModel

WabaId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,32}$")]
_PRINTABLE_ASCII = r"^[!-~]+$"  # Meta's tokens are printable ASCII; anything else cannot be one


def _printable_ascii(token: SecretStr) -> SecretStr:
    if not re.fullmatch(_PRINTABLE_ASCII, token.get_secret_value()):
        raise ValueError("an access token has printable ASCII characters only")
    return token


AccessToken = Annotated[
    SecretStr,
    Field(min_length=20, max_length=4096, json_schema_extra={"pattern": _PRINTABLE_ASCII}),
    AfterValidator(_printable_ascii),
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
