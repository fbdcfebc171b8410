"""Reviewers' routes (AWS_IAM): the review queue, claims, decisions, badges and the audit trail."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from bizline.models.verification import (
    AuditTrail,
    BadgeRevoked,
    DecisionRequest,
    ReviewedVerificationRequest,
    ReviewedVerificationRequestList,
    ReviewedVerificationRequestWithDocuments,
    RevocationRequest,
    VerificationState,
)
from bizline.observability import metrics
from bizline.services import verification_review
from bizline.web import CURSOR_DESCRIPTION, REVIEWER, error_responses, reviewer_identity

_TAGS = ["Verification review"]
RequestId = Annotated[str, Path(max_length=64)]


def build_router() -> Router:
    router = Router()

    def reviewer() -> str:
        return reviewer_identity(router.current_event)

    @router.get(
        "/admin/verification-requests",
        summary="Requests in a state, oldest first",
        tags=_TAGS,
        security=REVIEWER,
        responses={200: {"description": "A page of verification requests."}} | error_responses(400),
    )
    def list_requests(
        state: Annotated[VerificationState, Query()] = VerificationState.SUBMITTED,
        limit: Annotated[int, Query(ge=1, le=100)] = 25,
        cursor: Annotated[str | None, Query(max_length=2048, description=CURSOR_DESCRIPTION)] = None,
    ) -> ReviewedVerificationRequestList:
        reviewer()
        return verification_review.list_for_review(state, limit, cursor)

    @router.get(
        "/admin/verification-requests/<request_id>",
        summary="One request with its checks and short-lived document download links",
        tags=_TAGS,
        security=REVIEWER,
        responses={200: {"description": "The verification request, with its documents."}} | error_responses(404),
    )
    def get_request(request_id: RequestId) -> ReviewedVerificationRequestWithDocuments:
        reviewer()
        return verification_review.review(request_id)

    @router.post(
        "/admin/verification-requests/<request_id>/claim",
        summary="Claim a submitted request for review",
        tags=_TAGS,
        security=REVIEWER,
        responses={200: {"description": "The request, claimed by the caller."}} | error_responses(404, 409),
    )
    def claim(request_id: RequestId) -> ReviewedVerificationRequest:
        return verification_review.claim(request_id, reviewer())

    @router.post(
        "/admin/verification-requests/<request_id>/decision",
        summary="Approve or reject a request in review",
        description=(
            "Approval gives the business its badge and confirms its size (optionally correcting the size class); "
            "a changed tier applies from next month. A request is decided once: a second decision is 409."
        ),
        tags=_TAGS,
        security=REVIEWER,
        responses={200: {"description": "The request as decided."}} | error_responses(400, 404, 409, 413, 415),
    )
    def decide(request_id: RequestId, decision: Annotated[DecisionRequest, Body()]) -> ReviewedVerificationRequest:
        decided = verification_review.decide(request_id, reviewer(), decision)
        metrics.add_metric(name=f"Verification_{decision.decision}", unit=MetricUnit.Count, value=1)
        return decided

    @router.get(
        "/admin/verification-requests/<request_id>/audit",
        summary="The request's audit trail: every transition, who, when and why",
        tags=_TAGS,
        security=REVIEWER,
        responses={200: {"description": "The request's audit trail."}} | error_responses(404),
    )
    def audit(request_id: RequestId) -> AuditTrail:
        reviewer()
        return verification_review.audit_trail(request_id)

    @router.post(
        "/admin/businesses/<business_id>/badge/revoke",
        summary="Revoke a business's verified badge",
        tags=_TAGS,
        security=REVIEWER,
        responses={200: {"description": "The business, its badge revoked."}} | error_responses(400, 404, 409, 413, 415),
    )
    def revoke(
        business_id: Annotated[str, Path(max_length=64)], revocation: Annotated[RevocationRequest, Body()]
    ) -> BadgeRevoked:
        return verification_review.revoke_badge(business_id, reviewer(), revocation.reason)

    return router
