"""Delivers callbacks to businesses from the delivery queue (partial batch responses).

Each record's body is parsed into a DeliveryTask; a malformed one is one reported item failure.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.models.tasks import DeliveryTaskRecord
from bizline.observability import logger
from bizline.services.deliveries import deliver

# Failed records are reported, not raised: SQS retries just those, even when all failed.
processor = BatchProcessor(event_type=EventType.SQS, model=DeliveryTaskRecord, raise_on_entire_batch_failure=False)


def record_handler(record: DeliveryTaskRecord) -> str:
    outcome = deliver(record.body)
    logger.info("delivery attempt", extra={"outcome": outcome, "delivery_id": record.body.delivery_id})
    return outcome


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
