"""Pure certification path validation (RFC 5280 §6.1, for TLS and EDHOC peers).

Theory of operation: two phases.

1. *Path building.*  A depth-first search from the leaf: a candidate issuer is any
   trust anchor or intermediate whose subject matches the current certificate's
   issuer (RFC 5280 §7.1 comparison) and, when both key identifiers are present,
   whose subjectKeyIdentifier equals the certificate's authorityKeyIdentifier
   (§4.2.1.1).  Anchors are tried before intermediates, so the shortest paths come
   first.  The search visits a bounded number of nodes, so hostile bags of
   intermediates cost little.
2. *Path checking.*  Each complete path (leaf ... anchor) is checked in full;
   the first that passes is returned.  If none passes, the error of the first
   path tried is raised (or UNKNOWN_ISSUER / PATH_TOO_LONG when no path reached an
   anchor).  Signatures are checked first, from the anchor down, so no content of
   an unauthenticated certificate decides the verdict; then validity, critical
   extensions, CA constraints, and the leaf's usage and name.

Profile (each point fail-closed, and documented in ``docs`` by the caller):

* Trust anchors are taken as given (RFC 5280 §6.1.1 d): their signatures are not
  checked, but their validity period is, and — in the spirit of RFC 5937 — their
  basicConstraints, pathLenConstraint and keyUsage when present.  A leaf whose DER
  equals an anchor validates as a path of one (a pinned self-signed certificate).
* No revocation checking (no CRL or OCSP), no policy processing, no name
  constraints.  A critical certificatePolicies is accepted, since with
  initial-any-policy and no explicit-policy requirement §6.1 cannot fail on it;
  critical nameConstraints, policyConstraints, policyMappings and
  inhibitAnyPolicy are rejected as unsupported.
* Version 1 and 2 intermediates are rejected (§6.1.4 k: no out-of-band CA knowledge).
* EKU: the leaf's, when present, must contain the purpose or anyExtendedKeyUsage;
  the same is required of intermediates that carry an EKU (the de facto "EKU
  chaining" of browsers; RFC 5280 itself leaves CA EKUs unconstrained).
* Hostnames: see ``hostname.py``; no commonName fallback.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence

from ratscore.crypto.types import CryptoProvider, EcdsaEncoding
from ratscore.errors import CryptoError, LocalProtocolError, UnsupportedAlgorithm

from . import extensions as ext
from .certificate import Certificate
from .errors import CertificateError, CertificateErrorReason, Purpose
from .hostname import hostname_matches
from .names import names_match

__all__ = ["DEFAULT_MAX_DEPTH", "validate_chain"]

DEFAULT_MAX_DEPTH = 8  # intermediates between leaf and anchor
_MAX_SEARCH_NODES = 256

Reason = CertificateErrorReason

# RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters
# a critical extension it does not recognize"; these are the ones this module processes.
_UNDERSTOOD_EXTENSIONS = frozenset(
    {
        ext.OID_BASIC_CONSTRAINTS,
        ext.OID_KEY_USAGE,
        ext.OID_EXTENDED_KEY_USAGE,
        ext.OID_SUBJECT_ALT_NAME,
        ext.OID_AUTHORITY_KEY_IDENTIFIER,
        ext.OID_SUBJECT_KEY_IDENTIFIER,
        ext.OID_CERTIFICATE_POLICIES,
    }
)


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
    required_key_usage: ext.KeyUsage | None = ext.KeyUsage.DIGITAL_SIGNATURE,
) -> list[Certificate]:
    """Validate ``leaf`` to one of ``trust_anchors``; return the path leaf first, anchor last.

    ``max_depth`` bounds the intermediates between leaf and anchor.  ``required_key_usage``
    is what a leaf keyUsage extension, when present, must allow (digitalSignature for
    TLS 1.3 CertificateVerify; keyAgreement for an EDHOC static DH key).  Raises
    ``CertificateError`` with a reason; ``LocalProtocolError`` for bad arguments.
    """
    if now.tzinfo is None:
        raise LocalProtocolError("validation time must be timezone-aware")
    if not trust_anchors:
        raise LocalProtocolError("no trust anchors configured")
    if max_depth < 0:
        raise LocalProtocolError("max_depth must not be negative")
    checker = _PathChecker(
        now=now, crypto=crypto, hostname=hostname, purpose=purpose, required_key_usage=required_key_usage
    )
    search = _PathSearch(leaf, intermediates, trust_anchors, max_depth)
    first_error: CertificateError | None = None
    for path in search.paths():
        try:
            checker.check(path)
        except CertificateError as error:
            first_error = first_error or error
            continue
        return path
    if first_error is not None:
        raise first_error
    if search.too_long:
        raise CertificateError(Reason.PATH_TOO_LONG, f"no path to a trust anchor within {max_depth} intermediates")
    raise CertificateError(Reason.UNKNOWN_ISSUER, f"no trust anchor or intermediate issued {leaf.issuer}")


def _may_issue(issuer: Certificate, certificate: Certificate) -> bool:
    """RFC 5280 §6.1.4 (name chaining) with §4.2.1.1 key identifiers as a filter."""
    if not names_match(issuer.subject, certificate.issuer):
        return False
    authority = certificate.authority_key_identifier
    if authority is not None and authority.key_identifier is not None and issuer.subject_key_identifier is not None:
        return authority.key_identifier == issuer.subject_key_identifier
    return True


class _PathSearch:
    """Depth-first enumeration of candidate paths (see module doc)."""

    def __init__(
        self, leaf: Certificate, intermediates: Sequence[Certificate], anchors: Sequence[Certificate], max_depth: int
    ) -> None:
        self._leaf = leaf
        self._anchors = list(anchors)
        anchor_ders = {anchor.der for anchor in anchors}
        self._leaf_is_anchor = leaf.der in anchor_ders
        seen: set[bytes] = {leaf.der, *anchor_ders}
        self._intermediates = []
        for certificate in intermediates:  # drop duplicates, the leaf and anchors sent along
            if certificate.der not in seen:
                seen.add(certificate.der)
                self._intermediates.append(certificate)
        self._max_depth = max_depth
        self._budget = _MAX_SEARCH_NODES
        self.too_long = False

    def paths(self) -> Iterator[list[Certificate]]:
        if self._leaf_is_anchor:
            yield [self._leaf]
        yield from self._extend([self._leaf])

    def _extend(self, path: list[Certificate]) -> Iterator[list[Certificate]]:
        current = path[-1]
        for anchor in self._anchors:
            if anchor.der != current.der and _may_issue(anchor, current):
                yield [*path, anchor]
        for intermediate in self._intermediates:
            if self._budget <= 0:
                return
            if any(intermediate.der == member.der for member in path) or not _may_issue(intermediate, current):
                continue
            if len(path) > self._max_depth:  # path holds the leaf and len(path) - 1 intermediates
                self.too_long = True
                continue
            self._budget -= 1
            yield from self._extend([*path, intermediate])


class _PathChecker:
    """Full RFC 5280 §6.1 style checks of one candidate path (see module doc)."""

    def __init__(
        self,
        *,
        now: datetime.datetime,
        crypto: CryptoProvider,
        hostname: str | None,
        purpose: Purpose,
        required_key_usage: ext.KeyUsage | None,
    ) -> None:
        self._now = now
        self._crypto = crypto
        self._hostname = hostname
        self._purpose = purpose
        self._required_key_usage = required_key_usage
        self._signature_verdicts: dict[tuple[bytes, bytes], CertificateError | None] = {}

    def check(self, path: list[Certificate]) -> None:
        anchor_index = len(path) - 1
        for index in range(anchor_index - 1, -1, -1):  # from the anchor down
            self._check_signature(path[index], path[index + 1])
        for certificate in path:
            self._check_validity(certificate)
            self._check_critical_extensions(certificate)
        for index in range(1, len(path)):
            self._check_issuer(path, index, is_anchor=index == anchor_index)
        self._check_leaf(path[0])

    def _check_signature(self, certificate: Certificate, issuer: Certificate) -> None:
        key = (certificate.der, issuer.der)
        if key not in self._signature_verdicts:
            self._signature_verdicts[key] = self._verify_signature(certificate, issuer)
        verdict = self._signature_verdicts[key]
        if verdict is not None:
            raise verdict

    def _verify_signature(self, certificate: Certificate, issuer: Certificate) -> CertificateError | None:
        algorithm = certificate.signature_algorithm
        if algorithm is None:
            return CertificateError(
                Reason.UNSUPPORTED_ALGORITHM,
                f"{certificate.subject}: signature algorithm {certificate.signature_algorithm_oid} is not supported",
            )
        if certificate.signature_unused_bits:
            return CertificateError(Reason.BAD_SIGNATURE, f"{certificate.subject}: signature is not whole octets")
        if issuer.public_key is None:
            return CertificateError(Reason.UNSUPPORTED_ALGORITHM, f"{issuer.subject}: public key type is not supported")
        if issuer.public_key.key_type not in algorithm.compatible_key_types():
            return CertificateError(
                Reason.BAD_SIGNATURE,
                f"{certificate.subject}: {algorithm.label} signature cannot come from a "
                f"{issuer.public_key.key_type.label} key",
            )
        try:
            # RFC 5280 §4.1.1.3: the signature is computed over the DER of tbsCertificate.
            self._crypto.verify(
                issuer.public_key, certificate.signature, certificate.tbs_der, algorithm, encoding=EcdsaEncoding.DER
            )
        except UnsupportedAlgorithm as exc:
            return CertificateError(Reason.UNSUPPORTED_ALGORITHM, f"{certificate.subject}: {exc}")
        except CryptoError:
            return CertificateError(
                Reason.BAD_SIGNATURE, f"{certificate.subject}: signature by {issuer.subject} does not verify"
            )
        return None

    def _check_validity(self, certificate: Certificate) -> None:
        # RFC 5280 §4.1.2.5: the validity period includes both notBefore and notAfter.
        if self._now < certificate.not_before:
            raise CertificateError(
                Reason.NOT_YET_VALID, f"{certificate.subject}: not valid before {certificate.not_before.isoformat()}"
            )
        if self._now > certificate.not_after:
            raise CertificateError(
                Reason.EXPIRED, f"{certificate.subject}: expired at {certificate.not_after.isoformat()}"
            )

    @staticmethod
    def _check_critical_extensions(certificate: Certificate) -> None:
        for extension in certificate.extensions.values():  # RFC 5280 §4.2, §6.1.4 (o)
            if extension.critical and extension.oid not in _UNDERSTOOD_EXTENSIONS:
                raise CertificateError(
                    Reason.UNSUPPORTED_CRITICAL_EXTENSION,
                    f"{certificate.subject}: unsupported critical extension {extension.oid}",
                )

    def _check_issuer(self, path: list[Certificate], index: int, *, is_anchor: bool) -> None:
        certificate = path[index]
        constraints = certificate.basic_constraints
        # RFC 5280 §6.1.4 (k): basicConstraints present with cA TRUE (v1/v2: rejected, no out-of-band
        # knowledge).  Anchors are trusted as configured unless they say outright they are no CA.
        if is_anchor:
            if constraints is not None and not constraints.ca:
                raise CertificateError(Reason.NOT_A_CA, f"trust anchor {certificate.subject} has cA FALSE")
        elif constraints is None or not constraints.ca:
            raise CertificateError(Reason.NOT_A_CA, f"{certificate.subject} is not a CA certificate")
        # RFC 5280 §6.1.4 (l), (m): pathLenConstraint counts the non-self-issued intermediates below.
        if constraints is not None and constraints.path_length is not None:
            below = sum(1 for member in path[1:index] if not member.is_self_issued)
            if below > constraints.path_length:
                raise CertificateError(
                    Reason.PATH_TOO_LONG,
                    f"{certificate.subject}: pathLenConstraint {constraints.path_length} exceeded by {below}",
                )
        # RFC 5280 §6.1.4 (n): "If a key usage extension is present, verify that the keyCertSign bit is set."
        if certificate.key_usage is not None and ext.KeyUsage.KEY_CERT_SIGN not in certificate.key_usage:
            raise CertificateError(Reason.KEY_USAGE, f"{certificate.subject}: keyUsage lacks keyCertSign")
        if not is_anchor:
            self._check_extended_key_usage(certificate)

    def _check_extended_key_usage(self, certificate: Certificate) -> None:
        # RFC 5280 §4.2.1.12: "the certificate MUST only be used for one of the purposes indicated".
        purposes = certificate.extended_key_usage
        if self._purpose is Purpose.ANY or purposes is None:
            return
        if self._purpose.value not in purposes and ext.OID_ANY_EXTENDED_KEY_USAGE not in purposes:
            raise CertificateError(
                Reason.EXTENDED_KEY_USAGE,
                f"{certificate.subject}: extendedKeyUsage does not allow {self._purpose.name.lower()}",
            )

    def _check_leaf(self, leaf: Certificate) -> None:
        if leaf.public_key is None:
            raise CertificateError(Reason.UNSUPPORTED_ALGORITHM, f"{leaf.subject}: public key type is not supported")
        # RFC 5280 §4.2.1.3: the key may be used only as keyUsage allows, when it is present.
        required = self._required_key_usage
        if leaf.key_usage is not None and required is not None and required not in leaf.key_usage:
            raise CertificateError(Reason.KEY_USAGE, f"{leaf.subject}: keyUsage lacks {required.name.lower()}")
        self._check_extended_key_usage(leaf)
        if self._hostname is not None and not hostname_matches(leaf.subject_alt_name, self._hostname):
            raise CertificateError(
                Reason.HOSTNAME_MISMATCH, f"{leaf.subject}: subjectAltName does not name {self._hostname!r}"
            )
