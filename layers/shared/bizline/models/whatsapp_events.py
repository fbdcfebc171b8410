"""An item bizline keeps of Meta's webhook for one business: a change, or something kept for operators."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

CHANGE = "change"  # a change of a field other than `messages`, also sent to the business
UNREADABLE = "unreadable"  # an item of a notification that could not be read, with the reason
UNMATCHED_STATUS = "unmatched_status"  # a status for a wamid no send of bizline recorded
UNMATCHED_REVISION = "unmatched_revision"  # an edit or revocation of a message bizline does not have


@dataclass(frozen=True)
class WhatsAppEvent:
    """One kept item; `event_key` is derived from its content, so a redelivery finds it kept already."""

    business_id: str
    event_key: str
    kind: str
    payload: Any
    received_at: datetime
    expires_at: datetime
    field: str | None = None
    phone_number_id: str | None = None
    waba_id: str | None = None
    reason: str | None = None
