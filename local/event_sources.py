"""Pollers that feed functions from SQS, DynamoDB streams and schedules, as Lambda's services do.

Each runs in its own thread, invokes through the platform's invoker (which logs one line per
invocation and never lets a handler's failure escape), and retries the way AWS would.
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local.schedule_expressions import UnsupportedExpression, parse
from local.template import ACCOUNT_ID, REGION, EventSource, FunctionSpec, arn_of, physical_name

log = logging.getLogger("bizline.local")

# (spec, event, trigger) -> (succeeded, result)
SafeInvoker = Callable[[FunctionSpec, dict[str, Any], str], tuple[bool, Any]]


class Poller(threading.Thread):
    interval_seconds = 0.2

    def __init__(self, name: str):
        super().__init__(name=name, daemon=True)
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                busy = self.poll_once()
            except Exception:
                log.exception("%s: poll failed; retrying", self.name)
                busy = False
            if not busy:
                self.stopping.wait(self.interval_seconds)

    def poll_once(self) -> bool:
        raise NotImplementedError


def _target_logical_id(reference: Any) -> str:
    """The logical id inside !GetAtt X.Arn / !Ref X."""
    if isinstance(reference, dict):
        value = reference.get("Fn::GetAtt") or reference.get("Ref")
        return value[0] if isinstance(value, list) else value
    return str(reference).rsplit(":", 1)[-1]


class SqsPoller(Poller):
    """An SQS event source mapping: batches, partial batch responses, visibility and redrive."""

    def __init__(
        self, source: EventSource, spec: FunctionSpec, sqs: Any, template: dict[str, Any], invoker: SafeInvoker
    ):
        super().__init__(f"sqs:{source.function}.{source.name}")
        self.spec = spec
        self.sqs = sqs
        self.invoker = invoker
        queue_id = _target_logical_id(source.properties["Queue"])
        self.queue_name = physical_name(template, queue_id)
        self.queue_arn = arn_of(template, queue_id)
        self.queue_url = sqs.get_queue_url(QueueName=self.queue_name)["QueueUrl"]
        self.batch_size = int(source.properties.get("BatchSize", 10))
        self.reports_failures = "ReportBatchItemFailures" in source.properties.get("FunctionResponseTypes", [])
        self.enabled = source.properties.get("Enabled", True)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = {name: str(value) for name, value in message.get("Attributes", {}).items()}
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": attributes,
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": value.get("BinaryValue"),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value["DataType"],
                }
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": REGION,
        }

    def poll_once(self) -> bool:
        if not self.enabled:
            return False
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.batch_size, 10),
            WaitTimeSeconds=0,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return False
        records = [self._record(message) for message in received]
        succeeded, result = self.invoker(self.spec, {"Records": records}, f"sqs {self.queue_name} x{len(records)}")
        if not succeeded:
            return True  # the batch becomes visible again after the visibility timeout
        failed: set[str] = set()
        if self.reports_failures and isinstance(result, dict):
            failed = {item.get("itemIdentifier") for item in result.get("batchItemFailures") or []}
        done = [record for record in records if record["messageId"] not in failed]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": record["receiptHandle"]}
                    for index, record in enumerate(done[start : start + 10])
                ],
            )
        return True


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


class DynamoDbStreamPoller(Poller):
    """A DynamoDB stream mapping: in-order batches per shard, retried until they succeed.

    A batch still failing after MaximumRetryAttempts is skipped; with an SQS on-failure destination
    (and an SQS client to reach it) its place in the stream is sent there, as Lambda does.
    """

    def __init__(
        self,
        source: EventSource,
        spec: FunctionSpec,
        dynamodb: Any,
        streams: Any,
        template: dict[str, Any],
        invoker: SafeInvoker,
        sqs: Any = None,
    ):
        super().__init__(f"stream:{source.function}.{source.name}")
        self.spec = spec
        self.streams = streams
        self.invoker = invoker
        self.sqs = sqs
        self.function_arn = arn_of(template, spec.logical_id)
        destination = source.properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        self.on_failure_queue = physical_name(template, _target_logical_id(destination)) if destination else None
        self.table_name = physical_name(template, _target_logical_id(source.properties["Stream"]))
        self.stream_arn = dynamodb.describe_table(TableName=self.table_name)["Table"]["LatestStreamArn"]
        self.batch_size = int(source.properties.get("BatchSize", 100))
        self.reports_failures = "ReportBatchItemFailures" in source.properties.get("FunctionResponseTypes", [])
        self.max_retries = int(source.properties.get("MaximumRetryAttempts", -1))
        self.positions: dict[str, str | None] = {}
        self.attempts: dict[str, int] = {}
        if source.properties.get("StartingPosition", "TRIM_HORIZON") == "LATEST":
            for shard_id in self._shards():
                records = self._read(shard_id, None, limit=1000)
                self.positions[shard_id] = records[-1]["dynamodb"]["SequenceNumber"] if records else None

    def _shards(self) -> list[str]:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]

    def _read(self, shard_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        position = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self.streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **position)
        return self.streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=limit)["Records"]

    def poll_once(self) -> bool:
        busy = False
        for shard_id in self._shards():
            records = self._read(shard_id, self.positions.get(shard_id), self.batch_size)
            if not records:
                continue
            busy = True
            event = {"Records": [{**_jsonable(record), "eventSourceARN": self.stream_arn} for record in records]}
            succeeded, result = self.invoker(self.spec, event, f"stream {self.table_name} x{len(records)}")
            done_until = records[-1]["dynamodb"]["SequenceNumber"] if succeeded else None
            if succeeded and self.reports_failures and isinstance(result, dict):
                failed = [item.get("itemIdentifier") for item in result.get("batchItemFailures") or []]
                if failed:
                    sequence = [record["dynamodb"]["SequenceNumber"] for record in records]
                    first_failed = min(sequence.index(item) for item in failed if item in sequence)
                    done_until = sequence[first_failed - 1] if first_failed else None
                    succeeded = False
            if done_until:
                self.positions[shard_id] = done_until
            if succeeded:
                self.attempts.pop(shard_id, None)
                continue
            self.attempts[shard_id] = self.attempts.get(shard_id, 0) + 1
            if 0 <= self.max_retries < self.attempts[shard_id]:
                self._give_up(shard_id, records, self.attempts.pop(shard_id))
                self.positions[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
            else:
                time.sleep(min(2 ** self.attempts[shard_id] * 0.1, 5))
        return busy

    def _give_up(self, shard_id: str, records: list[dict[str, Any]], attempts: int) -> None:
        if not (self.on_failure_queue and self.sqs):
            log.error("%s: dropping a batch after %s attempts", self.name, attempts)
            return
        log.error("%s: a batch failed %s times; its place goes to %s", self.name, attempts, self.on_failure_queue)
        arrivals = [_jsonable(record["dynamodb"].get("ApproximateCreationDateTime")) for record in records]
        failure = {
            "requestContext": {
                "functionArn": self.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": arrivals[0],
                "approximateArrivalOfLastRecord": arrivals[-1],
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        queue_url = self.sqs.get_queue_url(QueueName=self.on_failure_queue)["QueueUrl"]
        self.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(failure, default=str))


class SchedulePoller(Poller):
    """EventBridge Scheduler: schedules the code creates at run time, and the template's own.

    Template `Schedule`/`ScheduleV2` events and run-time schedules are evaluated alike: once per
    poll every firing time since the last poll is due; a one-time `at()` schedule with
    ActionAfterCompletion DELETE is deleted once it has fired.
    """

    interval_seconds = 0.5

    def __init__(
        self,
        scheduler: Any,
        functions_by_arn: dict[str, FunctionSpec],
        template_sources: list[tuple[EventSource, FunctionSpec]],
        invoker: SafeInvoker,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        super().__init__("scheduler")
        self.scheduler = scheduler
        self.functions_by_arn = functions_by_arn
        self.invoker = invoker
        self.clock = clock
        self.started = clock()
        self.last_poll = self.started
        self.fired_once: set[str] = set()
        self.template_sources = template_sources

    def _template_schedules(self) -> list[dict[str, Any]]:
        schedules = []
        for source, spec in self.template_sources:
            properties = source.properties
            enabled = properties.get("Enabled", True) and properties.get("State", "ENABLED") == "ENABLED"
            expression = properties.get("ScheduleExpression") or properties.get("Schedule")
            if source.type == "ScheduleV2":
                payload = properties.get("Input", "{}")
            else:
                payload = properties.get("Input") or json.dumps(
                    {
                        "version": "0",
                        "id": "local",
                        "detail-type": "Scheduled Event",
                        "source": "aws.events",
                        "account": ACCOUNT_ID,
                        "region": REGION,
                        "resources": [],
                        "detail": {},
                    }
                )
            schedules.append(
                {
                    "Name": f"{source.function}.{source.name}",
                    "GroupName": "template",
                    "ScheduleExpression": expression,
                    "ScheduleExpressionTimezone": properties.get("ScheduleExpressionTimezone", "UTC"),
                    "State": "ENABLED" if enabled else "DISABLED",
                    "Target": {"Arn": spec.logical_id, "Input": payload},
                    "CreationDate": self.started,
                }
            )
        return schedules

    def _runtime_schedules(self) -> list[dict[str, Any]]:
        schedules = []
        groups = [group["Name"] for group in self.scheduler.list_schedule_groups()["ScheduleGroups"]]
        for group in groups:
            for summary in self.scheduler.list_schedules(GroupName=group)["Schedules"]:
                schedules.append(self.scheduler.get_schedule(GroupName=group, Name=summary["Name"]))
        return schedules

    def poll_once(self) -> bool:
        now = self.clock()
        since, self.last_poll = self.last_poll, now
        for schedule in self._template_schedules() + self._runtime_schedules():
            self._fire_if_due(schedule, since, now)
        return False

    def _fire_if_due(self, schedule: dict[str, Any], since: datetime, now: datetime) -> None:
        key = f"{schedule['GroupName']}/{schedule['Name']}"
        if schedule.get("State", "ENABLED") != "ENABLED" or key in self.fired_once:
            return
        try:
            parsed = parse(schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone"))
        except (UnsupportedExpression, ValueError) as error:
            log.error("schedule %s: %s", key, error)
            self.fired_once.add(key)
            return
        anchor = schedule.get("StartDate") or schedule.get("CreationDate") or self.started
        anchor = anchor if isinstance(anchor, datetime) else self.started
        # A one-time schedule created with a time already past fires at once, as Scheduler does.
        window_start = min(since, parsed.at - (now - since)) if parsed.kind == "at" and parsed.at <= now else since
        due = parsed.due_between(window_start, now, anchor)
        end = schedule.get("EndDate")
        due = [moment for moment in due if not isinstance(end, datetime) or moment <= end]
        for moment in due:
            self._fire(schedule, key, moment)
        if parsed.kind == "at" and due:
            self.fired_once.add(key)
            if schedule.get("ActionAfterCompletion") == "DELETE":
                self.scheduler.delete_schedule(GroupName=schedule["GroupName"], Name=schedule["Name"])

    def _fire(self, schedule: dict[str, Any], key: str, moment: datetime) -> None:
        target = schedule["Target"]
        spec = self.functions_by_arn.get(target["Arn"])
        if spec is None:
            log.error("schedule %s targets %s, which is not a function of this template", key, target["Arn"])
            return
        # Scheduler's context attributes in the input, as it fills them in for each firing.
        raw_input = (
            target.get("Input", "{}")
            .replace("<aws.scheduler.scheduled-time>", moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
            .replace("<aws.scheduler.schedule-arn>", schedule.get("Arn", key))
            .replace("<aws.scheduler.execution-id>", f"local-{key}-{moment.timestamp():.0f}")
            .replace("<aws.scheduler.attempt-number>", "1")
        )
        try:
            event = json.loads(raw_input)
        except json.JSONDecodeError:
            event = raw_input
        attempts = 1 + int(target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 2))
        for attempt in range(min(attempts, 5)):
            succeeded, _ = self.invoker(spec, event, f"schedule {key}")
            if succeeded:
                return
            time.sleep(min(0.2 * 2**attempt, 2))
        dead_letter = target.get("DeadLetterConfig", {}).get("Arn")
        if dead_letter:
            log.error("schedule %s failed; its dead-letter queue would receive it: %s", key, dead_letter)
