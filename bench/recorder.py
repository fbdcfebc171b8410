"""Count every AWS call with a botocore event hook, attributed to the actor that made it.

The hook is registered as a botocore built-in handler (`before-parameter-build` and `after-call`),
so every session made afterwards carries it: boto3's default session, PynamoDB's sessions and
Powertools' providers alike. `install()` forgets bizline's cached clients so none made earlier
escapes it.

Attribution does not look at the call stack: the bench runs one invocation at a time and says
whose turn it is (`acting`), so calls made from threads a handler starts (a pool of callback
attempts) count for the function that started them. The pollers' own calls (receive, delete,
stream reads) count for the pseudo actor `EventSourceMapping:<function>`, since in AWS the Lambda
service makes them; calls made by nobody (the bench's own setup) are not counted.
"""

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import capacity

ESM_PREFIX = "EventSourceMapping:"
SQS_CHUNK_BYTES = 64 * 1024


@dataclass
class Call:
    """One AWS API call: who made it, in which phase, and what it consumed."""

    phase: str
    actor: str
    service: str
    operation: str
    read_units: float = 0.0
    write_units: float = 0.0
    # (table or table/index, partition key value, write units): the partitions this call wrote.
    partition_writes: list[tuple[str, str, float]] = field(default_factory=list)
    sqs_requests: int = 0
    empty_receive: bool = False
    units_estimated: bool = False

    @property
    def by_function(self) -> bool:
        """Made by bizline's code (not by the Lambda service's pollers)."""
        return not self.actor.startswith(ESM_PREFIX)

    @property
    def name(self) -> str:
        return f"{self.service}:{self.operation}"


class Recorder:
    """The calls of one bench run, with the phase and the actor in force when each was made."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.phase = "setup"
        self.actor: str | None = None
        self._lock = threading.Lock()

    @contextmanager
    def acting(self, actor: str | None) -> Iterator[None]:
        """Calls made meanwhile (from any thread) are the actor's."""
        previous, self.actor = self.actor, actor
        try:
            yield
        finally:
            self.actor = previous

    @contextmanager
    def in_phase(self, phase: str) -> Iterator[None]:
        previous, self.phase = self.phase, phase
        try:
            yield
        finally:
            self.phase = previous

    def of_phase(self, *phases: str) -> list[Call]:
        return [call for call in self.calls if call.phase in phases]

    # -- the botocore hooks ------------------------------------------------------------------
    def before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.actor is None:
            return
        service = model.service_model.service_name
        call = Call(self.phase, self.actor, service, model.name)
        if service == "dynamodb":
            context["bench_before"] = capacity.before_images(model.name, params)
        context["bench_call"] = call
        context["bench_params"] = params

    def after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        call = context.pop("bench_call", None)
        if call is None:
            return
        params = context.pop("bench_params", {})
        if call.service == "dynamodb":
            usage = capacity.usage(call.operation, params, parsed, context.pop("bench_before", {}))
            call.read_units, call.write_units = usage.read_units, usage.write_units
            call.partition_writes, call.units_estimated = usage.partition_writes, usage.estimated
        elif call.service == "sqs":
            call.sqs_requests = _sqs_requests(call.operation, params)
            call.empty_receive = call.operation == "ReceiveMessage" and not parsed.get("Messages")
        with self._lock:
            self.calls.append(call)


def _sqs_requests(operation: str, params: dict[str, Any]) -> int:
    """SQS bills each 64 KB chunk of a request's payload as one request."""
    if operation == "SendMessage":
        size = len(params.get("MessageBody", "").encode())
    elif operation == "SendMessageBatch":
        size = sum(len(entry.get("MessageBody", "").encode()) for entry in params.get("Entries", []))
    else:
        return 1
    return max(1, math.ceil(size / SQS_CHUNK_BYTES))


RECORDER = Recorder()
_installed = False


def install() -> Recorder:
    """Hook every botocore session made from now on; forget clients made before. Idempotent."""
    global _installed
    import boto3
    import botocore.handlers

    if not _installed:
        botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build", RECORDER.before))
        botocore.handlers.BUILTIN_HANDLERS.append(("after-call", RECORDER.after))
        _installed = True
    boto3.DEFAULT_SESSION = None
    from bizline.caches import reset_caches

    reset_caches()
    return RECORDER
