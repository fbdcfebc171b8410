"""Persistence of subscribers: one item per subscriber, and an append-only history of its status changes.

A status change and its history entry are written in one transaction, so the proof of consent or
opt-out never misses a change nor records one that did not happen. History entries are keyed by the
time and a reference of what caused them (a wamid, a request), so a repeated cause records once.
"""

import json
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import transact, update_if
from bizline.adapters.tables import SubscriberRecord
from bizline.clock import from_iso, to_iso
from bizline.models.newsletters import Recipient
from bizline.models.subscribers import SUBSCRIBED, StatusChange, StoredSubscriber

SUBSCRIBER_PREFIX = "sub#"
HISTORY_PREFIX = "hist#"


def _key(customer_id: str) -> str:
    return SUBSCRIBER_PREFIX + customer_id


def _change(record: SubscriberRecord) -> StatusChange:
    return StatusChange(status=record.status, at=from_iso(record.at), source=record.source, text=record.text)


def _from_record(record: SubscriberRecord, history: list[StatusChange] | None = None) -> StoredSubscriber:
    return StoredSubscriber(
        business_id=record.business_id,
        customer_id=record.customer_id,
        wa_id=record.wa_id,
        user_id=record.user_id,
        status=record.status,
        tags=list(record.tags or []),
        attributes=json.loads(record.attributes or "{}"),
        consent=StatusChange(
            status=SUBSCRIBED,
            at=from_iso(record.consent_at),
            source=record.consent_source or "",
            text=record.consent_text,
        ),
        created_at=from_iso(record.created_at),
        updated_at=from_iso(record.at),
        history=history or [],
    )


def _history_record(business_id: str, customer_id: str, change: StatusChange, ref: str) -> SubscriberRecord:
    return SubscriberRecord(
        business_id=business_id,
        subscriber_key=f"{HISTORY_PREFIX}{customer_id}#{to_iso(change.at)}#{ref}",
        customer_id=customer_id,
        status=change.status,
        at=to_iso(change.at),
        source=change.source,
        text=change.text,
    )


def get_subscriber(business_id: str, customer_id: str, with_history: bool = False) -> StoredSubscriber | None:
    """One subscriber of one business (with its history, oldest first, when asked); None when there is none."""
    try:
        record = SubscriberRecord.get(business_id, _key(customer_id), consistent_read=True)
    except DoesNotExist:
        return None
    history = None
    if with_history:
        prefix = f"{HISTORY_PREFIX}{customer_id}#"
        query = SubscriberRecord.query(business_id, SubscriberRecord.subscriber_key.startswith(prefix))
        history = [_change(entry) for entry in query]
    return _from_record(record, history)


def add_subscriber(subscriber: StoredSubscriber, ref: str) -> bool:
    """Keep a new subscriber and its consent as the first history entry; False when it exists already."""
    record = SubscriberRecord(
        business_id=subscriber.business_id,
        subscriber_key=_key(subscriber.customer_id),
        customer_id=subscriber.customer_id,
        wa_id=subscriber.wa_id,
        user_id=subscriber.user_id,
        status=subscriber.status,
        at=to_iso(subscriber.updated_at),
        source=subscriber.consent.source,
        tags=subscriber.tags,
        attributes=json.dumps(subscriber.attributes, sort_keys=True),
        consent_source=subscriber.consent.source,
        consent_at=to_iso(subscriber.consent.at),
        consent_text=subscriber.consent.text,
        created_at=to_iso(subscriber.created_at),
    )
    history = _history_record(subscriber.business_id, subscriber.customer_id, subscriber.consent, ref)

    def write(transaction: Any) -> None:
        transaction.save(record, condition=SubscriberRecord.subscriber_key.does_not_exist())
        transaction.save(history, condition=SubscriberRecord.subscriber_key.does_not_exist())

    return not transact(write)


def change_status(business_id: str, customer_id: str, change: StatusChange, ref: str) -> bool:
    """Move an existing subscriber to `change.status`, with its history entry; False when it is there already.

    Opting in again records the new consent as the subscriber's proof.
    """
    record = SubscriberRecord(business_id=business_id, subscriber_key=_key(customer_id))
    actions = [
        SubscriberRecord.status.set(change.status),
        SubscriberRecord.at.set(to_iso(change.at)),
        SubscriberRecord.source.set(change.source),
    ]
    if change.status == SUBSCRIBED:
        actions += [
            SubscriberRecord.consent_source.set(change.source),
            SubscriberRecord.consent_at.set(to_iso(change.at)),
            SubscriberRecord.consent_text.set(change.text),
        ]
    history = _history_record(business_id, customer_id, change, ref)

    def write(transaction: Any) -> None:
        transaction.update(
            record,
            actions=actions,
            condition=SubscriberRecord.subscriber_key.exists() & (SubscriberRecord.status != change.status),
        )
        transaction.save(history, condition=SubscriberRecord.subscriber_key.does_not_exist())

    return not transact(write)


def update_profile(
    business_id: str, customer_id: str, tags: list[str] | None, attributes: dict[str, str] | None, at: datetime
) -> bool:
    """Replace the subscriber's tags and/or attributes; False when there is no such subscriber."""
    actions = [SubscriberRecord.at.set(to_iso(at))]
    if tags is not None:
        actions.append(SubscriberRecord.tags.set(tags))
    if attributes is not None:
        actions.append(SubscriberRecord.attributes.set(json.dumps(attributes, sort_keys=True)))
    record = SubscriberRecord(business_id=business_id, subscriber_key=_key(customer_id))
    return update_if(record, actions, SubscriberRecord.subscriber_key.exists())


def list_subscribers(
    business_id: str, status: str | None, tag: str | None, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[StoredSubscriber], dict[str, Any] | None]:
    """One page of a business's subscribers (by customer id), filtered by status and tag; and where the next starts.

    The filters apply after the page is read, so a page may hold fewer than `limit` items and still
    have a next one.
    """
    condition = None
    if status:
        condition = SubscriberRecord.status == status
    if tag:
        has_tag = SubscriberRecord.tags.contains(tag)
        condition = has_tag if condition is None else condition & has_tag
    query = SubscriberRecord.query(
        business_id,
        SubscriberRecord.subscriber_key.startswith(SUBSCRIBER_PREFIX),
        filter_condition=condition,
        limit=limit,
        last_evaluated_key=start_key,
    )
    items = [_from_record(record) for record in query]
    return items, query.last_evaluated_key


KEYWORDS_KEY = "config#keywords"


def get_keywords(business_id: str) -> tuple[list[str], list[str]]:
    """The business's own opt-out and opt-in words (beyond the defaults); empty lists when it named none."""
    try:
        record = SubscriberRecord.get(business_id, KEYWORDS_KEY)
    except DoesNotExist:
        return [], []
    words = json.loads(record.text or "{}")
    return list(words.get("opt_out") or []), list(words.get("opt_in") or [])


def put_keywords(business_id: str, opt_out: list[str], opt_in: list[str], at: datetime) -> None:
    """Replace the business's own opt-out and opt-in words."""
    SubscriberRecord(
        business_id=business_id,
        subscriber_key=KEYWORDS_KEY,
        customer_id="-",
        status="config",
        at=to_iso(at),
        source="api",
        text=json.dumps({"opt_out": opt_out, "opt_in": opt_in}),
    ).save()


def cursor_after(business_id: str, customer_id: str) -> dict[str, Any]:
    """Where a page of recipients starts that goes on right after this subscriber (as a page's own cursor reads)."""
    return {"business_id": {"S": business_id}, "subscriber_key": {"S": _key(customer_id)}}


def recipients_page(
    business_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[Recipient], dict[str, Any] | None]:
    """One page of a business's subscribers as a newsletter run reads them (any status), and where the next starts.

    One query per page: the dispatcher decides who is in the audience and who opted out.
    """
    query = SubscriberRecord.query(
        business_id,
        SubscriberRecord.subscriber_key.startswith(SUBSCRIBER_PREFIX),
        limit=limit,
        last_evaluated_key=start_key,
        attributes_to_get=["subscriber_key", "customer_id", "wa_id", "user_id", "status", "tags", "attributes"],
    )
    page = [
        Recipient(
            customer_id=record.customer_id,
            wa_id=record.wa_id,
            user_id=record.user_id,
            subscribed=record.status == SUBSCRIBED,
            tags=list(record.tags or []),
            attributes=json.loads(record.attributes or "{}"),
        )
        for record in query
    ]
    return page, query.last_evaluated_key
