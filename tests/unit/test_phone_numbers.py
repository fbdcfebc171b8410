"""Phone numbers as bizline stores them: E.164, parsed by libphonenumber."""

import pytest
from bizline.errors import ValidationFailed
from bizline.rules.phone_numbers import normalise_meta_display_number, to_e164


@pytest.mark.parametrize(
    ("reported", "stored"),
    [
        ("+43 1 2345678", "+4312345678"),
        ("+43 660-123 4567", "+436601234567"),
        ("4312345678", "+4312345678"),
        (" +43 (1) 5550100 ", "+4315550100"),
        ("+1 631-555-5555", "+16315555555"),
        ("15550783881", "+15550783881"),
    ],
)
def test_a_display_number_meta_reports_is_kept_as_e164(reported, stored):
    # Given a display number as Meta's Graph API reports it / When normalised / Then it is E.164
    assert normalise_meta_display_number(reported) == stored


@pytest.mark.parametrize("reported", ["", "call me", "+0 123", "+43 1", "+99912345678901234567"])
def test_text_that_is_no_international_number_is_not_normalised(reported):
    assert normalise_meta_display_number(reported) is None


@pytest.mark.parametrize(
    ("asked", "e164"),
    [("+43 1 555-0100", "+4315550100"), ("0043 1 5550100", "+4315550100"), ("+43 (1) 555-0100", "+4315550100")],
)
def test_a_customer_may_ask_with_separators_and_prefixes(asked, e164):
    assert to_e164(asked) == e164


@pytest.mark.parametrize(
    "asked",
    # API Gateway decodes path parameters: a `%` that reaches the rule was typed as one (encoded twice).
    ["%2B43%201%205550100", "+43 1 5550100 x", "+43.1.5550100", "+4315550100\n", "+0123456789", "+43   1 5550100"],
)
def test_only_what_the_documented_pattern_takes_is_read(asked):
    with pytest.raises(ValidationFailed):
        to_e164(asked)


def test_a_number_no_country_could_issue_is_still_answered_in_e164():
    # Given digits in E.164's shape under a country code nobody holds (+999)
    # Then they are no badge's number, but a number all the same: the lookup answers it as such
    assert normalise_meta_display_number("+9991234567") is None
    assert to_e164("00999 123-4567") == "+9991234567"


@pytest.mark.parametrize("asked", ["abc", "+", "12", "x" * 100])
def test_a_malformed_number_is_a_validation_error(asked):
    with pytest.raises(ValidationFailed):
        to_e164(asked)
