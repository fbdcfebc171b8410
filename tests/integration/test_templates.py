"""Message templates: submitted to Meta with the business's own token, their state from Meta's webhooks,
and POST /v1/messages accepting only an approved template with exactly its variables."""

import json

import pytest

from tests.support import (
    add_number,
    approved_template,
    bearer,
    json_headers,
    meta_app_secret,
    post_and_ingest,
    post_json,
    queue_bodies,
    sign_up,
    template_webhook,
)

NUMBER = "1098765432"
WEEKLY = {
    "name": "weekly_offer",
    "language": "de",
    "category": "marketing",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Hallo {{first_name}}!",
         "example": {"header_text_named_params": [{"param_name": "first_name", "example": "Anna"}]}},
        {"type": "BODY", "text": "Diese Woche: {{offer}} um {{price}}.",
         "example": {"body_text_named_params": [
             {"param_name": "offer", "example": "Kipferl"}, {"param_name": "price", "example": "1 Euro"}]}},
        {"type": "FOOTER", "text": "Abmelden mit STOP"},
    ],
}  # fmt: skip


@pytest.fixture
def bakery(api, aws):
    business, key = sign_up(api)
    add_number(api, key, NUMBER)
    return {"business": business, "key": key}


def _sandbox():
    from bizline.adapters.providers import get_provider

    return get_provider()


def _send_template(api, key, components, name="weekly_offer"):
    body = {
        "from_phone_number_id": NUMBER,
        "to": {"wa_id": "436609999999"},
        "type": "template",
        "template": {"name": name, "language": {"code": "de"}, "components": components},
    }
    return api.request("POST", "/v1/messages", headers=json_headers(key), body=json.dumps(body))


NAMED_VALUES = [
    {"type": "header", "parameters": [{"type": "text", "parameter_name": "first_name", "text": "Anna"}]},
    {
        "type": "body",
        "parameters": [
            {"type": "text", "parameter_name": "offer", "text": "Krapfen"},
            {"type": "text", "parameter_name": "price", "text": "2 Euro"},
        ],
    },
]


def test_a_template_is_submitted_to_meta_with_the_business_token_and_starts_pending(api, aws, bakery):
    # Given the bakery with one connected WhatsApp Business Account (at the sandbox, Meta's stand-in)
    # When it submits a marketing template with named variables
    response = post_json(api, "/v1/templates", WEEKLY, bakery["key"])
    # Then Meta received it under the bakery's account, and bizline keeps it as PENDING with its variables
    assert response.status == 201, response.body
    created = response.json()
    assert (created["status"], created["category"], created["parameter_format"]) == ("PENDING", "MARKETING", "named")
    assert created["variables"] == {"header": ["first_name"], "body": ["offer", "price"]}
    account = _sandbox().accounts.accounts[created["waba_id"]]
    submitted = account.templates[created["template_id"]]
    assert (submitted["name"], submitted["category"], submitted["parameter_format"]) == (
        "weekly_offer",
        "MARKETING",
        "NAMED",
    )
    listed = api.request("GET", "/v1/templates", headers=bearer(bakery["key"])).json()["items"]
    assert [item["template_id"] for item in listed] == [created["template_id"]]


def test_the_state_follows_metas_webhooks_approved_then_paused_then_rejected_with_reason(api, aws, bakery):
    # Given a submitted template
    created = post_json(api, "/v1/templates", WEEKLY, bakery["key"]).json()
    secret = meta_app_secret(aws)
    path = f"/v1/templates/{created['template_id']}"
    for event, reason in (("APPROVED", "NONE"), ("PAUSED", "NONE"), ("REJECTED", "INCORRECT_CATEGORY")):
        # When Meta reports a new state
        payload = template_webhook(created["waba_id"], created["template_id"], "weekly_offer", "de", event, reason)
        assert post_and_ingest(api, payload, secret).status == 200
        # Then the template shows it (with the reason)
        shown = api.request("GET", path, headers=bearer(bakery["key"])).json()
        assert (shown["status"], shown["reason"]) == (event, reason)
        assert shown["components"][1]["text"] == "Diese Woche: {{offer}} um {{price}}."


@pytest.mark.parametrize(
    ("components", "field"),
    [
        ([{"type": "BODY", "text": "Hallo {{1}} und {{3}}", "example": {"body_text": [["a", "b"]]}}], "body.text"),
        ([{"type": "BODY", "text": "Hallo {{1}} {{name}}", "example": {"body_text": [["a", "b"]]}}], "components"),
        ([{"type": "BODY", "text": "Hallo {{1}} und {{2}}", "example": {"body_text": [["Anna"]]}}], "body.example"),
        ([{"type": "BODY", "text": "Hallo {{Name}}"}], "body.text"),
    ],
)
def test_a_template_with_gaps_mixed_or_unexplained_variables_is_refused_before_meta_sees_it(
    api, bakery, components, field
):
    # When the bakery submits a template whose variables Meta would refuse
    body = {"name": "bad_one", "language": "de", "category": "utility", "components": components}
    response = post_json(api, "/v1/templates", body, bakery["key"])
    # Then it is a 422 naming the part, and nothing reached Meta
    assert response.status == 422, response.body
    assert response.json()["error"]["details"][0]["field"].endswith(field)
    assert all(not account.templates for account in _sandbox().accounts.accounts.values())


def test_without_a_connected_account_a_template_cannot_be_submitted(api):
    # Given a business that connected no WhatsApp Business Account
    _, key = sign_up(api)
    # When it submits a template
    response = post_json(api, "/v1/templates", WEEKLY, key)
    # Then it is told to connect one
    assert response.status == 422
    assert response.json()["error"]["code"] == "whatsapp_account_needed"


def test_only_an_approved_template_is_sent_and_its_variables_must_match(api, aws, bakery):
    # Given the bakery's template, still pending
    created = post_json(api, "/v1/templates", WEEKLY, bakery["key"]).json()
    # When it sends it before Meta approved it: refused
    pending = _send_template(api, bakery["key"], NAMED_VALUES)
    assert (pending.status, pending.json()["error"]["code"]) == (422, "template_not_approved")
    # Given Meta approves it
    payload = template_webhook(created["waba_id"], created["template_id"], "weekly_offer", "de", "APPROVED")
    assert post_and_ingest(api, payload, meta_app_secret(aws)).status == 200
    # When a send leaves out {{price}} and adds {{colour}}: a 422 naming both
    wrong = [
        NAMED_VALUES[0],
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": "offer", "text": "Krapfen"},
                {"type": "text", "parameter_name": "colour", "text": "rot"},
            ],
        },
    ]
    refused = _send_template(api, bakery["key"], wrong)
    assert refused.status == 422
    message = refused.json()["error"]["message"]
    assert "missing body.{{price}}" in message
    assert "extra body.{{colour}}" in message
    assert queue_bodies(aws, "SendQueue") == []
    # When the send fills exactly its variables: accepted and queued
    accepted = _send_template(api, bakery["key"], NAMED_VALUES)
    assert accepted.status == 202, accepted.body
    assert len(queue_bodies(aws, "SendQueue")) == 1


def test_an_unknown_template_name_is_refused(api, bakery):
    response = _send_template(api, bakery["key"], [], name="never_made")
    assert (response.status, response.json()["error"]["code"]) == (422, "template_not_found")


def test_delete_removes_the_template_at_meta_and_here(api, aws, bakery):
    # Given an approved template
    template = approved_template(api, aws, bakery["key"], WEEKLY)
    # When the bakery deletes it
    deleted = api.request("DELETE", f"/v1/templates/{template['template_id']}", headers=bearer(bakery["key"]))
    # Then Meta no longer has it, and neither has bizline
    assert deleted.status == 204
    assert template["template_id"] not in _sandbox().accounts.accounts[template["waba_id"]].templates
    gone = api.request("GET", f"/v1/templates/{template['template_id']}", headers=bearer(bakery["key"]))
    assert gone.status == 404


def test_another_business_template_is_not_found(api, aws, bakery):
    # Given the bakery's template, and another business
    template = approved_template(api, aws, bakery["key"], WEEKLY)
    _, other_key = sign_up(api, display_name="Konditorei Probe")
    path = f"/v1/templates/{template['template_id']}"
    # When the other business reads or deletes it: 404, and the template stays
    assert api.request("GET", path, headers=bearer(other_key)).status == 404
    assert api.request("DELETE", path, headers=bearer(other_key)).status == 404
    assert api.request("GET", "/v1/templates", headers=bearer(other_key)).json()["items"] == []
    assert api.request("GET", path, headers=bearer(bakery["key"])).status == 200
