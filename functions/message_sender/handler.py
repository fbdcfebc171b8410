"""Sends queued replies through the provider, paced per phone number (partial batch responses)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.models.tasks import SendTaskRecord
from bizline.observability import logger
from bizline.services.newsletter_sending import send_task

# Failed records are reported, not raised: SQS retries just those, even when all failed. A body that
# is not a SendTask is one such failure.
processor = BatchProcessor(event_type=EventType.SQS, model=SendTaskRecord, raise_on_entire_batch_failure=False)


def record_handler(record: SendTaskRecord) -> str:
    outcome = send_task(record.body)
    logger.info("send", extra={"outcome": outcome})
    return outcome


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
