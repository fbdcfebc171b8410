"""`make run`: start the whole platform locally and keep it running until Ctrl-C."""

import argparse
import logging
import os
import signal
import sys
import threading

from local.endpoint import clear_state, write_state
from local.platform import LocalPlatform


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run bizline locally on an embedded AWS.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--no-demo", action="store_true", help="start without the demo business")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("bizline.local").setLevel(logging.INFO)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    platform = LocalPlatform(host=arguments.host, port=arguments.port, seed_demo=not arguments.no_demo)
    try:
        platform.start()
    except OSError as error:
        print(f"bizline: cannot serve on {arguments.host}:{arguments.port}: {error.strerror or error}", file=sys.stderr)
        platform.stop()
        return 1
    write_state(platform.api_url)
    print(platform.banner(), flush=True)
    try:
        stop.wait()
    finally:
        print("bizline: stopping", flush=True)
        clear_state()
        platform.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
