"""Pagination cursors: the last key DynamoDB evaluated, opaque to clients and tamper-evident.

A cursor is `payload.signature`: the key as base64url JSON, and an HMAC-SHA256 of it and of the
listing it belongs to (its scope, e.g. one business's conversations) under a key the stack
generates (`CursorSecret`, read once per container through Powertools' cache). A cursor bizline
did not make, one altered, or one made for another listing is refused with 400 `invalid_cursor`
before DynamoDB sees it; the `accept` check on the key itself keeps tenants apart as well.
"""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from bizline.errors import BadRequest
from bizline.settings import get_settings

Key = dict[str, Any]
_CACHE_SECONDS = 300
# DynamoDB keys are at most a few hundred bytes; anything far longer was not made by bizline.
_MAX_CURSOR_LENGTH = 2048


def _signing_key() -> bytes:
    from aws_lambda_powertools.utilities import parameters

    secret = parameters.get_secret(get_settings().cursor_secret_name, max_age=_CACHE_SECONDS)
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, scope: str) -> str:
    message = f"{scope}\n{payload}".encode()
    return _b64(hmac.new(_signing_key(), message, hashlib.sha256).digest())


def _invalid() -> BadRequest:
    return BadRequest(
        "The cursor is not valid: use the next_cursor of the same listing as it was given.", code="invalid_cursor"
    )


def encode_cursor(last_key: Key | None, scope: str = "") -> str | None:
    """The cursor a client gets for the next page of the listing `scope` names; None on the last page."""
    if not last_key:
        return None
    payload = _b64(json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_signature(payload, scope)}"


def decode_cursor(cursor: str | None, accept: Callable[[Key], bool], scope: str = "") -> Key | None:
    """The key a signed cursor of this listing names, when `accept` agrees; else 400 invalid_cursor."""
    if not cursor:
        return None
    payload, dot, signature = cursor.partition(".")
    if not dot or len(cursor) > _MAX_CURSOR_LENGTH:
        raise _invalid()
    if not hmac.compare_digest(_signature(payload, scope).encode(), signature.encode()):
        raise _invalid()
    try:
        key = json.loads(_unb64(payload))
        accepted = isinstance(key, dict) and all(isinstance(value, dict) for value in key.values()) and accept(key)
    except (ValueError, binascii.Error, AttributeError) as error:
        raise _invalid() from error
    if not accepted:
        raise _invalid()
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


def encode_position(business_id: str, after: str | None, scope: str) -> str | None:
    """The cursor of a merged (sharded) listing: the sort value of the last item shown; None on the last page."""
    if after is None:
        return None
    return encode_cursor({"business_id": {"S": business_id}, "after": {"S": after}}, scope=scope)


def decode_position(cursor: str | None, business_id: str, scope: str) -> str | None:
    """The sort value a merged listing's cursor continues after (None for the first page); else 400 invalid_cursor."""
    key = decode_cursor(
        cursor, lambda key: owned_by(business_id)(key) and isinstance(key.get("after", {}).get("S"), str), scope
    )
    return key["after"]["S"] if key else None
