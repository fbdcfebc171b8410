"""Newsletters: an approved template sent to a business's subscribers, once at a time or on a schedule.

The API's request and response models, and the domain types the newsletters store speaks.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from bizline.models.common import RequestModel, ResponseModel
from bizline.models.subscribers import AttributeName, Tag

DRAFT, SCHEDULED, SENDING, SENT, CANCELLED, FAILED = "draft", "scheduled", "sending", "sent", "cancelled", "failed"
SKIPPED = "skipped"
NewsletterState = Literal["draft", "scheduled", "sending", "sent", "cancelled", "failed"]
# A run is in one of its newsletter's states, or `skipped`: a firing that opened no run (skip_reason says why).
RunState = Literal["sending", "sent", "cancelled", "failed", "skipped"]
SKIP_REASONS = ("opted_out", "template_paused", "missing_variable")
MESSAGING_LIMITS = ("250", "2000", "10000", "100000", "unlimited")
MessagingLimit = Literal["250", "2000", "10000", "100000", "unlimited"]
# A named template's variables by name (`first_name`); a numbered one's by component and place (`body.1`).
VariableName = Annotated[str, StringConstraints(pattern=r"^((header|body)\.[1-9][0-9]{0,2}|[a-z][a-z0-9_]{0,59})$")]


def _iso_text_only(value: Any) -> Any:
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date-time string")
    return value


class VariableSource(RequestModel):
    """Where one template variable's value comes from: a subscriber attribute (with a fallback) or fixed text."""

    attribute: AttributeName | None = Field(default=None, description="The subscriber attribute that fills it.")
    default: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = Field(
        default=None, description="Used when the subscriber has no such attribute; without it they are skipped."
    )
    text: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = Field(
        default=None, description="The same text for every subscriber."
    )

    @model_validator(mode="after")
    def _one_source(self) -> "VariableSource":
        if (self.attribute is None) == (self.text is None):
            raise ValueError("give either `attribute` (with an optional `default`) or `text`")
        if self.text is not None and self.default is not None:
            raise ValueError("`default` goes with `attribute`")
        return self


class TemplateRef(RequestModel):
    name: str = Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")
    language: str = Field(min_length=2, max_length=15, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


class Audience(RequestModel):
    """Everyone subscribed (`all`), or the subscribers carrying any of `tags`."""

    type: Literal["all", "tags"] = "all"
    tags: list[Tag] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _tags_with_tags(self) -> "Audience":
        if self.type == "tags" and not self.tags:
            raise ValueError("an audience by tags names at least one tag")
        if self.type == "all" and self.tags:
            raise ValueError("an audience of all subscribers names no tags")
        return self


class RecurringSchedule(RequestModel):
    cron: str = Field(
        min_length=9, max_length=120, description="EventBridge cron, six fields: `0 9 ? * MON *` (Mondays 09:00)."
    )
    timezone: str = Field(min_length=1, max_length=64, description="IANA zone the cron is read in.")


SendAt = Annotated[datetime, BeforeValidator(_iso_text_only)]


class _Timing(RequestModel):
    send_at: SendAt | None = Field(
        default=None,
        description="ISO 8601 with a UTC offset, or a local time with `timezone`; future, at most a year ahead.",
    )
    timezone: str | None = Field(default=None, min_length=1, max_length=64, description="IANA zone of `send_at`.")
    schedule: RecurringSchedule | None = None

    @model_validator(mode="after")
    def _one_timing(self) -> "_Timing":
        if self.send_at is not None and self.schedule is not None:
            raise ValueError("give `send_at` or `schedule`, not both")
        if self.timezone is not None and self.send_at is None:
            raise ValueError("`timezone` goes with `send_at`")
        return self


class CreateNewsletterRequest(_Timing):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    from_phone_number_id: str = Field(pattern=r"^[0-9]{1,32}$")
    template: TemplateRef
    variables: dict[VariableName, VariableSource] = Field(default_factory=dict, max_length=40)
    audience: Audience = Field(default_factory=Audience)


class UpdateNewsletterRequest(_Timing):
    """A new time (`send_at`) or recurring `schedule`: the schedule is replaced."""

    @model_validator(mode="after")
    def _some_timing(self) -> "UpdateNewsletterRequest":
        if self.send_at is None and self.schedule is None:
            raise ValueError("give `send_at` or `schedule`")
        return self


class MessagingLimitRequest(RequestModel):
    limit: MessagingLimit = Field(description="Meta's messaging limit of the number: unique customers per 24 hours.")


class MessagingLimitView(ResponseModel):
    phone_number_id: str
    limit: MessagingLimit
    reached_in_window: int = Field(
        description="Customers the number's newsletters reached in the rolling 24 hours, each counted once."
    )


class RunStats(ResponseModel):
    run_id: str
    state: RunState
    skip_reason: str | None = Field(
        default=None, description="Why a firing sent nothing: `previous_run_sending` (a recurring run still underway)."
    )
    waiting_for_limit_until: datetime | None = Field(
        default=None,
        description="The number's messaging limit is reached: the rest of the audience waits for the rolling "
        "24 hours to free up, looked at again at this time.",
    )
    started_at: datetime
    finished_at: datetime | None = None
    audience: int
    queued: int
    sent: int
    delivered: int
    read: int
    failed: int
    failed_reasons: dict[str, int] = Field(description="Meta's error codes and how many sends each failed.")
    skipped: dict[str, int] = Field(description="opted_out, template_paused, missing_variable.")


class Newsletter(ResponseModel):
    newsletter_id: str
    name: str
    state: NewsletterState
    from_phone_number_id: str
    template: dict[str, str]
    variables: dict[str, dict[str, str]]
    audience: dict[str, Any]
    send_at: datetime | None = None
    schedule: dict[str, str] | None = None
    created_at: datetime
    updated_at: datetime
    runs: list[RunStats] | None = Field(default=None, description="Each run, newest first (on GET of one).")


class NewsletterList(ResponseModel):
    items: list[Newsletter]
    next_cursor: str | None = None


@dataclass(frozen=True)
class StoredNewsletter:
    business_id: str
    newsletter_id: str
    name: str
    state: str
    phone_number_id: str
    template_name: str
    template_language: str
    variables: dict[str, dict[str, str]]
    audience_tags: list[str]
    created_at: datetime
    updated_at: datetime
    send_at: datetime | None = None
    cron: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class RunCounts:
    """What one page of a run did: its audience, what was queued, what was skipped and why."""

    audience: int = 0
    queued: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredRun:
    business_id: str
    newsletter_id: str
    run_id: str
    state: str
    page: int
    cursor: dict[str, Any] | None
    started_at: datetime
    finished_at: datetime | None = None
    skip_reason: str | None = None
    waits_until: datetime | None = None
    counts: RunCounts = field(default_factory=RunCounts)
    statuses: dict[str, int] = field(default_factory=dict)
    failed_reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipient:
    """One subscriber as the dispatcher reads it: who, whether subscribed, tags and attributes."""

    customer_id: str
    wa_id: str | None
    user_id: str | None
    subscribed: bool
    tags: list[str]
    attributes: dict[str, str]
