"""Email addresses are checked as pydantic's EmailStr checks them, with email-validator imported on first use."""

import pytest
from bizline.models.businesses import SignUpRequest
from bizline.models.common import EMAIL_PATTERN, ContactEmail, EmailAddress, RequestModel
from pydantic import EmailStr, ValidationError


class _WithEmailStr(RequestModel):
    email: EmailStr


class _WithEmailAddress(RequestModel):
    email: EmailAddress


class _WithContactEmail(RequestModel):
    email: ContactEmail


def _outcome(model: type[RequestModel], value: object) -> tuple[str, object]:
    try:
        return "valid", model(email=value).email
    except ValidationError as error:
        return "invalid", [(e["type"], e["msg"], e["loc"], e.get("ctx")) for e in error.errors()]


@pytest.mark.parametrize(
    "value",
    [
        "owner@bakery.at",
        "  Owner@Bakery.AT  ",
        "Anna Huber <anna@bakery.at>",
        "anna.huber@bäckerei.at",
        "ü@bücher.de",
        "no-at-sign",
        "owner@bakery",
        "owner@localhost",
        "owner@bakery.test",
        "owner@bakery.local",
        "owner..name@bakery.at",
        "owner@[192.0.2.1]",
        "owner@-bakery.at",
        "o" * 65 + "@bakery.at",
        "",
        42,
        None,
    ],
)
def test_an_address_is_accepted_refused_and_normalised_as_email_str_does(value):
    # Given the same value in a model with pydantic's EmailStr and in one with bizline's EmailAddress
    # When each validates it
    # Then both accept it with the same normalised address, or refuse it with the same error
    assert _outcome(_WithEmailAddress, value) == _outcome(_WithEmailStr, value)
    # And the contact email of sign-up and verification requests, which only documents more, too
    assert _outcome(_WithContactEmail, value) == _outcome(_WithEmailStr, value)


def test_the_documented_schema_is_email_str_s():
    # Given the JSON schema of a field of each type
    # Then the OpenAPI document describes both as a string of format email
    assert _WithEmailAddress.model_json_schema()["properties"] == _WithEmailStr.model_json_schema()["properties"]
    # And a contact email adds what the email check refuses beyond `format: email`
    assert SignUpRequest.model_json_schema()["properties"]["contact_email"] == {
        "format": "email",
        "maxLength": 254,
        "pattern": EMAIL_PATTERN,
        "title": "Contact Email",
        "type": "string",
    }
