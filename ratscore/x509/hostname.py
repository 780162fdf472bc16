"""Matching a reference identity against a certificate's subjectAltName (RFC 6125 / RFC 9525).

Decisions, each fail-closed:

* Only subjectAltName is consulted.  There is no fallback to the subject's
  commonName, with or without SANs (RFC 9525 §6.3 drops CN-IDs altogether).
* An IP-address reference (IPv4 or IPv6 literal) matches only ``iPAddress`` SANs,
  by octets (RFC 9525 §6.5); it never matches a dNSName.
* DNS names compare case-insensitively in ASCII after dropping one trailing dot
  from the reference; the reference must be ASCII (A-labels for IDNs).
* A wildcard is allowed only as the whole left-most label (``*.example.com``,
  RFC 9525 §6.3 rule 2), matches exactly one non-empty label, and needs at least
  two labels after it (no ``*.com``).  Partial wildcards (``f*.example.com``)
  and wildcards in an A-label never match.
"""

from __future__ import annotations

import ipaddress

from .extensions import GeneralNames

__all__ = ["hostname_matches"]


def _reference_ip(hostname: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(hostname)
    except ValueError:
        return None


def _dns_label_ok(label: str) -> bool:
    return 0 < len(label) <= 63


def hostname_matches(san: GeneralNames | None, hostname: str) -> bool:
    """True when ``hostname`` (a DNS name or IP literal) is named by ``san``."""
    if san is None:
        return False
    reference_ip = _reference_ip(hostname)
    if reference_ip is not None:
        return any(address.packed == reference_ip.packed for address in san.ip_addresses)
    if not hostname.isascii():
        return False
    reference = hostname.lower()
    if reference.endswith("."):
        reference = reference[:-1]
    reference_labels = reference.split(".")
    if not all(_dns_label_ok(label) for label in reference_labels):
        return False
    return any(_dns_name_matches(presented, reference_labels) for presented in san.dns_names)


def _dns_name_matches(presented: str, reference_labels: list[str]) -> bool:
    presented_labels = presented.lower().split(".")
    if len(presented_labels) != len(reference_labels):
        return False
    first, rest = presented_labels[0], presented_labels[1:]
    if rest != reference_labels[1:] or not all(_dns_label_ok(label) for label in rest):
        return False
    if first == "*":
        # RFC 9525 §6.3: "*" only as the complete left-most label; it matches one label.
        # Require two labels after it, and never let it stand in for an IDN A-label.
        return len(rest) >= 2 and not reference_labels[0].startswith("xn--")
    return "*" not in first and first == reference_labels[0]
