"""Reading a presented API key by its hash and noting its use: all a request's authentication needs.

Apart from api_keys_store (whose key life cycle counts keys on their business), so a function that
only authenticates reaches the API keys table alone.
"""

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import update_if
from bizline.adapters.tables import ApiKeyRecord
from bizline.clock import from_iso, to_iso
from bizline.models.api_keys import StoredApiKey


def key_from_record(record: ApiKeyRecord) -> StoredApiKey:
    """The domain key of a stored record."""
    return StoredApiKey(
        key_hash=record.key_hash,
        key_id=record.key_id,
        business_id=record.business_id,
        name=record.name,
        prefix=record.prefix,
        created_at=from_iso(record.created_at),
        last_used_at=from_iso(record.last_used_at),
        revoked_at=from_iso(record.revoked_at),
    )


def get_api_key_by_hash(key_hash: str) -> StoredApiKey | None:
    """The key with this hash (one consistent read)."""
    try:
        return key_from_record(ApiKeyRecord.get(key_hash, consistent_read=True))
    except DoesNotExist:
        return None


def touch_api_key(key_hash: str, used_at: datetime) -> None:
    """Record when the key was last used (a key that vanished meanwhile stays vanished)."""
    update_if(
        ApiKeyRecord(key_hash=key_hash),
        [ApiKeyRecord.last_used_at.set(to_iso(used_at))],
        ApiKeyRecord.key_hash.exists(),
    )
