"""Callbacks on the wire: resolve the host to vet, then POST to the vetted address.

No redirects, TLS checked against the host name, and one deadline for the whole attempt: a socket
timeout alone bounds each read, so a receiver dripping a byte at a time could hold an attempt (and
the batch it is in) far longer. At the deadline the socket is shut down and the attempt is a timeout.
"""

import contextlib
import http.client
import socket
import ssl
import threading

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


class _Deadline:
    """Shuts the connection's socket down once `seconds` have passed since the attempt began."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float):
        self.passed = threading.Event()
        self._connection = connection
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def _cut(self) -> None:
        self.passed.set()
        sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing left to cut
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()


def post(target: CallbackTarget, headers: dict[str, str], body: str, timeout: float) -> CallbackResponse:
    """POST `body` to the vetted target within `timeout` seconds in all; a timeout or connection error
    comes back as a response without status."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    with _Deadline(connection, timeout) as deadline:
        try:
            connection.request(
                "POST", target.path, body=body.encode("utf-8"), headers={**headers, "user-agent": "bizline"}
            )
            response = connection.getresponse()
            status, retry_after = response.status, response.getheader("retry-after")
            response.read(_MAX_RESPONSE_BYTES)
            if deadline.passed.is_set():  # cut off mid-answer: what was read may be any part of it
                return CallbackResponse(None, error="timeout")
            return CallbackResponse(status, retry_after)
        except TimeoutError:
            return CallbackResponse(None, error="timeout")
        except (OSError, http.client.HTTPException) as error:
            if deadline.passed.is_set():
                return CallbackResponse(None, error="timeout")
            return CallbackResponse(None, error=f"{type(error).__name__}: {error}"[:300])
        finally:
            connection.close()
