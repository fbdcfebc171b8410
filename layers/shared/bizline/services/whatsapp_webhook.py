"""Meta's webhook: the subscription handshake, and notifications verified and handed on in one write.

Nothing is written before the signature checks out. A signed envelope of Meta's shape is put on
the ingest queue as it came (one SendMessage) and acknowledged; everything else (routing, storing
by wamid, callbacks, statuses, changes, unreadable items kept with their reason) is the ingest
consumer's (services.whatsapp_ingest), per batch. Meta wants a fast 200, and a retry of the
whole envelope costs one queue message, not a burst of writes. An envelope larger than a queue
message is split by entry and change (rules.ingest_parts) and sent in batches of ten.
"""

import hmac
import json
import re

from pydantic import ValidationError

from bizline.adapters import queues
from bizline.adapters.meta_secret import meta_credentials
from bizline.errors import BadRequest, BizlineError, PayloadTooLarge, Unauthorized
from bizline.models.whatsapp import WebhookEnvelope
from bizline.rules.ingest_parts import EnvelopeTooLarge, batches, queue_bodies
from bizline.rules.signatures import meta_signature_valid
from bizline.settings import get_settings

# Characters a JSON text may hold raw that SQS refuses in a message body.
_NOT_FOR_SQS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


def _envelope(raw_body: bytes) -> tuple[str, dict]:
    try:
        text = raw_body.decode("utf-8")
        parsed = json.loads(text)
        WebhookEnvelope.model_validate(parsed)
    except (ValueError, ValidationError) as error:
        raise BadRequest("The notification is not a WhatsApp webhook payload.", code="malformed_payload") from error
    if _NOT_FOR_SQS.search(text):
        text = json.dumps(parsed)  # escaped, the same JSON value
    return text, parsed


def receive_notification(raw_body: bytes, signature: str | None) -> int:
    """Verify one notification and hand it to the ingest queue; how many queue messages carry it."""
    if not meta_signature_valid(raw_body, signature, meta_credentials().app_secret):
        raise Unauthorized("The X-Hub-Signature-256 signature does not match.", code="invalid_signature")
    text, parsed = _envelope(raw_body)
    try:
        bodies = queue_bodies(text, parsed)
    except EnvelopeTooLarge as error:
        raise PayloadTooLarge(f"The notification cannot be queued: {error}.") from error
    queue_url = get_settings().ingest_queue_url
    if len(bodies) == 1:
        queues.send_body(queue_url, bodies[0])
    else:
        queues.send_bodies(queue_url, batches(bodies))
    return len(bodies)
