"""A business's conversation history: one row per customer, and each conversation's messages.

Every message, whoever sent it, is added through `add_to_conversation`: stored once, and the
conversation's summary moved forward.
"""

from datetime import datetime

from bizline.adapters import customers_store, messages_store
from bizline.clock import utc_now
from bizline.errors import NotFound
from bizline.models.customers import Customer, CustomerIdentity
from bizline.models.messaging import Conversation, ConversationList, Message, MessageList
from bizline.models.stored_messages import StoredMessage
from bizline.rules import service_window
from bizline.rules.message_preview import preview


def _conversation(customer: Customer, now: datetime) -> Conversation:
    return Conversation(
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
    return ConversationList(items=[_conversation(customer, now) for customer in customers], next_cursor=next_cursor)


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
