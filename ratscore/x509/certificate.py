"""X.509 v1-v3 certificates (RFC 5280 §4.1) parsed with our strict DER reader.

Theory of operation: ``load_der_certificate`` walks the Certificate SEQUENCE once
and keeps three byte strings untouched for the validator: the whole certificate,
the exact TBSCertificate TLV (what the issuer signed) and the SubjectPublicKeyInfo.
Everything else is decoded into frozen values.  Parsing is strict DER, with two
deliberate softenings that match deployed certificates: GeneralizedTime is accepted
before 2050 (RFC 5280 §4.1.2.5 says CAs MUST use UTCTime there) and string
attributes in names are not checked against their type's repertoire.

What a parse does *not* reject, the validator may: an unsupported signature
algorithm (``signature_algorithm is None``) or public key type (``public_key is
None``) still parses, so a chain containing a DSA CA can be reported precisely.
Anything malformed raises ``DecodeError``; no other exception escapes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ratscore.crypto import der
from ratscore.crypto.encoding import pem_decode, public_key_from_spki
from ratscore.crypto.types import PublicKey, SignatureAlgorithm
from ratscore.errors import CryptoError, DecodeError, UnsupportedAlgorithm

from . import extensions as ext
from .names import Name, parse_name

__all__ = [
    "Certificate",
    "Extension",
    "load_der_certificate",
    "load_pem_certificates",
]

# RFC 5758 §3.2 (ECDSA), RFC 4055 §5 (PKCS#1 v1.5), RFC 4055 §3.1 (PSS), RFC 8410 §3 (EdDSA).
_OID_ECDSA = {
    "1.2.840.10045.4.3.2": SignatureAlgorithm.ECDSA_SHA256,
    "1.2.840.10045.4.3.3": SignatureAlgorithm.ECDSA_SHA384,
    "1.2.840.10045.4.3.4": SignatureAlgorithm.ECDSA_SHA512,
}
_OID_PKCS1 = {
    "1.2.840.113549.1.1.11": SignatureAlgorithm.RSA_PKCS1_SHA256,
    "1.2.840.113549.1.1.12": SignatureAlgorithm.RSA_PKCS1_SHA384,
    "1.2.840.113549.1.1.13": SignatureAlgorithm.RSA_PKCS1_SHA512,
}
_OID_EDDSA = {"1.3.101.112": SignatureAlgorithm.ED25519, "1.3.101.113": SignatureAlgorithm.ED448}
_OID_RSASSA_PSS = "1.2.840.113549.1.1.10"
_OID_MGF1 = "1.2.840.113549.1.1.8"
# RFC 4055 §2.1 / NIST: the SHA-2 hash OIDs and the PSS algorithm each one selects.
_PSS_BY_HASH = {
    "2.16.840.1.101.3.4.2.1": SignatureAlgorithm.RSA_PSS_SHA256,
    "2.16.840.1.101.3.4.2.2": SignatureAlgorithm.RSA_PSS_SHA384,
    "2.16.840.1.101.3.4.2.3": SignatureAlgorithm.RSA_PSS_SHA512,
}

_TAG_UTC_TIME = 0x17
_TAG_GENERALIZED_TIME = 0x18
_DIGITS = frozenset(b"0123456789")


@dataclass(frozen=True, slots=True, kw_only=True)
class Extension:
    """One extension as encoded: OID, critical flag and the extnValue payload."""

    oid: str
    critical: bool
    value: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Certificate:
    """A parsed certificate.  ``der``/``tbs_der``/``spki_der`` are the exact input bytes."""

    der: bytes
    tbs_der: bytes
    version: int  # 1, 2 or 3 (the encoded value plus one)
    serial: int
    signature_algorithm_oid: str
    signature_algorithm: SignatureAlgorithm | None  # None: not one we implement
    signature: bytes
    signature_unused_bits: int  # non-zero only in a signature that cannot verify
    issuer: Name
    subject: Name
    not_before: datetime.datetime
    not_after: datetime.datetime
    spki_der: bytes
    public_key: PublicKey | None  # None: key type we do not implement (DSA, other curves)
    extensions: Mapping[str, Extension] = field(default_factory=lambda: MappingProxyType({}))
    basic_constraints: ext.BasicConstraints | None = None
    key_usage: frozenset[ext.KeyUsage] | None = None
    extended_key_usage: tuple[str, ...] | None = None
    subject_alt_name: ext.GeneralNames | None = None
    authority_key_identifier: ext.AuthorityKeyIdentifier | None = None
    subject_key_identifier: bytes | None = None

    @property
    def is_self_issued(self) -> bool:
        """RFC 5280 §6.1: subject and issuer are the same name."""
        from .names import names_match

        return names_match(self.subject, self.issuer)

    def __repr__(self) -> str:
        return f"Certificate(subject={self.subject.rfc4514_string()!r}, serial={self.serial:#x})"


def load_pem_certificates(text: str | bytes) -> list[Certificate]:
    """Every ``CERTIFICATE`` PEM block in ``text``, in order (RFC 7468 §5)."""
    data = text.encode("ascii", errors="replace") if isinstance(text, str) else bytes(text)
    marker = b"-----BEGIN CERTIFICATE-----"
    certificates = []
    position = data.find(marker)
    while position >= 0:
        end = data.find(b"-----END CERTIFICATE-----", position)
        if end < 0:
            raise DecodeError("PEM CERTIFICATE block without an END line")
        end += len(b"-----END CERTIFICATE-----")
        _, der_bytes = pem_decode(data[position:end], "CERTIFICATE")
        certificates.append(load_der_certificate(der_bytes))
        position = data.find(marker, end)
    if not certificates:
        raise DecodeError("no PEM CERTIFICATE block found")
    return certificates


def load_der_certificate(data: bytes) -> Certificate:
    """Parse one DER certificate; ``DecodeError`` if it is malformed (see module doc)."""
    data = bytes(data)
    reader = der.DerReader(data)
    certificate = reader.read_sequence()
    reader.finish()
    tbs_tag, tbs_content, tbs_der = certificate.read_element()
    if tbs_tag != der.TAG_SEQUENCE:
        raise DecodeError("tbsCertificate is not a SEQUENCE")
    _, _, outer_algorithm = certificate.read_element()
    # §4.1.1.3: a BIT STRING.  Unused bits are tolerated here (PKITS 4.1.2 has them) and make
    # the signature fail in the validator, which is where a bad signature belongs.
    signature, signature_unused_bits = certificate.read_bit_string_bits()
    certificate.finish()

    tbs = der.DerReader(tbs_content)
    version = 0  # RFC 5280 §4.1.2.1: [0] EXPLICIT Version DEFAULT v1
    if tbs.peek_tag() == der.context_tag(0):
        version_reader = tbs.read_explicit(0)
        version = version_reader.read_integer()
        version_reader.finish()
        if version == 0:  # X.690 §11.5: DEFAULT values are omitted in DER
            raise DecodeError("certificate encodes version v1, its DEFAULT")
    if version not in (0, 1, 2):
        raise DecodeError(f"unknown certificate version {version}")
    serial = tbs.read_integer()  # §4.1.2.2: negative serials exist in the wild and are tolerated
    _, _, inner_algorithm = tbs.read_element()
    # §4.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the signature field".
    if inner_algorithm != outer_algorithm:
        raise DecodeError("signatureAlgorithm differs from the TBSCertificate signature field")
    algorithm_oid, algorithm = _signature_algorithm(outer_algorithm)
    issuer = _read_name(tbs, "issuer")
    validity = tbs.read_sequence()  # §4.1.2.5
    not_before = _read_time(validity)
    not_after = _read_time(validity)
    validity.finish()
    subject = _read_name(tbs, "subject")
    spki_tag, _, spki_der = tbs.read_element()
    if spki_tag != der.TAG_SEQUENCE:
        raise DecodeError("subjectPublicKeyInfo is not a SEQUENCE")
    public_key = _public_key(spki_der)
    # §4.1.2.8: issuerUniqueID [1] / subjectUniqueID [2] IMPLICIT BIT STRING, v2 or v3 only.
    for number in (1, 2):
        unique_id = tbs.read_optional(der.context_tag(number, constructed=False))
        if unique_id is not None:
            if version == 0:
                raise DecodeError("unique identifiers require certificate version 2 or 3")
            der.decode_bit_string(unique_id)
    extensions: dict[str, Extension] = {}
    if tbs.peek_tag() == der.context_tag(3):  # §4.1.2.9: [3] EXPLICIT Extensions, v3 only
        if version != 2:
            raise DecodeError("extensions require certificate version 3")
        extensions = _read_extensions(tbs.read_explicit(3))
    tbs.finish()

    decoded = _decode_known_extensions(extensions)
    return Certificate(
        der=data,
        tbs_der=tbs_der,
        version=version + 1,
        serial=serial,
        signature_algorithm_oid=algorithm_oid,
        signature_algorithm=algorithm,
        signature=signature,
        signature_unused_bits=signature_unused_bits,
        issuer=issuer,
        subject=subject,
        not_before=not_before,
        not_after=not_after,
        spki_der=spki_der,
        public_key=public_key,
        extensions=MappingProxyType(extensions),
        **decoded,  # type: ignore[arg-type]  # keys and value types are fixed by _decode_known_extensions
    )


def _read_name(reader: der.DerReader, which: str) -> Name:
    tag, _, whole = reader.read_element()
    if tag != der.TAG_SEQUENCE:
        raise DecodeError(f"{which} is not a Name SEQUENCE")
    return parse_name(whole)


def _public_key(spki_der: bytes) -> PublicKey | None:
    try:
        return public_key_from_spki(spki_der)
    except UnsupportedAlgorithm:
        return None
    except CryptoError as exc:  # InvalidPublicKey: the key bytes themselves are malformed
        raise DecodeError(f"malformed subject public key: {exc}") from None


def _signature_algorithm(encoded: bytes) -> tuple[str, SignatureAlgorithm | None]:
    """AlgorithmIdentifier (RFC 5280 §4.1.1.2) to (OID, our algorithm or None)."""
    reader = der.DerReader(encoded)
    fields = reader.read_sequence()
    reader.finish()
    oid = fields.read_oid()
    parameters = None if fields.at_end else fields.read_element()[2]
    fields.finish()
    if oid in _OID_ECDSA or oid in _OID_EDDSA:
        # RFC 5758 §3.2 and RFC 8410 §3: the parameters MUST be absent.
        if parameters is not None:
            raise DecodeError(f"signature algorithm {oid} must not carry parameters")
        return oid, _OID_ECDSA.get(oid) or _OID_EDDSA[oid]
    if oid in _OID_PKCS1:
        # RFC 4055 §5: parameters NULL; "implementations MUST accept the parameters being absent".
        if parameters not in (None, der.encode_null()):
            raise DecodeError(f"signature algorithm {oid} parameters must be NULL")
        return oid, _OID_PKCS1[oid]
    if oid == _OID_RSASSA_PSS:
        if parameters is None:  # RFC 4055 §3.1: the signature AlgorithmIdentifier carries params
            raise DecodeError("RSASSA-PSS signature algorithm without parameters")
        return oid, _pss_algorithm(parameters)
    return oid, None


def _hash_oid(reader: der.DerReader) -> str:
    """A HashAlgorithm AlgorithmIdentifier: OID with parameters NULL or absent (RFC 4055 §2.1)."""
    fields = reader.read_sequence()
    oid = fields.read_oid()
    if not fields.at_end:
        fields.read_null()
    fields.finish()
    return oid


def _pss_algorithm(parameters: bytes) -> SignatureAlgorithm | None:
    """RSASSA-PSS-params (RFC 4055 §3.1) to our algorithm: only hash = MGF1 hash, salt = hash length."""
    fields = der.DerReader(der.read_single(parameters, der.TAG_SEQUENCE))
    hash_oid = "1.3.14.3.2.26"  # DEFAULT sha1Identifier
    mgf_hash_oid = "1.3.14.3.2.26"  # DEFAULT mgf1SHA1
    salt_length = 20
    trailer = 1
    if fields.peek_tag() == der.context_tag(0):
        field = fields.read_explicit(0)
        hash_oid = _hash_oid(field)
        field.finish()
    if fields.peek_tag() == der.context_tag(1):
        field = fields.read_explicit(1)
        mask = field.read_sequence()
        field.finish()
        if mask.read_oid() != _OID_MGF1:
            raise DecodeError("RSASSA-PSS maskGenAlgorithm must be id-mgf1")
        mgf_hash_oid = _hash_oid(mask)
        mask.finish()
    if fields.peek_tag() == der.context_tag(2):
        field = fields.read_explicit(2)
        salt_length = field.read_unsigned_integer()
        field.finish()
    if fields.peek_tag() == der.context_tag(3):
        field = fields.read_explicit(3)
        trailer = field.read_integer()
        field.finish()
    fields.finish()
    if trailer != 1:  # RFC 4055 §3.1: trailerFieldBC(1) is the only value
        raise DecodeError("RSASSA-PSS trailerField must be 1")
    algorithm = _PSS_BY_HASH.get(hash_oid)
    # Our SignatureAlgorithm.RSA_PSS_* fix MGF1 hash = hash and salt = hash length (RFC 8446 §4.2.3).
    if algorithm is None or mgf_hash_oid != hash_oid or algorithm.hash_algorithm is None:
        return None
    if salt_length != algorithm.hash_algorithm.digest_size:
        return None
    return algorithm


def _read_time(reader: der.DerReader) -> datetime.datetime:
    """Time ::= CHOICE { utcTime, generalTime } (RFC 5280 §4.1.2.5), always UTC."""
    tag, content, _ = reader.read_element()
    if tag == _TAG_UTC_TIME:
        # §4.1.2.5.1: YYMMDDHHMMSSZ, seconds present, Zulu; YY >= 50 is 19YY, else 20YY.
        if len(content) != 13:
            raise DecodeError("UTCTime must be YYMMDDHHMMSSZ")
        two_digit_year = _digits(content[:2])
        year = 1900 + two_digit_year if two_digit_year >= 50 else 2000 + two_digit_year
        rest = content[2:]
    elif tag == _TAG_GENERALIZED_TIME:
        # §4.1.2.5.2: YYYYMMDDHHMMSSZ, seconds present, no fractional seconds, Zulu.
        if len(content) != 15:
            raise DecodeError("GeneralizedTime must be YYYYMMDDHHMMSSZ")
        year = _digits(content[:4])
        rest = content[4:]
    else:
        raise DecodeError(f"validity time has tag 0x{tag:02x}, not UTCTime or GeneralizedTime")
    if rest[-1:] != b"Z":
        raise DecodeError("validity time must end in Z")
    month, day, hour, minute, second = (_digits(rest[index : index + 2]) for index in range(0, 10, 2))
    try:
        return datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.UTC)
    except ValueError:
        raise DecodeError("validity time is not a real date and time") from None


def _digits(octets: bytes) -> int:
    if not octets or not _DIGITS.issuperset(octets):
        raise DecodeError("validity time contains a non-digit")
    return int(octets)


def _read_extensions(reader: der.DerReader) -> dict[str, Extension]:
    """Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension (RFC 5280 §4.1.2.9, §4.2)."""
    sequence = reader.read_sequence()
    reader.finish()
    extensions: dict[str, Extension] = {}
    while not sequence.at_end:
        fields = sequence.read_sequence()
        oid = fields.read_oid()
        critical = False
        if fields.peek_tag() == der.TAG_BOOLEAN:
            critical = fields.read_boolean()
            if not critical:  # X.690 §11.5: critical DEFAULT FALSE is not encoded
                raise DecodeError(f"extension {oid} encodes critical FALSE, its DEFAULT")
        value = fields.read_octet_string()
        fields.finish()
        # §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
        if oid in extensions:
            raise DecodeError(f"duplicate extension {oid}")
        extensions[oid] = Extension(oid=oid, critical=critical, value=value)
    if not extensions:
        raise DecodeError("empty Extensions SEQUENCE")
    return extensions


def _decode_known_extensions(extensions: Mapping[str, Extension]) -> dict[str, object]:
    decoders: dict[str, tuple[str, Callable[[bytes], object]]] = {
        ext.OID_BASIC_CONSTRAINTS: ("basic_constraints", ext.decode_basic_constraints),
        ext.OID_KEY_USAGE: ("key_usage", ext.decode_key_usage),
        ext.OID_EXTENDED_KEY_USAGE: ("extended_key_usage", ext.decode_extended_key_usage),
        ext.OID_SUBJECT_ALT_NAME: ("subject_alt_name", ext.decode_subject_alt_name),
        ext.OID_AUTHORITY_KEY_IDENTIFIER: ("authority_key_identifier", ext.decode_authority_key_identifier),
        ext.OID_SUBJECT_KEY_IDENTIFIER: ("subject_key_identifier", ext.decode_subject_key_identifier),
    }
    decoded: dict[str, object] = {}
    for oid, (attribute, decoder) in decoders.items():
        if oid in extensions:
            try:
                decoded[attribute] = decoder(extensions[oid].value)
            except DecodeError as exc:
                raise DecodeError(f"malformed extension {oid}: {exc}") from None
    return decoded
