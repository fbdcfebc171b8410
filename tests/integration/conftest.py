"""Fixtures the integration tests share: callbacks to a receiver on this machine."""

import pytest

from tests.receiver import callback_receiver


@pytest.fixture
def callback_timeout() -> float:
    """Seconds a callback may take; a test module overrides this fixture for another deadline."""
    return 0.5


@pytest.fixture
def local_callbacks(monkeypatch, callback_timeout):
    """Callbacks may go to http://127.0.0.1 (the local platform's setting), with a short timeout."""
    from bizline.settings import get_settings

    monkeypatch.setenv("ALLOW_HTTP_CALLBACKS", "true")
    monkeypatch.setenv("CALLBACK_TIMEOUT_SECONDS", str(callback_timeout))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def receiver(local_callbacks):
    """A callback receiver on 127.0.0.1 that records what it is posted."""
    with callback_receiver() as running:
        yield running
