"""Usage routes: a business's own usage (API key), every business's and the rate cards (AWS_IAM)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from bizline.models.billing import (
    MONTH_PATTERN,
    CloseRequest,
    CloseResult,
    Invoice,
    InvoiceFileLink,
    InvoiceList,
    RateCard,
    RateCardTerms,
    UsageReport,
    UsageReportList,
)
from bizline.routes.acting import authenticated_business_id
from bizline.services import invoice_files, invoices, usage
from bizline.web import AUTHENTICATED, REVIEWER, error_responses, reviewer_identity

MonthQuery = Annotated[str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM (UTC); this month by default.")]


def build_router() -> Router:
    router = Router()

    @router.get(
        "/v1/usage",
        summary="Usage in a month",
        description=(
            "Counts per meter and day (UTC): inbound messages; outbound ones by the category Meta priced "
            "(service, marketing, utility, authentication), `submitted` and `unconfirmed` (sent, never "
            "confirmed by Meta); the tier that applied in the month and the free allowances used."
        ),
        tags=["Usage and invoices"],
        security=AUTHENTICATED,
        responses={200: {"description": "The month's usage."}} | error_responses(400, 401),
    )
    def get_usage(month: MonthQuery = None) -> UsageReport:
        return usage.usage_of(authenticated_business_id(router.current_event), month)

    @router.get(
        "/admin/usage",
        summary="Every business's usage in a month",
        description="The businesses with usage in the month, in id order; `next_cursor` pages on.",
        tags=["Usage and invoices"],
        security=REVIEWER,
        responses={200: {"description": "Each business with usage in the month."}} | error_responses(400),
    )
    def get_everyones_usage(
        month: MonthQuery = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        cursor: Annotated[str | None, Query(max_length=2048)] = None,
    ) -> UsageReportList:
        reviewer_identity(router.current_event)
        return usage.usage_of_everyone(month, limit, cursor)

    @router.get(
        "/admin/rate-cards",
        summary="Every rate card version",
        tags=["Usage and invoices"],
        security=REVIEWER,
        responses={200: {"description": "Rate cards, oldest first."}} | error_responses(400),
    )
    def get_rate_cards() -> list[RateCard]:
        reviewer_identity(router.current_event)
        return usage.list_rate_cards()

    @router.put(
        "/admin/rate-cards/<valid_from>",
        summary="Publish a rate card valid from a month",
        description="A published card never changes (409): publish a new version for a later month instead.",
        tags=["Usage and invoices"],
        security=REVIEWER,
        responses={201: {"description": "The card as stored."}} | error_responses(400, 404, 409, 422),
    )
    def put_rate_card(
        valid_from: Annotated[str, Path(pattern=MONTH_PATTERN)], card: Annotated[RateCardTerms, Body()]
    ) -> Response[RateCard]:
        reviewer_identity(router.current_event)
        stored = usage.publish_rate_card(RateCard(valid_from=valid_from, **card.model_dump()))
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=stored)

    @router.get(
        "/v1/invoices",
        summary="Invoices of closed months, newest first",
        tags=["Usage and invoices"],
        security=AUTHENTICATED,
        responses={200: {"description": "The business's invoices."}} | error_responses(400, 401),
    )
    def list_invoices() -> InvoiceList:
        return invoices.invoices_of(authenticated_business_id(router.current_event))

    @router.get(
        "/v1/invoices/<month>",
        summary="The invoice of a closed month",
        description=(
            "bizline's fee only, in integer cents: tier `free` is always 0, with its usage itemised. Meta bills "
            "its own fees to the business's WhatsApp Business Account, separately."
        ),
        tags=["Usage and invoices"],
        security=AUTHENTICATED,
        responses={200: {"description": "The invoice."}} | error_responses(400, 401, 404),
    )
    def get_invoice(month: Annotated[str, Path(pattern=MONTH_PATTERN)]) -> Invoice:
        return invoices.invoice_of(authenticated_business_id(router.current_event), month)

    file_description = (
        "A 5-minute presigned S3 link to the file: GET it without the API key before `expires_at`. The "
        "file is bizline's fee only; Meta bills its own fees to the business's WhatsApp Business Account."
    )

    @router.get(
        "/v1/invoices/<month>/csv",
        summary="A link to the CSV of a closed month's line items",
        description=file_description
        + " Columns: kind (line, adjustment, total), month, meter, quantity, amount_cents, amount_eur.",
        tags=["Usage and invoices"],
        security=AUTHENTICATED,
        responses={200: {"description": "The link."}} | error_responses(400, 401, 404),
    )
    def get_invoice_csv(month: Annotated[str, Path(pattern=MONTH_PATTERN)]) -> InvoiceFileLink:
        return invoice_files.file_link(authenticated_business_id(router.current_event), month, "csv")

    @router.get(
        "/v1/invoices/<month>/pdf",
        summary="A link to the PDF invoice of a closed month",
        description=file_description,
        tags=["Usage and invoices"],
        security=AUTHENTICATED,
        responses={200: {"description": "The link."}} | error_responses(400, 401, 404),
    )
    def get_invoice_pdf(month: Annotated[str, Path(pattern=MONTH_PATTERN)]) -> InvoiceFileLink:
        return invoice_files.file_link(authenticated_business_id(router.current_event), month, "pdf")

    @router.post(
        "/admin/invoices/close",
        summary="Close a month now: freeze its invoices",
        description="What the schedule does on the 1st at 00:10 UTC. Running it again changes nothing.",
        tags=["Usage and invoices"],
        security=REVIEWER,
        responses={200: {"description": "How many invoices this run froze."}} | error_responses(400, 422),
    )
    def close(request: Annotated[CloseRequest, Body()]) -> CloseResult:
        reviewer_identity(router.current_event)
        return invoices.close_month(request.month)

    return router
