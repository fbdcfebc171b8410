"""Persistence of each business's message templates: the latest state Meta's template webhooks reported.

Kept in the WhatsApp events table as one item per template (`template#<template id>`, never
expiring), so the templates of one business are one query: `list_templates(business_id)`. A template
submitted through bizline also keeps its definition (account, parameter format, components) there;
the webhooks' updates change only its state.
"""

import json
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import delete_if, save_if
from bizline.adapters.tables import WhatsAppEventRecord
from bizline.clock import from_iso, to_iso
from bizline.models.message_templates import MessageTemplate, TemplateDefinition, TemplateUpdate

TEMPLATE_PREFIX = "template#"
TEMPLATE_KIND = "template"
_FIELDS = ("name", "language", "status", "reason", "quality", "category")
_DEFINITION = ("waba_id", "parameter_format", "components", "created_at")
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
        waba_id=state.get("waba_id"),
        parameter_format=state.get("parameter_format"),
        components=state.get("components") or [],
        created_at=from_iso(state["created_at"]) if state.get("created_at") else None,
        **{name: state.get(name) for name in _FIELDS},
    )


def add_template(business_id: str, definition: TemplateDefinition, at: datetime) -> None:
    """Keep a template Meta just took; a webhook that got here first keeps its state, the definition is added."""
    # Stamped at the whole second: Meta's webhook times are whole seconds, and an approval in the
    # same second as the submission must still count as newer.
    stamp = to_iso(at.replace(microsecond=0))
    submitted = {
        "name": definition.name,
        "language": definition.language,
        "category": definition.category.upper(),
        "status": definition.status,
        "waba_id": definition.waba_id,
        "parameter_format": definition.parameter_format,
        "components": definition.components,
        "created_at": to_iso(at),
    }
    for _ in range(_TRIES):
        current = _get(business_id, definition.template_id)
        if current is None:
            state, received_at = submitted, stamp
            condition = WhatsAppEventRecord.event_key.does_not_exist()
        else:
            state = {**submitted, **json.loads(current.payload)}
            state.update({name: submitted[name] for name in _DEFINITION})
            received_at = current.received_at
            condition = WhatsAppEventRecord.payload == current.payload
        record = WhatsAppEventRecord(
            business_id=business_id,
            event_key=TEMPLATE_PREFIX + definition.template_id,
            kind=TEMPLATE_KIND,
            payload=json.dumps(state, sort_keys=True),
            received_at=received_at,
        )
        if save_if(record, condition):
            return
    raise RuntimeError("the template's state kept changing while it was being stored")


def get_template(business_id: str, template_id: str) -> MessageTemplate | None:
    """One template of one business; None when the business has no such template."""
    record = _get(business_id, template_id)
    return _from_record(record) if record is not None else None


def remove_template(business_id: str, template_id: str) -> bool:
    """Forget one template of one business; False when it was not there."""
    record = WhatsAppEventRecord(business_id=business_id, event_key=TEMPLATE_PREFIX + template_id)
    return delete_if(record, WhatsAppEventRecord.event_key.exists())


def list_templates(business_id: str) -> list[MessageTemplate]:
    """Every template of one business bizline has heard of, by template id."""
    query = WhatsAppEventRecord.query(
        business_id, range_key_condition=WhatsAppEventRecord.event_key.startswith(TEMPLATE_PREFIX)
    )
    return [_from_record(record) for record in query]
