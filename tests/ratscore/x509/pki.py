"""Mint test PKIs with the ``cryptography`` package (an outside implementation).

Reusable by other test packages (TLS, EDHOC): ``make_chain()`` returns a root,
an intermediate and a leaf; ``issue()`` mints any single certificate with the
defects the validator tests need.  Import it only after
``pytest.importorskip("cryptography")``: this module imports cryptography at the top.

Keys are cached per (kind, label) so a test run generates each RSA key once.
Everything is dated around ``NOW`` so tests never depend on the wall clock.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ratscore.x509 import Certificate, load_der_certificate

__all__ = [
    "NOW",
    "Chain",
    "Issued",
    "PrivateKeyTypes",
    "issue",
    "make_chain",
    "make_key",
]

NOW = datetime.datetime(2025, 6, 1, 12, 0, 0, tzinfo=datetime.UTC)
LONG_AGO = NOW - datetime.timedelta(days=365 * 5)
FAR_AHEAD = NOW + datetime.timedelta(days=365 * 5)

PrivateKeyTypes = (
    ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey | rsa.RSAPrivateKey
)

KEY_KINDS = ("p256", "p384", "ed25519", "ed448", "rsa2048")


@functools.cache
def make_key(kind: str, label: str = "") -> PrivateKeyTypes:
    """A private key of ``kind`` (one of ``KEY_KINDS``); the same (kind, label) gives the same key."""
    del label  # only part of the cache key
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unknown key kind {kind!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Issued:
    """A minted certificate: cryptography's object, our parse, and the private key."""

    x509: x509.Certificate
    certificate: Certificate
    private_key: PrivateKeyTypes

    @property
    def der(self) -> bytes:
        return self.x509.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> str:
        return self.x509.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def private_key_pkcs8(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "XX"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ratscore test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


_KEY_USAGE_FIELDS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)


def _key_usage(usages: Sequence[str]) -> x509.KeyUsage:
    unknown = set(usages) - set(_KEY_USAGE_FIELDS)
    if unknown:
        raise ValueError(f"unknown key usages {unknown}")
    return x509.KeyUsage(**{field: field in usages for field in _KEY_USAGE_FIELDS})


def issue(
    common_name: str,
    *,
    key: PrivateKeyTypes,
    issuer: Issued | None = None,
    ca: bool | None = False,
    path_length: int | None = None,
    key_usage: Sequence[str] | None = ("digital_signature",),
    extended_key_usage: Sequence[x509.ObjectIdentifier] | None = (ExtendedKeyUsageOID.SERVER_AUTH,),
    dns_names: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
    not_before: datetime.datetime = LONG_AGO,
    not_after: datetime.datetime = FAR_AHEAD,
    extra_extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    rsa_pss: bool = False,
    key_identifiers: bool = True,
    serial: int | None = None,
) -> Issued:
    """Mint one certificate.  ``issuer=None`` makes it self-signed; ``ca=None`` omits basicConstraints."""
    signing_key = key if issuer is None else issuer.private_key
    issuer_name = _name(common_name) if issuer is None else issuer.x509.subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
    if key_usage is not None:
        builder = builder.add_extension(_key_usage(key_usage), critical=True)
    if extended_key_usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended_key_usage)), critical=False)
    alt_names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    alt_names += [x509.IPAddress(ipaddress.ip_address(address)) for address in ip_addresses]
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    if key_identifiers:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        authority_key = signing_key.public_key()
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key), critical=False
        )
    for extension, critical in extra_extensions:
        builder = builder.add_extension(extension, critical=critical)
    certificate = _sign(builder, signing_key, rsa_pss=rsa_pss)
    return Issued(
        x509=certificate,
        certificate=load_der_certificate(certificate.public_bytes(serialization.Encoding.DER)),
        private_key=key,
    )


def _sign(builder: x509.CertificateBuilder, signing_key: PrivateKeyTypes, *, rsa_pss: bool) -> x509.Certificate:
    if isinstance(signing_key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return builder.sign(signing_key, None)
    if isinstance(signing_key, ec.EllipticCurvePrivateKey):
        hash_algorithm: hashes.SHA256 | hashes.SHA384 = (
            hashes.SHA384() if isinstance(signing_key.curve, ec.SECP384R1) else hashes.SHA256()
        )
        return builder.sign(signing_key, hash_algorithm)
    if rsa_pss:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
        return builder.sign(signing_key, hashes.SHA256(), rsa_padding=pss)
    return builder.sign(signing_key, hashes.SHA256())


@dataclass(frozen=True, slots=True, kw_only=True)
class Chain:
    root: Issued
    intermediate: Issued
    leaf: Issued

    @property
    def intermediates(self) -> list[Certificate]:
        return [self.intermediate.certificate]

    @property
    def anchors(self) -> list[Certificate]:
        return [self.root.certificate]


def make_chain(
    *,
    root_kind: str = "p256",
    intermediate_kind: str = "p256",
    leaf_kind: str = "p256",
    hostname: str = "server.example",
    purpose: x509.ObjectIdentifier = ExtendedKeyUsageOID.SERVER_AUTH,
    label: str = "",
) -> Chain:
    """Root CA -> intermediate CA (pathLen 0) -> leaf for ``hostname`` with ``purpose`` EKU."""
    root = issue(
        f"Test Root {root_kind}{label}",
        key=make_key(root_kind, "root" + label),
        ca=True,
        key_usage=("key_cert_sign", "crl_sign"),
        extended_key_usage=None,
    )
    intermediate = issue(
        f"Test Intermediate {intermediate_kind}{label}",
        key=make_key(intermediate_kind, "intermediate" + label),
        issuer=root,
        ca=True,
        path_length=0,
        key_usage=("key_cert_sign", "crl_sign"),
        extended_key_usage=None,
    )
    leaf = issue(
        hostname,
        key=make_key(leaf_kind, "leaf" + label),
        issuer=intermediate,
        dns_names=(hostname,),
        extended_key_usage=(purpose,),
    )
    return Chain(root=root, intermediate=intermediate, leaf=leaf)
