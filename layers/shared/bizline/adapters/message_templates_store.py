"""Persistence of each business's message templates: the latest state Meta's template webhooks reported.

Kept in the WhatsApp events table as one item per template (`template#<template id>`, never
expiring), so the templates of one business are one query: `list_templates(business_id)`.
"""

import json
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import save_if
from bizline.adapters.tables import WhatsAppEventRecord
from bizline.clock import from_iso, to_iso
from bizline.models.message_templates import MessageTemplate, TemplateUpdate

TEMPLATE_PREFIX = "template#"
TEMPLATE_KIND = "template"
_FIELDS = ("name", "language", "status", "reason", "quality", "category")
_TRIES = 3


def _get(business_id: str, template_id: str) -> WhatsAppEventRecord | None:
    try:
        return WhatsAppEventRecord.get(business_id, TEMPLATE_PREFIX + template_id, consistent_read=True)
    except DoesNotExist:
        return None


def apply_template_update(business_id: str, update: TemplateUpdate, at: datetime) -> bool:
    """Set what the update says about the template (the rest stays); an update older than the state changes nothing."""
    at_iso = to_iso(at)
    for _ in range(_TRIES):
        current = _get(business_id, update.template_id)
        if current is not None and current.received_at > at_iso:
            return False
        state = json.loads(current.payload) if current else {}
        state.update({name: getattr(update, name) for name in _FIELDS if getattr(update, name) is not None})
        # Written only over the state as read: two updates at once merge instead of losing one.
        condition = (
            WhatsAppEventRecord.event_key.does_not_exist()
            if current is None
            else (WhatsAppEventRecord.received_at == current.received_at)
            & (WhatsAppEventRecord.payload == current.payload)
        )
        record = WhatsAppEventRecord(
            business_id=business_id,
            event_key=TEMPLATE_PREFIX + update.template_id,
            kind=TEMPLATE_KIND,
            payload=json.dumps(state, sort_keys=True),
            received_at=at_iso,
        )
        if save_if(record, condition):
            return True
    return False


def _from_record(record: WhatsAppEventRecord) -> MessageTemplate:
    state = json.loads(record.payload)
    return MessageTemplate(
        business_id=record.business_id,
        template_id=record.event_key.removeprefix(TEMPLATE_PREFIX),
        updated_at=from_iso(record.received_at),
        **{name: state.get(name) for name in _FIELDS},
    )


def list_templates(business_id: str) -> list[MessageTemplate]:
    """Every template of one business bizline has heard of, by template id."""
    query = WhatsAppEventRecord.query(
        business_id, range_key_condition=WhatsAppEventRecord.event_key.startswith(TEMPLATE_PREFIX)
    )
    return [_from_record(record) for record in query]
