"""Subscribers and consent: subscribe with proof, batches, listing with filters and signed cursors, opt-out
by API, by keyword (with a confirming reply) and by Meta's user_preferences, and the history of it all."""

import json
from datetime import UTC, datetime

import pytest

from tests.support import (
    add_number,
    bearer,
    change,
    contact,
    envelope,
    meta_app_secret,
    post_and_ingest,
    post_json,
    queue_bodies,
    scan,
    sign_up,
    text_message,
)

NUMBER = "1098765432"
ANNA = "436601234567"
CONSENT = {
    "source": "web_form:newsletter",
    "at": "2026-11-23T09:30:00+01:00",
    "text": "Ja, ich möchte den Wochen-Newsletter der Bäckerei per WhatsApp erhalten.",
}


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    return {"business": business, "key": key, "meta_secret": meta_app_secret(aws)}


def _subscribe(api, key, wa_id=ANNA, **extra):
    return post_json(api, "/v1/subscribers", {"wa_id": wa_id, "consent": CONSENT, **extra}, key)


def _get(api, key, customer_id):
    return api.request("GET", f"/v1/subscribers/{customer_id}", headers=bearer(key))


def _customer_writes(api, bakery, text, wamid):
    # Meta repeats a notification as it was: a repeat carries the same wamid and time (its n-th second).
    sent = int(datetime.now(UTC).timestamp()) // 60 * 60 - 60 + int(wamid.rsplit(".", 1)[-1])
    message = text_message(wamid, text, wa_id=ANNA, timestamp=sent)
    payload = envelope(change(NUMBER, [message], contacts=[contact(ANNA)]))
    assert post_and_ingest(api, payload, bakery["meta_secret"]).status == 200


def _replies(aws):
    return [m for m in scan(aws["dynamodb"], "MessagesTable") if m["direction"]["S"] == "outbound"]


def test_a_subscription_keeps_the_exact_consent_as_proof(api, bakery):
    # When the bakery subscribes Anna with the words she agreed to
    response = _subscribe(api, bakery["key"], tags=["stammkunde"], attributes={"first_name": "Anna"})
    # Then she is subscribed, and her history holds that consent word for word
    assert response.status == 201, response.body
    subscriber = response.json()
    assert (subscriber["status"], subscriber["tags"], subscriber["attributes"]) == (
        "subscribed",
        ["stammkunde"],
        {"first_name": "Anna"},
    )
    (entry,) = _get(api, bakery["key"], subscriber["customer_id"]).json()["history"]
    assert (entry["status"], entry["source"], entry["text"]) == ("subscribed", CONSENT["source"], CONSENT["text"])
    assert entry["at"].startswith("2026-11-23T08:30:00")
    # And subscribing her again is a 200 that merges tags, not a second subscriber
    again = _subscribe(api, bakery["key"], tags=["kipferl"])
    assert again.status == 200
    assert again.json()["tags"] == ["kipferl", "stammkunde"]


def test_consent_without_a_time_zone_or_a_customer_is_refused(api, bakery):
    naive = post_json(
        api, "/v1/subscribers", {"wa_id": ANNA, "consent": {**CONSENT, "at": "2026-11-23T09:30:00"}}, bakery["key"]
    )
    nobody = post_json(api, "/v1/subscribers", {"consent": CONSENT}, bakery["key"])
    assert (naive.status, nobody.status) == (422, 422)


def test_a_consent_time_given_as_a_number_is_refused_and_nothing_is_stored(api, aws, bakery):
    # Given a consent whose time is a number, not the documented ISO 8601 string
    consent = {**CONSENT, "at": 0}
    # When the business subscribes a customer with it
    refused = post_json(api, "/v1/subscribers", {"wa_id": ANNA, "consent": consent}, bakery["key"])
    # Then it is a 422 naming the time, and no subscriber is stored
    assert refused.status == 422, refused.body
    assert refused.json()["error"]["details"][0]["field"] == "consent.at"
    assert scan(aws["dynamodb"], "SubscribersTable") == []


def test_a_batch_answers_each_item_on_its_own(api, aws, bakery):
    # Given a batch with two good items and one without consent
    items = [
        {"wa_id": "436600000001", "consent": CONSENT},
        {"wa_id": "436600000002"},
        {"wa_id": "436600000003", "consent": CONSENT, "tags": ["vip"]},
    ]
    # When it is posted
    response = post_json(api, "/v1/subscribers/batch", {"items": items}, bakery["key"])
    # Then the good ones are subscribed and the bad one is a 422 of its own
    assert response.status == 200, response.body
    results = response.json()["items"]
    assert [result["status"] for result in results] == [201, 422, 201]
    assert results[1]["error"]["details"][0]["field"] == "consent"
    subscribed = [i for i in scan(aws["dynamodb"], "SubscribersTable") if i["subscriber_key"]["S"].startswith("sub#")]
    assert len(subscribed) == 2


def test_more_than_a_thousand_items_are_refused(api, bakery):
    # Given a batch of 1,001 customers sharing one consent
    items = [{"wa_id": f"4366{index:08d}"} for index in range(1001)]
    # Then it is refused as a whole (1,000 at most), and nobody is subscribed
    response = post_json(api, "/v1/subscribers/batch", {"consent": CONSENT, "items": items}, bakery["key"])
    assert response.status == 422
    assert response.json()["error"]["details"][0]["field"] == "items"


def test_customers_sharing_one_consent_fit_one_batch(api, aws, bakery):
    # Given 150 customers and the one consent text they all agreed to (1,000 take minutes under moto;
    # the body of 1,000 such items is 40 KiB, within the 64 KiB limit)
    items = [{"wa_id": f"4366{index:08d}", "tags": ["import"]} for index in range(150)]
    response = post_json(api, "/v1/subscribers/batch", {"consent": CONSENT, "items": items}, bakery["key"])
    assert response.status == 200, response.body[:300]
    assert {result["status"] for result in response.json()["items"]} == {201}
    assert len(scan(aws["dynamodb"], "SubscribersTable")) == 300  # each subscriber and its first history entry


def test_listing_pages_with_signed_cursors_and_filters_by_tag_and_status(api, bakery):
    # Given five subscribers, two tagged vip, one of them opted out
    ids = []
    for index in range(5):
        tags = ["vip"] if index < 2 else []
        ids.append(_subscribe(api, bakery["key"], wa_id=f"43660000000{index}", tags=tags).json()["customer_id"])
    api.request("DELETE", f"/v1/subscribers/{ids[0]}", headers=bearer(bakery["key"]))
    # When the bakery pages through all of them two at a time
    seen, cursor = [], None
    for _ in range(5):
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.request("GET", "/v1/subscribers", headers=bearer(bakery["key"]), query=query).json()
        seen += [item["customer_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then it sees each once; and the filters narrow the listing
    assert sorted(seen) == sorted(ids)
    vip = api.request("GET", "/v1/subscribers", headers=bearer(bakery["key"]), query="tag=vip&status=subscribed")
    assert [item["customer_id"] for item in vip.json()["items"]] == [ids[1]]
    # And a cursor altered by the client is refused
    tampered = api.request("GET", "/v1/subscribers", headers=bearer(bakery["key"]), query="cursor=eyJ4Ijp7fX0.abc")
    assert (tampered.status, tampered.json()["error"]["code"]) == (400, "invalid_cursor")


def test_patch_replaces_tags_and_attributes(api, bakery):
    customer_id = _subscribe(api, bakery["key"], tags=["a"]).json()["customer_id"]
    body = json.dumps({"tags": ["b"], "attributes": {"first_name": "Anni"}})
    headers = {**bearer(bakery["key"]), "content-type": "application/json"}
    changed = api.request("PATCH", f"/v1/subscribers/{customer_id}", headers=headers, body=body).json()
    assert (changed["tags"], changed["attributes"]) == (["b"], {"first_name": "Anni"})


def test_delete_opts_out_and_keeps_the_proof(api, bakery):
    customer_id = _subscribe(api, bakery["key"]).json()["customer_id"]
    # When the bakery deletes the subscriber
    deleted = api.request("DELETE", f"/v1/subscribers/{customer_id}", headers=bearer(bakery["key"]))
    # Then she is unsubscribed, with the consent and the opt-out both in her history
    assert deleted.status == 200
    shown = _get(api, bakery["key"], customer_id).json()
    assert shown["status"] == "unsubscribed"
    assert [entry["status"] for entry in shown["history"]] == ["subscribed", "unsubscribed"]


@pytest.mark.parametrize("word", ["STOP", "stopp!", "Abbestellén", " unsubscribe ", "ABMELDEN"])
def test_an_opt_out_keyword_opts_out_and_is_confirmed_once(api, aws, bakery, word):
    # Given Anna, a subscriber
    customer_id = _subscribe(api, bakery["key"]).json()["customer_id"]
    # When she writes only the keyword (and Meta delivers it twice)
    _customer_writes(api, bakery, word, "wamid.1")
    first = _get(api, bakery["key"], customer_id).json()
    _customer_writes(api, bakery, word, "wamid.1")
    # Then she is unsubscribed through the keyword, with her words in the history
    shown = _get(api, bakery["key"], customer_id).json()
    assert shown["status"] == "unsubscribed"
    # And the repeat changed nothing: the same history, no second opt-out
    assert shown == first
    assert [entry["status"] for entry in shown["history"]] == ["subscribed", "unsubscribed"]
    assert (shown["history"][-1]["source"], shown["history"][-1]["text"]) == ("keyword", word)
    # And one confirming free-form reply is queued to her
    (reply,) = _replies(aws)
    assert "keine Newsletter mehr" in json.loads(reply["content"]["S"])["text"]["body"]
    assert len(queue_bodies(aws, "SendQueue")) == 1


def test_start_opts_back_in_and_an_ordinary_message_changes_nothing(api, aws, bakery):
    customer_id = _subscribe(api, bakery["key"]).json()["customer_id"]
    _customer_writes(api, bakery, "Stop", "wamid.1")
    # When she writes a sentence with "stop" in it: nothing changes
    _customer_writes(api, bakery, "stop, habt ihr noch Kipferl?", "wamid.2")
    assert _get(api, bakery["key"], customer_id).json()["status"] == "unsubscribed"
    # When she writes START: subscribed again, confirmed
    _customer_writes(api, bakery, "Start", "wamid.3")
    shown = _get(api, bakery["key"], customer_id).json()
    assert shown["status"] == "subscribed"
    assert [entry["status"] for entry in shown["history"]] == ["subscribed", "unsubscribed", "subscribed"]
    assert len(_replies(aws)) == 2


def test_metas_user_preferences_stop_opts_out_without_a_reply(api, aws, bakery):
    customer_id = _subscribe(api, bakery["key"]).json()["customer_id"]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "4312345678", "phone_number_id": NUMBER},
        "contacts": [{"wa_id": ANNA, "profile": {"name": "Anna"}}],
        "user_preferences": [
            {"wa_id": ANNA, "detail": "User requested to stop marketing messages", "category": "marketing_messages",
             "value": "stop", "timestamp": int(datetime.now(UTC).timestamp())}
        ],
    }  # fmt: skip
    payload = envelope({"field": "user_preferences", "value": value})
    assert post_and_ingest(api, payload, bakery["meta_secret"]).status == 200
    shown = _get(api, bakery["key"], customer_id).json()
    assert (shown["status"], shown["history"][-1]["source"]) == ("unsubscribed", "meta_user_preferences")
    assert _replies(aws) == []


def test_another_business_subscriber_is_not_found(api, bakery):
    customer_id = _subscribe(api, bakery["key"]).json()["customer_id"]
    _, other = sign_up(api, display_name="Konditorei Probe")
    assert _get(api, other, customer_id).status == 404
    assert api.request("DELETE", f"/v1/subscribers/{customer_id}", headers=bearer(other)).status == 404
    assert api.request("GET", "/v1/subscribers", headers=bearer(other)).json()["items"] == []
    assert _get(api, bakery["key"], customer_id).json()["status"] == "subscribed"


def test_a_business_adds_its_own_words_and_stop_still_works(api, aws, bakery):
    # Given the bakery adds "Nein danke" as an opt-out word
    headers = {**bearer(bakery["key"]), "content-type": "application/json"}
    body = json.dumps({"opt_out": ["Nein danke"], "opt_in": []})
    configured = api.request("PUT", "/v1/consent-keywords", headers=headers, body=body)
    assert configured.status == 200, configured.body
    assert {"NEIN DANKE", "STOP"} <= set(configured.json()["opt_out"])
    customer_id = _subscribe(api, bakery["key"]).json()["customer_id"]
    # When Anna writes only those words
    _customer_writes(api, bakery, "Nein Danke!", "wamid.1")
    # Then she is opted out by the bakery's own word
    assert _get(api, bakery["key"], customer_id).json()["status"] == "unsubscribed"
    # And a word may not both opt out and opt in
    clash = json.dumps({"opt_out": [], "opt_in": ["stop"]})
    refused = api.request("PUT", "/v1/consent-keywords", headers=headers, body=clash)
    assert (refused.status, refused.json()["error"]["code"]) == (422, "invalid_keywords")


def test_a_stop_whose_first_try_stored_it_and_stopped_is_acted_on_when_redriven(api, aws, bakery, monkeypatch):
    from bizline.services import whatsapp_ingest
    from whatsapp_ingest.handler import lambda_handler

    from local.lambda_runtime import LocalLambdaContext

    # Given Anna, a subscriber, whose STOP reaches the ingest queue
    customer_id = _subscribe(api, bakery["key"]).json()["customer_id"]
    message = text_message("wamid.9", "STOP", wa_id=ANNA, timestamp=int(datetime.now(UTC).timestamp()) - 30)
    body = json.dumps(envelope(change(NUMBER, [message], contacts=[contact(ANNA)])))

    def consume(record_id: str) -> dict:
        # A record as SQS hands it over the first time: a redriven envelope counts its receives from one again.
        record = {"messageId": record_id, "body": body, "attributes": {"ApproximateReceiveCount": "1"}}
        return lambda_handler({"Records": [{**record, "eventSource": "aws:sqs"}]}, LocalLambdaContext("Ingest"))

    # And its first try stores the message, then fails before acting on the word (its tries run out)
    def fail(*_args, **_kwargs):
        raise RuntimeError("interrupted")

    with monkeypatch.context() as patch:
        patch.setattr(whatsapp_ingest, "apply_consent_keywords", fail)
        assert consume("first-try") == {"batchItemFailures": [{"itemIdentifier": "first-try"}]}
    assert _get(api, bakery["key"], customer_id).json()["status"] == "subscribed"
    # When the operator redrives it from the dead-letter queue
    assert consume("redriven") == {"batchItemFailures": []}
    # Then Anna is opted out, confirmed once
    assert _get(api, bakery["key"], customer_id).json()["status"] == "unsubscribed"
    (reply,) = _replies(aws)
    assert "keine Newsletter mehr" in json.loads(reply["content"]["S"])["text"]["body"]
