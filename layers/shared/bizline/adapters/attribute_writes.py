"""Update actions that write attribute values on a record: a value is set, None removes the attribute."""

from collections.abc import Mapping

from pynamodb.expressions.update import Action
from pynamodb.models import Model


def writes(model: type[Model], values: Mapping[str, object]) -> list[Action]:
    """One SET or REMOVE action per named attribute of `model`."""
    return [
        getattr(model, name).remove() if value is None else getattr(model, name).set(value)
        for name, value in values.items()
    ]
