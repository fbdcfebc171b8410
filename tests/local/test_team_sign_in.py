"""Team members sign in to the console with their own logins: Cognito's ID token, API Gateway's JWT authorizer.

Against the local platform: moto's Cognito issues the tokens, the gateway checks them as the
template's TeamMemberAuthorizer tells API Gateway to, the handlers decide what each role may do.
"""

import json
import urllib.error
import urllib.request

import pytest

from local.demo import (
    DEMO_AGENT_EMAIL,
    DEMO_AGENT_PASSWORD,
    DEMO_API_KEY,
    DEMO_BUSINESS_ID,
    DEMO_OWNER_EMAIL,
    DEMO_OWNER_PASSWORD,
    DEMO_PHONE_NUMBER_ID,
)
from tests.local.console_sign_in import console_id_token

pytestmark = pytest.mark.slow  # starts a local platform


def _call(platform, method, path, token=None, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(platform.api_url + path, data=data, method=method, headers=headers or {})
    if token:
        request.add_header("authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def owner(platform):
    return console_id_token(platform, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD)


@pytest.fixture(scope="module")
def agent(platform):
    return console_id_token(platform, DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD)


def test_the_banner_prints_the_seeded_owner_and_agent(platform):
    banner = platform.banner()
    assert f"owner  {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}" in banner
    assert f"agent  {DEMO_AGENT_EMAIL} / {DEMO_AGENT_PASSWORD}" in banner
    assert f"{platform.api_url}/console/" in banner


def test_the_console_config_names_the_pool_the_members_sign_in_to(platform):
    with urllib.request.urlopen(platform.api_url + "/console/config.json", timeout=10) as response:
        config = json.load(response)
    assert config["cognito"]["clientId"] == platform.console_config.client_id
    assert config["cognito"]["endpoint"] == platform.endpoint


def test_an_owner_signs_in_and_reads_the_business_settings(platform, owner):
    # Given the bakery's owner signed in
    # When the console asks for the business and its API keys
    status, business = _call(platform, "GET", "/team/v1/businesses/me", owner)
    keys_status, keys = _call(platform, "GET", "/team/v1/api-keys", owner)
    # Then they are the bakery's
    assert status == 200
    assert business["business_id"] == DEMO_BUSINESS_ID
    assert keys_status == 200
    assert keys["items"]


def test_an_agent_reads_the_inbox_but_not_the_api_keys(platform, agent):
    # Given the bakery's agent signed in
    # When the console asks for the conversations, then for the API keys
    inbox_status, _ = _call(platform, "GET", "/team/v1/conversations", agent)
    keys_status, refused = _call(platform, "GET", "/team/v1/api-keys", agent)
    # Then the inbox is theirs, and the keys are refused with bizline's error body
    assert inbox_status == 200
    assert keys_status == 403
    assert refused["error"]["code"] == "role_not_allowed"
    assert refused["error"]["message"]


def test_a_reply_from_the_console_records_the_member_who_sent_it(platform, agent):
    # Given a customer who wrote to the bakery
    _call(platform, "POST", "/local/customer-messages", body={"text": "Habt ihr heute Kipferl?"})
    # When the agent replies from the console
    status, accepted = _call(
        platform,
        "POST",
        "/team/v1/messages",
        agent,
        body={
            "from_phone_number_id": DEMO_PHONE_NUMBER_ID,
            "to": {"wa_id": "436601234567"},
            "type": "text",
            "text": {"body": "Ja, frisch aus dem Ofen!"},
        },
    )
    assert status == 202
    # Then the conversation shows the reply with the agent as its sender
    _, messages = _call(platform, "GET", f"/team/v1/conversations/{accepted['customer_id']}/messages", agent)
    (reply,) = [message for message in messages["items"] if message["message_id"] == accepted["message_id"]]
    assert reply["sent_by"]["email"] == DEMO_AGENT_EMAIL
    assert reply["sent_by"]["member_id"]


def test_console_routes_refuse_api_keys_and_forged_tokens_and_api_routes_refuse_tokens(platform, owner):
    header, payload, signature = owner.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    # Then a /team route wants a member's token: none, an API key or a forged token is API Gateway's 401
    assert _call(platform, "GET", "/team/v1/conversations")[0] == 401
    assert _call(platform, "GET", "/team/v1/conversations", DEMO_API_KEY) == (401, {"message": "Unauthorized"})
    assert _call(platform, "GET", "/team/v1/conversations", forged)[0] == 401
    # And a /v1 route (machine clients) still wants an API key: the Lambda authorizer refuses a token
    assert _call(platform, "GET", "/v1/conversations", owner)[0] == 403
    assert _call(platform, "GET", "/v1/conversations", DEMO_API_KEY)[0] == 200


def test_a_wrong_method_or_path_under_team_is_bizlines_405_or_404(platform, owner):
    status, body = _call(platform, "PUT", "/team/v1/api-keys", owner)
    assert status == 405
    assert body["error"]["code"] == "method_not_allowed"
    assert _call(platform, "GET", "/team/v1/nothing-here", owner)[0] == 404
