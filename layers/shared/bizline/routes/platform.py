"""Public platform routes: health."""

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel

from bizline.web import error_responses


class Health(BaseModel):
    status: str
    service: str = "bizline"


def build_router() -> Router:
    router = Router()

    @router.get(
        "/v1/health",
        summary="Liveness check",
        tags=["Platform"],
        responses={200: {"description": "bizline is up."}} | error_responses(),
    )
    def health() -> Health:
        return Health(status="ok")

    return router
