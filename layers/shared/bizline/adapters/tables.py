"""PynamoDB models of the tables declared in template.yaml.

Table names are read from settings when a model first talks to DynamoDB, never at
import time, so tests and the local platform point them anywhere by environment variables.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

# Stores import every table model from here, the verification tables' too (`X as X` re-exports them).
from bizline.adapters.newsletter_tables import NewsletterRecord as NewsletterRecord
from bizline.adapters.newsletter_tables import SubscriberRecord as SubscriberRecord
from bizline.adapters.table_names import FromSettings
from bizline.adapters.table_names import table_setting as table_setting
from bizline.adapters.team_tables import TeamMemberRecord as TeamMemberRecord
from bizline.adapters.usage_tables import UsageRecord as UsageRecord
from bizline.adapters.verification_tables import CheckResultAttribute as CheckResultAttribute
from bizline.adapters.verification_tables import DocumentAttribute as DocumentAttribute
from bizline.adapters.verification_tables import VerificationAuditRecord as VerificationAuditRecord
from bizline.adapters.verification_tables import VerificationRequestRecord as VerificationRequestRecord
from bizline.adapters.verification_tables import VerificationRequestsById as VerificationRequestsById
from bizline.adapters.verification_tables import VerificationRequestsByState as VerificationRequestsByState


class TierChangeAttribute(MapAttribute):
    from_tier = UnicodeAttribute()
    to_tier = UnicodeAttribute()
    recorded_on = UnicodeAttribute()
    effective_from = UnicodeAttribute()


class BusinessesByBadge(GlobalSecondaryIndex):
    """Sparse: only verified businesses carry `badge`."""

    class Meta:
        index_name = "by_badge"
        projection = KeysOnlyProjection()

    badge = UnicodeAttribute(hash_key=True)
    verified_name = UnicodeAttribute(range_key=True)


class BusinessRecord(Model):
    class Meta:
        table_name = FromSettings("businesses_table")

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
    # Kept in the same transactions that add and remove phone numbers: bounds numbers per business.
    phone_number_count = NumberAttribute(default=0)
    # Standard Webhooks signing secrets; the previous one stays valid until its expiry (rotation).
    webhook_secret = UnicodeAttribute(null=True)
    previous_webhook_secret = UnicodeAttribute(null=True)
    previous_webhook_secret_expires_at = UnicodeAttribute(null=True)
    callback_disabled_at = UnicodeAttribute(null=True)
    # The verified badge: set by a reviewer's approval, removed by a revocation.
    badge = UnicodeAttribute(null=True)
    verified_name = UnicodeAttribute(null=True)
    verified_at = UnicodeAttribute(null=True)
    verified_by_request = UnicodeAttribute(null=True)
    badge_revoked_at = UnicodeAttribute(null=True)
    # At most one open verification request, held in the same transactions that open and close it.
    open_verification_request = UnicodeAttribute(null=True)
    verification_reapply_after = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_badge = BusinessesByBadge()


class ApiKeysByBusiness(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_business"
        projection = AllProjection()

    business_id = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute(range_key=True)


class ApiKeyRecord(Model):
    class Meta:
        table_name = FromSettings("api_keys_table")

    key_hash = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    prefix = UnicodeAttribute()
    created_at = UnicodeAttribute()
    last_used_at = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)

    by_business = ApiKeysByBusiness()


class PhoneNumbersByBusiness(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_business"
        projection = AllProjection()

    business_id = UnicodeAttribute(hash_key=True)
    phone_number_id = UnicodeAttribute(range_key=True)


class PhoneNumbersByDisplayNumber(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_display_number"
        projection = AllProjection()

    display_phone_number = UnicodeAttribute(hash_key=True)


class PhoneNumberRecord(Model):
    class Meta:
        table_name = FromSettings("phone_numbers_table")

    phone_number_id = UnicodeAttribute(hash_key=True)
    business_id = UnicodeAttribute()
    waba_id = UnicodeAttribute(null=True)
    display_phone_number = UnicodeAttribute()
    verified_name = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()

    by_business = PhoneNumbersByBusiness()
    by_display_number = PhoneNumbersByDisplayNumber()


class WhatsAppAccountsByWaba(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_waba"
        projection = KeysOnlyProjection()

    waba_id = UnicodeAttribute(hash_key=True)


class WhatsAppAccountRecord(Model):
    class Meta:
        table_name = FromSettings("whatsapp_accounts_table")

    business_id = UnicodeAttribute(hash_key=True)
    waba_id = UnicodeAttribute(range_key=True)
    secret_name = UnicodeAttribute()
    connected_at = UnicodeAttribute()
    token_updated_at = UnicodeAttribute()

    by_waba = WhatsAppAccountsByWaba()


class PublicBadgeRecord(Model):
    class Meta:
        table_name = FromSettings("public_badges_table")

    phone_number = UnicodeAttribute(hash_key=True)
    phone_number_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    verified_name = UnicodeAttribute()
    verified_since = UnicodeAttribute()


class CustomersByRecentActivity(GlobalSecondaryIndex):
    """Sharded: `activity_shard` is `<business id>#<k>` (bizline.adapters.shards), read by merging the shards."""

    class Meta:
        index_name = "by_recent_activity"
        projection = AllProjection()

    activity_shard = UnicodeAttribute(hash_key=True)
    last_activity = UnicodeAttribute(range_key=True)


class CustomerRecord(Model):
    """Either a customer (customer_key cus_...) with its conversation summary, or a name of one.

    Each is its own partition (`record_key` = `<business id>#<customer_key>`): a busy business's
    customers spread over the table instead of sharing one key.
    """

    class Meta:
        table_name = FromSettings("customers_table")

    record_key = UnicodeAttribute(hash_key=True)
    business_id = UnicodeAttribute()
    customer_key = UnicodeAttribute()
    activity_shard = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute()
    wa_id = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    username = UnicodeAttribute(null=True)
    last_activity = UnicodeAttribute(null=True)
    last_message_at = UnicodeAttribute(null=True)
    last_message_preview = UnicodeAttribute(null=True)
    last_direction = UnicodeAttribute(null=True)
    last_inbound_at = UnicodeAttribute(null=True)
    last_read_at = UnicodeAttribute(null=True)
    assignee_id = UnicodeAttribute(null=True)
    assignee_email = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    marketing_messages = UnicodeAttribute(null=True)
    marketing_messages_at = UnicodeAttribute(null=True)
    # Retention: the customer and its names expire RETENTION_DAYS after its last message.
    expires_at = TTLAttribute(null=True)

    by_recent_activity = CustomersByRecentActivity()


class MessagesByConversation(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_conversation"
        projection = AllProjection()

    conversation = UnicodeAttribute(hash_key=True)
    conversation_sort = UnicodeAttribute(range_key=True)


class MessagesByWamid(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_wamid"
        projection = KeysOnlyProjection()

    wamid = UnicodeAttribute(hash_key=True)


class MessageRecord(Model):
    """One message, its own partition (`message_key` = `<business id>#<message id>`).

    `business_id` and `message_id` stay attributes: stream consumers read them from the images.
    """

    class Meta:
        table_name = FromSettings("messages_table")

    message_key = UnicodeAttribute(hash_key=True)
    business_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    conversation = UnicodeAttribute()
    conversation_sort = UnicodeAttribute()
    direction = UnicodeAttribute()
    phone_number_id = UnicodeAttribute()
    type = UnicodeAttribute()
    content = UnicodeAttribute()
    billing_category = UnicodeAttribute()
    wamid = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    status_rank = NumberAttribute(default=0)
    status_times = MapAttribute(default=dict)
    errors = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    sent_at = UnicodeAttribute()
    newsletter_id = UnicodeAttribute(null=True)  # a newsletter's message: metered as a newsletter recipient,
    newsletter_run = UnicodeAttribute(null=True)  # and counted in its run's stats
    edit_history = ListAttribute(of=UnicodeAttribute, null=True)
    edited_at = UnicodeAttribute(null=True)
    deleted_at = UnicodeAttribute(null=True)
    # Meta's `pricing` object from the first status that carried one (JSON): the metering stream reads it.
    pricing = UnicodeAttribute(null=True)
    sent_by = UnicodeAttribute(null=True)  # JSON: the team member who sent a reply from the console
    # Retention: a message expires RETENTION_DAYS after it was stored.
    expires_at = TTLAttribute(null=True)

    by_conversation = MessagesByConversation()
    by_wamid = MessagesByWamid()


class DeliveryRecord(Model):
    """Sharded: `shard` is `<business id>#<k>`, k from the delivery id (bizline.adapters.shards).

    The business id is read from the shard key, and the key's name is short: a callback's item is
    near 1 KB, and past it each of its writes costs a second write unit.
    """

    class Meta:
        table_name = FromSettings("deliveries_table")

    shard = UnicodeAttribute(hash_key=True)
    delivery_id = UnicodeAttribute(range_key=True)
    event_type = UnicodeAttribute()
    payload = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    enqueued = BooleanAttribute(default=False)
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    next_attempt_at = UnicodeAttribute(null=True)
    # While an attempt is on the wire: no other copy of the task may start one before this time.
    attempt_until = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)


class UnroutedWebhookRecord(Model):
    class Meta:
        table_name = FromSettings("unrouted_webhooks_table")

    phone_number_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)
    display_phone_number = UnicodeAttribute(null=True)
    payload = UnicodeAttribute()
    received_at = UnicodeAttribute()
    expires_at = TTLAttribute()


class WhatsAppEventRecord(Model):
    class Meta:
        table_name = FromSettings("whatsapp_events_table")

    business_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    payload = UnicodeAttribute()
    received_at = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)


class SendRateRecord(Model):
    class Meta:
        table_name = FromSettings("send_rate_table")

    phone_number_id = UnicodeAttribute(hash_key=True)
    tokens = NumberAttribute()
    refilled_at = NumberAttribute()
    version = NumberAttribute(default=0)


class IdempotencyRecord(Model):
    """Written by Powertools idempotency; declared so the contract test keeps it in step."""

    class Meta:
        table_name = FromSettings("idempotency_table")

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)


ALL_MODELS: tuple[type[Model], ...] = (
    BusinessRecord,
    ApiKeyRecord,
    PhoneNumberRecord,
    WhatsAppAccountRecord,
    PublicBadgeRecord,
    CustomerRecord,
    MessageRecord,
    DeliveryRecord,
    UnroutedWebhookRecord,
    WhatsAppEventRecord,
    SubscriberRecord,
    NewsletterRecord,
    SendRateRecord,
    IdempotencyRecord,
    VerificationRequestRecord,
    VerificationAuditRecord,
    UsageRecord,
    TeamMemberRecord,
)


def reset_connections() -> None:
    """Forget cached connections, e.g. when tests or the local platform switch endpoints."""
    for model in ALL_MODELS:
        model._connection = None
