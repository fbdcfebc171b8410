"""Meta's WhatsApp Cloud API webhook envelope, read leniently: Meta adds fields without notice.

Only what bizline relies on is typed; everything else is kept as it came. Numbers are read where
Meta's docs show strings (ids, timestamps), and each message, status and change is validated on
its own, so one odd item never costs its neighbours.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bizline.models.common import ON_FIRST_USE


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True, **ON_FIRST_USE)


class Profile(_Lenient):
    name: str | None = None
    username: str | None = None


class Contact(_Lenient):
    wa_id: str | None = None
    user_id: str | None = None
    profile: Profile | None = None


class Metadata(_Lenient):
    display_phone_number: str | None = None
    phone_number_id: str | None = None


class MessageHeader(_Lenient):
    """The parts of any inbound message bizline needs; the message itself is kept whole."""

    id: str = Field(min_length=1, max_length=512)
    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    timestamp: str | None = None
    type: str = "unknown"


class StatusError(_Lenient):
    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None


class Status(_Lenient):
    id: str = Field(min_length=1, max_length=512)
    status: str = Field(min_length=1)
    timestamp: str | None = None
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    errors: list[StatusError] = Field(default_factory=list)
    # What Meta bills for the message (billable, pricing_model, category, type): kept as it came.
    pricing: dict[str, Any] | None = None
    # What the sender asked Meta to hand back with each status of the message (`biz_opaque_callback_data`).
    biz_opaque_callback_data: str | None = None


class ChangeValue(_Lenient):
    """A change's value; its messages, statuses and contacts are read one by one (see rules.envelope)."""

    messaging_product: str | None = None
    metadata: Metadata | None = None
    contacts: list[Any] = Field(default_factory=list)
    messages: list[Any] = Field(default_factory=list)
    statuses: list[Any] = Field(default_factory=list)
    errors: list[Any] = Field(default_factory=list)


class Change(_Lenient):
    field: str
    value: Any = None


class Entry(_Lenient):
    id: str
    time: Any = None
    changes: list[Change] = Field(default_factory=list)


class WebhookEnvelope(_Lenient):
    object: str
    entry: list[Entry] = Field(default_factory=list)


class UserPreference(_Lenient):
    """One customer's marketing preference (`user_preferences` change): category and stop or resume."""

    wa_id: str | None = None
    user_id: str | None = None
    category: str
    value: str
    timestamp: str | None = None
    detail: str | None = None


class TemplateChange(_Lenient):
    """What the template webhooks say about one template (status, quality or category update)."""

    message_template_id: str = Field(min_length=1)
    message_template_name: str | None = None
    message_template_language: str | None = None
    event: str | None = None
    reason: str | None = None
    new_quality_score: str | None = None
    message_template_category: str | None = None
    new_category: str | None = None
