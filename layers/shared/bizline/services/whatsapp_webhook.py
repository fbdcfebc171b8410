"""Meta's webhook: the subscription handshake, and notifications verified, stored and queued.

Nothing is written before the signature checks out. After that, every signed notification is
acknowledged: each message, status and change is read on its own, and one that cannot be read is
kept whole with the reason while its neighbours are handled as usual (Meta retries a 5xx for days,
and a retry would fail the same way). Messages are stored under their wamid, so Meta's repeated
deliveries store one message and queue one callback; statuses go to a queue, because a status can
arrive before the send that produced it has recorded its wamid. Other changes are recorded per
business and sent as `whatsapp.<field>` callbacks (see services.whatsapp_changes).
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
from bizline.rules.envelope import EnvelopeReading, StatusUpdate, read_envelope
from bizline.rules.signatures import meta_signature_valid
from bizline.services.customer_messages import receive_customer_message
from bizline.services.deliveries import NewDelivery, create_deliveries
from bizline.services.message_revisions import apply_number_change, apply_revision
from bizline.services.phone_numbers import owner_of
from bizline.services.whatsapp_changes import keep_unreadable, keep_unrouted_change, owners_of_change, record_change
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
    """What one notification did: messages stored and repeated, statuses queued, events nobody owns,
    other changes recorded, earlier messages and customers updated, and items kept as unreadable."""

    messages_stored: int = 0
    duplicates: int = 0
    statuses_queued: int = 0
    unrouted: int = 0
    changes_recorded: int = 0
    messages_updated: int = 0
    unreadable: int = 0


def _envelope(raw_body: bytes) -> WebhookEnvelope:
    try:
        return WebhookEnvelope.model_validate(json.loads(raw_body))
    except (ValueError, ValidationError) as error:
        raise BadRequest("The notification is not a WhatsApp webhook payload.", code="malformed_payload") from error


def receive_notification(raw_body: bytes, signature: str | None, now: datetime | None = None) -> WebhookReceipt:
    """Verify, read and act on one notification: store its messages, queue its statuses, record its changes."""
    if not meta_signature_valid(raw_body, signature, meta_credentials().app_secret):
        raise Unauthorized("The X-Hub-Signature-256 signature does not match.", code="invalid_signature")
    envelope = _envelope(raw_body)
    now = now or utc_now()
    reading = read_envelope(envelope.entry, now)
    receipt = WebhookReceipt()
    owner = cache(owner_of)  # one lookup per number of this notification
    deliveries: list[NewDelivery] = []
    # A number change first, so a message from the new number finds the customer it moved;
    # messages before edits and revocations, so a revision finds an original of the same batch.
    _updates(reading.number_changes, apply_number_change, owner, receipt, deliveries, now)
    _messages(reading, owner, receipt, deliveries, now)
    _updates(reading.revisions, apply_revision, owner, receipt, deliveries, now)
    _changes(reading, receipt, deliveries, now)
    for item in reading.unreadable:
        keep_unreadable(owner(item.phone_number_id) if item.phone_number_id else None, item, now)
        receipt.unreadable += 1
    create_deliveries(deliveries, now)
    _statuses(reading, owner, receipt, now)
    return receipt


def _messages(reading: EnvelopeReading, owner, receipt: WebhookReceipt, deliveries: list, now: datetime) -> None:
    for message in reading.messages:
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


def _updates(items: list, apply, owner, receipt: WebhookReceipt, deliveries: list, now: datetime) -> None:
    for item in items:
        business_id = owner(item.phone_number_id)
        if business_id is None:
            _record_unrouted(item.phone_number_id, f"message#{item.wamid}", item.raw, now)
            receipt.unrouted += 1
            continue
        delivery, is_new = apply(business_id, item, now)
        if delivery is not None:
            deliveries.append(delivery)
        if is_new:
            receipt.messages_updated += 1
        elif delivery is not None:
            receipt.duplicates += 1


def _changes(reading: EnvelopeReading, receipt: WebhookReceipt, deliveries: list, now: datetime) -> None:
    for change in reading.changes:
        owners = owners_of_change(change)
        if not owners:
            keep_unrouted_change(change, now)
            receipt.unrouted += 1
            continue
        for business_id in owners:
            delivery, is_new = record_change(business_id, change, now)
            deliveries.append(delivery)
            if is_new:
                receipt.changes_recorded += 1
            else:
                receipt.duplicates += 1


def _statuses(reading: EnvelopeReading, owner, receipt: WebhookReceipt, now: datetime) -> None:
    status_tasks = []
    for status in reading.statuses:
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


def _status_payload(status: StatusUpdate) -> dict[str, Any]:
    return {
        "phone_number_id": status.phone_number_id,
        "wamid": status.wamid,
        "status": status.status,
        "at": to_iso(status.at),
        "errors": status.errors,
        "recipient": {"wa_id": status.recipient.wa_id, "user_id": status.recipient.user_id},
        "pricing": status.pricing,
    }


def _record_unrouted(phone_number_id: str, event_key: str, payload: dict[str, Any], now: datetime) -> None:
    logger.warning("webhook for a phone number no business owns", extra={"phone_number_id": phone_number_id})
    unrouted_webhooks_store.record_unrouted(phone_number_id, event_key, None, payload, now)
