"""PynamoDB models of the tables declared in template.yaml.

Table names are read from settings when a model first talks to DynamoDB, never at
import time, so tests and the local platform point them anywhere by environment variables.
"""

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bizline.settings import get_settings


class _FromSettings:
    """A lazy class attribute: `Meta.table_name` is looked up in settings on each access."""

    def __init__(self, field: str):
        self.field = field

    def __get__(self, instance: object, owner: type) -> str:
        return getattr(get_settings(), self.field)


class TierChangeAttribute(MapAttribute):
    from_tier = UnicodeAttribute()
    to_tier = UnicodeAttribute()
    recorded_on = UnicodeAttribute()
    effective_from = UnicodeAttribute()


class BusinessRecord(Model):
    class Meta:
        table_name = _FromSettings("businesses_table")

    business_id = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute()
    legal_name = UnicodeAttribute()
    country = UnicodeAttribute()
    contact_email = UnicodeAttribute()
    website = UnicodeAttribute(null=True)
    callback_url = UnicodeAttribute(null=True)
    employees = NumberAttribute()
    annual_turnover_eur = NumberAttribute()
    balance_sheet_total_eur = NumberAttribute()
    size_class = UnicodeAttribute()
    tier = UnicodeAttribute()
    pending_tier_change = TierChangeAttribute(null=True)
    tier_history = ListAttribute(of=TierChangeAttribute, default=list)
    # Kept in the same transactions that add and revoke keys, so the last key cannot be revoked.
    active_key_count = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ApiKeysByBusiness(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_business"
        projection = AllProjection()

    business_id = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute(range_key=True)


class ApiKeyRecord(Model):
    class Meta:
        table_name = _FromSettings("api_keys_table")

    key_hash = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    prefix = UnicodeAttribute()
    created_at = UnicodeAttribute()
    last_used_at = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)

    by_business = ApiKeysByBusiness()


ALL_MODELS: tuple[type[Model], ...] = (BusinessRecord, ApiKeyRecord)


def reset_connections() -> None:
    """Forget cached connections, e.g. when tests or the local platform switch endpoints."""
    for model in ALL_MODELS:
        model._connection = None
