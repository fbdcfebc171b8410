"""Persistence of verification requests, their audit trail and the badge on the business.

Every transition is one DynamoDB transaction: the request's state (conditional on the state it
leaves), its audit entry, and whatever it changes on the business. Two reviewers deciding at the
same moment cannot both win, and no transition exists without its audit entry.
"""

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from bizline.adapters.cursors import decode_cursor, encode_cursor, in_partition
from bizline.adapters.tables import (
    BusinessRecord,
    VerificationAuditRecord,
    VerificationRequestRecord,
)

CONDITION_FAILED = "ConditionalCheckFailed"


def _connection() -> Any:
    return VerificationRequestRecord._get_connection().connection


def _cancelled_because(error: TransactWriteError) -> list[str | None]:
    return [reason.code if reason else None for reason in error.cancellation_reasons or []]


@dataclass(frozen=True)
class BusinessChange:
    """What a transition writes on the business, and the state the business must be in."""

    actions: list[Action]
    condition: Condition | None = None


class TransitionRefused(Exception):
    """The request (index 0) or the business (index 1) was not in the state the transition needs."""

    def __init__(self, business_refused: bool):
        super().__init__("transition refused")
        self.business_refused = business_refused


# -- reads ------------------------------------------------------------------------------------
def get_request(business_id: str, request_id: str) -> VerificationRequestRecord | None:
    try:
        return VerificationRequestRecord.get(business_id, request_id, consistent_read=True)
    except DoesNotExist:
        return None


def find_request(request_id: str) -> VerificationRequestRecord | None:
    """A request by id alone (reviewers): the index names its business, the table has the truth."""
    for key in VerificationRequestRecord.by_request.query(request_id, limit=1):
        return get_request(key.business_id, request_id)
    return None


def requests_of_business(business_id: str) -> list[VerificationRequestRecord]:
    return list(VerificationRequestRecord.query(business_id, consistent_read=True))


def requests_in_state(state: str, limit: int, cursor: str | None) -> tuple[list[VerificationRequestRecord], str | None]:
    result = VerificationRequestRecord.by_state.query(
        state,
        scan_index_forward=True,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, in_partition("state", state)),
    )
    items = list(result)
    return items, encode_cursor(result.last_evaluated_key)


def audit_entries(request_id: str) -> list[VerificationAuditRecord]:
    return list(VerificationAuditRecord.query(request_id, consistent_read=True))


def verified_names() -> list[tuple[str, str]]:
    """(business id, verified name) of every verified business, from the sparse badge index."""
    return [(item.business_id, item.verified_name) for item in BusinessRecord.by_badge.query("verified")]


def business(business_id: str) -> BusinessRecord | None:
    try:
        return BusinessRecord.get(business_id, consistent_read=True)
    except DoesNotExist:
        return None


# -- writes -----------------------------------------------------------------------------------
def open_request(request: VerificationRequestRecord, audit: VerificationAuditRecord, now_iso: str) -> bool:
    """Store a new request as the business's one open request; False when the business may not apply now
    (it has an open request, must wait after a rejection, or is gone)."""
    may_apply = BusinessRecord.open_verification_request.does_not_exist() & (
        BusinessRecord.verification_reapply_after.does_not_exist()
        | (BusinessRecord.verification_reapply_after <= now_iso)
    )
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.save(request, condition=VerificationRequestRecord.request_id.does_not_exist())
            transaction.update(
                BusinessRecord(business_id=request.business_id),
                actions=[BusinessRecord.open_verification_request.set(request.request_id)],
                condition=BusinessRecord.business_id.exists() & may_apply,
            )
            transaction.save(audit, condition=VerificationAuditRecord.entry_id.does_not_exist())
    except TransactWriteError as error:
        if CONDITION_FAILED in _cancelled_because(error):
            return False
        raise
    return True


def transition(
    request: VerificationRequestRecord,
    from_states: tuple[str, ...],
    request_actions: list[Action],
    audit: VerificationAuditRecord,
    business_change: BusinessChange | None = None,
) -> None:
    """Move a request out of one of `from_states`, with its audit entry and business change, or not at all."""
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.update(
                VerificationRequestRecord(business_id=request.business_id, request_id=request.request_id),
                actions=request_actions,
                condition=VerificationRequestRecord.state.is_in(*from_states),
            )
            transaction.save(audit, condition=VerificationAuditRecord.entry_id.does_not_exist())
            if business_change is not None:
                condition = BusinessRecord.business_id.exists()
                if business_change.condition is not None:
                    condition = condition & business_change.condition
                transaction.update(
                    BusinessRecord(business_id=request.business_id),
                    actions=business_change.actions,
                    condition=condition,
                )
    except TransactWriteError as error:
        reasons = _cancelled_because(error)
        if CONDITION_FAILED in reasons:
            raise TransitionRefused(business_refused=reasons.index(CONDITION_FAILED) == 2) from error
        raise


def save_documents(
    request: VerificationRequestRecord, documents: list[Any], checks: list[Any], expected_updated_at: str, now_iso: str
) -> bool:
    """Replace the document list and checks of an open request nobody changed since it was read."""
    try:
        VerificationRequestRecord(business_id=request.business_id, request_id=request.request_id).update(
            actions=[
                VerificationRequestRecord.documents.set(documents),
                VerificationRequestRecord.checks.set(checks),
                VerificationRequestRecord.updated_at.set(now_iso),
            ],
            condition=(VerificationRequestRecord.updated_at == expected_updated_at)
            & VerificationRequestRecord.state.is_in("submitted", "in_review"),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
