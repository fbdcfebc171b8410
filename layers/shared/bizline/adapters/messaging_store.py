"""Persistence of phone numbers, customers, messages, deliveries and unrouted webhooks."""

import base64
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from bizline.adapters.tables import (
    CustomerRecord,
    DeliveryRecord,
    MessageRecord,
    PhoneNumberRecord,
    SendRateRecord,
    UnroutedWebhookRecord,
)
from bizline.errors import BadRequest

CONDITION_FAILED = "ConditionalCheckFailedException"


def _iso(value: datetime) -> str:
    return value.isoformat()


def _failed_condition(error: PutError | UpdateError) -> bool:
    return error.cause_response_code == CONDITION_FAILED


def _save_if(record: Any, condition: Condition) -> bool:
    """Conditional put; False when the condition fails (the item is already there)."""
    try:
        record.save(condition=condition)
    except PutError as error:
        if _failed_condition(error):
            return False
        raise
    return True


def _update_if(record: Any, actions: list[Any], condition: Condition) -> bool:
    try:
        record.update(actions=actions, condition=condition)
    except UpdateError as error:
        if _failed_condition(error):
            return False
        raise
    return True


# -- cursors ------------------------------------------------------------------------------------
def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode()


def decode_opaque_cursor(cursor: str | None, accept: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    """The key a cursor names, when `accept` agrees it belongs to this listing; else 400."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        accepted = isinstance(key, dict) and all(isinstance(value, dict) for value in key.values()) and accept(key)
    except ValueError as error:
        raise BadRequest("The cursor is not valid.", code="invalid_cursor") from error
    if not accepted:
        raise BadRequest("The cursor is not valid.", code="invalid_cursor")
    return key


def decode_cursor(cursor: str | None, business_id: str) -> dict[str, Any] | None:
    """A cursor names a key inside the caller's own data; anything else is refused."""

    def owned(key: dict[str, Any]) -> bool:
        owner = key.get("business_id", {}).get("S")
        return owner == business_id or key.get("conversation", {}).get("S", "").startswith(f"{business_id}#")

    return decode_opaque_cursor(cursor, owned)


# -- phone numbers ------------------------------------------------------------------------------
def add_phone_number(business_id: str, phone_number_id: str, display_phone_number: str, now: datetime) -> bool:
    record = PhoneNumberRecord(
        phone_number_id=phone_number_id,
        business_id=business_id,
        display_phone_number=display_phone_number,
        created_at=_iso(now),
    )
    return _save_if(record, PhoneNumberRecord.phone_number_id.does_not_exist())


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
    from pynamodb.exceptions import DeleteError

    try:
        PhoneNumberRecord(phone_number_id=phone_number_id).delete(
            condition=PhoneNumberRecord.business_id == business_id
        )
    except DeleteError as error:
        if error.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


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
        claimed = _save_if(
            CustomerRecord(business_id=business_id, customer_key=first_key, customer_id=candidate),
            CustomerRecord.customer_key.does_not_exist(),
        )
        customer_id = (
            candidate if claimed else CustomerRecord.get(business_id, first_key, consistent_read=True).customer_id
        )
    for key in names.keys:
        _save_if(
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
    _update_if(
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
        _update_if(
            record,
            [CustomerRecord.last_inbound_at.set(at_iso)],
            CustomerRecord.customer_id.exists()
            & (CustomerRecord.last_inbound_at.does_not_exist() | (CustomerRecord.last_inbound_at < at_iso)),
        )


def list_conversations(business_id: str, limit: int, cursor: str | None) -> tuple[list[CustomerRecord], str | None]:
    result = CustomerRecord.by_recent_activity.query(
        business_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor, business_id)
    )
    items = list(result)
    return items, encode_cursor(result.last_evaluated_key)


# -- messages -----------------------------------------------------------------------------------
def conversation_key(business_id: str, customer_id: str) -> str:
    return f"{business_id}#{customer_id}"


def put_message(record: MessageRecord) -> bool:
    """Store a message once: a second write of the same id is a no-op (returns False)."""
    return _save_if(record, MessageRecord.message_id.does_not_exist())


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
    return _update_if(
        MessageRecord(business_id=business_id, message_id=message_id),
        actions,
        MessageRecord.message_id.exists() & (MessageRecord.status_rank < rank),
    )


def claim_for_sending(business_id: str, message_id: str, now: datetime, stale_after: timedelta) -> bool:
    """Take a queued reply for sending, unless another sender has it (or it was sent)."""
    stale = _iso(now - stale_after)
    return _update_if(
        MessageRecord(business_id=business_id, message_id=message_id),
        [MessageRecord.status.set("sending"), MessageRecord.status_times["sending"].set(_iso(now))],
        (MessageRecord.status == "accepted")
        | ((MessageRecord.status == "sending") & (MessageRecord.status_times["sending"] < stale)),
    )


def mark_submitted(business_id: str, message_id: str, wamid: str, now: datetime) -> None:
    _update_if(
        MessageRecord(business_id=business_id, message_id=message_id),
        [
            MessageRecord.wamid.set(wamid),
            MessageRecord.status.set("submitted"),
            MessageRecord.status_times["submitted"].set(_iso(now)),
        ],
        MessageRecord.status == "sending",
    )


def release_claim(business_id: str, message_id: str) -> None:
    _update_if(
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
        last_evaluated_key=decode_cursor(cursor, business_id),
    )
    items = list(result)
    return items, encode_cursor(result.last_evaluated_key)


# -- deliveries ---------------------------------------------------------------------------------
def create_delivery(record: DeliveryRecord) -> bool:
    return _save_if(record, DeliveryRecord.delivery_id.does_not_exist())


def get_delivery(business_id: str, delivery_id: str) -> DeliveryRecord | None:
    try:
        return DeliveryRecord.get(business_id, delivery_id, consistent_read=True)
    except DoesNotExist:
        return None


def mark_enqueued(business_id: str, delivery_id: str) -> None:
    DeliveryRecord(business_id=business_id, delivery_id=delivery_id).update(actions=[DeliveryRecord.enqueued.set(True)])


def claim_attempt(business_id: str, delivery_id: str, attempts_before: int, now: datetime) -> bool:
    """Count an attempt only if nobody else made it: two copies of a task send one request."""
    return _update_if(
        DeliveryRecord(business_id=business_id, delivery_id=delivery_id),
        [DeliveryRecord.attempts.set(attempts_before + 1), DeliveryRecord.updated_at.set(_iso(now))],
        (DeliveryRecord.attempts == attempts_before) & DeliveryRecord.status.is_in("pending", "retrying"),
    )


def record_outcome(
    business_id: str,
    delivery_id: str,
    *,
    status: str,
    now: datetime,
    status_code: int | None = None,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    actions = [
        DeliveryRecord.status.set(status),
        DeliveryRecord.updated_at.set(_iso(now)),
        DeliveryRecord.next_attempt_at.set(_iso(next_attempt_at))
        if next_attempt_at
        else DeliveryRecord.next_attempt_at.remove(),
        DeliveryRecord.last_status_code.set(status_code)
        if status_code is not None
        else DeliveryRecord.last_status_code.remove(),
        DeliveryRecord.last_error.set(error) if error else DeliveryRecord.last_error.remove(),
    ]
    DeliveryRecord(business_id=business_id, delivery_id=delivery_id).update(actions=actions)


def reopen_delivery(business_id: str, delivery_id: str, now: datetime, final_statuses: tuple[str, ...]) -> bool:
    """A failed delivery gets a fresh set of attempts (the business asked for a retry)."""
    return _update_if(
        DeliveryRecord(business_id=business_id, delivery_id=delivery_id),
        [
            DeliveryRecord.status.set("pending"),
            DeliveryRecord.attempts.set(0),
            DeliveryRecord.next_attempt_at.remove(),
            DeliveryRecord.updated_at.set(_iso(now)),
        ],
        DeliveryRecord.status.is_in(*final_statuses),
    )


def list_deliveries(
    business_id: str, statuses: tuple[str, ...] | None, limit: int, cursor: str | None
) -> tuple[list[DeliveryRecord], str | None]:
    result = DeliveryRecord.query(
        business_id,
        scan_index_forward=False,
        filter_condition=DeliveryRecord.status.is_in(*statuses) if statuses else None,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, business_id),
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
        if _save_if(updated, condition):
            return 0.0
    return 1.0 / rate
