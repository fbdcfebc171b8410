"""Meta's webhook: the subscription handshake, and notifications verified, stored and queued.

Nothing is written before the signature checks out. Messages are stored under their wamid, so
Meta's repeated deliveries store one message and queue one callback; statuses go to a queue,
because a status can arrive before the send that produced it has recorded its wamid.
"""

import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from bizline.adapters import messaging_store as store
from bizline.adapters import queues
from bizline.adapters.meta_secret import meta_credentials
from bizline.adapters.tables import MessageRecord
from bizline.errors import BadRequest, BizlineError, Unauthorized
from bizline.models.whatsapp import WebhookEnvelope
from bizline.observability import logger, mask_phone
from bizline.rules.envelope import CustomerMessage, StatusUpdate, preview, read_envelope
from bizline.rules.signatures import meta_signature_valid
from bizline.services.conversations import message_model
from bizline.services.deliveries import NewDelivery, create_deliveries
from bizline.settings import get_settings

SERVICE = "service"  # billing category of customer-initiated traffic


class Forbidden(BizlineError):
    status_code = 403
    code = "forbidden"


def verify_subscription(mode: str | None, token: str | None, challenge: str | None) -> str:
    """GET handshake: echo the challenge when Meta presents our verify token."""
    expected = meta_credentials().verify_token
    if mode != "subscribe" or not token or not expected or not hmac.compare_digest(token, expected) or not challenge:
        raise Forbidden("The verify token does not match.")
    return challenge


@dataclass
class WebhookReceipt:
    messages_stored: int = 0
    duplicates: int = 0
    statuses_queued: int = 0
    unrouted: int = 0


def receive_notification(raw_body: bytes, signature: str | None, now: datetime | None = None) -> WebhookReceipt:
    if not meta_signature_valid(raw_body, signature, meta_credentials().app_secret):
        raise Unauthorized("The X-Hub-Signature-256 signature does not match.", code="invalid_signature")
    try:
        envelope = WebhookEnvelope.model_validate(json.loads(raw_body))
    except (ValueError, ValidationError) as error:
        raise BadRequest("The notification is not a WhatsApp webhook payload.", code="malformed_payload") from error
    now = now or datetime.now(UTC)
    messages, statuses = read_envelope(envelope)
    receipt = WebhookReceipt()
    owners: dict[str, str | None] = {}

    def owner(phone_number_id: str) -> str | None:
        if phone_number_id not in owners:
            record = store.get_phone_number(phone_number_id)
            owners[phone_number_id] = record.business_id if record else None
        return owners[phone_number_id]

    deliveries = []
    for message in messages:
        business_id = owner(message.phone_number_id)
        if business_id is None:
            _record_unrouted(message.phone_number_id, f"message#{message.wamid}", message.content, now)
            receipt.unrouted += 1
            continue
        delivery, is_new = _store_customer_message(business_id, message, now)
        if is_new:
            receipt.messages_stored += 1
        else:
            receipt.duplicates += 1
        # A repeat still ensures its delivery: an earlier try may have stored but never queued it.
        deliveries.append(delivery)
    create_deliveries(deliveries, now)
    status_tasks = []
    for status in statuses:
        business_id = owner(status.phone_number_id)
        if business_id is None:
            _record_unrouted(
                status.phone_number_id, f"status#{status.wamid}#{status.status}", _status_json(status), now
            )
            receipt.unrouted += 1
            continue
        status_tasks.append({"business_id": business_id, **_status_json(status)})
    if status_tasks:
        queues.send_tasks(get_settings().status_queue_url, status_tasks)
        receipt.statuses_queued = len(status_tasks)
    return receipt


def _status_json(status: StatusUpdate) -> dict[str, Any]:
    return {
        "phone_number_id": status.phone_number_id,
        "wamid": status.wamid,
        "status": status.status,
        "at": status.at.isoformat(),
        "errors": status.errors,
        "recipient": {"wa_id": status.recipient.wa_id, "user_id": status.recipient.user_id},
    }


def _record_unrouted(phone_number_id: str, event_key: str, payload: dict[str, Any], now: datetime) -> None:
    logger.warning("webhook for a phone number no business owns", extra={"phone_number_id": phone_number_id})
    store.record_unrouted(phone_number_id, event_key, None, payload, now)


def _store_customer_message(business_id: str, message: CustomerMessage, now: datetime) -> tuple[NewDelivery, bool]:
    names = store.CustomerNames(
        message.customer.wa_id, message.customer.user_id, message.customer.name, message.customer.username
    )
    customer_id = store.resolve_customer(business_id, names, now)
    sent_at = message.sent_at.isoformat()
    record = MessageRecord(
        business_id=business_id,
        message_id=message.wamid,
        customer_id=customer_id,
        conversation=store.conversation_key(business_id, customer_id),
        conversation_sort=f"{sent_at}#{message.wamid}",
        direction="inbound",
        phone_number_id=message.phone_number_id,
        type=message.type,
        content=json.dumps(message.content),
        billing_category=SERVICE,
        wamid=message.wamid,
        status="received",
        status_rank=0,
        status_times={"received": now.isoformat()},
        created_at=now.isoformat(),
        sent_at=sent_at,
    )
    new = store.put_message(record)
    if new:
        store.record_activity(
            business_id, customer_id, message.sent_at, preview(message.type, message.content), "inbound"
        )
        logger.info(
            "customer message stored",
            extra={"business_id": business_id, "customer": mask_phone(message.customer.wa_id), "type": message.type},
        )
    data = {"message": message_model(record).model_dump(mode="json")}
    return NewDelivery(business_id, "message.received", message.wamid, data), new
