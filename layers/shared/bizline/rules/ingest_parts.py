"""A webhook envelope as the ingest queue carries it: whole when it fits, else split by entry and change.

SQS takes at most 256 KiB per message (and per SendMessageBatch call). An envelope is handed on
byte for byte when it fits; one that does not is cut into envelopes of the same shape, one
change each, and a change that alone is too large is halved along its longest list (messages,
statuses, ...), every part keeping the change's other fields (metadata, contacts). Every item of
the original is in exactly one part, so the consumer reads the parts as it would the whole.
"""

import json
from typing import Any

QUEUE_MESSAGE_LIMIT = 256 * 1024
BATCH_ENTRIES = 10


class EnvelopeTooLarge(ValueError):
    """One item alone is larger than a queue message can carry."""


def _size(body: str) -> int:
    return len(body.encode("utf-8"))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _halves(change: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The change as two changes, its longest list cut in two; None when no list has two items."""
    value = change.get("value")
    if not isinstance(value, dict):
        return None
    lists = [(len(items), key) for key, items in value.items() if isinstance(items, list) and len(items) > 1]
    if not lists:
        return None
    _, key = max(lists)
    middle = len(value[key]) // 2
    return [{**change, "value": {**value, key: part}} for part in (value[key][:middle], value[key][middle:])]


def _fitting(envelope: dict[str, Any], entry: dict[str, Any], change: Any, limit: int) -> list[str]:
    body = _dumps({**envelope, "entry": [{**entry, "changes": [change]}]})
    if _size(body) <= limit:
        return [body]
    halves = _halves(change) if isinstance(change, dict) else None
    if halves is None:
        raise EnvelopeTooLarge(f"one change of entry {entry.get('id')!r} is larger than {limit} bytes")
    return [part for half in halves for part in _fitting(envelope, entry, half, limit)]


def queue_bodies(raw: str, envelope: dict[str, Any], limit: int = QUEUE_MESSAGE_LIMIT) -> list[str]:
    """The queue messages that carry `envelope` (whose text is `raw`): [raw] when it fits."""
    if _size(raw) <= limit:
        return [raw]
    parts = []
    for entry in envelope.get("entry") or []:
        for change in entry.get("changes") or []:
            parts.extend(_fitting(envelope, entry, change, limit))
    return parts


def batches(bodies: list[str], limit: int = QUEUE_MESSAGE_LIMIT) -> list[list[str]]:
    """Bodies grouped for SendMessageBatch: at most ten a call and `limit` bytes in all."""
    grouped: list[list[str]] = []
    size = 0
    for body in bodies:
        if not grouped or len(grouped[-1]) == BATCH_ENTRIES or size + _size(body) > limit:
            grouped.append([])
            size = 0
        grouped[-1].append(body)
        size += _size(body)
    return grouped
