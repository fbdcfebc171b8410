"""API key material: format, hashing and the Authorization header."""

import hashlib

import pytest
from bizline.rules.api_keys import KEY_PREFIX, generate_key, hash_key, hashes_match, key_from_authorization


def test_a_new_key_is_long_random_prefixed_and_kept_only_as_its_sha256():
    # When two keys are generated
    first, second = generate_key(), generate_key()
    # Then they are distinct, recognisable and long enough to resist guessing
    assert first.plaintext != second.plaintext
    assert first.plaintext.startswith(KEY_PREFIX)
    assert len(first.plaintext) >= len(KEY_PREFIX) + 40
    # And what is stored is the SHA-256 of the key, with a short prefix to recognise it
    assert first.key_hash == hashlib.sha256(first.plaintext.encode()).hexdigest()
    assert first.plaintext.startswith(first.display_prefix)
    assert len(first.display_prefix) == len(KEY_PREFIX) + 8


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer bzl_abc", "bzl_abc"),
        ("bearer   bzl_abc  ", "bzl_abc"),
        ("bzl_abc", "bzl_abc"),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearer sk_live_123", None),
        ("", None),
        (None, None),
        ("Bearer bzl_" + "a" * 500, None),
    ],
)
def test_the_key_is_read_from_the_authorization_header(header: str | None, expected: str | None):
    assert key_from_authorization(header) == expected


def test_hashes_are_compared_exactly():
    assert hashes_match(hash_key("bzl_a"), hash_key("bzl_a"))
    assert not hashes_match(hash_key("bzl_a"), hash_key("bzl_b"))
