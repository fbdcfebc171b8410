"""Record attributes the stores share: update actions from values, and size figures both ways."""

from collections.abc import Mapping

from pynamodb.expressions.update import Action
from pynamodb.models import Model

from bizline.models.businesses import SizeFigures


def writes(model: type[Model], values: Mapping[str, object]) -> list[Action]:
    """One update action per named attribute of `model`: a value is set, None removes the attribute."""
    return [
        getattr(model, name).remove() if value is None else getattr(model, name).set(value)
        for name, value in values.items()
    ]


def size_attributes(size: SizeFigures) -> dict[str, int]:
    """The size figures as the businesses and verification requests tables keep them."""
    return {
        "employees": size.employees,
        "annual_turnover_eur": size.annual_turnover_eur,
        "balance_sheet_total_eur": size.balance_sheet_total_eur,
    }


def size_of(record: Model) -> SizeFigures:
    """The size figures a business or verification request record holds."""
    return SizeFigures(
        employees=int(record.employees),
        annual_turnover_eur=int(record.annual_turnover_eur),
        balance_sheet_total_eur=int(record.balance_sheet_total_eur),
    )
