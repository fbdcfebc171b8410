"""Races around a callback attempt: a URL changed while a 410 was in flight, a retry while an outcome was."""

import json

import pytest
from bizline.adapters import accounts_store, deliveries_store, http_callbacks
from bizline.clock import utc_now
from bizline.services import deliveries

from tests.support import (
    add_number,
    bearer,
    change,
    contact,
    drain,
    envelope,
    json_headers,
    meta_app_secret,
    post_and_ingest,
    post_json,
    scan,
    sign_up_body,
    text_message,
)

NUMBER = "1098765432"


@pytest.fixture
def bakery(api, aws, receiver):
    response = post_json(api, "/v1/businesses", sign_up_body(callback_url=receiver.url))
    assert response.status == 201, response.body
    created = response.json()
    add_number(api, created["api_key"]["api_key"], NUMBER)
    return {
        "business_id": created["business"]["business_id"],
        "key": created["api_key"]["api_key"],
        "meta_secret": meta_app_secret(aws),
    }


def _customer_writes(api, bakery, wamid):
    payload = envelope(change(NUMBER, [text_message(wamid, "Hallo")], contacts=[contact()]))
    assert post_and_ingest(api, payload, bakery["meta_secret"]).status == 200


def _deliveries(aws):
    return {item["delivery_id"]["S"]: item["status"]["S"] for item in scan(aws["dynamodb"], "DeliveriesTable")}


def _change_url(api, bakery, url):
    response = api.request(
        "PATCH", "/v1/businesses/me", headers=json_headers(bakery["key"]), body=json.dumps({"callback_url": url})
    )
    assert response.status == 200, response.body


def test_a_410_from_the_old_url_does_not_disable_the_url_that_replaced_it(api, aws, bakery, receiver, monkeypatch):
    # Given the endpoint answers 410 Gone, and the business moves to a new URL while that answer is on its way
    receiver.script = [(410, {}, 0.0), (200, {}, 0.0)]
    post = http_callbacks.post

    def answered_while_the_url_changes(*args, **kwargs):
        response = post(*args, **kwargs)
        if response.status_code == 410:
            _change_url(api, bakery, receiver.url + "?v=2")
        return response

    monkeypatch.setattr(http_callbacks, "post", answered_while_the_url_changes)
    _customer_writes(api, bakery, "wamid.R1")
    # When the delivery settles
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    # Then the delivery to the old URL is recorded as gone, but the new URL stays enabled
    assert list(_deliveries(aws).values()) == ["endpoint_disabled"]
    assert accounts_store.get_callback_settings(bakery["business_id"]).callback_disabled_at is None
    # and the next event reaches it
    _customer_writes(api, bakery, "wamid.R2")
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    assert [received.path.endswith("?v=2") for received in receiver.received] == [False, True]


def test_a_stale_outcome_never_overwrites_the_retry_the_business_asked_for(api, aws, bakery, receiver, monkeypatch):
    # Given callbacks are off (an earlier 410) and a delivery waits, with two copies of its task
    accounts_store.disable_callbacks(bakery["business_id"], receiver.url, utc_now())
    _customer_writes(api, bakery, "wamid.R3")
    ((delivery_id, _),) = _deliveries(aws).items()
    task = {"business_id": bakery["business_id"], "delivery_id": delivery_id}
    read = deliveries_store.read_for_attempts
    raced = []

    def meanwhile(keys):
        # The stale copy has read the delivery (pending) and the settings (callbacks off); before it
        # settles, the other copy settles it (callbacks off) and the business retries it, which turns
        # callbacks back on.
        if not raced:
            raced.append(True)
            before = read(keys)
            assert deliveries.deliver(task) == "endpoint disabled"
            retried = api.request("POST", f"/v1/deliveries/{delivery_id}/retry", headers=bearer(bakery["key"]))
            assert retried.status == 202, retried.body
            return before
        return read(keys)

    monkeypatch.setattr(deliveries_store, "read_for_attempts", meanwhile)
    # When the stale copy goes on with what it read
    summary = deliveries.deliver(task)
    # Then its outcome does not overwrite the reopened delivery
    assert summary == "superseded by a retry"
    assert _deliveries(aws) == {delivery_id: "pending"}
    # and the retry's own task delivers it
    monkeypatch.setattr(deliveries_store, "read_for_attempts", read)
    drain("DeliveryQueue", "CallbackDeliveryFunction")
    assert _deliveries(aws) == {delivery_id: "succeeded"}
    assert len(receiver.received) == 1


def test_callbacks_are_disabled_and_enabled_only_for_the_url_in_force(aws, api, bakery, receiver):
    # Given a business whose URL is the receiver's
    business_id = bakery["business_id"]
    # When a 410 from some other URL would disable it
    # Then nothing changes
    assert not accounts_store.disable_callbacks(business_id, "https://old.example/hook", utc_now())
    assert accounts_store.get_callback_settings(business_id).callback_disabled_at is None
    # And its own URL can be disabled and enabled again
    assert accounts_store.disable_callbacks(business_id, receiver.url, utc_now())
    assert not accounts_store.reenable_callbacks(business_id, "https://old.example/hook")
    assert accounts_store.get_callback_settings(business_id).callback_disabled_at is not None
    assert accounts_store.reenable_callbacks(business_id, receiver.url)
    assert accounts_store.get_callback_settings(business_id).callback_disabled_at is None
    # And an unknown business is never created by either
    assert not accounts_store.disable_callbacks("biz_unknown", receiver.url, utc_now())
    assert accounts_store.get_business("biz_unknown") is None
