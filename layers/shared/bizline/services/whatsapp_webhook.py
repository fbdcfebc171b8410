"""Meta's webhook: the subscription handshake, and notifications verified, stored and queued.

Nothing is written before the signature checks out. Messages are stored under their wamid, so
Meta's repeated deliveries store one message and queue one callback; statuses go to a queue,
because a status can arrive before the send that produced it has recorded its wamid.
"""

import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import ValidationError

from bizline.adapters import queues, unrouted_webhooks_store
from bizline.adapters.meta_secret import meta_credentials
from bizline.clock import to_iso, utc_now
from bizline.errors import BadRequest, BizlineError, Unauthorized
from bizline.models.tasks import StatusTask
from bizline.models.whatsapp import WebhookEnvelope
from bizline.observability import logger
from bizline.rules.envelope import StatusUpdate, read_envelope
from bizline.rules.signatures import meta_signature_valid
from bizline.services.customer_messages import receive_customer_message
from bizline.services.deliveries import create_deliveries
from bizline.services.phone_numbers import owner_of
from bizline.settings import get_settings


class Forbidden(BizlineError):
    """The handshake's verify token does not match (403)."""

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
    """What one notification did: messages stored and repeated, statuses queued, events nobody owns."""

    messages_stored: int = 0
    duplicates: int = 0
    statuses_queued: int = 0
    unrouted: int = 0


def receive_notification(raw_body: bytes, signature: str | None, now: datetime | None = None) -> WebhookReceipt:
    """Verify, read and act on one notification: store its messages, queue its statuses, keep the unrouted."""
    if not meta_signature_valid(raw_body, signature, meta_credentials().app_secret):
        raise Unauthorized("The X-Hub-Signature-256 signature does not match.", code="invalid_signature")
    try:
        envelope = WebhookEnvelope.model_validate(json.loads(raw_body))
    except (ValueError, ValidationError) as error:
        raise BadRequest("The notification is not a WhatsApp webhook payload.", code="malformed_payload") from error
    now = now or utc_now()
    messages, statuses = read_envelope(envelope)
    receipt = WebhookReceipt()
    owner = cache(owner_of)  # one lookup per number of this notification

    deliveries = []
    for message in messages:
        business_id = owner(message.phone_number_id)
        if business_id is None:
            _record_unrouted(message.phone_number_id, f"message#{message.wamid}", message.content, now)
            receipt.unrouted += 1
            continue
        delivery, is_new = receive_customer_message(business_id, message, now)
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
                status.phone_number_id, f"status#{status.wamid}#{status.status}", _status_payload(status), now
            )
            receipt.unrouted += 1
            continue
        status_tasks.append(StatusTask.model_validate({"business_id": business_id, **_status_payload(status)}))
    if status_tasks:
        queues.send_tasks(get_settings().status_queue_url, status_tasks)
        receipt.statuses_queued = len(status_tasks)
    return receipt


def _status_payload(status: StatusUpdate) -> dict[str, Any]:
    return {
        "phone_number_id": status.phone_number_id,
        "wamid": status.wamid,
        "status": status.status,
        "at": to_iso(status.at),
        "errors": status.errors,
        "recipient": {"wa_id": status.recipient.wa_id, "user_id": status.recipient.user_id},
    }


def _record_unrouted(phone_number_id: str, event_key: str, payload: dict[str, Any], now: datetime) -> None:
    logger.warning("webhook for a phone number no business owns", extra={"phone_number_id": phone_number_id})
    unrouted_webhooks_store.record_unrouted(phone_number_id, event_key, None, payload, now)
