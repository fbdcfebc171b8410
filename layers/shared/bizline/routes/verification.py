"""Routes for a business's verification requests and their documents."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.metrics import MetricUnit

from bizline.models.verification import (
    DocumentUpload,
    DocumentUploadRequest,
    VerificationRequest,
    VerificationRequestCreate,
    VerificationRequestList,
)
from bizline.observability import metrics
from bizline.routes.acting import authenticated_business_id
from bizline.services import verification
from bizline.web import AUTHENTICATED, error_responses

_TAGS = ["Verification"]
RequestId = Annotated[str, Path(max_length=64)]


def build_router() -> Router:
    router = Router()

    def business_id() -> str:
        return authenticated_business_id(router.current_event)

    @router.post(
        "/v1/verification-requests",
        summary="Ask to be verified",
        description=(
            "Starts in state `submitted`, with the automated checks' results. One open request per business "
            "(409 `verification_request_open`); after a rejection, 30 days must pass (409 `reapply_not_yet`)."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={201: {"description": "Submitted."}} | error_responses(400, 401, 404, 409, 413, 415),
    )
    def submit(request: Annotated[VerificationRequestCreate, Body()]) -> Response[VerificationRequest]:
        submitted = verification.submit(business_id(), request)
        metrics.add_metric(name="VerificationRequested", unit=MetricUnit.Count, value=1)
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=submitted)

    @router.get(
        "/v1/verification-requests",
        summary="The business's verification requests, newest first",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The business's verification requests."}} | error_responses(401),
    )
    def list_requests() -> VerificationRequestList:
        return verification.list_requests(business_id())

    @router.get(
        "/v1/verification-requests/<request_id>",
        summary="One verification request: state, checks, documents, decision",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The verification request."}} | error_responses(401, 404),
    )
    def get_request(request_id: RequestId) -> VerificationRequest:
        return verification.get_request(business_id(), request_id)

    @router.post(
        "/v1/verification-requests/<request_id>/withdraw",
        summary="Withdraw a request not yet decided",
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The withdrawn request."}} | error_responses(401, 404, 409),
    )
    def withdraw(request_id: RequestId) -> VerificationRequest:
        return verification.withdraw(business_id(), request_id)

    @router.post(
        "/v1/verification-requests/<request_id>/documents",
        summary="Get an upload form for a document",
        description=(
            "Answers a presigned S3 POST form: PDF, PNG or JPEG, at most 10 MB. Upload the file with it, then "
            "attach the document. At most 10 documents per request."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={201: {"description": "An upload form."}} | error_responses(400, 401, 404, 409, 413, 415),
    )
    def request_upload(
        request_id: RequestId, upload: Annotated[DocumentUploadRequest, Body()]
    ) -> Response[DocumentUpload]:
        form = verification.request_document_upload(business_id(), request_id, upload)
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=form)

    @router.post(
        "/v1/verification-requests/<request_id>/documents/<document_id>/attach",
        summary="Attach an uploaded document",
        description=(
            "Checks the uploaded file's size, declared type and content against the upload policy; a file "
            "that breaks it is deleted and refused (422 `document_rejected`)."
        ),
        tags=_TAGS,
        security=AUTHENTICATED,
        responses={200: {"description": "The request with the document attached."}} | error_responses(401, 404, 409),
    )
    def attach(request_id: RequestId, document_id: Annotated[str, Path(max_length=64)]) -> VerificationRequest:
        return verification.attach_document(business_id(), request_id, document_id)

    return router
