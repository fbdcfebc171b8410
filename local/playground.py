"""Local-only routes that let a person play customer and watch a business's callbacks arrive.

- POST /local/customer-messages  {"text": "...", "wa_id"?: "...", "user_id"?: "...", "name"?: "...",
  "phone_number_id"?: "..."} sends a customer message into the real webhook path, signed like Meta,
  and answers once the ingest consumer stored it (`messages_stored`: 1), or after 10 seconds (0).
- POST /local/callbacks/{business_id}  a callback receiver: verifies the Standard Webhooks signature
  with the business's secret, as a business's server would, and keeps what arrived.
- GET  /local/callbacks  what arrived, newest last, with whether each signature verified;
  `?wait_for=<type>` answers once a callback of that type arrived (or after 30 seconds), so a
  walk-through need not guess how long delivery takes.

None of this exists in AWS: the template does not declare it.
"""

import json
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from local.demo import DEMO_CUSTOMER_WA_ID, DEMO_META_APP_SECRET, DEMO_PHONE_NUMBER_ID
from local.meta_envelopes import change, contact, envelope, signed_body, text_message

Reply = tuple[int, dict[str, Any]]

CALLBACK_WAIT_SECONDS = 30.0


def customer_envelope(
    text: str, phone_number_id: str, wa_id: str | None, user_id: str | None, name: str
) -> dict[str, Any]:
    """A Meta notification carrying one text message from a customer, as the webhook receives it."""
    message = text_message(f"wamid.local.{secrets.token_hex(10)}", text, wa_id, user_id, timestamp=int(time.time()))
    return envelope(
        change(phone_number_id, messages=[message], contacts=[contact(wa_id, user_id, name)]), waba_id="local-waba"
    )


def _stored_soon(wamid: str, timeout: float = 10.0) -> bool:
    """Whether the message is stored within `timeout`: the webhook only queues it, the ingest consumer stores it."""
    from bizline.adapters.messages_store import find_message_by_wamid

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if find_message_by_wamid(wamid) is not None:
            return True
        time.sleep(0.1)
    return False


class Playground:
    def __init__(self, post_to_gateway: Callable[[str, dict[str, str], bytes], tuple[int, bytes]]):
        self.post_to_gateway = post_to_gateway
        self.callbacks: list[dict[str, Any]] = []
        self._lock = threading.Condition()

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes, query: str = "") -> Reply | None:
        if method == "POST" and path == "/local/customer-messages":
            return self._customer_message(body)
        if method == "POST" and path.startswith("/local/callbacks/"):
            return self._callback(path.removeprefix("/local/callbacks/"), headers, body)
        if method == "GET" and path == "/local/callbacks":
            return self._callbacks(parse_qs(query).get("wait_for", [""])[0])
        return None

    def _callbacks(self, wait_for: str) -> Reply:
        deadline = time.monotonic() + CALLBACK_WAIT_SECONDS
        with self._lock:
            while wait_for and not any(callback["event"].get("type") == wait_for for callback in self.callbacks):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._lock.wait(remaining)
            return 200, {"items": list(self.callbacks)}

    def _customer_message(self, body: bytes) -> Reply:
        try:
            request = json.loads(body or b"{}")
            text = str(request["text"])
        except (ValueError, KeyError, TypeError):
            return 400, {"error": {"code": "bad_request", "message": 'Send {"text": "..."}.', "details": []}}
        user_id = request.get("user_id")
        wa_id = request.get("wa_id", None if user_id else DEMO_CUSTOMER_WA_ID)
        notification = customer_envelope(
            text, request.get("phone_number_id", DEMO_PHONE_NUMBER_ID), wa_id, user_id, request.get("name", "Anna")
        )
        raw, headers = signed_body(notification, DEMO_META_APP_SECRET)
        status, answer = self.post_to_gateway("/webhooks/whatsapp", headers, raw)
        wamid = notification["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        stored = status == 200 and _stored_soon(wamid)
        return status, {"wamid": wamid, "webhook": json.loads(answer or b"{}"), "messages_stored": int(stored)}

    def _callback(self, business_id: str, headers: dict[str, str], body: bytes) -> Reply:
        from bizline.adapters.accounts_store import get_callback_settings
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        settings = get_callback_settings(business_id)
        secrets_to_try = (
            [s for s in (settings.webhook_secret, settings.previous_webhook_secret) if s] if settings else []
        )
        text = body.decode("utf-8", errors="replace")
        verified = False
        for secret in secrets_to_try:
            try:
                Webhook(secret).verify(text, {name.lower(): value for name, value in headers.items()})
            except WebhookVerificationError:
                continue
            verified = True
            break
        event = json.loads(text) if text.startswith("{") else {"raw": text}
        with self._lock:
            self.callbacks.append(
                {
                    "business_id": business_id,
                    "verified": verified,
                    "webhook_id": headers.get("webhook-id"),
                    "event": event,
                }
            )
            self._lock.notify_all()
        return (204, {}) if verified else (401, {"error": {"code": "bad_signature", "message": "not verified"}})
