"""Meta's WhatsApp webhook envelopes, built one way for the sandbox provider, the local platform and the tests.

The shapes follow the WhatsApp Cloud API's `messages` webhook: an envelope holds entries, an entry
holds changes, a change's value holds metadata, contacts, messages and statuses.
"""

import json
from typing import Any


def text_message(
    wamid: str, text: str, wa_id: str | None = None, user_id: str | None = None, timestamp: int = 0
) -> dict[str, Any]:
    """An inbound text message from a customer known by wa_id (phone) and/or user_id (business-scoped)."""
    message: dict[str, Any] = {"id": wamid, "timestamp": str(timestamp), "type": "text", "text": {"body": text}}
    if wa_id:
        message["from"] = wa_id
    if user_id:
        message["from_user_id"] = user_id
    return message


def contact(wa_id: str | None = None, user_id: str | None = None, name: str = "Anna") -> dict[str, Any]:
    """The contact Meta sends beside a message: the customer's profile and ids."""
    found: dict[str, Any] = {"profile": {"name": name}}
    if wa_id:
        found["wa_id"] = wa_id
    if user_id:
        found["user_id"] = user_id
    return found


def status(
    wamid: str,
    state: str,
    timestamp: int,
    recipient_id: str | None = None,
    recipient_user_id: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    pricing: dict[str, Any] | None = None,
    callback_data: str | None = None,
) -> dict[str, Any]:
    """A status of a message the business sent (sent, delivered, read, failed); Meta prices sent and delivered,
    and hands back the send's `biz_opaque_callback_data`."""
    item: dict[str, Any] = {"id": wamid, "status": state, "timestamp": str(timestamp)}
    if callback_data:
        item["biz_opaque_callback_data"] = callback_data
    if pricing:
        item["pricing"] = pricing
    if recipient_id:
        item["recipient_id"] = recipient_id
    if recipient_user_id:
        item["recipient_user_id"] = recipient_user_id
    if errors:
        item["errors"] = errors
    return item


def change(
    phone_number_id: str, messages=(), statuses=(), contacts=(), display_phone_number: str = ""
) -> dict[str, Any]:
    """One `messages` change for a business phone number."""
    return {
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": display_phone_number, "phone_number_id": phone_number_id},
            "contacts": list(contacts),
            "messages": list(messages),
            "statuses": list(statuses),
        },
    }


def envelope(*changes: dict[str, Any], waba_id: str = "waba-1") -> dict[str, Any]:
    """The notification Meta posts: one entry (a WhatsApp Business Account) with these changes."""
    return {"object": "whatsapp_business_account", "entry": [{"id": waba_id, "changes": list(changes)}]}


def signed_body(payload: dict[str, Any], app_secret: str) -> tuple[bytes, dict[str, str]]:
    """The exact bytes to post and the headers Meta would send with them, signature included."""
    from bizline.rules.signatures import meta_signature

    body = json.dumps(payload).encode()
    return body, {"content-type": "application/json", "x-hub-signature-256": meta_signature(body, app_secret)}
