"""RFC 9525 reference-identity matching rules, decided in ratscore/x509/hostname.py."""

from __future__ import annotations

import ipaddress

import pytest

from ratscore.x509 import GeneralNames, hostname_matches

SAN = GeneralNames(
    dns_names=("*.example.com", "f*.example.org", "*.com", "exact.example.net", "*.xn--bcher-kva.example"),
    ip_addresses=(ipaddress.ip_address("192.0.2.1"), ipaddress.ip_address("2001:db8::1")),
)


@pytest.mark.parametrize(
    ("hostname", "expected"),
    [
        ("www.example.com", True),
        ("WWW.EXAMPLE.COM", True),  # case-insensitive (RFC 9525 §6.3)
        ("www.example.com.", True),  # one trailing dot dropped from the reference
        ("example.com", False),  # the wildcard needs a label to stand for
        ("a.b.example.com", False),  # exactly one label
        ("foo.example.org", False),  # partial wildcards never match
        ("example.com.", False),
        ("anything.com", False),  # "*.com": at least two labels after the wildcard
        ("exact.example.net", True),
        ("other.example.net", False),
        ("www.xn--bcher-kva.example", True),
        ("xn--nxasmq6b.xn--bcher-kva.example", False),  # a wildcard never stands for an A-label
        ("192.0.2.1", True),
        ("192.0.2.2", False),
        ("2001:db8::1", True),
        ("2001:0db8:0:0::1", True),  # IPv6 compared by octets
        ("bücher.example", False),  # references must be ASCII (A-labels)
        ("", False),
        ("a..example.com", False),
    ],
)
def test_hostname_matching(hostname: str, expected: bool) -> None:
    assert hostname_matches(SAN, hostname) is expected


def test_ip_never_matches_a_dns_name() -> None:
    assert not hostname_matches(GeneralNames(dns_names=("192.0.2.1",)), "192.0.2.1")


def test_wildcard_never_stands_for_an_a_label() -> None:
    assert not hostname_matches(GeneralNames(dns_names=("*.example.com",)), "xn--bcher-kva.example.com")


def test_no_san_never_matches() -> None:
    assert not hostname_matches(None, "example.com")
