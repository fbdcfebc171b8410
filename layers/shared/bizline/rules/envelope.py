"""Turn Meta's webhook envelope into the events bizline acts on.

Every entry, change, message and status of a payload counts; Meta batches them. Each item is read
on its own and leniently: one that cannot be read becomes an `Unreadable` kept with its reason,
and its neighbours are read as usual. Changes other than `messages` are read as `FieldChange`s.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from bizline.models.customers import CustomerIdentity
from bizline.models.whatsapp import ChangeValue, Contact, Entry, MessageHeader, Status

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
# Kinds that change what bizline already knows instead of adding a message.
EDIT, REVOKE, SYSTEM = "edit", "revoke", "system"
CHANGED_NUMBER_TYPES = frozenset({"customer_changed_number", "user_changed_number"})


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
class MessageRevision:
    """A customer's edit (with the new content) or revocation of a message they sent before."""

    phone_number_id: str
    wamid: str
    original_wamid: str
    kind: str  # EDIT or REVOKE
    customer: CustomerIdentity
    at: datetime
    content: dict[str, Any] | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class NumberChange:
    """A customer moved to a new phone number: the same customer, a new wa_id."""

    phone_number_id: str
    wamid: str
    old_wa_id: str
    new_wa_id: str
    at: datetime
    raw: dict[str, Any]


@dataclass(frozen=True)
class StatusUpdate:
    """A status Meta reported for a message a business sent."""

    phone_number_id: str
    wamid: str
    status: str
    at: datetime
    recipient: CustomerIdentity
    errors: list[dict[str, Any]] = field(default_factory=list)
    pricing: dict[str, Any] | None = None
    callback_data: str | None = None


@dataclass(frozen=True)
class Unreadable:
    """An item bizline could not read, kept whole with the reason; `key` is derived from its content."""

    phone_number_id: str | None
    waba_id: str
    reason: str
    payload: Any

    @property
    def key(self) -> str:
        return f"unreadable#{content_digest(self.payload)}"


@dataclass(frozen=True)
class FieldChange:
    """A change of any field but `messages` (or the `errors` of a `messages` change), kept whole.

    It belongs to the business owning `phone_number_id` (or `display_phone_number`) when the change
    names one, otherwise to the owner of the WhatsApp Business Account `waba_id`.
    """

    waba_id: str
    field: str
    value: Any
    phone_number_id: str | None
    display_phone_number: str | None
    at: datetime | None

    @property
    def key(self) -> str:
        at = self.at.isoformat() if self.at else None
        return f"{self.field}#{content_digest([self.waba_id, self.field, self.value, at])}"


@dataclass
class EnvelopeReading:
    """Everything one notification said, sorted by what bizline does with it."""

    messages: list[CustomerMessage] = field(default_factory=list)
    revisions: list[MessageRevision] = field(default_factory=list)
    number_changes: list[NumberChange] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


def content_digest(value: Any) -> str:
    """A stable digest of any JSON value: the same content always gives the same key."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def meta_time(value: Any, fallback: datetime) -> datetime:
    """Meta's Unix timestamp (a string or a number); `fallback` when there is none or it is not one."""
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return fallback


def _contacts(raw: list[Any]) -> list[Contact]:
    found = []
    for item in raw:
        try:
            found.append(Contact.model_validate(item))
        except ValidationError:
            continue  # a contact that cannot be read names nobody; the message's own sender still does
    return found


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


def _reason(error: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in item['loc']) or 'value'}: {item['msg']}" for item in error.errors()]
    return "; ".join(parts)[:500]


def _read_message(
    reading: EnvelopeReading, raw: Any, phone_number_id: str, waba_id: str, contacts: list[Contact], now: datetime
) -> None:
    def unreadable(reason: str) -> None:
        reading.unreadable.append(Unreadable(phone_number_id, waba_id, reason, raw))

    try:
        header = MessageHeader.model_validate(raw)
    except ValidationError as error:
        unreadable(f"message: {_reason(error)}")
        return
    at = meta_time(header.timestamp, now)
    customer = _customer(header, contacts)
    body = raw.get(header.type) if isinstance(raw.get(header.type), dict) else {}
    if header.type == SYSTEM:
        new_wa_id = body.get("new_wa_id") or body.get("wa_id")
        if body.get("type") in CHANGED_NUMBER_TYPES and header.from_ and new_wa_id and str(new_wa_id) != header.from_:
            reading.number_changes.append(
                NumberChange(phone_number_id, header.id, header.from_, str(new_wa_id), at, raw)
            )
        else:
            unreadable(f"system message of type {body.get('type')!r} names no new number")
        return
    if not customer.keys:
        unreadable("message names no sender")
        return
    if header.type in (EDIT, REVOKE):
        original = body.get("original_message_id")
        edited = body.get("message") if header.type == EDIT else None
        if not isinstance(original, str) or not original or (header.type == EDIT and not isinstance(edited, dict)):
            unreadable(f"{header.type} without original_message_id" + (" or message" if header.type == EDIT else ""))
            return
        reading.revisions.append(
            MessageRevision(phone_number_id, header.id, original, header.type, customer, at, edited, raw)
        )
        return
    kind = header.type if header.type in KNOWN_MESSAGE_TYPES else "unknown"
    reading.messages.append(CustomerMessage(phone_number_id, header.id, customer, at, kind, raw))


def _read_status(reading: EnvelopeReading, raw: Any, phone_number_id: str, waba_id: str, now: datetime) -> None:
    try:
        status = Status.model_validate(raw)
    except ValidationError as error:
        reading.unreadable.append(Unreadable(phone_number_id, waba_id, f"status: {_reason(error)}", raw))
        return
    reading.statuses.append(
        StatusUpdate(
            phone_number_id=phone_number_id,
            wamid=status.id,
            status=status.status,
            at=meta_time(status.timestamp, now),
            recipient=CustomerIdentity(wa_id=status.recipient_id, user_id=status.recipient_user_id),
            errors=[error.model_dump(exclude_none=True) for error in status.errors],
            pricing=status.pricing or None,
            callback_data=status.biz_opaque_callback_data,
        )
    )


def _value_of(raw: Any) -> ChangeValue | None:
    try:
        return ChangeValue.model_validate(raw)
    except ValidationError:
        return None


def _read_change(reading: EnvelopeReading, entry: Entry, field_name: str, raw: Any, now: datetime) -> None:
    value = _value_of(raw)
    metadata = value.metadata if value else None
    phone_number_id = metadata.phone_number_id if metadata else None
    display = (metadata.display_phone_number if metadata else None) or (
        str(raw["display_phone_number"]) if isinstance(raw, dict) and raw.get("display_phone_number") else None
    )
    if field_name != "messages":
        at = meta_time(entry.time, now) if entry.time is not None else None
        reading.changes.append(FieldChange(entry.id, field_name, raw, phone_number_id, display, at))
        return
    if value is None or not phone_number_id:
        reading.unreadable.append(Unreadable(phone_number_id, entry.id, "messages change without metadata", raw))
        return
    contacts = _contacts(value.contacts)
    for message in value.messages:
        _read_message(reading, message, phone_number_id, entry.id, contacts, now)
    for status in value.statuses:
        _read_status(reading, status, phone_number_id, entry.id, now)
    if value.errors:
        # Errors about the number or the account rather than about one message (value-level `errors`).
        reading.changes.append(FieldChange(entry.id, "errors", value.errors, phone_number_id, display, None))


def read_envelope(entries: list[Entry], now: datetime) -> EnvelopeReading:
    """Every message, revision, number change, status and other change of an envelope's entries."""
    reading = EnvelopeReading()
    for entry in entries:
        for change in entry.changes:
            _read_change(reading, entry, change.field, change.value, now)
    return reading
