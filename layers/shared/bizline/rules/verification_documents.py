"""What a verification request's documents may be: types, sizes, names, and how they change a request.

S3 enforces the upload form's policy; `refusal` checks the uploaded file against it again, because
a file may claim any type: a renamed file is refused by its first bytes.
"""

import re
from dataclasses import replace
from datetime import datetime, timedelta

from bizline.errors import BizlineError, Conflict
from bizline.models.verification import StoredDocument, StoredVerificationRequest, UploadedFile
from bizline.rules.verification_checks import with_document_count
from bizline.rules.verification_states import OPEN_STATES

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


class DocumentRejected(BizlineError):
    status_code = 422
    code = "document_rejected"


def safe_filename(filename: str) -> str:
    """The filename with only harmless characters, never empty."""
    # It ends up in a Content-Disposition header of the reviewers' download links.
    return re.sub(r"[^\w .()+-]", "_", filename).strip() or "document"


def refusal(uploaded: UploadedFile, declared_type: str) -> str | None:
    """Why an uploaded file breaks the upload policy for `declared_type`, or None."""
    if uploaded.size_bytes > MAX_DOCUMENT_BYTES:
        return f"the file is {uploaded.size_bytes} bytes; at most {MAX_DOCUMENT_BYTES} are allowed"
    if uploaded.size_bytes == 0:
        return "the file is empty"
    if uploaded.content_type.split(";")[0].strip().lower() != declared_type:
        return f"the file was uploaded as {uploaded.content_type or 'no type'}, not {declared_type}"
    if not uploaded.first_bytes.startswith(FILE_SIGNATURES[declared_type]):
        return f"the file's content is not {declared_type}"
    return None


def _with_documents(
    request: StoredVerificationRequest, documents: tuple[StoredDocument, ...], now: datetime
) -> StoredVerificationRequest:
    """The request with these documents, and its document check brought up to date."""
    attached = sum(1 for document in documents if document.state == "attached")
    checks = tuple(with_document_count(list(request.checks), attached))
    return replace(request, documents=documents, checks=checks, updated_at=now)


def _require_open(request: StoredVerificationRequest) -> None:
    if request.state not in OPEN_STATES:
        raise Conflict(f"The request is {request.state.value}; documents can no longer change.", code="request_closed")


def with_document_added(
    request: StoredVerificationRequest, document: StoredDocument, now: datetime
) -> StoredVerificationRequest:
    """The open request with one more document, up to MAX_DOCUMENTS."""
    _require_open(request)
    if len(request.documents) >= MAX_DOCUMENTS:
        raise Conflict(f"A request holds at most {MAX_DOCUMENTS} documents.", code="too_many_documents")
    return _with_documents(request, (*request.documents, document), now)


def with_document_attached(
    request: StoredVerificationRequest, document_id: str, size_bytes: int, now: datetime
) -> StoredVerificationRequest:
    """The open request with the document attached (one attached already stays as it was)."""
    _require_open(request)
    documents = tuple(
        replace(document, state="attached", size_bytes=size_bytes, attached_at=now)
        if document.document_id == document_id and document.state != "attached"
        else document
        for document in request.documents
    )
    return _with_documents(request, documents, now)
