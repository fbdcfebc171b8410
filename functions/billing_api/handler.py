"""Usage and invoices: a business's own (API key), every business's and the rate cards (AWS_IAM)."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger, metrics
from bizline.routes import usage
from bizline.web import build_resolver, handle

app = build_resolver(usage.build_router())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(app, event, context)
