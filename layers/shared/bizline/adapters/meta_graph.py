"""Meta's Graph API, spoken with the business's own access token.

`POST /{version}/{phone-number-id}/messages` sends; `GET /{version}/{waba-id}/phone_numbers` lists
the account's numbers; `POST /{version}/{waba-id}/subscribed_apps` subscribes the app to the
account's webhooks; `POST /{version}/{waba-id}/message_templates` submits a template and
`DELETE /{version}/{waba-id}/message_templates?name=...&hsm_id=...` deletes one.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from bizline.models.whatsapp_accounts import MetaPhoneNumber
from bizline.rules.providers import (
    ProviderError,
    Recipient,
    SubmittedTemplate,
    classify_graph_error,
    graph_api_body,
    next_page,
    phone_numbers_from_graph,
    submitted_template,
)
from bizline.settings import get_settings

_TIMEOUT_SECONDS = 10
# A WhatsApp Business Account holds a handful of numbers; a few pages bound a misbehaving answer.
_MAX_PAGES = 10


def _call(method: str, path: str, access_token: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    settings = get_settings()
    url = f"{settings.meta_graph_api_url}/{settings.meta_graph_api_version}/{path}"
    request = urllib.request.Request(  # noqa: S310 - the configured https Graph API URL
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"authorization": f"Bearer {access_token}", "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            payload = json.loads(error.read() or b"{}")
        except ValueError:
            payload = None
        raise classify_graph_error(error.code, payload) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ProviderError(f"Graph API unreachable: {error}", retryable=True) from error
    except ValueError as error:
        raise ProviderError("Graph API answered something other than JSON", retryable=True) from error
    if not isinstance(answer, dict):
        raise ProviderError("Graph API answered something other than an object", retryable=False)
    return answer


class MetaGraphProvider:
    """Speaks to Meta's WhatsApp Cloud API."""

    def send(self, phone_number_id: str, recipient: Recipient, content: dict[str, Any], access_token: str) -> str:
        """Post one message; Meta's wamid, or a ProviderError that says whether to try again."""
        answer = _call("POST", f"{phone_number_id}/messages", access_token, graph_api_body(recipient, content))
        messages = answer.get("messages") or []
        if not messages or not messages[0].get("id"):
            raise ProviderError("Graph API answered without a message id", retryable=False, details=answer)
        return messages[0]["id"]

    def phone_numbers(self, waba_id: str, access_token: str) -> list[MetaPhoneNumber]:
        """Every number of the account, page by page."""
        fields = "id,display_phone_number,verified_name,quality_rating"
        numbers: list[MetaPhoneNumber] = []
        query = {"fields": fields}
        for _ in range(_MAX_PAGES):
            answer = _call("GET", f"{waba_id}/phone_numbers?{urllib.parse.urlencode(query)}", access_token)
            numbers += phone_numbers_from_graph(answer)
            after = next_page(answer)
            if after is None:
                break
            query = {"fields": fields, "after": after}
        return numbers

    def subscribe(self, waba_id: str, access_token: str) -> None:
        """Subscribe the app to the account's webhooks; Meta answers `{"success": true}`."""
        answer = _call("POST", f"{waba_id}/subscribed_apps", access_token)
        if answer.get("success") is not True:
            raise ProviderError("Graph API did not confirm the subscription", retryable=False, details=answer)

    def create_template(self, waba_id: str, definition: dict[str, Any], access_token: str) -> SubmittedTemplate:
        """Submit a template for Meta's review."""
        return submitted_template(_call("POST", f"{waba_id}/message_templates", access_token, definition))

    def delete_template(self, waba_id: str, name: str, template_id: str, access_token: str) -> None:
        """Delete the one template with this id (its other languages stay)."""
        query = urllib.parse.urlencode({"name": name, "hsm_id": template_id})
        answer = _call("DELETE", f"{waba_id}/message_templates?{query}", access_token)
        if answer.get("success") is not True:
            raise ProviderError("Graph API did not confirm the deletion", retryable=False, details=answer)
