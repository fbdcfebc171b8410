"""Reviewers sign in to the console and sign /admin calls with Cognito identity pool credentials, never a key.

Against the local platform: moto's Cognito issues the ID token, the platform answers the identity
pool's GetId and GetCredentialsForIdentity from the template's role mapping, and the gateway checks
the SigV4 signature, the session token and the role's execute-api:Invoke grants as IAM would.
"""

import json
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local.demo import (
    DEMO_AGENT_EMAIL,
    DEMO_AGENT_PASSWORD,
    DEMO_BUSINESS_ID,
    DEMO_OWNER_EMAIL,
    DEMO_OWNER_PASSWORD,
    DEMO_REVIEWER_EMAIL,
    DEMO_REVIEWER_PASSWORD,
    seed_demo_verification_request,
)
from local.identity_pool import IDENTITY_PATH
from local.template import REGION
from tests.local.console_sign_in import console_id_token

pytestmark = pytest.mark.slow  # starts a local platform


def _identity_call(platform, action, body):
    """Cognito's identity JSON API, as the console's browser calls it (config.json names the endpoint)."""
    config = json.loads(urllib.request.urlopen(f"{platform.api_url}/console/config.json", timeout=10).read())
    endpoint = config["cognito"]["identityEndpoint"]
    assert endpoint == IDENTITY_PATH
    request = urllib.request.Request(
        platform.api_url + endpoint,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": f"AWSCognitoIdentityService.{action}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _logins(platform, token):
    return {f"cognito-idp.{REGION}.amazonaws.com/{platform.console_config.user_pool_id}": token}


def _credentials(platform, email, password):
    """The console's two calls: GetId, then GetCredentialsForIdentity, with the member's ID token."""
    token = console_id_token(platform, email, password)
    pool_id = platform.console_config.identity_pool_id
    logins = _logins(platform, token)
    status, identity = _identity_call(platform, "GetId", {"IdentityPoolId": pool_id, "Logins": logins})
    assert status == 200, identity
    return _identity_call(
        platform,
        "GetCredentialsForIdentity",
        {"IdentityId": identity["IdentityId"], "Logins": _logins(platform, token)},
    )


def _signed(platform, method, path, credentials, body=None, drop=()):
    url = platform.api_url + path
    data = json.dumps(body).encode() if body is not None else b""
    request = AWSRequest(method=method, url=url, data=data, headers={"content-type": "application/json"})
    SigV4Auth(credentials, "execute-api", REGION).add_auth(request)
    headers = {name: value for name, value in request.headers.items() if name.lower() not in drop}
    sent = urllib.request.Request(url, data=data or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def reviewer(platform):
    status, answer = _credentials(platform, DEMO_REVIEWER_EMAIL, DEMO_REVIEWER_PASSWORD)
    assert status == 200, answer
    issued = answer["Credentials"]
    return answer["IdentityId"], Credentials(issued["AccessKeyId"], issued["SecretKey"], issued["SessionToken"])


def test_a_reviewer_gets_short_lived_credentials_that_work_the_queue(platform, reviewer):
    identity_id, credentials = reviewer
    # Given the demo bakery's submitted request and a reviewer's identity pool credentials
    seed_demo_verification_request()
    assert credentials.access_key.startswith("ASIA")
    # When the reviewer reads the queue, claims the request and reads its audit trail, signing each call
    status, queue = _signed(platform, "GET", "/admin/verification-requests?state=submitted", credentials)
    assert status == 200, queue
    request_id = next(item["request_id"] for item in queue["items"] if item["business_id"] == DEMO_BUSINESS_ID)
    status, claimed = _signed(platform, "POST", f"/admin/verification-requests/{request_id}/claim", credentials)
    # Then the claim is the reviewer's: the role's session and the person's Cognito identity
    assert status == 200, claimed
    assert claimed["state"] == "in_review"
    assert claimed["claimed_by"].startswith("arn:aws:sts::")
    assert claimed["claimed_by"].endswith(f"({identity_id})")
    status, trail = _signed(platform, "GET", f"/admin/verification-requests/{request_id}/audit", credentials)
    assert status == 200
    assert trail["entries"][-1]["actor"] == claimed["claimed_by"]


def test_a_reviewers_credentials_reach_only_the_verification_review_routes(platform, reviewer):
    _, credentials = reviewer
    # When the reviewer's credentials sign routes the role was not granted
    revoke = _signed(
        platform, "POST", f"/admin/businesses/{DEMO_BUSINESS_ID}/badge/revoke", credentials, {"reason": "nope"}
    )
    usage = _signed(platform, "GET", "/admin/usage", credentials)
    # Then IAM refuses them as API Gateway does
    assert revoke == (403, {"message": "Forbidden"})
    assert usage == (403, {"message": "Forbidden"})


def test_credentials_without_their_session_token_or_with_a_wrong_secret_are_refused(platform, reviewer):
    _, credentials = reviewer
    path = "/admin/verification-requests?state=submitted"
    # When the session token is left off, or the secret is not the one issued
    without_token = _signed(platform, "GET", path, credentials, drop=("x-amz-security-token",))
    forged = Credentials(credentials.access_key, "not-the-secret", credentials.token)
    # Then both are refused
    assert without_token[0] == 403
    assert _signed(platform, "GET", path, forged)[0] == 403


@pytest.mark.parametrize(
    ("email", "password"), [(DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD), (DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD)]
)
def test_members_outside_the_reviewers_group_get_no_credentials(platform, email, password):
    # When a business's owner or agent asks the identity pool for credentials with their own ID token
    status, answer = _credentials(platform, email, password)
    # Then no role maps to them (AmbiguousRoleResolution: Deny): no credentials at all
    assert status == 400
    assert answer["__type"] == "NotAuthorizedException"
    assert "Credentials" not in answer


def test_the_identity_pool_refuses_unauthenticated_and_forged_logins(platform, reviewer):
    pool_id = platform.console_config.identity_pool_id
    # When no token, or a token whose signature was altered, is presented
    anonymous = _identity_call(platform, "GetId", {"IdentityPoolId": pool_id})
    token = console_id_token(platform, DEMO_REVIEWER_EMAIL, DEMO_REVIEWER_PASSWORD)
    forged_logins = _logins(platform, token[:-4] + "AAAA")
    forged = _identity_call(platform, "GetId", {"IdentityPoolId": pool_id, "Logins": forged_logins})
    # Then both are refused, and another member's identity cannot be asked for with the reviewer's token
    assert anonymous[0] == forged[0] == 400
    assert anonymous[1]["__type"] == forged[1]["__type"] == "NotAuthorizedException"
    identity_id, _ = reviewer
    owner_token = console_id_token(platform, DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD)
    stolen = _identity_call(
        platform, "GetCredentialsForIdentity", {"IdentityId": identity_id, "Logins": _logins(platform, owner_token)}
    )
    assert stolen[0] == 400


def test_expired_credentials_are_refused(platform):
    # Given a reviewer's credentials, issued by a pool whose clock then moves past their hour
    pool = next(iter(platform.identity_pools.values()))
    status, answer = _credentials(platform, DEMO_REVIEWER_EMAIL, DEMO_REVIEWER_PASSWORD)
    assert status == 200
    issued = answer["Credentials"]
    credentials = Credentials(issued["AccessKeyId"], issued["SecretKey"], issued["SessionToken"])
    assert _signed(platform, "GET", "/admin/verification-requests", credentials)[0] == 200
    real_clock = pool.clock
    pool.clock = lambda: issued["Expiration"] + 1
    try:
        # Then they no longer sign anything
        assert _signed(platform, "GET", "/admin/verification-requests", credentials)[0] == 403
    finally:
        pool.clock = real_clock


def test_the_banner_prints_the_demo_reviewer(platform):
    assert f"reviewer  {DEMO_REVIEWER_EMAIL} / {DEMO_REVIEWER_PASSWORD}" in platform.banner()
