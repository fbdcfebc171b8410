"""Where a running `make run` serves, for the commands that talk to it (customer, admin, webhook).

`make run` writes the address it serves on to a small state file in the work tree and removes it
when it stops; PORT, when set, wins. A platform that does not answer is one line, not a traceback.
"""

import json
import os
from pathlib import Path

from local.template import PROJECT_ROOT

DEFAULT_PORT = 3000


def state_file() -> Path:
    """The state file (git-ignored); BIZLINE_LOCAL_STATE moves it, e.g. for tests."""
    return Path(os.environ.get("BIZLINE_LOCAL_STATE") or PROJECT_ROOT / ".bizline-local.json")


def write_state(api_url: str) -> None:
    """Record where this platform serves (called by `make run` once it listens)."""
    state_file().write_text(json.dumps({"api": api_url, "pid": os.getpid()}) + "\n")


def clear_state() -> None:
    """Forget the address, if it is still this process's."""
    try:
        if json.loads(state_file().read_text()).get("pid") == os.getpid():
            state_file().unlink()
    except (OSError, ValueError):
        pass


def api_url() -> str:
    """PORT if set; else the address the running `make run` recorded; else port 3000."""
    port = os.environ.get("PORT", "").strip()
    if port:
        return f"http://127.0.0.1:{port}"
    try:
        recorded = json.loads(state_file().read_text()).get("api")
    except (OSError, ValueError):
        recorded = None
    return str(recorded) if recorded else f"http://127.0.0.1:{DEFAULT_PORT}"


def unreachable(url: str, error: object) -> str:
    """The one line to print when nothing answers at `url`."""
    reason = getattr(error, "reason", error)
    return f"bizline: nothing answers at {url} ({reason}); start the platform with `make run` (or set PORT)"
