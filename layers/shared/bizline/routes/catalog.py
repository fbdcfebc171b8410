"""Every router of the public API, for the OpenAPI document and the contract tests."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from bizline.routes import accounts, platform
from bizline.web import build_resolver

ROUTER_FACTORIES = (accounts.build_router, platform.build_router)


def build_api_resolver() -> APIGatewayHttpResolver:
    return build_resolver(*(factory() for factory in ROUTER_FACTORIES))
