"""Invoke handlers in process the way Lambda would: by handler string, with a context object."""

import importlib
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


def invoke(spec: FunctionSpec, event: dict[str, Any]) -> Any:
    context = LocalLambdaContext(
        function_name=spec.logical_id,
        memory_limit_in_mb=int(spec.properties.get("MemorySize", 512)),
        timeout_seconds=int(spec.properties.get("Timeout", 10)),
    )
    return load_handler(spec.handler)(event, context)
