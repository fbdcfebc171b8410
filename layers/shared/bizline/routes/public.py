"""Public routes for customers: is this number a verified business's?"""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from bizline.models.verification import LOOKUP_PATTERN, PublicVerification
from bizline.services import public_lookup as verified_lookup
from bizline.web import error_responses, gateway_responses


def build_router() -> Router:
    router = Router()

    @router.get(
        "/v1/public/verified/<phone_number>",
        summary="Is this phone number a verified business's?",
        description=(
            "The number in E.164, with or without `+` (or `00`), up to two spaces, dashes or parentheses "
            "between digits. Unknown and unverified numbers answer alike: `verified: false`. Throttled per "
            "route: API Gateway answers 429 past the limit."
        ),
        tags=["Verification"],
        responses={200: {"description": "Whether the number belongs to a verified business, and which."}}
        | error_responses(404)
        | gateway_responses(429),
    )
    def verified(
        phone_number: Annotated[str, Path(max_length=40, json_schema_extra={"pattern": LOOKUP_PATTERN})],
    ) -> PublicVerification:
        return verified_lookup.lookup(phone_number)

    return router
