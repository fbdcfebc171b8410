"""Routes for a business's subscribers: subscribe with consent proof (one or a batch), list, change, opt out."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from bizline.models.subscribers import (
    ConsentKeywords,
    ConsentKeywordsView,
    SubscribeBatchRequest,
    SubscribeBatchResult,
    Subscriber,
    SubscribeRequest,
    SubscriberList,
    UpdateSubscriberRequest,
)
from bizline.routes.acting import authenticated_business_id
from bizline.services import consent_keywords as consent
from bizline.services import subscribers
from bizline.web import AUTHENTICATED, error_responses

_TAGS = ["Subscribers"]
CustomerId = Annotated[str, Path(pattern=r"^cus_[0-9a-f]{20}$")]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/subscribers",
        summary="Subscribe a customer to newsletters, with the proof of consent",
        description=(
            "The customer by `wa_id` or `user_id`; `consent` is the proof: where, when and the exact text agreed to. "
            "Subscribing an unsubscribed customer again records the new consent."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={201: {"description": "Subscribed."}, 200: {"description": "Was a subscriber: consent renewed."}}
        | error_responses(400, 401, 413, 415),
    )
    def subscribe(request: Annotated[SubscribeRequest, Body()]) -> Response[Subscriber]:
        subscriber, created = subscribers.subscribe(business_id(), request)
        return Response(
            status_code=201 if created else 200, content_type=content_types.APPLICATION_JSON, body=subscriber
        )

    @router.post(
        "/v1/subscribers/batch",
        summary="Subscribe up to 1,000 customers",
        description=(
            "Each item as for POST /v1/subscribers, with one `consent` the items share unless they carry their own; "
            "each has its own result (201, 200 or 422 with the reason)."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "One result per item, in order."}} | error_responses(400, 401, 413, 415),
    )
    def subscribe_batch(request: Annotated[SubscribeBatchRequest, Body()]) -> SubscribeBatchResult:
        return subscribers.subscribe_batch(business_id(), request)

    @router.get(
        "/v1/subscribers",
        summary="List subscribers",
        description="Filtered by `status` and `tag`; a page may hold fewer than `limit` and still have a next one.",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "A page of subscribers."}} | error_responses(400, 401),
    )
    def list_subscribers(
        status: Annotated[Literal["subscribed", "unsubscribed"] | None, Query()] = None,
        tag: Annotated[str | None, Query(max_length=40)] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        cursor: Annotated[str | None, Query(max_length=2048)] = None,
    ) -> SubscriberList:
        return subscribers.list_subscribers(business_id(), status, tag, limit, cursor)

    @router.get(
        "/v1/subscribers/<customer_id>",
        summary="One subscriber, with every status change",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The subscriber and its history."}} | error_responses(401, 404),
    )
    def get_subscriber(customer_id: CustomerId) -> Subscriber:
        return subscribers.get_subscriber(business_id(), customer_id)

    @router.patch(
        "/v1/subscribers/<customer_id>",
        summary="Replace a subscriber's tags or attributes",
        description="Attributes fill newsletter template variables.",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "Changed."}} | error_responses(400, 401, 404, 413, 415),
    )
    def update_subscriber(customer_id: CustomerId, request: Annotated[UpdateSubscriberRequest, Body()]) -> Subscriber:
        return subscribers.update_subscriber(business_id(), customer_id, request)

    @router.delete(
        "/v1/subscribers/<customer_id>",
        summary="Opt a subscriber out",
        description="The subscriber stays, unsubscribed, with the opt-out in its history (proof of it).",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "Unsubscribed."}} | error_responses(401, 404),
    )
    def unsubscribe(customer_id: CustomerId) -> Subscriber:
        return subscribers.unsubscribe(business_id(), customer_id)

    @router.get(
        "/v1/consent-keywords",
        summary="The words that opt a customer out and in",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The defaults and the business's own words."}} | error_responses(401),
    )
    def get_keywords() -> ConsentKeywordsView:
        return consent.get_keywords(business_id())

    @router.put(
        "/v1/consent-keywords",
        summary="Add the business's own opt-out and opt-in words",
        description=(
            "A customer message that is only one of these words (case, accents and punctuation aside) opts out or in, "
            "confirmed by a reply. The defaults (STOP, STOPP, ABMELDEN, UNSUBSCRIBE, ABBESTELLEN; START, ANMELDEN) "
            "always stay: opt-out always works."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The words now in force."}} | error_responses(400, 401, 413, 415),
    )
    def set_keywords(request: Annotated[ConsentKeywords, Body()]) -> ConsentKeywordsView:
        return consent.set_keywords(business_id(), request)

    return router
