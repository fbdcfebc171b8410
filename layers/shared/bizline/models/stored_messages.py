"""A message as bizline keeps it: what the customer or the business sent, and how far it got."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Direction = Literal["inbound", "outbound"]


@dataclass(frozen=True)
class StoredMessage:
    """One message of a conversation; `status_rank` orders the statuses Meta reports (see rules.message_status)."""

    business_id: str
    message_id: str
    customer_id: str
    direction: Direction
    phone_number_id: str
    type: str
    content: dict[str, Any]
    billing_category: str
    status: str
    sent_at: datetime
    created_at: datetime
    status_rank: int = 0
    status_times: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    wamid: str | None = None
    # A customer's edits: each earlier content, the edit that replaced it and when; a revocation marks it deleted.
    edit_history: list[dict[str, Any]] = field(default_factory=list)
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    # Meta's pricing object from the first status that carried one (metering counts by its category).
    pricing: dict[str, Any] | None = None
    # A newsletter's message: `<newsletter id>#<run id>`, so its statuses count in the run's stats.
    newsletter: str | None = None
    # A reply sent from the console: the team member who sent it ({"member_id", "email"}).
    sent_by: dict[str, str] | None = None

    @property
    def edit_wamids(self) -> frozenset[str]:
        """The wamids of the edits applied to this message."""
        return frozenset(entry.get("replaced_by", "") for entry in self.edit_history)
