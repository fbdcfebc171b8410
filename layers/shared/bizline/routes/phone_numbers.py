"""Routes for a business's WhatsApp phone numbers and its callback signing secret."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from bizline.models.messaging import AddPhoneNumberRequest, PhoneNumber, PhoneNumberList, WebhookSecret
from bizline.routes.acting import authenticated_business_id
from bizline.services import accounts, number_registration, phone_numbers
from bizline.web import AUTHENTICATED, error_responses

_TAGS = ["Phone numbers"]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/phone-numbers",
        summary="Add a WhatsApp phone number",
        description=(
            "Pick a number Meta lists in one of the business's connected WhatsApp Business Accounts (422 otherwise); "
            "its display number and verified name are Meta's. Webhooks for it are routed to the calling business. "
            "A number belongs to one business (409 when another holds it)."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={201: {"description": "Added."}, 200: {"description": "The business holds it already."}}
        | error_responses(400, 401, 404, 409, 413, 415, 503),
    )
    def add_phone_number(request: Annotated[AddPhoneNumberRequest, Body()]) -> Response[PhoneNumber]:
        added, new = number_registration.add_phone_number(business_id(), request)
        return Response(status_code=201 if new else 200, content_type=content_types.APPLICATION_JSON, body=added)

    @router.get(
        "/v1/phone-numbers",
        summary="List the business's phone numbers",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The business's phone numbers."}} | error_responses(401),
    )
    def list_phone_numbers() -> PhoneNumberList:
        return phone_numbers.list_phone_numbers(business_id())

    @router.delete(
        "/v1/phone-numbers/<phone_number_id>",
        summary="Remove a phone number",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={204: {"description": "Removed.", "content": {}}} | error_responses(401, 404),
    )
    def remove_phone_number(phone_number_id: Annotated[str, Path(max_length=32)]) -> Response[None]:
        number_registration.remove_phone_number(business_id(), phone_number_id)
        return Response(status_code=204)

    @router.post(
        "/v1/businesses/me/webhook-secret",
        summary="Rotate the callback signing secret",
        description="The new secret is shown once; the previous one keeps signing callbacks for 24 hours.",
        tags=["Business accounts"],
        security=AUTHENTICATED,
        responses={201: {"description": "The new secret."}} | error_responses(401, 404),
    )
    def rotate_webhook_secret() -> Response[WebhookSecret]:
        rotated = accounts.rotate_webhook_secret(business_id())
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=rotated)

    return router
