"""Routes for a business's newsletters (create, list, show with stats, reschedule, cancel, send now) and the
messaging limit of its numbers."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from bizline.models.newsletters import (
    CreateNewsletterRequest,
    MessagingLimitRequest,
    MessagingLimitView,
    Newsletter,
    NewsletterList,
    UpdateNewsletterRequest,
)
from bizline.routes.acting import authenticated_business_id
from bizline.services import newsletters
from bizline.web import AUTHENTICATED, error_responses

_TAGS = ["Newsletters"]
NewsletterId = Annotated[str, Path(pattern=r"^nl_[0-9a-f]{20}$")]
PhoneNumberId = Annotated[str, Path(pattern=r"^[0-9]{1,32}$")]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/newsletters",
        summary="Create a newsletter",
        description=(
            "An approved template, each of its variables filled from a subscriber attribute (with an optional "
            "`default`) or a fixed `text`, an audience (all subscribers, or those with any of `tags`), and when: "
            "`send_at` (ISO 8601 with an offset, or a local time with an IANA `timezone`; in the future, at most a "
            "year ahead; a local time the zone skips is refused), a recurring `schedule` (EventBridge cron and IANA "
            "zone), or neither (a draft, sent with POST .../send-now). 422 `template_not_approved`, "
            "`template_not_found`, `template_variables_mismatch`; 404 for a number the business does not own."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={201: {"description": "Created: scheduled, or a draft."}} | error_responses(400, 401, 404, 413, 415),
    )
    def create(request: Annotated[CreateNewsletterRequest, Body()]) -> Response[Newsletter]:
        created = newsletters.create_newsletter(business_id(), request)
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)

    @router.get(
        "/v1/newsletters",
        summary="List newsletters",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "A page of newsletters."}} | error_responses(400, 401),
    )
    def list_newsletters(
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        cursor: Annotated[str | None, Query(max_length=2048)] = None,
    ) -> NewsletterList:
        return newsletters.list_newsletters(business_id(), limit, cursor)

    @router.get(
        "/v1/newsletters/<newsletter_id>",
        summary="One newsletter, with each run's stats",
        description=(
            "State (draft, scheduled, sending, sent, cancelled, failed) and per run: audience, queued, sent, "
            "delivered, read, failed (by Meta's error code; 131049 is Meta's per-user marketing limit) and skipped "
            "(opted_out, template_paused, missing_variable); a run stopped by the number's messaging limit "
            "shows `waiting_for_limit_until`."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The newsletter and its runs."}} | error_responses(401, 404),
    )
    def get_newsletter(newsletter_id: NewsletterId) -> Newsletter:
        return newsletters.get_newsletter(business_id(), newsletter_id)

    @router.patch(
        "/v1/newsletters/<newsletter_id>",
        summary="Reschedule a newsletter",
        description="A new `send_at` or `schedule` replaces the schedule; 409 `newsletter_not_changeable` if sending.",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "Rescheduled."}} | error_responses(400, 401, 404, 409, 413, 415),
    )
    def reschedule(newsletter_id: NewsletterId, request: Annotated[UpdateNewsletterRequest, Body()]) -> Newsletter:
        return newsletters.reschedule(business_id(), newsletter_id, request)

    @router.delete(
        "/v1/newsletters/<newsletter_id>",
        summary="Delete a newsletter",
        description=(
            "Deletes the newsletter, its runs' stats and its schedule; the messages it sent stay in their "
            "conversations. 409 `newsletter_not_changeable` while it is sending: cancel it first."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={204: {"description": "Deleted.", "content": {}}} | error_responses(401, 404, 409),
    )
    def delete_newsletter(newsletter_id: NewsletterId) -> Response[None]:
        newsletters.delete_newsletter(business_id(), newsletter_id)
        return Response(status_code=204)

    @router.post(
        "/v1/newsletters/<newsletter_id>/cancel",
        summary="Cancel a newsletter",
        description=(
            "Deletes its schedule; a run that is sending queues no further page. Cancelling again is a no-op; "
            "409 `newsletter_not_changeable` once sent or failed."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "Cancelled."}} | error_responses(401, 404, 409),
    )
    def cancel(newsletter_id: NewsletterId) -> Newsletter:
        return newsletters.cancel(business_id(), newsletter_id)

    @router.post(
        "/v1/newsletters/<newsletter_id>/send-now",
        summary="Send a newsletter now",
        description=(
            "Starts a run at once (a one-time newsletter's schedule is deleted; a recurring one keeps its cron). "
            "409 `newsletter_not_changeable` unless it is a draft or scheduled."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={202: {"description": "Sending."}} | error_responses(401, 404, 409),
    )
    def send_now(newsletter_id: NewsletterId) -> Response[Newsletter]:
        sending = newsletters.send_now(business_id(), newsletter_id)
        return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=sending)

    @router.get(
        "/v1/messaging-limits/<phone_number_id>",
        summary="A number's messaging limit",
        description="Unique customers per rolling 24 hours newsletters may reach through the number (250 until set).",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The limit."}} | error_responses(401, 404),
    )
    def get_limit(phone_number_id: PhoneNumberId) -> MessagingLimitView:
        return newsletters.get_messaging_limit(business_id(), phone_number_id)

    @router.put(
        "/v1/messaging-limits/<phone_number_id>",
        summary="Set a number's messaging limit",
        description=(
            "Meta's tier for the number (WhatsApp Manager shows it): 250, 2000, 10000, 100000 or unlimited. "
            "Recipients of a run past it wait for the rolling 24 hours to free up (the run shows "
            "`waiting_for_limit_until`) and are sent then, never dropped silently."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "Set."}} | error_responses(400, 401, 404, 413, 415),
    )
    def set_limit(
        phone_number_id: PhoneNumberId, request: Annotated[MessagingLimitRequest, Body()]
    ) -> MessagingLimitView:
        return newsletters.set_messaging_limit(business_id(), phone_number_id, request)

    return router
