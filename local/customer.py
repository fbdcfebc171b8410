"""`make customer TEXT=...`: play a customer writing to the demo bakery on a running `make run`."""

import json
import sys
import urllib.error
import urllib.request

from local.endpoint import api_url, unreachable


def main(argv: list[str]) -> int:
    text = " ".join(argv[1:]).strip()
    if not text:
        print("usage: make customer TEXT='Habt ihr heute Kipferl?'", file=sys.stderr)
        return 2
    api = api_url()
    request = urllib.request.Request(  # noqa: S310 - the local platform
        f"{api}/local/customer-messages",
        data=json.dumps({"text": text}).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            print(json.dumps(json.loads(response.read()), indent=2, ensure_ascii=False))
    except urllib.error.HTTPError as error:
        print(f"{error.code} {error.read().decode('utf-8', errors='replace')}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as error:
        print(unreachable(api, error), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
