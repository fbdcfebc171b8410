"""Persistence of what Meta's webhook said beyond customer messages, per business, each item kept once.

Keys are derived from content (see rules.envelope), so Meta's repeated deliveries find the item
already there. Every item expires: changes after 90 days, items kept for operators after 30.
The same table holds each business's template states (see message_templates_store).
"""

import json
from datetime import datetime

from bizline.adapters.conditional import save_if
from bizline.adapters.tables import WhatsAppEventRecord
from bizline.clock import from_iso, to_iso
from bizline.models.whatsapp_events import WhatsAppEvent

_DETAILS = ("field", "phone_number_id", "waba_id", "reason")


def record_event(event: WhatsAppEvent) -> bool:
    """Keep one item under its key; False when the same item was kept before (nothing is written)."""
    details = {name: getattr(event, name) for name in _DETAILS if getattr(event, name) is not None}
    return save_if(
        WhatsAppEventRecord(
            business_id=event.business_id,
            event_key=event.event_key,
            kind=event.kind,
            payload=json.dumps({**details, "value": event.payload}),
            received_at=to_iso(event.received_at),
            expires_at=event.expires_at,
        ),
        WhatsAppEventRecord.event_key.does_not_exist(),
    )


def list_events(business_id: str, key_prefix: str) -> list[WhatsAppEvent]:
    """One business's kept items whose key starts with `key_prefix` (e.g. "unreadable#"), by key."""
    found = []
    for record in WhatsAppEventRecord.query(
        business_id, range_key_condition=WhatsAppEventRecord.event_key.startswith(key_prefix)
    ):
        stored = json.loads(record.payload)
        found.append(
            WhatsAppEvent(
                business_id=record.business_id,
                event_key=record.event_key,
                kind=record.kind,
                payload=stored.get("value"),
                received_at=from_iso(record.received_at) or datetime.min,
                expires_at=record.expires_at,
                **{name: stored.get(name) for name in _DETAILS},
            )
        )
    return found
