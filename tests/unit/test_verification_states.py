"""The verification state machine, every pair of states, and why a business may not apply now."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from bizline.errors import Conflict, NotFound, TransitionRefused
from bizline.models.verification import VerificationStanding
from bizline.models.verification import VerificationState as State
from bizline.rules.verification_states import (
    OPEN_STATES,
    application_refused,
    may_leave,
    refused_transition,
    require_transition,
)

ALLOWED = {
    (State.SUBMITTED, State.IN_REVIEW),  # a reviewer claims it
    (State.IN_REVIEW, State.APPROVED),  # the decision
    (State.IN_REVIEW, State.REJECTED),
    (State.SUBMITTED, State.WITHDRAWN),  # the business withdraws it
    (State.IN_REVIEW, State.WITHDRAWN),
    (State.APPROVED, State.REVOKED),  # a reviewer takes the badge back
}
REFUSED = set(product(State, State)) - ALLOWED
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def _pair_id(pair):
    return f"{pair[0].value}->{pair[1].value}"


@pytest.mark.parametrize("pair", sorted(ALLOWED), ids=_pair_id)
def test_allowed_transitions(pair):
    # Given a request in a state, When it is asked to move where the state machine lets it
    current, target = pair
    # Then it may, and nothing is refused
    assert may_leave(current, target)
    require_transition(current, target)


@pytest.mark.parametrize("pair", sorted(REFUSED), ids=_pair_id)
def test_refused_transitions(pair):
    # Given a request in a state, When it is asked to move anywhere else
    current, target = pair
    # Then it may not, and the refusal names the state it is in
    assert not may_leave(current, target)
    with pytest.raises(TransitionRefused) as refused:
        require_transition(current, target)
    assert refused.value.status_code == 409
    assert refused.value.code == "invalid_transition"
    assert refused.value.message == f"The request is {current.value}; it cannot become {target.value}."
    assert refused.value.details == [{"field": "state", "message": current.value, "type": "state"}]


def test_every_pair_of_states_is_either_allowed_or_refused():
    assert len(ALLOWED) + len(REFUSED) == len(State) ** 2


def test_open_states_are_the_undecided_ones_a_business_may_withdraw():
    assert {state for state in State if may_leave(state, State.WITHDRAWN)} == OPEN_STATES
    assert {State.SUBMITTED, State.IN_REVIEW} == OPEN_STATES


def test_a_refusal_is_a_conflict_with_the_invalid_transition_code():
    refused = refused_transition(State.APPROVED, State.REJECTED)
    assert isinstance(refused, Conflict)
    assert refused.code == "invalid_transition"


# -- why a business may not apply --------------------------------------------------------------
def test_an_unknown_business_is_not_found():
    refused = application_refused(None, NOW)
    assert isinstance(refused, NotFound)
    assert refused.message == "No such business."


def test_an_open_request_is_named():
    # Given a business with an open request
    standing = VerificationStanding(open_request_id="vrq_1", reapply_after=None)
    # When its new application is explained
    refused = application_refused(standing, NOW)
    # Then the answer names the open request
    assert (refused.status_code, refused.code) == (409, "verification_request_open")
    assert "vrq_1" in refused.message


def test_a_rejected_business_is_told_from_when_it_may_apply():
    # Given a business rejected 10 days ago
    reapply_after = NOW + timedelta(days=20)
    refused = application_refused(VerificationStanding(open_request_id=None, reapply_after=reapply_after), NOW)
    # Then the answer carries the date it may apply again
    assert (refused.status_code, refused.code) == (409, "reapply_not_yet")
    assert refused.message == (
        f"A rejected business may apply again 30 days after the decision: from {reapply_after.isoformat()}."
    )
    assert refused.details == [{"field": "reapply_after", "message": reapply_after.isoformat(), "type": "date"}]


@pytest.mark.parametrize("reapply_after", [None, NOW, NOW - timedelta(days=1)], ids=["never-rejected", "today", "past"])
def test_a_business_free_to_apply_was_refused_because_it_changed_meanwhile(reapply_after):
    refused = application_refused(VerificationStanding(open_request_id=None, reapply_after=reapply_after), NOW)
    assert (refused.status_code, refused.code) == (409, "concurrent_update")
    assert refused.message == "The business changed meanwhile; please retry."
