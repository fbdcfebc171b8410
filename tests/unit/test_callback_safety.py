"""The SSRF guard: callbacks go to public HTTPS endpoints only, checked at send time."""

import pytest
from bizline.rules.callback_safety import UnsafeCallbackUrl, vet_callback_url


def _resolving_to(*addresses):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 - the point of the test
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",  # IPv4-mapped private
        "::ffff:169.254.169.254",
    ],
)
def test_private_loopback_link_local_multicast_and_reserved_addresses_are_refused(address):
    with pytest.raises(UnsafeCallbackUrl):
        vet_callback_url("https://hooks.example/in", resolver=_resolving_to(address))


def test_one_bad_address_among_good_ones_is_enough_to_refuse():
    with pytest.raises(UnsafeCallbackUrl):
        vet_callback_url("https://hooks.example/in", resolver=_resolving_to("93.184.216.34", "10.1.1.1"))


def test_a_public_https_endpoint_is_allowed_and_pinned_to_the_checked_address():
    target = vet_callback_url("https://hooks.example:8443/in?x=1", resolver=_resolving_to("93.184.216.34"))
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example",
        8443,
        "/in?x=1",
        "93.184.216.34",
    )


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example/in", "ftp://hooks.example/in", "https://user:pw@hooks.example/in", "https:///nohost"],
)
def test_other_schemes_credentials_and_missing_hosts_are_refused(url):
    with pytest.raises(UnsafeCallbackUrl):
        vet_callback_url(url, resolver=_resolving_to("93.184.216.34"))


def test_local_development_may_allow_plain_http_to_loopback_only():
    target = vet_callback_url("http://127.0.0.1:3000/cb", allow_http_loopback=True, resolver=_resolving_to("127.0.0.1"))
    assert target.address == "127.0.0.1"
    with pytest.raises(UnsafeCallbackUrl):
        vet_callback_url("http://10.0.0.1/cb", allow_http_loopback=True, resolver=_resolving_to("10.0.0.1"))
    with pytest.raises(UnsafeCallbackUrl):
        vet_callback_url("http://127.0.0.1/cb", resolver=_resolving_to("127.0.0.1"))


def test_a_host_that_does_not_resolve_is_refused():
    def fails(host, port):
        raise OSError("no such host")

    with pytest.raises(UnsafeCallbackUrl):
        vet_callback_url("https://nowhere.example/in", resolver=fails)
