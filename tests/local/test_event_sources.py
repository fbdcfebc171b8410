"""Every event source the local platform emulates, driven by a test template."""

import io
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local.platform import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, LocalPlatform
from tests.local.conftest import FIXTURE_TEMPLATE, wait_for
from tests.local.fixture import handlers

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it

# One real second is one minute on the scheduler's clock.
SPEED = 60
FAKE_START = datetime.now(UTC).replace(second=0, microsecond=0)
VIENNA = ZoneInfo("Europe/Vienna")


@pytest.fixture(scope="module")
def fast_clock():
    real_start = time.time()

    def to_fake(real: float) -> datetime:
        return FAKE_START + timedelta(seconds=(real - real_start) * SPEED)

    return to_fake


@pytest.fixture(scope="module")
def fixture_platform(fast_clock):
    handlers.reset()
    log = io.StringIO()
    with LocalPlatform(
        FIXTURE_TEMPLATE,
        port=0,
        seed_demo=False,
        log_out=log,
        scheduler_clock=lambda: fast_clock(time.time()),
    ) as running:
        running.log = log
        yield running


@pytest.fixture(scope="module")
def aws_clients(fixture_platform):
    session = boto3.session.Session(
        aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY, region_name="eu-central-1"
    )
    return {
        name: session.client(name, endpoint_url=fixture_platform.endpoint) for name in ("sqs", "dynamodb", "scheduler")
    }


def test_resources_come_from_the_template(fixture_platform):
    assert fixture_platform.resources == {
        "tables": ["StreamTable"],
        "queues": ["WorkDeadLetterQueue", "RaisingQueue", "WorkQueue"],
        "buckets": [],
        "schedule_groups": ["TaskSchedules"],
        "user_pools": [],
    }


def test_a_partial_batch_retries_the_failed_message_and_dead_letters_the_poison(fixture_platform, aws_clients):
    sqs = aws_clients["sqs"]
    queue_url = sqs.get_queue_url(QueueName="WorkQueue")["QueueUrl"]
    # Given a good message, a message that fails once and one that always fails
    for body in ("ok-1", "flaky-1", "poison"):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    # Then the good one is done once, the flaky one on its second delivery
    assert wait_for(lambda: sorted(handlers.calls["queue_done"]) == ["flaky-1", "ok-1"])
    # And the poison one is tried maxReceiveCount (3) times, then lands in the dead-letter queue
    dlq_url = sqs.get_queue_url(QueueName="WorkDeadLetterQueue")["QueueUrl"]
    dead = []

    def dead_lettered():
        dead.extend(
            m["Body"] for m in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
        )
        return dead == ["poison"]

    assert wait_for(dead_lettered, timeout=20)
    poison_attempts = [attempt for body, attempt, _ in handlers.calls["queue_attempts"] if body == "poison"]
    assert poison_attempts == [1, 2, 3]
    assert [int(count) for body, _, count in handlers.calls["queue_attempts"] if body == "flaky-1"] == [1, 2]
    assert handlers.calls["queue_done"].count("ok-1") == 1


def test_a_handler_that_raises_gets_the_batch_again_and_the_runner_survives(fixture_platform, aws_clients):
    sqs = aws_clients["sqs"]
    queue_url = sqs.get_queue_url(QueueName="RaisingQueue")["QueueUrl"]
    sqs.send_message_batch(
        QueueUrl=queue_url, Entries=[{"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}]
    )
    assert wait_for(lambda: sorted(handlers.calls["raising_done"]) == ["a", "b"], timeout=20)
    output = fixture_platform.log.getvalue()
    assert "FAILED RuntimeError: first delivery fails" in output
    assert "Traceback" in output


def test_stream_records_arrive_in_order(fixture_platform, aws_clients):
    dynamodb = aws_clients["dynamodb"]
    stream_arn = dynamodb.describe_table(TableName="StreamTable")["Table"]["LatestStreamArn"]
    dynamodb.put_item(TableName="StreamTable", Item={"pk": {"S": "1"}})
    dynamodb.put_item(TableName="StreamTable", Item={"pk": {"S": "2"}})
    dynamodb.put_item(TableName="StreamTable", Item={"pk": {"S": "1"}, "v": {"N": "2"}})
    dynamodb.delete_item(TableName="StreamTable", Key={"pk": {"S": "2"}})
    expected = [("INSERT", "1"), ("INSERT", "2"), ("MODIFY", "1"), ("REMOVE", "2")]
    assert wait_for(lambda: [(name, key) for name, key, _ in handlers.calls["stream"]] == expected)
    assert {arn for _, _, arn in handlers.calls["stream"]} == {stream_arn}


def _scheduled(source):
    return [fired for payload, fired in handlers.calls["scheduled"] if json.loads(payload).get("source") == source]


def test_a_template_rate_schedule_fires_with_its_input(fixture_platform):
    assert wait_for(lambda: len(_scheduled("template-rate")) >= 2, timeout=10)


def test_a_one_time_schedule_fires_once_and_is_deleted(fixture_platform, aws_clients, fast_clock):
    scheduler = aws_clients["scheduler"]
    vienna_soon = (fast_clock(time.time()) + timedelta(minutes=2)).astimezone(VIENNA).replace(tzinfo=None)
    scheduler.create_schedule(
        Name="welcome-newsletter",
        GroupName="TaskSchedules",
        ScheduleExpression=f"at({vienna_soon.isoformat(timespec='seconds')})",
        ScheduleExpressionTimezone="Europe/Vienna",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": fixture_platform.functions["ScheduledTaskFunction"].environment["SCHEDULED_TASK_ARN"],
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"source": "one-time"}),
        },
    )
    assert wait_for(lambda: len(_scheduled("one-time")) == 1, timeout=10)
    assert wait_for(lambda: scheduler.list_schedules(GroupName="TaskSchedules")["Schedules"] == [])
    time.sleep(2)
    assert len(_scheduled("one-time")) == 1


def test_a_cron_schedule_fires_in_its_own_time_zone(fixture_platform, aws_clients, fast_clock):
    # Given a daily cron at a Kathmandu wall-clock time (UTC+05:45) two minutes ahead on the scheduler's clock
    due_utc = (fast_clock(time.time()) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    kathmandu = due_utc.astimezone(ZoneInfo("Asia/Kathmandu"))
    aws_clients["scheduler"].create_schedule(
        Name="kathmandu-morning",
        GroupName="TaskSchedules",
        ScheduleExpression=f"cron({kathmandu.minute} {kathmandu.hour} * * ? *)",
        ScheduleExpressionTimezone="Asia/Kathmandu",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": fixture_platform.functions["ScheduledTaskFunction"].environment["SCHEDULED_TASK_ARN"],
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"source": "cron-kathmandu"}),
        },
    )
    # Then it fires once, in that UTC minute (read as UTC it would be 5 h 45 min off)
    assert wait_for(lambda: len(_scheduled("cron-kathmandu")) == 1, timeout=10)
    fired_at = fast_clock(_scheduled("cron-kathmandu")[0])
    assert due_utc <= fired_at < due_utc + timedelta(minutes=1, seconds=SPEED // 2)
    # And not again within the day
    time.sleep(2)
    assert len(_scheduled("cron-kathmandu")) == 1


def _signed(url, body, secret=LOCAL_SECRET_KEY):
    request = AWSRequest(method="POST", url=url, data=body, headers={"content-type": "application/json"})
    SigV4Auth(Credentials(LOCAL_ACCESS_KEY, secret), "execute-api", "eu-central-1").add_auth(request)
    return dict(request.headers.items())


def _post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_iam_routes_need_a_valid_sigv4_signature(fixture_platform):
    url = f"{fixture_platform.api_url}/admin/echo"
    body = b'{"decision": "approved"}'
    # Unsigned: refused
    assert _post(url, body, {"content-type": "application/json"}) == (403, {"message": "Forbidden"})
    # Signed with the local credentials: accepted, and the caller arrives in the IAM context
    status, echoed = _post(url, body, _signed(url, body))
    assert status == 200
    assert echoed["authorizer"]["iam"]["accessKey"] == LOCAL_ACCESS_KEY
    assert echoed["body"] == body.decode()
    # Signed with another secret, or a body changed after signing: refused
    assert _post(url, body, _signed(url, body, secret="not-the-secret"))[0] == 403
    assert _post(url, b'{"decision": "rejected"}', _signed(url, body))[0] == 403


def test_routes_without_auth_and_with_path_parameters(fixture_platform):
    with urllib.request.urlopen(f"{fixture_platform.api_url}/open/bakery", timeout=10) as response:
        assert response.status == 200
