"""Routes for a business's WhatsApp Business Accounts: connect with its own token, rotate it, disconnect."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from bizline.models.whatsapp_accounts import (
    ConnectWhatsAppAccountRequest,
    RotateAccessTokenRequest,
    WhatsAppAccount,
    WhatsAppAccountList,
)
from bizline.routes.acting import authenticated_business_id
from bizline.services import whatsapp_accounts
from bizline.web import AUTHENTICATED, error_responses

_TAGS = ["WhatsApp Business Accounts"]
WabaIdPath = Annotated[str, Path(pattern=r"^[0-9]{1,32}$")]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/whatsapp-accounts",
        summary="Connect a WhatsApp Business Account",
        description=(
            "With the business-scoped access token Meta's Embedded Signup handed over. bizline asks Meta for the "
            "account's phone numbers with it (422 when Meta refuses), subscribes to the account's webhooks and keeps "
            "the token encrypted; it is never shown again. Connecting it again confirms it anew and replaces the token."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={
            201: {"description": "Connected, with the account's numbers."},
            200: {"description": "Connected before: confirmed again, the token replaced."},
        }
        | error_responses(400, 401, 413, 415, 503),
    )
    def connect(request: Annotated[ConnectWhatsAppAccountRequest, Body()]) -> Response[WhatsAppAccount]:
        connected, new = whatsapp_accounts.connect(business_id(), request)
        return Response(status_code=201 if new else 200, content_type=content_types.APPLICATION_JSON, body=connected)

    @router.get(
        "/v1/whatsapp-accounts",
        summary="List the connected WhatsApp Business Accounts",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The business's connected accounts."}} | error_responses(401),
    )
    def list_accounts() -> WhatsAppAccountList:
        return whatsapp_accounts.list_accounts(business_id())

    @router.get(
        "/v1/whatsapp-accounts/<waba_id>/phone-numbers",
        summary="The account's phone numbers as Meta reports them",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The numbers Meta reports for the account now."}}
        | error_responses(401, 404, 503),
    )
    def available_numbers(waba_id: WabaIdPath) -> WhatsAppAccount:
        return whatsapp_accounts.available_numbers(business_id(), waba_id)

    @router.put(
        "/v1/whatsapp-accounts/<waba_id>/access-token",
        summary="Rotate the account's access token",
        description="Meta must confirm the new token (422 otherwise); the old one is no longer used.",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The token is replaced."}} | error_responses(400, 401, 404, 413, 415, 503),
    )
    def rotate(waba_id: WabaIdPath, request: Annotated[RotateAccessTokenRequest, Body()]) -> WhatsAppAccount:
        return whatsapp_accounts.rotate_token(business_id(), waba_id, request)

    @router.delete(
        "/v1/whatsapp-accounts/<waba_id>",
        summary="Disconnect a WhatsApp Business Account",
        description="Its phone numbers, their public badges and its access token are removed.",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={204: {"description": "Disconnected.", "content": {}}} | error_responses(401, 404),
    )
    def disconnect(waba_id: WabaIdPath) -> Response[None]:
        whatsapp_accounts.disconnect(business_id(), waba_id)
        return Response(status_code=204)

    return router
