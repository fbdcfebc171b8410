"""Applies message statuses from the status queue; unknown messages are retried (partial batch), then kept."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.models.tasks import StatusTaskRecord
from bizline.observability import logger
from bizline.services.status_updates import apply_status_update

# Failed records are reported, not raised: SQS retries just those, even when all failed. A body that
# is not a StatusTask is one such failure.
processor = BatchProcessor(event_type=EventType.SQS, model=StatusTaskRecord, raise_on_entire_batch_failure=False)


def record_handler(record: StatusTaskRecord) -> bool:
    # How often SQS has handed this status over: an unknown wamid stops being retried after a few.
    return apply_status_update(record.body, attempt=int(record.attributes.ApproximateReceiveCount))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
