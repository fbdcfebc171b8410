"""A business's customers as bizline knows them: the names Meta uses for one, and their conversation summary."""

from dataclasses import dataclass
from datetime import datetime

WA_ID_PREFIX = "wa:"
USER_ID_PREFIX = "user:"


@dataclass(frozen=True)
class CustomerIdentity:
    """A customer as Meta names them: the phone-based wa_id, the business-scoped user_id, or both."""

    wa_id: str | None
    user_id: str | None
    name: str | None = None
    username: str | None = None

    @property
    def keys(self) -> list[str]:
        """Every name the customer goes by (wa:<wa_id>, user:<user_id>); any one of them finds the same customer."""
        found = []
        if self.wa_id:
            found.append(WA_ID_PREFIX + self.wa_id)
        if self.user_id:
            found.append(USER_ID_PREFIX + self.user_id)
        return found

    @classmethod
    def from_key(cls, key: str) -> "CustomerIdentity | None":
        """The identity one key names (wa:<wa_id> or user:<user_id>); None for anything else."""
        for prefix, field in ((WA_ID_PREFIX, "wa_id"), (USER_ID_PREFIX, "user_id")):
            value = key.removeprefix(prefix)
            if key.startswith(prefix) and value:
                return cls(**{"wa_id": None, "user_id": None, field: value})
        return None


@dataclass(frozen=True)
class Customer:
    """One customer of one business, with the summary of their conversation."""

    customer_id: str
    wa_id: str | None = None
    user_id: str | None = None
    name: str | None = None
    username: str | None = None
    last_message_at: datetime | None = None
    last_message_preview: str | None = None
    last_direction: str | None = None
    last_inbound_at: datetime | None = None
    # When a team member last opened the conversation (the team shares one inbox: read by one, read by all).
    last_read_at: datetime | None = None
    # The team member the conversation is assigned to (their id and e-mail), if any.
    assignee_id: str | None = None
    assignee_email: str | None = None
    created_at: datetime | None = None
    # "stop" or "resume": the customer's last word on marketing messages (Meta's `user_preferences`).
    marketing_messages: str | None = None
    marketing_messages_at: datetime | None = None
