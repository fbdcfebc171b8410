"""Every router of the public API, for the OpenAPI document and the contract tests."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from bizline.routes import (
    accounts,
    messaging,
    newsletters,
    phone_numbers,
    platform,
    public,
    subscribers,
    team,
    templates,
    usage,
    verification,
    verification_admin,
    webhooks,
    whatsapp_accounts,
)
from bizline.web import build_resolver, describe_api

ROUTER_FACTORIES = (
    accounts.build_router,
    team.build_router,
    phone_numbers.build_router,
    whatsapp_accounts.build_router,
    messaging.build_router,
    templates.build_router,
    subscribers.build_router,
    newsletters.build_router,
    webhooks.build_router,
    verification.build_router,
    verification_admin.build_router,
    public.build_router,
    usage.build_router,
    platform.build_router,
)


def build_api_resolver() -> APIGatewayHttpResolver:
    """One resolver with every public route, described for the OpenAPI document."""
    return describe_api(build_resolver(*(factory() for factory in ROUTER_FACTORIES)))


def documented_routes() -> set[tuple[str, str]]:
    """(METHOD, path template) of every route the OpenAPI document lists, without generating it."""
    app = build_resolver(*(factory() for factory in ROUTER_FACTORIES))
    return {
        (route.method.upper(), route.openapi_path)
        for route in app._static_routes + app._dynamic_routes
        if route.include_in_schema
    }
