"""Turn Meta's webhook envelope into the events bizline acts on: customer messages and statuses.

Every entry, change, message and status of a payload counts; Meta batches them.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bizline.clock import utc_now
from bizline.models.customers import CustomerIdentity
from bizline.models.whatsapp import Contact, MessageHeader, Status, WebhookEnvelope

KNOWN_MESSAGE_TYPES = frozenset(
    {
        "text",
        "image",
        "audio",
        "video",
        "document",
        "location",
        "contacts",
        "interactive",
        "button",
        "reaction",
        "sticker",
    }
)


@dataclass(frozen=True)
class CustomerMessage:
    """A message a customer sent to a business's number, as Meta reported it."""

    phone_number_id: str
    wamid: str
    customer: CustomerIdentity
    sent_at: datetime
    type: str
    content: dict[str, Any]


@dataclass(frozen=True)
class StatusUpdate:
    """A status Meta reported for a message a business sent."""

    phone_number_id: str
    wamid: str
    status: str
    at: datetime
    recipient: CustomerIdentity
    errors: list[dict[str, Any]] = field(default_factory=list)


def _timestamp(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError):
        return utc_now()


def _contact_for(header: MessageHeader, contacts: list[Contact]) -> Contact | None:
    for contact in contacts:
        if (header.from_ and contact.wa_id == header.from_) or (
            header.from_user_id and contact.user_id == header.from_user_id
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else None


def _customer(header: MessageHeader, contacts: list[Contact]) -> CustomerIdentity:
    contact = _contact_for(header, contacts)
    profile = contact.profile if contact else None
    return CustomerIdentity(
        wa_id=header.from_ or (contact.wa_id if contact else None),
        user_id=header.from_user_id or (contact.user_id if contact else None),
        name=profile.name if profile else None,
        username=profile.username if profile else None,
    )


def _status_update(phone_number_id: str, status: Status) -> StatusUpdate:
    return StatusUpdate(
        phone_number_id=phone_number_id,
        wamid=status.id,
        status=status.status,
        at=_timestamp(status.timestamp),
        recipient=CustomerIdentity(wa_id=status.recipient_id, user_id=status.recipient_user_id),
        errors=[error.model_dump(exclude_none=True) for error in status.errors],
    )


def read_envelope(envelope: WebhookEnvelope) -> tuple[list[CustomerMessage], list[StatusUpdate]]:
    """Every customer message and status of an envelope; changes other than `messages` are left alone."""
    messages: list[CustomerMessage] = []
    statuses: list[StatusUpdate] = []
    for entry in envelope.entry:
        for change in entry.changes:
            value = change.value
            if change.field != "messages" or value.metadata is None:
                continue
            phone_number_id = value.metadata.phone_number_id
            for raw in value.messages:
                header = MessageHeader.model_validate(raw)
                customer = _customer(header, value.contacts)
                if not customer.keys:
                    continue  # nobody to answer: a system notice without a sender
                messages.append(
                    CustomerMessage(
                        phone_number_id=phone_number_id,
                        wamid=header.id,
                        customer=customer,
                        sent_at=_timestamp(header.timestamp),
                        type=header.type if header.type in KNOWN_MESSAGE_TYPES else "unknown",
                        content=raw,
                    )
                )
            statuses.extend(_status_update(phone_number_id, status) for status in value.statuses)
    return messages, statuses
