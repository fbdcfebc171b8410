"""S3 for invoice files: a frozen invoice's CSV and PDF, written once, handed out as short-lived links."""

from typing import Any

from bizline.adapters import s3_links
from bizline.adapters.aws_clients import client
from bizline.settings import get_settings


def _s3() -> Any:
    return client("s3")


def object_key(business_id: str, month: str, kind: str) -> str:
    """Where a month's invoice file is kept: under its business, so a key names its tenant."""
    return f"invoices/{business_id}/{month}/invoice.{kind}"


def exists(key: str) -> bool:
    """Whether the file was written (a close that stopped before writing it leaves none)."""
    from botocore.exceptions import ClientError

    try:
        _s3().head_object(Bucket=get_settings().invoices_bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    return True


def put(key: str, body: bytes, content_type: str) -> None:
    """Write a file; rendering a frozen invoice again gives the same content, so a rewrite is harmless."""
    _s3().put_object(Bucket=get_settings().invoices_bucket, Key=key, Body=body, ContentType=content_type)


def download_link(key: str, filename: str, expires_in: int) -> str:
    """A presigned GET link that saves the file under `filename`."""
    return s3_links.presigned_get(get_settings().invoices_bucket, key, filename, expires_in)
