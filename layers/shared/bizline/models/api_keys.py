"""API keys as a business sees them (never the key itself after creation), and as they are stored."""

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from bizline.models.common import RequestModel, ResponseModel, ShortName


class CreateApiKeyRequest(RequestModel):
    name: ShortName | None = None


class ApiKeyView(ResponseModel):
    key_id: str
    name: str | None = None
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None = None


class ApiKeyList(ResponseModel):
    items: list[ApiKeyView]


@dataclass(frozen=True)
class StoredApiKey:
    """A key as stored: its hash, never the key itself."""

    key_hash: str
    key_id: str
    business_id: str
    name: str | None
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
