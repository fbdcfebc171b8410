"""POST /v1/messages with an Idempotency-Key: the same key and request give the same message.

Powertools idempotency keeps the first answer in DynamoDB for 24 hours; the same key with a
different request is refused rather than silently answered with the first message.
"""

from functools import cache
from typing import Any

from bizline.errors import Conflict, ValidationFailed
from bizline.models.messaging import AcceptedMessage, SendMessageRequest
from bizline.services.fair_use import ensure_send_within_caps
from bizline.services.replies import accept_reply
from bizline.settings import get_settings

IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60


@cache
def _idempotency() -> tuple[Any, Any]:
    """The idempotent accept function and its config, built on first use (not at import)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table)
    config = IdempotencyConfig(
        event_key_jmespath="[business_id, idempotency_key]",
        payload_validation_jmespath="request",
        expires_after_seconds=IDEMPOTENCY_WINDOW_SECONDS,
    )

    @idempotent_function(data_keyword_argument="call", persistence_store=persistence, config=config)
    def accept_once(call: dict[str, Any], request: SendMessageRequest) -> dict[str, Any]:
        # `call` is what the key and the payload check hash; the request itself comes as it was read.
        return accept_reply(
            call["business_id"], request, within_caps=ensure_send_within_caps, sent_by=call.get("sent_by")
        ).model_dump(mode="json")

    return accept_once, config


def register_lambda_context(context: Any) -> None:
    """Lets Powertools expire an in-progress record when the invocation would time out."""
    _idempotency()[1].register_lambda_context(context)


def accept(
    business_id: str,
    request: SendMessageRequest,
    idempotency_key: str | None,
    sent_by: dict[str, str] | None = None,
) -> AcceptedMessage:
    """Accept a reply; with a key, once per business and key (the same answer again, 422 for another request).

    `sent_by` (the console's member) is recorded on the message, not part of what the key compares.
    """
    if not idempotency_key:
        return accept_reply(business_id, request, within_caps=ensure_send_within_caps, sent_by=sent_by)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    call = {
        "business_id": business_id,
        "idempotency_key": idempotency_key,
        # Absent and null are the same request.
        "request": request.model_dump(mode="json", exclude_none=True),
        "sent_by": sent_by,
    }
    try:
        accept_once, _ = _idempotency()
        return AcceptedMessage.model_validate(accept_once(call=call, request=request))
    except IdempotencyValidationError as error:
        raise ValidationFailed(
            "This Idempotency-Key was used with a different request.", code="idempotency_key_reused"
        ) from error
    except IdempotencyAlreadyInProgressError as error:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress.", code="request_in_progress"
        ) from error


def reset_idempotency() -> None:
    """Forget the idempotency configuration (its table name comes from settings)."""
    _idempotency.cache_clear()
