"""Routes for replies, conversation history and callback deliveries."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query

from bizline.models.deliveries import DeliveryStatus
from bizline.models.messaging import (
    AcceptedMessage,
    AssignRequest,
    Conversation,
    ConversationList,
    Delivery,
    DeliveryList,
    MessageList,
    SendMessageRequest,
)
from bizline.routes.acting import authenticated_business_id, team_member
from bizline.services import conversations, deliveries, inbox
from bizline.services import idempotent_replies as replies_api
from bizline.web import AUTHENTICATED, CURSOR_DESCRIPTION, error_responses

Limit = Annotated[int, Query(ge=1, le=100)]

Cursor = Annotated[
    str | None,
    Query(
        max_length=2048,
        description=CURSOR_DESCRIPTION,
    ),
]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/messages",
        summary="Send a message to a customer",
        description=(
            "Text and media only within 24 hours of the customer's last message (the customer service "
            "window); templates at any time. Answers 202: the send happens behind a queue. Repeat a request "
            "with the same Idempotency-Key to get the same message back (for 24 hours). A fair-use cap of the "
            "business's tier that is reached answers 429 `quota_exceeded`, naming the cap and when it resets "
            "(the first instant of the next month, UTC); nothing is stored or sent."
        ),
        tags=["Messages"],
        security=AUTHENTICATED,
        responses={202: {"description": "Accepted for sending."}} | error_responses(400, 401, 404, 409, 413, 415, 429),
    )
    def send_message(
        request: Annotated[SendMessageRequest, Body()],
        idempotency_key: Annotated[str | None, Header(alias="idempotency-key", max_length=255)] = None,
    ) -> Response[AcceptedMessage]:
        member = team_member(router.current_event)
        sent_by = {"member_id": member.member_id, "email": member.email} if member else None
        accepted = replies_api.accept(business_id(), request, idempotency_key, sent_by)
        return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)

    @router.get(
        "/v1/conversations",
        summary="Conversations, most recent first",
        description="One row per customer, with the last message and whether the service window is open.",
        tags=["Conversations"],
        security=AUTHENTICATED,
        responses={200: {"description": "A page of conversations."}} | error_responses(400, 401),
    )
    def list_conversations(limit: Limit = 25, cursor: Cursor = None) -> ConversationList:
        return conversations.list_conversations(business_id(), limit, cursor)

    @router.post(
        "/v1/conversations/<customer_id>/read",
        summary="Mark a conversation read",
        description=(
            "What the customer wrote until now counts as read, for the whole team (one shared inbox): the "
            "conversation's `unread` is 0 until they write again."
        ),
        tags=["Conversations"],
        security=AUTHENTICATED,
        responses={200: {"description": "The conversation, read."}} | error_responses(401, 404),
    )
    def mark_read(customer_id: Annotated[str, Path(max_length=64)]) -> Conversation:
        return inbox.mark_read(business_id(), customer_id)

    @router.put(
        "/v1/conversations/<customer_id>/assignee",
        summary="Assign a conversation to a team member",
        description="`member_id` of a member of the business's team, or null for nobody; 422 `unknown_member`.",
        tags=["Conversations"],
        security=AUTHENTICATED,
        responses={200: {"description": "The conversation, assigned."}} | error_responses(400, 401, 404, 413, 415, 422),
    )
    def assign(
        customer_id: Annotated[str, Path(max_length=64)], request: Annotated[AssignRequest, Body()]
    ) -> Conversation:
        return inbox.assign(business_id(), customer_id, request.member_id)

    @router.get(
        "/v1/conversations/<customer_id>/messages",
        summary="A conversation's messages, newest first",
        tags=["Conversations"],
        security=AUTHENTICATED,
        responses={200: {"description": "A page of the conversation's messages."}} | error_responses(400, 401, 404),
    )
    def list_messages(
        customer_id: Annotated[str, Path(max_length=64)], limit: Limit = 50, cursor: Cursor = None
    ) -> MessageList:
        return conversations.list_messages(business_id(), customer_id, limit, cursor)

    @router.get(
        "/v1/deliveries",
        summary="Callback deliveries",
        description=(
            "`status` accepts every status a delivery shows. Two of them also name a group: `status=failed` lists"
            " everything that could not be delivered (failed, dead_lettered, endpoint_disabled, unsafe_endpoint),"
            " `status=pending` everything still being attempted (pending, retrying)."
        ),
        tags=["Deliveries"],
        security=AUTHENTICATED,
        responses={200: {"description": "A page of deliveries."}} | error_responses(400, 401),
    )
    def list_deliveries(
        status: Annotated[DeliveryStatus | None, Query()] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> DeliveryList:
        return deliveries.list_deliveries(business_id(), status.value if status else None, limit, cursor)

    @router.post(
        "/v1/deliveries/<delivery_id>/retry",
        summary="Retry a failed delivery",
        tags=["Deliveries"],
        security=AUTHENTICATED,
        responses={202: {"description": "Queued again."}} | error_responses(401, 404, 409),
    )
    def retry_delivery(delivery_id: Annotated[str, Path(max_length=64)]) -> Response[Delivery]:
        retried = deliveries.retry_delivery(business_id(), delivery_id)
        return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=retried)

    return router
