"""PynamoDB models of the verification tables; `bizline.adapters.tables` is where stores import them from."""

from pynamodb.attributes import BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from bizline.adapters.table_names import FromSettings


class CheckResultAttribute(MapAttribute):
    name = UnicodeAttribute()
    passed = BooleanAttribute()
    detail = UnicodeAttribute()


class DocumentAttribute(MapAttribute):
    document_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    object_key = UnicodeAttribute()
    state = UnicodeAttribute()
    size_bytes = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    attached_at = UnicodeAttribute(null=True)


class VerificationRequestsByState(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_state"
        projection = AllProjection()

    state = UnicodeAttribute(hash_key=True)
    submitted_at = UnicodeAttribute(range_key=True)


class VerificationRequestsById(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_request"
        projection = KeysOnlyProjection()

    request_id = UnicodeAttribute(hash_key=True)


class VerificationRequestRecord(Model):
    class Meta:
        table_name = FromSettings("verification_requests_table")

    business_id = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)
    state = UnicodeAttribute()
    legal_name = UnicodeAttribute()
    display_name = UnicodeAttribute()
    registration_number = UnicodeAttribute()
    register_name = UnicodeAttribute()
    country = UnicodeAttribute()
    registered_address = UnicodeAttribute()
    website = UnicodeAttribute()
    contact_email = UnicodeAttribute()
    employees = NumberAttribute()
    annual_turnover_eur = NumberAttribute()
    balance_sheet_total_eur = NumberAttribute()
    checks = ListAttribute(of=CheckResultAttribute, default=list)
    documents = ListAttribute(of=DocumentAttribute, default=list)
    submitted_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    claimed_by = UnicodeAttribute(null=True)
    claimed_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)
    confirmed_size_class = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    revoked_reason = UnicodeAttribute(null=True)

    by_state = VerificationRequestsByState()
    by_request = VerificationRequestsById()


class VerificationAuditRecord(Model):
    """Append-only: written once per transition, never updated."""

    class Meta:
        table_name = FromSettings("verification_audit_table")

    request_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    business_id = UnicodeAttribute()
    actor = UnicodeAttribute()
    at = UnicodeAttribute()
    from_state = UnicodeAttribute(null=True)
    to_state = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
