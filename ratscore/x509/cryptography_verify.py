"""Path validation through ``cryptography.x509.verification`` (imported only when present).

Same signature and the same ``CertificateError`` reasons as ``verify.validate_chain``;
cryptography's own error text is kept in the message.  Its verifier implements the
CA/Browser Forum (web PKI) profile on top of RFC 5280, so it is stricter than our
pure validator.  Differences measured with cryptography 50 (each one is a case in
tests/ratscore/x509/test_validators.py, which pins both verdicts):

* EdDSA is forbidden: an Ed25519/Ed448 signature or CA key fails with
  UNSUPPORTED_ALGORITHM (``ratscore.x509.validate`` sends such chains to the pure
  validator; see ``profile_allows``).
* CA certificates (the trust anchor included) need basicConstraints, marked
  critical, and a keyUsage extension.  A v1 root without extensions is refused
  (NOT_A_CA).  RFC 5280 §6.1 and our validator check neither criticality nor the
  presence of keyUsage, and take anchors as given.
* The leaf must carry a subjectAltName, even for client verification (MALFORMED
  here), must not assert cA (so a self-signed CA certificate cannot be pinned as
  its own anchor), and anyExtendedKeyUsage does not stand in for the purpose.
* The library does not check the leaf's keyUsage; this module adds that check
  (digitalSignature) after a successful verification, so both validators agree.
* "Not valid at validation time" does not say which end failed; we derive
  EXPIRED / NOT_YET_VALID from the certificates given.
* Name constraints are processed there; our pure validator rejects them as an
  unsupported critical extension.

Only two verifiers exist there: server (needs a hostname or IP subject) and client
(EKU clientAuth).  ``can_express`` says whether a request maps to one of them;
``ratscore.x509.validate`` uses the pure validator for the rest.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
from collections.abc import Sequence

from cryptography import x509
from cryptography.x509 import verification

from ratscore.crypto.types import CryptoProvider, KeyType, SignatureAlgorithm
from ratscore.errors import LocalProtocolError

from .certificate import Certificate
from .errors import CertificateError, CertificateErrorReason, Purpose
from .extensions import KeyUsage
from .verify import DEFAULT_MAX_DEPTH

__all__ = ["can_express", "profile_allows", "validate_chain"]

Reason = CertificateErrorReason

# Substrings of cryptography 50's VerificationError texts, most specific first (probed against
# the test PKI in tests/ratscore/x509/test_validators.py; unknown texts fall back to UNKNOWN_ISSUER).
_MESSAGE_REASONS = (
    ("unaccounted-for critical extension", Reason.UNSUPPORTED_CRITICAL_EXTENSION),
    ("no matching subjectaltname", Reason.HOSTNAME_MISMATCH),
    ("incorrect criticality", Reason.MALFORMED),  # e.g. basicConstraints not critical in a CA
    ("forbidden", Reason.UNSUPPORTED_ALGORITHM),
    ("unsupported", Reason.UNSUPPORTED_ALGORITHM),
    ("signature", Reason.BAD_SIGNATURE),
    ("path length", Reason.PATH_TOO_LONG),
    ("max depth", Reason.PATH_TOO_LONG),
    ("basicconstraints", Reason.NOT_A_CA),
    ("2.5.29.19", Reason.NOT_A_CA),
    ("keyusage", Reason.KEY_USAGE),
    ("2.5.29.15", Reason.KEY_USAGE),
    ("eku", Reason.EXTENDED_KEY_USAGE),
    ("2.5.29.37", Reason.EXTENDED_KEY_USAGE),
    ("2.5.29.17", Reason.MALFORMED),  # the profile requires a subjectAltName on every leaf
)
_NOT_VALID_NOW = "not valid at validation time"


def can_express(*, purpose: Purpose, hostname: str | None) -> bool:
    """Whether cryptography's verifier can check this request."""
    if purpose is Purpose.SERVER_AUTH:
        return hostname is not None
    return purpose is Purpose.CLIENT_AUTH and hostname is None


def profile_allows(certificates: Sequence[Certificate]) -> bool:
    """False when a certificate uses EdDSA, which the library's web-PKI profile forbids
    (it permits RSA and ECDSA only, for keys of CAs and for signatures)."""
    for certificate in certificates:
        key = certificate.public_key
        if certificate.signature_algorithm in _EDDSA or (key is not None and key.key_type in _EDDSA_KEYS):
            return False
    return True


_EDDSA = (SignatureAlgorithm.ED25519, SignatureAlgorithm.ED448)
_EDDSA_KEYS = (KeyType.ED25519, KeyType.ED448)


# Both are pure functions of their arguments, called once per handshake with the same values:
# memoised (bounded) so a client does not rebuild them for every connection.
@functools.lru_cache(maxsize=256)
def _library_certificate(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


# A Store is an immutable set of anchors; the library indexes it on first use, so a fresh one per
# validation costs as much as a fifth of the verification.  Keyed by the anchors' exact DER.
@functools.lru_cache(maxsize=64)
def _store(anchor_ders: tuple[bytes, ...]) -> verification.Store:
    return verification.Store([_library_certificate(der) for der in anchor_ders])


@functools.lru_cache(maxsize=256)
def _subject(hostname: str) -> verification.Subject:
    try:
        return x509.IPAddress(ipaddress.ip_address(hostname))
    except ValueError:
        pass
    try:
        return x509.DNSName(hostname.removesuffix("."))
    except ValueError:
        raise CertificateError(Reason.HOSTNAME_MISMATCH, f"{hostname!r} is not a valid DNS name") from None


# Verifiers are immutable; a client validating many handshakes per second rebuilds the same one.
# Keyed by the hostname string: a library Subject would be hashed by Python code on every lookup.
@functools.lru_cache(maxsize=64)
def _server_verifier(
    anchor_ders: tuple[bytes, ...], hostname: str, max_depth: int, second: datetime.datetime
) -> verification.ServerVerifier:
    builder = verification.PolicyBuilder().store(_store(anchor_ders)).time(second).max_chain_depth(max_depth)
    return builder.build_server_verifier(_subject(hostname))


@functools.lru_cache(maxsize=64)
def _client_verifier(
    anchor_ders: tuple[bytes, ...], max_depth: int, second: datetime.datetime
) -> verification.ClientVerifier:
    builder = verification.PolicyBuilder().store(_store(anchor_ders)).time(second).max_chain_depth(max_depth)
    return builder.build_client_verifier()


def _reason(message: str, certificates: Sequence[Certificate], now: datetime.datetime) -> Reason:
    lowered = message.lower()
    if _NOT_VALID_NOW in lowered:  # the library does not say which end of the period failed
        if any(now > certificate.not_after for certificate in certificates):
            return Reason.EXPIRED
        return Reason.NOT_YET_VALID
    for needle, reason in _MESSAGE_REASONS:
        if needle in lowered:
            return reason
    return Reason.UNKNOWN_ISSUER


def validate_chain(
    leaf: Certificate,
    intermediates: Sequence[Certificate],
    trust_anchors: Sequence[Certificate],
    *,
    now: datetime.datetime,
    crypto: CryptoProvider,
    hostname: str | None,
    purpose: Purpose = Purpose.SERVER_AUTH,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> list[Certificate]:
    """``verify.validate_chain`` on cryptography's verifier; ``crypto`` is unused (the library verifies)."""
    del crypto
    if now.tzinfo is None:
        raise LocalProtocolError("validation time must be timezone-aware")
    if not trust_anchors:
        raise LocalProtocolError("no trust anchors configured")
    if not can_express(purpose=purpose, hostname=hostname):
        raise LocalProtocolError(f"cryptography's verifier cannot check {purpose.name} with hostname {hostname!r}")
    ours = (leaf, *intermediates, *trust_anchors)
    try:
        peer = _library_certificate(leaf.der)
        chain = [_library_certificate(certificate.der) for certificate in intermediates] if intermediates else []
        anchors = tuple([anchor.der for anchor in trust_anchors])
        # The library keeps whole seconds of the validation time (X.509 times have no finer
        # grain), so a verifier built for this second judges exactly as one built for ``now``.
        second = now.replace(microsecond=0)
        if hostname is not None:
            verified = _server_verifier(anchors, hostname, max_depth, second).verify(peer, chain)
        else:
            verified = _client_verifier(anchors, max_depth, second).verify(peer, chain).chain
    except verification.VerificationError as exc:
        raise CertificateError(_reason(str(exc), list(ours), now), str(exc)) from None
    except ValueError as exc:  # the library could not parse something we could
        raise CertificateError(Reason.MALFORMED, str(exc)) from None
    # The library does not look at the leaf's keyUsage; RFC 5280 §4.2.1.3 applies it here as in verify.py.
    if leaf.key_usage is not None and KeyUsage.DIGITAL_SIGNATURE not in leaf.key_usage:
        raise CertificateError(Reason.KEY_USAGE, f"{leaf.subject}: keyUsage lacks digital_signature")
    # Map the library's path back to our objects; certificates compare by their DER (Rust side).
    library = [peer, *chain, *[_library_certificate(anchor.der) for anchor in trust_anchors]]
    return [ours[library.index(certificate)] for certificate in verified]
