"""Serialize requests to moto.

moto is not thread-safe: a DynamoDB transaction that fails restores a deep copy of the tables
taken when it started, silently undoing writes other threads made meanwhile. DynamoDB itself is
atomic per request, so running moto's requests one at a time keeps its semantics where moto
cannot. Both the local platform (a threaded server) and the tests (concurrent requests) use this.
"""

import threading
from typing import Any

_lock = threading.RLock()


def serialize_moto_requests() -> None:
    from moto.core.responses import BaseResponse

    original = BaseResponse.call_action
    if getattr(original, "serialized_by_bizline", False):
        return

    def call_action(self: Any) -> Any:
        with _lock:
            return original(self)

    call_action.serialized_by_bizline = True  # type: ignore[attr-defined]
    BaseResponse.call_action = call_action  # type: ignore[method-assign]
