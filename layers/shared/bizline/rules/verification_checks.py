"""Automated checks on a verification request. Each one flags; none rejects by itself.

Pure functions: the caller brings the verified names and the document count.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from urllib.parse import urlsplit

from bizline.models.verification import Check

EMAIL_MATCHES_WEBSITE = "email_domain_matches_website"
REGISTRATION_NUMBER_FORMAT = "registration_number_format"
NAME_NOT_CONFUSABLE = "name_not_confusable_with_verified_business"
DOCUMENTS_ATTACHED = "document_attached"

# Names this close (difflib ratio of their skeletons) are flagged as look-alikes.
CONFUSABLE_RATIO = 0.9


# -- contact email vs website ------------------------------------------------------------------
def _host(website: str) -> str:
    host = (urlsplit(website).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def email_domain_matches_website(contact_email: str, website: str) -> Check:
    """The email's domain is the website's, or one is a subdomain of the other (mail.x.at and x.at)."""
    email_domain = contact_email.rpartition("@")[2].lower().rstrip(".")
    host = _host(website)
    matches = bool(email_domain and host) and (
        email_domain == host or email_domain.endswith(f".{host}") or host.endswith(f".{email_domain}")
    )
    detail = (
        f"{email_domain} belongs to {host}"
        if matches
        else f"the contact email's domain {email_domain} is not the website's domain {host}"
    )
    return Check(EMAIL_MATCHES_WEBSITE, matches, detail)


# -- registration numbers ----------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterFormat:
    register: str
    pattern: re.Pattern[str]
    example: str


def _format(register: str, pattern: str, example: str) -> RegisterFormat:
    # People type register prefixes and check letters in either case; the shape is what counts.
    return RegisterFormat(register, re.compile(pattern, re.IGNORECASE), example)


# The common EU (and neighbouring) registers; other countries get the generic rule.
REGISTER_FORMATS: dict[str, RegisterFormat] = {
    "AT": _format("Firmenbuch", r"^FN ?\d{1,6} ?[a-z]$", "FN 123456a"),
    "DE": _format("Handelsregister", r"^(HRA|HRB|GnR|PR|VR) ?\d{1,6}( ?[A-Z]{1,2})?$", "HRB 12345"),
    "CH": _format("Handelsregister (UID)", r"^CHE-?\d{3}\.?\d{3}\.?\d{3}$", "CHE-123.456.789"),
    "FR": _format("RCS (SIREN)", r"^(RCS [A-Z][A-Za-z -]+ )?\d{3} ?\d{3} ?\d{3}$", "RCS Paris 123 456 789"),
    "NL": _format("Handelsregister (KvK)", r"^\d{8}$", "12345678"),
    "BE": _format("KBO/BCE", r"^[01]\d{3}\.?\d{3}\.?\d{3}$", "0123.456.789"),
    "IE": _format("CRO", r"^\d{4,6}$", "123456"),
    "PL": _format("KRS", r"^(KRS ?)?\d{10}$", "KRS 0000123456"),
}
_GENERIC = re.compile(r"^(?=(?:\D*\d){3})[A-Za-z0-9][A-Za-z0-9 ./-]{2,38}[A-Za-z0-9]$")


def registration_number_format(country: str, registration_number: str) -> Check:
    number = " ".join(registration_number.split())
    known = REGISTER_FORMATS.get(country)
    if known:
        passed = bool(known.pattern.match(number))
        detail = (
            f"matches the {known.register} format"
            if passed
            else f"does not match the {known.register} format, e.g. {known.example}"
        )
        return Check(REGISTRATION_NUMBER_FORMAT, passed, detail)
    passed = bool(_GENERIC.match(number))
    detail = (
        "looks like a register number (no country-specific rule)"
        if passed
        else "a register number has 4 to 40 letters, digits, spaces, dots, slashes or dashes, with 3 digits or more"
    )
    return Check(REGISTRATION_NUMBER_FORMAT, passed, detail)


# -- look-alike names --------------------------------------------------------------------------
_LEGAL_FORMS = frozenset(
    {"gmbh", "mbh", "ag", "kg", "og", "ohg", "ug", "eu", "ek", "ev", "gesbr", "co", "kgaa", "se", "ltd", "llc"}
    | {"llp", "plc", "inc", "corp", "sa", "sas", "sarl", "sarlu", "bv", "nv", "spa", "srl", "sl", "oy", "ab"}
    | {"as", "aps", "sp", "zoo"}
)
# Look-alikes the Unicode data leaves alone because both sides are ASCII.
_ASCII_LOOKALIKES = {"I": "l", "1": "l", "|": "l", "0": "o", "5": "s", "$": "s", "@": "a", "3": "e", "7": "t"}
_SEQUENCE_LOOKALIKES = (("rn", "m"), ("vv", "w"), ("cl", "d"))


@cache
def _homoglyphs() -> dict[str, list[dict[str, str]]]:
    from confusable_homoglyphs.confusables import confusables_data

    return confusables_data


def _ascii_prototype(character: str) -> str:
    if character in _ASCII_LOOKALIKES:
        return _ASCII_LOOKALIKES[character]
    if character.isascii():
        return character
    for glyph in _homoglyphs().get(character, ()):
        candidate = glyph["c"]
        if len(candidate) == 1 and candidate.isascii() and candidate.isalnum():
            return _ASCII_LOOKALIKES.get(candidate, candidate)
    return character


def name_skeleton(name: str) -> str:
    """What a name looks like, give or take case, accents, look-alike letters and the legal form."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(character for character in decomposed if not unicodedata.combining(character))
    mapped = "".join(_ascii_prototype(character) for character in stripped).casefold()
    for sequence, replacement in _SEQUENCE_LOOKALIKES:
        mapped = mapped.replace(sequence, replacement)
    words = re.findall(r"[^\W_]+", mapped)
    kept = [word for word in words if word not in _LEGAL_FORMS] or words
    return "".join(kept)


def confusable(name: str, other: str) -> bool:
    mine, theirs = name_skeleton(name), name_skeleton(other)
    if not mine or not theirs:
        return False
    return mine == theirs or SequenceMatcher(None, mine, theirs).ratio() >= CONFUSABLE_RATIO


def name_not_confusable(display_name: str, verified_names: Iterable[str]) -> Check:
    for verified in verified_names:
        if confusable(display_name, verified):
            return Check(
                NAME_NOT_CONFUSABLE, False, f"'{display_name}' is confusingly close to the verified '{verified}'"
            )
    return Check(NAME_NOT_CONFUSABLE, True, "not close to any verified business's name")


# -- documents ---------------------------------------------------------------------------------
def documents_attached(attached: int) -> Check:
    if attached:
        return Check(DOCUMENTS_ATTACHED, True, f"{attached} document(s) attached")
    return Check(DOCUMENTS_ATTACHED, False, "attach at least one document (e.g. a register extract) before review")


def run_checks(
    *,
    contact_email: str,
    website: str,
    country: str,
    registration_number: str,
    display_name: str,
    verified_names: Iterable[str],
    attached_documents: int,
) -> list[Check]:
    return [
        email_domain_matches_website(contact_email, website),
        registration_number_format(country, registration_number),
        name_not_confusable(display_name, verified_names),
        documents_attached(attached_documents),
    ]


def with_document_count(checks: list[Check], attached: int) -> list[Check]:
    """The same checks with the document check brought up to date."""
    return [documents_attached(attached) if check.name == DOCUMENTS_ATTACHED else check for check in checks]
