"""A business's message templates as Meta's template webhooks describe them."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
    # Known for templates submitted through bizline (POST /v1/templates); None for ones made elsewhere.
    waba_id: str | None = None
    parameter_format: str | None = None
    components: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime | None = None


@dataclass(frozen=True)
class TemplateDefinition:
    """What a business submitted through bizline, and what Meta answered when it took it."""

    template_id: str
    waba_id: str
    name: str
    language: str
    category: str
    parameter_format: str
    components: list[dict[str, Any]]
    status: str
