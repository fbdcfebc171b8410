"""WhatsApp Business Accounts: connected with the business's own token, numbers proven through Meta.

The sandbox provider stands in for Meta (as in the local platform); the Graph API client itself is
driven against a stand-in HTTP server at the end.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support import (
    bearer,
    change,
    connect_account,
    contact,
    drain,
    envelope,
    meta_app_secret,
    post_and_ingest,
    post_json,
    sandbox_account,
    scan,
    sign_up,
    text_message,
)

NUMBER = "1098765432"
DISPLAY = "+43 1 2345678"


def _accounts():
    from local.sandbox_provider import SANDBOX_ACCOUNTS

    return SANDBOX_ACCOUNTS.accounts


def _secret(aws, business_id, waba_id):
    name = f"bizline/dev/waba/{business_id}/{waba_id}"
    return aws["secretsmanager"].get_secret_value(SecretId=name)["SecretString"]


def _waba_secrets(aws):
    listed = aws["secretsmanager"].list_secrets()["SecretList"]
    return sorted(secret["Name"] for secret in listed if "/waba/" in secret["Name"])


def test_connecting_an_account_confirms_it_with_meta_and_keeps_the_token_secret(api, aws):
    # Given a business and the account Embedded Signup handed it
    business, key = sign_up(api)
    waba_id, token = sandbox_account(NUMBER, DISPLAY, verified_name="Bäckerei Huber")
    # When it connects the account
    response = connect_account(api, key, waba_id, token)
    # Then Meta's numbers of the account come back, Meta's webhooks are subscribed, and the token is nowhere but
    # in the account's own secret
    assert response.status == 201, response.body
    answer = response.json()
    assert answer["waba_id"] == waba_id
    assert answer["phone_numbers"] == [
        {
            "phone_number_id": NUMBER,
            "display_phone_number": DISPLAY,
            "verified_name": "Bäckerei Huber",
            "quality_rating": None,
        }
    ]
    assert token not in response.body.decode()
    assert _accounts()[waba_id].subscribed is True
    assert _secret(aws, business["business_id"], waba_id) == token
    (item,) = scan(aws["dynamodb"], "WhatsAppAccountsTable")
    assert token not in json.dumps(item)
    listed = api.request("GET", "/v1/whatsapp-accounts", headers=bearer(key))
    assert [account["waba_id"] for account in listed.json()["items"]] == [waba_id]
    assert token not in listed.body.decode()


@pytest.mark.parametrize("case", ["wrong token", "unknown account"])
def test_an_account_meta_does_not_confirm_is_refused_and_nothing_is_kept(api, aws, case):
    # Given a token that cannot see the account (or an account Meta does not know)
    _, key = sign_up(api)
    waba_id, token = sandbox_account(NUMBER, DISPLAY)
    if case == "wrong token":
        token = "EAAsandbox-a-token-for-some-other-account"
    else:
        waba_id = "999999999999999"
    # When the business connects it
    response = connect_account(api, key, waba_id, token)
    # Then it is a 422 and neither the account nor a secret was written
    assert response.status == 422, response.body
    assert response.json()["error"]["code"] == "whatsapp_account_not_confirmed"
    assert scan(aws["dynamodb"], "WhatsAppAccountsTable") == []
    assert _waba_secrets(aws) == []


@pytest.mark.parametrize(
    "token",
    ["EAAsandbox-tökén-with-umlauts-0000", "EAAsandbox token with spaces 00", "EAA\u202etoken-bidi-override-00"],
)
def test_a_token_that_cannot_be_one_of_metas_is_refused_before_asking_meta(api, aws, token):
    # Given a token with characters no Meta token has
    _, key = sign_up(api)
    waba_id, _ = sandbox_account(NUMBER, DISPLAY)
    # When the business connects with it
    response = connect_account(api, key, waba_id, token)
    # Then it is a 422 naming the token, Meta was never asked to subscribe, and nothing was written
    assert response.status == 422, response.body
    assert response.json()["error"]["details"][0]["field"] == "access_token"
    assert _accounts()[waba_id].subscribed is False
    assert scan(aws["dynamodb"], "WhatsAppAccountsTable") == []
    assert _waba_secrets(aws) == []


def test_adding_a_number_takes_what_meta_reports_not_what_the_business_types(api, aws):
    # Given a connected account whose number Meta reports with its own formatting and name
    _, key = sign_up(api)
    waba_id, token = sandbox_account(NUMBER, "+43 1 234-5678", verified_name="Bäckerei Huber")
    assert connect_account(api, key, waba_id, token).status == 201
    # When the business tries to type a display number, then picks the number by its id
    typed = post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER, "display_phone_number": "+1 555"}, key)
    added = post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER}, key)
    again = post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER, "waba_id": waba_id}, key)
    # Then typing is refused, and the number is stored as Meta reported it, E.164-normalised
    assert typed.status == 422
    assert added.status == 201, added.body
    assert again.status == 200
    assert {key_: added.json()[key_] for key_ in ("phone_number_id", "waba_id", "display_phone_number")} == {
        "phone_number_id": NUMBER,
        "waba_id": waba_id,
        "display_phone_number": "+4312345678",
    }
    assert added.json()["verified_name"] == "Bäckerei Huber"
    (item,) = scan(aws["dynamodb"], "PhoneNumbersTable")
    assert (item["display_phone_number"]["S"], item["waba_id"]["S"]) == ("+4312345678", waba_id)


def test_a_business_cannot_receive_or_send_for_a_number_id_it_cannot_prove(api, aws):
    # Given an attacker who connected its own account, and a real business's number it does not hold
    _, attacker_key = sign_up(api, display_name="Attacker")
    own_waba, own_token = sandbox_account("5550001111", "+43 660 5550001", verified_name="Attacker")
    assert connect_account(api, attacker_key, own_waba, own_token).status == 201
    # When it registers the real business's phone number id first
    taken = post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER}, attacker_key)
    # Then it is refused (its token cannot see that number) and nothing is stored
    assert taken.status == 422, taken.body
    assert taken.json()["error"]["code"] == "phone_number_not_in_account"
    assert scan(aws["dynamodb"], "PhoneNumbersTable") == []
    # And it can send nothing from that id
    reply = post_json(
        api,
        "/v1/messages",
        {"from_phone_number_id": NUMBER, "to": {"wa_id": "436601234567"}, "type": "text", "text": {"body": "Hi"}},
        attacker_key,
    )
    assert reply.status == 404
    # When the real business, which holds the number at Meta, adds it later
    real_business, real_key = sign_up(api)
    waba_id, token = sandbox_account(NUMBER, DISPLAY)
    assert connect_account(api, real_key, waba_id, token).status == 201
    assert post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER}, real_key).status == 201
    # Then the number's customers reach the real business
    message = text_message("wamid.PROVEN1", "Servus")
    assert (
        post_and_ingest(api, envelope(change(NUMBER, [message], contacts=[contact()])), meta_app_secret(aws)).status
        == 200
    )
    (stored,) = scan(aws["dynamodb"], "MessagesTable")
    assert stored["business_id"]["S"] == real_business["business_id"]


def test_sends_use_the_token_of_the_account_the_number_was_proven_through(api, aws):
    from local.sandbox_provider import SandboxProvider

    # Given a business that proved its number, and a customer who wrote to it
    _, key = sign_up(api)
    waba_id, token = sandbox_account(NUMBER, DISPLAY)
    assert connect_account(api, key, waba_id, token).status == 201
    assert post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER}, key).status == 201
    from bizline.adapters.providers import get_provider

    sandbox = get_provider()
    assert isinstance(sandbox, SandboxProvider)
    message = text_message("wamid.IN9", "Hallo", timestamp=int(time.time()))
    post_and_ingest(api, envelope(change(NUMBER, [message], contacts=[contact()])), meta_app_secret(aws))
    body = {"from_phone_number_id": NUMBER, "to": {"wa_id": "436601234567"}, "type": "text", "text": {"body": "Ja"}}
    # When the business replies, and later rotates its token and replies again
    assert post_json(api, "/v1/messages", body, key).status == 202
    drain("SendQueue", "MessageSenderFunction")
    new_token = "EAAsandbox-rotated-token-for-the-bakery"
    _accounts()[waba_id].access_token = new_token
    rotated = api.request(
        "PUT",
        f"/v1/whatsapp-accounts/{waba_id}/access-token",
        headers={**bearer(key), "content-type": "application/json"},
        body=json.dumps({"access_token": new_token}),
    )
    assert rotated.status == 200, rotated.body
    from bizline.caches import reset_caches

    reset_caches()  # another container: nothing cached
    assert post_json(api, "/v1/messages", {**body, "text": {"body": "Nochmal"}}, key).status == 202
    drain("SendQueue", "MessageSenderFunction")
    # Then both went out (the sandbox accepts only the account's current token)
    assert [sent["content"]["text"]["body"] for sent in sandbox.sent] == ["Ja", "Nochmal"]


def test_disconnecting_an_account_removes_its_numbers_and_token(api, aws):
    # Given a business with a connected account and a number from it
    business, key = sign_up(api)
    waba_id, token = sandbox_account(NUMBER, DISPLAY)
    assert connect_account(api, key, waba_id, token).status == 201
    assert post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER}, key).status == 201
    _, other_key = sign_up(api, display_name="Other")
    # When another business tries to disconnect it, then the business does
    assert api.request("DELETE", f"/v1/whatsapp-accounts/{waba_id}", headers=bearer(other_key)).status == 404
    assert api.request("DELETE", f"/v1/whatsapp-accounts/{waba_id}", headers=bearer(key)).status == 204
    # Then the account, its number and its secret are gone; customers of the number are no longer routed to it
    assert scan(aws["dynamodb"], "WhatsAppAccountsTable") == []
    assert scan(aws["dynamodb"], "PhoneNumbersTable") == []
    assert _waba_secrets(aws) == []
    assert api.request("DELETE", f"/v1/whatsapp-accounts/{waba_id}", headers=bearer(key)).status == 404
    message = text_message("wamid.AFTER1", "Hallo?")
    answer = post_and_ingest(api, envelope(change(NUMBER, [message], contacts=[contact()])), meta_app_secret(aws))
    assert answer.status == 200
    assert _kept_unrouted(aws) == ["message#wamid.AFTER1"]
    assert scan(aws["dynamodb"], "MessagesTable") == []
    assert business["business_id"]


def _kept_unrouted(aws):
    return [item["event_key"]["S"] for item in scan(aws["dynamodb"], "UnroutedWebhooksTable")]


# -- Meta's Graph API, spoken over HTTP ------------------------------------------------------------
class _GraphStandIn:
    """graph.facebook.com on 127.0.0.1: two pages of phone numbers and a subscription, recorded."""

    def __init__(self):
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code, answer):
                payload = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                owner.requests.append(("GET", self.path, self.headers.get("authorization")))
                if self.headers.get("authorization") != "Bearer EAAG-business-token-0000000":
                    error = {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}
                    return self._answer(401, {"error": error})
                if "after=PAGE2" in self.path:
                    return self._answer(
                        200,
                        {
                            "data": [
                                {"id": "222", "display_phone_number": "15550783881", "verified_name": "Zweite Filiale"}
                            ]
                        },
                    )
                first = {
                    "id": "111",
                    "display_phone_number": "+43 1 234-5678",
                    "verified_name": "Bäckerei Huber",
                    "quality_rating": "GREEN",
                }
                return self._answer(
                    200, {"data": [first], "paging": {"cursors": {"after": "PAGE2"}, "next": "https://graph/next"}}
                )

            def do_POST(self):
                owner.requests.append(("POST", self.path, self.headers.get("authorization")))
                self._answer(200, {"success": True})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def graph(monkeypatch, aws):
    from bizline.adapters.providers import use_provider
    from bizline.caches import reset_caches

    stand_in = _GraphStandIn()
    monkeypatch.setenv("META_GRAPH_API_URL", stand_in.url)
    use_provider(None)
    reset_caches()
    yield stand_in
    stand_in.server.shutdown()
    reset_caches()


def test_the_graph_api_client_lists_every_page_and_subscribes_with_the_business_token(api, aws, graph):
    # Given Meta's Graph API (a stand-in) that knows the business's token
    _, key = sign_up(api)
    # When the business connects its account with a wrong token, then with its own
    refused = connect_account(api, key, "123456789", "EAAG-someone-elses-token-0000")
    connected = connect_account(api, key, "123456789", "EAAG-business-token-0000000")
    # Then Meta's refusal is a 422, and the right token lists both pages and subscribes the app
    assert refused.status == 422
    assert connected.status == 201, connected.body
    assert [(n["phone_number_id"], n["display_phone_number"]) for n in connected.json()["phone_numbers"]] == [
        ("111", "+43 1 234-5678"),
        ("222", "15550783881"),
    ]
    fields = "fields=id%2Cdisplay_phone_number%2Cverified_name%2Cquality_rating"
    assert graph.requests[1:] == [
        ("GET", f"/v21.0/123456789/phone_numbers?{fields}", "Bearer EAAG-business-token-0000000"),
        ("GET", f"/v21.0/123456789/phone_numbers?{fields}&after=PAGE2", "Bearer EAAG-business-token-0000000"),
        ("POST", "/v21.0/123456789/subscribed_apps", "Bearer EAAG-business-token-0000000"),
    ]
    # And the number added from it is stored as E.164
    added = post_json(api, "/v1/phone-numbers", {"phone_number_id": "222"}, key)
    assert added.status == 201, added.body
    assert added.json()["display_phone_number"] == "+15550783881"


def test_a_number_typed_in_before_accounts_existed_proves_nothing(api, aws):
    # Given a number an attacker registered by typing it, before accounts were connected (no waba_id)
    attacker, attacker_key = sign_up(api, display_name="Attacker")
    aws["dynamodb"].put_item(
        TableName=next(t for t in aws["dynamodb"].list_tables()["TableNames"] if "PhoneNumbers" in t),
        Item={
            "phone_number_id": {"S": NUMBER},
            "business_id": {"S": attacker["business_id"]},
            "display_phone_number": {"S": "+4312345678"},
            "created_at": {"S": "2026-01-01T00:00:00Z"},
        },
    )
    # When a customer writes to the number, and the attacker sends from it
    message = text_message("wamid.LEGACY1", "Hallo")
    routed = post_and_ingest(api, envelope(change(NUMBER, [message], contacts=[contact()])), meta_app_secret(aws))
    reply = post_json(
        api,
        "/v1/messages",
        {"from_phone_number_id": NUMBER, "to": {"wa_id": "436601234567"}, "type": "text", "text": {"body": "Hi"}},
        attacker_key,
    )
    # Then the message reaches nobody and the send is refused
    assert routed.status == 200
    assert _kept_unrouted(aws) == ["message#wamid.LEGACY1"]
    assert reply.status == 404
    # When the business that holds the number at Meta adds it
    owner, owner_key = sign_up(api)
    waba_id, token = sandbox_account(NUMBER, DISPLAY)
    assert connect_account(api, owner_key, waba_id, token).status == 201
    added = post_json(api, "/v1/phone-numbers", {"phone_number_id": NUMBER}, owner_key)
    # Then the proven number replaces the typed one
    assert added.status == 201, added.body
    (item,) = scan(aws["dynamodb"], "PhoneNumbersTable")
    assert (item["business_id"]["S"], item["waba_id"]["S"]) == (owner["business_id"], waba_id)


def test_only_the_business_rotates_its_token_only_to_one_meta_confirms_and_no_token_is_logged(api, aws, capsys):
    # Given a business with a connected account, and another business
    business, key = sign_up(api)
    waba_id, token = sandbox_account(NUMBER, DISPLAY)
    assert connect_account(api, key, waba_id, token).status == 201
    _, other_key = sign_up(api, display_name="Other")

    def rotate(api_key, new_token):
        return api.request(
            "PUT",
            f"/v1/whatsapp-accounts/{waba_id}/access-token",
            headers={**bearer(api_key), "content-type": "application/json"},
            body=json.dumps({"access_token": new_token}),
        )

    # When the other business rotates it, or lists its numbers, and the business rotates to a token Meta refuses
    foreign = rotate(other_key, token)
    foreign_numbers = api.request("GET", f"/v1/whatsapp-accounts/{waba_id}/phone-numbers", headers=bearer(other_key))
    refused = rotate(key, "EAAsandbox-a-token-meta-does-not-know")
    # Then the others get 404, the refused token is a 422, and the stored token is still the confirmed one
    assert foreign.status == foreign_numbers.status == 404
    assert refused.status == 422
    assert _secret(aws, business["business_id"], waba_id) == token
    own_numbers = api.request("GET", f"/v1/whatsapp-accounts/{waba_id}/phone-numbers", headers=bearer(key))
    assert [n["phone_number_id"] for n in own_numbers.json()["phone_numbers"]] == [NUMBER]
    # And no token reached the logs
    captured = capsys.readouterr()
    assert token not in captured.out + captured.err
    assert "EAAsandbox-a-token-meta-does-not-know" not in captured.out + captured.err
