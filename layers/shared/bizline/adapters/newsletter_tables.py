"""PynamoDB models of the newsletters and subscribers tables (template.yaml), re-exported by tables.py."""

from pynamodb.attributes import ListAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from bizline.adapters.table_names import FromSettings


class NewsletterRecord(Model):
    """A newsletter (nl#<id>), one of its runs (run#<id>#<run>), a run's status counters
    (run#<id>#<run>#stat#<k>, sharded) and failure reasons (run#<id>#<run>#reason#<code>), a number's
    messaging limit (limit#<phone number id>) and the customers it reached by hour
    (usage#<phone number id>#<hour>#<run>#<page>)."""

    class Meta:
        table_name = FromSettings("newsletters_table")

    business_id = UnicodeAttribute(hash_key=True)
    newsletter_key = UnicodeAttribute(range_key=True)
    state = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    phone_number_id = UnicodeAttribute(null=True)
    template_name = UnicodeAttribute(null=True)
    template_language = UnicodeAttribute(null=True)
    variables = UnicodeAttribute(null=True)
    audience_tags = ListAttribute(of=UnicodeAttribute, null=True)
    send_at = UnicodeAttribute(null=True)
    cron = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    page = NumberAttribute(null=True)
    cursor = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    skip_reason = UnicodeAttribute(null=True)
    waits_until = UnicodeAttribute(null=True)
    # A run is worked on by one invocation at a time: the one holding the lease, until it ends.
    lease_until = UnicodeAttribute(null=True)
    audience = NumberAttribute(null=True)
    queued = NumberAttribute(null=True)
    skipped_opted_out = NumberAttribute(null=True)
    skipped_template_paused = NumberAttribute(null=True)
    skipped_missing_variable = NumberAttribute(null=True)
    sent = NumberAttribute(null=True)
    delivered = NumberAttribute(null=True)
    read = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    count = NumberAttribute(null=True)
    customers = UnicodeSetAttribute(null=True)
    messaging_limit = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class SubscriberRecord(Model):
    """A subscriber (sub#<customer_id>) or one entry of its status history (hist#<customer_id>#<at>#<ref>)."""

    class Meta:
        table_name = FromSettings("subscribers_table")

    business_id = UnicodeAttribute(hash_key=True)
    subscriber_key = UnicodeAttribute(range_key=True)
    customer_id = UnicodeAttribute()
    status = UnicodeAttribute()
    at = UnicodeAttribute()
    source = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    wa_id = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    attributes = UnicodeAttribute(null=True)
    consent_source = UnicodeAttribute(null=True)
    consent_at = UnicodeAttribute(null=True)
    consent_text = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
