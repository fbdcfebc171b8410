"""The SME definition of Commission Recommendation 2003/361/EC, at every boundary."""

from datetime import date

import pytest
from bizline.models.tiers import SizeClass, Tier
from bizline.rules.tiers import classify_size, first_day_of_next_month, tier_for

M = 1_000_000


@pytest.mark.parametrize(
    ("employees", "turnover", "balance_sheet", "expected"),
    [
        # micro: < 10 staff and (turnover <= 2M or balance sheet <= 2M)
        (0, 0, 0, SizeClass.MICRO),
        (9, 2 * M, 2 * M, SizeClass.MICRO),
        (9, 2 * M + 1, 2 * M, SizeClass.MICRO),
        (9, 2 * M, 2 * M + 1, SizeClass.MICRO),
        (9, 2 * M + 1, 2 * M + 1, SizeClass.SMALL),
        (10, 0, 0, SizeClass.SMALL),
        # small: < 50 staff and (turnover <= 10M or balance sheet <= 10M)
        (49, 10 * M, 10 * M, SizeClass.SMALL),
        (49, 10 * M + 1, 10 * M, SizeClass.SMALL),
        (49, 10 * M, 10 * M + 1, SizeClass.SMALL),
        (49, 10 * M + 1, 10 * M + 1, SizeClass.MEDIUM),
        (50, 0, 0, SizeClass.MEDIUM),
        # medium: < 250 staff and (turnover <= 50M or balance sheet <= 43M)
        (249, 50 * M, 43 * M, SizeClass.MEDIUM),
        (249, 50 * M + 1, 43 * M, SizeClass.MEDIUM),
        (249, 50 * M, 43 * M + 1, SizeClass.MEDIUM),
        (249, 50 * M + 1, 43 * M + 1, SizeClass.LARGE),
        (250, 0, 0, SizeClass.LARGE),
        (250, 50 * M, 43 * M, SizeClass.LARGE),
        (100_000, 10_000 * M, 10_000 * M, SizeClass.LARGE),
    ],
)
def test_size_class_at_each_boundary(employees: int, turnover: int, balance_sheet: int, expected: SizeClass):
    # Given the size figures of a business / When it is classified / Then it lands in the expected class
    assert classify_size(employees, turnover, balance_sheet) is expected


@pytest.mark.parametrize(
    ("size_class", "tier"),
    [
        (SizeClass.MICRO, Tier.FREE),
        (SizeClass.SMALL, Tier.FREE),
        (SizeClass.MEDIUM, Tier.FREE),
        (SizeClass.LARGE, Tier.ENTERPRISE),
    ],
)
def test_smes_are_free_and_large_enterprises_pay(size_class: SizeClass, tier: Tier):
    assert tier_for(size_class) is tier


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 1), date(2026, 2, 1)),
        (date(2026, 1, 31), date(2026, 2, 1)),
        (date(2026, 2, 28), date(2026, 3, 1)),
        (date(2026, 12, 1), date(2027, 1, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_next_calendar_month_starts_on_its_first_day(today: date, expected: date):
    assert first_day_of_next_month(today) == expected
