"""`make invoke FN=... EVENT=...`: one handler, one sample event, against a fresh embedded AWS.

The Docker-free twin of `sam local invoke -e`. FN is a logical id (BusinessApiFunction) or a
function folder (business_api). The demo business is seeded so the sample events act for it.
"""

import json
import sys
from pathlib import Path
from typing import Any

from local.demo import DEMO_REQUEST_ID, seed_demo_verification_request, seed_event_member
from local.platform import LocalPlatform


def find_function(platform: LocalPlatform, name: str) -> str:
    for logical_id, spec in platform.functions.items():
        if name in {logical_id, spec.handler.split(".")[0]}:
            return logical_id
    known = ", ".join(sorted(platform.functions))
    raise SystemExit(f"no function {name!r} in template.yaml; known: {known}")


def seed_what_it_refers_to(event: dict[str, Any]) -> None:
    """The team member a console event names, and the demo verification request when the event acts on
    it (claimed first for a decision)."""
    seed_event_member(event)
    path = str(event.get("rawPath", ""))
    if DEMO_REQUEST_ID in path:
        seed_demo_verification_request(in_review=path.endswith("/decision"))


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m local.invoke <function> <event.json>", file=sys.stderr)
        return 2
    try:
        event = json.loads(Path(argv[2]).read_text())
    except OSError as error:
        print(f"bizline: cannot read the event {argv[2]}: {error.strerror or error} (see events/)", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"bizline: the event {argv[2]} is not JSON: {error}", file=sys.stderr)
        return 2
    with LocalPlatform(port=0, log_out=sys.stderr) as platform:
        spec = platform.functions[find_function(platform, argv[1])]
        seed_what_it_refers_to(event)
        succeeded, result = platform.invoke_safely(spec, event, f"invoke {argv[2]}")
    if not succeeded:
        return 1
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
