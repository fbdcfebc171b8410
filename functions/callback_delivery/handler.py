"""Delivers callbacks to businesses from the delivery queue (partial batch responses).

The batch's deliveries and their businesses' callback settings are read in one request and its
attempts claimed in one write (services/deliveries.start_attempts); each record's body is parsed
into a DeliveryTask, a malformed one being one reported item failure. The claimed attempts run at
the same time, each in its own thread (at most DELIVERY_WORKERS, no fewer than the event source's
BatchSize): a business whose endpoint is slow holds its own attempt until the per-attempt deadline
(CALLBACK_TIMEOUT_SECONDS), never the other businesses' callbacks in the batch. A batch therefore
lasts about one deadline, which the function's Timeout covers (tests/contract/test_callback_time_budget.py).
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.utilities.batch import AsyncBatchProcessor, EventType, async_process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.models.tasks import DeliveryTask, DeliveryTaskRecord
from bizline.observability import logger
from bizline.services.deliveries import finish_attempt, start_attempts
from pydantic import ValidationError

DELIVERY_WORKERS = 10
_workers = ThreadPoolExecutor(max_workers=DELIVERY_WORKERS, thread_name_prefix="callback")

# Failed records are reported, not raised: SQS retries just those, even when all failed.
processor = AsyncBatchProcessor(event_type=EventType.SQS, model=DeliveryTaskRecord, raise_on_entire_batch_failure=False)


def _tasks(event: dict[str, Any]) -> dict[str, DeliveryTask]:
    """The batch's well-formed tasks by message id (the processor reports the malformed ones)."""
    tasks = {}
    for record in event.get("Records", []):
        try:
            tasks[record["messageId"]] = DeliveryTask.model_validate_json(record["body"])
        except (KeyError, TypeError, ValidationError):
            continue
    return tasks


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    tasks = _tasks(event)
    started = dict(zip(tasks, start_attempts(list(tasks.values())), strict=True))

    async def record_handler(record: DeliveryTaskRecord) -> str:
        attempt = started[record.messageId]
        outcome = await asyncio.get_running_loop().run_in_executor(_workers, finish_attempt, attempt)
        logger.info("delivery attempt", extra={"outcome": outcome, "delivery_id": record.body.delivery_id})
        return outcome

    return async_process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
