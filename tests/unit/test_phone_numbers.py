"""Display numbers as bizline stores them: `+` and the digits."""

import pytest
from bizline.rules.phone_numbers import normalise_display_number


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+43 1 2345678", "+4312345678"),
        ("+43 660-123 4567", "+436601234567"),
        ("4312345678", "+4312345678"),
        (" +43 (1) 5550100 ", "+4315550100"),
    ],
)
def test_a_display_number_is_kept_as_plus_and_digits(typed, stored):
    assert normalise_display_number(typed) == stored
