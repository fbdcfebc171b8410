"""What bizline puts on its queues: one pydantic model per kind of task.

Producers send `model_dump_json()`; consumers parse each SQS record's body into the model
(Powertools' batch processing with the parser), so a malformed task is one reported item
failure, never a crashed batch.
"""

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, ConfigDict, Field, Json

from bizline.models.common import ON_FIRST_USE


class Task(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", **ON_FIRST_USE)


class NewsletterSend(Task):
    """What a newsletter's message is: the sender stores it (once, under its id) before sending it."""

    newsletter_run: str = Field(min_length=1, description="<newsletter id>#<run id>")
    customer_id: str = Field(min_length=1)
    phone_number_id: str = Field(min_length=1)
    wa_id: str | None = None
    user_id: str | None = None
    content: dict[str, Any]


class SendTask(Task):
    """Send one accepted reply, or one newsletter message the sender stores first (send queue)."""

    business_id: str = Field(min_length=1)
    message_id: str = Field(min_length=1)
    attempt: int = Field(default=0, ge=0)
    newsletter: NewsletterSend | None = None


class SendTaskRecord(SqsRecordModel):
    """An SQS record of the send queue, its body parsed into a SendTask."""

    body: Json[SendTask]


class StatusRecipient(Task):
    wa_id: str | None = None
    user_id: str | None = None


class StatusTask(Task):
    """Apply one status Meta reported for a message a business sent (status queue)."""

    business_id: str = Field(min_length=1)
    phone_number_id: str = Field(min_length=1)
    wamid: str = Field(min_length=1)
    status: str = Field(min_length=1)
    at: datetime
    errors: list[dict[str, Any]] = Field(default_factory=list)
    recipient: StatusRecipient = Field(default_factory=StatusRecipient)
    # Meta's pricing object (billable, pricing_model, category, type) when the status carried one.
    pricing: dict[str, Any] | None = None
    # The `biz_opaque_callback_data` the send carried: bizline's own message id (rules.providers.callback_data).
    callback_data: str | None = None


class StatusTaskRecord(SqsRecordModel):
    """An SQS record of the status queue, its body parsed into a StatusTask."""

    body: Json[StatusTask]


class DeliveryTask(Task):
    """Make the next attempt of one callback delivery (delivery queue)."""

    business_id: str = Field(min_length=1)
    delivery_id: str = Field(min_length=1)


class DeliveryTaskRecord(SqsRecordModel):
    """An SQS record of the delivery queue, its body parsed into a DeliveryTask."""

    body: Json[DeliveryTask]


class DispatchTask(Task):
    """Go on with a newsletter run from its cursor (dispatch queue): a hand-over, or a send-now."""

    business_id: str = Field(min_length=1)
    newsletter_id: str = Field(min_length=1)
    run_id: str = Field(min_length=1)
    page: int = Field(default=0, ge=0)


class DispatchTaskRecord(SqsRecordModel):
    """An SQS record of the dispatch queue, its body parsed into a DispatchTask."""

    body: Json[DispatchTask]


class ScheduledFiring(Task):
    """What a newsletter's EventBridge schedule hands the dispatcher: whose newsletter, and the firing's time."""

    business_id: str = Field(min_length=1)
    newsletter_id: str = Field(min_length=1)
    scheduled_time: str | None = None
