"""Pinned public keys and raw public keys (RFC 7250), for peers without a PKI.

A ``PinnedKeyVerifier`` holds a set of SubjectPublicKeyInfo DER encodings and/or
their SHA-256 digests (the form of RFC 7469 pins, without the base64).  It
accepts a peer when the SPKI the peer presented is in the set, and nothing else
about the peer is examined: no chain, no validity period, no names.  That is the
whole trust decision for a pinned key, so configure the set deliberately.

* An X.509 leaf: its ``spki_der`` (the exact bytes inside the certificate) is
  looked up; intermediates are ignored.
* An RFC 7250 raw public key: in TLS 1.3 the Certificate entry's cert_data *is*
  the SPKI DER (RFC 7250 §3), so it is looked up as is.

SPKIs are compared as the exact DER bytes.  An SPKI that encodes the same key
differently (a compressed EC point, id-RSASSA-PSS instead of rsaEncryption) is a
different pin; normalise through ``public_key_to_spki`` when building the set if
that matters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ratscore.crypto.encoding import public_key_from_spki
from ratscore.crypto.types import PublicKey
from ratscore.errors import CryptoError, DecodeError, LocalProtocolError

from .certificate import Certificate
from .errors import CertificateError, CertificateErrorReason

__all__ = ["PinnedKeyVerifier"]


class PinnedKeyVerifier:
    """Accept exactly the configured public keys (see module doc)."""

    __slots__ = ("_digests",)

    def __init__(self, *, spkis: Iterable[bytes] = (), sha256_digests: Iterable[bytes] = ()) -> None:
        digests = {hashlib.sha256(bytes(spki)).digest() for spki in spkis}
        for digest in sha256_digests:
            if len(digest) != 32:
                raise LocalProtocolError("a SHA-256 pin must be 32 bytes")
            digests.add(bytes(digest))
        if not digests:
            raise LocalProtocolError("PinnedKeyVerifier needs at least one pin")
        self._digests = frozenset(digests)

    def is_pinned(self, spki_der: bytes) -> bool:
        return hashlib.sha256(spki_der).digest() in self._digests

    def verify_raw_public_key(self, spki_der: bytes) -> PublicKey:
        """RFC 7250: accept a raw SubjectPublicKeyInfo if pinned; return the parsed key."""
        if not self.is_pinned(spki_der):
            raise CertificateError(CertificateErrorReason.UNKNOWN_ISSUER, "raw public key is not pinned")
        try:
            return public_key_from_spki(spki_der)
        except (DecodeError, CryptoError) as exc:
            reason = CertificateErrorReason.UNSUPPORTED_ALGORITHM
            raise CertificateError(reason, f"pinned key unusable: {exc}") from None

    def verify_certificate(self, leaf: Certificate) -> PublicKey:
        """Accept an X.509 leaf whose SPKI is pinned; return its public key."""
        if not self.is_pinned(leaf.spki_der):
            raise CertificateError(CertificateErrorReason.UNKNOWN_ISSUER, f"{leaf.subject}: public key is not pinned")
        if leaf.public_key is None:
            raise CertificateError(CertificateErrorReason.UNSUPPORTED_ALGORITHM, "pinned key type is not supported")
        return leaf.public_key
