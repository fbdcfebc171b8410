"""The local platform's provider: Meta's accounts and numbers, and sends answered with statuses like Meta.

It knows WhatsApp Business Accounts (`SANDBOX_ACCOUNTS`: the demo bakery's, a second one for the
tests, and any a test registers), each with its access token and phone numbers, and answers
`phone_numbers` and `subscribe` as the Graph API would: only for the account's own token. A send
needs the token of the account that holds the number. The statuses go back through the real
webhook path, as a Meta envelope signed with the app secret, so the whole round trip is the one
that runs in AWS. Templates submitted to it are approved after `template_review_seconds`, through
the same signed webhook (`message_template_status_update`), as Meta's review would. It lives
beside the local platform, never in the deployed layer: a stack cannot be configured to use it.
"""

import logging
import secrets
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from bizline.models.whatsapp_accounts import MetaPhoneNumber
from bizline.rules.providers import ProviderError, Recipient, SubmittedTemplate

from local.demo import (
    DEMO_DISPLAY_NUMBER,
    DEMO_PHONE_NUMBER_ID,
    DEMO_SECOND_DISPLAY_NUMBER,
    DEMO_SECOND_PHONE_NUMBER_ID,
    DEMO_WABA_ACCESS_TOKEN,
    DEMO_WABA_ID,
    OTHER_WABA_ACCESS_TOKEN,
    OTHER_WABA_ID,
)
from local.meta_envelopes import change, envelope, signed_body, status

log = logging.getLogger("bizline.local.sandbox")


@dataclass
class SandboxAccount:
    """A WhatsApp Business Account as Meta keeps it: who may speak for it, and its numbers."""

    waba_id: str
    access_token: str
    numbers: list[MetaPhoneNumber]
    subscribed: bool = False
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class SandboxAccounts:
    """Every account the sandbox knows, by WABA id."""

    accounts: dict[str, SandboxAccount] = field(default_factory=dict)

    def register(self, waba_id: str, access_token: str, numbers: list[MetaPhoneNumber]) -> SandboxAccount:
        """Know (or replace) an account; returns it."""
        account = SandboxAccount(waba_id, access_token, list(numbers))
        self.accounts[waba_id] = account
        return account

    def holding(self, phone_number_id: str) -> list[SandboxAccount]:
        return [
            account
            for account in self.accounts.values()
            if any(number.phone_number_id == phone_number_id for number in account.numbers)
        ]


def _invalid_token() -> ProviderError:
    return ProviderError("Invalid OAuth access token - Cannot parse access token", retryable=False, code=190)


def _no_such_object(object_id: str) -> ProviderError:
    return ProviderError(
        f"Unsupported request - Object with ID '{object_id}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation",
        retryable=False,
        code=100,
    )


def sandbox_pricing(content: dict[str, Any]) -> dict[str, Any]:
    """The `pricing` Meta reports on a send's statuses: a reply in the service window is free service;
    the sandbox prices a template as utility (at Meta, the template's approved category decides)."""
    if content.get("type") == "template":
        return {"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"}
    return {"billable": False, "pricing_model": "PMP", "category": "service", "type": "free_customer_service"}


def _default_accounts() -> SandboxAccounts:
    known = SandboxAccounts()
    known.register(
        DEMO_WABA_ID,
        DEMO_WABA_ACCESS_TOKEN,
        [
            MetaPhoneNumber(DEMO_PHONE_NUMBER_ID, DEMO_DISPLAY_NUMBER, "Bäckerei Demo", "GREEN"),
            MetaPhoneNumber(DEMO_SECOND_PHONE_NUMBER_ID, DEMO_SECOND_DISPLAY_NUMBER, "Bäckerei Demo", "GREEN"),
        ],
    )
    known.register(
        OTHER_WABA_ID,
        OTHER_WABA_ACCESS_TOKEN,
        [MetaPhoneNumber("100000000000002", "+43 1 5550200", "Konditorei Probe", "GREEN")],
    )
    return known


# Shared by every sandbox in the process, so a test's accounts outlive the sandbox that is installed.
SANDBOX_ACCOUNTS = _default_accounts()


class SandboxProvider:
    """Keeps what it was asked to send in `sent`; with a webhook URL, reports sent, delivered and read."""

    def __init__(
        self,
        webhook_url: str | None = None,
        app_secret: str = "",
        status_delay_seconds: float = 0.3,
        accounts: SandboxAccounts | None = None,
        template_review_seconds: float = 1.0,
    ):
        self.accounts = accounts or SANDBOX_ACCOUNTS
        self.webhook_url = webhook_url
        self.app_secret = app_secret
        self.status_delay_seconds = status_delay_seconds
        self.template_review_seconds = template_review_seconds
        # Templates whose review the sandbox keeps to itself (a test decides their fate by webhook).
        self.hold_reviews = False
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def _account(self, waba_id: str, access_token: str) -> SandboxAccount:
        account = self.accounts.accounts.get(waba_id)
        if account is None:
            raise _no_such_object(waba_id)
        # As bytes: compare_digest refuses str with non-ASCII characters, and Meta answers any token.
        if not secrets.compare_digest(account.access_token.encode(), access_token.encode()):
            raise _invalid_token()
        return account

    def phone_numbers(self, waba_id: str, access_token: str) -> list[MetaPhoneNumber]:
        """GET /{waba-id}/phone_numbers: the account's numbers, for its own token only."""
        return list(self._account(waba_id, access_token).numbers)

    def subscribe(self, waba_id: str, access_token: str) -> None:
        """POST /{waba-id}/subscribed_apps."""
        self._account(waba_id, access_token).subscribed = True

    def create_template(self, waba_id: str, definition: dict[str, Any], access_token: str) -> SubmittedTemplate:
        """POST /{waba-id}/message_templates: PENDING now, APPROVED by webhook after the review time."""
        account = self._account(waba_id, access_token)
        same = [
            t
            for t in account.templates.values()
            if (t["name"], t["language"]) == (definition["name"], definition["language"])
        ]
        if same:
            raise ProviderError(
                "Message template already exists with this name and language",
                retryable=False,
                code=100,
                details={"error_subcode": 2388024},
            )
        template_id = str(7_000_000_000_000 + secrets.randbelow(10**12))
        with self._lock:
            account.templates[template_id] = {**definition, "id": template_id, "status": "PENDING"}
        if self.webhook_url and not self.hold_reviews:
            threading.Thread(target=self._approve, args=(waba_id, template_id), daemon=True).start()
        return SubmittedTemplate(template_id, "PENDING", str(definition.get("category", "")).upper() or None)

    def delete_template(self, waba_id: str, name: str, template_id: str, access_token: str) -> None:
        """DELETE /{waba-id}/message_templates?name=...&hsm_id=..."""
        account = self._account(waba_id, access_token)
        with self._lock:
            if account.templates.get(template_id, {}).get("name") != name:
                raise _no_such_object(template_id)
            del account.templates[template_id]

    def template_event(self, waba_id: str, template_id: str, event: str, reason: str = "NONE") -> None:
        """Tell bizline, as Meta would, that a template changed state (APPROVED, REJECTED, PAUSED, ...)."""
        template = self.accounts.accounts[waba_id].templates[template_id]
        template["status"] = event
        value = {
            "event": event,
            "message_template_id": int(template_id),
            "message_template_name": template["name"],
            "message_template_language": template["language"],
            "reason": reason,
        }
        payload = envelope({"field": "message_template_status_update", "value": value}, waba_id=waba_id)
        payload["entry"][0]["time"] = int(time.time())
        self._post(payload)

    def _approve(self, waba_id: str, template_id: str) -> None:
        time.sleep(self.template_review_seconds)
        if template_id in self.accounts.accounts[waba_id].templates:
            self.template_event(waba_id, template_id, "APPROVED")

    def _post(self, payload: dict[str, Any]) -> None:
        body, headers = signed_body(payload, self.app_secret)
        request = urllib.request.Request(self.webhook_url, data=body, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the local platform's own webhook
                pass
        except OSError:
            log.exception("sandbox: the webhook did not take a notification")

    def send(self, phone_number_id: str, recipient: Recipient, content: dict[str, Any], access_token: str) -> str:
        holders = self.accounts.holding(phone_number_id)
        if not holders:
            raise _no_such_object(phone_number_id)
        if not any(secrets.compare_digest(account.access_token.encode(), access_token.encode()) for account in holders):
            raise _invalid_token()
        wamid = f"wamid.sandbox.{secrets.token_hex(12)}"
        with self._lock:
            self.sent.append({"wamid": wamid, "phone_number_id": phone_number_id, "to": recipient, "content": content})
        if self.webhook_url:
            # Like Meta, answer first and report statuses a moment later.
            pricing = sandbox_pricing(content)
            callback_data = content.get("biz_opaque_callback_data")
            threading.Thread(
                target=self._feed_statuses,
                args=(phone_number_id, wamid, recipient, pricing, callback_data),
                daemon=True,
            ).start()
        return wamid

    def _feed_statuses(
        self,
        phone_number_id: str,
        wamid: str,
        recipient: Recipient,
        pricing: dict[str, Any] | None = None,
        callback_data: str | None = None,
    ) -> None:
        for state in ("sent", "delivered", "read"):
            time.sleep(self.status_delay_seconds)
            priced = pricing if state in {"sent", "delivered"} else None
            item = status(
                wamid,
                state,
                int(time.time()),
                recipient.wa_id,
                recipient.user_id,
                pricing=priced,
                callback_data=callback_data,
            )
            self._post(envelope(change(phone_number_id, statuses=[item]), waba_id="sandbox"))
