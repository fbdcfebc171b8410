"""The monthly close (EventBridge Scheduler, the 1st at 00:10 UTC): freeze the month that just ended."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger
from bizline.services.invoices import close_month, close_previous_month


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # The schedule's input may name a month (a re-run by hand); otherwise the month that just ended.
    month = (event or {}).get("month")
    result = close_month(month) if month else close_previous_month()
    logger.info("month closed", extra=result.model_dump())
    return result.model_dump()
