"""Tell businesses about their verification: each audit entry becomes a verification.* callback.

The audit table's stream delivers every entry at least once; the delivery id comes from the
request and the state reached, so a repeated record cannot make a second callback. Entries are
handled one at a time, so one that fails is retried alone.
"""

from typing import Any

from bizline.services.deliveries import NewDelivery, create_deliveries


def callback_for(entry: dict[str, Any]) -> NewDelivery:
    """A callback from an audit entry (the stream's NEW_IMAGE, plain values)."""
    to_state = entry["to_state"]
    data = {
        "request_id": entry["request_id"],
        "state": to_state,
        "previous_state": entry.get("from_state"),
        "at": entry["at"],
        # Who reviewed stays internal; the business learns the decision and its reason.
        "reason": entry.get("reason") if to_state in {"approved", "rejected", "revoked"} else None,
    }
    return NewDelivery(
        business_id=entry["business_id"],
        event_type=f"verification.{to_state}",
        subject=f"{entry['request_id']}:{to_state}",
        data=data,
    )


def notify(entry: dict[str, Any]) -> None:
    """Record and queue the callback for one audit entry."""
    create_deliveries([callback_for(entry)])
