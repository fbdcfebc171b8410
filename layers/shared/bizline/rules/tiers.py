"""Size classes and billing tiers by Commission Recommendation 2003/361/EC.

A business belongs to a class when it stays under the staff ceiling and under at least one
of the two financial ceilings. Small and medium enterprises use bizline for free.
"""

from dataclasses import dataclass
from datetime import date

from bizline.models.tiers import SizeClass, Tier


@dataclass(frozen=True)
class _Ceiling:
    size_class: SizeClass
    employees_below: int
    turnover_at_most_eur: int
    balance_sheet_at_most_eur: int


# Smallest class first: the first ceiling a business fits under is its class.
_CEILINGS = (
    _Ceiling(SizeClass.MICRO, 10, 2_000_000, 2_000_000),
    _Ceiling(SizeClass.SMALL, 50, 10_000_000, 10_000_000),
    _Ceiling(SizeClass.MEDIUM, 250, 50_000_000, 43_000_000),
)


def classify_size(employees: int, annual_turnover_eur: int, balance_sheet_total_eur: int) -> SizeClass:
    for ceiling in _CEILINGS:
        if employees < ceiling.employees_below and (
            annual_turnover_eur <= ceiling.turnover_at_most_eur
            or balance_sheet_total_eur <= ceiling.balance_sheet_at_most_eur
        ):
            return ceiling.size_class
    return SizeClass.LARGE


def tier_for(size_class: SizeClass) -> Tier:
    return Tier.ENTERPRISE if size_class is SizeClass.LARGE else Tier.FREE


def first_day_of_next_month(today: date) -> date:
    if today.month == 12:
        return date(today.year + 1, 1, 1)
    return date(today.year, today.month + 1, 1)
