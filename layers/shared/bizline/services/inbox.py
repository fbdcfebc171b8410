"""The team's shared inbox: which conversations a member has read, and whom each is assigned to.

Apart from conversations.py, which every message passes through: only the console's people read
and assign, so only the API that serves them reaches the team's members.
"""

from datetime import datetime

from bizline.adapters import customers_store, team_members_store
from bizline.clock import utc_now
from bizline.errors import ValidationFailed
from bizline.models.messaging import Conversation
from bizline.services.conversations import conversation_view, find_customer


def mark_read(business_id: str, reference: str, now: datetime | None = None) -> Conversation:
    """A team member opened the conversation: what the customer wrote until now is read (for the whole team)."""
    now = now or utc_now()
    customer = find_customer(business_id, reference)
    customers_store.mark_read(business_id, customer.customer_id, now)
    return conversation_view(
        customers_store.get_customer(business_id, customer.customer_id) or customer, now, business_id
    )


def assign(business_id: str, reference: str, member_id: str | None, now: datetime | None = None) -> Conversation:
    """Assign the conversation to a member of the business's team, or to nobody; 422 for anyone else."""
    customer = find_customer(business_id, reference)
    assignee = None
    if member_id is not None:
        member = team_members_store.get_member(business_id, member_id)
        if member is None:
            raise ValidationFailed("No member of this team has that id.", code="unknown_member")
        assignee = (member.member_id, member.email)
    customers_store.assign(business_id, customer.customer_id, assignee)
    stored = customers_store.get_customer(business_id, customer.customer_id) or customer
    return conversation_view(stored, now or utc_now(), business_id)
