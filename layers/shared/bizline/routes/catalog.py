"""Every router of the public API, for the OpenAPI document and the contract tests."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from bizline.routes import (
    accounts,
    messaging,
    phone_numbers,
    platform,
    public,
    subscribers,
    templates,
    verification,
    verification_admin,
    webhooks,
    whatsapp_accounts,
)
from bizline.web import build_resolver

ROUTER_FACTORIES = (
    accounts.build_router,
    phone_numbers.build_router,
    whatsapp_accounts.build_router,
    messaging.build_router,
    templates.build_router,
    subscribers.build_router,
    webhooks.build_router,
    verification.build_router,
    verification_admin.build_router,
    public.build_router,
    platform.build_router,
)


def build_api_resolver() -> APIGatewayHttpResolver:
    return build_resolver(*(factory() for factory in ROUTER_FACTORIES))
