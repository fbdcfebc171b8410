"""boto3 clients, made on first use and kept for the container's life."""

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    """The boto3 client of a service, made once per container."""
    import boto3

    return boto3.client(service)


def reset_clients() -> None:
    """Forget the clients, e.g. when tests or the local platform switch endpoints."""
    client.cache_clear()
