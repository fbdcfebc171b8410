"""HTTP API Lambda authorizer (payload 2.0, simple responses): an API key becomes a business id."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerEventV2,
    APIGatewayAuthorizerResponseV2,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from bizline.observability import logger
from bizline.services.authentication import resolve_api_key


@logger.inject_lambda_context
@event_source(data_class=APIGatewayAuthorizerEventV2)
def lambda_handler(event: APIGatewayAuthorizerEventV2, context: LambdaContext) -> dict[str, Any]:
    key = resolve_api_key(event.headers.get("authorization"))
    if key is None:
        logger.info("api key refused", extra={"route": event.route_key})
        return APIGatewayAuthorizerResponseV2(authorize=False).asdict()
    return APIGatewayAuthorizerResponseV2(
        authorize=True, context={"business_id": key.business_id, "key_id": key.key_id}
    ).asdict()
