"""Meta's WhatsApp Cloud API webhook envelope, read leniently: Meta adds fields without notice.

Only what bizline relies on is typed; everything else is kept as it came.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Profile(_Lenient):
    name: str | None = None
    username: str | None = None


class Contact(_Lenient):
    wa_id: str | None = None
    user_id: str | None = None
    profile: Profile | None = None


class Metadata(_Lenient):
    display_phone_number: str | None = None
    phone_number_id: str


class MessageHeader(_Lenient):
    """The parts of any inbound message bizline needs; the message itself is kept whole."""

    id: str = Field(min_length=1, max_length=512)
    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    timestamp: str
    type: str = "unknown"


class StatusError(_Lenient):
    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None


class Status(_Lenient):
    id: str = Field(min_length=1, max_length=512)
    status: str
    timestamp: str
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    errors: list[StatusError] = Field(default_factory=list)


class ChangeValue(_Lenient):
    messaging_product: str | None = None
    metadata: Metadata | None = None
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[dict[str, Any]] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)


class Change(_Lenient):
    field: str
    value: ChangeValue


class Entry(_Lenient):
    id: str
    changes: list[Change] = Field(default_factory=list)


class WebhookEnvelope(_Lenient):
    object: str
    entry: list[Entry] = Field(default_factory=list)
