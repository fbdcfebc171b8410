"""Shared pieces of the API contract: strict request models and the one error body."""

import unicodedata
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetCoreSchemaHandler, HttpUrl, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from bizline.models.countries import ISO_3166_ALPHA2

# A model builds its validator when it first validates, not when its module is imported: a cold
# start then pays for the models of the route it serves, not for every model its function can reach.
ON_FIRST_USE = ConfigDict(defer_build=True)


class RequestModel(BaseModel):
    """Requests reject unknown fields so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, **ON_FIRST_USE)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, **ON_FIRST_USE)


def _known_country(code: str) -> str:
    if code not in ISO_3166_ALPHA2:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. AT")
    return code


def _https_only(url: HttpUrl) -> HttpUrl:
    if url.scheme != "https":
        raise ValueError("must be an https URL")
    return url


CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=2),
    AfterValidator(_known_country),
]
# Bidirectional embeddings, overrides and isolates: they make a name read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _clean_name(value: str) -> str:
    """NFC-normalised; no control or bidi-override characters; at least one visible character."""
    name = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ValueError("must not contain control characters (NUL, tabs, line breaks, ...)")
    if any(char in _BIDI_CONTROLS for char in name):
        raise ValueError("must not contain bidirectional override or isolate characters")
    if all(char.isspace() or unicodedata.category(char) in {"Cf", "Zs", "Zl", "Zp", "Mn"} for char in name):
        raise ValueError("must contain a visible character, not only spaces or zero-width characters")
    return name


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_clean_name)
]
HttpsUrl = Annotated[HttpUrl, AfterValidator(_https_only)]

# Callbacks may be plain http only where settings allow it (local development); the domain decides.
CallbackUrl = Annotated[HttpUrl, Field(max_length=2048)]


def _validate_email(value: str) -> str:
    from pydantic.networks import validate_email

    return validate_email(value)[1]


class _EmailOnFirstCheck:
    """pydantic's EmailStr, checked by the same email-validator, which is imported on the first check.

    EmailStr imports email-validator (with idna and importlib.metadata) when a model using it is
    defined, which every function did through the business models; only sign-up and verification
    requests read an address. Same validation, same normalised value, same error and schema.
    """

    def __get_pydantic_core_schema__(self, _source: type[Any], _handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_validate_email, core_schema.str_schema())

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: Callable[[CoreSchema], JsonSchemaValue]
    ) -> JsonSchemaValue:
        field_schema = handler(schema)
        field_schema.update(type="string", format="email")
        return field_schema


EmailAddress = Annotated[str, _EmailOnFirstCheck()]


class ErrorDetail(BaseModel):
    """One detail of an error. Some codes add their own facts: `quota_exceeded` names the `meter`, its
    `cap`, what was `used` and when it `resets_at`."""

    # Kept as given, so a code's own facts (quota_exceeded's cap and reset) reach the client.
    model_config = ConfigDict(extra="allow")

    field: str | None = Field(default=None, description="Dotted path of the offending field, if any.")
    message: str
    type: str | None = None


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. not_found or validation_failed.")
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """The one error body every bizline endpoint answers with."""

    error: ErrorInfo


class GatewayMessage(BaseModel):
    """What API Gateway itself answers, before any bizline code runs: `{"message": "Unauthorized"}`."""

    message: str


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return ErrorResponse(error=ErrorInfo(code=code, message=message, details=details or [])).model_dump()
