"""Persistence of each phone number's send bucket; writes are versioned, so two senders cannot both take a token."""

from pynamodb.exceptions import DoesNotExist

from bizline.adapters.conditional import save_if
from bizline.adapters.tables import SendRateRecord
from bizline.models.phone_numbers import SendBucket


def get_send_bucket(phone_number_id: str) -> SendBucket | None:
    """The number's bucket as last written; None for a number that never sent."""
    try:
        record = SendRateRecord.get(phone_number_id, consistent_read=True)
    except DoesNotExist:
        return None
    return SendBucket(tokens=float(record.tokens), refilled_at=float(record.refilled_at), version=int(record.version))


def replace_send_bucket(phone_number_id: str, bucket: SendBucket) -> bool:
    """Write version n of the bucket over version n-1 (version 0 only where none is); False when another won."""
    condition = (
        SendRateRecord.phone_number_id.does_not_exist()
        if bucket.version == 0
        else SendRateRecord.version == bucket.version - 1
    )
    record = SendRateRecord(
        phone_number_id=phone_number_id, tokens=bucket.tokens, refilled_at=bucket.refilled_at, version=bucket.version
    )
    return save_if(record, condition)
