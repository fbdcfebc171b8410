"""The local HTTP API answers as API Gateway does, at the edges a newcomer's client reaches first."""

import hashlib
import http.client
import io
import json
import threading
from datetime import UTC, datetime

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local import sigv4
from local.platform import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, LocalPlatform
from local.template import ACCOUNT_ID, REGION

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def _raw(platform, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(platform.host, platform.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_a_non_utf8_body_with_a_json_content_type_is_passed_on_base64_encoded(platform):
    # Given bytes that are not UTF-8, labelled as JSON
    body = b'{"object": "whatsapp_business_account", "x": "\xff\xfe\xfa"}'
    # When they are posted to the webhook
    status, headers, answer = _raw(platform, "POST", "/webhooks/whatsapp", body, {"content-type": "application/json"})
    # Then the connection is not dropped: the handler answers a JSON client error (the signature is missing)
    assert 400 <= status < 500
    assert headers["content-type"].startswith("application/json")
    assert json.loads(answer)


def test_the_v2_event_carries_non_utf8_bodies_base64_encoded():
    from local.apigw import http_api_event

    event = http_api_event("POST", "/x", body=b"\xff\x00", headers={"content-type": "application/json"})
    assert event["isBase64Encoded"] is True
    assert event["body"] == "/wA="


def test_trace_and_unknown_methods_answer_json_never_html(platform):
    for method in ("TRACE", "CONNECT", "PROPFIND"):
        # When a method no route declares is used outside bizline's prefixes
        status, headers, answer = _raw(platform, method, "/health")
        # Then API Gateway's JSON 404 comes back, not an HTML 501
        assert (status, json.loads(answer)) == (404, {"message": "Not Found"}), method
        assert headers["content-type"] == "application/json"
        # And under /v1 the catch-all route answers bizline's 405, naming the methods the path serves
        status, headers, answer = _raw(platform, method, "/v1/health")
        assert (status, json.loads(answer)["error"]["code"]) == (405, "method_not_allowed"), method
        assert headers["allow"] == "GET"


def _burst(platform, connections: int) -> list[object]:
    """`connections` clients connecting at the same moment, each asking for /v1/health."""
    outcomes: list[object] = []
    lock = threading.Lock()
    start = threading.Barrier(connections)

    def client() -> None:
        start.wait()
        try:
            status, _, _ = _raw(platform, "GET", "/v1/health")
        except OSError as error:
            status = repr(error)
        with lock:
            outcomes.append(status)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_a_burst_of_connections_is_served_without_resets_or_errors():
    # Given a freshly started platform (cold handlers, as after `make run`)
    with LocalPlatform(port=0, log_out=io.StringIO(), seed_demo=False) as fresh:
        for _ in range(2):
            # When 40 connections arrive at once
            outcomes = _burst(fresh, 40)
            # Then every one is answered 200: none reset, none a 500 from two requests sharing a handler's state
            assert outcomes == [200] * 40


def _signed(method, url, body, *, service="execute-api", region=REGION, headers=None):
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY), service, region).add_auth(request)
    # The client's HTTP stack adds Host, which the signature covers
    return {**dict(request.headers.items()), "host": "127.0.0.1:3000"}


def _verify(method, url, headers, body):
    return sigv4.verify(method, url, headers, body, LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, ACCOUNT_ID, datetime.now(UTC))


def test_sigv4_accepts_a_request_signed_for_execute_api_in_the_region():
    url = "http://127.0.0.1:3000/admin/verification-requests?state=submitted"
    assert _verify("GET", url, _signed("GET", url, b""), b"") is not None


def test_sigv4_binds_service_region_and_payload():
    url = "http://127.0.0.1:3000/admin/businesses/biz_1/badge/revoke"
    body = b'{"reason": "fraud"}'
    # A signature made for another service or another region is refused, as API Gateway refuses it
    assert _verify("POST", url, _signed("POST", url, body, service="s3"), body) is None
    assert _verify("POST", url, _signed("POST", url, body, region="us-east-1"), body) is None
    # A signed payload hash that is not the body's is refused
    other = hashlib.sha256(b"something else").hexdigest()
    forged = _signed("POST", url, body, headers={"x-amz-content-sha256": other})
    assert _verify("POST", url, forged, body) is None
    # While a payload hash that is the body's is accepted
    honest = _signed("POST", url, body, headers={"x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
    assert _verify("POST", url, honest, body) is not None
    # And an unsigned payload is refused: API Gateway signs bodies
    unsigned = _signed("POST", url, body, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    assert _verify("POST", url, unsigned, body) is None
