"""Routes for a business's message templates: submit to Meta, list, show, delete."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from bizline.models.templates import CreateTemplateRequest, Template, TemplateList
from bizline.routes.acting import authenticated_business_id
from bizline.services import templates
from bizline.web import AUTHENTICATED, error_responses

_TAGS = ["Templates"]
TemplateId = Annotated[str, Path(pattern=r"^[0-9]{1,32}$")]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/templates",
        summary="Submit a message template to Meta",
        description=(
            "Submitted through the business's connected WhatsApp Business Account with its own token. Variables are "
            "numbered ({{1}}, {{2}}, ...) or named ({{first_name}}), each with an example. The template starts "
            "PENDING; Meta's review (APPROVED, REJECTED with a reason, later PAUSED or DISABLED) arrives by webhook."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={201: {"description": "Submitted."}} | error_responses(400, 401, 404, 413, 415, 503),
    )
    def create(request: Annotated[CreateTemplateRequest, Body()]) -> Response[Template]:
        created = templates.create_template(business_id(), request)
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)

    @router.get(
        "/v1/templates",
        summary="List the business's message templates",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "Every template, with its state."}} | error_responses(401),
    )
    def list_templates() -> TemplateList:
        return templates.list_templates(business_id())

    @router.get(
        "/v1/templates/<template_id>",
        summary="One message template",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The template."}} | error_responses(401, 404),
    )
    def get_template(template_id: TemplateId) -> Template:
        return templates.get_template(business_id(), template_id)

    @router.delete(
        "/v1/templates/<template_id>",
        summary="Delete a message template (at Meta too)",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={204: {"description": "Deleted.", "content": {}}} | error_responses(401, 404, 503),
    )
    def delete(template_id: TemplateId) -> Response[None]:
        templates.delete_template(business_id(), template_id)
        return Response(status_code=204)

    return router
