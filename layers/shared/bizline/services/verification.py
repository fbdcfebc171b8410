"""Business verification: a business applies, reviewers decide, the badge goes on the business.

States: submitted -> in_review -> approved | rejected; submitted | in_review -> withdrawn;
approved -> revoked (a reviewer takes the badge back). Each transition is one conditional
transaction with its audit entry (see verification_store), so the audit trail is complete.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from bizline.adapters import documents as document_store
from bizline.adapters import verification_store as store
from bizline.adapters.accounts_store import business_update_actions
from bizline.adapters.tables import (
    BusinessRecord,
    CheckResultAttribute,
    DocumentAttribute,
    VerificationAuditRecord,
    VerificationRequestRecord,
)
from bizline.errors import BizlineError, Conflict, NotFound, ValidationFailed
from bizline.models.businesses import SizeFigures
from bizline.models.verification import (
    AuditEntry,
    AuditTrail,
    BadgeRevoked,
    CheckResult,
    DecisionRequest,
    DocumentLink,
    DocumentUpload,
    DocumentUploadRequest,
    PresignedPost,
    ReviewedVerificationRequest,
    ReviewedVerificationRequestList,
    ReviewedVerificationRequestWithDocuments,
    VerificationDocument,
    VerificationRequest,
    VerificationRequestCreate,
    VerificationRequestList,
    VerificationState,
)
from bizline.rules.api_keys import new_id
from bizline.rules.tiers import SizeClass
from bizline.rules.verification_checks import Check, run_checks, with_document_count
from bizline.services import accounts

OPEN_STATES = (VerificationState.SUBMITTED, VerificationState.IN_REVIEW)
REAPPLY_AFTER = timedelta(days=30)
MAX_DOCUMENTS = 10
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
UPLOAD_FORM_VALID_FOR = timedelta(minutes=15)
DOWNLOAD_LINK_VALID_FOR = timedelta(minutes=5)
# What each allowed type's file starts with: a renamed file is refused, whatever it claims to be.
FILE_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
BUSINESS_ACTOR = "business"


class DocumentRejected(BizlineError):
    status_code = 422
    code = "document_rejected"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# -- views ------------------------------------------------------------------------------------
def _checks(record: VerificationRequestRecord) -> list[CheckResult]:
    return [CheckResult(name=check.name, passed=check.passed, detail=check.detail) for check in record.checks or []]


def _documents(record: VerificationRequestRecord) -> list[VerificationDocument]:
    return [
        VerificationDocument(
            document_id=document.document_id,
            filename=document.filename,
            content_type=document.content_type,
            state=document.state,
            size_bytes=int(document.size_bytes) if document.size_bytes is not None else None,
            created_at=_parse(document.created_at),
            attached_at=_parse(document.attached_at),
        )
        for document in record.documents or []
    ]


def _size_of(record: VerificationRequestRecord) -> SizeFigures:
    """The size figures the business applied with (confirmed by an approval)."""
    return SizeFigures(
        employees=int(record.employees),
        annual_turnover_eur=int(record.annual_turnover_eur),
        balance_sheet_total_eur=int(record.balance_sheet_total_eur),
    )


def _fields(record: VerificationRequestRecord) -> dict[str, object]:
    checks = _checks(record)
    return {
        "request_id": record.request_id,
        "business_id": record.business_id,
        "state": record.state,
        "legal_name": record.legal_name,
        "display_name": record.display_name,
        "registration_number": record.registration_number,
        "register_name": record.register_name,
        "country": record.country,
        "registered_address": record.registered_address,
        "website": record.website,
        "contact_email": record.contact_email,
        "size": _size_of(record),
        "checks": checks,
        "flagged": any(not check.passed for check in checks),
        "documents": _documents(record),
        "submitted_at": _parse(record.submitted_at),
        "updated_at": _parse(record.updated_at),
        "decided_at": _parse(record.decided_at),
        "decision_reason": record.decision_reason,
        "confirmed_size_class": record.confirmed_size_class,
        "revoked_at": _parse(record.revoked_at),
        "revoked_reason": record.revoked_reason,
    }


def _view(record: VerificationRequestRecord) -> VerificationRequest:
    return VerificationRequest(**_fields(record))


def _reviewed_view(record: VerificationRequestRecord) -> ReviewedVerificationRequest:
    return ReviewedVerificationRequest(
        **_fields(record),
        claimed_by=record.claimed_by,
        claimed_at=_parse(record.claimed_at),
        decided_by=record.decided_by,
    )


def _check_attributes(checks: list[Check]) -> list[CheckResultAttribute]:
    return [CheckResultAttribute(name=check.name, passed=check.passed, detail=check.detail) for check in checks]


def _stored_checks(record: VerificationRequestRecord) -> list[Check]:
    return [Check(check.name, check.passed, check.detail) for check in record.checks or []]


def _audit(
    record: VerificationRequestRecord,
    actor: str,
    now: datetime,
    to_state: VerificationState,
    from_state: str | None,
    reason: str | None = None,
) -> VerificationAuditRecord:
    return VerificationAuditRecord(
        request_id=record.request_id,
        # Each state is reached at most once per request, so this key is unique per transition.
        entry_id=f"{_iso(now)}#{to_state.value}",
        business_id=record.business_id,
        actor=actor,
        at=_iso(now),
        from_state=from_state,
        to_state=to_state.value,
        reason=reason,
    )


# -- the business's side ----------------------------------------------------------------------
def submit(business_id: str, request: VerificationRequestCreate, now: datetime | None = None) -> VerificationRequest:
    now = now or utc_now()
    business = accounts.get_business(business_id, now.date())
    others_verified = [name for owner, name in store.verified_names() if owner != business_id]
    checks = run_checks(
        contact_email=str(request.contact_email),
        website=str(request.website),
        country=request.country,
        registration_number=request.registration_number,
        display_name=business.display_name,
        verified_names=others_verified,
        attached_documents=0,
    )
    record = VerificationRequestRecord(
        business_id=business_id,
        request_id=new_id("vrq"),
        state=VerificationState.SUBMITTED.value,
        legal_name=request.legal_name,
        display_name=business.display_name,
        registration_number=request.registration_number,
        register_name=request.register_name,
        country=request.country,
        registered_address=request.registered_address,
        website=str(request.website),
        contact_email=str(request.contact_email),
        employees=request.size.employees,
        annual_turnover_eur=request.size.annual_turnover_eur,
        balance_sheet_total_eur=request.size.balance_sheet_total_eur,
        checks=_check_attributes(checks),
        documents=[],
        submitted_at=_iso(now),
        updated_at=_iso(now),
    )
    submitted = _audit(record, BUSINESS_ACTOR, now, VerificationState.SUBMITTED, None)
    if not store.open_request(record, submitted, _iso(now)):
        _explain_refused_application(store.business(business_id), now)
    return _view(record)


def _explain_refused_application(business: BusinessRecord | None, now: datetime) -> NoReturn:
    if business is None:
        raise NotFound("No such business.")
    if business.open_verification_request:
        raise Conflict(
            f"The business already has an open verification request ({business.open_verification_request}); "
            "withdraw it or wait for its decision.",
            code="verification_request_open",
        )
    reapply_after = _parse(business.verification_reapply_after)
    if reapply_after and reapply_after > now:
        raise Conflict(
            f"A rejected business may apply again 30 days after the decision: from {reapply_after.isoformat()}.",
            code="reapply_not_yet",
            details=[{"field": "reapply_after", "message": reapply_after.isoformat(), "type": "date"}],
        )
    raise Conflict("The business changed meanwhile; please retry.", code="concurrent_update")


def _own_request(business_id: str, request_id: str) -> VerificationRequestRecord:
    record = store.get_request(business_id, request_id)
    if record is None:
        raise NotFound("No such verification request.")
    return record


def list_requests(business_id: str) -> VerificationRequestList:
    records = sorted(store.requests_of_business(business_id), key=lambda record: record.submitted_at, reverse=True)
    return VerificationRequestList(items=[_view(record) for record in records])


def get_request(business_id: str, request_id: str) -> VerificationRequest:
    return _view(_own_request(business_id, request_id))


def _refused_transition(record: VerificationRequestRecord, target: VerificationState) -> Conflict:
    current = store.get_request(record.business_id, record.request_id) or record
    return Conflict(
        f"The request is {current.state}; it cannot become {target.value}.",
        code="invalid_transition",
        details=[{"field": "state", "message": current.state, "type": "state"}],
    )


def withdraw(business_id: str, request_id: str, now: datetime | None = None) -> VerificationRequest:
    now = now or utc_now()
    record = _own_request(business_id, request_id)
    target = VerificationState.WITHDRAWN
    if record.state not in OPEN_STATES:
        raise _refused_transition(record, target)
    try:
        # From exactly the state read, so the audit entry's from_state is the truth (a claim may race).
        store.transition(
            record,
            (record.state,),
            [VerificationRequestRecord.state.set(target.value), VerificationRequestRecord.updated_at.set(_iso(now))],
            _audit(record, BUSINESS_ACTOR, now, target, record.state),
            store.BusinessChange([BusinessRecord.open_verification_request.remove()]),
        )
    except store.TransitionRefused as refused:
        raise _refused_transition(record, target) from refused
    return get_request(business_id, request_id)


def _safe_filename(filename: str) -> str:
    # It ends up in a Content-Disposition header of the reviewers' download links.
    return re.sub(r"[^\w .()+-]", "_", filename).strip() or "document"


def _change_documents(
    business_id: str,
    request_id: str,
    change: Callable[[VerificationRequestRecord], list[DocumentAttribute]],
    now: datetime,
) -> VerificationRequestRecord:
    """Apply `change` to the document list of an open request, retrying when another write came first."""
    for _ in range(3):
        record = _own_request(business_id, request_id)
        if record.state not in OPEN_STATES:
            raise Conflict(f"The request is {record.state}; documents can no longer change.", code="request_closed")
        documents = change(record)
        attached = sum(1 for document in documents if document.state == "attached")
        checks = with_document_count(_stored_checks(record), attached)
        if store.save_documents(record, documents, _check_attributes(checks), record.updated_at, _iso(now)):
            return _own_request(business_id, request_id)
    raise Conflict("The request changed meanwhile; please retry.", code="concurrent_update")


def request_document_upload(
    business_id: str, request_id: str, upload: DocumentUploadRequest, now: datetime | None = None
) -> DocumentUpload:
    now = now or utc_now()
    document_id = new_id("doc")
    object_key = f"{business_id}/{request_id}/{document_id}"

    def add(record: VerificationRequestRecord) -> list[DocumentAttribute]:
        if len(record.documents or []) >= MAX_DOCUMENTS:
            raise Conflict(f"A request holds at most {MAX_DOCUMENTS} documents.", code="too_many_documents")
        new = DocumentAttribute(
            document_id=document_id,
            filename=_safe_filename(upload.filename),
            content_type=upload.content_type,
            object_key=object_key,
            state="awaiting_upload",
            created_at=_iso(now),
        )
        return [*(record.documents or []), new]

    _change_documents(business_id, request_id, add, now)
    form = document_store.presigned_upload(
        object_key, upload.content_type, MAX_DOCUMENT_BYTES, int(UPLOAD_FORM_VALID_FOR.total_seconds())
    )
    return DocumentUpload(
        document_id=document_id,
        upload=PresignedPost(url=form["url"], fields=form["fields"]),
        expires_at=now + UPLOAD_FORM_VALID_FOR,
        max_bytes=MAX_DOCUMENT_BYTES,
    )


def _refusal(stored: document_store.StoredObject, declared_type: str) -> str | None:
    """Why an uploaded file breaks the upload policy, or None. S3 enforces it; this checks it again."""
    if stored.size_bytes > MAX_DOCUMENT_BYTES:
        return f"the file is {stored.size_bytes} bytes; at most {MAX_DOCUMENT_BYTES} are allowed"
    if stored.size_bytes == 0:
        return "the file is empty"
    if stored.content_type.split(";")[0].strip().lower() != declared_type:
        return f"the file was uploaded as {stored.content_type or 'no type'}, not {declared_type}"
    if not stored.first_bytes.startswith(FILE_SIGNATURES[declared_type]):
        return f"the file's content is not {declared_type}"
    return None


def attach_document(
    business_id: str, request_id: str, document_id: str, now: datetime | None = None
) -> VerificationRequest:
    """Check the uploaded file against the upload policy and attach it; a refused file is deleted."""
    now = now or utc_now()
    record = _own_request(business_id, request_id)
    document = next((item for item in record.documents or [] if item.document_id == document_id), None)
    if document is None:
        raise NotFound("No such document.")
    if document.state == "attached":
        return _view(record)
    stored = document_store.stored_object(document.object_key)
    if stored is None:
        raise Conflict(
            "Nothing was uploaded for this document yet: upload it with the form first.", code="not_uploaded"
        )
    refusal = _refusal(stored, document.content_type)
    if refusal:
        document_store.delete_object(document.object_key)
        raise DocumentRejected(f"The document was refused and deleted: {refusal}.")

    def attach(current: VerificationRequestRecord) -> list[DocumentAttribute]:
        documents = list(current.documents or [])
        for item in documents:
            if item.document_id == document_id and item.state != "attached":
                item.state = "attached"
                item.size_bytes = stored.size_bytes
                item.attached_at = _iso(now)
        return documents

    return _view(_change_documents(business_id, request_id, attach, now))


# -- reviewers --------------------------------------------------------------------------------
def _any_request(request_id: str) -> VerificationRequestRecord:
    record = store.find_request(request_id)
    if record is None:
        raise NotFound("No such verification request.")
    return record


def list_for_review(state: VerificationState, limit: int, cursor: str | None) -> ReviewedVerificationRequestList:
    records, next_cursor = store.requests_in_state(state.value, limit, cursor)
    return ReviewedVerificationRequestList(
        items=[_reviewed_view(record) for record in records], next_cursor=next_cursor
    )


def review(request_id: str, now: datetime | None = None) -> ReviewedVerificationRequestWithDocuments:
    now = now or utc_now()
    record = _any_request(request_id)
    valid_for = int(DOWNLOAD_LINK_VALID_FOR.total_seconds())
    links = [
        DocumentLink(
            document_id=document.document_id,
            filename=document.filename,
            content_type=document.content_type,
            size_bytes=int(document.size_bytes) if document.size_bytes is not None else None,
            url=document_store.presigned_download(document.object_key, document.filename, valid_for),
            expires_at=now + DOWNLOAD_LINK_VALID_FOR,
        )
        for document in record.documents or []
        if document.state == "attached"
    ]
    return ReviewedVerificationRequestWithDocuments(**_reviewed_view(record).model_dump(), document_links=links)


def claim(request_id: str, reviewer: str, now: datetime | None = None) -> ReviewedVerificationRequest:
    now = now or utc_now()
    record = _any_request(request_id)
    target = VerificationState.IN_REVIEW
    try:
        store.transition(
            record,
            (VerificationState.SUBMITTED,),
            [
                VerificationRequestRecord.state.set(target.value),
                VerificationRequestRecord.claimed_by.set(reviewer),
                VerificationRequestRecord.claimed_at.set(_iso(now)),
                VerificationRequestRecord.updated_at.set(_iso(now)),
            ],
            _audit(record, reviewer, now, target, record.state),
        )
    except store.TransitionRefused as refused:
        raise _refused_transition(record, target) from refused
    return _reviewed_view(store.get_request(record.business_id, request_id))


def _approval_change(
    record: VerificationRequestRecord, size_class: SizeClass | None, now: datetime
) -> tuple[store.BusinessChange, SizeClass]:
    """The badge, the confirmed size figures and the tier they give (from next month, as always)."""
    business = accounts.get_business(record.business_id, now.date())
    resized = accounts.resize(business, _size_of(record), now.date(), size_class).model_copy(update={"updated_at": now})
    actions = [
        *business_update_actions(resized),
        BusinessRecord.badge.set("verified"),
        BusinessRecord.verified_name.set(record.legal_name),
        BusinessRecord.verified_at.set(_iso(now)),
        BusinessRecord.verified_by_request.set(record.request_id),
        BusinessRecord.badge_revoked_at.remove(),
        BusinessRecord.open_verification_request.remove(),
    ]
    # Written over what was read: a concurrent change of the business makes the reviewer retry.
    return store.BusinessChange(actions, BusinessRecord.updated_at == _iso(business.updated_at)), resized.size_class


def decide(
    request_id: str, reviewer: str, decision: DecisionRequest, now: datetime | None = None
) -> ReviewedVerificationRequest:
    now = now or utc_now()
    record = _any_request(request_id)
    target = VerificationState(decision.decision)
    if record.state != VerificationState.IN_REVIEW:
        raise _refused_transition(record, target)
    request_actions = [
        VerificationRequestRecord.state.set(target.value),
        VerificationRequestRecord.decided_by.set(reviewer),
        VerificationRequestRecord.decided_at.set(_iso(now)),
        VerificationRequestRecord.decision_reason.set(decision.reason),
        VerificationRequestRecord.updated_at.set(_iso(now)),
    ]
    if target == VerificationState.APPROVED:
        change, size_class = _approval_change(record, decision.size_class, now)
        request_actions.append(VerificationRequestRecord.confirmed_size_class.set(size_class.value))
    else:
        if decision.size_class is not None:
            raise ValidationFailed(
                "The request has invalid fields.",
                details=[{"field": "size_class", "message": "only an approval confirms a size class", "type": "value"}],
            )
        change = store.BusinessChange(
            [
                BusinessRecord.open_verification_request.remove(),
                BusinessRecord.verification_reapply_after.set(_iso(now + REAPPLY_AFTER)),
            ]
        )
    try:
        store.transition(
            record,
            (VerificationState.IN_REVIEW,),
            request_actions,
            _audit(record, reviewer, now, target, record.state, decision.reason),
            change,
        )
    except store.TransitionRefused as refused:
        if refused.business_refused:
            raise Conflict("The business changed meanwhile; please retry.", code="concurrent_update") from refused
        raise _refused_transition(record, target) from refused
    return _reviewed_view(store.get_request(record.business_id, request_id))


def revoke_badge(business_id: str, reviewer: str, reason: str, now: datetime | None = None) -> BadgeRevoked:
    now = now or utc_now()
    business = store.business(business_id)
    if business is None:
        raise NotFound("No such business.")
    record = store.get_request(business_id, business.verified_by_request) if business.verified_by_request else None
    if not business.badge or record is None:
        raise Conflict("The business carries no verified badge.", code="not_verified")
    target = VerificationState.REVOKED
    try:
        store.transition(
            record,
            (VerificationState.APPROVED,),
            [
                VerificationRequestRecord.state.set(target.value),
                VerificationRequestRecord.revoked_at.set(_iso(now)),
                VerificationRequestRecord.revoked_reason.set(reason),
                VerificationRequestRecord.updated_at.set(_iso(now)),
            ],
            _audit(record, reviewer, now, target, record.state, reason),
            store.BusinessChange(
                [
                    BusinessRecord.badge.remove(),
                    BusinessRecord.verified_name.remove(),
                    BusinessRecord.verified_at.remove(),
                    BusinessRecord.verified_by_request.remove(),
                    BusinessRecord.badge_revoked_at.set(_iso(now)),
                ],
                BusinessRecord.verified_by_request == record.request_id,
            ),
        )
    except store.TransitionRefused as refused:
        raise Conflict("The business carries no verified badge.", code="not_verified") from refused
    return BadgeRevoked(business_id=business_id, request_id=record.request_id, revoked_at=now)


def audit_trail(request_id: str) -> AuditTrail:
    _any_request(request_id)
    entries = sorted(store.audit_entries(request_id), key=lambda entry: entry.at)
    return AuditTrail(
        request_id=request_id,
        entries=[
            AuditEntry(
                at=_parse(entry.at),
                actor=entry.actor,
                from_state=entry.from_state,
                to_state=entry.to_state,
                reason=entry.reason,
            )
            for entry in entries
        ],
    )
