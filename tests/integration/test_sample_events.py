"""Every sample event under events/ runs against its handler as `sam local invoke -e` would."""

import json
from pathlib import Path

import pytest
from bizline.adapters.tables import ApiKeyRecord

from local.demo import DEMO_BUSINESS_ID, DEMO_SPARE_KEY_ID, seed_demo_business, seed_demo_meta_secret, seed_event_member
from local.lambda_runtime import invoke
from local.template import PROJECT_ROOT, functions

EVENTS = PROJECT_ROOT / "events"
SPECS = {spec.handler.split(".")[0]: spec for spec in functions().values()}

EXPECTED_STATUS = {
    "business_api/sign_up.json": 201,
    "business_api/get_own_business.json": 200,
    "business_api/update_own_business.json": 200,
    "business_api/create_api_key.json": 201,
    "business_api/list_api_keys.json": 200,
    "business_api/revoke_api_key.json": 204,
    "business_api/health.json": 200,
    "business_api/openapi.json": 200,
    "business_api/add_phone_number.json": 201,
    "business_api/list_phone_numbers.json": 200,
    "business_api/remove_phone_number.json": 204,
    "business_api/rotate_webhook_secret.json": 201,
    "business_api/wrong_method.json": 405,  # PUT /v1/api-keys through the catch-all route
    "business_api/connect_whatsapp_account.json": 200,
    "business_api/list_whatsapp_accounts.json": 200,
    "business_api/list_whatsapp_account_phone_numbers.json": 200,
    "business_api/rotate_whatsapp_account_token.json": 200,
    "business_api/disconnect_whatsapp_account.json": 204,
    "messaging_api/send_message.json": 202,
    "messaging_api/list_conversations.json": 200,
    "messaging_api/list_conversation_messages.json": 200,
    "messaging_api/mark_conversation_read.json": 200,
    "messaging_api/assign_conversation.json": 200,
    "messaging_api/list_deliveries.json": 200,
    "messaging_api/retry_delivery.json": 404,
    "newsletters_api/create_template.json": 201,
    "newsletters_api/list_templates.json": 200,
    "newsletters_api/get_template.json": 404,  # names a template the demo bakery does not have
    "newsletters_api/delete_template.json": 404,
    "newsletters_api/subscribe.json": 201,
    "newsletters_api/subscribe_batch.json": 200,
    "newsletters_api/list_subscribers.json": 200,
    "newsletters_api/get_subscriber.json": 404,  # names a subscriber the demo bakery does not have
    "newsletters_api/update_subscriber.json": 404,
    "newsletters_api/unsubscribe.json": 404,
    "newsletters_api/get_consent_keywords.json": 200,
    "newsletters_api/set_consent_keywords.json": 200,
    "newsletters_api/create_newsletter.json": 422,  # the demo bakery has no approved weekly_offer template
    "newsletters_api/list_newsletters.json": 200,
    "newsletters_api/get_newsletter.json": 404,  # names a newsletter the demo bakery does not have
    "newsletters_api/delete_newsletter.json": 404,
    "newsletters_api/reschedule_newsletter.json": 404,
    "newsletters_api/cancel_newsletter.json": 404,
    "newsletters_api/send_newsletter_now.json": 404,
    "newsletters_api/get_messaging_limit.json": 200,
    "newsletters_api/set_messaging_limit.json": 200,
    "whatsapp_webhook/handshake.json": 200,
    "whatsapp_webhook/notification.json": 200,
    "verification_api/submit.json": 201,
    "verification_api/list.json": 200,
    "verification_api/get.json": 404,  # names a request the demo bakery does not have
    "verification_api/withdraw.json": 404,
    "verification_api/request_document_upload.json": 404,
    "verification_api/attach_document.json": 404,
    "verification_admin/list.json": 200,
    "verification_admin/get.json": 404,
    "verification_admin/claim.json": 404,
    "verification_admin/decide.json": 404,
    "verification_admin/audit.json": 404,
    "verification_admin/revoke_badge.json": 409,  # the demo bakery carries no badge yet
    "public_verification/lookup.json": 200,
    "billing_api/get_usage.json": 200,
    "billing_api/admin_usage.json": 200,
    "billing_api/admin_list_rate_cards.json": 200,
    "billing_api/admin_publish_rate_card.json": 201,
    "billing_api/list_invoices.json": 200,
    "billing_api/get_invoice.json": 404,  # October is not closed on a fresh platform
    "billing_api/get_invoice_csv.json": 404,  # nor are its files there
    "billing_api/get_invoice_pdf.json": 404,
    "billing_api/admin_close_month.json": 200,
    # The console's twins (/team/...): a team member's ID token claims instead of an API key.
    "business_api/invite_member.json": 201,
    "business_api/list_members.json": 200,
    "business_api/remove_member.json": 404,  # names a member the demo bakery does not have
    "business_api/team_invite_member.json": 201,
    "business_api/team_list_members.json": 200,
    "business_api/team_remove_member.json": 404,
    "business_api/team_get_own_business.json": 200,
    "business_api/team_update_own_business.json": 200,
    "business_api/team_create_api_key.json": 201,
    "business_api/team_list_api_keys.json": 200,
    "business_api/team_list_api_keys_as_agent.json": 403,  # an agent may not see the keys
    "business_api/team_revoke_api_key.json": 204,
    "business_api/team_rotate_webhook_secret.json": 201,
    "messaging_api/team_send_message.json": 202,
    "messaging_api/team_list_conversations.json": 200,
    "messaging_api/team_list_conversation_messages.json": 200,
    "messaging_api/team_mark_conversation_read.json": 200,
    "messaging_api/team_assign_conversation.json": 200,
    "messaging_api/team_list_deliveries.json": 200,
    "messaging_api/team_retry_delivery.json": 404,
    "newsletters_api/team_list_templates.json": 200,
    "newsletters_api/team_list_subscribers.json": 200,
    "verification_api/team_submit.json": 201,
    "verification_api/team_list.json": 200,
    "verification_api/team_get.json": 404,
    "verification_api/team_withdraw.json": 404,
    "verification_api/team_request_document_upload.json": 404,
    "verification_api/team_attach_document.json": 404,
    "business_api/team_list_whatsapp_accounts.json": 200,
    "business_api/team_connect_whatsapp_account.json": 200,
    "business_api/team_list_whatsapp_account_phone_numbers.json": 200,
    "business_api/team_list_phone_numbers.json": 200,
    "business_api/team_add_phone_number.json": 201,
    "newsletters_api/team_subscribe_batch.json": 200,
    "newsletters_api/team_create_newsletter.json": 422,  # no approved weekly_offer template, as above
    "newsletters_api/team_list_newsletters.json": 200,  # as an agent: every member reads newsletters
    "newsletters_api/team_get_newsletter.json": 404,
    "newsletters_api/team_delete_newsletter.json": 404,
    "newsletters_api/team_cancel_newsletter.json": 404,
    "newsletters_api/team_send_newsletter_now.json": 404,
    "billing_api/team_get_usage.json": 200,
    "billing_api/team_list_invoices.json": 200,
    "billing_api/team_get_invoice_csv.json": 404,
    "billing_api/team_get_invoice_pdf.json": 404,
}
EXPECTED_AUTHORIZATION = {"authorizer/allow.json": True, "authorizer/deny.json": False}
# Queue consumers: how many records of the sample batch come back as failed (to be retried).
EXPECTED_BATCH_FAILURES = {
    "status_updates/read.json": 1,  # the status names a message not sent yet: retried later
    "callback_delivery/delivery.json": 0,
    "message_sender/send.json": 0,
    "newsletter_dispatcher/next_page.json": 0,  # names a newsletter the demo bakery does not have
    "whatsapp_ingest/envelope.json": 0,
    "whatsapp_ingest/repeated_and_unreadable.json": 0,  # the body that is no envelope is kept, not retried
}


# Stream consumers: the records of the sample batch they report as failed (to be retried).
EXPECTED_STREAM_RESULTS = {
    "verification_events/approved.json": {"batchItemFailures": []},
    "metering/submitted_and_priced.json": {"batchItemFailures": []},
}

# Scheduled functions: what the run answers (the monthly close of a month with no usage freezes nothing).
EXPECTED_SCHEDULED_RESULTS = {
    "monthly_close/close_october.json": {"month": "2026-10", "closed": 0, "already_closed": 0},
    # A newsletter's EventBridge schedule firing for a newsletter the demo bakery does not have.
    "newsletter_dispatcher/scheduled_firing.json": {"outcome": "no such newsletter"},
}


def test_every_sample_event_has_an_expectation():
    found = {str(path.relative_to(EVENTS)) for path in EVENTS.glob("*/*.json")}
    expected = set(EXPECTED_STATUS) | set(EXPECTED_AUTHORIZATION) | set(EXPECTED_BATCH_FAILURES)
    assert found == expected | set(EXPECTED_STREAM_RESULTS) | set(EXPECTED_SCHEDULED_RESULTS)


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_http_sample_events_answer_as_expected(aws, name):
    # Given the demo bakery the sample events act for, the team member a console event names, and the
    # local Meta app secret
    seed_demo_business()
    seed_demo_meta_secret(aws["secretsmanager"])
    event = json.loads((EVENTS / name).read_text())
    seed_event_member(event)
    # When the event is invoked on its function
    response = invoke(SPECS[Path(name).parent.name], event)
    # Then it answers the expected status with a JSON body where there is one
    assert response["statusCode"] == EXPECTED_STATUS[name], response.get("body")
    if response.get("body"):
        json.loads(response["body"])


def test_the_sample_revoke_revokes_the_spare_key(aws):
    seed_demo_business()
    event = json.loads((EVENTS / "business_api/revoke_api_key.json").read_text())
    invoke(SPECS["business_api"], event)
    keys = {key.key_id: key for key in ApiKeyRecord.by_business.query(DEMO_BUSINESS_ID)}
    assert keys[DEMO_SPARE_KEY_ID].revoked_at is not None


@pytest.mark.parametrize("name", sorted(EXPECTED_AUTHORIZATION))
def test_authorizer_sample_events(aws, name):
    seed_demo_business()
    event = json.loads((EVENTS / name).read_text())
    response = invoke(SPECS["authorizer"], event)
    assert response["isAuthorized"] is EXPECTED_AUTHORIZATION[name]
    if response["isAuthorized"]:
        assert response["context"]["business_id"] == DEMO_BUSINESS_ID


@pytest.mark.parametrize("name", sorted(EXPECTED_BATCH_FAILURES))
def test_queue_sample_events(aws, name):
    seed_demo_business()
    event = json.loads((EVENTS / name).read_text())
    response = invoke(SPECS[Path(name).parent.name], event)
    assert len(response["batchItemFailures"]) == EXPECTED_BATCH_FAILURES[name]


def test_the_sample_ingest_batch_stores_once_and_keeps_what_it_cannot_read(aws):
    # Given the demo bakery, and a batch with one envelope twice and a body that is no envelope
    seed_demo_business()
    event = json.loads((EVENTS / "whatsapp_ingest/repeated_and_unreadable.json").read_text())
    # When the ingest consumer gets it
    assert invoke(SPECS["whatsapp_ingest"], event) == {"batchItemFailures": []}
    # Then the customer's message is stored and called back once, and the odd body is kept with its reason
    wamid = "wamid.HBgLNDM2NjAxMjM0NTY3FQIAEhggQjE="
    messages = aws["dynamodb"].scan(TableName="MessagesTable")["Items"]
    assert [m["business_id"]["S"] for m in messages if m["message_id"]["S"] == wamid] == [DEMO_BUSINESS_ID]
    stored_deliveries = aws["dynamodb"].scan(TableName="DeliveriesTable")["Items"]
    deliveries = [json.loads(item["payload"]["S"]) for item in stored_deliveries]
    assert [d["data"]["message"]["message_id"] for d in deliveries if d["type"] == "message.received"] == [wamid]
    (kept,) = aws["dynamodb"].scan(TableName="UnroutedWebhooksTable")["Items"]
    assert kept["phone_number_id"]["S"] == "ingest"
    assert "not a WhatsApp webhook envelope" in json.loads(kept["payload"]["S"])["reason"]


@pytest.mark.parametrize("name", sorted(EXPECTED_STREAM_RESULTS))
def test_stream_sample_events(aws, name):
    seed_demo_business()
    event = json.loads((EVENTS / name).read_text())
    assert invoke(SPECS[Path(name).parent.name], event) == EXPECTED_STREAM_RESULTS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_SCHEDULED_RESULTS))
def test_scheduled_sample_events(aws, name):
    seed_demo_business()
    event = json.loads((EVENTS / name).read_text())
    assert invoke(SPECS[Path(name).parent.name], event) == EXPECTED_SCHEDULED_RESULTS[name]
