"""A customer's own word on newsletters: STOP / START keywords in their messages, and Meta's `user_preferences`.

`apply_consent_keywords(stored_message)` is the one call the ingest consumer makes for each newly
stored customer message (services/whatsapp_ingest.py, once the batch's customers are written): a
message that is only an opt-out keyword opts the customer out (as a
subscriber, and as a customer's marketing preference, which the sender checks too), START opts them
back in, and a free-form reply confirms it (the customer just wrote, so the window is open). Repeats
of the same message change nothing and reply nothing. Meta's `user_preferences` stop/resume does
the same through `apply_marketing_preference`, without a reply (the customer used WhatsApp's own
control).
"""

from collections.abc import Callable
from datetime import datetime

from bizline.adapters import customers_store
from bizline.models.messaging import Recipient, SendText, TextContent
from bizline.models.stored_messages import StoredMessage
from bizline.models.subscribers import SUBSCRIBED, UNSUBSCRIBED
from bizline.observability import logger
from bizline.rules.consent_keywords import (
    OPT_OUT,
    Keywords,
    confirmation,
    could_be_keyword,
    keyword_intent,
)
from bizline.services.consent_keywords import business_keywords
from bizline.services.replies import accept_reply
from bizline.services.subscribers import is_subscriber, set_consent

KEYWORD_SOURCE = "keyword"
META_SOURCE = "meta_user_preferences"
STOP, RESUME = "stop", "resume"


def apply_consent_keywords(
    message: StoredMessage, keywords_of: Callable[[str], Keywords] = business_keywords
) -> str | None:
    """Act on an opt-out or opt-in keyword in a stored customer message; the intent acted on, else None.

    `keywords_of` gives a business's words: a batch passes one that reads each business's words once.
    """
    if message.direction != "inbound":
        return None
    if not could_be_keyword(message.type, message.content):
        return None
    intent = keyword_intent(message.type, message.content, keywords_of(message.business_id))
    if intent is None:
        return None
    body = str((message.content.get("text") or {}).get("body") or "")
    changed = _record(
        message.business_id,
        message.customer_id,
        intent == OPT_OUT,
        message.sent_at,
        KEYWORD_SOURCE,
        body,
        message.message_id,
    )
    logger.info("consent keyword", extra={"business_id": message.business_id, "intent": intent, "changed": changed})
    if changed:
        request = SendText(
            from_phone_number_id=message.phone_number_id,
            to=Recipient(customer_id=message.customer_id),
            type="text",
            text=TextContent(body=confirmation(intent)),
        )
        accept_reply(message.business_id, request)
    return intent


def apply_marketing_preference(business_id: str, customer_id: str, value: str, at: datetime, ref: str) -> bool:
    """Meta's `user_preferences` (stop or resume marketing messages) applied to the subscriber; True when it changed."""
    return _record(business_id, customer_id, value == STOP, at, META_SOURCE, value, ref)


def _record(business_id: str, customer_id: str, opt_out: bool, at: datetime, source: str, text: str, ref: str) -> bool:
    preference = customers_store.set_marketing_preference(business_id, customer_id, STOP if opt_out else RESUME, at)
    status = UNSUBSCRIBED if opt_out else SUBSCRIBED
    if set_consent(business_id, customer_id, status, at, source, text, ref):
        return True
    # A customer who never subscribed still has their word recorded; it is news only the first time.
    return preference and not is_subscriber(business_id, customer_id)
