"""Callbacks delivered, metered from the deliveries table's stream: each delivery that succeeds counts once."""

from datetime import UTC, datetime

from bizline.services import deliveries

from tests.integration.test_metering import _totals
from tests.support import drain, drain_stream, scan, sign_up


def _callbacks(business_id: str, count: int, prefix: str) -> None:
    deliveries.create_deliveries(
        [deliveries.NewDelivery(business_id, "message.received", f"wamid.{prefix}{n}", {"n": n}) for n in range(count)]
    )


def test_each_callback_delivered_counts_once_and_one_never_delivered_counts_nothing(api, aws, receiver):
    # Given a business with a working endpoint, three callbacks delivered to it, and one with no endpoint
    business, _key = sign_up(api, callback_url=receiver.url)
    silent, _silent_key = sign_up(api)
    _callbacks(business["business_id"], 3, "OK")
    _callbacks(silent["business_id"], 1, "NO")
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    assert len(receiver.received) == 3
    states = sorted(item["status"]["S"] for item in scan(aws["dynamodb"], "DeliveriesTable"))
    assert states.count("succeeded") == 3
    # When the metering reads the deliveries table's stream (every write of every delivery), twice
    answers = drain_stream("DeliveriesTable", "MeteringFunction")
    drain_stream("DeliveriesTable", "MeteringFunction")
    # Then the business has three callbacks this month, the one without an endpoint none
    assert answers
    assert all(answer == {"batchItemFailures": []} for answer in answers)
    month = datetime.now(UTC).strftime("%Y-%m")
    assert _totals(business["business_id"], month).get("callbacks") == 3
    assert _totals(silent["business_id"], month).get("callbacks", 0) == 0


def test_a_stream_record_of_a_success_repeated_or_replayed_counts_once(aws):
    # Given the stream records of one delivery: claimed, succeeded, then a later write (its expiry moved)
    from tests.integration.test_metering import _image, _meter

    pending = {
        "shard": "biz_cb#7",
        "delivery_id": "dlv_1",
        "event_type": "message.received",
        "status": "retrying",
        "updated_at": "2026-03-31T23:59:59.999+00:00",
    }
    succeeded = {**pending, "status": "succeeded", "updated_at": "2026-04-01T00:00:00.100+00:00"}
    touched = {**succeeded, "expires_at": 1_900_000_000}
    stream = "arn:aws:dynamodb:eu-central-1:123456789012:table/DeliveriesTable/stream/2026-01-01T00:00:00.000"

    def record(sequence, old, new):
        return {
            "eventID": f"ev{sequence}",
            "eventName": "MODIFY",
            "eventSource": "aws:dynamodb",
            "awsRegion": "eu-central-1",
            "dynamodb": {
                "SequenceNumber": f"{sequence:021d}",
                "StreamViewType": "NEW_AND_OLD_IMAGES",
                "OldImage": _image(**old),
                "NewImage": _image(**new),
            },
            "eventSourceARN": stream,
        }

    batch = [record(1, pending, pending), record(2, pending, succeeded), record(3, succeeded, touched)]
    # When the batch is metered, then replayed
    assert _meter(batch) == {"batchItemFailures": []}
    assert _meter(batch[1:]) == {"batchItemFailures": []}
    # Then one callback is counted, in April (the month it succeeded in), none in March
    assert _totals("biz_cb", "2026-04") == {"callbacks": 1, "unconfirmed": 0}
    assert _totals("biz_cb", "2026-03") == {}
