"""Persistence of business accounts and their callback settings (DynamoDB through PynamoDB).

API keys have their own store (api_keys_store); a business's first key is saved with it here.
"""

from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from bizline.adapters.api_keys_store import key_record
from bizline.adapters.conditional import transact, update_if
from bizline.adapters.record_attributes import size_attributes, size_of, writes
from bizline.adapters.tables import ApiKeyRecord, BusinessRecord, TierChangeAttribute
from bizline.clock import from_iso, to_iso
from bizline.errors import Conflict, NotFound
from bizline.models.api_keys import StoredApiKey
from bizline.models.businesses import Badge, Business, CallbackSettings, TierChange


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
        size=size_of(record),
        size_class=record.size_class,
        tier=record.tier,
        pending_tier_change=_tier_change_from_attribute(record.pending_tier_change),
        tier_history=[_tier_change_from_attribute(item) for item in record.tier_history or []],
        badge=(
            Badge(verified_name=record.verified_name, verified_since=from_iso(record.verified_at))
            if record.badge and record.verified_name and record.verified_at
            else None
        ),
        created_at=from_iso(record.created_at),
        updated_at=from_iso(record.updated_at),
    )


def _business_attributes(business: Business) -> dict[str, Any]:
    return {
        "display_name": business.display_name,
        "website": business.website,
        "callback_url": business.callback_url,
        **size_attributes(business.size),
        "size_class": business.size_class.value,
        "tier": business.tier.value,
        "pending_tier_change": (
            _tier_change_to_attribute(business.pending_tier_change) if business.pending_tier_change else None
        ),
        "tier_history": [_tier_change_to_attribute(change) for change in business.tier_history],
        "updated_at": to_iso(business.updated_at),
    }


def create_business(business: Business, first_key: StoredApiKey, webhook_secret: str | None = None) -> None:
    """Store a new business and its first key together, or neither."""
    record = BusinessRecord(
        business_id=business.business_id,
        webhook_secret=webhook_secret,
        legal_name=business.legal_name,
        country=business.country,
        contact_email=business.contact_email,
        created_at=to_iso(business.created_at),
        active_key_count=1,
        **_business_attributes(business),
    )

    def write(transaction: TransactWrite) -> None:
        transaction.save(record, condition=BusinessRecord.business_id.does_not_exist())
        transaction.save(key_record(first_key), condition=ApiKeyRecord.key_hash.does_not_exist())

    if transact(write):
        raise Conflict("The business or its first key exists already.")


def get_business(business_id: str) -> Business | None:
    """The business as stored (a due tier change not yet applied), or None."""
    try:
        return _business_from_record(BusinessRecord.get(business_id, consistent_read=True))
    except DoesNotExist:
        return None


def business_update_actions(business: Business) -> list[Action]:
    """Update actions writing every changeable field of `business` (None removes the attribute)."""
    return writes(BusinessRecord, _business_attributes(business))


def update_business(business: Business, expected_updated_at: datetime) -> None:
    """Write the changeable fields, only if nobody else changed the business since it was read."""
    written = update_if(
        BusinessRecord(business_id=business.business_id),
        business_update_actions(business),
        BusinessRecord.updated_at == to_iso(expected_updated_at),
    )
    if not written:
        raise Conflict(
            "The business was changed by another request; read it again and retry.",
            code="concurrent_update",
        )


def get_callback_settings(business_id: str) -> CallbackSettings | None:
    """Where the business's callbacks go and what signs them; None for an unknown business."""
    try:
        record = BusinessRecord.get(business_id, consistent_read=True)
    except DoesNotExist:
        return None
    return callback_settings_of(record)


def callback_settings_of(record: BusinessRecord) -> CallbackSettings:
    """The callback settings a stored business carries."""
    return CallbackSettings(
        callback_url=record.callback_url,
        webhook_secret=record.webhook_secret,
        previous_webhook_secret=record.previous_webhook_secret,
        previous_webhook_secret_expires_at=from_iso(record.previous_webhook_secret_expires_at),
        callback_disabled_at=from_iso(record.callback_disabled_at),
    )


def set_webhook_secret(business_id: str, new_secret: str, previous_valid_until: datetime | None) -> None:
    """Install a new signing secret; the current one stays valid until `previous_valid_until`."""
    actions = [BusinessRecord.webhook_secret.set(new_secret)]
    if previous_valid_until:
        actions += [
            BusinessRecord.previous_webhook_secret.set(BusinessRecord.webhook_secret),
            BusinessRecord.previous_webhook_secret_expires_at.set(to_iso(previous_valid_until)),
        ]
    if not update_if(BusinessRecord(business_id=business_id), actions, BusinessRecord.business_id.exists()):
        raise NotFound("No such business.")


def disable_callbacks(business_id: str, callback_url: str, now: datetime) -> bool:
    """Stop callbacks to the business because `callback_url` answered 410 Gone.

    Only while that URL is still the business's: a URL changed meanwhile starts afresh. False when
    nothing was disabled.
    """
    return update_if(
        BusinessRecord(business_id=business_id),
        [BusinessRecord.callback_disabled_at.set(to_iso(now))],
        BusinessRecord.callback_url == callback_url,
    )


def reenable_callbacks(business_id: str, callback_url: str) -> bool:
    """Turn callbacks back on for `callback_url`, only while it is still the business's URL.

    A change of URL meanwhile re-enabled (or will re-enable) its own. False when nothing changed.
    """
    return update_if(
        BusinessRecord(business_id=business_id),
        [BusinessRecord.callback_disabled_at.remove()],
        BusinessRecord.callback_url == callback_url,
    )
