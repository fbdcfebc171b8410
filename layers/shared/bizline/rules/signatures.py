"""Signatures on both sides of bizline: Meta's on inbound webhooks, Standard Webhooks' on callbacks."""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from bizline.models.businesses import CallbackSettings

META_SIGNATURE_PREFIX = "sha256="
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def meta_signature(raw_body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends: HMAC-SHA256 of the exact body with the app secret."""
    digest = hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()
    return META_SIGNATURE_PREFIX + digest


def meta_signature_valid(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether the `X-Hub-Signature-256` header signs these exact bytes with the app secret."""
    if not header or not app_secret or not header.startswith(META_SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(header.strip().lower().encode(), meta_signature(raw_body, app_secret).encode())


def new_webhook_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and base64 of 32 random bytes."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX))


def standard_webhook_signature(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    signed = f"{webhook_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()).decode()


def standard_webhook_headers(secrets_in_force: list[str], webhook_id: str, timestamp: int, body: str) -> dict[str, str]:
    """Headers of one delivery attempt; during a rotation both secrets sign, space-separated."""
    signatures = " ".join(
        standard_webhook_signature(secret, webhook_id, timestamp, body) for secret in secrets_in_force
    )
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }


def secrets_in_force(settings: CallbackSettings, now: datetime) -> list[str]:
    """The secrets that sign a callback now: the current one, and the previous one until it expires."""
    in_force = [settings.webhook_secret] if settings.webhook_secret else []
    expires = settings.previous_webhook_secret_expires_at
    if settings.previous_webhook_secret and expires and expires > now:
        in_force.append(settings.previous_webhook_secret)
    return in_force
