"""A message's status: the states bizline moves a reply through, and the order of Meta's statuses.

Meta's statuses arrive out of order; a status only replaces one of lower rank, so a late
`delivered` never overwrites `read`. `failed` ranks with `read`: neither replaces the other.
"""

# bizline's own states: rank 0, so any status from Meta moves the message on.
RECEIVED = "received"  # an inbound message from a customer
ACCEPTED = "accepted"  # a reply taken at the API, waiting in the send queue
SENDING = "sending"  # a sender has claimed the reply
SUBMITTED = "submitted"  # Meta took the reply and named it (wamid)
FAILED = "failed"
WITHHELD = "withheld"  # a newsletter's message not sent: its customer opted out after its page was queued

STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, FAILED: 3}


def rank_of(status: str) -> int:
    """A status's rank; 0 for bizline's own states and for anything Meta may add later."""
    return STATUS_RANK.get(status, 0)


def may_replace(current_rank: int, status: str) -> bool:
    """Whether `status` moves a message forward from a status of `current_rank`."""
    return rank_of(status) > current_rank


def awaits_sending(status: str) -> bool:
    """Whether a reply in this state is still to be sent (accepted, or claimed by a sender)."""
    return status in (ACCEPTED, SENDING)
