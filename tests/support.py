"""Helpers shared by the tests: sign-ups, headers, raw table reads, Meta webhooks, queues."""

import json
from typing import Any

from local import meta_envelopes
from local.gateway import GatewayResponse, HttpApiGateway

M = 1_000_000
BAKERY_SIZE = {"employees": 4, "annual_turnover_eur": 350_000, "balance_sheet_total_eur": 120_000}
BANK_SIZE = {"employees": 12_000, "annual_turnover_eur": 4_000 * M, "balance_sheet_total_eur": 90_000 * M}


def sign_up_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "display_name": "Bäckerei Huber",
        "legal_name": "Bäckerei Huber GmbH",
        "country": "AT",
        "contact_email": "office@baeckerei-huber.example",
        "website": "https://baeckerei-huber.example",
        "size": BAKERY_SIZE,
    }
    body.update(overrides)
    return body


def json_headers(api_key: str | None = None) -> dict[str, str]:
    headers = {"content-type": "application/json"}
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    return headers


def bearer(api_key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {api_key}"}


def post_json(api: HttpApiGateway, path: str, body: Any, api_key: str | None = None) -> GatewayResponse:
    return api.request("POST", path, headers=json_headers(api_key), body=json.dumps(body))


def sign_up(api: HttpApiGateway, **overrides: Any) -> tuple[dict[str, Any], str]:
    """Sign a business up through the API; returns the business and its first API key."""
    response = post_json(api, "/v1/businesses", sign_up_body(**overrides))
    assert response.status == 201, response.body
    created = response.json()
    return created["business"], created["api_key"]["api_key"]


def scan(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=table)["Items"]


def delivery_owner(item: dict[str, Any]) -> str:
    """The business a raw delivery item belongs to: its partition is one of the business's shards."""
    return item["shard"]["S"].rsplit("#", 1)[0]


# -- WhatsApp webhooks: Meta's envelopes (local.meta_envelopes) with the tests' customer and times ----
CUSTOMER_WA_ID = "436601234567"
envelope = meta_envelopes.envelope


def meta_app_secret(aws: dict[str, Any]) -> str:
    secret = aws["secretsmanager"].get_secret_value(SecretId="bizline/meta")["SecretString"]
    return json.loads(secret)["app_secret"]


def text_message(
    wamid: str,
    text: str,
    wa_id: str | None = CUSTOMER_WA_ID,
    user_id: str | None = None,
    timestamp: int = 1_795_000_000,
) -> dict[str, Any]:
    return meta_envelopes.text_message(wamid, text, wa_id, user_id, timestamp)


def contact(wa_id: str | None = CUSTOMER_WA_ID, user_id: str | None = None, name: str = "Anna") -> dict[str, Any]:
    return meta_envelopes.contact(wa_id, user_id, name)


def change(phone_number_id: str, messages=(), statuses=(), contacts=()) -> dict[str, Any]:
    return meta_envelopes.change(phone_number_id, messages, statuses, contacts, display_phone_number="4312345678")


def status(
    wamid: str, state: str, timestamp: int = 1_795_000_100, errors=None, callback_data: str | None = None
) -> dict[str, Any]:
    return meta_envelopes.status(
        wamid, state, timestamp, recipient_id=CUSTOMER_WA_ID, errors=errors, callback_data=callback_data
    )


def post_webhook(api: HttpApiGateway, payload: dict[str, Any] | bytes, secret: str | None, **headers: str):
    from bizline.rules.signatures import meta_signature

    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sent_headers = {"content-type": "application/json", **headers}
    if secret is not None:
        sent_headers["x-hub-signature-256"] = meta_signature(body, secret)
    return api.request("POST", "/webhooks/whatsapp", headers=sent_headers, body=body)


INGEST_QUEUE, INGEST_FUNCTION = "IngestQueue", "WhatsAppIngestFunction"


def ingest() -> list[Any]:
    """Let the ingest consumer act on every envelope the webhook queued (as Lambda's SQS poller would)."""
    return drain(INGEST_QUEUE, INGEST_FUNCTION)


def post_and_ingest(api: HttpApiGateway, payload: dict[str, Any] | bytes, secret: str | None, **headers: str):
    """Post a notification as Meta does, then let the ingest consumer act on what it queued."""
    response = post_webhook(api, payload, secret, **headers)
    results = ingest()
    assert all(result == {"batchItemFailures": []} for result in results), results
    return response


def sandbox_account(phone_number_id: str, display: str, verified_name: str = "Bäckerei Huber GmbH") -> tuple[str, str]:
    """A WhatsApp Business Account at the sandbox (Meta's stand-in) holding one number: its id and token."""
    return sandbox_account_holding({phone_number_id: display}, verified_name)


def sandbox_account_holding(numbers: dict[str, str], verified_name: str = "Bäckerei Huber GmbH") -> tuple[str, str]:
    """A sandbox WhatsApp Business Account holding these numbers (phone number id -> display number).

    Installs the sandbox provider when none is (the `aws` fixture takes it away after the test).
    """
    from bizline.adapters.providers import get_provider, use_provider
    from bizline.models.whatsapp_accounts import MetaPhoneNumber

    from local.sandbox_provider import SANDBOX_ACCOUNTS, SandboxProvider

    if not isinstance(get_provider(), SandboxProvider):
        use_provider(SandboxProvider())
    first = next(iter(numbers))
    waba_id, token = f"3{first}", f"EAAsandbox-test-token-for-{first}"
    held = [MetaPhoneNumber(number_id, display, verified_name) for number_id, display in numbers.items()]
    SANDBOX_ACCOUNTS.register(waba_id, token, held)
    return waba_id, token


def connect_account(api: HttpApiGateway, api_key: str, waba_id: str, token: str) -> GatewayResponse:
    return post_json(api, "/v1/whatsapp-accounts", {"waba_id": waba_id, "access_token": token}, api_key)


def add_number(api: HttpApiGateway, api_key: str, phone_number_id: str = "1098765432", display: str = "+43 1 2345678"):
    """The business connects a sandbox account that holds the number, and picks the number from it."""
    waba_id, token = sandbox_account(phone_number_id, display)
    connected = connect_account(api, api_key, waba_id, token)
    assert connected.status in (200, 201), connected.body
    response = post_json(api, "/v1/phone-numbers", {"phone_number_id": phone_number_id}, api_key)
    assert response.status == 201, response.body
    return response.json()


def queue_bodies(aws: dict[str, Any], queue_name: str) -> list[dict[str, Any]]:
    """Every message waiting on a queue (read and put back), delayed ones excepted."""
    url = aws["sqs"].get_queue_url(QueueName=queue_name)["QueueUrl"]
    found = []
    while True:
        batch = (
            aws["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        )
        new = [message for message in batch if message["MessageId"] not in {m["MessageId"] for m in found}]
        if not new:
            break
        found.extend(new)
    return [json.loads(message["Body"]) for message in found]


def queue_depth(aws: dict[str, Any], queue_name: str) -> dict[str, int]:
    url = aws["sqs"].get_queue_url(QueueName=queue_name)["QueueUrl"]
    attributes = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return {
        "visible": int(attributes["ApproximateNumberOfMessages"]),
        "delayed": int(attributes["ApproximateNumberOfMessagesDelayed"]),
        "in_flight": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    }


def _recording_invoker(events: list[Any] | None = None) -> tuple[list[Any], Any]:
    """An invoker for the local pollers that keeps every result (and, if asked, every event it was handed);
    a failure comes back as in Lambda."""
    from local.lambda_runtime import invoke

    results: list[Any] = []

    def invoker(spec, event, trigger):
        if events is not None:
            events.append(event)
        try:
            result = invoke(spec, event)
        except Exception as error:
            results.append(error)
            return False, error
        results.append(result)
        return True, result

    return results, invoker


def drain(queue_name: str, function: str, rounds: int = 10) -> list[Any]:
    """Run a queue's consumer the way Lambda's SQS poller would, until the queue is empty."""
    import boto3

    from local.event_sources import SqsPoller
    from local.template import event_sources, functions, load_template

    template = load_template()
    specs = functions(template)
    source = next(s for s in event_sources(template, {"SQS"}) if s.function == function)
    results, invoker = _recording_invoker()
    poller = SqsPoller(source, specs[function], boto3.client("sqs", region_name="eu-central-1"), template, invoker)
    for _ in range(rounds):
        if not poller.poll_once():
            break
    return results


# -- verification -------------------------------------------------------------------------------
PDF = b"%PDF-1.7\n% a register extract\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def verification_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "legal_name": "Bäckerei Huber GmbH",
        "registration_number": "FN 123456a",
        "register_name": "Firmenbuch, Handelsgericht Wien",
        "country": "AT",
        "registered_address": "Hauptstraße 1, 1010 Wien",
        "website": "https://baeckerei-huber.example",
        "contact_email": "office@baeckerei-huber.example",
        "size": BAKERY_SIZE,
    }
    body.update(overrides)
    return body


def signed_headers(method: str, path: str, body: bytes = b"", query: str = "", credentials=None) -> dict[str, str]:
    """Headers of a request SigV4-signed as a reviewer (execute-api), as the AWS CLI or SDK would send."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from tests.conftest import REVIEWER_CREDENTIALS

    credentials = credentials or REVIEWER_CREDENTIALS
    url = f"http://localhost{path}" + (f"?{query}" if query else "")
    headers = {"host": "localhost"}
    if body:
        headers["content-type"] = "application/json"
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials(credentials.access_key, credentials.secret_key), "execute-api", "eu-central-1").add_auth(
        request
    )
    return dict(request.headers.items())


def as_reviewer(api: HttpApiGateway, method: str, path: str, body: Any = None, query: str = "") -> GatewayResponse:
    raw = json.dumps(body).encode() if body is not None else b""
    return api.request(method, path, headers=signed_headers(method, path, raw, query), body=raw or None, query=query)


def as_member(
    function: str,
    method: str,
    route: str,
    business_id: str,
    role: str,
    *,
    member_id: str | None = None,
    body: Any = None,
    parameters: dict[str, str] | None = None,
    query: str = "",
    on_the_team: bool = True,
) -> tuple[int, Any]:
    """A console request as API Gateway hands it on once the member's ID token passed the JWT authorizer.

    The member is put on the business's team first, unless `on_the_team` is False (one removed, say).
    """
    from local.apigw import http_api_event
    from local.demo import seed_event_member
    from local.lambda_runtime import invoke
    from local.template import functions

    path = route
    for name, value in (parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    event = http_api_event(
        method,
        path,
        route_path=route,
        body=json.dumps(body) if body is not None else None,
        headers={"authorization": "Bearer id-token", **({"content-type": "application/json"} if body else {})},
        path_parameters=parameters,
        query=query,
    )
    claims = {
        "sub": member_id or f"{role}-sub",
        "email": f"{role}@example.com",
        "custom:business_id": business_id,
        "cognito:groups": f"[{role}]",
        "token_use": "id",
    }
    event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    if on_the_team:
        seed_event_member(event)
    response = invoke(functions()[function], event)
    return response["statusCode"], json.loads(response.get("body") or "null")


def upload_document(
    api: HttpApiGateway, api_key: str, request_id: str, content: bytes = PDF, content_type: str = "application/pdf"
) -> str:
    """Ask for an upload form, POST the file to S3 with it (multipart, as a browser or curl would), attach it."""
    import requests

    form = post_json(
        api,
        f"/v1/verification-requests/{request_id}/documents",
        {"filename": "extract.pdf", "content_type": content_type},
        api_key,
    )
    assert form.status == 201, form.body
    upload = form.json()
    sent = requests.post(
        upload["upload"]["url"], data=upload["upload"]["fields"], files={"file": ("extract", content)}, timeout=10
    )
    assert sent.status_code in (200, 204), sent.text
    attached = api.request(
        "POST",
        f"/v1/verification-requests/{request_id}/documents/{upload['document_id']}/attach",
        headers=bearer(api_key),
    )
    assert attached.status == 200, attached.body
    return upload["document_id"]


def drain_stream(table_logical_id: str, function: str, rounds: int = 5, events: list[Any] | None = None) -> list[Any]:
    """Run a stream's consumer the way Lambda's stream poller would, until nothing new arrives.

    Returns the consumer's answers; `events`, when given, receives each batch it was handed."""
    import boto3

    from local.event_sources import DynamoDbStreamPoller
    from local.template import event_sources, functions, load_template

    template = load_template()
    specs = functions(template)
    # A function may read several streams: the one of `table_logical_id`.
    source = next(
        s
        for s in event_sources(template, {"DynamoDB"})
        if s.function == function and table_logical_id in json.dumps(s.properties.get("Stream"))
    )
    results, invoker = _recording_invoker(events)
    from botocore.config import Config

    # Stream ARNs name the account; botocore would route to an account endpoint moto's mock does not know.
    region = {"region_name": "eu-central-1", "config": Config(account_id_endpoint_mode="disabled")}
    poller = DynamoDbStreamPoller(
        source,
        specs[function],
        boto3.client("dynamodb", **region),
        boto3.client("dynamodbstreams", **region),
        template,
        invoker,
    )
    for _ in range(rounds):
        if not poller.poll_once():
            break
    return results


# -- templates ----------------------------------------------------------------------------------
def template_webhook(waba_id: str, template_id: str, name: str, language: str, event: str, reason: str = "NONE"):
    """Meta's `message_template_status_update` for one template of one account, stamped now."""
    import time

    value = {
        "event": event,
        "message_template_id": int(template_id),
        "message_template_name": name,
        "message_template_language": language,
        "reason": reason,
    }
    payload = envelope({"field": "message_template_status_update", "value": value}, waba_id=waba_id)
    payload["entry"][0]["time"] = int(time.time())
    return payload


def approved_template(api: HttpApiGateway, aws: dict[str, Any], api_key: str, body: dict[str, Any]) -> dict[str, Any]:
    """Submit a template through the API, and have Meta approve it by its signed webhook; returns it approved."""
    created = post_json(api, "/v1/templates", body, api_key)
    assert created.status == 201, created.body
    template = created.json()
    payload = template_webhook(template["waba_id"], template["template_id"], body["name"], body["language"], "APPROVED")
    assert post_and_ingest(api, payload, meta_app_secret(aws)).status == 200
    shown = api.request("GET", f"/v1/templates/{template['template_id']}", headers=bearer(api_key)).json()
    assert shown["status"] == "APPROVED", shown
    return shown
