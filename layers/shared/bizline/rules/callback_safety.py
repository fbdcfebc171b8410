"""Where bizline may send callbacks: public HTTPS endpoints only (SSRF guard).

Checked at send time against every address the host resolves to, and the connection is then made
to the address that was checked, so a DNS answer cannot change between the check and the request.
Pure: the caller passes the resolver (the network one is `adapters.http_callbacks.resolve_all`).
"""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bizline.errors import BizlineError

Resolver = Callable[[str, int], list[str]]


class UnsafeCallbackUrl(BizlineError):
    status_code = 422
    code = "unsafe_callback_url"


@dataclass(frozen=True)
class CallbackTarget:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return _forbidden(address.ipv4_mapped)
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _is_loopback(address: str) -> bool:
    return ipaddress.ip_address(address).is_loopback


def vet_callback_url(url: str, *, resolver: Resolver, allow_http_loopback: bool = False) -> CallbackTarget:
    """The address to connect to for `url`, or UnsafeCallbackUrl.

    `allow_http_loopback` (local development only) admits http://127.0.0.1 and friends.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in {"https", "http"} or not host or parts.username or parts.password:
        raise UnsafeCallbackUrl("The callback URL must be an https URL without credentials.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolver(host, port)
    except OSError as error:
        raise UnsafeCallbackUrl(f"The callback host {host!r} does not resolve.") from error
    if not addresses:
        raise UnsafeCallbackUrl(f"The callback host {host!r} does not resolve.")
    local_ok = allow_http_loopback and all(_is_loopback(address) for address in addresses)
    if parts.scheme != "https" and not local_ok:
        raise UnsafeCallbackUrl("The callback URL must use https.")
    if not local_ok and any(_forbidden(ipaddress.ip_address(address)) for address in addresses):
        raise UnsafeCallbackUrl("The callback URL points at a private, loopback or otherwise reserved address.")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return CallbackTarget(parts.scheme, host, port, path, addresses[0])
