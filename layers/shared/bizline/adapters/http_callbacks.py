"""Callbacks on the wire: resolve the host to vet, then POST to the vetted address.

No redirects, a hard timeout, TLS checked against the host name.
"""

import http.client
import socket
import ssl

from bizline.models.deliveries import CallbackResponse
from bizline.rules.callback_safety import CallbackTarget

_MAX_RESPONSE_BYTES = 64 * 1024


def resolve_all(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the SSRF guard checks them all)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the address that was checked, while TLS still verifies the host name."""

    def __init__(self, target: CallbackTarget, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: CallbackTarget, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(target: CallbackTarget, headers: dict[str, str], body: str, timeout: float) -> CallbackResponse:
    """POST `body` to the vetted target; a timeout or connection error comes back as a response without status."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body.encode("utf-8"), headers={**headers, "user-agent": "bizline"})
        response = connection.getresponse()
        response.read(_MAX_RESPONSE_BYTES)
        return CallbackResponse(response.status, response.getheader("retry-after"))
    except TimeoutError:
        return CallbackResponse(None, error="timeout")
    except (OSError, http.client.HTTPException) as error:
        return CallbackResponse(None, error=f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
