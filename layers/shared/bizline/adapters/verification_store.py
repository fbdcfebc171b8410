"""Persistence of verification requests, their audit trail and what they change on the business.

Every transition is one DynamoDB transaction: the request's new state (conditional on the state it
was read in), its audit entry, and whatever it changes on the business. Two reviewers deciding at the
same moment cannot both win, and no transition exists without its audit entry.
"""

from typing import Any, assert_never

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from bizline.adapters.accounts_store import business_update_actions
from bizline.adapters.conditional import transact, update_if
from bizline.adapters.cursors import decode_cursor, encode_cursor, in_partition
from bizline.adapters.record_attributes import size_attributes, size_of, writes
from bizline.adapters.tables import (
    BusinessRecord,
    CheckResultAttribute,
    DocumentAttribute,
    VerificationAuditRecord,
    VerificationRequestRecord,
)
from bizline.clock import from_iso, to_iso
from bizline.models.tiers import SizeClass
from bizline.models.verification import (
    BusinessChange,
    Check,
    CloseOpenRequest,
    GrantBadge,
    RejectApplication,
    RevokeBadge,
    StoredAuditEntry,
    StoredDocument,
    StoredVerificationRequest,
    VerificationStanding,
    VerificationState,
)
from bizline.rules.verification_states import (
    OPEN_STATES,
    application_refused,
    business_changed,
    refused_transition,
)

# What a transition may write on a request: its state, who moved it, when and why.
_TRANSITION_FIELDS = (
    "state",
    "claimed_by",
    "claimed_at",
    "decided_by",
    "decided_at",
    "decision_reason",
    "confirmed_size_class",
    "revoked_at",
    "revoked_reason",
    "updated_at",
)
_DOCUMENT_FIELDS = ("documents", "checks", "updated_at")
# The position of the business's write in a transition's transaction.
_BUSINESS_WRITE = 2


# -- records <-> domain types -----------------------------------------------------------------
def _document_from_attribute(attribute: DocumentAttribute) -> StoredDocument:
    return StoredDocument(
        document_id=attribute.document_id,
        filename=attribute.filename,
        content_type=attribute.content_type,
        object_key=attribute.object_key,
        state=attribute.state,
        created_at=from_iso(attribute.created_at),
        size_bytes=int(attribute.size_bytes) if attribute.size_bytes is not None else None,
        attached_at=from_iso(attribute.attached_at),
    )


def _document_attribute(document: StoredDocument) -> DocumentAttribute:
    return DocumentAttribute(
        document_id=document.document_id,
        filename=document.filename,
        content_type=document.content_type,
        object_key=document.object_key,
        state=document.state,
        size_bytes=document.size_bytes,
        created_at=to_iso(document.created_at),
        attached_at=to_iso(document.attached_at),
    )


def _request_from_record(record: VerificationRequestRecord) -> StoredVerificationRequest:
    return StoredVerificationRequest(
        request_id=record.request_id,
        business_id=record.business_id,
        state=VerificationState(record.state),
        legal_name=record.legal_name,
        display_name=record.display_name,
        registration_number=record.registration_number,
        register_name=record.register_name,
        country=record.country,
        registered_address=record.registered_address,
        website=record.website,
        contact_email=record.contact_email,
        size=size_of(record),
        checks=tuple(Check(check.name, check.passed, check.detail) for check in record.checks or []),
        documents=tuple(_document_from_attribute(document) for document in record.documents or []),
        submitted_at=from_iso(record.submitted_at),
        updated_at=from_iso(record.updated_at),
        claimed_by=record.claimed_by,
        claimed_at=from_iso(record.claimed_at),
        decided_by=record.decided_by,
        decided_at=from_iso(record.decided_at),
        decision_reason=record.decision_reason,
        confirmed_size_class=SizeClass(record.confirmed_size_class) if record.confirmed_size_class else None,
        revoked_at=from_iso(record.revoked_at),
        revoked_reason=record.revoked_reason,
    )


def _request_attributes(request: StoredVerificationRequest) -> dict[str, Any]:
    """Every attribute of the request's record but its key."""
    return {
        "state": request.state.value,
        "legal_name": request.legal_name,
        "display_name": request.display_name,
        "registration_number": request.registration_number,
        "register_name": request.register_name,
        "country": request.country,
        "registered_address": request.registered_address,
        "website": request.website,
        "contact_email": request.contact_email,
        **size_attributes(request.size),
        "checks": [
            CheckResultAttribute(name=check.name, passed=check.passed, detail=check.detail) for check in request.checks
        ],
        "documents": [_document_attribute(document) for document in request.documents],
        "submitted_at": to_iso(request.submitted_at),
        "updated_at": to_iso(request.updated_at),
        "claimed_by": request.claimed_by,
        "claimed_at": to_iso(request.claimed_at),
        "decided_by": request.decided_by,
        "decided_at": to_iso(request.decided_at),
        "decision_reason": request.decision_reason,
        "confirmed_size_class": request.confirmed_size_class.value if request.confirmed_size_class else None,
        "revoked_at": to_iso(request.revoked_at),
        "revoked_reason": request.revoked_reason,
    }


def _request_key(request: StoredVerificationRequest) -> VerificationRequestRecord:
    return VerificationRequestRecord(business_id=request.business_id, request_id=request.request_id)


def _audit_from_record(record: VerificationAuditRecord) -> StoredAuditEntry:
    return StoredAuditEntry(
        request_id=record.request_id,
        business_id=record.business_id,
        actor=record.actor,
        at=from_iso(record.at),
        from_state=VerificationState(record.from_state) if record.from_state else None,
        to_state=VerificationState(record.to_state),
        reason=record.reason,
    )


def _audit_record(
    before: StoredVerificationRequest | None, after: StoredVerificationRequest, actor: str, reason: str | None
) -> VerificationAuditRecord:
    """The audit entry of the move from `before` (None: the request is new) to `after`, at its update time."""
    at = to_iso(after.updated_at)
    return VerificationAuditRecord(
        request_id=after.request_id,
        # Each state is reached at most once per request, so this key is unique per transition.
        entry_id=f"{at}#{after.state.value}",
        business_id=after.business_id,
        actor=actor,
        at=at,
        from_state=before.state.value if before else None,
        to_state=after.state.value,
        reason=reason,
    )


def _business_writes(
    change: BusinessChange, request: StoredVerificationRequest
) -> tuple[list[Action], Condition | None]:
    """The actions a business change takes, and the state the business must be in for them."""
    at = to_iso(request.updated_at)
    match change:
        case CloseOpenRequest():
            return writes(BusinessRecord, {"open_verification_request": None}), None
        case RejectApplication(reapply_after=reapply_after):
            values = {"open_verification_request": None, "verification_reapply_after": to_iso(reapply_after)}
            return writes(BusinessRecord, values), None
        case GrantBadge(verified_name=verified_name, business=business, expected_updated_at=expected_updated_at):
            values = {
                "badge": "verified",
                "verified_name": verified_name,
                "verified_at": at,
                "verified_by_request": request.request_id,
                "badge_revoked_at": None,
                "open_verification_request": None,
            }
            # Written over what was read: a concurrent change of the business makes the reviewer retry.
            actions = [*business_update_actions(business), *writes(BusinessRecord, values)]
            return actions, BusinessRecord.updated_at == to_iso(expected_updated_at)
        case RevokeBadge():
            values = {
                "badge": None,
                "verified_name": None,
                "verified_at": None,
                "verified_by_request": None,
                "badge_revoked_at": at,
            }
            return writes(BusinessRecord, values), BusinessRecord.verified_by_request == request.request_id
    assert_never(change)


# -- reads ------------------------------------------------------------------------------------
def get_request(business_id: str, request_id: str) -> StoredVerificationRequest | None:
    """One of the business's requests (consistent read), or None."""
    try:
        return _request_from_record(VerificationRequestRecord.get(business_id, request_id, consistent_read=True))
    except DoesNotExist:
        return None


def find_request(request_id: str) -> StoredVerificationRequest | None:
    """A request by id alone (reviewers): the index names its business, the table has the truth."""
    for key in VerificationRequestRecord.by_request.query(request_id, limit=1):
        return get_request(key.business_id, request_id)
    return None


def requests_of_business(business_id: str) -> list[StoredVerificationRequest]:
    """Every request of the business."""
    return [
        _request_from_record(record) for record in VerificationRequestRecord.query(business_id, consistent_read=True)
    ]


def requests_in_state(
    state: VerificationState, limit: int, cursor: str | None
) -> tuple[list[StoredVerificationRequest], str | None]:
    """A page of the requests in `state`, oldest first, and the cursor of the next page."""
    result = VerificationRequestRecord.by_state.query(
        state.value,
        scan_index_forward=True,
        limit=limit,
        last_evaluated_key=decode_cursor(
            cursor, in_partition("state", state.value), scope=f"review-queue:{state.value}"
        ),
    )
    items = [_request_from_record(record) for record in result]
    return items, encode_cursor(result.last_evaluated_key, scope=f"review-queue:{state.value}")


def audit_entries(request_id: str) -> list[StoredAuditEntry]:
    """Every audit entry of the request."""
    return [_audit_from_record(record) for record in VerificationAuditRecord.query(request_id, consistent_read=True)]


def verified_names() -> list[tuple[str, str]]:
    """(business id, verified name) of every verified business, from the sparse badge index."""
    return [(item.business_id, item.verified_name) for item in BusinessRecord.by_badge.query("verified")]


def standing(business_id: str) -> VerificationStanding | None:
    """The business's open request, its wait after a rejection and its badge's request; None if unknown."""
    try:
        record = BusinessRecord.get(business_id, consistent_read=True)
    except DoesNotExist:
        return None
    return VerificationStanding(
        open_request_id=record.open_verification_request,
        reapply_after=from_iso(record.verification_reapply_after),
        badge_request_id=record.verified_by_request if record.badge else None,
    )


# -- writes -----------------------------------------------------------------------------------
def open_request(request: StoredVerificationRequest, actor: str) -> None:
    """Store a new request as the business's one open request, with its audit entry.

    Refused with the reason when the business may not apply now: it has an open request, must wait
    after a rejection, or does not exist.
    """
    now_iso = to_iso(request.submitted_at)
    may_apply = BusinessRecord.open_verification_request.does_not_exist() & (
        BusinessRecord.verification_reapply_after.does_not_exist()
        | (BusinessRecord.verification_reapply_after <= now_iso)
    )

    def write(transaction: TransactWrite) -> None:
        record = VerificationRequestRecord(
            business_id=request.business_id, request_id=request.request_id, **_request_attributes(request)
        )
        transaction.save(record, condition=VerificationRequestRecord.request_id.does_not_exist())
        transaction.update(
            BusinessRecord(business_id=request.business_id),
            actions=[BusinessRecord.open_verification_request.set(request.request_id)],
            condition=BusinessRecord.business_id.exists() & may_apply,
        )
        transaction.save(
            _audit_record(None, request, actor, None), condition=VerificationAuditRecord.entry_id.does_not_exist()
        )

    if transact(write):
        raise application_refused(standing(request.business_id), request.submitted_at)


def transition(
    read: StoredVerificationRequest,
    moved: StoredVerificationRequest,
    actor: str,
    reason: str | None = None,
    business_change: BusinessChange | None = None,
) -> None:
    """Move a request from the state it was read in to `moved`, with its audit entry and business change.

    All or nothing: `TransitionRefused` when the request left its state meanwhile, `Conflict`
    (concurrent_update) when the business is not in the state the change needs.
    """
    before, after = _request_attributes(read), _request_attributes(moved)
    changed = {name: after[name] for name in _TRANSITION_FIELDS if after[name] != before[name]}

    def write(transaction: TransactWrite) -> None:
        transaction.update(
            _request_key(read),
            actions=writes(VerificationRequestRecord, changed),
            condition=VerificationRequestRecord.state == read.state.value,
        )
        transaction.save(
            _audit_record(read, moved, actor, reason), condition=VerificationAuditRecord.entry_id.does_not_exist()
        )
        if business_change is not None:
            actions, condition = _business_writes(business_change, moved)
            exists = BusinessRecord.business_id.exists()
            transaction.update(
                BusinessRecord(business_id=read.business_id),
                actions=actions,
                condition=exists & condition if condition is not None else exists,
            )

    refused = transact(write)
    if refused == [_BUSINESS_WRITE]:
        raise business_changed()
    if refused:
        current = get_request(read.business_id, read.request_id) or read
        raise refused_transition(current.state, moved.state)


def replace_documents(read: StoredVerificationRequest, changed: StoredVerificationRequest) -> bool:
    """Write the documents and checks of an open request nobody changed since it was read; False if somebody did."""
    attributes = _request_attributes(changed)
    return update_if(
        _request_key(read),
        writes(VerificationRequestRecord, {name: attributes[name] for name in _DOCUMENT_FIELDS}),
        (VerificationRequestRecord.updated_at == to_iso(read.updated_at))
        & VerificationRequestRecord.state.is_in(*(state.value for state in OPEN_STATES)),
    )
