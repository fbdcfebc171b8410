"""Replies from a business: accepted at the API, sent behind a queue, paced per phone number.

The 24-hour customer service window: free-form messages only within 24 hours of the customer's
last message; outside it, only approved templates.
"""

import json
import math
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from bizline.adapters import messaging_store as store
from bizline.adapters import queues
from bizline.adapters.providers import get_provider
from bizline.adapters.tables import CustomerRecord, MessageRecord
from bizline.errors import NotFound, ValidationFailed
from bizline.models.messaging import AcceptedMessage, SendMessageRequest
from bizline.rules.envelope import STATUS_RANK, preview
from bizline.rules.providers import ProviderError, Recipient
from bizline.services.deliveries import NewDelivery, create_deliveries
from bizline.services.phone_numbers import owned_phone_number
from bizline.settings import get_settings

SERVICE_WINDOW = timedelta(hours=24)
SEND_CLAIM_TIMEOUT = timedelta(minutes=2)
MAX_SEND_ATTEMPTS = 8


def window_expires_at(customer: CustomerRecord | None) -> datetime | None:
    if customer is None or not customer.last_inbound_at:
        return None
    return datetime.fromisoformat(customer.last_inbound_at) + SERVICE_WINDOW


def window_open(customer: CustomerRecord | None, now: datetime) -> bool:
    expires = window_expires_at(customer)
    return expires is not None and now < expires


def _customer_for(business_id: str, request: SendMessageRequest, now: datetime) -> CustomerRecord | None:
    to = request.to
    if to.customer_id:
        customer = store.get_customer(business_id, to.customer_id)
        if customer is None:
            raise NotFound("No such customer.")
        return customer
    names = store.CustomerNames(to.wa_id, to.user_id)
    customer_id = store.find_customer_id(business_id, names)
    return store.get_customer(business_id, customer_id) if customer_id else None


def accept_reply(business_id: str, request: SendMessageRequest, now: datetime | None = None) -> AcceptedMessage:
    now = now or datetime.now(UTC)
    owned_phone_number(business_id, request.from_phone_number_id)
    customer = _customer_for(business_id, request, now)
    if request.type != "template" and not window_open(customer, now):
        raise ValidationFailed(
            "Free-form messages can only be sent within 24 hours of the customer's last message; "
            "send an approved template instead.",
            code="outside_customer_service_window",
        )
    if customer is None:
        customer_id = store.resolve_customer(
            business_id, store.CustomerNames(request.to.wa_id, request.to.user_id), now
        )
    else:
        customer_id = customer.customer_id
    message_id = f"msg_{secrets.token_hex(12)}"
    content = request.content()
    record = MessageRecord(
        business_id=business_id,
        message_id=message_id,
        customer_id=customer_id,
        conversation=store.conversation_key(business_id, customer_id),
        conversation_sort=f"{now.isoformat()}#{message_id}",
        direction="outbound",
        phone_number_id=request.from_phone_number_id,
        type=request.type,
        content=json.dumps(content),
        # Templates are billed by their category, which the metering work settles.
        billing_category="template" if request.type == "template" else "service",
        status="accepted",
        status_rank=0,
        status_times={"accepted": now.isoformat()},
        created_at=now.isoformat(),
        sent_at=now.isoformat(),
    )
    store.put_message(record)
    store.record_activity(business_id, customer_id, now, preview(request.type, content), "outbound")
    queues.send_tasks(get_settings().send_queue_url, [{"business_id": business_id, "message_id": message_id}])
    return AcceptedMessage(message_id=message_id, status="accepted", customer_id=customer_id, created_at=now)


def _requeue(task: dict[str, Any], seconds: float, attempt: int | None = None) -> None:
    body = {**task, "attempt": attempt if attempt is not None else task.get("attempt", 0)}
    queues.send_tasks(get_settings().send_queue_url, [body], delay_seconds=max(1, math.ceil(seconds)))


def send_queued(task: dict[str, Any], now: datetime | None = None) -> str:
    """Send one accepted reply. Returns what happened, for the log."""
    now = now or datetime.now(UTC)
    business_id, message_id = task["business_id"], task["message_id"]
    message = store.get_message(business_id, message_id)
    if message is None or message.status not in ("accepted", "sending"):
        return "already sent"
    settings = get_settings()
    rate = settings.sends_per_second_per_number
    wait = store.take_send_token(message.phone_number_id, now.timestamp(), rate, burst=rate)
    if wait > 0:
        _requeue(task, wait)
        return f"paced: {wait:.2f} s"
    if not store.claim_for_sending(business_id, message_id, now, SEND_CLAIM_TIMEOUT):
        return "another sender has it"
    customer = store.get_customer(business_id, message.customer_id)
    recipient = Recipient(customer.wa_id if customer else None, customer.user_id if customer else None)
    try:
        wamid = get_provider().send(message.phone_number_id, recipient, json.loads(message.content))
    except ProviderError as error:
        return _send_failed(task, message, error, now)
    store.mark_submitted(business_id, message_id, wamid, now)
    return f"submitted as {wamid}"


def _send_failed(task: dict[str, Any], message: MessageRecord, error: ProviderError, now: datetime) -> str:
    attempt = int(task.get("attempt", 0)) + 1
    if error.retryable and attempt < MAX_SEND_ATTEMPTS:
        store.release_claim(message.business_id, message.message_id)
        _requeue(task, min(2**attempt, 900), attempt)
        return f"provider busy ({error.code}); retry {attempt}"
    errors = [{"code": error.code, "title": error.message, **error.details}]
    store.apply_status(message.business_id, message.message_id, "failed", STATUS_RANK["failed"], now, errors)
    data = {
        "message_id": message.message_id,
        "customer_id": message.customer_id,
        "status": "failed",
        "at": now.isoformat(),
        "errors": errors,
    }
    create_deliveries([NewDelivery(message.business_id, "message.status", f"{message.message_id}#failed", data)])
    return f"failed: {error}"
