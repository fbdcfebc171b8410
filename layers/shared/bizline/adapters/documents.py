"""S3 for verification documents: presigned POST uploads, what was uploaded, presigned downloads."""

from typing import Any

from bizline.adapters import s3_links
from bizline.adapters.aws_clients import client
from bizline.models.verification import UploadedFile
from bizline.settings import get_settings


def _s3() -> Any:
    return client("s3")


# Retention: the bucket's lifecycle rule (template.yaml) expires objects tagged unattached. An
# upload starts so; attaching a document tags it attached, withdrawing its request unattached again.
RETENTION_TAG = "retention"
UNATTACHED = "unattached"
ATTACHED = "attached"


def _tagging(value: str) -> str:
    return f"<Tagging><TagSet><Tag><Key>{RETENTION_TAG}</Key><Value>{value}</Value></Tag></TagSet></Tagging>"


def document_key(business_id: str, request_id: str, document_id: str) -> str:
    """Where a request's document is kept: under its business and its request."""
    return f"{business_id}/{request_id}/{document_id}"


def presigned_upload(object_key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
    """A POST form S3 accepts only for this key, this content type and at most max_bytes, tagged unattached."""
    tagging = _tagging(UNATTACHED)
    return _s3().generate_presigned_post(
        Bucket=get_settings().verification_documents_bucket,
        Key=object_key,
        Fields={"Content-Type": content_type, "tagging": tagging},
        Conditions=[{"Content-Type": content_type}, {"tagging": tagging}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_in,
    )


def mark_retention(object_key: str, attached: bool) -> None:
    """Tag a document attached (kept) or unattached (expired by the bucket's lifecycle rule)."""
    _s3().put_object_tagging(
        Bucket=get_settings().verification_documents_bucket,
        Key=object_key,
        Tagging={"TagSet": [{"Key": RETENTION_TAG, "Value": ATTACHED if attached else UNATTACHED}]},
    )


def stored_object(object_key: str, sniff_bytes: int = 16) -> UploadedFile | None:
    """Size, declared type and first bytes of an uploaded object; None when nothing was uploaded."""
    from botocore.exceptions import ClientError

    bucket = get_settings().verification_documents_bucket
    try:
        head = _s3().head_object(Bucket=bucket, Key=object_key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    size = int(head["ContentLength"])
    first = b""
    if size:
        body = _s3().get_object(Bucket=bucket, Key=object_key, Range=f"bytes=0-{sniff_bytes - 1}")["Body"]
        first = body.read()
    return UploadedFile(size_bytes=size, content_type=head.get("ContentType", ""), first_bytes=first)


def delete_object(object_key: str) -> None:
    """Delete an uploaded object (a refused document)."""
    _s3().delete_object(Bucket=get_settings().verification_documents_bucket, Key=object_key)


def presigned_preview(object_key: str, filename: str, content_type: str, expires_in: int) -> str:
    """A short-lived GET link that shows the object in the browser (inline, as its checked content type)."""
    bucket = get_settings().verification_documents_bucket
    return s3_links.presigned_get(bucket, object_key, filename, expires_in, inline=True, content_type=content_type)


def presigned_download(object_key: str, filename: str, expires_in: int) -> str:
    """A short-lived GET link that downloads the object under `filename`."""
    return s3_links.presigned_get(get_settings().verification_documents_bucket, object_key, filename, expires_in)
