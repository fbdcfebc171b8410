"""The verification state machine, and when a business may apply (again).

submitted -> in_review (a reviewer claims it); in_review -> approved | rejected (the decision);
submitted | in_review -> withdrawn (the business); approved -> revoked (a reviewer takes the badge back).
"""

from datetime import datetime, timedelta

from bizline.errors import BizlineError, Conflict, NotFound, TransitionRefused
from bizline.models.verification import VerificationStanding, VerificationState

State = VerificationState

# Each target state, and the states a request may leave to reach it.
MAY_LEAVE_FOR: dict[State, frozenset[State]] = {
    State.IN_REVIEW: frozenset({State.SUBMITTED}),
    State.APPROVED: frozenset({State.IN_REVIEW}),
    State.REJECTED: frozenset({State.IN_REVIEW}),
    State.WITHDRAWN: frozenset({State.SUBMITTED, State.IN_REVIEW}),
    State.REVOKED: frozenset({State.APPROVED}),
}
# Undecided: the business's one open request, whose documents may still change.
OPEN_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW})
REAPPLY_AFTER = timedelta(days=30)


def may_leave(current: State, target: State) -> bool:
    """Whether a request in `current` may move to `target`."""
    return current in MAY_LEAVE_FOR.get(target, frozenset())


def refused_transition(current: State, target: State) -> TransitionRefused:
    """The answer to a move the state machine does not allow (or that lost a race)."""
    return TransitionRefused(
        f"The request is {current.value}; it cannot become {target.value}.",
        details=[{"field": "state", "message": current.value, "type": "state"}],
    )


def require_transition(current: State, target: State) -> None:
    """Refuse a move from `current` to `target` the state machine does not allow."""
    if not may_leave(current, target):
        raise refused_transition(current, target)


def business_changed() -> Conflict:
    """The answer when the business changed between reading it and writing over it."""
    return Conflict("The business changed meanwhile; please retry.", code="concurrent_update")


def application_refused(standing: VerificationStanding | None, now: datetime) -> BizlineError:
    """Why a business (None: it does not exist) may not apply now."""
    if standing is None:
        return NotFound("No such business.")
    if standing.open_request_id:
        return Conflict(
            f"The business already has an open verification request ({standing.open_request_id}); "
            "withdraw it or wait for its decision.",
            code="verification_request_open",
        )
    if standing.reapply_after and standing.reapply_after > now:
        reapply_after = standing.reapply_after.isoformat()
        return Conflict(
            f"A rejected business may apply again {REAPPLY_AFTER.days} days after the decision: from {reapply_after}.",
            code="reapply_not_yet",
            details=[{"field": "reapply_after", "message": reapply_after, "type": "date"}],
        )
    # It could apply: the business changed between the refused write and this read.
    return business_changed()
