"""Persistence of messages: stored once under their id, listed per conversation, found by Meta's wamid."""

import json
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import size

from bizline.adapters.conditional import save_if, update_if
from bizline.adapters.cursors import decode_cursor, encode_cursor, owned_by
from bizline.adapters.tables import MessageRecord
from bizline.clock import from_iso, to_iso
from bizline.models.stored_messages import StoredMessage
from bizline.rules.message_status import ACCEPTED, SENDING, SUBMITTED, rank_of
from bizline.settings import get_settings


def _conversation_key(business_id: str, customer_id: str) -> str:
    return f"{business_id}#{customer_id}"


def _message_key(business_id: str, message_id: str) -> str:
    return f"{business_id}#{message_id}"


def _keyed(business_id: str, message_id: str) -> MessageRecord:
    return MessageRecord(message_key=_message_key(business_id, message_id))


def _plain(value: object) -> dict[str, str]:
    """A raw map attribute as a plain dict, whether it was read from the table or built in code."""
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def _to_record(message: StoredMessage) -> MessageRecord:
    sent_at = to_iso(message.sent_at)
    return MessageRecord(
        message_key=_message_key(message.business_id, message.message_id),
        business_id=message.business_id,
        message_id=message.message_id,
        customer_id=message.customer_id,
        conversation=_conversation_key(message.business_id, message.customer_id),
        conversation_sort=f"{sent_at}#{message.message_id}",
        direction=message.direction,
        phone_number_id=message.phone_number_id,
        type=message.type,
        content=json.dumps(message.content),
        billing_category=message.billing_category,
        wamid=message.wamid,
        status=message.status,
        status_rank=message.status_rank,
        status_times=dict(message.status_times),
        errors=json.dumps(message.errors) if message.errors else None,
        created_at=to_iso(message.created_at),
        sent_at=sent_at,
        newsletter_id=message.newsletter.partition("#")[0] if message.newsletter else None,
        newsletter_run=message.newsletter.partition("#")[2] if message.newsletter else None,
        sent_by=json.dumps(message.sent_by) if message.sent_by else None,
        expires_at=message.created_at + timedelta(days=get_settings().retention_days),
    )


def _from_record(record: MessageRecord) -> StoredMessage:
    return StoredMessage(
        business_id=record.business_id,
        message_id=record.message_id,
        customer_id=record.customer_id,
        direction=record.direction,
        phone_number_id=record.phone_number_id,
        type=record.type,
        content=json.loads(record.content),
        billing_category=record.billing_category,
        status=record.status,
        status_rank=int(record.status_rank or 0),
        status_times=_plain(record.status_times),
        errors=json.loads(record.errors) if record.errors else [],
        wamid=record.wamid,
        sent_at=from_iso(record.sent_at),
        created_at=from_iso(record.created_at),
        edit_history=[json.loads(item) for item in record.edit_history or []],
        edited_at=from_iso(record.edited_at),
        deleted_at=from_iso(record.deleted_at),
        newsletter=f"{record.newsletter_id}#{record.newsletter_run}" if record.newsletter_id else None,
        pricing=json.loads(record.pricing) if record.pricing else None,
        sent_by=json.loads(record.sent_by) if record.sent_by else None,
    )


def put_message(message: StoredMessage) -> bool:
    """Store a message once: a second write of the same id is a no-op (returns False)."""
    return save_if(_to_record(message), MessageRecord.message_key.does_not_exist())


def get_message(business_id: str, message_id: str) -> StoredMessage | None:
    """One message of one business by its id; None when there is none."""
    try:
        return _from_record(MessageRecord.get(_message_key(business_id, message_id), consistent_read=True))
    except DoesNotExist:
        return None


def find_message_by_wamid(wamid: str) -> StoredMessage | None:
    """The message Meta knows by `wamid`, whichever business sent it; None when no send recorded it yet."""
    for key in MessageRecord.by_wamid.query(wamid, limit=1):
        try:
            return _from_record(MessageRecord.get(key.message_key, consistent_read=True))
        except DoesNotExist:
            return None
    return None


def apply_status(
    business_id: str,
    message_id: str,
    status: str,
    at: datetime,
    errors: list[dict[str, Any]],
    pricing: dict[str, Any] | None = None,
    wamid: str | None = None,
) -> bool:
    """Move a message's status forward only (by rank): False when it is already as far or further.

    The first pricing Meta reports is kept; a later status never replaces it. `wamid` is recorded by the
    first status of a send that did not write it (a newsletter's, found by its callback data).
    """
    rank = rank_of(status)
    actions = [
        MessageRecord.status.set(status),
        MessageRecord.status_rank.set(rank),
        MessageRecord.status_times[status].set(to_iso(at)),
    ]
    if errors:
        actions.append(MessageRecord.errors.set(json.dumps(errors)))
    if pricing:
        actions.append(MessageRecord.pricing.set(MessageRecord.pricing | json.dumps(pricing, sort_keys=True)))
    if wamid:
        actions.append(MessageRecord.wamid.set(MessageRecord.wamid | wamid))
    return update_if(
        _keyed(business_id, message_id),
        actions,
        MessageRecord.message_id.exists() & (MessageRecord.status_rank < rank),
    )


def record_pricing(business_id: str, message_id: str, pricing: dict[str, Any]) -> bool:
    """Keep Meta's pricing on a message that has none yet (a status that came too late to move it); False otherwise."""
    return update_if(
        _keyed(business_id, message_id),
        [MessageRecord.pricing.set(json.dumps(pricing, sort_keys=True))],
        MessageRecord.message_id.exists() & MessageRecord.pricing.does_not_exist(),
    )


def apply_edit(message: StoredMessage, edit_wamid: str, content: dict[str, Any], at: datetime) -> bool:
    """Replace the content of `message` as read, its earlier content kept in the history with the edit's wamid.

    False when the message changed since it was read (another edit landed): read it again and look.
    """
    earlier = {"content": message.content, "replaced_by": edit_wamid, "replaced_at": to_iso(at)}
    unchanged = (
        size(MessageRecord.edit_history) == len(message.edit_history)
        if message.edit_history
        else MessageRecord.edit_history.does_not_exist()
    )
    return update_if(
        _keyed(message.business_id, message.message_id),
        [
            MessageRecord.content.set(json.dumps(content)),
            MessageRecord.edit_history.set((MessageRecord.edit_history | []).append([json.dumps(earlier)])),
            MessageRecord.edited_at.set(to_iso(at)),
        ],
        MessageRecord.message_id.exists() & unchanged,
    )


def mark_deleted(business_id: str, message_id: str, at: datetime) -> bool:
    """Mark a message deleted by its sender; False when it was marked before."""
    return update_if(
        _keyed(business_id, message_id),
        [MessageRecord.deleted_at.set(to_iso(at))],
        MessageRecord.message_id.exists() & MessageRecord.deleted_at.does_not_exist(),
    )


def claim_for_sending(business_id: str, message_id: str, now: datetime, stale_after: timedelta) -> bool:
    """Take a queued reply for sending, unless another sender has it (or it was sent)."""
    stale = to_iso(now - stale_after)
    return update_if(
        _keyed(business_id, message_id),
        [MessageRecord.status.set(SENDING), MessageRecord.status_times[SENDING].set(to_iso(now))],
        (MessageRecord.status == ACCEPTED)
        | ((MessageRecord.status == SENDING) & (MessageRecord.status_times[SENDING] < stale)),
    )


def mark_submitted(business_id: str, message_id: str, wamid: str, now: datetime) -> None:
    """Record the wamid Meta gave a reply this sender claimed."""
    update_if(
        _keyed(business_id, message_id),
        [
            MessageRecord.wamid.set(wamid),
            MessageRecord.status.set(SUBMITTED),
            MessageRecord.status_times[SUBMITTED].set(to_iso(now)),
        ],
        MessageRecord.status == SENDING,
    )


def release_claim(business_id: str, message_id: str) -> None:
    """Give a claimed reply back to the queue's next try."""
    update_if(
        _keyed(business_id, message_id),
        [MessageRecord.status.set(ACCEPTED)],
        MessageRecord.status == SENDING,
    )


def count_inbound_since(business_id: str, customer_id: str, since: datetime | None, cap: int) -> int:
    """The customer's messages in the conversation after `since` (all without one), counted up to `cap`.

    One query of the conversation's index from `since` on; `cap` bounds what it reads.
    """
    after = MessageRecord.conversation_sort > to_iso(since) if since else None
    found = MessageRecord.by_conversation.query(
        _conversation_key(business_id, customer_id),
        after,
        filter_condition=MessageRecord.direction == "inbound",
        scan_index_forward=False,
        limit=cap,
        attributes_to_get=["direction"],
    )
    return sum(1 for _ in found)


def list_conversation_messages(
    business_id: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[StoredMessage], str | None]:
    """One conversation's messages, newest first, one page and the cursor of the next."""
    result = MessageRecord.by_conversation.query(
        _conversation_key(business_id, customer_id),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(
            cursor, owned_by(business_id), scope=f"messages:{_conversation_key(business_id, customer_id)}"
        ),
    )
    items = [_from_record(record) for record in result]
    return items, encode_cursor(
        result.last_evaluated_key, scope=f"messages:{_conversation_key(business_id, customer_id)}"
    )
