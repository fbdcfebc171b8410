"""Runs a newsletter: fired by EventBridge Scheduler, or fed a run's next page (or a send-now) by the dispatch queue."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.models.tasks import DispatchTaskRecord
from bizline.observability import logger
from bizline.services.newsletter_dispatch import dispatch, scheduled_run

processor = BatchProcessor(event_type=EventType.SQS, model=DispatchTaskRecord, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    def seconds_left() -> float:
        return context.get_remaining_time_in_millis() / 1000

    if "Records" not in event:
        outcome = scheduled_run(event, seconds_left)
        logger.info("newsletter run", extra={"outcome": outcome})
        return {"outcome": outcome}

    def record_handler(record: DispatchTaskRecord) -> str:
        task = record.body
        outcome = dispatch(task.business_id, task.newsletter_id, task.run_id, task.page, seconds_left)
        logger.info("newsletter run", extra={"outcome": outcome})
        return outcome

    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
