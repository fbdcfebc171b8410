"""Newsletters: created for an approved template with exactly its variables, scheduled on EventBridge Scheduler in
their time zone, run by the dispatcher (once per firing, opt-outs and the template's state read when sending),
sent by the sender once per run and recipient, and counted per run from Meta's statuses."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.support import (
    add_number,
    approved_template,
    bearer,
    drain,
    json_headers,
    meta_app_secret,
    post_and_ingest,
    post_json,
    queue_bodies,
    sign_up,
    template_webhook,
)

NUMBER = "1098765432"
CONSENT = {"source": "web_form:newsletter", "at": "2026-11-23T09:30:00+01:00", "text": "Ja, Newsletter bitte."}
WEEKLY = {
    "name": "weekly_offer",
    "language": "de",
    "category": "marketing",
    "components": [
        {"type": "BODY", "text": "Hallo {{first_name}}, diese Woche: {{offer}}!",
         "example": {"body_text_named_params": [{"param_name": "first_name", "example": "Anna"},
                                                {"param_name": "offer", "example": "Kipferl"}]}},
    ],
}  # fmt: skip
VARIABLES = {"first_name": {"attribute": "first_name", "default": "liebe Kundschaft"}, "offer": {"text": "Kipferl"}}
ANNA, BERT, CARLA = "436601111111", "436602222222", "436603333333"


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    template = approved_template(api, aws, key, WEEKLY)
    for wa_id, tags, name in ((ANNA, ["stammkunde"], "Anna"), (BERT, ["stammkunde"], None), (CARLA, ["neu"], "Carla")):
        attributes = {"first_name": name} if name else {}
        body = {"wa_id": wa_id, "consent": CONSENT, "tags": tags, "attributes": attributes}
        assert post_json(api, "/v1/subscribers", body, key).status == 201
    return {"business": business, "key": key, "template": template}


def _in(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat(timespec="seconds")


def _create(api, key, **fields):
    body = {
        "name": "Wochenangebot",
        "from_phone_number_id": NUMBER,
        "template": {"name": "weekly_offer", "language": "de"},
        "variables": VARIABLES,
        "send_at": _in(hours=1),
    } | fields
    return post_json(api, "/v1/newsletters", {k: v for k, v in body.items() if v is not None}, key)


def _get(api, key, newsletter_id):
    return api.request("GET", f"/v1/newsletters/{newsletter_id}", headers=bearer(key))


def _scheduler():
    return boto3.client("scheduler", region_name="eu-central-1")


def _schedule(newsletter_id):
    from local.template import load_template, physical_name

    group = physical_name(load_template(), "NewsletterSchedules")
    return _scheduler().get_schedule(GroupName=group, Name=newsletter_id)


def _schedules():
    from local.template import load_template, physical_name

    group = physical_name(load_template(), "NewsletterSchedules")
    return [s["Name"] for s in _scheduler().list_schedules(GroupName=group)["Schedules"]]


def _dispatcher():
    from local.template import functions

    return functions()["NewsletterDispatcherFunction"]


def _fire(newsletter_id, scheduled_time="2026-12-01T08:00:00Z", event=None):
    """What Scheduler does when the newsletter's schedule is due: invoke the dispatcher with its input."""
    from local.lambda_runtime import invoke

    if event is None:
        raw = _schedule(newsletter_id)["Target"]["Input"]
        event = json.loads(raw.replace("<aws.scheduler.scheduled-time>", scheduled_time))
    return invoke(_dispatcher(), event)


def _sandbox_sent():
    from bizline.adapters.providers import get_provider

    return get_provider().sent


def _run(api, key, newsletter_id):
    newsletter = _get(api, key, newsletter_id).json()
    (run,) = newsletter["runs"]
    return newsletter, run


def _statuses(api, aws, wamid, *states, errors=None):
    """Meta's statuses of a sandbox send, each with the callback data the send carried (as Meta hands it back)."""
    from tests.support import change, envelope, status

    (content,) = [sent["content"] for sent in _sandbox_sent() if sent["wamid"] == wamid]
    for state in states:
        failure = errors if state == "failed" else None
        item = status(wamid, state, errors=failure, callback_data=content["biz_opaque_callback_data"])
        assert post_and_ingest(api, envelope(change(NUMBER, statuses=[item])), meta_app_secret(aws)).status == 200
    drain("StatusQueue", "StatusUpdatesFunction")


def test_a_newsletter_is_scheduled_at_its_local_time_with_one_self_deleting_schedule(api, bakery):
    # Given the bakery with an approved template and three subscribers
    # When it schedules a newsletter for 09:00 Vienna time, half a year ahead (summer time then)
    send_at = (datetime.now(UTC) + timedelta(days=180)).strftime("%Y-%m-%dT09:00:00")
    response = _create(api, bakery["key"], send_at=send_at, timezone="Europe/Vienna")
    # Then it is scheduled, and one EventBridge schedule fires at 09:00 in Vienna, once, then deletes itself
    assert response.status == 201, response.body
    newsletter = response.json()
    assert newsletter["state"] == "scheduled"
    schedule = _schedule(newsletter["newsletter_id"])
    assert schedule["ScheduleExpression"] == f"at({send_at})"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Vienna"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    target = schedule["Target"]
    assert target["Arn"].endswith(":function:NewsletterDispatcherFunction")
    assert target["DeadLetterConfig"]["Arn"].endswith(":NewsletterScheduleDeadLetterQueue")
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 5
    assert json.loads(target["Input"]) == {
        "business_id": bakery["business"]["business_id"],
        "newsletter_id": newsletter["newsletter_id"],
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }


def test_a_send_at_0230_on_the_spring_forward_night_in_vienna_is_refused_and_a_recurring_one_is_kept(api, bakery):
    # Given the night clocks in Vienna jump from 02:00 to 03:00 (28 March 2027)
    # When the bakery asks for 02:30 that night
    skipped = _create(api, bakery["key"], send_at="2027-03-28T02:30:00", timezone="Europe/Vienna")
    # Then it is refused: that moment does not exist in Vienna
    assert skipped.status == 422
    assert "does not exist in Europe/Vienna" in skipped.json()["error"]["message"]
    # And 03:30 that morning is scheduled at the Vienna wall clock (01:30 UTC)
    after = _create(api, bakery["key"], send_at="2027-03-28T03:30:00", timezone="Europe/Vienna")
    assert after.status == 201, after.body
    assert after.json()["send_at"].startswith("2027-03-28T01:30:00")
    # And a daily 02:30 cron is kept in its zone (Scheduler skips the firing of the night that has no 02:30)
    cron = _create(api, bakery["key"], send_at=None, schedule={"cron": "30 2 * * ? *", "timezone": "Europe/Vienna"})
    assert cron.status == 201, cron.body
    schedule = _schedule(cron.json()["newsletter_id"])
    assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
        "cron(30 2 * * ? *)",
        "Europe/Vienna",
    )
    assert "ActionAfterCompletion" not in schedule or schedule["ActionAfterCompletion"] == "NONE"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"send_at": "2020-01-01T09:00:00+01:00"}, "in the past"),
        ({"send_at": "2031-01-01T09:00:00+01:00"}, "more than a year ahead"),
        ({"send_at": "2027-01-01T09:00:00"}, "UTC offset"),
        ({"send_at": "2027-01-01T09:00:00", "timezone": "Mars/Olympus"}, "IANA"),
        ({"send_at": None, "schedule": {"cron": "* 9 * * ? *", "timezone": "Europe/Vienna"}}, "once an hour"),
    ],
)
def test_a_time_that_cannot_be_used_is_refused_and_nothing_is_scheduled(api, bakery, fields, problem):
    response = _create(api, bakery["key"], **fields)
    assert response.status == 422, response.body
    assert problem in json.dumps(response.json()["error"])
    assert _schedules() == []
    assert api.request("GET", "/v1/newsletters", headers=bearer(bakery["key"])).json()["items"] == []


def test_only_an_approved_template_with_exactly_its_variables_makes_a_newsletter(api, bakery):
    missing = _create(api, bakery["key"], variables={"first_name": {"attribute": "first_name"}})
    assert missing.status == 422
    assert missing.json()["error"]["code"] == "template_variables_mismatch"
    assert "offer" in missing.json()["error"]["message"]
    unknown = _create(api, bakery["key"], template={"name": "no_such_template", "language": "de"})
    assert (unknown.status, unknown.json()["error"]["code"]) == (422, "template_not_found")
    other_number = _create(api, bakery["key"], from_phone_number_id="555")
    assert other_number.status == 404


def test_another_business_sees_no_newsletter_of_the_bakery(api, bakery):
    created = _create(api, bakery["key"]).json()["newsletter_id"]
    _, other_key = sign_up(api)
    path = f"/v1/newsletters/{created}"
    assert api.request("GET", path, headers=bearer(other_key)).status == 404
    body = json.dumps({"send_at": _in(hours=2)})
    assert api.request("PATCH", path, headers=json_headers(other_key), body=body).status == 404
    assert api.request("POST", path + "/cancel", headers=bearer(other_key)).status == 404
    assert api.request("POST", path + "/send-now", headers=bearer(other_key)).status == 404
    assert api.request("GET", "/v1/newsletters", headers=bearer(other_key)).json()["items"] == []
    assert _get(api, bakery["key"], created).json()["state"] == "scheduled"


def test_a_firing_sends_each_subscriber_of_the_audience_once_with_their_variables_and_counts_statuses(api, aws, bakery):
    # Given a newsletter for the regulars (Anna with a first name, Bert without)
    created = _create(api, bakery["key"], audience={"type": "tags", "tags": ["stammkunde"]}).json()
    # When its schedule fires, and the sender works through the send queue
    assert _fire(created["newsletter_id"])["outcome"].startswith("sent: 2 queued")
    drain("SendQueue", "MessageSenderFunction")
    # Then Anna and Bert got the template, Bert with the default, Carla (not a regular) nothing
    sent = {item["to"].wa_id: item["content"] for item in _sandbox_sent()}
    assert set(sent) == {ANNA, BERT}
    names = {wa_id: content["template"]["components"][0]["parameters"][0]["text"] for wa_id, content in sent.items()}
    assert names == {ANNA: "Anna", BERT: "liebe Kundschaft"}
    # And the messages are stored as marketing template messages of the run
    newsletter, run = _run(api, bakery["key"], created["newsletter_id"])
    assert newsletter["state"] == "sent"
    assert (run["audience"], run["queued"], run["skipped"]) == (2, 2, {})
    # When Meta reports one delivered and read, the other failed with its per-user marketing limit
    wamids = {item["to"].wa_id: item["wamid"] for item in _sandbox_sent()}
    _statuses(api, aws, wamids[ANNA], "sent", "delivered", "read")
    error = [{"code": 131049, "title": "This message was not delivered to maintain healthy ecosystem engagement."}]
    _statuses(api, aws, wamids[BERT], "failed", errors=error)
    # Then the run counts them, the failure under its own reason
    _, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (run["sent"], run["delivered"], run["read"], run["failed"]) == (1, 1, 1, 1)
    assert run["failed_reasons"] == {"131049": 1}
    stored = [m for m in aws["dynamodb"].scan(TableName="MessagesTable")["Items"] if "newsletter_id" in m]
    assert {m["billing_category"]["S"] for m in stored} == {"marketing"}
    assert {m["newsletter_id"]["S"] for m in stored} == {created["newsletter_id"]}
    assert len(stored) == 2
    # And each message's wamid was recorded by its first status, found by the id the send handed Meta
    assert {m["wamid"]["S"] for m in stored} == set(wamids.values())
    # And metering counts each recipient Meta accepted a message for once, as a newsletter recipient
    from bizline.adapters import usage_store
    from bizline.rules.metering import SHARDS, month_totals

    from tests.support import drain_stream

    drain_stream("MessagesTable", "MeteringFunction")
    month = datetime.now(UTC).strftime("%Y-%m")
    usage = month_totals(usage_store.month_usage(bakery["business"]["business_id"], month, SHARDS))
    assert usage["newsletter_recipients"] == 2


def test_a_repeated_firing_of_the_same_run_sends_nothing_twice(api, aws, bakery):
    created = _create(api, bakery["key"]).json()
    # Given the schedule fired and its sends were queued
    _fire(created["newsletter_id"])
    first = queue_bodies(aws, "SendQueue")
    assert len(first) == 3
    # When Scheduler delivers the same firing again
    outcome = _fire(created["newsletter_id"])["outcome"]
    # Then nothing more is queued, and the run counts each subscriber once
    assert "nothing is sent twice" in outcome
    assert len(queue_bodies(aws, "SendQueue")) == 3
    # And even a send task queued twice (a page queued again) is sent once
    url = aws["sqs"].get_queue_url(QueueName="SendQueue")["QueueUrl"]
    aws["sqs"].send_message(QueueUrl=url, MessageBody=json.dumps(first[0]))
    drain("SendQueue", "MessageSenderFunction")
    assert len(_sandbox_sent()) == 3
    _, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (run["audience"], run["queued"]) == (3, 3)


def test_a_customer_who_opted_out_after_scheduling_receives_nothing(api, bakery):
    created = _create(api, bakery["key"]).json()
    # Given Carla opted out after the newsletter was scheduled
    carla = next(
        s
        for s in api.request("GET", "/v1/subscribers", headers=bearer(bakery["key"])).json()["items"]
        if s["wa_id"] == CARLA
    )
    assert api.request("DELETE", f"/v1/subscribers/{carla['customer_id']}", headers=bearer(bakery["key"])).status == 200
    # When the schedule fires
    _fire(created["newsletter_id"])
    drain("SendQueue", "MessageSenderFunction")
    # Then she gets nothing, and the run says so
    assert {item["to"].wa_id for item in _sandbox_sent()} == {ANNA, BERT}
    _, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (run["audience"], run["queued"], run["skipped"]) == (3, 2, {"opted_out": 1})


def test_a_customer_who_opted_out_after_their_page_was_queued_receives_nothing_and_is_counted_once(api, aws, bakery):
    created = _create(api, bakery["key"]).json()
    # Given the run's three sends are queued
    _fire(created["newsletter_id"])
    queued = queue_bodies(aws, "SendQueue")
    assert len(queued) == 3
    # And Carla opts out before the sender reaches hers
    subscribers = api.request("GET", "/v1/subscribers", headers=bearer(bakery["key"])).json()["items"]
    carla = next(s for s in subscribers if s["wa_id"] == CARLA)
    assert api.request("DELETE", f"/v1/subscribers/{carla['customer_id']}", headers=bearer(bakery["key"])).status == 200
    # When the sender sends them, and the queue delivers every send a second time
    drain("SendQueue", "MessageSenderFunction")
    url = aws["sqs"].get_queue_url(QueueName="SendQueue")["QueueUrl"]
    for body in queued:
        aws["sqs"].send_message(QueueUrl=url, MessageBody=json.dumps(body))
    drain("SendQueue", "MessageSenderFunction")
    # Then she gets nothing, the others one message each
    assert sorted(item["to"].wa_id for item in _sandbox_sent()) == sorted([ANNA, BERT])
    # And her message is kept as withheld, counted once as skipped for her opt-out
    _, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (run["audience"], run["queued"], run["skipped"]) == (3, 3, {"opted_out": 1})
    messages = [m for m in aws["dynamodb"].scan(TableName="MessagesTable")["Items"] if "newsletter_id" in m]
    assert sorted(m["status"]["S"] for m in messages) == ["sending", "sending", "withheld"]


def test_a_template_paused_after_scheduling_sends_nothing_and_says_why(api, aws, bakery):
    created = _create(api, bakery["key"]).json()
    # Given Meta paused the template after the newsletter was scheduled
    template = bakery["template"]
    paused = template_webhook(template["waba_id"], template["template_id"], "weekly_offer", "de", "PAUSED")
    assert post_and_ingest(api, paused, meta_app_secret(aws)).status == 200
    # When the schedule fires
    _fire(created["newsletter_id"])
    # Then nothing is queued, each subscriber is skipped for the paused template, and the newsletter failed
    assert queue_bodies(aws, "SendQueue") == []
    newsletter, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (newsletter["state"], run["state"]) == ("failed", "failed")
    assert (run["queued"], run["skipped"]) == (0, {"template_paused": 3})


def test_cancelling_before_the_firing_deletes_the_schedule_and_a_late_firing_sends_nothing(api, aws, bakery):
    created = _create(api, bakery["key"]).json()
    event = json.loads(_schedule(created["newsletter_id"])["Target"]["Input"])
    response = api.request("POST", f"/v1/newsletters/{created['newsletter_id']}/cancel", headers=bearer(bakery["key"]))
    assert response.status == 200, response.body
    assert response.json()["state"] == "cancelled"
    assert _schedules() == []
    # A firing already on its way when it was cancelled finds it cancelled
    assert _fire(created["newsletter_id"], event=event)["outcome"] == "cancelled"
    assert queue_bodies(aws, "SendQueue") == []
    # Cancelling again is a no-op; rescheduling a cancelled newsletter is refused
    again = api.request("POST", f"/v1/newsletters/{created['newsletter_id']}/cancel", headers=bearer(bakery["key"]))
    assert again.status == 200
    body = json.dumps({"send_at": _in(hours=2)})
    patch = api.request(
        "PATCH", f"/v1/newsletters/{created['newsletter_id']}", headers=json_headers(bakery["key"]), body=body
    )
    assert (patch.status, patch.json()["error"]["code"]) == (409, "newsletter_not_changeable")


def test_cancelling_during_a_run_stops_it_from_queuing_more_pages(api, aws, bakery, monkeypatch):
    # Given a run that reads one subscriber per page and hands on after each page
    from bizline.services import newsletter_dispatch

    monkeypatch.setattr(newsletter_dispatch, "PAGE_SIZE", 1)
    monkeypatch.setenv("DISPATCH_HANDOFF_SECONDS", "100000")
    from bizline.caches import reset_caches

    reset_caches()
    created = _create(api, bakery["key"]).json()
    assert _fire(created["newsletter_id"])["outcome"] == "handed over at page 1"
    assert _get(api, bakery["key"], created["newsletter_id"]).json()["state"] == "sending"
    # When the bakery cancels while the next page waits on the dispatch queue
    response = api.request("POST", f"/v1/newsletters/{created['newsletter_id']}/cancel", headers=bearer(bakery["key"]))
    assert response.status == 200
    drain("NewsletterDispatchQueue", "NewsletterDispatcherFunction")
    # Then only the first page was queued, and the run says cancelled
    assert len(queue_bodies(aws, "SendQueue")) == 1
    newsletter, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (newsletter["state"], run["state"], run["queued"]) == ("cancelled", "cancelled", 1)


def test_a_run_hands_its_cursor_on_and_finishes_every_page(api, aws, bakery, monkeypatch):
    from bizline.services import newsletter_dispatch

    monkeypatch.setattr(newsletter_dispatch, "PAGE_SIZE", 1)
    monkeypatch.setenv("DISPATCH_HANDOFF_SECONDS", "100000")
    from bizline.caches import reset_caches

    reset_caches()
    created = _create(api, bakery["key"]).json()
    _fire(created["newsletter_id"])
    results = drain("NewsletterDispatchQueue", "NewsletterDispatcherFunction")
    assert all(result == {"batchItemFailures": []} for result in results), results
    assert len(queue_bodies(aws, "SendQueue")) == 3
    newsletter, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (newsletter["state"], run["state"], run["audience"], run["queued"]) == ("sent", "sent", 3, 3)


def test_recipients_beyond_the_numbers_messaging_limit_wait_for_the_window_and_are_sent_then(api, aws, bakery):
    from bizline.adapters import newsletters_store
    from bizline.models.tasks import DispatchTask

    # Given the number's limit is 250 customers a day, and 249 were reached in the last hours: Anna among them
    limit = api.request(
        "PUT",
        f"/v1/messaging-limits/{NUMBER}",
        headers=json_headers(bakery["key"]),
        body=json.dumps({"limit": "250"}),
    )
    assert limit.status == 200, limit.body
    subscribers = api.request("GET", "/v1/subscribers", headers=bearer(bakery["key"])).json()["items"]
    ids = {s["wa_id"]: s["customer_id"] for s in subscribers}
    earlier = {f"cus_{n:020d}" for n in range(248)} | {ids[ANNA]}
    newsletters_store.add_reached(bakery["business"]["business_id"], NUMBER, datetime.now(UTC), "earlier#0", earlier)
    limits = api.request("GET", f"/v1/messaging-limits/{NUMBER}", headers=bearer(bakery["key"])).json()
    assert (limits["limit"], limits["reached_in_window"]) == ("250", 249)
    created = _create(api, bakery["key"]).json()
    # When the newsletter runs
    fired = _fire(created["newsletter_id"])
    # Then, in the order the subscribers are read (by customer id), Anna takes none of the limit (reached
    # already: she counts once), the first new customer fills it, and the run stops at the next new one:
    # they and whoever comes after wait for the window, dropping no one
    assert fired["outcome"] == "waiting for the messaging limit from page 1", fired
    expected, new = set(), 0
    for customer_id in sorted(ids.values()):
        if customer_id != ids[ANNA] and new == 1:
            break
        new += customer_id != ids[ANNA]
        expected.add(customer_id)
    queued = {body["newsletter"]["customer_id"] for body in queue_bodies(aws, "SendQueue")}
    assert queued == expected
    newsletter, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (newsletter["state"], run["state"], run["queued"], run["skipped"]) == ("sending", "sending", len(queued), {})
    assert run["waiting_for_limit_until"] is not None
    # When the rolling 24 hours free up (the customers reached leave the window) and the run looks again
    usage = aws["dynamodb"].scan(TableName="NewslettersTable")["Items"]
    for item in [i for i in usage if i["newsletter_key"]["S"].startswith("usage#")]:
        aws["dynamodb"].delete_item(
            TableName="NewslettersTable",
            Key={"business_id": item["business_id"], "newsletter_key": item["newsletter_key"]},
        )
    task = DispatchTask(
        business_id=bakery["business"]["business_id"],
        newsletter_id=created["newsletter_id"],
        run_id=run["run_id"],
        page=1,
    )
    url = aws["sqs"].get_queue_url(QueueName="NewsletterDispatchQueue")["QueueUrl"]
    for _ in range(2):  # and the queue delivers that look twice
        aws["sqs"].send_message(QueueUrl=url, MessageBody=task.model_dump_json())
    drain("NewsletterDispatchQueue", "NewsletterDispatcherFunction")
    # Then the two who waited are queued, once each, and the run is sent
    assert len(queue_bodies(aws, "SendQueue")) == 3
    assert len({body["message_id"] for body in queue_bodies(aws, "SendQueue")}) == 3
    newsletter, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (newsletter["state"], run["state"], run["audience"], run["queued"]) == ("sent", "sent", 3, 3)
    assert run["waiting_for_limit_until"] is None


def test_reschedule_replaces_the_schedule_and_send_now_runs_a_draft(api, aws, bakery):
    # A scheduled newsletter moved to a weekly cron
    created = _create(api, bakery["key"]).json()
    body = json.dumps({"schedule": {"cron": "0 9 ? * MON *", "timezone": "Europe/Vienna"}})
    path = f"/v1/newsletters/{created['newsletter_id']}"
    patched = api.request("PATCH", path, headers=json_headers(bakery["key"]), body=body)
    assert patched.status == 200, patched.body
    assert patched.json()["schedule"] == {"cron": "cron(0 9 ? * MON *)", "timezone": "Europe/Vienna"}
    assert _schedule(created["newsletter_id"])["ScheduleExpression"] == "cron(0 9 ? * MON *)"
    # A draft (no time) sent now
    draft = _create(api, bakery["key"], send_at=None).json()
    assert draft["state"] == "draft"
    sending = api.request("POST", f"/v1/newsletters/{draft['newsletter_id']}/send-now", headers=bearer(bakery["key"]))
    assert (sending.status, sending.json()["state"]) == (202, "sending")
    drain("NewsletterDispatchQueue", "NewsletterDispatcherFunction")
    assert len(queue_bodies(aws, "SendQueue")) == 3
    assert _get(api, bakery["key"], draft["newsletter_id"]).json()["state"] == "sent"
    # Once sent it cannot be sent again, nor rescheduled
    again = api.request("POST", f"/v1/newsletters/{draft['newsletter_id']}/send-now", headers=bearer(bakery["key"]))
    assert (again.status, again.json()["error"]["code"]) == (409, "newsletter_not_changeable")


def test_the_sender_writes_each_message_once_and_the_pacing_bucket_once_per_ten_recipients(
    api, aws, bakery, monkeypatch
):
    # Given a run's three sends on the send queue, and no pacing tokens kept from earlier sends
    from bizline.services import newsletter_sending
    from botocore.client import BaseClient

    from tests.contract import iam

    monkeypatch.setattr(newsletter_sending, "_reserved", {})
    created = _create(api, bakery["key"]).json()
    _fire(created["newsletter_id"])
    writes: list[str] = []
    make_api_call = BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        if iam.running_function() == "MessageSenderFunction" and operation_name in {"PutItem", "UpdateItem"}:
            writes.append(f"{api_params['TableName']}:{operation_name}")
        return make_api_call(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    # When the sender sends them
    drain("SendQueue", "MessageSenderFunction")
    # Then each message is stored once, already claimed (its wamid comes with Meta's first status), and the
    # number's pacing bucket is written once for up to ten sends
    assert len(_sandbox_sent()) == 3
    assert sorted(writes) == ["MessagesTable:PutItem"] * 3 + ["SendRateTable:PutItem"]
    # And each send asked Meta to name its message in every status
    stored = {sent["content"]["biz_opaque_callback_data"] for sent in _sandbox_sent()}
    messages = aws["dynamodb"].scan(TableName="MessagesTable")["Items"]
    assert stored == {f"bizline:{m['message_id']['S']}" for m in messages if "newsletter_id" in m}


def test_a_run_that_failed_midway_is_taken_on_by_the_retry_from_the_last_page_counted(api, aws, bakery, monkeypatch):
    # Given a run of one subscriber per page, whose second page cannot be queued (SQS refuses, once)
    from bizline.adapters import queues
    from bizline.services import newsletter_dispatch

    monkeypatch.setattr(newsletter_dispatch, "PAGE_SIZE", 1)
    send_tasks, calls = queues.send_tasks, []

    def flaky(queue_url, tasks, delay_seconds=0):
        calls.append(len(tasks))
        if len(calls) == 2:
            raise queues.EnqueueFailed("SQS refused the batch")
        send_tasks(queue_url, tasks, delay_seconds)

    monkeypatch.setattr(queues, "send_tasks", flaky)
    created = _create(api, bakery["key"]).json()
    with pytest.raises(queues.EnqueueFailed):
        _fire(created["newsletter_id"])
    # When Scheduler retries the firing
    outcome = _fire(created["newsletter_id"])["outcome"]
    # Then the retry goes on from the page after the last one counted, and everyone is queued once
    assert outcome.startswith("sent: 3 queued"), outcome
    bodies = queue_bodies(aws, "SendQueue")
    assert sorted(body["newsletter"]["wa_id"] for body in bodies) == [ANNA, BERT, CARLA]
    _, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (run["state"], run["audience"], run["queued"]) == ("sent", 3, 3)


def test_a_one_time_newsletter_sent_now_is_not_sent_again_by_its_schedule(api, aws, bakery):
    # Given a scheduled newsletter whose firing is already on its way when the bakery sends it now
    created = _create(api, bakery["key"]).json()
    event = json.loads(_schedule(created["newsletter_id"])["Target"]["Input"])
    sending = api.request("POST", f"/v1/newsletters/{created['newsletter_id']}/send-now", headers=bearer(bakery["key"]))
    assert sending.status == 202
    assert _schedules() == []
    drain("NewsletterDispatchQueue", "NewsletterDispatcherFunction")
    # When the late firing arrives
    outcome = _fire(created["newsletter_id"], event=event | {"scheduled_time": "2026-12-01T08:00:00Z"})["outcome"]
    # Then it opens no second run: each subscriber's send was queued once
    assert "nothing is sent twice" in outcome
    assert len(queue_bodies(aws, "SendQueue")) == 3
    assert len(_get(api, bakery["key"], created["newsletter_id"]).json()["runs"]) == 1


def test_a_send_meta_refuses_for_good_counts_as_failed_with_its_code_and_is_not_retried(api, aws, bakery, monkeypatch):
    # Given Meta refuses one recipient's message at once with its per-user marketing limit
    from bizline.rules.providers import ProviderError

    created = _create(api, bakery["key"]).json()
    _fire(created["newsletter_id"])
    sandbox = _sandbox_provider()
    send = sandbox.send

    def refusing(phone_number_id, recipient, content, access_token):
        if recipient.wa_id == BERT:
            raise ProviderError("Message not delivered to maintain healthy ecosystem engagement.", False, 131049)
        return send(phone_number_id, recipient, content, access_token)

    monkeypatch.setattr(sandbox, "send", refusing)
    # When the sender works through the run's sends
    drain("SendQueue", "MessageSenderFunction")
    # Then the others went out, Bert's is failed once under its own reason, and nothing is queued again
    assert {item["to"].wa_id for item in _sandbox_sent()} == {ANNA, CARLA}
    assert queue_bodies(aws, "SendQueue") == []
    _, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (run["queued"], run["failed"], run["failed_reasons"]) == (3, 1, {"131049": 1})


def _sandbox_provider():
    from bizline.adapters.providers import get_provider

    return get_provider()


def test_a_message_read_before_its_delivered_status_arrived_counts_as_sent_delivered_and_read(api, aws, bakery):
    created = _create(api, bakery["key"], audience={"type": "tags", "tags": ["neu"]}).json()
    _fire(created["newsletter_id"])
    drain("SendQueue", "MessageSenderFunction")
    (sent,) = _sandbox_sent()
    # Meta's `read` overtakes `sent` and `delivered`, which then arrive late
    _statuses(api, aws, sent["wamid"], "read", "delivered", "sent")
    _, run = _run(api, bakery["key"], created["newsletter_id"])
    assert (run["sent"], run["delivered"], run["read"]) == (1, 1, 1)


def test_deleting_a_newsletter_removes_it_its_runs_and_its_schedule_but_not_while_it_sends(api, aws, bakery):
    key = bakery["key"]
    # Given a newsletter that ran once (its run has stats) and one that is scheduled
    sent = _create(api, key).json()
    _fire(sent["newsletter_id"])
    drain("SendQueue", "MessageSenderFunction")
    scheduled = _create(api, key).json()
    assert scheduled["newsletter_id"] in _schedules()
    # When the bakery deletes both
    for newsletter in (sent, scheduled):
        response = api.request("DELETE", f"/v1/newsletters/{newsletter['newsletter_id']}", headers=bearer(key))
        assert response.status == 204, response.body
    # Then neither is found, the scheduled one's schedule is gone, and no item of theirs is left in the table
    for newsletter in (sent, scheduled):
        assert _get(api, key, newsletter["newsletter_id"]).status == 404
    assert scheduled["newsletter_id"] not in _schedules()
    left = aws["dynamodb"].scan(TableName="NewslettersTable")["Items"]
    assert not [i for i in left if sent["newsletter_id"] in i["newsletter_key"]["S"]]
    # And the messages it sent stay in their conversations
    messages = aws["dynamodb"].scan(TableName="MessagesTable")["Items"]
    assert len([m for m in messages if m.get("newsletter_id", {}).get("S") == sent["newsletter_id"]]) == 3
    # And a newsletter that is sending cannot be deleted (cancel first); another business's is a 404
    sending = _create(api, key).json()
    assert (
        api.request("POST", f"/v1/newsletters/{sending['newsletter_id']}/send-now", headers=bearer(key)).status == 202
    )
    refused = api.request("DELETE", f"/v1/newsletters/{sending['newsletter_id']}", headers=bearer(key))
    assert refused.status == 409
    assert refused.json()["error"]["code"] == "newsletter_not_changeable"
    assert _get(api, key, sending["newsletter_id"]).json()["state"] == "sending"


def test_a_recurring_firing_while_the_earlier_run_still_sends_is_skipped_and_shown(api, aws, bakery):
    # Given a recurring newsletter whose 09:00 run is still sending
    recurring = {"send_at": None, "schedule": {"cron": "0 9 ? * MON *", "timezone": "Europe/Vienna"}}
    created = _create(api, bakery["key"], **recurring).json()
    newsletter_id = created["newsletter_id"]
    send_now = api.request("POST", f"/v1/newsletters/{newsletter_id}/send-now", headers=bearer(bakery["key"]))
    assert send_now.status == 202
    # When its schedule fires again (and Scheduler repeats that firing)
    outcomes = [_fire(newsletter_id, scheduled_time="2026-12-14T08:00:00Z") for _ in range(2)]
    # Then the firing opens no second run beside the first, and is kept once as skipped with its reason
    assert outcomes[0]["outcome"] == "skipped: an earlier run is still sending", outcomes
    assert queue_bodies(aws, "SendQueue") == []
    newsletter = _get(api, bakery["key"], newsletter_id).json()
    skipped = [run for run in newsletter["runs"] if run["state"] == "skipped"]
    assert [(run["skip_reason"], run["queued"]) for run in skipped] == [("previous_run_sending", 0)]
