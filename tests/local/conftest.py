"""The local platform, started for real on random ports."""

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from local.platform import LocalPlatform

FIXTURE_TEMPLATE = Path(__file__).parent / "fixture" / "template.yaml"


def wait_for(condition: Callable[[], bool], timeout: float = 15.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture(scope="module")
def platform() -> Iterator[LocalPlatform]:
    """bizline itself, from template.yaml, with the demo business."""
    with LocalPlatform(port=0, log_out=io.StringIO()) as running:
        yield running
