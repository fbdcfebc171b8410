"""Phone numbers per business: at most twenty, counted atomically with each add and removal."""

from concurrent.futures import ThreadPoolExecutor

from tests.support import bearer, connect_account, post_json, sandbox_account_holding, scan, sign_up

# One sandbox WhatsApp Business Account holds more numbers than a business may add.
HELD = {f"10000000{index:04d}": f"+43 1 555{index:04d}" for index in range(23)}


def _connect(api, key):
    """The business connects the sandbox account holding every number in HELD."""
    waba_id, token = sandbox_account_holding(HELD)
    assert connect_account(api, key, waba_id, token).status in (200, 201)


def _add(api, key, index):
    return post_json(api, "/v1/phone-numbers", {"phone_number_id": f"10000000{index:04d}"}, api_key=key)


def _count(aws, business_id):
    stored = {item["business_id"]["S"]: item for item in scan(aws["dynamodb"], "BusinessesTable")}
    return stored[business_id].get("phone_number_count")


def test_a_business_has_at_most_twenty_phone_numbers(api, aws):
    # Given a business with twenty numbers
    business, key = sign_up(api)
    _connect(api, key)
    assert [_add(api, key, index).status for index in range(20)] == [201] * 20
    # When it adds a twenty-first
    refused = _add(api, key, 20)
    # Then it is refused with 409 limit_reached, and the number is not stored
    assert refused.status == 409
    assert refused.json()["error"]["code"] == "limit_reached"
    assert len(scan(aws["dynamodb"], "PhoneNumbersTable")) == 20
    assert _count(aws, business["business_id"]) == {"N": "20"}
    # And once it removes one, it may add another
    assert api.request("DELETE", "/v1/phone-numbers/100000000000", headers=bearer(key)).status == 204
    assert _count(aws, business["business_id"]) == {"N": "19"}
    assert _add(api, key, 20).status == 201
    assert len(api.request("GET", "/v1/phone-numbers", headers=bearer(key)).json()["items"]) == 20


def test_numbers_added_at_the_same_moment_never_pass_the_limit(api, aws):
    # Given a business with eighteen numbers
    business, key = sign_up(api)
    _connect(api, key)
    for index in range(18):
        assert _add(api, key, index).status == 201
    # When five more are added at the same moment
    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(lambda index: _add(api, key, index).status, range(18, 23)))
    # Then two are added and three refused
    assert sorted(statuses) == [201, 201, 409, 409, 409]
    assert len(scan(aws["dynamodb"], "PhoneNumbersTable")) == 20
    assert _count(aws, business["business_id"]) == {"N": "20"}


def test_a_taken_number_and_another_businesses_number_leave_the_counts_alone(api, aws):
    # Given two businesses, the first with one number
    first, first_key = sign_up(api)
    second, second_key = sign_up(api, display_name="Other")
    _connect(api, first_key)
    _connect(api, second_key)
    assert _add(api, first_key, 1).status == 201
    # When the second adds the same number, and tries to remove it
    taken = _add(api, second_key, 1)
    removed = api.request("DELETE", "/v1/phone-numbers/100000000001", headers=bearer(second_key))
    # Then it is told the number is taken, and that it has no such number
    assert taken.status == 409
    assert taken.json()["error"]["code"] == "phone_number_taken"
    assert removed.status == 404
    # And neither business's count moved
    assert _count(aws, first["business_id"]) == {"N": "1"}
    assert _count(aws, second["business_id"]) == {"N": "0"}


def test_a_number_stored_before_numbers_were_counted_can_be_removed_and_counts_from_zero(api, aws):
    # Given a business whose item has no count, and a number stored without one (as before counting)
    business, key = sign_up(api)
    aws["dynamodb"].update_item(
        TableName="BusinessesTable",
        Key={"business_id": {"S": business["business_id"]}},
        UpdateExpression="REMOVE phone_number_count",
    )
    _connect(api, key)
    aws["dynamodb"].put_item(
        TableName="PhoneNumbersTable",
        Item={
            "phone_number_id": {"S": "109999999999"},
            "business_id": {"S": business["business_id"]},
            "display_phone_number": {"S": "+4315559999"},
            "created_at": {"S": "2025-01-01T00:00:00+00:00"},
        },
    )
    # When it adds a number and removes the old one
    assert _add(api, key, 1).status == 201
    assert api.request("DELETE", "/v1/phone-numbers/109999999999", headers=bearer(key)).status == 204
    # Then the old number is gone and the count never goes below zero
    assert [item["phone_number_id"]["S"] for item in scan(aws["dynamodb"], "PhoneNumbersTable")] == ["100000000001"]
    assert _count(aws, business["business_id"]) == {"N": "0"}
