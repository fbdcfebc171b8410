"""Persistence of webhook events for numbers no business owns, kept 30 days for operators."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bizline.adapters.tables import UnroutedWebhookRecord
from bizline.clock import to_iso

KEEP_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Unrouted:
    """One event nobody owns (or nobody could read), kept under a number or an account (`waba:<id>`)."""

    owner_key: str
    event_key: str
    display_phone_number: str | None
    payload: dict[str, Any]


def _record(item: Unrouted, now: datetime) -> UnroutedWebhookRecord:
    return UnroutedWebhookRecord(
        phone_number_id=item.owner_key,
        event_key=item.event_key,
        display_phone_number=item.display_phone_number,
        payload=json.dumps(item.payload),
        received_at=to_iso(now),
        expires_at=now + KEEP_FOR,
    )


def record_many(items: list[Unrouted], now: datetime) -> None:
    """Keep several such events in batched writes (25 a call); a repeat of one simply overwrites it."""
    unique = {(item.owner_key, item.event_key): item for item in items}
    if not unique:
        return
    with UnroutedWebhookRecord.batch_write() as batch:
        for item in unique.values():
            batch.save(_record(item, now))
