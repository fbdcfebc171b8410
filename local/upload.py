"""Upload a file with a presigned S3 POST form, as a business's own system would (multipart/form-data).

    python -m local.upload FORM_JSON FILE

FORM_JSON is the answer of POST /v1/verification-requests/{id}/documents (a file, or - for stdin).
"""

import json
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    """S3 wants the policy fields first and the file last."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source = sys.stdin.read() if argv[1] == "-" else Path(argv[1]).read_text()
    form = json.loads(source)["upload"]
    path = Path(argv[2])
    body, content_type = multipart(form["fields"], path.name, path.read_bytes())
    headers = {"content-type": content_type}
    request = urllib.request.Request(form["url"], data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the form's own URL
            print(f"uploaded {path.name}: {response.status}")
    except urllib.error.HTTPError as error:
        print(f"upload refused: {error.code} {error.read().decode(errors='replace')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
