"""Shared pieces of the API contract: strict request models and the one error body."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    HttpUrl,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from bizline.models.countries import ISO_3166_ALPHA2
from bizline.models.invisible import INVISIBLE

# A model builds its validator when it first validates, not when its module is imported: a cold
# start then pays for the models of the route it serves, not for every model its function can reach.
ON_FIRST_USE = ConfigDict(defer_build=True)


class RequestModel(BaseModel):
    """Requests reject unknown fields so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, **ON_FIRST_USE)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, **ON_FIRST_USE)


@dataclass(frozen=True)
class Documented:
    """Adds keywords to a field's JSON Schema that a validator of its own enforces (with its own message).

    The document then says what the API refuses: a client, or schemathesis, reads the same rule.
    """

    keywords: tuple[tuple[str, Any], ...]

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(dict(self.keywords))
        return schema


def documented(**keywords: Any) -> Documented:
    return Documented(tuple(keywords.items()))


# Unicode White_Space: what a name or text loses at either end (spelled out: ECMA-262's `\s`, Python's
# `str.isspace` and Rust's `\s` each differ from it a little).
WHITE_SPACE = r"\t\n\v\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_WHITE_SPACE_CHARS = (
    "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)
# Some character other than White_Space: a string that is not blank once stripped.
NOT_BLANK = f"[^{WHITE_SPACE}]"


def _json_integer(value: Any) -> Any:
    # JSON Schema's integer: 3 and 3.0, never true/false or "3" (which Python would turn into 1 or 3).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    return int(value) if isinstance(value, float) and value.is_integer() else value


Integer = Annotated[int, BeforeValidator(_json_integer)]


def _known_country(code: str) -> str:
    if code not in ISO_3166_ALPHA2:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. AT")
    return code


CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=False, min_length=2, max_length=2),
    AfterValidator(_known_country),
    documented(enum=sorted(ISO_3166_ALPHA2)),
]
# Characters a name may not hold: controls (Cc), and bidirectional embeddings, overrides and
# isolates (they make a name read differently from what it is).
_CONTROL = r"\x00-\x1F\x7F-\x9F"
_BIDI = r"\u202A-\u202E\u2066-\u2069"
_NAME_CHAR = f"[^{_CONTROL}{_BIDI}]"
_VISIBLE_CHAR = f"[^{WHITE_SPACE}{_CONTROL}{INVISIBLE}]"
# The whole rule as the document states it: White_Space around (stripped), then a text without
# control or bidi characters that holds one visible character.
NAME_PATTERN = f"^[{WHITE_SPACE}]*{_NAME_CHAR}*{_VISIBLE_CHAR}{_NAME_CHAR}*[{WHITE_SPACE}]*$"
_CONTROL_FOUND = re.compile(f"[{_CONTROL}]")
_BIDI_FOUND = re.compile(f"[{_BIDI}]")
_VISIBLE_FOUND = re.compile(_VISIBLE_CHAR)


def _clean_name(value: str) -> str:
    """Stripped; no control or bidi-override characters; one visible character; NFC-normalised."""
    name = value.strip(_WHITE_SPACE_CHARS)
    if _CONTROL_FOUND.search(name):
        raise ValueError("must not contain control characters (NUL, tabs, line breaks, ...)")
    if _BIDI_FOUND.search(name):
        raise ValueError("must not contain bidirectional override or isolate characters")
    if not _VISIBLE_FOUND.search(name):
        raise ValueError("must contain a visible character, not only spaces or zero-width characters")
    return unicodedata.normalize("NFC", name)


def _not_blank(value: str) -> str:
    text = value.strip(_WHITE_SPACE_CHARS)
    if not text:
        raise ValueError("must not be blank")
    return text


# Lengths count what the client sent, as the document's maxLength does: whitespace is stripped
# after the length check, by the validator, never before it.
def _name(max_length: int) -> Any:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=False, min_length=1, max_length=max_length),
        AfterValidator(_clean_name),
        documented(pattern=NAME_PATTERN),
    ]


def text(max_length: int) -> Any:
    """Free text that must not be blank (the pattern says so); kept without surrounding whitespace."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=False, min_length=1, max_length=max_length),
        AfterValidator(_not_blank),
        documented(pattern=NOT_BLANK),
    ]


Name = _name(200)
ShortName = _name(100)

# URLs as the document spells them, and the rule itself: a DNS name (its last label starts with a
# letter) or an IPv4 address, an optional port, then a path and a query. A URL parser alone
# takes far more (surrounding spaces, octal hosts, ports past 65535); it then normalises the URL.
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_LABEL = r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*"
_HOST = rf"(({_LABEL}\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*|({_OCTET}\.){{3}}{_OCTET})"
_PORT = r"(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
# Path and query in RFC 3986's characters (no fragment: nothing bizline sends to needs one).
_URL_CHAR = r"A-Za-z0-9._~%!$&'()*+,;=:@\-"
_URL_REST = rf"(/[{_URL_CHAR}]*)*(\?[{_URL_CHAR}/?]*)?"


def _url(schemes: str, max_length: int) -> Any:
    pattern = f"^({schemes})://{_HOST}{_PORT}{_URL_REST}$"
    matches = re.compile(pattern).fullmatch
    example = "https://example.com/path" if schemes == "https" else "http(s)://example.com/path"

    def normalised(value: str) -> str:
        if not matches(value):
            raise ValueError(f"must be a URL such as {example}, on a host name or IPv4 address")
        return str(HttpUrl(value))

    return Annotated[
        str,
        StringConstraints(strip_whitespace=False, min_length=1, max_length=max_length),
        AfterValidator(normalised),
        # The pattern alone: `format: uri` would add RFC 3986's finer rules (a `%` starts two hex
        # digits) that the URL parser does not apply, and a reader could not tell which one holds.
        documented(pattern=pattern),
    ]


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


# An email address as `format: email` says, plus what the email check refuses beyond it: a domain
# label over 63 characters, and special-use domains (RFC 6761: .test, .local, ...) where no mail
# can be delivered.
_SPECIAL_USE = "|".join(
    "".join(f"[{char.upper()}{char}]" for char in name)
    for name in ("arpa", "invalid", "local", "localhost", "onion", "test")
)
EMAIL_PATTERN = rf"^(?![^@]*@(.*[^.@]{{64}}|(.*\.)?({_SPECIAL_USE})\.?$))"
ContactEmail = Annotated[EmailAddress, documented(pattern=EMAIL_PATTERN, maxLength=254)]

HttpsUrl = _url("https", 2048)
# Callbacks may be plain http only where settings allow it (local development); the domain decides.
CallbackUrl = _url("https?", 2048)
MediaLink = _url("https?", 2048)


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
