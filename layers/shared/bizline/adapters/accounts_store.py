"""Persistence of business accounts and API keys (DynamoDB through PynamoDB)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from bizline.adapters.tables import ApiKeyRecord, BusinessRecord, TierChangeAttribute
from bizline.errors import Conflict, NotFound
from bizline.models.businesses import Badge, Business, SizeFigures, TierChange


@dataclass(frozen=True)
class StoredApiKey:
    key_hash: str
    key_id: str
    business_id: str
    name: str | None
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _connection() -> Connection:
    # One low-level connection for transactions, in the region the models use.
    return BusinessRecord._get_connection().connection


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _tier_change_to_attribute(change: TierChange) -> TierChangeAttribute:
    return TierChangeAttribute(
        from_tier=change.from_tier.value,
        to_tier=change.to_tier.value,
        recorded_on=change.recorded_on.isoformat(),
        effective_from=change.effective_from.isoformat(),
    )


def _tier_change_from_attribute(attribute: TierChangeAttribute | None) -> TierChange | None:
    if attribute is None:
        return None
    return TierChange(
        from_tier=attribute.from_tier,
        to_tier=attribute.to_tier,
        recorded_on=date.fromisoformat(attribute.recorded_on),
        effective_from=date.fromisoformat(attribute.effective_from),
    )


def _business_from_record(record: BusinessRecord) -> Business:
    return Business(
        business_id=record.business_id,
        display_name=record.display_name,
        legal_name=record.legal_name,
        country=record.country,
        contact_email=record.contact_email,
        website=record.website,
        callback_url=record.callback_url,
        size=SizeFigures(
            employees=int(record.employees),
            annual_turnover_eur=int(record.annual_turnover_eur),
            balance_sheet_total_eur=int(record.balance_sheet_total_eur),
        ),
        size_class=record.size_class,
        tier=record.tier,
        pending_tier_change=_tier_change_from_attribute(record.pending_tier_change),
        tier_history=[_tier_change_from_attribute(item) for item in record.tier_history or []],
        badge=(
            Badge(verified_name=record.verified_name, verified_since=_parse(record.verified_at))
            if record.badge and record.verified_name and record.verified_at
            else None
        ),
        created_at=_parse(record.created_at),
        updated_at=_parse(record.updated_at),
    )


def _business_attributes(business: Business) -> dict[str, Any]:
    return {
        "display_name": business.display_name,
        "website": business.website,
        "callback_url": business.callback_url,
        "employees": business.size.employees,
        "annual_turnover_eur": business.size.annual_turnover_eur,
        "balance_sheet_total_eur": business.size.balance_sheet_total_eur,
        "size_class": business.size_class.value,
        "tier": business.tier.value,
        "pending_tier_change": (
            _tier_change_to_attribute(business.pending_tier_change) if business.pending_tier_change else None
        ),
        "tier_history": [_tier_change_to_attribute(change) for change in business.tier_history],
        "updated_at": _iso(business.updated_at),
    }


def reenable_callbacks(business_id: str) -> None:
    """A new callback URL gets a fresh start after a 410 Gone disabled the old one."""
    BusinessRecord(business_id=business_id).update(actions=[BusinessRecord.callback_disabled_at.remove()])


def _key_from_record(record: ApiKeyRecord) -> StoredApiKey:
    return StoredApiKey(
        key_hash=record.key_hash,
        key_id=record.key_id,
        business_id=record.business_id,
        name=record.name,
        prefix=record.prefix,
        created_at=_parse(record.created_at),
        last_used_at=_parse(record.last_used_at),
        revoked_at=_parse(record.revoked_at),
    )


def _key_record(key: StoredApiKey) -> ApiKeyRecord:
    return ApiKeyRecord(
        key_hash=key.key_hash,
        key_id=key.key_id,
        business_id=key.business_id,
        name=key.name,
        prefix=key.prefix,
        created_at=_iso(key.created_at),
    )


def create_business(business: Business, first_key: StoredApiKey, webhook_secret: str | None = None) -> None:
    """Store a new business and its first key together, or neither."""
    record = BusinessRecord(
        business_id=business.business_id,
        webhook_secret=webhook_secret,
        legal_name=business.legal_name,
        country=business.country,
        contact_email=business.contact_email,
        created_at=_iso(business.created_at),
        active_key_count=1,
        **_business_attributes(business),
    )
    with TransactWrite(connection=_connection()) as transaction:
        transaction.save(record, condition=BusinessRecord.business_id.does_not_exist())
        transaction.save(_key_record(first_key), condition=ApiKeyRecord.key_hash.does_not_exist())


def get_business(business_id: str) -> Business | None:
    try:
        return _business_from_record(BusinessRecord.get(business_id, consistent_read=True))
    except DoesNotExist:
        return None


def business_update_actions(business: Business) -> list[Action]:
    """Update actions writing every changeable field of `business` (None removes the attribute)."""
    return [
        getattr(BusinessRecord, name).remove() if value is None else getattr(BusinessRecord, name).set(value)
        for name, value in _business_attributes(business).items()
    ]


def update_business(business: Business, expected_updated_at: datetime) -> None:
    """Write the changeable fields, only if nobody else changed the business since it was read."""
    actions = business_update_actions(business)
    record = BusinessRecord(business_id=business.business_id)
    try:
        record.update(actions=actions, condition=BusinessRecord.updated_at == _iso(expected_updated_at))
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(
                "The business was changed by another request; read it again and retry.",
                code="concurrent_update",
            ) from error
        raise


def add_api_key(key: StoredApiKey) -> None:
    with TransactWrite(connection=_connection()) as transaction:
        transaction.save(_key_record(key), condition=ApiKeyRecord.key_hash.does_not_exist())
        transaction.update(
            BusinessRecord(business_id=key.business_id),
            actions=[BusinessRecord.active_key_count.add(1)],
            condition=BusinessRecord.business_id.exists(),
        )


def list_active_api_keys(business_id: str) -> list[StoredApiKey]:
    return [
        _key_from_record(record)
        for record in ApiKeyRecord.by_business.query(
            business_id, filter_condition=ApiKeyRecord.revoked_at.does_not_exist()
        )
    ]


def find_api_key(business_id: str, key_id: str) -> StoredApiKey | None:
    for record in ApiKeyRecord.by_business.query(business_id, ApiKeyRecord.key_id == key_id, limit=1):
        return _key_from_record(record)
    return None


def get_api_key_by_hash(key_hash: str) -> StoredApiKey | None:
    try:
        return _key_from_record(ApiKeyRecord.get(key_hash, consistent_read=True))
    except DoesNotExist:
        return None


def revoke_api_key(key: StoredApiKey, revoked_at: datetime) -> None:
    """Revoke a key unless it is the business's last active one (checked in the same transaction)."""
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.update(
                ApiKeyRecord(key_hash=key.key_hash),
                actions=[ApiKeyRecord.revoked_at.set(_iso(revoked_at))],
                condition=ApiKeyRecord.revoked_at.does_not_exist() & (ApiKeyRecord.business_id == key.business_id),
            )
            transaction.update(
                BusinessRecord(business_id=key.business_id),
                actions=[BusinessRecord.active_key_count.add(-1)],
                condition=BusinessRecord.active_key_count > 1,
            )
    except TransactWriteError as error:
        reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise NotFound("No such API key.") from error
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise Conflict(
                "This is the business's last active API key: create another before revoking it.",
                code="last_active_key",
            ) from error
        raise


def touch_api_key(key_hash: str, used_at: datetime) -> None:
    ApiKeyRecord(key_hash=key_hash).update(
        actions=[ApiKeyRecord.last_used_at.set(_iso(used_at))],
        condition=ApiKeyRecord.key_hash.exists(),
    )


@dataclass(frozen=True)
class CallbackSettings:
    callback_url: str | None
    webhook_secret: str | None
    previous_webhook_secret: str | None
    previous_webhook_secret_expires_at: datetime | None
    callback_disabled_at: datetime | None


def get_callback_settings(business_id: str) -> CallbackSettings | None:
    try:
        record = BusinessRecord.get(business_id, consistent_read=True)
    except DoesNotExist:
        return None
    return CallbackSettings(
        callback_url=record.callback_url,
        webhook_secret=record.webhook_secret,
        previous_webhook_secret=record.previous_webhook_secret,
        previous_webhook_secret_expires_at=_parse(record.previous_webhook_secret_expires_at),
        callback_disabled_at=_parse(record.callback_disabled_at),
    )


def set_webhook_secret(business_id: str, new_secret: str, previous_valid_until: datetime | None) -> None:
    """Install a new signing secret; the current one stays valid until `previous_valid_until`."""
    record = BusinessRecord(business_id=business_id)
    actions = [BusinessRecord.webhook_secret.set(new_secret)]
    if previous_valid_until:
        actions += [
            BusinessRecord.previous_webhook_secret.set(BusinessRecord.webhook_secret),
            BusinessRecord.previous_webhook_secret_expires_at.set(_iso(previous_valid_until)),
        ]
    record.update(actions=actions, condition=BusinessRecord.business_id.exists())


def disable_callbacks(business_id: str, now: datetime) -> None:
    BusinessRecord(business_id=business_id).update(actions=[BusinessRecord.callback_disabled_at.set(_iso(now))])
