"""Usage metering: the messages table's and the verification audit trail's streams, counted exactly once.

A batch is counted in few transactions (one counter write per business and day per chunk); when a
record cannot be counted, the answer names it and Lambda retries from there (ReportBatchItemFailures).
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger
from bizline.services.metering import StreamChange, meter_changes


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    changes = [
        StreamChange(
            sequence_number=record.dynamodb.sequence_number,
            source_arn=record.event_source_arn,
            old_image=dict(record.dynamodb.old_image) if record.dynamodb.old_image else None,
            new_image=dict(record.dynamodb.new_image) if record.dynamodb.new_image else None,
        )
        for record in DynamoDBStreamEvent(event).records
    ]
    retry_from = meter_changes(changes)
    return {"batchItemFailures": [{"itemIdentifier": retry_from}] if retry_from else []}
