"""Callback deliveries as bizline keeps them: the stored delivery, an attempt's answer, its outcome."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD_LETTERED = "dead_lettered"
    ENDPOINT_DISABLED = "endpoint_disabled"
    UNSAFE_ENDPOINT = "unsafe_endpoint"
    NO_ENDPOINT = "no_endpoint"


@dataclass(frozen=True)
class StoredDelivery:
    """One event a business is told about, with where its attempts stand."""

    business_id: str
    delivery_id: str
    event_type: str
    payload: str
    status: DeliveryStatus
    attempts: int
    enqueued: bool
    created_at: datetime
    updated_at: datetime
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    attempt_until: datetime | None = None  # while an attempt is on the wire


@dataclass(frozen=True)
class CallbackResponse:
    """What the business's endpoint answered; no status code when it could not be reached in time."""

    status_code: int | None
    retry_after: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class DeliveryOutcome:
    """Where a delivery stands after an attempt, or after finding it cannot be attempted."""

    status: DeliveryStatus
    status_code: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
