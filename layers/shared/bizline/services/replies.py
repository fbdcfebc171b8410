"""Replies from a business: accepted at the API within the rules of the customer service window, then queued.

Sending happens behind the send queue (services.sending).
"""

import secrets
from collections.abc import Callable
from datetime import datetime

from bizline.adapters import customers_store
from bizline.clock import to_iso, utc_now
from bizline.errors import ValidationFailed
from bizline.models.customers import Customer, CustomerIdentity
from bizline.models.messaging import AcceptedMessage, Recipient, SendMessageRequest
from bizline.models.stored_messages import StoredMessage
from bizline.models.tasks import SendTask
from bizline.rules import service_window
from bizline.rules.message_status import ACCEPTED
from bizline.services.conversations import add_to_conversation, find_customer
from bizline.services.phone_numbers import owned_phone_number
from bizline.services.sending import queue_send
from bizline.services.template_checks import approved_template_for_send

# A check of the business's fair-use caps for one send of a billing category (raises 429 when reached).
CapsCheck = Callable[[str, str, datetime], None]


def _known_customer(business_id: str, to: Recipient) -> Customer | None:
    """The customer a reply is for, if bizline knows them; 404 for an unknown customer id."""
    if to.customer_id:
        return find_customer(business_id, to.customer_id)
    return customers_store.find_customer(business_id, CustomerIdentity(to.wa_id, to.user_id))


def accept_reply(
    business_id: str,
    request: SendMessageRequest,
    now: datetime | None = None,
    within_caps: CapsCheck | None = None,
    sent_by: dict[str, str] | None = None,
) -> AcceptedMessage:
    """Store a reply as accepted and queue its send.

    422 for free-form text outside the service window; with `within_caps` (the API's sends), 429
    quota_exceeded when a fair-use cap of the business's tier is reached (checked before anything is
    stored, so nothing accepted is dropped). bizline's own confirmations of a customer's opt-out or
    opt-in pass none: the customer asked for them, and opt-out always wins. `sent_by` names the team
    member who sent it from the console.
    """
    now = now or utc_now()
    number = owned_phone_number(business_id, request.from_phone_number_id)
    if request.template is not None:
        approved_template_for_send(
            business_id,
            request.template.name,
            request.template.language.code,
            request.template.components,
            number.waba_id,
        )
    customer = _known_customer(business_id, request.to)
    if not service_window.may_send(request.type, customer.last_inbound_at if customer else None, now):
        raise ValidationFailed(
            "Free-form messages can only be sent within 24 hours of the customer's last message; "
            "send an approved template instead.",
            code="outside_customer_service_window",
        )
    billing_category = service_window.reply_billing_category(request.type)
    if within_caps is not None:
        within_caps(business_id, billing_category, now)
    if customer is None:
        identity = CustomerIdentity(request.to.wa_id, request.to.user_id)
        customer_id = customers_store.resolve_customer(business_id, identity, now)
    else:
        customer_id = customer.customer_id
    message_id = f"msg_{secrets.token_hex(12)}"
    add_to_conversation(
        StoredMessage(
            business_id=business_id,
            message_id=message_id,
            customer_id=customer_id,
            direction="outbound",
            phone_number_id=request.from_phone_number_id,
            type=request.type,
            content=request.content(),
            billing_category=billing_category,
            status=ACCEPTED,
            status_times={ACCEPTED: to_iso(now)},
            created_at=now,
            sent_at=now,
            sent_by=sent_by,
        )
    )
    queue_send(SendTask(business_id=business_id, message_id=message_id))
    return AcceptedMessage(message_id=message_id, status=ACCEPTED, customer_id=customer_id, created_at=now)
