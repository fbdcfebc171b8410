"""API keys: create, list, revoke; the last key; revoked keys; isolation between businesses."""

import json
from concurrent.futures import ThreadPoolExecutor

from business_api.handler import lambda_handler as business_api

from local.apigw import http_api_event
from local.lambda_runtime import LocalLambdaContext
from tests.support import bearer, post_json, scan, sign_up


def _keys(api, key):
    response = api.request("GET", "/v1/api-keys", headers=bearer(key))
    assert response.status == 200, response.body
    return response.json()["items"]


def test_a_business_creates_a_named_key_and_lists_keys_without_secrets(api, aws):
    # Given a business with its first key
    _, first_key = sign_up(api)
    # When it creates a second, named key
    response = post_json(api, "/v1/api-keys", {"name": "shop backend"}, api_key=first_key)
    # Then the new key is shown once and works
    assert response.status == 201
    created = response.json()
    assert created["name"] == "shop backend"
    assert api.request("GET", "/v1/businesses/me", headers=bearer(created["api_key"])).status == 200
    # And the list shows both keys by id, name and prefix, never a key or its hash
    listed = _keys(api, first_key)
    assert [item["name"] for item in listed] == ["default", "shop backend"]
    assert set(listed[0]) == {"key_id", "name", "prefix", "created_at", "last_used_at"}
    stored_hashes = [item["key_hash"]["S"] for item in scan(aws["dynamodb"], "ApiKeysTable")]
    listing = json.dumps(listed)
    assert first_key not in listing
    assert created["api_key"] not in listing
    assert not any(key_hash in listing for key_hash in stored_hashes)
    # And a key used records when it was last used
    assert listed[0]["last_used_at"] is not None


def test_a_key_can_be_created_without_a_body(api):
    _, key = sign_up(api)
    response = api.request("POST", "/v1/api-keys", headers=bearer(key))
    assert response.status == 201
    assert response.json()["name"] is None


def test_a_revoked_key_stops_working(api, aws):
    # Given a business with two keys
    _, first_key = sign_up(api)
    second = post_json(api, "/v1/api-keys", {"name": "old"}, api_key=first_key).json()
    # When it revokes the second
    response = api.request("DELETE", f"/v1/api-keys/{second['key_id']}", headers=bearer(first_key))
    # Then the key is gone from the list and refused by the gateway's authorizer
    assert response.status == 204
    assert [item["key_id"] for item in _keys(api, first_key)] != [second["key_id"]]
    assert second["key_id"] not in [item["key_id"] for item in _keys(api, first_key)]
    refused = api.request("GET", "/v1/businesses/me", headers=bearer(second["api_key"]))
    assert refused.status == 403
    # And the revocation is recorded on the stored key, not deleted
    stored = {item["key_id"]["S"]: item for item in scan(aws["dynamodb"], "ApiKeysTable")}
    assert "revoked_at" in stored[second["key_id"]]


def test_a_revoked_key_is_refused_by_the_handler_even_when_the_authorizer_answer_is_cached(api):
    # Given a key the authorizer allowed a moment ago (API Gateway caches that answer)
    business, first_key = sign_up(api)
    second = post_json(api, "/v1/api-keys", {}, api_key=first_key).json()
    cached_context = {"business_id": business["business_id"], "key_id": second["key_id"]}
    api.request("DELETE", f"/v1/api-keys/{second['key_id']}", headers=bearer(first_key))
    # When a request with the revoked key reaches the function with the cached context
    event = http_api_event(
        "GET", "/v1/businesses/me", headers=bearer(second["api_key"]), authorizer_context=cached_context
    )
    response = business_api(event, LocalLambdaContext("BusinessApiFunction"))
    # Then the function refuses it with 401 and the error body
    assert response["statusCode"] == 401
    assert json.loads(response["body"])["error"]["code"] == "unauthorized"


def test_the_last_active_key_cannot_be_revoked(api):
    # Given a business with only its first key
    _, key = sign_up(api)
    key_id = _keys(api, key)[0]["key_id"]
    # When it tries to revoke it
    response = api.request("DELETE", f"/v1/api-keys/{key_id}", headers=bearer(key))
    # Then it is refused with 409 and the key still works
    assert response.status == 409
    assert response.json()["error"]["code"] == "last_active_key"
    assert api.request("GET", "/v1/businesses/me", headers=bearer(key)).status == 200


def test_two_keys_revoking_each_other_at_the_same_moment_leave_one_active(api):
    # Given a business with two keys
    _, first_key = sign_up(api)
    second = post_json(api, "/v1/api-keys", {}, api_key=first_key).json()
    first_id = next(item["key_id"] for item in _keys(api, first_key) if item["key_id"] != second["key_id"])
    # When each key revokes the other at the same moment
    requests = [(first_key, second["key_id"]), (second["api_key"], first_id)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(
            pool.map(
                lambda pair: api.request("DELETE", f"/v1/api-keys/{pair[1]}", headers=bearer(pair[0])),
                requests,
            )
        )
    # Then exactly one revocation succeeds; the other is refused (last key, or its own key already revoked)
    statuses = sorted(response.status for response in responses)
    assert statuses[0] == 204
    assert statuses[1] in {401, 403, 409}
    # And exactly one key is still active
    remaining = [key for key in (first_key, second["api_key"]) if _status_me(api, key) == 200]
    assert len(remaining) == 1
    assert len(_keys(api, remaining[0])) == 1


def _status_me(api, key):
    return api.request("GET", "/v1/businesses/me", headers=bearer(key)).status


def test_revoking_an_unknown_or_already_revoked_key_is_not_found(api):
    _, first_key = sign_up(api)
    second = post_json(api, "/v1/api-keys", {}, api_key=first_key).json()
    assert api.request("DELETE", f"/v1/api-keys/{second['key_id']}", headers=bearer(first_key)).status == 204
    again = api.request("DELETE", f"/v1/api-keys/{second['key_id']}", headers=bearer(first_key))
    assert again.status == 404
    assert again.json()["error"]["code"] == "not_found"
    assert api.request("DELETE", "/v1/api-keys/key_doesnotexist", headers=bearer(first_key)).status == 404


def test_a_business_cannot_see_or_revoke_another_businesses_keys(api):
    # Given two businesses, each with two keys
    _, bakery_key = sign_up(api)
    _, bank_key = sign_up(api, display_name="Bank")
    post_json(api, "/v1/api-keys", {"name": "bakery pos"}, api_key=bakery_key)
    post_json(api, "/v1/api-keys", {"name": "bank app"}, api_key=bank_key)
    bank_key_ids = [item["key_id"] for item in _keys(api, bank_key)]
    # When the bakery lists keys, it sees only its own
    assert {item["name"] for item in _keys(api, bakery_key)} == {"default", "bakery pos"}
    # And when it tries to revoke the bank's keys, they do not exist for it
    for key_id in bank_key_ids:
        response = api.request("DELETE", f"/v1/api-keys/{key_id}", headers=bearer(bakery_key))
        assert response.status == 404
    # And the bank's keys are untouched
    assert [item["key_id"] for item in _keys(api, bank_key)] == bank_key_ids


def test_a_key_cannot_act_for_another_business_by_a_forged_authorizer_context(api):
    bakery, _ = sign_up(api)
    _, bank_key = sign_up(api, display_name="Bank")
    event = http_api_event(
        "GET",
        "/v1/businesses/me",
        headers=bearer(bank_key),
        authorizer_context={"business_id": bakery["business_id"]},
    )
    response = business_api(event, LocalLambdaContext("BusinessApiFunction"))
    assert response["statusCode"] == 401


def test_requests_without_a_key_or_with_a_wrong_key_are_refused(api):
    sign_up(api)
    assert api.request("GET", "/v1/api-keys").status == 401
    assert api.request("GET", "/v1/api-keys", headers=bearer("bzl_" + "x" * 43)).status == 403
    assert api.request("GET", "/v1/api-keys", headers={"authorization": "Basic Zm9vOmJhcg=="}).status == 403


def test_a_business_has_at_most_ten_active_keys(api, aws):
    # Given a business with its first key and nine more: ten active keys
    business, first_key = sign_up(api)
    created = [post_json(api, "/v1/api-keys", {"name": f"key {index}"}, api_key=first_key) for index in range(9)]
    assert [response.status for response in created] == [201] * 9
    # When it asks for an eleventh
    refused = post_json(api, "/v1/api-keys", {"name": "one too many"}, api_key=first_key)
    # Then it is refused with 409 limit_reached, and no key was stored for it
    assert refused.status == 409
    assert refused.json()["error"]["code"] == "limit_reached"
    assert "10" in refused.json()["error"]["message"]
    assert len(scan(aws["dynamodb"], "ApiKeysTable")) == 10
    assert len(_keys(api, first_key)) == 10
    # And once it revokes one, it may create another
    revoked = created[0].json()["key_id"]
    assert api.request("DELETE", f"/v1/api-keys/{revoked}", headers=bearer(first_key)).status == 204
    assert post_json(api, "/v1/api-keys", {"name": "replacement"}, api_key=first_key).status == 201
    stored = {item["business_id"]["S"]: item for item in scan(aws["dynamodb"], "BusinessesTable")}
    assert stored[business["business_id"]]["active_key_count"] == {"N": "10"}


def test_keys_created_at_the_same_moment_never_pass_the_limit(api, aws):
    # Given a business with eight active keys
    _, first_key = sign_up(api)
    for _ in range(7):
        assert post_json(api, "/v1/api-keys", {}, api_key=first_key).status == 201
    # When six more are asked for at the same moment
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: post_json(api, "/v1/api-keys", {}, api_key=first_key).status, range(6)))
    # Then exactly two are created and the rest refused: never more than ten active keys
    assert sorted(statuses) == [201, 201, 409, 409, 409, 409]
    assert len(scan(aws["dynamodb"], "ApiKeysTable")) == 10
    assert len(_keys(api, first_key)) == 10


def test_the_listing_shows_at_most_the_limit_even_when_more_keys_were_stored(api, aws, monkeypatch):
    # Given a business that had twelve active keys before the limit was ten
    _, first_key = sign_up(api)
    monkeypatch.setenv("MAX_ACTIVE_API_KEYS", "12")
    from bizline.caches import reset_caches

    reset_caches()
    for _ in range(11):
        assert post_json(api, "/v1/api-keys", {}, api_key=first_key).status == 201
    monkeypatch.setenv("MAX_ACTIVE_API_KEYS", "10")
    reset_caches()
    # When it lists its keys
    listed = _keys(api, first_key)
    # Then the listing is bounded by the limit
    assert len(listed) == 10
