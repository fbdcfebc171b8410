"""Meta's WhatsApp webhook: one public endpoint for the whole platform."""

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel

from bizline.services import whatsapp_webhook
from bizline.web import error_responses, raw_body

_TAGS = ["WhatsApp webhook"]


class Received(BaseModel):
    """The notification is on the ingest queue: what it holds is stored and called back from there."""

    received: bool = True
    queued_parts: int = 1


def build_router() -> Router:
    router = Router()

    @router.get(
        "/webhooks/whatsapp",
        summary="Subscription handshake (Meta)",
        description="Answers `hub.challenge` as plain text when `hub.verify_token` matches; 403 otherwise.",
        tags=_TAGS,
        responses={200: {"description": "The challenge.", "content": {"text/plain": {}}}} | error_responses(403),
    )
    def handshake() -> Response[str]:
        event = router.current_event
        challenge = whatsapp_webhook.verify_subscription(
            event.get_query_string_value("hub.mode"),
            event.get_query_string_value("hub.verify_token"),
            event.get_query_string_value("hub.challenge"),
        )
        return Response(status_code=200, content_type=content_types.TEXT_PLAIN, body=challenge)

    @router.post(
        "/webhooks/whatsapp",
        summary="Notifications (Meta)",
        description=(
            "Signed with `X-Hub-Signature-256`; nothing is queued unless the signature matches. The envelope is "
            "handed to the ingest queue as it came and processed from there."
        ),
        tags=_TAGS,
        responses={200: {"description": "Received (Meta retries anything else)."}}
        | error_responses(400, 401, 413, 415),
    )
    def notification() -> Received:
        event = router.current_event
        parts = whatsapp_webhook.receive_notification(
            raw_body(event.raw_event), event.headers.get("x-hub-signature-256")
        )
        return Received(queued_parts=parts)

    return router
