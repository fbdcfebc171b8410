"""Acts on Meta's envelopes from the ingest queue, per batch; a failed envelope is retried alone (partial batch)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger
from bizline.services.whatsapp_ingest import IngestBatch

# Failed records are reported, not raised: SQS retries just those, then the dead-letter queue.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    # What the batch reads together (numbers, customers) comes first; what it writes together, last.
    redelivered = {
        record["messageId"]
        for record in records
        if int((record.get("attributes") or {}).get("ApproximateReceiveCount", 1)) > 1
    }
    batch = IngestBatch.open({record["messageId"]: record["body"] for record in records}, redelivered)

    def record_handler(record: SQSRecord) -> None:
        batch.handle(record.message_id)

    with processor(records=records, handler=record_handler, lambda_context=context):
        processor.process()
    response = processor.response()
    reported = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
    # Envelopes whose share of the batch's writes failed are retried too (every step is idempotent).
    for record_id in sorted(batch.finish() - reported):
        response["batchItemFailures"].append({"itemIdentifier": record_id})
    return response
