"""Persistence of phone numbers, customers, messages, deliveries and unrouted webhooks."""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import delete_if, save_if, update_if
from bizline.adapters.cursors import decode_cursor, encode_cursor, owned_by
from bizline.adapters.tables import (
    CustomerRecord,
    MessageRecord,
    PhoneNumberRecord,
    SendRateRecord,
    UnroutedWebhookRecord,
)


def _iso(value: datetime) -> str:
    return value.isoformat()


# -- phone numbers ------------------------------------------------------------------------------
def add_phone_number(business_id: str, phone_number_id: str, display_phone_number: str, now: datetime) -> bool:
    record = PhoneNumberRecord(
        phone_number_id=phone_number_id,
        business_id=business_id,
        display_phone_number=display_phone_number,
        created_at=_iso(now),
    )
    return save_if(record, PhoneNumberRecord.phone_number_id.does_not_exist())


def get_phone_number(phone_number_id: str) -> PhoneNumberRecord | None:
    try:
        return PhoneNumberRecord.get(phone_number_id, consistent_read=True)
    except DoesNotExist:
        return None


def list_phone_numbers(business_id: str) -> list[PhoneNumberRecord]:
    return list(PhoneNumberRecord.by_business.query(business_id))


def phone_numbers_displayed_as(e164: str) -> list[PhoneNumberRecord]:
    return list(PhoneNumberRecord.by_display_number.query(e164, limit=5))


def remove_phone_number(business_id: str, phone_number_id: str) -> bool:
    return delete_if(PhoneNumberRecord(phone_number_id=phone_number_id), PhoneNumberRecord.business_id == business_id)


# -- customers and conversations ----------------------------------------------------------------
@dataclass(frozen=True)
class CustomerNames:
    wa_id: str | None
    user_id: str | None
    name: str | None = None
    username: str | None = None

    @property
    def keys(self) -> list[str]:
        found = []
        if self.wa_id:
            found.append(f"wa:{self.wa_id}")
        if self.user_id:
            found.append(f"user:{self.user_id}")
        return found


def find_customer_id(business_id: str, names: CustomerNames) -> str | None:
    keys = [(business_id, key) for key in names.keys]
    for record in CustomerRecord.batch_get(keys, consistent_read=True):
        return record.customer_id
    return None


def resolve_customer(business_id: str, names: CustomerNames, now: datetime) -> str:
    """The customer known by any of these names, created on first contact; every name then leads to it."""
    customer_id = find_customer_id(business_id, names)
    if customer_id is None:
        candidate = f"cus_{secrets.token_hex(10)}"
        first_key = names.keys[0]
        claimed = save_if(
            CustomerRecord(business_id=business_id, customer_key=first_key, customer_id=candidate),
            CustomerRecord.customer_key.does_not_exist(),
        )
        customer_id = (
            candidate if claimed else CustomerRecord.get(business_id, first_key, consistent_read=True).customer_id
        )
    for key in names.keys:
        save_if(
            CustomerRecord(business_id=business_id, customer_key=key, customer_id=customer_id),
            CustomerRecord.customer_key.does_not_exist(),
        )
    actions = [
        CustomerRecord.customer_id.set(customer_id),
        CustomerRecord.created_at.set(CustomerRecord.created_at | _iso(now)),
    ]
    for attribute, value in (
        ("wa_id", names.wa_id),
        ("user_id", names.user_id),
        ("name", names.name),
        ("username", names.username),
    ):
        if value:
            actions.append(getattr(CustomerRecord, attribute).set(value))
    CustomerRecord(business_id=business_id, customer_key=customer_id).update(actions=actions)
    return customer_id


def get_customer(business_id: str, customer_id: str) -> CustomerRecord | None:
    if not customer_id.startswith("cus_"):
        return None
    try:
        return CustomerRecord.get(business_id, customer_id, consistent_read=True)
    except DoesNotExist:
        return None


def record_activity(business_id: str, customer_id: str, at: datetime, preview: str, direction: str) -> None:
    """Move the conversation's summary forward; an older message arriving late leaves it alone."""
    record = CustomerRecord(business_id=business_id, customer_key=customer_id)
    at_iso = _iso(at)
    update_if(
        record,
        [
            CustomerRecord.last_message_at.set(at_iso),
            CustomerRecord.last_activity.set(f"{at_iso}#{customer_id}"),
            CustomerRecord.last_message_preview.set(preview),
            CustomerRecord.last_direction.set(direction),
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


def list_conversations(business_id: str, limit: int, cursor: str | None) -> tuple[list[CustomerRecord], str | None]:
    result = CustomerRecord.by_recent_activity.query(
        business_id,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, owned_by(business_id)),
    )
    items = list(result)
    return items, encode_cursor(result.last_evaluated_key)


# -- messages -----------------------------------------------------------------------------------
def conversation_key(business_id: str, customer_id: str) -> str:
    return f"{business_id}#{customer_id}"


def put_message(record: MessageRecord) -> bool:
    """Store a message once: a second write of the same id is a no-op (returns False)."""
    return save_if(record, MessageRecord.message_id.does_not_exist())


def get_message(business_id: str, message_id: str) -> MessageRecord | None:
    try:
        return MessageRecord.get(business_id, message_id, consistent_read=True)
    except DoesNotExist:
        return None


def find_message_by_wamid(wamid: str) -> MessageRecord | None:
    for key in MessageRecord.by_wamid.query(wamid, limit=1):
        return get_message(key.business_id, key.message_id)
    return None


def apply_status(
    business_id: str, message_id: str, status: str, rank: int, at: datetime, errors: list[dict[str, Any]]
) -> bool:
    """Move a message's status forward only: a late `delivered` never overwrites `read`."""
    actions = [
        MessageRecord.status.set(status),
        MessageRecord.status_rank.set(rank),
        MessageRecord.status_times[status].set(_iso(at)),
    ]
    if errors:
        actions.append(MessageRecord.errors.set(json.dumps(errors)))
    return update_if(
        MessageRecord(business_id=business_id, message_id=message_id),
        actions,
        MessageRecord.message_id.exists() & (MessageRecord.status_rank < rank),
    )


def claim_for_sending(business_id: str, message_id: str, now: datetime, stale_after: timedelta) -> bool:
    """Take a queued reply for sending, unless another sender has it (or it was sent)."""
    stale = _iso(now - stale_after)
    return update_if(
        MessageRecord(business_id=business_id, message_id=message_id),
        [MessageRecord.status.set("sending"), MessageRecord.status_times["sending"].set(_iso(now))],
        (MessageRecord.status == "accepted")
        | ((MessageRecord.status == "sending") & (MessageRecord.status_times["sending"] < stale)),
    )


def mark_submitted(business_id: str, message_id: str, wamid: str, now: datetime) -> None:
    update_if(
        MessageRecord(business_id=business_id, message_id=message_id),
        [
            MessageRecord.wamid.set(wamid),
            MessageRecord.status.set("submitted"),
            MessageRecord.status_times["submitted"].set(_iso(now)),
        ],
        MessageRecord.status == "sending",
    )


def release_claim(business_id: str, message_id: str) -> None:
    update_if(
        MessageRecord(business_id=business_id, message_id=message_id),
        [MessageRecord.status.set("accepted")],
        MessageRecord.status == "sending",
    )


def list_conversation_messages(
    business_id: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[MessageRecord], str | None]:
    result = MessageRecord.by_conversation.query(
        conversation_key(business_id, customer_id),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, owned_by(business_id)),
    )
    items = list(result)
    return items, encode_cursor(result.last_evaluated_key)


# -- unrouted webhooks --------------------------------------------------------------------------
def record_unrouted(
    phone_number_id: str, event_key: str, display_phone_number: str | None, payload: dict[str, Any], now: datetime
) -> None:
    UnroutedWebhookRecord(
        phone_number_id=phone_number_id,
        event_key=event_key,
        display_phone_number=display_phone_number,
        payload=json.dumps(payload),
        received_at=_iso(now),
        expires_at=now + timedelta(days=30),
    ).save()


# -- send pacing --------------------------------------------------------------------------------
def take_send_token(phone_number_id: str, now_seconds: float, rate: float, burst: float) -> float:
    """Take one token from the number's bucket. Returns 0 when granted, else the seconds to wait."""
    for _ in range(5):
        try:
            bucket = SendRateRecord.get(phone_number_id, consistent_read=True)
            tokens = min(burst, float(bucket.tokens) + (now_seconds - float(bucket.refilled_at)) * rate)
            version = int(bucket.version)
        except DoesNotExist:
            tokens, version = burst, -1
        if tokens < 1:
            return (1 - tokens) / rate
        condition = (
            SendRateRecord.phone_number_id.does_not_exist() if version < 0 else SendRateRecord.version == version
        )
        updated = SendRateRecord(
            phone_number_id=phone_number_id, tokens=tokens - 1, refilled_at=now_seconds, version=version + 1
        )
        if save_if(updated, condition):
            return 0.0
    return 1.0 / rate
