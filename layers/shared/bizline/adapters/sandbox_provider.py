"""The local platform's provider: records each message and answers with statuses like Meta.

The statuses go back through the real webhook path (`SANDBOX_WEBHOOK_URL`), as a Meta envelope
signed with the app secret, so the whole round trip is the one that runs in AWS.
"""

import json
import secrets
import threading
import time
import urllib.request
from typing import Any

from bizline.adapters.meta_secret import meta_credentials
from bizline.domain.providers import Recipient
from bizline.domain.signatures import meta_signature
from bizline.observability import logger
from bizline.settings import get_settings

SENT: list[dict[str, Any]] = []
_lock = threading.Lock()


def status_envelope(phone_number_id: str, wamid: str, status: str, recipient: Recipient) -> dict[str, Any]:
    status_item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(time.time()))}
    if recipient.wa_id:
        status_item["recipient_id"] = recipient.wa_id
    if recipient.user_id:
        status_item["recipient_user_id"] = recipient.user_id
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "sandbox",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "", "phone_number_id": phone_number_id},
                            "statuses": [status_item],
                        },
                    }
                ],
            }
        ],
    }


def post_signed(url: str, envelope: dict[str, Any]) -> int:
    body = json.dumps(envelope).encode()
    request = urllib.request.Request(  # noqa: S310 - the local platform's own webhook URL
        url,
        data=body,
        method="POST",
        headers={
            "content-type": "application/json",
            "x-hub-signature-256": meta_signature(body, meta_credentials().app_secret),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


class SandboxProvider:
    def send(self, phone_number_id: str, recipient: Recipient, content: dict[str, Any]) -> str:
        wamid = f"wamid.sandbox.{secrets.token_hex(12)}"
        with _lock:
            SENT.append({"wamid": wamid, "phone_number_id": phone_number_id, "to": recipient, "content": content})
        url = get_settings().sandbox_webhook_url
        if url:
            # Like Meta, answer first and report statuses a moment later.
            threading.Thread(target=_feed_statuses, args=(url, phone_number_id, wamid, recipient), daemon=True).start()
        else:
            logger.info("sandbox: no SANDBOX_WEBHOOK_URL, so no statuses are fed back")
        return wamid


def _feed_statuses(url: str, phone_number_id: str, wamid: str, recipient: Recipient) -> None:
    for status in ("sent", "delivered", "read"):
        time.sleep(0.3)
        try:
            post_signed(url, status_envelope(phone_number_id, wamid, status, recipient))
        except OSError:
            logger.exception("sandbox: the webhook did not take a status")
