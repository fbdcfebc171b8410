"""`make customer TEXT=...`: play a customer writing to the demo bakery on a running `make run`."""

import json
import os
import sys
import urllib.request


def main(argv: list[str]) -> int:
    text = " ".join(argv[1:]).strip()
    if not text:
        print("usage: make customer TEXT='Habt ihr heute Kipferl?'", file=sys.stderr)
        return 2
    port = os.environ.get("PORT", "3000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/local/customer-messages",
        data=json.dumps({"text": text}).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the local platform
        print(json.dumps(json.loads(response.read()), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
