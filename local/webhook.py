"""`make webhook FILE=payload.json`: sign any Meta envelope with the local app secret and post it.

The body is posted byte for byte as the file holds it, with the X-Hub-Signature-256 header Meta
would send (HMAC-SHA256 of those bytes with the app secret the banner prints).
"""

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from local.demo import DEMO_META_APP_SECRET
from local.endpoint import api_url, unreachable


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1]:
        print("usage: make webhook FILE=payload.json   (a Meta webhook envelope, e.g. events/...)", file=sys.stderr)
        return 2
    path = Path(argv[1])
    try:
        body = path.read_bytes()
    except OSError as error:
        print(f"bizline: cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    from bizline.rules.signatures import meta_signature

    api = api_url()
    request = urllib.request.Request(  # noqa: S310 - the local platform
        f"{api}/webhooks/whatsapp",
        data=body,
        method="POST",
        headers={"content-type": "application/json", "x-hub-signature-256": meta_signature(body, DEMO_META_APP_SECRET)},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        print(unreachable(api, error), file=sys.stderr)
        return 1
    try:
        shown = json.dumps(json.loads(answer), indent=2, ensure_ascii=False)
    except ValueError:
        shown = answer.decode("utf-8", errors="replace")
    print(f"{status} {shown}")
    return 0 if status < 400 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
