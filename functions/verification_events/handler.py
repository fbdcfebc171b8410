"""Verification audit entries (DynamoDB stream) become verification.* callbacks to the business.

Each record is handled on its own and a failed one is reported by its sequence number: Lambda
retries from there, and after the last retry sends the batch's details to the on-failure queue.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord, DynamoDBRecordEventName
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger
from bizline.services.verification_events import notify

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def record_handler(record: DynamoDBRecord) -> None:
    # Entries are only ever inserted; anything else on the stream is not news for the business.
    if record.event_name is DynamoDBRecordEventName.INSERT:
        notify(dict(record.dynamodb.new_image))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
