"""Both validators on the same test PKIs (minted by cryptography, an outside implementation).

Each case pins the verdict of the pure validator (run on every crypto backend,
which checks the signatures) and of cryptography's verifier.  Where the two
differ the case says why; those are the profile differences documented in
``ratscore/x509/cryptography_verify.py``.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

pytest.importorskip("cryptography", reason="the test PKIs are minted with the cryptography package")

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from ratscore.crypto import get_provider
from ratscore.crypto.types import CryptoProvider
from ratscore.errors import LocalProtocolError
from ratscore.x509 import (
    Certificate,
    CertificateError,
    CertificateErrorReason,
    KeyUsage,
    PinnedKeyVerifier,
    Purpose,
    load_der_certificate,
    validate,
    validate_chain,
)

from .pki import NOW, Chain, issue, make_chain, make_key

Reason = CertificateErrorReason
SAME = "same"
Inputs = tuple[Certificate, list[Certificate], list[Certificate]]


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], Inputs]
    pure: Reason | None  # None: valid
    cryptography: Reason | str | None = SAME
    hostname: str | None = "server.example"
    purpose: Purpose = Purpose.SERVER_AUTH
    now: datetime.datetime = NOW
    max_depth: int = 8


@functools.cache
def _chain(root: str = "p256", intermediate: str = "p256", leaf: str = "p256") -> Inputs:
    chain = make_chain(root_kind=root, intermediate_kind=intermediate, leaf_kind=leaf)
    return chain.leaf.certificate, chain.intermediates, chain.anchors


@functools.cache
def _base() -> Chain:
    return make_chain(label="base")


def _leaf_under_intermediate(**options: Any) -> Callable[[], Inputs]:
    def build() -> Inputs:
        chain = _base()
        settings: dict[str, Any] = {"dns_names": ("server.example",)} | options
        leaf = issue("server.example", key=make_key("p256", "leaf-variant"), issuer=chain.intermediate, **settings)
        return leaf.certificate, chain.intermediates, chain.anchors

    return build


def _leaf_under_intermediate_variant(**options: Any) -> Callable[[], Inputs]:
    def build() -> Inputs:
        chain = _base()
        settings: dict[str, Any] = {"ca": True, "key_usage": ("key_cert_sign",), "extended_key_usage": None}
        intermediate = issue(
            "Variant CA", key=make_key("p256", "variant-ca"), issuer=chain.root, **(settings | options)
        )
        leaf = issue(
            "server.example", key=make_key("p256", "leaf-variant"), issuer=intermediate, dns_names=("server.example",)
        )
        return leaf.certificate, [intermediate.certificate], chain.anchors

    return build


def _too_deep() -> Inputs:
    chain = _base()
    sub = issue(
        "Sub CA",
        key=make_key("p256", "sub"),
        issuer=chain.intermediate,
        ca=True,
        key_usage=("key_cert_sign",),
        extended_key_usage=None,
    )
    leaf = issue("server.example", key=make_key("p256", "leaf-variant"), issuer=sub, dns_names=("server.example",))
    return leaf.certificate, [sub.certificate, chain.intermediate.certificate], chain.anchors


def _flipped_signature() -> Inputs:
    leaf, intermediates, anchors = _chain()
    corrupted = bytearray(leaf.der)
    corrupted[-3] ^= 0x01  # inside the signature value
    return load_der_certificate(bytes(corrupted)), intermediates, anchors


def _wrong_anchor() -> Inputs:
    leaf, intermediates, _ = _chain()
    return leaf, intermediates, make_chain(label="other").anchors


def _missing_intermediate() -> Inputs:
    leaf, _, anchors = _chain()
    return leaf, [], anchors


def _self_signed(ca: bool) -> Callable[[], Inputs]:
    def build() -> Inputs:
        usages = ("digital_signature", "key_cert_sign") if ca else ("digital_signature",)
        own = issue(
            "server.example", key=make_key("p256", f"self-{ca}"), ca=ca, key_usage=usages, dns_names=("server.example",)
        )
        return own.certificate, [], [own.certificate]

    return build


def _root_without_extensions() -> Inputs:
    root = issue(
        "Bare Root",
        key=make_key("p256", "bare"),
        ca=None,
        key_usage=None,
        extended_key_usage=None,
        key_identifiers=False,
    )
    leaf = issue("server.example", key=make_key("p256", "leaf-variant"), issuer=root, dns_names=("server.example",))
    return leaf.certificate, [], [root.certificate]


def _client_chain(with_san: bool) -> Callable[[], Inputs]:
    def build() -> Inputs:
        chain = _base()
        names = ("client.example",) if with_san else ()
        leaf = issue(
            "client",
            key=make_key("p256", "client"),
            issuer=chain.intermediate,
            dns_names=names,
            extended_key_usage=(ExtendedKeyUsageOID.CLIENT_AUTH,),
        )
        return leaf.certificate, chain.intermediates, chain.anchors

    return build


def _wildcard() -> Inputs:
    return _leaf_under_intermediate(dns_names=("*.example.com",), ip_addresses=("192.0.2.7", "2001:db8::1"))()


UNKNOWN_CRITICAL = (x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00"), True)
LATER = NOW + datetime.timedelta(days=365 * 10)
EARLIER = NOW - datetime.timedelta(days=365 * 10)

CASES = [
    Case("p256 chain", _chain, None),
    Case("p384 chain", lambda: _chain("p384", "p384", "p384"), None),
    Case("rsa pkcs1 chain", lambda: _chain("rsa2048", "rsa2048", "rsa2048"), None),
    Case("rsa root, ecdsa leaf", lambda: _chain("rsa2048", "p384", "p256"), None),
    Case("rsa-pss leaf signature", _leaf_under_intermediate_variant(), None),
    # cryptography's web-PKI profile forbids EdDSA signatures and CA keys.
    Case("ed25519 chain", lambda: _chain("ed25519", "ed25519", "ed25519"), None, Reason.UNSUPPORTED_ALGORITHM),
    Case("ed448 root", lambda: _chain("ed448", "p256", "p256"), None, Reason.UNSUPPORTED_ALGORITHM),
    Case("expired", _chain, Reason.EXPIRED, now=LATER),
    Case("not yet valid", _chain, Reason.NOT_YET_VALID, now=EARLIER),
    Case("wrong hostname", _chain, Reason.HOSTNAME_MISMATCH, hostname="other.example"),
    Case("hostname case and trailing dot", _chain, None, hostname="SERVER.Example."),
    Case("wildcard one label", _wildcard, None, hostname="a.example.com"),
    Case("wildcard not the apex", _wildcard, Reason.HOSTNAME_MISMATCH, hostname="example.com"),
    Case("wildcard not two labels", _wildcard, Reason.HOSTNAME_MISMATCH, hostname="a.b.example.com"),
    Case("ipv4 SAN", _wildcard, None, hostname="192.0.2.7"),
    Case("ipv6 SAN", _wildcard, None, hostname="2001:db8::1"),
    Case("ip not in SAN", _wildcard, Reason.HOSTNAME_MISMATCH, hostname="192.0.2.8"),
    Case("unknown issuer", _wrong_anchor, Reason.UNKNOWN_ISSUER),
    Case("missing intermediate", _missing_intermediate, Reason.UNKNOWN_ISSUER),
    Case("bad leaf signature", _flipped_signature, Reason.BAD_SIGNATURE),
    Case("intermediate cA false", _leaf_under_intermediate_variant(ca=False), Reason.NOT_A_CA),
    Case("intermediate no basicConstraints", _leaf_under_intermediate_variant(ca=None), Reason.NOT_A_CA),
    Case("pathLen 0 exceeded", _too_deep, Reason.PATH_TOO_LONG),
    Case("max depth 0", _chain, Reason.PATH_TOO_LONG, max_depth=0),
    Case("max depth 1", _chain, None, max_depth=1),
    Case(
        "intermediate lacks keyCertSign",
        _leaf_under_intermediate_variant(key_usage=("digital_signature",)),
        Reason.KEY_USAGE,
    ),
    # RFC 5280 §6.1.4 (n) checks keyCertSign only "if a key usage extension is present"; the profile requires it.
    Case("intermediate without keyUsage", _leaf_under_intermediate_variant(key_usage=None), None, Reason.KEY_USAGE),
    # RFC 5280 §6.1 does not look at criticality; the profile wants basicConstraints critical (MALFORMED there).
    Case(
        "intermediate basicConstraints not critical",
        _leaf_under_intermediate_variant(
            ca=None, extra_extensions=[(x509.BasicConstraints(ca=True, path_length=None), False)]
        ),
        None,
        Reason.MALFORMED,
    ),
    Case(
        "intermediate EKU clientAuth only",
        _leaf_under_intermediate_variant(extended_key_usage=(ExtendedKeyUsageOID.CLIENT_AUTH,)),
        Reason.EXTENDED_KEY_USAGE,
    ),
    Case(
        "leaf keyUsage without digitalSignature",
        _leaf_under_intermediate(key_usage=("key_encipherment",)),
        Reason.KEY_USAGE,
    ),
    Case(
        "leaf EKU clientAuth for server",
        _leaf_under_intermediate(extended_key_usage=(ExtendedKeyUsageOID.CLIENT_AUTH,)),
        Reason.EXTENDED_KEY_USAGE,
    ),
    # RFC 5280 §4.2.1.12 lets anyExtendedKeyUsage stand for every purpose; the profile does not.
    Case(
        "leaf anyExtendedKeyUsage",
        _leaf_under_intermediate(extended_key_usage=(ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,)),
        None,
        Reason.EXTENDED_KEY_USAGE,
    ),
    Case("leaf without EKU", _leaf_under_intermediate(extended_key_usage=None), None),
    Case(
        "leaf unknown critical extension",
        _leaf_under_intermediate(extra_extensions=[UNKNOWN_CRITICAL]),
        Reason.UNSUPPORTED_CRITICAL_EXTENSION,
    ),
    Case(
        "leaf unknown non-critical extension",
        _leaf_under_intermediate(extra_extensions=[(UNKNOWN_CRITICAL[0], False)]),
        None,
    ),
    Case("self-signed leaf pinned as anchor", _self_signed(ca=False), None),
    # The profile forbids cA on a leaf, so a self-signed CA certificate cannot be its own anchor.
    Case("self-signed CA leaf pinned as anchor", _self_signed(ca=True), None, Reason.NOT_A_CA),
    # A v3 root without basicConstraints: we take anchors as given; the profile requires the extension.
    Case("root without extensions", _root_without_extensions, None, Reason.NOT_A_CA),
    Case("client auth", _client_chain(with_san=True), None, hostname=None, purpose=Purpose.CLIENT_AUTH),
    Case(
        "server EKU for client auth",
        _chain,
        Reason.EXTENDED_KEY_USAGE,
        hostname=None,
        purpose=Purpose.CLIENT_AUTH,
    ),
    # The profile wants a subjectAltName on every leaf.
    Case(
        "client leaf without SAN",
        _client_chain(with_san=False),
        None,
        Reason.MALFORMED,
        hostname=None,
        purpose=Purpose.CLIENT_AUTH,
    ),
]


def _verdict(run: Callable[[], list[Certificate]]) -> Reason | None:
    try:
        path = run()
    except CertificateError as error:
        return error.reason
    assert path, "a successful validation returns the path"
    return None


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_pure_validator(case: Case, crypto: CryptoProvider) -> None:
    leaf, intermediates, anchors = case.build()
    verdict = _verdict(
        lambda: validate_chain(
            leaf,
            intermediates,
            anchors,
            now=case.now,
            crypto=crypto,
            hostname=case.hostname,
            purpose=case.purpose,
            max_depth=case.max_depth,
        )
    )
    assert verdict == case.pure


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_cryptography_verifier(case: Case) -> None:
    """cryptography's verifier checks signatures itself; it is paired with the cryptography provider."""
    from ratscore.x509 import cryptography_verify

    crypto = get_provider("cryptography")

    leaf, intermediates, anchors = case.build()
    verdict = _verdict(
        lambda: cryptography_verify.validate_chain(
            leaf,
            intermediates,
            anchors,
            now=case.now,
            crypto=crypto,
            hostname=case.hostname,
            purpose=case.purpose,
            max_depth=case.max_depth,
        )
    )
    assert verdict == (case.pure if case.cryptography == SAME else case.cryptography)


def test_path_is_leaf_to_anchor(crypto: CryptoProvider) -> None:
    leaf, intermediates, anchors = _chain()
    path = validate_chain(leaf, intermediates, anchors, now=NOW, crypto=crypto, hostname="server.example")
    assert [certificate.der for certificate in path] == [leaf.der, intermediates[0].der, anchors[0].der]


def test_front_routes_eddsa_to_the_pure_validator(crypto: CryptoProvider) -> None:
    leaf, intermediates, anchors = _chain("ed25519", "ed25519", "ed25519")
    path = validate(leaf, intermediates, anchors, now=NOW, crypto=crypto, hostname="server.example")
    assert len(path) == 3


def test_front_rejects_like_the_validators(crypto: CryptoProvider) -> None:
    leaf, intermediates, anchors = _flipped_signature()
    with pytest.raises(CertificateError) as raised:
        validate(leaf, intermediates, anchors, now=NOW, crypto=crypto, hostname="server.example")
    assert raised.value.reason is Reason.BAD_SIGNATURE


def test_any_purpose_without_hostname(crypto: CryptoProvider) -> None:
    leaf, intermediates, anchors = _chain()
    assert len(validate(leaf, intermediates, anchors, now=NOW, crypto=crypto, hostname=None, purpose=Purpose.ANY)) == 3


def test_wrong_same_name_intermediate_is_skipped(crypto: CryptoProvider) -> None:
    """Path building tries every candidate: a same-named impostor CA listed first does not break it."""
    chain = _base()
    impostor = issue(
        chain.intermediate.certificate.subject.get("2.5.4.3")[0],
        key=make_key("p256", "impostor"),
        issuer=chain.root,
        ca=True,
        key_usage=("key_cert_sign",),
        extended_key_usage=None,
        key_identifiers=False,
    )
    leaf = issue(
        "server.example",
        key=make_key("p256", "leaf-noaki"),
        issuer=chain.intermediate,
        dns_names=("server.example",),
        key_identifiers=False,
    )
    path = validate_chain(
        leaf.certificate,
        [impostor.certificate, chain.intermediate.certificate],
        chain.anchors,
        now=NOW,
        crypto=crypto,
        hostname="server.example",
    )
    assert path[1].der == chain.intermediate.certificate.der


def test_key_agreement_leaf_for_edhoc(crypto: CryptoProvider) -> None:
    chain = _base()
    leaf = issue(
        "device",
        key=make_key("p256", "dh"),
        issuer=chain.intermediate,
        key_usage=("key_agreement",),
        extended_key_usage=None,
    )
    with pytest.raises(CertificateError):
        validate_chain(
            leaf.certificate,
            chain.intermediates,
            chain.anchors,
            now=NOW,
            crypto=crypto,
            hostname=None,
            purpose=Purpose.ANY,
        )
    path = validate_chain(
        leaf.certificate,
        chain.intermediates,
        chain.anchors,
        now=NOW,
        crypto=crypto,
        hostname=None,
        purpose=Purpose.ANY,
        required_key_usage=KeyUsage.KEY_AGREEMENT,
    )
    assert len(path) == 3


def test_bad_arguments(crypto: CryptoProvider) -> None:
    leaf, intermediates, anchors = _chain()
    with pytest.raises(LocalProtocolError):
        validate_chain(leaf, intermediates, [], now=NOW, crypto=crypto, hostname=None)
    with pytest.raises(LocalProtocolError):
        validate_chain(leaf, intermediates, anchors, now=NOW.replace(tzinfo=None), crypto=crypto, hostname=None)


# ---------------------------------------------------------------------------
# Pinned keys and RFC 7250 raw public keys


def test_pinned_certificate_and_raw_key() -> None:
    leaf, _, _ = _chain()
    other, _, _ = _chain("p384", "p384", "p384")
    pins = PinnedKeyVerifier(spkis=[leaf.spki_der])
    assert pins.verify_certificate(leaf) == leaf.public_key
    assert pins.verify_raw_public_key(leaf.spki_der) == leaf.public_key
    with pytest.raises(CertificateError) as raised:
        pins.verify_certificate(other)
    assert raised.value.reason is Reason.UNKNOWN_ISSUER
    with pytest.raises(CertificateError):
        pins.verify_raw_public_key(other.spki_der)


def test_pinned_by_sha256() -> None:
    import hashlib

    leaf, _, _ = _chain()
    pins = PinnedKeyVerifier(sha256_digests=[hashlib.sha256(leaf.spki_der).digest()])
    assert pins.is_pinned(leaf.spki_der)
    assert not pins.is_pinned(leaf.spki_der + b"\x00")
    with pytest.raises(LocalProtocolError):
        PinnedKeyVerifier()
    with pytest.raises(LocalProtocolError):
        PinnedKeyVerifier(sha256_digests=[b"short"])
