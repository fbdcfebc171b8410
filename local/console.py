"""The console's static files at /console, as CloudFront serves them from S3 in AWS.

`make run` builds console/ into console/dist (npm); this serves that folder with the security
headers CloudFront adds, `/console/config.json` telling the app where the platform's Cognito is,
and index.html for any other path under /console (the app routes in the browser).
"""

import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.template import load_template, resolve

CONSOLE_DIST = Path(__file__).resolve().parent.parent / "console" / "dist"
PREFIX = "/console"

_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}


@dataclass(frozen=True)
class ConsoleConfig:
    """What the browser needs to sign members in: the user pool's endpoint, region and app client."""

    cognito_endpoint: str
    region: str
    user_pool_id: str
    client_id: str
    api_base: str = ""
    # Reviewers trade their ID token here for short-lived credentials signing the /admin routes.
    identity_pool_id: str = ""
    identity_endpoint: str = ""
    # The host reviewers sign /admin calls for: "" is the console's own (locally the API's too).
    admin_signing_host: str = ""

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "apiBase": self.api_base,
                "cognito": {
                    "endpoint": self.cognito_endpoint,
                    "region": self.region,
                    "userPoolId": self.user_pool_id,
                    "clientId": self.client_id,
                    "identityPoolId": self.identity_pool_id,
                    "identityEndpoint": self.identity_endpoint,
                },
                "adminSigningHost": self.admin_signing_host,
            }
        ).encode()


# The AWS origins the CSP names (Cognito, the documents bucket): locally all are the embedded AWS.
_AWS_ORIGIN = re.compile(
    r"https://(cognito-(idp|identity)\.\$\{AWS::Region\}\.amazonaws\.com|\$\{\w+\.(Regional)?DomainName\})"
)


def security_headers(template: dict[str, Any], aws_endpoint: str) -> dict[str, str]:
    """The headers of the template's CloudFront response headers policy (a strict CSP, no inline code).

    The CSP lets the app reach Cognito and the documents bucket; locally both are the embedded AWS.
    A template without the console (a test's own) serves its files with none.
    """
    if "ConsoleSecurityHeaders" not in template["Resources"]:
        return {}
    config = template["Resources"]["ConsoleSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    source = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    directives = []
    for directive in _AWS_ORIGIN.sub(aws_endpoint, source).split(";"):
        words = directive.split()
        directives.append(" ".join(dict.fromkeys(words)))  # the embedded AWS once, however often it stands in
    policy = str(resolve(template, {"Fn::Sub": "; ".join(word for word in directives if word)}))
    hsts = security["StrictTransportSecurity"]
    return {
        "content-security-policy": policy,
        "x-content-type-options": "nosniff",
        "x-frame-options": security["FrameOptions"]["FrameOption"],
        "referrer-policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "strict-transport-security": f"max-age={hsts['AccessControlMaxAgeSec']}"
        + ("; includeSubDomains" if hsts.get("IncludeSubdomains") else ""),
    }


class ConsoleFiles:
    def __init__(self, config: ConsoleConfig | None, root: Path = CONSOLE_DIST, template: dict[str, Any] | None = None):
        self.config = config
        self.root = root.resolve()
        self.headers = security_headers(template or load_template(), config.cognito_endpoint if config else "")

    def handle(self, method: str, path: str) -> tuple[int, dict[str, str], bytes] | None:
        """The answer for a /console path, or None for any other path (the API's)."""
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return None
        headers = dict(self.headers)
        if method not in ("GET", "HEAD"):
            return 405, {**headers, "allow": "GET, HEAD", "content-type": "text/plain"}, b"405 method not allowed\n"
        if path == PREFIX:
            return 308, {**headers, "location": PREFIX + "/"}, b""
        relative = path[len(PREFIX) + 1 :]
        if relative == "config.json" and self.config:
            return 200, {**headers, "content-type": _TYPES[".json"], "cache-control": "no-store"}, self.config.as_json()
        if not (self.root / "index.html").is_file():
            return (
                503,
                {**headers, "content-type": "text/plain; charset=utf-8"},
                b"The console is not built: run `make console` (make run builds it).\n",
            )
        target = (self.root / relative).resolve()
        if relative and target.is_file() and target.is_relative_to(self.root):
            suffix = target.suffix
            content_type = _TYPES.get(suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            # Vite names assets by their content's hash: cache them for good, never index.html.
            cache = "public, max-age=31536000, immutable" if relative.startswith("assets/") else "no-cache"
            return 200, {**headers, "content-type": content_type, "cache-control": cache}, target.read_bytes()
        if "." in relative.rsplit("/", 1)[-1]:
            return 404, {**headers, "content-type": "text/plain"}, b"404 not found\n"
        # A path of the app (/console/inbox/...): the app itself, which routes in the browser.
        index = (self.root / "index.html").read_bytes()
        return 200, {**headers, "content-type": _TYPES[".html"], "cache-control": "no-cache"}, index
