"""A business's message templates as Meta's template webhooks describe them."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TemplateUpdate:
    """What one template webhook said; None where it said nothing (a quality update names no status)."""

    template_id: str
    name: str | None = None
    language: str | None = None
    status: str | None = None
    reason: str | None = None
    quality: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class MessageTemplate:
    """The latest known state of one template of one business."""

    business_id: str
    template_id: str
    name: str | None
    language: str | None
    status: str | None
    reason: str | None
    quality: str | None
    category: str | None
    updated_at: datetime | None
