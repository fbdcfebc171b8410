"""The reviewers' side of verification: the queue, claims, decisions, badges and the audit trail.

An approval gives the business its badge and confirms its size (the tier follows from next month);
a rejection makes it wait before it may apply again. See rules/verification_states.
"""

from dataclasses import replace
from datetime import datetime

from bizline.adapters import documents as document_store
from bizline.adapters import verification_store as store
from bizline.clock import utc_now
from bizline.errors import Conflict, NotFound, ValidationFailed
from bizline.models.verification import (
    AuditEntry,
    AuditTrail,
    BadgeRevoked,
    BusinessChange,
    DecisionRequest,
    DocumentLink,
    GrantBadge,
    RejectApplication,
    ReviewedVerificationRequest,
    ReviewedVerificationRequestList,
    ReviewedVerificationRequestWithDocuments,
    RevokeBadge,
    StoredVerificationRequest,
    VerificationState,
)
from bizline.rules.tier_changes import resize
from bizline.rules.verification_documents import DOWNLOAD_LINK_VALID_FOR
from bizline.rules.verification_states import REAPPLY_AFTER, require_transition
from bizline.services import accounts, public_badges


def _any_request(request_id: str) -> StoredVerificationRequest:
    request = store.find_request(request_id)
    if request is None:
        raise NotFound("No such verification request.")
    return request


def _reviewed(business_id: str, request_id: str) -> ReviewedVerificationRequest:
    return ReviewedVerificationRequest.model_validate(store.get_request(business_id, request_id))


def list_for_review(state: VerificationState, limit: int, cursor: str | None) -> ReviewedVerificationRequestList:
    """A page of the requests in `state`, oldest first."""
    requests, next_cursor = store.requests_in_state(state, limit, cursor)
    return ReviewedVerificationRequestList(
        items=[ReviewedVerificationRequest.model_validate(request) for request in requests], next_cursor=next_cursor
    )


def review(request_id: str, now: datetime | None = None) -> ReviewedVerificationRequestWithDocuments:
    """One request with short-lived download links of its attached documents."""
    now = now or utc_now()
    request = _any_request(request_id)
    valid_for = int(DOWNLOAD_LINK_VALID_FOR.total_seconds())
    links = [
        DocumentLink(
            document_id=document.document_id,
            filename=document.filename,
            content_type=document.content_type,
            size_bytes=document.size_bytes,
            url=document_store.presigned_download(document.object_key, document.filename, valid_for),
            preview_url=document_store.presigned_preview(
                document.object_key, document.filename, document.content_type, valid_for
            ),
            expires_at=now + DOWNLOAD_LINK_VALID_FOR,
        )
        for document in request.documents
        if document.state == "attached"
    ]
    reviewed = ReviewedVerificationRequest.model_validate(request)
    return ReviewedVerificationRequestWithDocuments(**reviewed.model_dump(), document_links=links)


def claim(request_id: str, reviewer: str, now: datetime | None = None) -> ReviewedVerificationRequest:
    """Take a submitted request into review."""
    now = now or utc_now()
    request = _any_request(request_id)
    target = VerificationState.IN_REVIEW
    require_transition(request.state, target)
    claimed = replace(request, state=target, claimed_by=reviewer, claimed_at=now, updated_at=now)
    store.transition(request, claimed, reviewer)
    return _reviewed(request.business_id, request_id)


def _approval(
    request: StoredVerificationRequest, decided: StoredVerificationRequest, decision: DecisionRequest
) -> tuple[StoredVerificationRequest, GrantBadge]:
    """The approved request with its confirmed size class, and the badge and size it gives the business."""
    now = decided.updated_at
    business = accounts.get_business(request.business_id, now.date())
    resized = resize(business, request.size, now.date(), decision.size_class).model_copy(update={"updated_at": now})
    change = GrantBadge(verified_name=request.legal_name, business=resized, expected_updated_at=business.updated_at)
    return replace(decided, confirmed_size_class=resized.size_class), change


def decide(
    request_id: str, reviewer: str, decision: DecisionRequest, now: datetime | None = None
) -> ReviewedVerificationRequest:
    """Approve or reject a request in review, once."""
    now = now or utc_now()
    request = _any_request(request_id)
    target = VerificationState(decision.decision)
    require_transition(request.state, target)
    decided = replace(
        request, state=target, decided_by=reviewer, decided_at=now, decision_reason=decision.reason, updated_at=now
    )
    change: BusinessChange
    if target == VerificationState.APPROVED:
        decided, change = _approval(request, decided, decision)
    else:
        if decision.size_class is not None:
            raise ValidationFailed(
                "The request has invalid fields.",
                details=[{"field": "size_class", "message": "only an approval confirms a size class", "type": "value"}],
            )
        change = RejectApplication(reapply_after=now + REAPPLY_AFTER)
    store.transition(request, decided, reviewer, decision.reason, change)
    if target == VerificationState.APPROVED:
        public_badges.publish_business(request.business_id)
    return _reviewed(request.business_id, request_id)


def _not_verified() -> Conflict:
    return Conflict("The business carries no verified badge.", code="not_verified")


def revoke_badge(business_id: str, reviewer: str, reason: str, now: datetime | None = None) -> BadgeRevoked:
    """Take a business's verified badge back; the request that gave it becomes revoked."""
    now = now or utc_now()
    standing = store.standing(business_id)
    if standing is None:
        raise NotFound("No such business.")
    request = store.get_request(business_id, standing.badge_request_id) if standing.badge_request_id else None
    if request is None:
        raise _not_verified()
    target = VerificationState.REVOKED
    try:
        require_transition(request.state, target)
        revoked = replace(request, state=target, revoked_at=now, revoked_reason=reason, updated_at=now)
        store.transition(request, revoked, reviewer, reason, RevokeBadge())
    except Conflict as refused:
        raise _not_verified() from refused
    public_badges.withdraw_business(business_id)
    return BadgeRevoked(business_id=business_id, request_id=request.request_id, revoked_at=now)


def audit_trail(request_id: str) -> AuditTrail:
    """Every transition of a request, oldest first: who, when, from, to and why."""
    _any_request(request_id)
    entries = sorted(store.audit_entries(request_id), key=lambda entry: entry.at)
    return AuditTrail(request_id=request_id, entries=[AuditEntry.model_validate(entry) for entry in entries])
