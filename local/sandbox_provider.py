"""The local platform's provider: records each message and answers with statuses like Meta.

The statuses go back through the real webhook path, as a Meta envelope signed with the app
secret, so the whole round trip is the one that runs in AWS. It lives beside the local platform,
never in the deployed layer: a stack cannot be configured to use it.
"""

import logging
import secrets
import threading
import time
import urllib.request
from typing import Any

from bizline.rules.providers import Recipient

from local.meta_envelopes import change, envelope, signed_body, status

log = logging.getLogger("bizline.local.sandbox")


class SandboxProvider:
    """Keeps what it was asked to send in `sent`; with a webhook URL, reports sent, delivered and read."""

    def __init__(self, webhook_url: str | None = None, app_secret: str = "", status_delay_seconds: float = 0.3):
        self.webhook_url = webhook_url
        self.app_secret = app_secret
        self.status_delay_seconds = status_delay_seconds
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def send(self, phone_number_id: str, recipient: Recipient, content: dict[str, Any]) -> str:
        wamid = f"wamid.sandbox.{secrets.token_hex(12)}"
        with self._lock:
            self.sent.append({"wamid": wamid, "phone_number_id": phone_number_id, "to": recipient, "content": content})
        if self.webhook_url:
            # Like Meta, answer first and report statuses a moment later.
            threading.Thread(target=self._feed_statuses, args=(phone_number_id, wamid, recipient), daemon=True).start()
        return wamid

    def _feed_statuses(self, phone_number_id: str, wamid: str, recipient: Recipient) -> None:
        for state in ("sent", "delivered", "read"):
            time.sleep(self.status_delay_seconds)
            item = status(wamid, state, int(time.time()), recipient.wa_id, recipient.user_id)
            body, headers = signed_body(
                envelope(change(phone_number_id, statuses=[item]), waba_id="sandbox"), self.app_secret
            )
            request = urllib.request.Request(self.webhook_url, data=body, method="POST", headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the local platform's own webhook
                    pass
            except OSError:
                log.exception("sandbox: the webhook did not take a status")
