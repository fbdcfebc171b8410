"""Usage metering from the messages table's stream: counted by Meta's pricing, exactly once, in few writes."""

import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from bizline.adapters import usage_store
from bizline.rules.metering import SHARDS, month_totals
from boto3.dynamodb.types import TypeSerializer

from tests.support import (
    add_number,
    change,
    contact,
    drain,
    drain_stream,
    envelope,
    json_headers,
    meta_app_secret,
    post_and_ingest,
    sign_up,
    status,
    text_message,
)

NUMBER = "1098765432"
CUSTOMER = "436601234567"
MESSAGES_STREAM = "arn:aws:dynamodb:eu-central-1:123456789012:table/MessagesTable/stream/2026-01-01T00:00:00.000"
_serialize = TypeSerializer().serialize


def _totals(business_id: str, month: str) -> dict[str, int]:
    return month_totals(usage_store.month_usage(business_id, month, SHARDS))


def _meter(records: list[dict]) -> dict:
    """Invoke the metering function with one batch, as Lambda's stream poller does."""
    from local.lambda_runtime import invoke
    from local.template import functions

    return invoke(functions()["MeteringFunction"], {"Records": records})


def _image(**values) -> dict:
    return {name: _serialize(value) for name, value in values.items() if value is not None}


def _record(sequence: int, old: dict | None, new: dict | None) -> dict:
    """A DynamoDB stream record of the messages table (NEW_AND_OLD_IMAGES), as Lambda hands it over."""
    name = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
    body: dict = {"SequenceNumber": f"{sequence:021d}", "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old is not None:
        body["OldImage"] = _image(**old)
    if new is not None:
        body["NewImage"] = _image(**new)
    return {
        "eventID": f"ev{sequence}",
        "eventName": name,
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-central-1",
        "dynamodb": body,
        "eventSourceARN": MESSAGES_STREAM,
    }


def _outbound(message_id: str, sent_at: str, business_id: str = "biz_ent", **fields) -> dict:
    return {
        "business_id": business_id,
        "message_id": message_id,
        "direction": "outbound",
        "sent_at": sent_at,
        "created_at": sent_at,
        **fields,
    }


def _life_of_a_reply(
    message_id: str, sent_at: str, category: str, first: int, business_id: str = "biz_ent"
) -> list[dict]:
    """The records one reply leaves on the stream: accepted, submitted, sent (priced), delivered (priced), read."""
    pricing = json.dumps({"billable": True, "pricing_model": "PMP", "category": category, "type": "regular"})
    accepted = _outbound(message_id, sent_at, business_id, status="accepted")
    submitted = {**accepted, "status": "submitted", "wamid": f"wamid.{message_id}"}
    sent = {**submitted, "status": "sent", "pricing": pricing}
    delivered = {**sent, "status": "delivered"}
    read = {**delivered, "status": "read"}
    steps = [(None, accepted), (accepted, submitted), (submitted, sent), (sent, delivered), (delivered, read)]
    return [_record(first + index, old, new) for index, (old, new) in enumerate(steps)]


# -- the whole path: webhook, reply, statuses with pricing, stream ---------------------------------
@pytest.fixture
def sandbox():
    from bizline.adapters.providers import use_provider

    from local.sandbox_provider import SandboxProvider

    provider = SandboxProvider()
    use_provider(provider)
    yield provider.sent
    use_provider(None)


def test_a_conversation_is_counted_by_the_category_meta_prices(api, aws, sandbox):
    # Given a business a customer writes to, which answers three times
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    secret = meta_app_secret(aws)
    now = int(datetime.now(UTC).timestamp())
    inbound = text_message("wamid.IN1", "Habt ihr offen?", timestamp=now)
    post_and_ingest(api, envelope(change(NUMBER, [inbound], contacts=[contact()])), secret)
    for text in ("Ja, bis 18 Uhr.", "Heute Krapfen!", "Bis bald."):
        body = {"from_phone_number_id": NUMBER, "to": {"wa_id": CUSTOMER}, "type": "text", "text": {"body": text}}
        assert api.request("POST", "/v1/messages", headers=json_headers(key), body=json.dumps(body)).status == 202
    drain("SendQueue", "MessageSenderFunction")
    wamids = [sent["wamid"] for sent in sandbox]
    # When Meta prices the first as free service and the second as marketing (each status repeated,
    # delivered before sent), and never reports on the third
    free = {"billable": False, "pricing_model": "PMP", "category": "service", "type": "free_customer_service"}
    paid = {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"}
    statuses = []
    for wamid, pricing in ((wamids[0], free), (wamids[1], paid)):
        for state in ("delivered", "sent", "sent", "read"):
            statuses.append({**status(wamid, state, timestamp=now + 5), "pricing": pricing})
    post_and_ingest(api, envelope(change(NUMBER, statuses=statuses)), secret)
    drain("StatusQueue", "StatusUpdatesFunction")
    answers = drain_stream("MessagesTable", "MeteringFunction")
    # Then every batch was counted whole, and the month shows each thing once
    assert answers
    assert all(answer == {"batchItemFailures": []} for answer in answers)
    month = datetime.now(UTC).strftime("%Y-%m")
    totals = _totals(business["business_id"], month)
    assert totals["inbound"] == 1
    assert totals["submitted"] == 3
    assert totals["service"] == 1
    assert totals["marketing"] == 1
    assert totals["meta_not_billable"] == 1
    assert totals["unconfirmed"] == 1
    # And the pricing Meta reported is kept on the message it priced
    stored = {item["wamid"]["S"]: item for item in aws["dynamodb"].scan(TableName="MessagesTable")["Items"]}
    assert json.loads(stored[wamids[1]]["pricing"]["S"]) == paid
    # And a drain of the stream again counts nothing more
    drain_stream("MessagesTable", "MeteringFunction")
    assert _totals(business["business_id"], month) == totals


# -- exactly once ---------------------------------------------------------------------------------
def test_a_replayed_split_or_reordered_batch_never_counts_twice(aws):
    # Given the records of three replies in one batch
    records = []
    for index, category in enumerate(("utility", "marketing", "authentication")):
        records += _life_of_a_reply(f"msg_{index}", "2026-03-10T12:00:00+00:00", category, first=index * 10 + 1)
    # When the batch is counted, then replayed whole, split in single records and in reverse order
    assert _meter(records) == {"batchItemFailures": []}
    first = _totals("biz_ent", "2026-03")
    _meter(records)
    for record in records:
        _meter([record])
    _meter(list(reversed(records)))
    # Then each reply counted once: submitted and priced by its category
    assert first == _totals("biz_ent", "2026-03")
    assert first["submitted"] == 3
    assert (first["utility"], first["marketing"], first["authentication"]) == (1, 1, 1)
    assert first["unconfirmed"] == 0


def test_records_out_of_order_count_the_same(aws):
    # Given a reply's records arriving priced first, then submitted (another shard was faster)
    records = _life_of_a_reply("msg_late", "2026-03-11T08:00:00+00:00", "utility", first=1)
    # When the priced status is counted before the submission
    _meter([records[2]])
    assert _totals("biz_ent", "2026-03")["utility"] == 1
    _meter([records[1], records[0], records[4], records[3]])
    # Then the reply is counted once, and confirmed
    totals = _totals("biz_ent", "2026-03")
    assert (totals["submitted"], totals["utility"], totals["unconfirmed"]) == (1, 1, 0)


def test_the_month_ends_at_23_59_59_999_utc(aws):
    # Given replies sent one millisecond apart across the end of January (UTC), and one at 00:59 in Vienna on 1 February
    before = _life_of_a_reply("msg_jan", "2026-01-31T23:59:59.999000+00:00", "utility", first=1)
    after = _life_of_a_reply("msg_feb", "2026-02-01T00:00:00+00:00", "utility", first=11)
    vienna = _life_of_a_reply("msg_vie", "2026-02-01T00:59:00+01:00", "utility", first=21)
    # When they are counted
    _meter(before + after + vienna)
    # Then the month is the UTC month: 23:59:59.999 and Vienna's 00:59 on 1 February (23:59 UTC) are
    # January's last day, midnight UTC is February's first
    january = usage_store.month_usage("biz_ent", "2026-01", SHARDS)
    february = usage_store.month_usage("biz_ent", "2026-02", SHARDS)
    assert january.days == {"2026-01-31": {"submitted": 2, "utility": 2}}
    assert february.days == {"2026-02-01": {"submitted": 1, "utility": 1}}


def test_a_send_meta_never_confirms_is_counted_unconfirmed_and_a_failure_is_not(aws):
    # Given two submitted replies: Meta reports one failed (no pricing), the other never
    silent = _life_of_a_reply("msg_silent", "2026-03-12T09:00:00+00:00", "utility", first=1)[:2]
    failing = _life_of_a_reply("msg_fail", "2026-03-12T09:00:00+00:00", "utility", first=11)[:2]
    failed = {**_outbound("msg_fail", "2026-03-12T09:00:00+00:00"), "status": "failed", "wamid": "wamid.msg_fail"}
    # When their records are counted (the failure twice)
    _meter([*silent, *failing])
    old = {**_outbound("msg_fail", "2026-03-12T09:00:00+00:00"), "status": "submitted", "wamid": "wamid.msg_fail"}
    _meter([_record(13, old, failed), _record(14, old, failed)])
    # Then one is unconfirmed and one failed
    totals = _totals("biz_ent", "2026-03")
    assert (totals["submitted"], totals["failed"], totals["unconfirmed"]) == (2, 1, 1)


def test_an_unreadable_record_is_retried_from_itself_and_what_came_before_stays_counted(aws):
    # Given a batch whose third record cannot be read (no time)
    good = _life_of_a_reply("msg_ok", "2026-03-13T10:00:00+00:00", "service", first=1)[:2]
    broken = _record(3, None, {"business_id": "biz_ent", "message_id": "msg_bad", "direction": "inbound"})
    after = _life_of_a_reply("msg_after", "2026-03-13T10:00:00+00:00", "service", first=4)[:2]
    # When the batch is metered
    answer = _meter([*good, broken, *after])
    # Then Lambda is told to retry from the broken record, and the records before it are counted
    assert answer == {"batchItemFailures": [{"itemIdentifier": broken["dynamodb"]["SequenceNumber"]}]}
    assert _totals("biz_ent", "2026-03")["submitted"] == 1
    # And the retry from there (the record fixed by nothing: Lambda retries, then gives its place up) counts
    # the later records once they come without it
    _meter(after)
    _meter([*good, *after])
    assert _totals("biz_ent", "2026-03")["submitted"] == 2


def test_a_failing_transaction_retries_from_its_chunk_and_the_retry_counts_once(aws, monkeypatch):
    # Given a batch of 60 replies (two transactions), the second of which fails once
    records = []
    for index in range(60):
        records += _life_of_a_reply(f"msg_{index:02d}", "2026-03-14T10:00:00+00:00", "utility", first=index * 10 + 1)[
            1:3
        ]
    real, calls = usage_store.add_counts, []

    def flaky(events, deltas, markers_expire_at):
        calls.append(len(events))
        if len(calls) == 2:
            raise RuntimeError("throttled")
        return real(events, deltas, markers_expire_at)

    monkeypatch.setattr(usage_store, "add_counts", flaky)
    # When the batch is metered
    answer = _meter(records)
    # Then the retry starts at the first record of the failed chunk, and what the first chunk counted stays
    failed_from = answer["batchItemFailures"][0]["itemIdentifier"]
    assert failed_from > records[0]["dynamodb"]["SequenceNumber"]
    counted = _totals("biz_ent", "2026-03")["submitted"]
    assert 0 < counted < 60
    # And Lambda's retry from there counts the rest, the first chunk's events not again
    retry = [record for record in records if record["dynamodb"]["SequenceNumber"] >= failed_from]
    assert _meter(retry) == {"batchItemFailures": []}
    _meter(records)
    totals = _totals("biz_ent", "2026-03")
    assert (totals["submitted"], totals["utility"]) == (60, 60)


# -- hot counters ---------------------------------------------------------------------------------
def test_the_counters_take_one_write_per_chunk_on_the_shard_the_plan_names(aws, monkeypatch):
    # Given 200 replies of one business, five stream records each, in the template's batches of 100
    # records (tests/unit/test_metering_load.py works out a whole second at 10,000 messages from the
    # same plan; this proves DynamoDB is written exactly as planned)
    import botocore.client
    from bizline.adapters.usage_store import counter_key
    from bizline.rules.metering import counter_deltas, message_events, plan_transactions

    writes: Counter = Counter()
    real_call = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                request = next(iter(item.values()))
                writes[(request.get("Key") or request.get("Item"))["pk"]["S"]] += 1
        return real_call(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    records = []
    for index in range(200):
        records += _life_of_a_reply(f"msg_{index:05d}", "2026-04-01T10:00:00+00:00", "marketing", first=index * 5)
    batches = [records[start : start + 100] for start in range(0, len(records), 100)]
    # When every batch is metered
    for batch in batches:
        assert _meter(batch) == {"batchItemFailures": []}
    # Then every message counted once
    totals = _totals("biz_ent", "2026-04")
    assert (totals["submitted"], totals["marketing"]) == (200, 200)
    # And each counter key took exactly the writes the plan gives it: one per chunk, not one per message
    planned: Counter = Counter()
    for batch in batches:
        events = []
        for record in batch:
            images = record["dynamodb"]
            old = {k: v.get("S") for k, v in images.get("OldImage", {}).items()} or None
            new = {k: v.get("S") for k, v in images["NewImage"].items()}
            events += message_events(old, new)
        for chunk in plan_transactions(events):
            for delta in counter_deltas(chunk):
                planned[counter_key(delta.business_id, delta.month, delta.shard)] += 1
    assert {key: count for key, count in writes.items() if not key.startswith("marker#")} == planned
    assert sum(planned.values()) == len(batches)
    # And each marker key was written once
    assert {count for key, count in writes.items() if key.startswith("marker#")} == {1}


def test_a_month_lists_each_business_with_usage_once_through_one_roster_item(aws):
    # Given replies of two businesses in March, counted in several batches
    for business_id in ("biz_ent", "biz_other"):
        for index in range(3):
            records = _life_of_a_reply(
                f"msg_{business_id}_{index}", "2026-03-12T09:00:00+00:00", "utility", 1, business_id
            )
            _meter(records)
            _meter(records)  # and replayed
    # When the month's index is read
    table = aws["dynamodb"].scan(TableName="UsageTable")["Items"]
    carrying_month = [item for item in table if "month" in item]
    # Then only one roster item per business carries the month (the index's key), and it lists both
    assert sorted(item["pk"]["S"] for item in carrying_month) == ["biz_ent#2026-03#roster", "biz_other#2026-03#roster"]
    assert usage_store.businesses_with_usage("2026-03") == ["biz_ent", "biz_other"]
    assert usage_store.businesses_with_usage("2026-04") == []
