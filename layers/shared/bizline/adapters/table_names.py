"""Where each table model finds its table's name: settings, read when the model first needs it."""

from pynamodb.models import Model

from bizline.settings import get_settings


class FromSettings:
    """A lazy class attribute: `Meta.table_name` is looked up in settings on each access.

    A function whose environment does not name the table fails here with `MissingSetting`.
    """

    def __init__(self, field: str):
        self.field = field

    def __get__(self, instance: object, owner: type) -> str:
        return getattr(get_settings(), self.field)


def table_setting(model: type[Model]) -> str:
    """The settings field that names a model's table (e.g. "messages_table")."""
    return model.Meta.__dict__["table_name"].field
