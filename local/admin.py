"""`make admin`: act as a bizline reviewer on a running `make run`, with SigV4-signed requests.

The /admin routes are AWS_IAM routes: the local platform checks each signature against the
local credentials its banner prints, as API Gateway checks them against IAM in AWS.

    python -m local.admin list [STATE]             requests in a state (default submitted), oldest first
    python -m local.admin show REQUEST_ID          one request, its checks and document links
    python -m local.admin claim REQUEST_ID         take a submitted request into review
    python -m local.admin approve REQUEST_ID REASON [SIZE_CLASS]
    python -m local.admin reject REQUEST_ID REASON
    python -m local.admin audit REQUEST_ID         every transition: who, when, from, to, why
    python -m local.admin revoke BUSINESS_ID REASON
    python -m local.admin usage [MONTH]            every business's usage in a month (YYYY-MM, default this one)
    python -m local.admin close MONTH              the monthly close, now: freeze MONTH's invoices (again: no change)
    python -m local.admin rate-cards               every rate card version
    python -m local.admin publish-rate-card MONTH FILE   publish FILE's terms as the card valid from MONTH
"""

import argparse
import json
import sys
import urllib.error
import urllib.request
from typing import Any

from local.endpoint import api_url, unreachable
from local.platform import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY
from local.template import REGION


def signed_request(method: str, url: str, body: bytes | None) -> urllib.request.Request:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"content-type": "application/json"} if body else {}
    request = AWSRequest(method=method, url=url, data=body or b"", headers=headers)
    SigV4Auth(Credentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY), "execute-api", REGION).add_auth(request)
    signed = dict(request.headers.items())
    return urllib.request.Request(url, data=body, method=method, headers=signed)  # noqa: S310 - the local API


def call(api: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(signed_request(method, f"{api}{path}", data), timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _billing_route(verb: str, words: list[str]) -> tuple[str, str, dict[str, Any] | None]:
    if verb == "usage":
        return "GET", "/admin/usage" + (f"?month={words[0]}" if words else ""), None
    if verb == "rate-cards":
        return "GET", "/admin/rate-cards", None
    if verb == "close":
        if not words:
            raise SystemExit("usage: close MONTH (YYYY-MM)")
        return "POST", "/admin/invoices/close", {"month": words[0]}
    if len(words) != 2:
        raise SystemExit("usage: publish-rate-card MONTH FILE")
    with open(words[1], encoding="utf-8") as terms:
        return "PUT", f"/admin/rate-cards/{words[0]}", json.load(terms)


BILLING_VERBS = ("usage", "close", "rate-cards", "publish-rate-card")


def _route(arguments: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    requests_path = "/admin/verification-requests"
    verb, words = arguments.verb, arguments.words
    if verb in BILLING_VERBS:
        return _billing_route(verb, words)
    if verb == "list":
        return "GET", f"{requests_path}?state={words[0] if words else 'submitted'}", None
    if not words:
        raise SystemExit(f"usage: {verb} needs an id (see python -m local.admin --help)")
    target = words[0]
    if verb == "show":
        return "GET", f"{requests_path}/{target}", None
    if verb == "audit":
        return "GET", f"{requests_path}/{target}/audit", None
    if verb == "claim":
        return "POST", f"{requests_path}/{target}/claim", None
    reason = " ".join(words[1:2]) or "no reason given"
    if verb in {"approve", "reject"}:
        decision: dict[str, Any] = {"decision": "approved" if verb == "approve" else "rejected", "reason": reason}
        if verb == "approve" and len(words) > 2:
            decision["size_class"] = words[2]
        return "POST", f"{requests_path}/{target}/decision", decision
    return "POST", f"/admin/businesses/{target}/badge/revoke", {"reason": reason}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, prog="python -m local.admin"
    )
    parser.add_argument("--api", default=None, help="the platform's address (default: PORT, else make run's)")
    parser.add_argument(
        "verb", choices=["list", "show", "claim", "approve", "reject", "audit", "revoke", *BILLING_VERBS]
    )
    parser.add_argument("words", nargs="*")
    arguments = parser.parse_args(argv)
    method, path, body = _route(arguments)
    api = (arguments.api or api_url()).rstrip("/")
    try:
        status, answer = call(api, method, path, body)
    except (urllib.error.URLError, OSError) as error:
        print(unreachable(api, error), file=sys.stderr)
        return 1
    print(json.dumps(answer, indent=2, ensure_ascii=False))
    return 0 if status < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
