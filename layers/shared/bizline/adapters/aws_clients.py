"""boto3 clients, made on first use and kept for the container's life."""

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3

    return boto3.client(service)


def reset_clients() -> None:
    client.cache_clear()
