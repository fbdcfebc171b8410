"""Persistence of API keys: stored by hash, counted on their business so the last one stays."""

from datetime import datetime

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from bizline.adapters.api_key_lookup import key_from_record
from bizline.adapters.conditional import transact
from bizline.adapters.tables import ApiKeyRecord, BusinessRecord
from bizline.clock import to_iso
from bizline.errors import Conflict, NotFound
from bizline.models.api_keys import StoredApiKey


def key_record(key: StoredApiKey) -> ApiKeyRecord:
    """The record of a new key (the accounts store saves a business's first key with it)."""
    return ApiKeyRecord(
        key_hash=key.key_hash,
        key_id=key.key_id,
        business_id=key.business_id,
        name=key.name,
        prefix=key.prefix,
        created_at=to_iso(key.created_at),
    )


def add_api_key(key: StoredApiKey, limit: int) -> None:
    """Store a new key and count it on its business, together or not at all.

    Refused with 409 `limit_reached` when the business has `limit` active keys already.
    """

    def write(transaction: TransactWrite) -> None:
        transaction.save(key_record(key), condition=ApiKeyRecord.key_hash.does_not_exist())
        transaction.update(
            BusinessRecord(business_id=key.business_id),
            actions=[BusinessRecord.active_key_count.add(1)],
            condition=BusinessRecord.business_id.exists() & (BusinessRecord.active_key_count < limit),
        )

    refused = transact(write)
    if 1 in refused:
        try:
            BusinessRecord.get(key.business_id, consistent_read=True, attributes_to_get=["business_id"])
        except DoesNotExist as error:
            raise NotFound("No such business.") from error
        raise Conflict(
            f"The business has {limit} active API keys, the most it may have: revoke one before creating another.",
            code="limit_reached",
        )
    if refused:
        raise Conflict("The key exists already.")


def list_active_api_keys(business_id: str, limit: int) -> list[StoredApiKey]:
    """The business's keys not revoked, at most `limit` of them."""
    return [
        key_from_record(record)
        for record in ApiKeyRecord.by_business.query(
            # Revoked keys are read and filtered out: pages of 100 keep that to few round trips.
            business_id,
            filter_condition=ApiKeyRecord.revoked_at.does_not_exist(),
            limit=limit,
            page_size=100,
        )
    ]


def find_api_key(business_id: str, key_id: str) -> StoredApiKey | None:
    """One of the business's keys by its id."""
    for record in ApiKeyRecord.by_business.query(business_id, ApiKeyRecord.key_id == key_id, limit=1):
        return key_from_record(record)
    return None


def revoke_api_key(key: StoredApiKey, revoked_at: datetime) -> None:
    """Revoke a key unless it is the business's last active one (checked in the same transaction)."""

    def write(transaction: TransactWrite) -> None:
        transaction.update(
            ApiKeyRecord(key_hash=key.key_hash),
            actions=[ApiKeyRecord.revoked_at.set(to_iso(revoked_at))],
            condition=ApiKeyRecord.revoked_at.does_not_exist() & (ApiKeyRecord.business_id == key.business_id),
        )
        transaction.update(
            BusinessRecord(business_id=key.business_id),
            actions=[BusinessRecord.active_key_count.add(-1)],
            condition=BusinessRecord.active_key_count > 1,
        )

    refused = transact(write)
    if 0 in refused:
        raise NotFound("No such API key.")
    if 1 in refused:
        raise Conflict(
            "This is the business's last active API key: create another before revoking it.",
            code="last_active_key",
        )
