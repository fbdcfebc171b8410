"""Persistence of customers and their conversation summaries.

One table holds both: the customer itself under its id (cus_...), and one item per name Meta
uses for it (wa:<wa_id>, user:<user_id>) pointing at that id, each its own partition
(`<business id>#<key>`). The conversations listing reads the recency index's shards merged.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import delete_if, save_if, update_if
from bizline.adapters.cursors import decode_position, encode_position
from bizline.adapters.shards import ACTIVITY_SHARDS, newest_first, shard_key
from bizline.adapters.tables import CustomerRecord
from bizline.clock import from_iso, to_iso
from bizline.models.customers import WA_ID_PREFIX, Customer, CustomerIdentity
from bizline.models.stored_messages import Direction
from bizline.settings import get_settings

CUSTOMER_ID_PREFIX = "cus_"


def _key(business_id: str, key: str) -> str:
    return f"{business_id}#{key}"


def _keyed(business_id: str, key: str) -> CustomerRecord:
    return CustomerRecord(record_key=_key(business_id, key))


def _owned(business_id: str, key: str) -> list:
    """The update actions that leave the item's owner and key readable on an item an update may create."""
    return [CustomerRecord.business_id.set(business_id), CustomerRecord.customer_key.set(key)]


def _activity_shard(business_id: str, customer_id: str) -> str:
    return shard_key(business_id, customer_id, ACTIVITY_SHARDS)


def _from_record(record: CustomerRecord) -> Customer:
    return Customer(
        customer_id=record.customer_id,
        wa_id=record.wa_id,
        user_id=record.user_id,
        name=record.name,
        username=record.username,
        last_message_at=from_iso(record.last_message_at),
        last_message_preview=record.last_message_preview,
        last_direction=record.last_direction,
        last_inbound_at=from_iso(record.last_inbound_at),
        last_read_at=from_iso(record.last_read_at),
        assignee_id=record.assignee_id,
        assignee_email=record.assignee_email,
        created_at=from_iso(record.created_at),
        marketing_messages=record.marketing_messages,
        marketing_messages_at=from_iso(record.marketing_messages_at),
    )


def _expiry(at: datetime) -> datetime:
    """When a customer last heard from (or written to) at `at` expires: the retention setting."""
    return at + timedelta(days=get_settings().retention_days)


def _claim_key(business_id: str, key: str, customer_id: str, now: datetime) -> bool:
    """Point `key` at `customer_id` unless it points somewhere already."""
    return save_if(
        CustomerRecord(
            record_key=_key(business_id, key),
            business_id=business_id,
            customer_key=key,
            customer_id=customer_id,
            expires_at=_expiry(now),
        ),
        CustomerRecord.record_key.does_not_exist(),
    )


def _keep_key(business_id: str, key: str, customer_id: str, now: datetime) -> bool:
    """Point `key` at `customer_id` if it points nowhere yet, and keep it as long as the customer."""
    return update_if(
        _keyed(business_id, key),
        [
            *_owned(business_id, key),
            CustomerRecord.customer_id.set(CustomerRecord.customer_id | customer_id),
            CustomerRecord.expires_at.set(_expiry(now)),
        ],
        CustomerRecord.record_key.does_not_exist() | (CustomerRecord.customer_id == customer_id),
    )


def _find_customer_id(business_id: str, identity: CustomerIdentity) -> str | None:
    keys = [_key(business_id, key) for key in identity.keys]
    for record in CustomerRecord.batch_get(keys, consistent_read=True):
        return record.customer_id
    return None


def resolve_customer(business_id: str, identity: CustomerIdentity, now: datetime) -> str:
    """The customer known by any of these names, created on first contact; every name then leads to it."""
    customer_id = _find_customer_id(business_id, identity)
    if customer_id is None:
        customer_id, _ = claim_new_customer(business_id, identity.keys[0], now)
    for key in identity.keys:
        _keep_key(business_id, key, customer_id, now)
    _keyed(business_id, customer_id).update(actions=_names(business_id, customer_id, identity, now))
    return customer_id


def _names(business_id: str, customer_id: str, identity: CustomerIdentity, now: datetime) -> list[Any]:
    """The update actions that keep a customer's record as Meta names them, created on first sight."""
    actions = [
        *_owned(business_id, customer_id),
        CustomerRecord.customer_id.set(customer_id),
        CustomerRecord.created_at.set(CustomerRecord.created_at | to_iso(now)),
        CustomerRecord.expires_at.set(_expiry(now)),
    ]
    for attribute in ("wa_id", "user_id", "name", "username"):
        value = getattr(identity, attribute)
        if value:
            actions.append(getattr(CustomerRecord, attribute).set(value))
    return actions


def names_of(keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, datetime | None]]:
    """For (business id, name) pairs (wa:..., user:...), the customer each names and until when it is kept.

    Read together (BatchGetItem, 100 keys a call); a name nobody has is absent.
    """
    if not keys:
        return {}
    found = CustomerRecord.batch_get(sorted(_key(business_id, key) for business_id, key in keys), consistent_read=True)
    return {(record.business_id, record.customer_key): (record.customer_id, record.expires_at) for record in found}


def claim_new_customer(business_id: str, key: str, now: datetime) -> tuple[str, bool]:
    """A new customer id that `key` names from now on; the id it names already when another got there first.

    Returns the id and whether it is new (its record is then written by `record_inbound_summary`).
    """
    candidate = f"{CUSTOMER_ID_PREFIX}{secrets.token_hex(10)}"
    if _claim_key(business_id, key, candidate, now):
        return candidate, True
    return CustomerRecord.get(_key(business_id, key), consistent_read=True).customer_id, False


def keep_name(business_id: str, key: str, customer_id: str, now: datetime) -> bool:
    """Point `key` at `customer_id` if it points nowhere yet, and keep it as long as the customer.

    False when it names another customer (left alone)."""
    return _keep_key(business_id, key, customer_id, now)


def record_inbound_summary(
    business_id: str,
    customer_id: str,
    identity: CustomerIdentity,
    latest: tuple[datetime, str] | None,
    now: datetime,
) -> None:
    """The customer as Meta names them, and their conversation moved forward to an inbound message (at, preview).

    One conditional update when the message is the newest the conversation has seen (the usual
    case); otherwise the names alone, and the summary moved only where it is older, as
    `record_activity` does.
    """
    record = _keyed(business_id, customer_id)
    names = _names(business_id, customer_id, identity, now)
    if latest is None:
        record.update(actions=names)
        return
    at, preview = latest
    at_iso = to_iso(at)
    newest = (CustomerRecord.last_message_at.does_not_exist() | (CustomerRecord.last_message_at <= at_iso)) & (
        CustomerRecord.last_inbound_at.does_not_exist() | (CustomerRecord.last_inbound_at <= at_iso)
    )
    summary = [
        CustomerRecord.last_message_at.set(at_iso),
        CustomerRecord.last_activity.set(f"{at_iso}#{customer_id}"),
        CustomerRecord.activity_shard.set(_activity_shard(business_id, customer_id)),
        CustomerRecord.last_message_preview.set(preview),
        CustomerRecord.last_direction.set("inbound"),
        CustomerRecord.last_inbound_at.set(at_iso),
    ]
    if not update_if(record, names + summary, newest):
        record.update(actions=names)
        record_activity(business_id, customer_id, at, preview, "inbound")


def get_customer(business_id: str, customer_id: str) -> Customer | None:
    """One customer of one business by id (cus_...); None for anything else."""
    if not customer_id.startswith(CUSTOMER_ID_PREFIX):
        return None
    try:
        return _from_record(CustomerRecord.get(_key(business_id, customer_id), consistent_read=True))
    except DoesNotExist:
        return None


def find_customer(business_id: str, identity: CustomerIdentity) -> Customer | None:
    """The customer known by any of the identity's names; None for someone new."""
    customer_id = _find_customer_id(business_id, identity)
    return get_customer(business_id, customer_id) if customer_id else None


def record_activity(business_id: str, customer_id: str, at: datetime, preview: str, direction: Direction) -> None:
    """Move the conversation's summary forward; an older message arriving late leaves it alone."""
    record = _keyed(business_id, customer_id)
    at_iso = to_iso(at)
    update_if(
        record,
        [
            CustomerRecord.last_message_at.set(at_iso),
            CustomerRecord.last_activity.set(f"{at_iso}#{customer_id}"),
            CustomerRecord.activity_shard.set(_activity_shard(business_id, customer_id)),
            CustomerRecord.last_message_preview.set(preview),
            CustomerRecord.last_direction.set(direction),
            CustomerRecord.expires_at.set(_expiry(at)),
        ],
        CustomerRecord.customer_id.exists()
        & (CustomerRecord.last_message_at.does_not_exist() | (CustomerRecord.last_message_at <= at_iso)),
    )
    if direction == "inbound":
        update_if(
            record,
            [CustomerRecord.last_inbound_at.set(at_iso)],
            CustomerRecord.customer_id.exists()
            & (CustomerRecord.last_inbound_at.does_not_exist() | (CustomerRecord.last_inbound_at < at_iso)),
        )


def mark_read(business_id: str, customer_id: str, at: datetime) -> None:
    """Move the conversation's read mark forward to `at` (a later mark stays)."""
    at_iso = to_iso(at)
    update_if(
        _keyed(business_id, customer_id),
        [CustomerRecord.last_read_at.set(at_iso)],
        CustomerRecord.customer_id.exists()
        & (CustomerRecord.last_read_at.does_not_exist() | (CustomerRecord.last_read_at < at_iso)),
    )


def assign(business_id: str, customer_id: str, assignee: tuple[str, str] | None) -> None:
    """Assign the conversation to a team member (id, e-mail), or to nobody."""
    if assignee is None:
        actions = [CustomerRecord.assignee_id.remove(), CustomerRecord.assignee_email.remove()]
    else:
        actions = [CustomerRecord.assignee_id.set(assignee[0]), CustomerRecord.assignee_email.set(assignee[1])]
    update_if(_keyed(business_id, customer_id), actions, CustomerRecord.customer_id.exists())


def list_conversations(business_id: str, limit: int, cursor: str | None) -> tuple[list[Customer], str | None]:
    """A business's customers, most recent conversation first, one page and the cursor of the next."""
    scope = f"conversations:{business_id}"
    after = decode_position(cursor, business_id, scope)

    def shard(activity_shard: str, count: int) -> list[CustomerRecord]:
        return list(
            CustomerRecord.by_recent_activity.query(
                activity_shard,
                CustomerRecord.last_activity < after if after else None,
                scan_index_forward=False,
                limit=count,
            )
        )

    page, last = newest_first(shard, business_id, ACTIVITY_SHARDS, lambda record: record.last_activity, limit)
    return [_from_record(record) for record in page], encode_position(business_id, last, scope)


def set_marketing_preference(business_id: str, customer_id: str, value: str, at: datetime) -> bool:
    """Record the customer's stop or resume of marketing messages; an older word than the one kept changes nothing."""
    at_iso = to_iso(at)
    return update_if(
        _keyed(business_id, customer_id),
        [CustomerRecord.marketing_messages.set(value), CustomerRecord.marketing_messages_at.set(at_iso)],
        CustomerRecord.customer_id.exists()
        & (CustomerRecord.marketing_messages_at.does_not_exist() | (CustomerRecord.marketing_messages_at < at_iso)),
    )


def move_wa_id(business_id: str, customer_id: str, old_wa_id: str, new_wa_id: str, now: datetime) -> bool:
    """The customer now goes by `new_wa_id`: the new name leads to them, the old one to nobody.

    False (and nothing changed) when the new number already names another customer of the business.
    """
    new_key = WA_ID_PREFIX + new_wa_id
    if (
        not _claim_key(business_id, new_key, customer_id, now)
        and CustomerRecord.get(_key(business_id, new_key), consistent_read=True).customer_id != customer_id
    ):
        return False
    update_if(
        _keyed(business_id, customer_id),
        [CustomerRecord.wa_id.set(new_wa_id)],
        CustomerRecord.customer_id.exists(),
    )
    # The old number may be given to someone else: it must not lead to this customer any longer.
    delete_if(
        _keyed(business_id, WA_ID_PREFIX + old_wa_id),
        CustomerRecord.customer_id == customer_id,
    )
    return True
