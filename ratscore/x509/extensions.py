"""Decoders for the certificate extensions path validation uses (RFC 5280 §4.2).

Each decoder takes the content of ``extnValue`` (the OCTET STRING's payload) and
returns a small frozen value; malformed content raises ``DecodeError``.  Unknown
extensions are not decoded here: ``Certificate.extensions`` keeps them raw with
their critical flag, and the validator rejects unknown critical ones.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass

from ratscore.crypto import der
from ratscore.errors import DecodeError

from .names import Name, parse_name

__all__ = [
    "OID_ANY_EXTENDED_KEY_USAGE",
    "OID_AUTHORITY_KEY_IDENTIFIER",
    "OID_BASIC_CONSTRAINTS",
    "OID_CERTIFICATE_POLICIES",
    "OID_CLIENT_AUTH",
    "OID_EXTENDED_KEY_USAGE",
    "OID_KEY_USAGE",
    "OID_SERVER_AUTH",
    "OID_SUBJECT_ALT_NAME",
    "OID_SUBJECT_KEY_IDENTIFIER",
    "AuthorityKeyIdentifier",
    "BasicConstraints",
    "GeneralNames",
    "KeyUsage",
    "decode_authority_key_identifier",
    "decode_basic_constraints",
    "decode_extended_key_usage",
    "decode_key_usage",
    "decode_subject_alt_name",
    "decode_subject_key_identifier",
]

# RFC 5280 §4.2.1: id-ce = 2.5.29
OID_AUTHORITY_KEY_IDENTIFIER = "2.5.29.35"  # §4.2.1.1
OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14"  # §4.2.1.2
OID_KEY_USAGE = "2.5.29.15"  # §4.2.1.3
OID_CERTIFICATE_POLICIES = "2.5.29.32"  # §4.2.1.4
OID_SUBJECT_ALT_NAME = "2.5.29.17"  # §4.2.1.6
OID_BASIC_CONSTRAINTS = "2.5.29.19"  # §4.2.1.9
OID_EXTENDED_KEY_USAGE = "2.5.29.37"  # §4.2.1.12
OID_ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0"  # §4.2.1.12
OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"  # §4.2.1.12 id-kp-serverAuth
OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"  # §4.2.1.12 id-kp-clientAuth


class KeyUsage(enum.Enum):
    """RFC 5280 §4.2.1.3 KeyUsage named bits (the value is the bit number)."""

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    DIGITAL_SIGNATURE = 0
    CONTENT_COMMITMENT = 1  # formerly nonRepudiation
    KEY_ENCIPHERMENT = 2
    DATA_ENCIPHERMENT = 3
    KEY_AGREEMENT = 4
    KEY_CERT_SIGN = 5
    CRL_SIGN = 6
    ENCIPHER_ONLY = 7
    DECIPHER_ONLY = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class BasicConstraints:
    ca: bool
    path_length: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorityKeyIdentifier:
    key_identifier: bytes | None
    has_issuer_and_serial: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralNames:
    """GeneralNames (RFC 5280 §4.2.1.6): the kinds we use decoded, the rest kept as (tag, TLV)."""

    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...] = ()
    rfc822_names: tuple[str, ...] = ()
    uris: tuple[str, ...] = ()
    directory_names: tuple[Name, ...] = ()
    others: tuple[tuple[int, bytes], ...] = ()


def _single(content: bytes) -> der.DerReader:
    """Reader over the one SEQUENCE that must make up ``content``."""
    reader = der.DerReader(content)
    inner = reader.read_sequence()
    reader.finish()
    return inner


def decode_basic_constraints(content: bytes) -> BasicConstraints:
    """RFC 5280 §4.2.1.9: SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }."""
    fields = _single(content)
    ca = False
    if fields.peek_tag() == der.TAG_BOOLEAN:
        ca = fields.read_boolean()
        if not ca:  # X.690 §11.5: a DEFAULT value is not encoded in DER
            raise DecodeError("basicConstraints encodes cA FALSE, its DEFAULT")
    path_length = fields.read_unsigned_integer() if fields.peek_tag() == der.TAG_INTEGER else None
    fields.finish()
    return BasicConstraints(ca=ca, path_length=path_length)


def decode_key_usage(content: bytes) -> frozenset[KeyUsage]:
    """RFC 5280 §4.2.1.3: a NamedBitList; bit 0 is the most significant bit of the first octet."""
    reader = der.DerReader(content)
    data, unused_bits = reader.read_bit_string_bits()
    reader.finish()
    bit_count = len(data) * 8 - unused_bits
    usages = set()
    for usage in KeyUsage:
        bit = usage.value
        if bit < bit_count and data[bit // 8] & (0x80 >> (bit % 8)):
            usages.add(usage)
    return frozenset(usages)


def decode_extended_key_usage(content: bytes) -> tuple[str, ...]:
    """RFC 5280 §4.2.1.12: SEQUENCE SIZE (1..MAX) OF KeyPurposeId."""
    fields = _single(content)
    purposes: list[str] = []
    while not fields.at_end:
        purposes.append(fields.read_oid())
    if not purposes:
        raise DecodeError("extendedKeyUsage is empty")
    return tuple(purposes)


def decode_subject_key_identifier(content: bytes) -> bytes:
    """RFC 5280 §4.2.1.2: KeyIdentifier ::= OCTET STRING."""
    return der.read_single(content, der.TAG_OCTET_STRING)


def decode_authority_key_identifier(content: bytes) -> AuthorityKeyIdentifier:
    """RFC 5280 §4.2.1.1: SEQUENCE { [0] keyIdentifier, [1] authorityCertIssuer, [2] serial } (IMPLICIT)."""
    fields = _single(content)
    key_identifier = fields.read_optional(der.context_tag(0, constructed=False))
    issuer = fields.read_optional(der.context_tag(1))
    serial = fields.read_optional(der.context_tag(2, constructed=False))
    fields.finish()
    if (issuer is None) != (serial is None):  # §4.2.1.1: both or neither
        raise DecodeError("authorityKeyIdentifier has only one of authorityCertIssuer and serial")
    if issuer is not None:
        _decode_general_names(issuer)
    if serial is not None:
        der.decode_integer(serial)
    return AuthorityKeyIdentifier(key_identifier=key_identifier, has_issuer_and_serial=issuer is not None)


def decode_subject_alt_name(content: bytes) -> GeneralNames:
    """RFC 5280 §4.2.1.6: GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName."""
    reader = der.DerReader(content)
    names = _decode_general_names(reader.read(der.TAG_SEQUENCE))
    reader.finish()
    return names


def _ia5(content: bytes, kind: str) -> str:
    """An IA5String name.  UTF-8 is tolerated (deployed certificates carry U-labels);
    hostname matching only ever matches ASCII, so such names simply never match."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError(f"{kind} is neither ASCII nor UTF-8") from None


def _decode_general_names(content: bytes) -> GeneralNames:
    reader = der.DerReader(content)
    dns_names: list[str] = []
    ips: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    emails: list[str] = []
    uris: list[str] = []
    directory_names: list[Name] = []
    others: list[tuple[int, bytes]] = []
    while not reader.at_end:
        tag, value, whole = reader.read_element()
        if tag == 0x81:  # [1] rfc822Name IA5String
            emails.append(_ia5(value, "rfc822Name"))
        elif tag == 0x82:  # [2] dNSName IA5String
            dns_names.append(_ia5(value, "dNSName"))
        elif tag == 0x86:  # [6] uniformResourceIdentifier IA5String
            uris.append(_ia5(value, "uniformResourceIdentifier"))
        elif tag == 0x87:  # [7] iPAddress: 4 octets (IPv4) or 16 (IPv6) in a SAN
            if len(value) not in (4, 16):
                raise DecodeError(f"iPAddress must be 4 or 16 octets, not {len(value)}")
            ips.append(ipaddress.ip_address(value))
        elif tag == 0xA4:  # [4] directoryName: EXPLICIT Name (CHOICE)
            directory_names.append(parse_name(der.read_single(whole, tag)))
        elif tag in (0xA0, 0xA3, 0xA5, 0x88):  # otherName, x400Address, ediPartyName, registeredID
            if tag == 0x88:
                der.decode_oid(value)
            elif tag == 0xA0:  # OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
                other = der.DerReader(value)
                other.read_oid()
                explicit = other.read_explicit(0)
                explicit.read_element()
                explicit.finish()
                other.finish()
            others.append((tag, whole))
        else:
            raise DecodeError(f"unknown GeneralName tag 0x{tag:02x}")
    if not (dns_names or ips or emails or uris or directory_names or others):
        raise DecodeError("GeneralNames is empty")  # SIZE (1..MAX)
    return GeneralNames(
        dns_names=tuple(dns_names),
        ip_addresses=tuple(ips),
        rfc822_names=tuple(emails),
        uris=tuple(uris),
        directory_names=tuple(directory_names),
        others=tuple(others),
    )
