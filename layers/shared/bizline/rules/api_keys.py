"""API key material: random tokens with a recognisable prefix, kept only as SHA-256 hashes."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_PREFIX = "bzl_"
_DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 8


@dataclass(frozen=True)
class NewApiKey:
    plaintext: str
    key_hash: str
    display_prefix: str


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def generate_key() -> NewApiKey:
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    return NewApiKey(plaintext, hash_key(plaintext), plaintext[:_DISPLAY_PREFIX_LENGTH])


def key_from_authorization(header: str | None) -> str | None:
    """The key in `Authorization: Bearer bzl_...` (a bare key is accepted too), else None."""
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    token = credentials.strip() if scheme.lower() == "bearer" else header.strip()
    if not token.startswith(KEY_PREFIX) or len(token) > 200:
        return None
    return token


def hashes_match(stored_hash: str, presented_hash: str) -> bool:
    return hmac.compare_digest(stored_hash.encode(), presented_hash.encode())


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"
