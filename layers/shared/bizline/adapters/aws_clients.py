"""boto3 clients, made on first use and kept for the container's life."""

import threading
from functools import cache
from typing import Any

# boto3's default session is not safe to make clients from in several threads at once.
_making = threading.Lock()


@cache
def client(service: str) -> Any:
    """The boto3 client of a service, made once per container."""
    import boto3

    with _making:
        return boto3.client(service)


def reset_clients() -> None:
    """Forget the clients, e.g. when tests or the local platform switch endpoints."""
    client.cache_clear()
