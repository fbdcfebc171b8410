"""Phone numbers, replies, conversations and callback deliveries as the API shows them."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from bizline.models.common import NOT_BLANK, MediaLink, RequestModel, ResponseModel, text

# Ids are matched exactly (never stripped): the pattern the document shows is the whole rule.
PhoneNumberId = Annotated[str, StringConstraints(strip_whitespace=False, pattern=r"^[0-9]{1,32}$")]


class AddPhoneNumberRequest(RequestModel):
    phone_number_id: PhoneNumberId = Field(
        description="Meta's id of a phone number in one of the business's connected WhatsApp Business Accounts."
    )
    waba_id: PhoneNumberId | None = Field(
        default=None, description="The connected account to look in; every connected one when left out."
    )


class PhoneNumber(ResponseModel):
    phone_number_id: str
    waba_id: str | None = None
    display_phone_number: str = Field(description="E.164, as Meta reports it.")
    verified_name: str | None = Field(default=None, description="The name Meta reports for the number.")
    created_at: datetime


class PhoneNumberList(ResponseModel):
    items: list[PhoneNumber]


class WebhookSecret(ResponseModel):
    webhook_secret: str = Field(description="Signs callbacks (Standard Webhooks). Shown this once.")
    previous_secret_valid_until: datetime | None = None


# -- replies -------------------------------------------------------------------------------------
class Recipient(RequestModel):
    """Whom to write to: a known customer, or a WhatsApp id (phone) or business-scoped user id.

    At least one of them; each is optional but never `null` (an absent one is simply not given).
    """

    model_config = ConfigDict(str_strip_whitespace=False, json_schema_extra={"minProperties": 1})

    customer_id: str = Field(default=None, pattern=r"^cus_[0-9a-f]{20}$")
    wa_id: str = Field(default=None, pattern=r"^[1-9][0-9]{6,15}$")
    user_id: str = Field(default=None, min_length=3, max_length=160, pattern=rf"^{NOT_BLANK}")

    @model_validator(mode="after")
    def _one_way_to_reach(self) -> "Recipient":
        if not (self.customer_id or self.wa_id or self.user_id):
            raise ValueError("name the customer by customer_id, wa_id or user_id")
        return self


class TextContent(RequestModel):
    body: text(4096)
    preview_url: StrictBool = False


class MediaContent(RequestModel):
    link: MediaLink
    caption: str | None = Field(default=None, max_length=1024)
    filename: str | None = Field(default=None, max_length=240)


class TemplateLanguage(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=False)

    code: str = Field(min_length=2, max_length=15, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


class TemplateContent(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=False)

    name: str = Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")
    language: TemplateLanguage
    components: list[dict[str, Any]] = Field(default_factory=list, max_length=20)


class _OutgoingMessage(RequestModel):
    """What every message names: the sending number and the customer; its content comes with its type.

    Each type carries its own content object; the others may only be absent or `null`.
    """

    from_phone_number_id: PhoneNumberId
    to: Recipient
    text: None = None
    image: None = None
    audio: None = None
    video: None = None
    document: None = None
    template: None = None

    def content(self) -> dict[str, Any]:
        kind = self.type  # type: ignore[attr-defined] - each message type declares it
        return {"type": kind, kind: getattr(self, kind).model_dump(mode="json", exclude_none=True)}


class SendText(_OutgoingMessage):
    type: Literal["text"]
    text: TextContent  # type: ignore[assignment] - the one content this type carries


class SendImage(_OutgoingMessage):
    type: Literal["image"]
    image: MediaContent  # type: ignore[assignment]


class SendAudio(_OutgoingMessage):
    type: Literal["audio"]
    audio: MediaContent  # type: ignore[assignment]


class SendVideo(_OutgoingMessage):
    type: Literal["video"]
    video: MediaContent  # type: ignore[assignment]


class SendDocument(_OutgoingMessage):
    type: Literal["document"]
    document: MediaContent  # type: ignore[assignment]


class SendTemplate(_OutgoingMessage):
    type: Literal["template"]
    template: TemplateContent  # type: ignore[assignment]


# One content object, the one its `type` names: the document says so with `oneOf` and a discriminator.
SendMessageRequest = Annotated[
    SendText | SendImage | SendAudio | SendVideo | SendDocument | SendTemplate, Field(discriminator="type")
]


class AcceptedMessage(ResponseModel):
    message_id: str
    status: str
    customer_id: str
    created_at: datetime


# -- conversations -------------------------------------------------------------------------------
# Counted no further: an inbox shows "99+".
UNREAD_CAP = 100


class ConversationAssignee(ResponseModel):
    """The team member a conversation is assigned to."""

    member_id: str
    email: str


class Conversation(ResponseModel):
    customer_id: str
    wa_id: str | None = None
    user_id: str | None = None
    name: str | None = None
    last_message_at: datetime | None = None
    last_message_preview: str | None = None
    last_direction: str | None = None
    service_window_open: bool
    service_window_expires_at: datetime | None = None
    unread: int = Field(
        default=0,
        description=f"The customer's messages since a team member last opened the conversation (at most {UNREAD_CAP}).",
    )
    last_read_at: datetime | None = None
    assignee: ConversationAssignee | None = None


class AssignRequest(RequestModel):
    """Whom the conversation is assigned to: a team member's id, or null for nobody."""

    member_id: str | None = Field(max_length=128, pattern=r"^[A-Za-z0-9-]+$")


class ConversationList(ResponseModel):
    items: list[Conversation]
    next_cursor: str | None = None


class MessageSender(ResponseModel):
    """The team member who sent a reply from the console (replies sent with an API key name none)."""

    member_id: str
    email: str


class Message(ResponseModel):
    message_id: str
    customer_id: str
    direction: Literal["inbound", "outbound"]
    phone_number_id: str
    type: str
    content: dict[str, Any]
    status: str
    status_times: dict[str, str] = Field(default_factory=dict)
    errors: list[dict[str, Any]] = Field(default_factory=list)
    billing_category: str
    wamid: str | None = None
    sent_at: datetime
    created_at: datetime
    # Set when the customer edited the message (earlier contents in `edit_history`) or deleted it.
    edited_at: datetime | None = None
    edit_history: list[dict[str, Any]] = Field(default_factory=list)
    deleted_at: datetime | None = None
    sent_by: MessageSender | None = None


class MessageList(ResponseModel):
    items: list[Message]
    next_cursor: str | None = None


# -- deliveries ----------------------------------------------------------------------------------
class Delivery(ResponseModel):
    delivery_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class DeliveryList(ResponseModel):
    items: list[Delivery]
    next_cursor: str | None = None


class CallbackEvent(BaseModel):
    """The JSON body bizline posts to a business's callback URL."""

    id: str
    type: str
    created_at: datetime
    business_id: str
    data: dict[str, Any]
