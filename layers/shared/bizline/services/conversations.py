"""A business's conversation history: one row per customer, and each conversation's messages.

Every message, whoever sent it, is added through `add_to_conversation`: stored once, and the
conversation's summary moved forward.
"""

from datetime import datetime

from bizline.adapters import customers_store, messages_store
from bizline.clock import utc_now
from bizline.errors import NotFound
from bizline.models.customers import Customer, CustomerIdentity
from bizline.models.messaging import (
    UNREAD_CAP,
    Conversation,
    ConversationAssignee,
    ConversationList,
    Message,
    MessageList,
)
from bizline.models.stored_messages import StoredMessage
from bizline.rules import service_window
from bizline.rules.message_preview import preview
from bizline.rules.service_window import unread_since_read


def conversation_view(customer: Customer, now: datetime, business_id: str | None = None) -> Conversation:
    """The conversation's row; its unread count is read (one query) only when the customer wrote since last read."""
    unread = 0
    if business_id is not None and unread_since_read(customer.last_inbound_at, customer.last_read_at):
        unread = messages_store.count_inbound_since(
            business_id, customer.customer_id, customer.last_read_at, UNREAD_CAP
        )
    assignee = None
    if customer.assignee_id:
        assignee = ConversationAssignee(member_id=customer.assignee_id, email=customer.assignee_email or "")
    return Conversation(
        unread=unread,
        last_read_at=customer.last_read_at,
        assignee=assignee,
        customer_id=customer.customer_id,
        wa_id=customer.wa_id,
        user_id=customer.user_id,
        name=customer.name,
        last_message_at=customer.last_message_at,
        last_message_preview=customer.last_message_preview,
        last_direction=customer.last_direction,
        service_window_open=service_window.is_open(customer.last_inbound_at, now),
        service_window_expires_at=service_window.expires_at(customer.last_inbound_at),
    )


def list_conversations(
    business_id: str, limit: int, cursor: str | None, now: datetime | None = None
) -> ConversationList:
    """The business's conversations, most recent first, each with its service window."""
    customers, next_cursor = customers_store.list_conversations(business_id, limit, cursor)
    now = now or utc_now()
    items = [conversation_view(customer, now, business_id) for customer in customers]
    return ConversationList(items=items, next_cursor=next_cursor)


def message_view(message: StoredMessage) -> Message:
    """A message as the API and callbacks show it."""
    return Message.model_validate(message)


def add_to_conversation(message: StoredMessage) -> bool:
    """Store a message once and move its conversation forward; False when it was stored before."""
    stored = messages_store.put_message(message)
    if stored:
        customers_store.record_activity(
            message.business_id,
            message.customer_id,
            message.sent_at,
            preview(message.type, message.content),
            message.direction,
        )
    return stored


def find_customer(business_id: str, reference: str) -> Customer:
    """A customer by bizline id (cus_...) or by a name Meta uses for them (wa:<wa_id>, user:<user_id>)."""
    identity = CustomerIdentity.from_key(reference)
    if identity is None:
        customer = customers_store.get_customer(business_id, reference)
    else:
        customer = customers_store.find_customer(business_id, identity)
    if customer is None:
        raise NotFound("No such customer.")
    return customer


def list_messages(business_id: str, reference: str, limit: int, cursor: str | None) -> MessageList:
    """One conversation's messages, newest first; 404 for a customer the business does not have."""
    customer_id = find_customer(business_id, reference).customer_id
    messages, next_cursor = messages_store.list_conversation_messages(business_id, customer_id, limit, cursor)
    return MessageList(items=[message_view(message) for message in messages], next_cursor=next_cursor)
