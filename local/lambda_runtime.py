"""Invoke handlers in process the way Lambda would: by handler string, with a context object."""

import importlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local.template import FunctionSpec


@dataclass
class LocalLambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 10
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:eu-central-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


def load_handler(handler: str) -> Callable[[dict[str, Any], Any], Any]:
    module_name, _, function_name = handler.rpartition(".")
    return getattr(importlib.import_module(module_name), function_name)


_keys_lock = threading.Lock()


def _per_thread_log_keys() -> None:
    """Give each thread its own Powertools log keys.

    In AWS each invocation has its process; here handlers run side by side in threads of one
    process and share bizline's Logger, whose keys (function_name, request id, ...) the
    `inject_lambda_context` of one invocation would overwrite under another's log lines.
    """
    from bizline.observability import logger

    formatter = logger.registered_formatter
    with _keys_lock:
        if getattr(formatter, "keys_per_thread", False):
            return
        base = dict(formatter.log_format)
        local = threading.local()

        class PerThreadKeys(type(formatter)):  # type: ignore[misc]
            keys_per_thread = True

            @property
            def log_format(self) -> dict[str, Any]:
                if not hasattr(local, "keys"):
                    local.keys = dict(base)
                return local.keys

            @log_format.setter
            def log_format(self, value: dict[str, Any]) -> None:
                local.keys = value

        formatter.__dict__.pop("log_format", None)
        formatter.__class__ = PerThreadKeys


_environments: dict[str, threading.Lock] = {}


def _environment(function: str) -> threading.Lock:
    """One execution environment per function: like a Lambda sandbox, it runs one invocation at a time.

    Handlers keep per-invocation state in module globals (Powertools' resolver holds the current
    event and route), safe in Lambda where a sandbox never runs two invocations at once.
    """
    with _keys_lock:
        return _environments.setdefault(function, threading.Lock())


def invoke(spec: FunctionSpec, event: dict[str, Any]) -> Any:
    _per_thread_log_keys()
    with _environment(spec.logical_id):
        return _invoke(spec, event)


def _invoke(spec: FunctionSpec, event: dict[str, Any]) -> Any:
    context = LocalLambdaContext(
        function_name=spec.logical_id,
        memory_limit_in_mb=int(spec.properties.get("MemorySize", 512)),
        timeout_seconds=int(spec.properties.get("Timeout", 10)),
    )
    return load_handler(spec.handler)(event, context)
