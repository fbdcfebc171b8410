"""The one clock and the one way bizline writes times: ISO 8601 in UTC, as stored and compared."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_iso(value: datetime | None) -> str | None:
    """A time as stored (ISO 8601); None stays None."""
    return value.isoformat() if value is not None else None


def from_iso(value: str | None) -> datetime | None:
    """A stored time read back; an absent or empty value is None."""
    return datetime.fromisoformat(value) if value else None
