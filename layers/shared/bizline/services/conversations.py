"""A business's conversation history: one row per customer, and each conversation's messages."""

import json
from datetime import UTC, datetime

from bizline.adapters import messaging_store as store
from bizline.adapters.tables import CustomerRecord, MessageRecord
from bizline.errors import NotFound
from bizline.models.messaging import Conversation, ConversationList, Message, MessageList
from bizline.services.replies import window_expires_at


def _conversation(record: CustomerRecord, now: datetime) -> Conversation:
    expires = window_expires_at(record)
    return Conversation(
        customer_id=record.customer_id,
        wa_id=record.wa_id,
        user_id=record.user_id,
        name=record.name,
        last_message_at=datetime.fromisoformat(record.last_message_at) if record.last_message_at else None,
        last_message_preview=record.last_message_preview,
        last_direction=record.last_direction,
        service_window_open=bool(expires and now < expires),
        service_window_expires_at=expires,
    )


def list_conversations(
    business_id: str, limit: int, cursor: str | None, now: datetime | None = None
) -> ConversationList:
    records, next_cursor = store.list_conversations(business_id, limit, cursor)
    now = now or datetime.now(UTC)
    return ConversationList(items=[_conversation(record, now) for record in records], next_cursor=next_cursor)


def _plain(value: object) -> dict[str, str]:
    """A raw map attribute as a plain dict, whether it was read from the table or built in code."""
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def message_model(record: MessageRecord) -> Message:
    return Message(
        message_id=record.message_id,
        customer_id=record.customer_id,
        direction=record.direction,
        phone_number_id=record.phone_number_id,
        type=record.type,
        content=json.loads(record.content),
        status=record.status,
        status_times=_plain(record.status_times),
        errors=json.loads(record.errors) if record.errors else [],
        billing_category=record.billing_category,
        wamid=record.wamid,
        sent_at=datetime.fromisoformat(record.sent_at),
        created_at=datetime.fromisoformat(record.created_at),
    )


def find_customer(business_id: str, reference: str) -> CustomerRecord:
    """A customer by bizline id (cus_...) or by a name Meta uses for them (wa:<wa_id>, user:<user_id>)."""
    kind, _, value = reference.partition(":")
    customer_id = reference
    if kind in {"wa", "user"} and value:
        names = store.CustomerNames(value if kind == "wa" else None, value if kind == "user" else None)
        customer_id = store.find_customer_id(business_id, names) or ""
    customer = store.get_customer(business_id, customer_id)
    if customer is None:
        raise NotFound("No such customer.")
    return customer


def list_messages(business_id: str, reference: str, limit: int, cursor: str | None) -> MessageList:
    customer_id = find_customer(business_id, reference).customer_id
    records, next_cursor = store.list_conversation_messages(business_id, customer_id, limit, cursor)
    return MessageList(items=[message_model(record) for record in records], next_cursor=next_cursor)
