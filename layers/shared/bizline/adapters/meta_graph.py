"""Meta's Graph API: POST /{version}/{phone-number-id}/messages with the app's bearer token."""

import json
import urllib.error
import urllib.request
from typing import Any

from bizline.adapters.meta_secret import meta_credentials
from bizline.rules.providers import ProviderError, Recipient, classify_graph_error, graph_api_body
from bizline.settings import get_settings

_TIMEOUT_SECONDS = 10


class MetaGraphProvider:
    """Sends through Meta's WhatsApp Cloud API."""

    def send(self, phone_number_id: str, recipient: Recipient, content: dict[str, Any]) -> str:
        """Post one message; Meta's wamid, or a ProviderError that says whether to try again."""
        settings = get_settings()
        url = f"{settings.meta_graph_api_url}/{settings.meta_graph_api_version}/{phone_number_id}/messages"
        request = urllib.request.Request(  # noqa: S310 - the configured https Graph API URL
            url,
            data=json.dumps(graph_api_body(recipient, content)).encode(),
            method="POST",
            headers={
                "authorization": f"Bearer {meta_credentials().access_token}",
                "content-type": "application/json",
            },
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
        messages = answer.get("messages") or []
        if not messages or not messages[0].get("id"):
            raise ProviderError("Graph API answered without a message id", retryable=False, details=answer)
        return messages[0]["id"]
