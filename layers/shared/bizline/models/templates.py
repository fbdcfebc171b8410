"""Message templates as the API takes and shows them."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from bizline.models.common import RequestModel, ResponseModel, documented
from bizline.models.whatsapp_accounts import WabaId

TemplateName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{1,512}$")]
LanguageCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")]


class TemplateComponent(RequestModel):
    """One part of a template, as Meta defines it (HEADER, BODY, FOOTER, BUTTONS)."""

    type: Literal["HEADER", "BODY", "FOOTER", "BUTTONS"]
    format: Literal["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"] | None = None
    text: str | None = Field(default=None, min_length=1, max_length=1024)
    example: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Examples Meta reviews: `header_text` / `body_text` ([[...]]) for numbered variables, "
            "`header_text_named_params` / `body_text_named_params` ([{param_name, example}]) for named ones."
        ),
    )
    buttons: list[dict[str, Any]] | None = Field(default=None, max_length=10)

    @field_validator("type", "format", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


def _one_of_each_component() -> dict[str, Any]:
    """Exactly one BODY and at most one of each other kind, as JSON Schema says it (contains, min/maxContains)."""
    rules = []
    for kind in ("HEADER", "BODY", "FOOTER", "BUTTONS"):
        rule: dict[str, Any] = {"contains": {"properties": {"type": {"const": kind}}}, "maxContains": 1}
        rule["minContains"] = 1 if kind == "BODY" else 0
        rules.append(rule)
    return {"allOf": rules}


class CreateTemplateRequest(RequestModel):
    name: TemplateName
    language: LanguageCode = Field(description="Meta's language code, e.g. de, en_US.")
    category: Literal["marketing", "utility", "authentication"]
    components: Annotated[list[TemplateComponent], documented(**_one_of_each_component())] = Field(
        min_length=1, max_length=4
    )
    waba_id: WabaId | None = Field(
        default=None, description="The connected WhatsApp Business Account; needed when more than one is connected."
    )

    @field_validator("components")
    @classmethod
    def _one_body(cls, components: list[TemplateComponent]) -> list[TemplateComponent]:
        kinds = [component.type for component in components]
        if kinds.count("BODY") != 1 or len(set(kinds)) != len(kinds):
            raise ValueError("a template has exactly one BODY and at most one of each other component")
        return components


class Template(ResponseModel):
    template_id: str = Field(description="Meta's id of the template.")
    name: str | None
    language: str | None
    category: str | None
    status: str | None = Field(description="PENDING, APPROVED, REJECTED, PAUSED, DISABLED, ... as Meta reports.")
    reason: str | None = None
    quality: str | None = None
    waba_id: str | None = None
    parameter_format: str | None = None
    variables: dict[str, list[str]] = Field(default_factory=dict, description="Variables per component.")
    components: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class TemplateList(ResponseModel):
    items: list[Template]
