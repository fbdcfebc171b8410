"""Routes for business accounts and API keys."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.metrics import MetricUnit

from bizline.models.api_keys import ApiKeyList, CreateApiKeyRequest
from bizline.models.businesses import Business, BusinessUpdate, NewApiKeyView, SignUpRequest, SignUpResponse
from bizline.observability import metrics
from bizline.routes.acting import authenticated_business_id
from bizline.services import accounts
from bizline.web import AUTHENTICATED, error_responses

_TAGS = ["Business accounts"]
_KEY_TAGS = ["API keys"]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/businesses",
        summary="Sign up a business",
        description="Creates a business and its first API key, shown this once. SMEs get the free tier.",
        tags=_TAGS,
        responses={201: {"description": "The new business and its first API key."}}
        | error_responses(400, 413, 415, 422),
    )
    def sign_up(request: Annotated[SignUpRequest, Body()]) -> Response[SignUpResponse]:
        created = accounts.sign_up(request)
        metrics.add_metric(name=f"BusinessSignedUp_{created.business.tier}", unit=MetricUnit.Count, value=1)
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)

    @router.get(
        "/v1/businesses/me",
        summary="The calling business",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The business."}} | error_responses(401, 404),
    )
    def get_own_business() -> Business:
        return accounts.get_business(business_id())

    @router.patch(
        "/v1/businesses/me",
        summary="Change the calling business",
        description="A change of tier (from new size figures) takes effect from the next calendar month.",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The business as changed."}}
        | error_responses(400, 401, 404, 409, 413, 415, 422),
    )
    def update_own_business(update: Annotated[BusinessUpdate, Body()]) -> Business:
        return accounts.update_business(business_id(), update)

    @router.post(
        "/v1/api-keys",
        summary="Create an API key",
        tags=_KEY_TAGS,
        security=AUTHENTICATED,
        responses={201: {"description": "The new key, shown this once."}}
        | error_responses(400, 401, 409, 413, 415, 422),
    )
    def create_api_key(
        # Optional, but an object when sent: the document shows no `null` body, and the edge refuses one.
        request: Annotated[CreateApiKeyRequest, Body()] = None,  # type: ignore[assignment]
    ) -> Response[NewApiKeyView]:
        created = accounts.create_api_key(business_id(), request.name if request else None)
        metrics.add_metric(name="ApiKeyCreated", unit=MetricUnit.Count, value=1)
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)

    @router.get(
        "/v1/api-keys",
        summary="List active API keys",
        description="Never shows a key itself: only its id, name and first characters.",
        tags=_KEY_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The business's API keys (never the keys themselves)."}} | error_responses(401),
    )
    def list_api_keys() -> ApiKeyList:
        return accounts.list_api_keys(business_id())

    @router.delete(
        "/v1/api-keys/<key_id>",
        summary="Revoke an API key",
        description="Refused with 409 for the business's last active key.",
        tags=_KEY_TAGS,
        security=AUTHENTICATED,
        responses={204: {"description": "Revoked.", "content": {}}} | error_responses(401, 404, 409, 422),
    )
    def revoke_api_key(key_id: Annotated[str, Path(max_length=64)]) -> Response[None]:
        accounts.revoke_api_key(business_id(), key_id)
        metrics.add_metric(name="ApiKeyRevoked", unit=MetricUnit.Count, value=1)
        return Response(status_code=204)

    return router
