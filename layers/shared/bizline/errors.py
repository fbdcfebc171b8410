"""Domain errors. Each carries the HTTP status and the stable code of the public error contract."""

from typing import Any


class BizlineError(Exception):
    status_code: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or []


class BadRequest(BizlineError):
    status_code = 400
    code = "bad_request"


class Unauthorized(BizlineError):
    status_code = 401
    code = "unauthorized"


class Forbidden(BizlineError):
    """Signed in, but this member's role may not do that."""

    status_code = 403
    code = "forbidden"


class NotFound(BizlineError):
    status_code = 404
    code = "not_found"


class Conflict(BizlineError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(BizlineError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(BizlineError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(BizlineError):
    status_code = 422
    code = "validation_failed"


class TransitionRefused(Conflict):
    """A state change was refused: the item is no longer in a state it may leave that way."""

    code = "invalid_transition"


class QuotaExceeded(BizlineError):
    """A fair-use cap of the business's tier is reached; `details` name the cap and when it resets."""

    status_code = 429
    code = "quota_exceeded"


class UpstreamUnavailable(BizlineError):
    """A service bizline depends on (Meta's Graph API) did not answer usefully; the client may try again."""

    status_code = 503
    code = "upstream_unavailable"
