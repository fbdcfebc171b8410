"""Short-lived S3 GET links (presigned): a file shown in the browser or saved under its own name."""

from bizline.adapters.aws_clients import client


def presigned_get(
    bucket: str, key: str, filename: str, expires_in: int, *, inline: bool = False, content_type: str | None = None
) -> str:
    """A GET link valid `expires_in` seconds; S3 answers with the disposition (and content type) the link names."""
    disposition = "inline" if inline else "attachment"
    params = {"Bucket": bucket, "Key": key, "ResponseContentDisposition": f'{disposition}; filename="{filename}"'}
    if content_type:
        params["ResponseContentType"] = content_type
    return client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
