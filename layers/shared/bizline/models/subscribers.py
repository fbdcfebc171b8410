"""Subscribers: customers who agreed to a business's newsletters, with the proof of it and of every change."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from bizline.models.common import RequestModel, ResponseModel, documented

SUBSCRIBED = "subscribed"
UNSUBSCRIBED = "unsubscribed"
SubscriberStatus = Literal["subscribed", "unsubscribed"]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
AttributeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# Names outside the pattern are refused: the document says so (patternProperties alone would allow them).
Attributes = Annotated[
    dict[AttributeName, Annotated[str, StringConstraints(max_length=256)]], documented(additionalProperties=False)
]
# One of the two names the customer: present as a string (null names nobody).
_NAMED_BY_WA_ID_OR_USER_ID = {
    "anyOf": [
        {"required": ["wa_id"], "properties": {"wa_id": {"type": "string"}}},
        {"required": ["user_id"], "properties": {"user_id": {"type": "string"}}},
    ]
}


@dataclass(frozen=True)
class StatusChange:
    """One entry of a subscriber's history: what status, when, through what, and the words agreed to or used."""

    status: str
    at: datetime
    source: str
    text: str | None = None


@dataclass(frozen=True)
class StoredSubscriber:
    business_id: str
    customer_id: str
    wa_id: str | None
    user_id: str | None
    status: str
    tags: list[str]
    attributes: dict[str, str]
    consent: StatusChange
    created_at: datetime
    updated_at: datetime
    history: list[StatusChange] = field(default_factory=list)


def _iso_text_only(value: Any) -> Any:
    # The document says a date-time string: a number (which pydantic would read as Unix seconds) is refused.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date-time string")
    return value


class Consent(RequestModel):
    """The proof of consent: where it was given, when, and the exact words agreed to."""

    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="Where the customer agreed, e.g. `web_form:checkout`, `in_store_tablet`."
    )
    at: Annotated[datetime, BeforeValidator(_iso_text_only)] = Field(description="When, ISO 8601 with an offset.")
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="The exact text the customer agreed to."
    )

    @model_validator(mode="after")
    def _aware(self) -> "Consent":
        if self.at.tzinfo is None:
            raise ValueError("`at` needs a UTC offset, e.g. 2026-11-23T09:30:00+01:00")
        return self


class SubscribeRequest(RequestModel):
    model_config = ConfigDict(json_schema_extra=_NAMED_BY_WA_ID_OR_USER_ID)

    wa_id: str | None = Field(default=None, pattern=r"^[1-9][0-9]{6,15}$")
    user_id: str | None = Field(default=None, min_length=3, max_length=160)
    consent: Consent
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    attributes: Attributes = Field(default_factory=dict, max_length=20)

    @model_validator(mode="after")
    def _one_way_to_reach(self) -> "SubscribeRequest":
        if not (self.wa_id or self.user_id):
            raise ValueError("name the customer by wa_id or user_id")
        return self


class SubscribeBatchRequest(RequestModel):
    consent: Consent | None = Field(
        default=None, description="The consent every item shares (a thousand copies would not fit in one request)."
    )
    items: list[dict[str, Any]] = Field(
        min_length=1, max_length=1000, description="wa_id or user_id, tags, attributes, consent."
    )


class UpdateSubscriberRequest(RequestModel):
    tags: list[Tag] | None = Field(default=None, max_length=20)
    attributes: Attributes | None = Field(default=None, max_length=20)


class StatusChangeView(ResponseModel):
    status: str
    at: datetime
    source: str
    text: str | None = None


class Subscriber(ResponseModel):
    customer_id: str
    wa_id: str | None = None
    user_id: str | None = None
    status: SubscriberStatus
    tags: list[str]
    attributes: dict[str, str]
    consent: StatusChangeView
    created_at: datetime
    updated_at: datetime
    history: list[StatusChangeView] | None = Field(default=None, description="Every status change, oldest first.")


class SubscriberList(ResponseModel):
    items: list[Subscriber]
    next_cursor: str | None = None


class BatchItemResult(ResponseModel):
    index: int
    status: int = Field(description="What this item alone would have answered: 201, 200 or 422.")
    subscriber: Subscriber | None = None
    error: dict[str, Any] | None = None


class SubscribeBatchResult(ResponseModel):
    items: list[BatchItemResult]


KeywordList = list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]]


class ConsentKeywords(RequestModel):
    opt_out: KeywordList = Field(default_factory=list, max_length=20, description="Added to the default opt-out words.")
    opt_in: KeywordList = Field(default_factory=list, max_length=20, description="Added to the default opt-in words.")


class ConsentKeywordsView(ResponseModel):
    opt_out: list[str] = Field(description="Every word that opts out: the defaults and the business's own.")
    opt_in: list[str]
    own_opt_out: list[str]
    own_opt_in: list[str]
