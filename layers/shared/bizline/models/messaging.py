"""Phone numbers, replies, conversations and callback deliveries as the API shows them."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, HttpUrl, StringConstraints, model_validator

from bizline.models.common import RequestModel, ResponseModel

PhoneNumberId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,32}$")]


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
    """Whom to write to: a known customer, or a WhatsApp id (phone) or business-scoped user id."""

    customer_id: str | None = Field(default=None, pattern=r"^cus_[0-9a-f]{20}$")
    wa_id: str | None = Field(default=None, pattern=r"^[1-9][0-9]{6,15}$")
    user_id: str | None = Field(default=None, min_length=3, max_length=160)

    @model_validator(mode="after")
    def _one_way_to_reach(self) -> "Recipient":
        if not (self.customer_id or self.wa_id or self.user_id):
            raise ValueError("name the customer by customer_id, wa_id or user_id")
        return self


class TextContent(RequestModel):
    body: str = Field(min_length=1, max_length=4096)
    preview_url: bool = False


class MediaContent(RequestModel):
    link: HttpUrl
    caption: str | None = Field(default=None, max_length=1024)
    filename: str | None = Field(default=None, max_length=240)


class TemplateLanguage(RequestModel):
    code: str = Field(min_length=2, max_length=15)


class TemplateContent(RequestModel):
    name: str = Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")
    language: TemplateLanguage
    components: list[dict[str, Any]] = Field(default_factory=list, max_length=20)


class SendMessageRequest(RequestModel):
    from_phone_number_id: PhoneNumberId
    to: Recipient
    type: Literal["text", "image", "audio", "video", "document", "template"]
    text: TextContent | None = None
    image: MediaContent | None = None
    audio: MediaContent | None = None
    video: MediaContent | None = None
    document: MediaContent | None = None
    template: TemplateContent | None = None

    @model_validator(mode="after")
    def _content_matches_type(self) -> "SendMessageRequest":
        given = [name for name in ("text", "image", "audio", "video", "document", "template") if getattr(self, name)]
        if given != [self.type]:
            raise ValueError(f"a {self.type} message carries exactly one `{self.type}` object")
        return self

    def content(self) -> dict[str, Any]:
        return {"type": self.type, self.type: getattr(self, self.type).model_dump(mode="json", exclude_none=True)}


class AcceptedMessage(ResponseModel):
    message_id: str
    status: str
    customer_id: str
    created_at: datetime


# -- conversations -------------------------------------------------------------------------------
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


class ConversationList(ResponseModel):
    items: list[Conversation]
    next_cursor: str | None = None


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
