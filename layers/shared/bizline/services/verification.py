"""A business's side of verification: apply, follow its requests, withdraw one, add documents.

The state machine is in rules/verification_states and the document policy in
rules/verification_documents; each transition is stored with its audit entry in one transaction
(see verification_store). The reviewers' side is services/verification_review.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bizline.adapters import documents as document_store
from bizline.adapters import verification_store as store
from bizline.clock import utc_now
from bizline.errors import Conflict, NotFound
from bizline.models.verification import (
    CloseOpenRequest,
    DocumentUpload,
    DocumentUploadRequest,
    PresignedPost,
    StoredDocument,
    StoredVerificationRequest,
    VerificationRequest,
    VerificationRequestCreate,
    VerificationRequestList,
    VerificationState,
)
from bizline.rules import verification_documents as policy
from bizline.rules.api_keys import new_id
from bizline.rules.verification_checks import run_checks
from bizline.rules.verification_states import require_transition
from bizline.services import accounts

BUSINESS_ACTOR = "business"


def submit(business_id: str, request: VerificationRequestCreate, now: datetime | None = None) -> VerificationRequest:
    """Apply to be verified: the automated checks run, the request opens in state submitted."""
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
    submitted = StoredVerificationRequest(
        request_id=new_id("vrq"),
        business_id=business_id,
        state=VerificationState.SUBMITTED,
        legal_name=request.legal_name,
        display_name=business.display_name,
        registration_number=request.registration_number,
        register_name=request.register_name,
        country=request.country,
        registered_address=request.registered_address,
        website=str(request.website),
        contact_email=str(request.contact_email),
        size=request.size,
        checks=tuple(checks),
        documents=(),
        submitted_at=now,
        updated_at=now,
    )
    store.open_request(submitted, BUSINESS_ACTOR)
    return VerificationRequest.model_validate(submitted)


def _own_request(business_id: str, request_id: str) -> StoredVerificationRequest:
    request = store.get_request(business_id, request_id)
    if request is None:
        raise NotFound("No such verification request.")
    return request


def list_requests(business_id: str) -> VerificationRequestList:
    """The business's requests, newest first."""
    requests = sorted(store.requests_of_business(business_id), key=lambda request: request.submitted_at, reverse=True)
    return VerificationRequestList(items=[VerificationRequest.model_validate(request) for request in requests])


def get_request(business_id: str, request_id: str) -> VerificationRequest:
    """One of the business's requests."""
    return VerificationRequest.model_validate(_own_request(business_id, request_id))


def withdraw(business_id: str, request_id: str, now: datetime | None = None) -> VerificationRequest:
    """Withdraw a request not yet decided: the business may apply again."""
    now = now or utc_now()
    request = _own_request(business_id, request_id)
    target = VerificationState.WITHDRAWN
    require_transition(request.state, target)
    # From exactly the state read, so the audit entry's from_state is the truth (a claim may race).
    withdrawn = replace(request, state=target, updated_at=now)
    store.transition(request, withdrawn, BUSINESS_ACTOR, business_change=CloseOpenRequest())
    # Documents of a withdrawn request are no longer kept: the bucket's lifecycle rule expires them.
    for document in request.documents:
        if document.state == "attached":
            document_store.mark_retention(document.object_key, attached=False)
    return get_request(business_id, request_id)


def _change_documents(
    business_id: str,
    request_id: str,
    change: Callable[[StoredVerificationRequest], StoredVerificationRequest],
) -> StoredVerificationRequest:
    """Apply `change` to the request as stored, retrying when another write came first."""
    for _ in range(3):
        request = _own_request(business_id, request_id)
        if store.replace_documents(request, change(request)):
            return _own_request(business_id, request_id)
    raise Conflict("The request changed meanwhile; please retry.", code="concurrent_update")


def request_document_upload(
    business_id: str, request_id: str, upload: DocumentUploadRequest, now: datetime | None = None
) -> DocumentUpload:
    """Add a document awaiting its upload, and the presigned form to upload it with."""
    now = now or utc_now()
    document_id = new_id("doc")
    document = StoredDocument(
        document_id=document_id,
        filename=policy.safe_filename(upload.filename),
        content_type=upload.content_type,
        object_key=document_store.document_key(business_id, request_id, document_id),
        state="awaiting_upload",
        created_at=now,
    )
    _change_documents(business_id, request_id, lambda request: policy.with_document_added(request, document, now))
    form = document_store.presigned_upload(
        document.object_key,
        upload.content_type,
        policy.MAX_DOCUMENT_BYTES,
        int(policy.UPLOAD_FORM_VALID_FOR.total_seconds()),
    )
    return DocumentUpload(
        document_id=document_id,
        upload=PresignedPost(url=form["url"], fields=form["fields"]),
        expires_at=now + policy.UPLOAD_FORM_VALID_FOR,
        max_bytes=policy.MAX_DOCUMENT_BYTES,
    )


def attach_document(
    business_id: str, request_id: str, document_id: str, now: datetime | None = None
) -> VerificationRequest:
    """Check the uploaded file against the upload policy and attach it; a refused file is deleted."""
    now = now or utc_now()
    request = _own_request(business_id, request_id)
    document = request.document(document_id)
    if document is None:
        raise NotFound("No such document.")
    if document.state == "attached":
        return VerificationRequest.model_validate(request)
    uploaded = document_store.stored_object(document.object_key)
    if uploaded is None:
        raise Conflict(
            "Nothing was uploaded for this document yet: upload it with the form first.", code="not_uploaded"
        )
    refusal = policy.refusal(uploaded, document.content_type)
    if refusal:
        document_store.delete_object(document.object_key)
        raise policy.DocumentRejected(f"The document was refused and deleted: {refusal}.")
    # Kept from now on; tagged before the request says so, so an attached document never expires.
    document_store.mark_retention(document.object_key, attached=True)
    attached = _change_documents(
        business_id,
        request_id,
        lambda current: policy.with_document_attached(current, document_id, uploaded.size_bytes, now),
    )
    return VerificationRequest.model_validate(attached)
