"""SQS: send tasks in batches of ten, the most one call carries, and prepared bodies (webhook envelopes).

A task is one of the pydantic models of `bizline.models.tasks`, sent as its JSON without the
fields left at their defaults (the consumer's model fills them in again).
"""

from collections.abc import Sequence

from bizline.adapters.aws_clients import client
from bizline.models.tasks import Task

MAX_DELAY_SECONDS = 900  # SQS's limit for one message's delay
BATCH = 10


class EnqueueFailed(RuntimeError):
    pass


def _send_batch(queue_url: str, entries: list[dict], what: str) -> None:
    """One SendMessageBatch; the entries SQS reports failed are sent once more, then EnqueueFailed."""
    for _ in range(2):
        failed = client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed", [])
        if not failed:
            return
        failed_ids = {item["Id"] for item in failed}
        entries = [entry for entry in entries if entry["Id"] in failed_ids]
    raise EnqueueFailed(f"{len(entries)} {what} could not be queued on {queue_url}")


def send_tasks(queue_url: str, tasks: Sequence[Task], delay_seconds: int = 0) -> None:
    """Send every task or raise: a partly failed batch is retried once, then reported."""
    delay = max(0, min(int(delay_seconds), MAX_DELAY_SECONDS))
    for start in range(0, len(tasks), BATCH):
        entries = [
            {"Id": str(index), "MessageBody": task.model_dump_json(exclude_defaults=True), "DelaySeconds": delay}
            for index, task in enumerate(tasks[start : start + BATCH])
        ]
        _send_batch(queue_url, entries, "task(s)")


def send_body(queue_url: str, body: str) -> None:
    """Send one message whose body is already the text to carry (a webhook envelope as it came)."""
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)


def send_bodies(queue_url: str, groups: Sequence[Sequence[str]]) -> None:
    """Send prepared bodies, one SendMessageBatch per group (at most ten each); raise unless all were sent."""
    for group in groups:
        _send_batch(
            queue_url, [{"Id": str(index), "MessageBody": body} for index, body in enumerate(group)], "message(s)"
        )
