"""What sending a message means, whatever carries it: recipients, the request body, which errors pass."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from bizline.models.whatsapp_accounts import MetaPhoneNumber

# Meta error codes that mean "not now" rather than "never": throughput and rate limits, and
# Meta's own temporary failures.
RETRYABLE_META_CODES = frozenset({1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056})


@dataclass
class ProviderError(Exception):
    """A send the provider refused; `retryable` tells a passing error from a final one."""

    message: str
    retryable: bool
    code: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Recipient:
    """Whom a message goes to: the phone-based wa_id, else the business-scoped user_id."""

    wa_id: str | None
    user_id: str | None


class MessagingProvider(Protocol):
    """Whatever speaks for a business to Meta: the Graph API, or the local platform's sandbox.

    Every call carries the business's own access token for its WhatsApp Business Account.
    """

    def send(self, phone_number_id: str, recipient: Recipient, content: dict[str, Any], access_token: str) -> str:
        """Send one message; returns Meta's message id (wamid) or raises ProviderError."""
        ...

    def phone_numbers(self, waba_id: str, access_token: str) -> list[MetaPhoneNumber]:
        """The account's phone numbers as Meta reports them; ProviderError when the token cannot see the account."""
        ...

    def subscribe(self, waba_id: str, access_token: str) -> None:
        """Subscribe the app to the account's webhooks; ProviderError when Meta refuses."""
        ...

    def create_template(self, waba_id: str, definition: dict[str, Any], access_token: str) -> "SubmittedTemplate":
        """Submit a message template for review; ProviderError when Meta refuses it."""
        ...

    def delete_template(self, waba_id: str, name: str, template_id: str, access_token: str) -> None:
        """Delete one template (by name and id) from the account; ProviderError when Meta refuses."""
        ...


@dataclass(frozen=True)
class SubmittedTemplate:
    """Meta's answer to a template submission: its id, state (PENDING, or APPROVED at once) and category."""

    template_id: str
    status: str
    category: str | None


def submitted_template(payload: dict[str, Any]) -> SubmittedTemplate:
    """The answer of `POST /{waba-id}/message_templates`: `{"id": ..., "status": ..., "category": ...}`."""
    if not payload.get("id"):
        raise ProviderError("Graph API answered without a template id", retryable=False, details=payload)
    return SubmittedTemplate(
        template_id=str(payload["id"]),
        status=str(payload.get("status") or "PENDING").upper(),
        category=str(payload["category"]).upper() if payload.get("category") else None,
    )


def phone_numbers_from_graph(payload: dict[str, Any]) -> list[MetaPhoneNumber]:
    """The numbers of a `GET /{waba-id}/phone_numbers` answer; entries without an id or a display number are skipped."""
    numbers = []
    for entry in payload.get("data") or []:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("display_phone_number"):
            continue
        numbers.append(
            MetaPhoneNumber(
                phone_number_id=str(entry["id"]),
                display_phone_number=str(entry["display_phone_number"]),
                verified_name=str(entry.get("verified_name") or ""),
                quality_rating=entry.get("quality_rating"),
            )
        )
    return numbers


def next_page(payload: dict[str, Any]) -> str | None:
    """The `after` cursor of a Graph API page when there is a next page."""
    paging = payload.get("paging") or {}
    if not paging.get("next"):
        return None
    return (paging.get("cursors") or {}).get("after")


# Meta hands a send's `biz_opaque_callback_data` back with each of its statuses: bizline puts its own
# message id there, so a status finds its message by key, and a sender need not write the wamid first.
CALLBACK_DATA_PREFIX = "bizline:"


def with_callback_data(content: dict[str, Any], message_id: str) -> dict[str, Any]:
    """The content to send, asking Meta to name bizline's message id in each status of it."""
    return {**content, "biz_opaque_callback_data": CALLBACK_DATA_PREFIX + message_id}


def message_id_of(callback_data: str | None) -> str | None:
    """bizline's message id a status names in its callback data; None for a send of anyone else."""
    if callback_data and callback_data.startswith(CALLBACK_DATA_PREFIX):
        return callback_data.removeprefix(CALLBACK_DATA_PREFIX) or None
    return None


def graph_api_body(recipient: Recipient, content: dict[str, Any]) -> dict[str, Any]:
    """The Cloud API request body: `to` takes the phone-based id, `recipient` the business-scoped one."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", **content}
    if recipient.wa_id:
        body["to"] = recipient.wa_id
    else:
        body["recipient"] = recipient.user_id
    return body


def classify_graph_error(http_status: int, payload: dict[str, Any] | None) -> ProviderError:
    """A Graph API error answer as a ProviderError: server errors, 429 and Meta's throttling codes pass."""
    error = (payload or {}).get("error") or {}
    code = error.get("code")
    retryable = http_status >= 500 or http_status == 429 or code in RETRYABLE_META_CODES
    return ProviderError(
        message=str(error.get("message") or f"Graph API answered {http_status}"),
        retryable=retryable,
        code=code,
        details={key: error[key] for key in ("type", "error_subcode", "error_data", "fbtrace_id") if key in error},
    )
