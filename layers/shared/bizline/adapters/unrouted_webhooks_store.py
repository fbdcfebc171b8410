"""Persistence of webhook events for numbers no business owns, kept 30 days for operators."""

import json
from datetime import datetime, timedelta
from typing import Any

from bizline.adapters.tables import UnroutedWebhookRecord
from bizline.clock import to_iso

KEEP_FOR = timedelta(days=30)


def record_unrouted(
    phone_number_id: str, event_key: str, display_phone_number: str | None, payload: dict[str, Any], now: datetime
) -> None:
    """Keep one event (a message or a status) that reached bizline for an unknown number."""
    UnroutedWebhookRecord(
        phone_number_id=phone_number_id,
        event_key=event_key,
        display_phone_number=display_phone_number,
        payload=json.dumps(payload),
        received_at=to_iso(now),
        expires_at=now + KEEP_FOR,
    ).save()
