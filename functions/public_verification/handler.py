"""The public verified-number lookup for customers (HTTP API, no auth, throttled)."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger
from bizline.routes import public
from bizline.web import build_resolver, handle

app = build_resolver(public.build_router())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(app, event, context)
