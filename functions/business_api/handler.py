"""Business accounts, API keys, health and the OpenAPI document (HTTP API)."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger, metrics
from bizline.routes import accounts, openapi, phone_numbers, platform, team, whatsapp_accounts
from bizline.web import build_resolver, handle

# This function also takes the catch-all routes: it knows every route of the API for a 405's Allow.
app = build_resolver(
    accounts.build_router(),
    team.build_router(),
    phone_numbers.build_router(),
    whatsapp_accounts.build_router(),
    platform.build_router(),
    openapi.build_router(),
    allowed_methods=openapi.allowed_methods,
)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(app, event, context)
