"""Replies, conversation history and callback deliveries (HTTP API)."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger, metrics
from bizline.routes import messaging
from bizline.services import idempotent_replies as replies_api
from bizline.web import build_resolver, handle

app = build_resolver(messaging.build_router())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    replies_api.register_lambda_context(context)
    return handle(app, event, context)
