"""The document policy of verification requests: names, uploads it refuses, and how documents change a request."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from bizline.errors import Conflict
from bizline.models.businesses import SizeFigures
from bizline.models.verification import (
    StoredDocument,
    StoredVerificationRequest,
    UploadedFile,
    VerificationState,
)
from bizline.rules.verification_checks import DOCUMENTS_ATTACHED, documents_attached, email_domain_matches_website
from bizline.rules.verification_documents import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS,
    DocumentRejected,
    refusal,
    safe_filename,
    with_document_added,
    with_document_attached,
)

SUBMITTED_AT = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
NOW = SUBMITTED_AT + timedelta(minutes=5)
PDF_START = b"%PDF-1.7\n%\xe2\xe3"


def _request(state=VerificationState.SUBMITTED, documents=()):
    return StoredVerificationRequest(
        request_id="vrq_1",
        business_id="biz_1",
        state=state,
        legal_name="Bäckerei Huber GmbH",
        display_name="Bäckerei Huber",
        registration_number="FN 123456a",
        register_name="Firmenbuch",
        country="AT",
        registered_address="Hauptstraße 1, 1010 Wien",
        website="https://baeckerei-huber.at",
        contact_email="office@baeckerei-huber.at",
        size=SizeFigures(employees=4, annual_turnover_eur=350_000, balance_sheet_total_eur=120_000),
        checks=(
            email_domain_matches_website("office@baeckerei-huber.at", "https://baeckerei-huber.at"),
            documents_attached(0),
        ),
        documents=tuple(documents),
        submitted_at=SUBMITTED_AT,
        updated_at=SUBMITTED_AT,
    )


def _document(document_id="doc_1", state="awaiting_upload"):
    return StoredDocument(
        document_id=document_id,
        filename="firmenbuch.pdf",
        content_type="application/pdf",
        object_key=f"biz_1/vrq_1/{document_id}",
        state=state,
        created_at=SUBMITTED_AT,
    )


def _document_check(request):
    return next(check for check in request.checks if check.name == DOCUMENTS_ATTACHED)


# -- filenames ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("firmenbuch (2026).pdf", "firmenbuch (2026).pdf"),
        ('a"; filename="evil.exe', "a__ filename__evil.exe"),
        ("../../etc/passwd", ".._.._etc_passwd"),
        ("Auszug\r\nX-Header: 1.pdf", "Auszug__X-Header_ 1.pdf"),
        ("Bäckerei.pdf", "Bäckerei.pdf"),
        ("   ", "document"),
    ],
)
def test_a_filename_keeps_only_harmless_characters(given, kept):
    assert safe_filename(given) == kept


# -- what an upload must be --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("uploaded", "declared", "reason"),
    [
        (UploadedFile(MAX_DOCUMENT_BYTES + 1, "application/pdf", PDF_START), "application/pdf", "at most 10485760"),
        (UploadedFile(0, "application/pdf", b""), "application/pdf", "the file is empty"),
        (UploadedFile(10, "application/zip", PDF_START), "application/pdf", "uploaded as application/zip"),
        (UploadedFile(10, "", PDF_START), "application/pdf", "uploaded as no type"),
        (UploadedFile(10, "application/pdf", b"MZ\x90\x00"), "application/pdf", "content is not application/pdf"),
        (UploadedFile(10, "image/png", PDF_START), "image/png", "content is not image/png"),
    ],
    ids=["too-big", "empty", "other-type", "no-type", "renamed-exe", "pdf-called-png"],
)
def test_an_upload_breaking_the_policy_is_refused_with_its_reason(uploaded, declared, reason):
    assert reason in refusal(uploaded, declared)


@pytest.mark.parametrize(
    ("uploaded", "declared"),
    [
        (UploadedFile(MAX_DOCUMENT_BYTES, "application/pdf", PDF_START), "application/pdf"),
        (UploadedFile(10, "Application/PDF; charset=binary", PDF_START), "application/pdf"),
        (UploadedFile(10, "image/png", b"\x89PNG\r\n\x1a\n\x00"), "image/png"),
        (UploadedFile(10, "image/jpeg", b"\xff\xd8\xff\xe0"), "image/jpeg"),
    ],
)
def test_an_upload_within_the_policy_passes(uploaded, declared):
    assert refusal(uploaded, declared) is None


def test_a_rejected_document_is_a_422():
    rejected = DocumentRejected("The document was refused and deleted: the file is empty.")
    assert (rejected.status_code, rejected.code) == (422, "document_rejected")


# -- documents changing a request --------------------------------------------------------------
def test_a_document_asked_for_is_added_and_the_check_still_fails():
    # Given a submitted request without documents
    request = _request()
    # When a document is asked for
    changed = with_document_added(request, _document(), NOW)
    # Then it is listed awaiting its upload, the document check still fails, and the request is updated
    assert [document.state for document in changed.documents] == ["awaiting_upload"]
    assert _document_check(changed).passed is False
    assert changed.flagged is True
    assert changed.updated_at == NOW


def test_at_most_ten_documents():
    request = _request(documents=[_document(f"doc_{index}") for index in range(MAX_DOCUMENTS)])
    with pytest.raises(Conflict) as refused:
        with_document_added(request, _document("doc_extra"), NOW)
    assert refused.value.code == "too_many_documents"


@pytest.mark.parametrize("state", [VerificationState.APPROVED, VerificationState.REJECTED, VerificationState.WITHDRAWN])
def test_documents_of_a_closed_request_cannot_change(state):
    request = _request(state=state, documents=[_document()])
    for change in (
        lambda: with_document_added(request, _document("doc_2"), NOW),
        lambda: with_document_attached(request, "doc_1", 10, NOW),
    ):
        with pytest.raises(Conflict) as refused:
            change()
        assert refused.value.code == "request_closed"
        assert refused.value.message == f"The request is {state.value}; documents can no longer change."


def test_an_attached_document_passes_the_document_check():
    # Given a request in review with two documents asked for
    request = _request(state=VerificationState.IN_REVIEW, documents=[_document("doc_1"), _document("doc_2")])
    # When one is attached
    changed = with_document_attached(request, "doc_2", 1234, NOW)
    # Then it carries its size and time, the other is untouched, and the request is no longer flagged
    attached = changed.document("doc_2")
    assert (attached.state, attached.size_bytes, attached.attached_at) == ("attached", 1234, NOW)
    assert changed.document("doc_1") == request.document("doc_1")
    assert _document_check(changed).passed is True
    assert _document_check(changed).detail == "1 document(s) attached"
    assert changed.flagged is False


def test_attaching_an_attached_document_again_changes_nothing_about_it():
    earlier = replace(_document(), state="attached", size_bytes=99, attached_at=SUBMITTED_AT)
    changed = with_document_attached(_request(documents=[earlier]), "doc_1", 1234, NOW)
    assert changed.document("doc_1") == earlier
