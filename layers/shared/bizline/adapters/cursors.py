"""Pagination cursors: the last key DynamoDB evaluated, opaque to clients, checked on the way back in."""

import base64
import json
from collections.abc import Callable
from typing import Any

from bizline.errors import BadRequest

Key = dict[str, Any]


def encode_cursor(last_key: Key | None) -> str | None:
    """The cursor a client gets for the next page; None on the last page."""
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None, accept: Callable[[Key], bool]) -> Key | None:
    """The key a cursor names when `accept` agrees it belongs to this listing; else 400 invalid_cursor."""
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


def owned_by(business_id: str) -> Callable[[Key], bool]:
    """Accepts a key inside one business's own data: tenants cannot page through each other's."""

    def owned(key: Key) -> bool:
        owner = key.get("business_id", {}).get("S")
        return owner == business_id or key.get("conversation", {}).get("S", "").startswith(f"{business_id}#")

    return owned


def in_partition(attribute: str, value: str) -> Callable[[Key], bool]:
    """Accepts a key whose `attribute` is `value` (an index partition such as a state)."""
    return lambda key: key.get(attribute, {}).get("S") == value
