"""PynamoDB model of the usage table; `bizline.adapters.tables` is where stores import it from.

Counters (pk `<business>#<month>#<shard>`, sk the day, one number per meter) and markers (pk
`marker#<event key>`, sk `marker`, expiring) are written together; rate cards and invoices are
documents beside them.
"""

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from bizline.adapters.table_names import FromSettings


class UsageByMonth(GlobalSecondaryIndex):
    """One roster item per business and month with usage: which businesses a month has (sparse)."""

    class Meta:
        index_name = "by_month"
        projection = KeysOnlyProjection()

    month = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class UsageRecord(Model):
    class Meta:
        table_name = FromSettings("usage_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    # Roster items only (pk `<business>#<month>#roster`): the by_month index holds nothing else.
    month = UnicodeAttribute(null=True)
    # Counters only.
    business_id = UnicodeAttribute(null=True)
    inbound = NumberAttribute(null=True)
    service = NumberAttribute(null=True)
    marketing = NumberAttribute(null=True)
    utility = NumberAttribute(null=True)
    authentication = NumberAttribute(null=True)
    other_category = NumberAttribute(null=True)
    submitted = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    meta_not_billable = NumberAttribute(null=True)
    newsletter_recipients = NumberAttribute(null=True)
    reviews = NumberAttribute(null=True)
    callbacks = NumberAttribute(null=True)
    # Markers only.
    expires_at = TTLAttribute(null=True)
    # Rate cards (pk `rate_card`, sk valid_from) and invoices (pk `invoice#<business>`, sk month): JSON.
    document = UnicodeAttribute(null=True)

    by_month = UsageByMonth()
