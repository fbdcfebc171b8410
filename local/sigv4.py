"""Verify AWS Signature Version 4 on requests to AWS_IAM routes, as API Gateway does."""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local.template import REGION

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<access_key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)"
    r"/aws4_request,\s*SignedHeaders=(?P<signed>[^,]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)
MAX_CLOCK_SKEW = timedelta(minutes=5)
# API Gateway checks signatures made for itself, in its own region.
SERVICE = "execute-api"


@dataclass(frozen=True)
class Caller:
    access_key: str
    account_id: str
    user_arn: str


def access_key_of(headers: dict[str, str]) -> str | None:
    """The access key a SigV4 Authorization header names, or None when it is not one."""
    lowered = {name.lower(): value for name, value in headers.items()}
    match = _AUTHORIZATION.match(lowered.get("authorization", "").strip())
    return match["access_key"] if match else None


def verify(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
    account_id: str,
    now: datetime | None = None,
    region: str | None = None,
) -> Caller | None:
    """The caller when the request carries a valid signature by the given credentials, else None.

    The signature binds the service (execute-api), the region and the body: a signed
    x-amz-content-sha256 must be the body's own hash, as API Gateway requires.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    match = _AUTHORIZATION.match(lowered.get("authorization", "").strip())
    if not match or not hmac.compare_digest(match["access_key"], access_key):
        return None
    if match["service"] != SERVICE or match["region"] != (region or REGION):
        return None
    claimed_hash = lowered.get("x-amz-content-sha256")
    if claimed_hash is not None and not hmac.compare_digest(claimed_hash, hashlib.sha256(body).hexdigest()):
        return None
    amz_date = lowered.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    if abs((now or datetime.now(UTC)) - signed_at) > MAX_CLOCK_SKEW or not amz_date.startswith(match["date"]):
        return None
    signed_headers = match["signed"].split(";")
    if "host" not in signed_headers or any(name not in lowered for name in signed_headers):
        return None
    request = AWSRequest(method=method, url=url, data=body, headers={name: lowered[name] for name in signed_headers})
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(access_key, secret_key), match["service"], match["region"])
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, match["signature"]):
        return None
    return Caller(access_key, account_id, f"arn:aws:iam::{account_id}:user/bizline-local")
