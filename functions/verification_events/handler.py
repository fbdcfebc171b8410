"""Verification audit entries (DynamoDB stream) become verification.* callbacks to the business."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger
from bizline.services.verification_events import notify


@logger.inject_lambda_context
@event_source(data_class=DynamoDBStreamEvent)
def lambda_handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, int]:
    # Entries are only ever inserted; the whole batch is one idempotent call, retried whole on failure.
    entries: list[dict[str, Any]] = [
        dict(record.dynamodb.new_image) for record in event.records if record.event_name.name == "INSERT"
    ]
    return {"notified": notify(entries)}
