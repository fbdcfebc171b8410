"""Business verification through the HTTP API: requests, documents, review, badge, public lookup."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import REVIEWER_CREDENTIALS
from tests.support import (
    BANK_SIZE,
    PDF,
    PNG,
    add_number,
    as_reviewer,
    bearer,
    connect_account,
    delivery_owner,
    drain_stream,
    post_json,
    sandbox_account,
    scan,
    sign_up,
    upload_document,
    verification_body,
)

REVIEWER_ARN = "arn:aws:iam::123456789012:user/bizline-local"


def _submit(api, key, **overrides):
    return post_json(api, "/v1/verification-requests", verification_body(**overrides), key)


def _submitted(api, key, **overrides):
    response = _submit(api, key, **overrides)
    assert response.status == 201, response.body
    return response.json()


def _claim(api, request_id):
    return as_reviewer(api, "POST", f"/admin/verification-requests/{request_id}/claim")


def _decide(api, request_id, decision="approved", reason="Register extract matches.", **extra):
    body = {"decision": decision, "reason": reason, **extra}
    return as_reviewer(api, "POST", f"/admin/verification-requests/{request_id}/decision", body)


def _verified_bakery(api, phone_number_id="1098765432", display="+43 1 2345678"):
    business, key = sign_up(api)
    add_number(api, key, phone_number_id, display)
    request = _submitted(api, key)
    upload_document(api, key, request["request_id"])
    assert _claim(api, request["request_id"]).status == 200
    assert _decide(api, request["request_id"]).status == 200
    return business, key, request["request_id"]


def _lookup(api, number):
    return api.request("GET", f"/v1/public/verified/{number}")


def _audit(api, request_id):
    response = as_reviewer(api, "GET", f"/admin/verification-requests/{request_id}/audit")
    assert response.status == 200, response.body
    return [(entry["from_state"], entry["to_state"]) for entry in response.json()["entries"]]


# -- submitting --------------------------------------------------------------------------------
def test_a_submitted_request_stores_its_checks_and_its_audit_entry(api, aws):
    # Given a signed-up bakery
    business, key = sign_up(api)
    # When it asks to be verified
    request = _submitted(api, key)
    # Then the request is submitted, with every automated check run and the missing document flagged
    assert request["state"] == "submitted"
    checks = {check["name"]: check["passed"] for check in request["checks"]}
    assert checks == {
        "email_domain_matches_website": True,
        "registration_number_format": True,
        "name_not_confusable_with_verified_business": True,
        "document_attached": False,
    }
    assert request["flagged"] is True
    # And it is stored with its first audit entry, and the business holds it as its open request
    stored = scan(aws["dynamodb"], "VerificationRequestsTable")
    assert [item["request_id"]["S"] for item in stored] == [request["request_id"]]
    assert _audit(api, request["request_id"]) == [(None, "submitted")]
    businesses = {item["business_id"]["S"]: item for item in scan(aws["dynamodb"], "BusinessesTable")}
    assert businesses[business["business_id"]]["open_verification_request"]["S"] == request["request_id"]


def test_failed_checks_flag_but_do_not_reject(api):
    _, key = sign_up(api)
    request = _submitted(
        api, key, contact_email="huber.baeckerei@freemail.example", registration_number="123456", country="AT"
    )
    failed = {check["name"] for check in request["checks"] if not check["passed"]}
    assert failed == {"email_domain_matches_website", "registration_number_format", "document_attached"}
    assert request["state"] == "submitted"


def test_one_open_request_per_business(api, aws):
    _, key = sign_up(api)
    first = _submitted(api, key)
    second = _submit(api, key)
    assert second.status == 409
    assert second.json()["error"]["code"] == "verification_request_open"
    assert first["request_id"] in second.json()["error"]["message"]
    assert len(scan(aws["dynamodb"], "VerificationRequestsTable")) == 1
    assert len(scan(aws["dynamodb"], "VerificationAuditTable")) == 1


def test_invalid_requests_are_422_and_store_nothing(api, aws):
    _, key = sign_up(api)
    response = post_json(api, "/v1/verification-requests", {"legal_name": "X", "country": "ZZ"}, key)
    assert response.status == 422
    fields = {detail["field"] for detail in response.json()["error"]["details"]}
    assert {"country", "registration_number", "register_name", "website", "contact_email", "size"} <= fields
    assert scan(aws["dynamodb"], "VerificationRequestsTable") == []


def test_a_withdrawn_request_frees_the_business_to_apply_again(api):
    _, key = sign_up(api)
    request = _submitted(api, key)
    withdrawn = api.request("POST", f"/v1/verification-requests/{request['request_id']}/withdraw", headers=bearer(key))
    assert withdrawn.status == 200
    assert withdrawn.json()["state"] == "withdrawn"
    assert _submit(api, key).status == 201
    listed = api.request("GET", "/v1/verification-requests", headers=bearer(key)).json()["items"]
    assert [item["state"] for item in listed] == ["submitted", "withdrawn"]


def test_a_request_in_review_can_be_withdrawn_but_a_decided_one_cannot(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    assert _claim(api, request_id).status == 200
    path = f"/v1/verification-requests/{request_id}/withdraw"
    assert api.request("POST", path, headers=bearer(key)).json()["state"] == "withdrawn"
    again = api.request("POST", path, headers=bearer(key))
    assert again.status == 409
    assert again.json()["error"]["code"] == "invalid_transition"
    assert _decide(api, request_id).status == 409
    assert _audit(api, request_id) == [(None, "submitted"), ("submitted", "in_review"), ("in_review", "withdrawn")]


# -- documents ---------------------------------------------------------------------------------
def test_a_document_uploaded_with_the_presigned_form_is_attached_and_clears_the_flag(api, aws):
    # Given a submitted request
    business, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    # When the business asks for an upload form
    form = post_json(
        api,
        f"/v1/verification-requests/{request_id}/documents",
        {"filename": "firmenbuch.pdf", "content_type": "application/pdf"},
        key,
    ).json()
    # Then the form is an S3 POST policy limited to this key, PDF and 10 MB
    policy = json.loads(__import__("base64").b64decode(form["upload"]["fields"]["policy"]))
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
    assert form["upload"]["fields"]["key"] == f"{business['business_id']}/{request_id}/{form['document_id']}"
    assert form["max_bytes"] == 10 * 1024 * 1024
    # When it uploads a PDF with the form and attaches it
    document_id = upload_document(api, key, request_id)
    # Then the document is attached with its size, and the document check passes
    request = api.request("GET", f"/v1/verification-requests/{request_id}", headers=bearer(key)).json()
    attached = [document for document in request["documents"] if document["document_id"] == document_id]
    assert attached[0]["state"] == "attached"
    assert attached[0]["size_bytes"] == len(PDF)
    assert {check["name"]: check["passed"] for check in request["checks"]}["document_attached"] is True
    assert request["flagged"] is False


def test_attaching_twice_is_harmless(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    document_id = upload_document(api, key, request_id, PNG, "image/png")
    path = f"/v1/verification-requests/{request_id}/documents/{document_id}/attach"
    again = api.request("POST", path, headers=bearer(key))
    assert again.status == 200
    assert [document["state"] for document in again.json()["documents"]] == ["attached"]


def _form(api, key, request_id, content_type="application/pdf"):
    response = post_json(
        api,
        f"/v1/verification-requests/{request_id}/documents",
        {"filename": "x.pdf", "content_type": content_type},
        key,
    )
    assert response.status == 201, response.body
    return response.json()


@pytest.mark.parametrize(
    ("content", "uploaded_type", "reason"),
    [
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf", "at most 10485760"),
        (PDF, "application/zip", "uploaded as application/zip"),
        (b"MZ\x90\x00 not a pdf at all", "application/pdf", "content is not application/pdf"),
        (b"", "application/pdf", "empty"),
    ],
    ids=["over-10-MB", "wrong-type", "renamed-file", "empty"],
)
def test_what_the_upload_policy_forbids_is_refused_and_deleted_on_attach(api, aws, content, uploaded_type, reason):
    # Given an upload form, and a file that breaks its policy (moto does not enforce POST policies)
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    form = _form(api, key, request_id)
    object_key = form["upload"]["fields"]["key"]
    aws["s3"].put_object(Bucket="verificationdocumentsbucket", Key=object_key, Body=content, ContentType=uploaded_type)
    # When the business attaches it
    response = api.request(
        "POST",
        f"/v1/verification-requests/{request_id}/documents/{form['document_id']}/attach",
        headers=bearer(key),
    )
    # Then it is refused with the reason, the file is gone, and the document stays unattached
    assert response.status == 422
    assert response.json()["error"]["code"] == "document_rejected"
    assert reason in response.json()["error"]["message"]
    assert "Contents" not in aws["s3"].list_objects_v2(Bucket="verificationdocumentsbucket")
    request = api.request("GET", f"/v1/verification-requests/{request_id}", headers=bearer(key)).json()
    assert [document["state"] for document in request["documents"]] == ["awaiting_upload"]


def test_attaching_before_uploading_is_a_conflict(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    form = _form(api, key, request_id)
    path = f"/v1/verification-requests/{request_id}/documents/{form['document_id']}/attach"
    response = api.request("POST", path, headers=bearer(key))
    assert response.status == 409
    assert response.json()["error"]["code"] == "not_uploaded"


def test_only_pdf_png_and_jpeg_forms_are_issued_and_at_most_ten(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    path = f"/v1/verification-requests/{request_id}/documents"
    refused = post_json(api, path, {"filename": "x.exe", "content_type": "application/octet-stream"}, key)
    assert refused.status == 422
    for _ in range(10):
        _form(api, key, request_id, "image/jpeg")
    eleventh = post_json(api, path, {"filename": "x.pdf", "content_type": "application/pdf"}, key)
    assert eleventh.status == 409
    assert eleventh.json()["error"]["code"] == "too_many_documents"


def test_documents_cannot_change_once_decided(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    _claim(api, request_id)
    _decide(api, request_id, "rejected", "No register extract.")
    response = post_json(
        api,
        f"/v1/verification-requests/{request_id}/documents",
        {"filename": "x.pdf", "content_type": "image/png"},
        key,
    )
    assert response.status == 409
    assert response.json()["error"]["code"] == "request_closed"


# -- reviewers ---------------------------------------------------------------------------------
def test_admin_routes_need_a_sigv4_signature(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    # An API key is not enough, nor is no signature
    assert api.request("GET", "/admin/verification-requests", headers=bearer(key)).status == 403
    assert api.request("POST", f"/admin/verification-requests/{request_id}/claim").status == 403
    # A signature by other credentials is refused too
    from tests.support import signed_headers

    class Stranger:
        access_key, secret_key = REVIEWER_CREDENTIALS.access_key, "not-the-secret"

    headers = signed_headers("POST", f"/admin/verification-requests/{request_id}/claim", credentials=Stranger)
    assert api.request("POST", f"/admin/verification-requests/{request_id}/claim", headers=headers).status == 403
    # Nothing changed
    assert _audit(api, request_id) == [(None, "submitted")]


def test_reviewers_list_by_state_oldest_first_and_page(api):
    ids = []
    for name in ("Bäckerei Eins", "Metzgerei Zwei", "Konditorei Drei"):
        _, key = sign_up(api, display_name=name)
        ids.append(_submitted(api, key)["request_id"])
    first = as_reviewer(api, "GET", "/admin/verification-requests", query="state=submitted&limit=2").json()
    assert [item["request_id"] for item in first["items"]] == ids[:2]
    rest = as_reviewer(
        api, "GET", "/admin/verification-requests", query=f"state=submitted&limit=2&cursor={first['next_cursor']}"
    ).json()
    assert [item["request_id"] for item in rest["items"]] == ids[2:]
    _claim(api, ids[1])
    in_review = as_reviewer(api, "GET", "/admin/verification-requests", query="state=in_review").json()
    assert [(item["request_id"], item["claimed_by"]) for item in in_review["items"]] == [(ids[1], REVIEWER_ARN)]
    bad_cursor = as_reviewer(api, "GET", "/admin/verification-requests", query="state=in_review&cursor=bm9wZQ==")
    assert bad_cursor.status == 400


def test_a_reviewer_sees_checks_and_short_lived_download_links(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    document_id = upload_document(api, key, request_id)
    _form(api, key, request_id)  # asked for but never uploaded: no link
    response = as_reviewer(api, "GET", f"/admin/verification-requests/{request_id}")
    assert response.status == 200
    viewed = response.json()
    assert [link["document_id"] for link in viewed["document_links"]] == [document_id]
    link = viewed["document_links"][0]
    assert "X-Amz-Expires=300" in link["url"]
    import requests

    downloaded = requests.get(link["url"], timeout=10)
    assert downloaded.content == PDF
    assert downloaded.headers["content-disposition"].startswith("attachment")
    # And a preview link the console shows in the page: inline, as the type the attach step checked
    previewed = requests.get(link["preview_url"], timeout=10)
    assert previewed.content == PDF
    assert previewed.headers["content-disposition"].startswith("inline")
    assert previewed.headers["content-type"] == "application/pdf"
    assert len(viewed["checks"]) == 4


def test_claiming_twice_is_refused(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    claimed = _claim(api, request_id)
    assert claimed.status == 200
    assert claimed.json()["state"] == "in_review"
    assert claimed.json()["claimed_by"] == REVIEWER_ARN
    again = _claim(api, request_id)
    assert again.status == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_a_request_must_be_claimed_before_it_is_decided(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    assert _decide(api, request_id).status == 409
    assert as_reviewer(api, "GET", f"/admin/verification-requests/{request_id}").json()["state"] == "submitted"


def test_unknown_requests_are_404_for_reviewers(api):
    assert _claim(api, "vrq_nope").status == 404
    assert as_reviewer(api, "GET", "/admin/verification-requests/vrq_nope").status == 404
    assert as_reviewer(api, "GET", "/admin/verification-requests/vrq_nope/audit").status == 404


def test_approval_gives_the_badge_and_confirms_the_size(api, aws):
    # Given a bakery whose request is in review
    business, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    _claim(api, request_id)
    # When a reviewer approves it
    decided = _decide(api, request_id, reason="Firmenbuch extract checked.")
    # Then the request is approved, by whom and why, with the confirmed size class
    assert decided.status == 200
    assert decided.json()["state"] == "approved"
    assert decided.json()["decided_by"] == REVIEWER_ARN
    assert decided.json()["decision_reason"] == "Firmenbuch extract checked."
    assert decided.json()["confirmed_size_class"] == "micro"
    # And the business carries the badge with its verified name, and may apply again later
    me = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()
    assert me["badge"]["verified_name"] == "Bäckerei Huber GmbH"
    assert me["tier"] == "free"
    stored = {item["business_id"]["S"]: item for item in scan(aws["dynamodb"], "BusinessesTable")}
    assert "open_verification_request" not in stored[business["business_id"]]


def test_confirmed_enterprise_figures_change_the_tier_from_next_month(api):
    # Given a business that signed up as an SME but applies with a bank's figures
    _, key = sign_up(api)
    request_id = _submitted(api, key, size=BANK_SIZE)["request_id"]
    _claim(api, request_id)
    # When approved
    decided = _decide(api, request_id).json()
    # Then the size is confirmed as large and the enterprise tier waits for next month
    assert decided["confirmed_size_class"] == "large"
    me = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()
    assert me["size_class"] == "large"
    assert me["tier"] == "free"
    assert me["pending_tier_change"]["to_tier"] == "enterprise"


def test_a_reviewer_may_correct_the_size_class(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key, size=BANK_SIZE)["request_id"]
    _claim(api, request_id)
    decided = _decide(api, request_id, size_class="medium").json()
    assert decided["confirmed_size_class"] == "medium"
    me = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()
    assert (me["size_class"], me["tier"], me["pending_tier_change"]) == ("medium", "free", None)


def test_a_second_decision_is_refused(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    _claim(api, request_id)
    assert _decide(api, request_id, "approved").status == 200
    second = _decide(api, request_id, "rejected", "Changed my mind.")
    assert second.status == 409
    assert second.json()["error"]["code"] == "invalid_transition"
    assert as_reviewer(api, "GET", f"/admin/verification-requests/{request_id}").json()["state"] == "approved"


def test_two_reviewers_deciding_at_the_same_moment_make_one_decision(api):
    # Given a request in review
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    _claim(api, request_id)
    # When two reviewers decide at once, one approving and one rejecting
    barrier = threading.Barrier(2)
    outcomes: dict[str, int] = {}

    def decide(decision):
        barrier.wait()
        outcomes[decision] = _decide(api, request_id, decision, f"{decision} by a reviewer").status

    threads = [threading.Thread(target=decide, args=(decision,)) for decision in ("approved", "rejected")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly one wins, and the audit trail holds exactly that one decision
    assert sorted(outcomes.values()) == [200, 409]
    winner = next(decision for decision, status in outcomes.items() if status == 200)
    assert _audit(api, request_id)[-1] == ("in_review", winner)
    assert len(_audit(api, request_id)) == 3
    badge = api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()["badge"]
    assert (badge is not None) == (winner == "approved")


def test_a_rejected_business_may_apply_again_after_30_days(api, aws):
    # Given a rejected request
    business, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    _claim(api, request_id)
    decided_at = datetime.now(UTC)
    assert _decide(api, request_id, "rejected", "The register number is someone else's.").status == 200
    # When the business applies again at once, it is refused with the date it may
    again = _submit(api, key)
    assert again.status == 409
    assert again.json()["error"]["code"] == "reapply_not_yet"
    reapply_after = datetime.fromisoformat(again.json()["error"]["details"][0]["message"])
    assert timedelta(days=30) <= reapply_after - decided_at < timedelta(days=30, minutes=1)
    # And 30 days later it may
    from bizline.models.verification import VerificationRequestCreate
    from bizline.services import verification

    later = verification.submit(
        business["business_id"],
        VerificationRequestCreate(**verification_body()),
        now=reapply_after + timedelta(seconds=1),
    )
    assert later.state == "submitted"


def test_rejecting_does_not_take_a_size_class(api):
    _, key = sign_up(api)
    request_id = _submitted(api, key)["request_id"]
    _claim(api, request_id)
    response = _decide(api, request_id, "rejected", "No.", size_class="large")
    assert response.status == 422
    assert _audit(api, request_id)[-1] == ("submitted", "in_review")


def test_revoking_a_badge_takes_it_away_and_completes_the_audit_trail(api):
    business, key, request_id = _verified_bakery(api)
    assert _lookup(api, "+4312345678").json()["verified"] is True
    response = as_reviewer(
        api, "POST", f"/admin/businesses/{business['business_id']}/badge/revoke", {"reason": "Sold the business."}
    )
    assert response.status == 200
    assert response.json()["request_id"] == request_id
    assert api.request("GET", "/v1/businesses/me", headers=bearer(key)).json()["badge"] is None
    assert _lookup(api, "+4312345678").json()["verified"] is False
    assert _audit(api, request_id) == [
        (None, "submitted"),
        ("submitted", "in_review"),
        ("in_review", "approved"),
        ("approved", "revoked"),
    ]
    entries = as_reviewer(api, "GET", f"/admin/verification-requests/{request_id}/audit").json()["entries"]
    assert [entry["actor"] for entry in entries] == ["business", REVIEWER_ARN, REVIEWER_ARN, REVIEWER_ARN]
    assert [entry["reason"] for entry in entries][-2:] == ["Register extract matches.", "Sold the business."]
    # A badge is revoked once
    again = as_reviewer(api, "POST", f"/admin/businesses/{business['business_id']}/badge/revoke", {"reason": "x"})
    assert again.status == 409
    assert as_reviewer(api, "POST", "/admin/businesses/biz_nope/badge/revoke", {"reason": "x"}).status == 404


# -- customers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("asked", ["+4312345678", "4312345678", "+43 1 2345678", "+43-1-234-5678", "0043 1 2345678"])
def test_a_customer_finds_a_verified_number_however_it_is_written(api, asked):
    _verified_bakery(api)
    response = _lookup(api, asked)
    assert response.status == 200
    answer = response.json()
    assert answer["phone_number"] == "+4312345678"
    assert answer["verified"] is True
    assert answer["verified_name"] == "Bäckerei Huber GmbH"
    assert answer["verified_since"] == datetime.now(UTC).date().isoformat()


def test_unknown_and_unverified_numbers_cannot_be_told_apart(api):
    # Given one number owned by an unverified business, and one nobody owns
    _, key = sign_up(api)
    add_number(api, key, "555000111", "+43 660 1112223")
    unverified = _lookup(api, "+436601112223")
    unknown = _lookup(api, "+436609998887")
    # Then both answer the same shape, not verified
    assert unverified.status == unknown.status == 200
    assert unverified.json() == {
        "phone_number": "+436601112223",
        "verified": False,
        "verified_name": None,
        "verified_since": None,
    }
    assert set(unknown.json()) == set(unverified.json())
    assert unknown.json()["verified"] is False


@pytest.mark.parametrize("asked", ["hello", "+0123456789", "12345", "+4312345678901234567"])
def test_what_is_not_a_phone_number_is_422(api, asked):
    response = _lookup(api, asked)
    assert response.status == 422
    assert response.json()["error"]["details"][0]["field"] == "phone_number"


def test_the_public_lookup_needs_no_key_and_is_throttled_in_the_template(api):
    from local.template import load_template

    assert _lookup(api, "+4312345678").status == 200
    event = load_template()["Resources"]["PublicVerificationFunction"]["Properties"]["Events"]["VerifiedLookup"]
    assert event["Properties"]["RouteSettings"]["ThrottlingRateLimit"] <= 10


# -- isolation ---------------------------------------------------------------------------------
def test_another_business_cannot_reach_a_request(api):
    _, owner_key = sign_up(api)
    _, other_key = sign_up(api, display_name="Metzgerei Maier")
    request_id = _submitted(api, owner_key)["request_id"]
    form = _form(api, owner_key, request_id)
    base = f"/v1/verification-requests/{request_id}"
    assert api.request("GET", base, headers=bearer(other_key)).status == 404
    assert api.request("POST", f"{base}/withdraw", headers=bearer(other_key)).status == 404
    assert (
        post_json(api, f"{base}/documents", {"filename": "a.pdf", "content_type": "image/png"}, other_key).status == 404
    )
    attach = f"{base}/documents/{form['document_id']}/attach"
    assert api.request("POST", attach, headers=bearer(other_key)).status == 404
    assert api.request("GET", "/v1/verification-requests", headers=bearer(other_key)).json()["items"] == []
    assert api.request("GET", base, headers=bearer(owner_key)).json()["state"] == "submitted"


# -- look-alike names --------------------------------------------------------------------------
def test_a_name_close_to_a_verified_business_is_flagged(api):
    _verified_bakery(api)
    # A look-alike with a Cyrillic a (U+0430) and without the umlaut
    _, key = sign_up(api, display_name="B\u0430eckerei Huber")
    checks = {check["name"]: check for check in _submitted(api, key)["checks"]}
    assert checks["name_not_confusable_with_verified_business"]["passed"] is False
    assert "Bäckerei Huber GmbH" in checks["name_not_confusable_with_verified_business"]["detail"]


def test_a_verified_business_applying_again_is_not_its_own_look_alike(api):
    _, key, _ = _verified_bakery(api)
    checks = {check["name"]: check["passed"] for check in _submitted(api, key)["checks"]}
    assert checks["name_not_confusable_with_verified_business"] is True


# -- telling the business ----------------------------------------------------------------------
def test_every_transition_becomes_one_signed_callback_even_when_the_stream_repeats(api, aws):
    # Given a business that went from submitted to approved
    business, _, request_id = _verified_bakery(api)
    # When the audit stream is consumed, and then consumed again from the start (at-least-once)
    results = drain_stream("VerificationAuditTable", "VerificationEventsFunction")
    assert results
    assert not any(isinstance(result, Exception) for result in results)
    replayed: list = []
    again = drain_stream("VerificationAuditTable", "VerificationEventsFunction", events=replayed)
    assert sum(len(event["Records"]) for event in replayed) == 3
    assert again == [{"batchItemFailures": []}]
    # Then one delivery per transition exists, stored for the callback machinery, none twice
    deliveries = [
        item for item in scan(aws["dynamodb"], "DeliveriesTable") if delivery_owner(item) == business["business_id"]
    ]
    assert sorted(item["event_type"]["S"] for item in deliveries) == [
        "verification.approved",
        "verification.in_review",
        "verification.submitted",
    ]
    approved = next(item for item in deliveries if item["event_type"]["S"] == "verification.approved")
    payload = json.loads(approved["payload"]["S"])
    assert payload["data"]["request_id"] == request_id
    assert payload["data"]["reason"] == "Register extract matches."
    assert REVIEWER_ARN not in approved["payload"]["S"]


# -- a badge nobody can borrow -------------------------------------------------------------------
def test_a_verified_business_cannot_put_its_badge_on_a_number_it_does_not_own(api):
    # Given a verified business with its own proven number, and a number it does not own (+43 1 5550999)
    _, key, _ = _verified_bakery(api)
    # When it adds a number typing that display number, or by an id its accounts do not list
    typed = post_json(
        api, "/v1/phone-numbers", {"phone_number_id": "7770001", "display_phone_number": "+4315550999"}, key
    )
    unproven = post_json(api, "/v1/phone-numbers", {"phone_number_id": "7770001"}, key)
    # Then both are refused, and the public lookup does not call that number verified
    assert typed.status == 422
    assert unproven.status == 422
    assert unproven.json()["error"]["code"] == "phone_number_not_in_account"
    assert _lookup(api, "+43 1 5550999").json()["verified"] is False


def test_unverified_sign_ups_cannot_hide_a_verified_business_badge(api, aws):
    # Given a verified bakery whose proven number displays as +43 1 2345678
    _verified_bakery(api)
    # When five unverified sign-ups try to add that number: by its id, and through accounts that
    # list other ids under the same display number
    for attempt in range(5):
        _, key = sign_up(api, display_name=f"Squatter {attempt}")
        waba_id, token = sandbox_account("1098765432", "+43 1 2345678", verified_name="Squatter")
        assert connect_account(api, key, waba_id, token).status == 201
        assert post_json(api, "/v1/phone-numbers", {"phone_number_id": "1098765432"}, key).status == 409
        add_number(api, key, f"66600000{attempt}", "+43 1 2345678")
    # Then the lookup still answers with the bakery's badge, from its one item
    answer = _lookup(api, "+4312345678").json()
    assert answer["verified"] is True
    assert answer["verified_name"] == "Bäckerei Huber GmbH"
    badges = scan(aws["dynamodb"], "PublicBadgesTable")
    assert [(item["phone_number"]["S"], item["phone_number_id"]["S"]) for item in badges] == [
        ("+4312345678", "1098765432")
    ]


def test_a_badge_leaves_the_lookup_when_the_number_or_account_goes(api, aws):
    # Given a verified bakery with two proven numbers from two accounts
    _, key, _ = _verified_bakery(api)
    add_number(api, key, "1098765433", "+43 1 2345679")
    assert _lookup(api, "+4312345679").json()["verified"] is True
    # When it removes the first number and disconnects the second number's account
    assert api.request("DELETE", "/v1/phone-numbers/1098765432", headers=bearer(key)).status == 204
    waba_id, _ = sandbox_account("1098765433", "+43 1 2345679")
    assert api.request("DELETE", f"/v1/whatsapp-accounts/{waba_id}", headers=bearer(key)).status == 204
    # Then neither number is called verified any more, and no lookup item is left
    assert _lookup(api, "+4312345678").json()["verified"] is False
    assert _lookup(api, "+4312345679").json()["verified"] is False
    assert scan(aws["dynamodb"], "PublicBadgesTable") == []


def test_the_lookup_reads_one_item_whatever_the_answer(api, monkeypatch):
    from pynamodb.connection.base import Connection

    # Given a verified number, an unverified business's number, and a number nobody holds
    _verified_bakery(api)
    _, key = sign_up(api, display_name="Unverified")
    add_number(api, key, "555000111", "+43 660 1112223")
    calls = []
    real = Connection._make_api_call

    def counting(self, operation_name, operation_kwargs):
        calls.append((operation_name, operation_kwargs.get("TableName")))
        return real(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "_make_api_call", counting)
    # When a customer looks each up
    reads = {}
    for number in ("+4312345678", "+436601112223", "+436609998887"):
        calls.clear()
        assert _lookup(api, number).status == 200
        reads[number] = list(calls)
    # Then each answer took the same single read of the lookup table
    assert len({tuple(made) for made in reads.values()}) == 1
    ((operation, table),) = reads["+4312345678"]
    assert operation == "GetItem"
    assert "PublicBadges" in table
