"""Business verification: requests, documents, checks, reviewers' decisions and the public badge.

The API's request and response models, and the domain types the verification store speaks.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from bizline.models.businesses import Business, SizeFigures
from bizline.models.common import ContactEmail, CountryCode, HttpsUrl, Name, RequestModel, ResponseModel, text
from bizline.models.tiers import SizeClass


@dataclass(frozen=True)
class Check:
    """The outcome of one automated check on a verification request: it flags, it never rejects."""

    name: str
    passed: bool
    detail: str


class VerificationState(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


DocumentType = Literal["application/pdf", "image/png", "image/jpeg"]
DocumentState = Literal["awaiting_upload", "attached"]
Reason = text(1000)
# What a customer may type to look a number up, and all the OpenAPI document promises: E.164's 7 to
# 15 digits (the first not 0) after an optional `+` or `00`, with up to two spaces, dashes or
# parentheses between digits. (API Gateway hands the path parameter over percent-decoded.)
LOOKUP_PATTERN = r"^(\+|00)?[1-9]([ ()-]{0,2}[0-9]){6,14}$"


class VerificationRequestCreate(RequestModel):
    legal_name: Name
    registration_number: text(60) = Field(
        description="As the register shows it, e.g. `FN 123456a` (AT Firmenbuch) or `HRB 12345` (DE)."
    )
    register_name: text(200) = Field(
        description="The register that holds the entry, e.g. `Firmenbuch, Handelsgericht Wien`."
    )
    country: CountryCode
    registered_address: text(500)
    website: HttpsUrl
    contact_email: ContactEmail
    size: SizeFigures = Field(description="The figures a reviewer confirms; they decide the tier.")


class CheckResult(ResponseModel):
    name: str
    passed: bool
    detail: str


class VerificationDocument(ResponseModel):
    document_id: str
    filename: str
    content_type: str
    state: DocumentState
    size_bytes: int | None = None
    created_at: datetime
    attached_at: datetime | None = None


class VerificationRequest(ResponseModel):
    request_id: str
    business_id: str
    state: VerificationState
    legal_name: str
    display_name: str = Field(description="The business's display name when it applied (checked for look-alikes).")
    registration_number: str
    register_name: str
    country: str
    registered_address: str
    website: str
    contact_email: str
    size: SizeFigures
    checks: list[CheckResult] = Field(description="Automated checks. A failed check flags; it does not reject.")
    flagged: bool = Field(description="True when any automated check failed.")
    documents: list[VerificationDocument]
    submitted_at: datetime
    updated_at: datetime
    decided_at: datetime | None = None
    decision_reason: str | None = None
    confirmed_size_class: SizeClass | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


class VerificationRequestList(ResponseModel):
    items: list[VerificationRequest]
    next_cursor: str | None = None


class DocumentUploadRequest(RequestModel):
    filename: text(200)
    content_type: DocumentType = Field(description="PDF, PNG or JPEG; the upload must match it.")


class PresignedPost(ResponseModel):
    url: str
    fields: dict[str, str] = Field(description="Send these as form fields before the `file` field.")


class DocumentUpload(ResponseModel):
    document_id: str
    upload: PresignedPost = Field(description="An S3 POST form: multipart/form-data, the file last, as `file`.")
    expires_at: datetime
    max_bytes: int


# -- reviewers --------------------------------------------------------------------------------
class ReviewedVerificationRequest(VerificationRequest):
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    decided_by: str | None = None


class DocumentLink(ResponseModel):
    document_id: str
    filename: str
    content_type: str
    size_bytes: int | None = None
    url: str = Field(description="A presigned GET, valid for a few minutes.")
    preview_url: str = Field(description="A presigned GET showing the document in the browser, valid as long.")
    expires_at: datetime


class ReviewedVerificationRequestWithDocuments(ReviewedVerificationRequest):
    document_links: list[DocumentLink]


class ReviewedVerificationRequestList(ResponseModel):
    items: list[ReviewedVerificationRequest]
    next_cursor: str | None = None


class DecisionRequest(RequestModel):
    decision: Literal["approved", "rejected"]
    reason: Reason
    size_class: SizeClass | None = Field(
        default=None, description="Correct the size class the figures give; it decides the tier."
    )


class RevocationRequest(RequestModel):
    reason: Reason


class AuditEntry(ResponseModel):
    at: datetime
    actor: str
    from_state: VerificationState | None = None
    to_state: VerificationState
    reason: str | None = None


class AuditTrail(ResponseModel):
    request_id: str
    entries: list[AuditEntry]


class BadgeRevoked(ResponseModel):
    business_id: str
    request_id: str
    revoked_at: datetime


# -- customers --------------------------------------------------------------------------------
class PublicVerification(ResponseModel):
    """The same shape for every number: unknown and unverified cannot be told apart."""

    phone_number: str = Field(description="The number asked about, in E.164.")
    verified: bool
    verified_name: str | None = None
    verified_since: date | None = None


# -- domain types of the verification store ---------------------------------------------------
@dataclass(frozen=True)
class StoredDocument:
    """A document of a request: asked for (`awaiting_upload`), then `attached` once its upload passed."""

    document_id: str
    filename: str
    content_type: str
    object_key: str
    state: DocumentState
    created_at: datetime
    size_bytes: int | None = None
    attached_at: datetime | None = None


@dataclass(frozen=True)
class StoredVerificationRequest:
    """A verification request as stored: what the business applied with, and every step since."""

    request_id: str
    business_id: str
    state: VerificationState
    legal_name: str
    display_name: str
    registration_number: str
    register_name: str
    country: str
    registered_address: str
    website: str
    contact_email: str
    size: SizeFigures
    checks: tuple[Check, ...]
    documents: tuple[StoredDocument, ...]
    submitted_at: datetime
    updated_at: datetime
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    confirmed_size_class: SizeClass | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    @property
    def flagged(self) -> bool:
        return any(not check.passed for check in self.checks)

    def document(self, document_id: str) -> StoredDocument | None:
        return next((document for document in self.documents if document.document_id == document_id), None)


@dataclass(frozen=True)
class StoredAuditEntry:
    """One transition of a request: who moved it, when, from which state to which, and why."""

    request_id: str
    business_id: str
    actor: str
    at: datetime
    from_state: VerificationState | None
    to_state: VerificationState
    reason: str | None = None


@dataclass(frozen=True)
class VerificationStanding:
    """What the business record says about verification: its open request, its wait, its badge."""

    open_request_id: str | None
    reapply_after: datetime | None
    badge_request_id: str | None = None


@dataclass(frozen=True)
class UploadedFile:
    """What S3 holds for a document: its size, the type it was uploaded as, and its first bytes."""

    size_bytes: int
    content_type: str
    first_bytes: bytes


# What a transition changes on the business, in the same transaction as the request.
@dataclass(frozen=True)
class CloseOpenRequest:
    """The request is no longer open: the business may apply again."""


@dataclass(frozen=True)
class RejectApplication:
    """The request is closed, and the business may apply again only after `reapply_after`."""

    reapply_after: datetime


@dataclass(frozen=True)
class GrantBadge:
    """The badge under `verified_name`, and `business` (resized) written only over the version read."""

    verified_name: str
    business: Business
    expected_updated_at: datetime


@dataclass(frozen=True)
class RevokeBadge:
    """The badge the transition's request gave is taken away."""


BusinessChange = CloseOpenRequest | RejectApplication | GrantBadge | RevokeBadge
