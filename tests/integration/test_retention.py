"""Retention: messages and customers expire by DynamoDB TTL; unattached documents by an S3 lifecycle rule."""

import time

import pytest

from local.template import load_template
from tests.support import (
    add_number,
    change,
    contact,
    envelope,
    meta_app_secret,
    post_and_ingest,
    post_json,
    scan,
    sign_up_body,
    text_message,
)

NUMBER = "1098765432"
DAY = 24 * 3600


@pytest.fixture
def bakery(api, aws):
    response = post_json(api, "/v1/businesses", sign_up_body())
    assert response.status == 201, response.body
    created = response.json()
    add_number(api, created["api_key"]["api_key"], NUMBER)
    return {"business_id": created["business"]["business_id"], "meta_secret": meta_app_secret(aws)}


def _expiries(aws, table):
    return [int(item["expires_at"]["N"]) for item in scan(aws["dynamodb"], table)]


def _customer_writes(api, bakery):
    """A customer's message; returns the times bizline may count from: when it was sent, when it arrived."""
    message = text_message("wamid.RET1", "Hallo")
    payload = envelope(change(NUMBER, [message], contacts=[contact()]))
    assert post_and_ingest(api, payload, bakery["meta_secret"]).status == 200
    return int(message["timestamp"]), time.time()


def _assert_expire_after(expiries, days, sent, received):
    for expiry in expiries:
        assert sent + days * DAY - 1 <= expiry <= received + days * DAY + 1


def test_a_message_and_its_customer_expire_after_the_retention_period(api, aws, bakery):
    # Given the default retention (400 days)
    # When a customer writes
    sent, received = _customer_writes(api, bakery)
    # Then the message, the customer and each name it goes by expire 400 days on
    (message_expiry,) = _expiries(aws, "MessagesTable")
    customer_expiries = _expiries(aws, "CustomersTable")
    assert len(customer_expiries) == 2  # the customer and its wa: name
    _assert_expire_after([message_expiry, *customer_expiries], 400, sent, received)


def test_the_retention_period_is_the_deployers(api, aws, bakery, monkeypatch):
    # Given a deployer who keeps conversations 30 days
    from bizline.settings import get_settings

    monkeypatch.setenv("RETENTION_DAYS", "30")
    get_settings.cache_clear()
    # When a customer writes
    sent, received = _customer_writes(api, bakery)
    get_settings.cache_clear()
    # Then everything it left expires 30 days on
    expiries = _expiries(aws, "MessagesTable") + _expiries(aws, "CustomersTable")
    assert len(expiries) == 3
    _assert_expire_after(expiries, 30, sent, received)


def test_the_template_expires_messages_and_customers_by_ttl_with_a_400_day_default():
    # Given the template
    template = load_template()
    # Then RetentionDays defaults to 400 and both tables expire items by expires_at
    assert template["Parameters"]["RetentionDays"]["Default"] == 400
    for table in ("MessagesTable", "CustomersTable"):
        ttl = template["Resources"][table]["Properties"]["TimeToLiveSpecification"]
        assert ttl == {"AttributeName": "expires_at", "Enabled": True}


# -- verification documents ------------------------------------------------------------------------
BUCKET = "verificationdocumentsbucket"


def _request(api):
    from tests.support import sign_up, verification_body

    _, key = sign_up(api, display_name="Retention GmbH")
    response = post_json(api, "/v1/verification-requests", verification_body(), key)
    assert response.status == 201, response.body
    return key, response.json()["request_id"]


def _retention_tag(aws, object_key):
    tags = aws["s3"].get_object_tagging(Bucket=BUCKET, Key=object_key)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in tags}.get("retention")


def _object_key(aws):
    (item,) = aws["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]
    return item["Key"]


def test_an_upload_starts_unattached_and_attaching_keeps_it(api, aws):
    import requests

    from tests.support import PDF

    # Given an upload form for a request's document
    key, request_id = _request(api)
    form = post_json(
        api,
        f"/v1/verification-requests/{request_id}/documents",
        {"filename": "a.pdf", "content_type": "application/pdf"},
        key,
    ).json()
    # Then the form makes S3 tag the upload unattached (a signed field the uploader cannot change)
    assert "<Value>unattached</Value>" in form["upload"]["fields"]["tagging"]
    sent = requests.post(form["upload"]["url"], data=form["upload"]["fields"], files={"file": ("a", PDF)}, timeout=10)
    assert sent.status_code in (200, 204)
    object_key = _object_key(aws)  # (moto ignores a POST form's tagging field; S3 applies it)
    # When the business attaches it
    attached = api.request(
        "POST",
        f"/v1/verification-requests/{request_id}/documents/{form['document_id']}/attach",
        headers={"authorization": f"Bearer {key}"},
    )
    assert attached.status == 200, attached.body
    # Then it is tagged attached: the lifecycle rule leaves it alone
    assert _retention_tag(aws, object_key) == "attached"


def test_withdrawing_a_request_lets_its_documents_expire(api, aws):
    from tests.support import upload_document

    # Given a request with an attached document
    key, request_id = _request(api)
    upload_document(api, key, request_id)
    object_key = _object_key(aws)
    assert _retention_tag(aws, object_key) == "attached"
    # When the business withdraws the request
    withdrawn = api.request(
        "POST", f"/v1/verification-requests/{request_id}/withdraw", headers={"authorization": f"Bearer {key}"}
    )
    assert withdrawn.status == 200, withdrawn.body
    # Then its document is tagged unattached, for the lifecycle rule to expire
    assert _retention_tag(aws, object_key) == "unattached"


def test_the_bucket_expires_what_the_code_tags_unattached():
    from bizline.adapters import documents

    # Given the bucket's lifecycle rules in the template
    rules = load_template()["Resources"]["VerificationDocumentsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    (rule,) = [rule for rule in rules if rule["Id"] == "expire-unattached-documents"]
    # Then unattached documents (the tag the code writes) expire after a week
    assert rule["Status"] == "Enabled"
    assert rule["TagFilters"] == [{"Key": documents.RETENTION_TAG, "Value": documents.UNATTACHED}]
    assert rule["ExpirationInDays"] == 7
