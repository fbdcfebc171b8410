"""A WhatsApp phone number as bizline keeps it: which business owns it, and the bucket that paces its sends."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OwnedPhoneNumber:
    """A business's WhatsApp number; its webhooks are routed to that business."""

    phone_number_id: str
    business_id: str
    display_phone_number: str
    created_at: datetime
    # The WhatsApp Business Account the number was proven through, and Meta's name for it.
    waba_id: str | None = None
    verified_name: str | None = None


@dataclass(frozen=True)
class PublicBadge:
    """What the public lookup answers for a proven number of a verified business."""

    phone_number: str
    phone_number_id: str
    business_id: str
    verified_name: str
    verified_since: datetime


@dataclass(frozen=True)
class SendBucket:
    """A number's token bucket: tokens left at `refilled_at` (epoch seconds); `version` orders its writes."""

    tokens: float
    refilled_at: float
    version: int
