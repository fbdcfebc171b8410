"""Which business a request acts for, by its API key: the one piece of accounts every API function needs.

Kept apart from services.accounts so that a function that only authenticates reaches the API keys
table and nothing else of accounts (its role grants no more).
"""

from datetime import datetime, timedelta

from bizline.adapters import api_key_lookup as key_store
from bizline.clock import utc_now
from bizline.errors import Unauthorized
from bizline.models.api_keys import StoredApiKey
from bizline.rules.api_keys import hash_key, hashes_match, key_from_authorization
from bizline.settings import get_settings


def resolve_api_key(authorization: str | None) -> StoredApiKey | None:
    """The active key an Authorization header carries, or None. One consistent read."""
    plaintext = key_from_authorization(authorization)
    if plaintext is None:
        return None
    presented_hash = hash_key(plaintext)
    key = key_store.get_api_key_by_hash(presented_hash)
    if key is None or key.revoked_at is not None or not hashes_match(key.key_hash, presented_hash):
        return None
    return key


def authenticate(authorization: str | None, authorized_business_id: str | None, now: datetime | None = None) -> str:
    """The business a request acts for.

    The authorizer's answer may be cached by API Gateway for minutes, so the key is checked again
    here: a revoked key stops working at once.
    """
    key = resolve_api_key(authorization)
    if key is None or (authorized_business_id and authorized_business_id != key.business_id):
        raise Unauthorized("A valid API key is required: send 'Authorization: Bearer bzl_...'.")
    now = now or utc_now()
    resolution = timedelta(seconds=get_settings().key_last_used_resolution_seconds)
    if key.last_used_at is None or now - key.last_used_at >= resolution:
        key_store.touch_api_key(key.key_hash, now)
    return key.business_id
