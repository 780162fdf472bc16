"""Errors of the attestation layer and the size limits every decoder applies.

Every failure has its own class so a caller (and the typed ``AttestationResult``)
can say *which* check failed.  All are ``RemoteProtocolError`` subclasses, since
evidence and results come from outside; those raised while decoding bytes are
also ``DecodeError`` subclasses, so the fuzz invariant of the code base holds:
arbitrary bytes fed to a decoder raise only ``DecodeError`` / ``AttestationError``.

``claim`` names the claim (or field) that failed, when there is one.
"""

from __future__ import annotations

from typing import Final

from ratscore.errors import DecodeError, RemoteProtocolError

__all__ = [
    "DEFAULT_MAX_SIZE",
    "AttestationError",
    "BadSignature",
    "ExpiredToken",
    "FreshnessError",
    "InvalidClaim",
    "MalformedEvidence",
    "MeasurementMismatch",
    "MissingClaim",
    "OversizedObject",
    "ReplayedNonce",
    "StaleNonce",
    "UnknownMediaType",
    "UnsupportedProfile",
    "UntrustedKey",
    "check_size",
]

DEFAULT_MAX_SIZE: Final = 64 * 1024
"""Default ceiling, in bytes, for one encoded CMW, EAT or EAR handed to a decoder."""


class AttestationError(RemoteProtocolError):
    """Root of every attestation failure.  ``claim`` names the failing claim, if any."""

    def __init__(self, message: str, *, claim: str | None = None) -> None:
        super().__init__(message)
        self.claim = claim


class MalformedEvidence(AttestationError, DecodeError):
    """Bytes that do not decode to the expected structure (bad CBOR/JSON, wrong tag or shape)."""


class OversizedObject(MalformedEvidence):
    """An encoded object exceeds the decoder's size limit; rejected before parsing."""


class InvalidClaim(MalformedEvidence):
    """A claim is present but has the wrong type or an out-of-range value."""


class MissingClaim(MalformedEvidence):
    """A claim the format or profile requires is absent."""


class UnknownMediaType(AttestationError, DecodeError):
    """A CMW type, content format or CBOR tag that nothing here understands."""


class UnsupportedProfile(AttestationError):
    """An ``eat_profile`` that the consumer does not implement."""


class BadSignature(AttestationError):
    """A COSE or JWS signature (or MAC) did not verify, or used an unacceptable algorithm."""


class UntrustedKey(AttestationError):
    """The token was signed by a key that is not among the trusted keys."""


class FreshnessError(AttestationError):
    """Evidence or a result is not fresh."""


class StaleNonce(FreshnessError):
    """The nonce in the evidence is not the binder the verifier expected (or has expired)."""


class ReplayedNonce(FreshnessError):
    """The nonce has been seen before: single-use nonces must not be accepted twice."""


class ExpiredToken(FreshnessError):
    """A token's ``exp`` has passed, or its ``nbf`` / ``iat`` lies in the future."""


class MeasurementMismatch(AttestationError):
    """A measurement differs from its reference value, or a reference value has no measurement."""


def check_size(data: bytes | str, limit: int, what: str) -> None:
    """Raise ``OversizedObject`` when ``data`` is longer than ``limit`` bytes/characters."""
    if len(data) > limit:
        raise OversizedObject(f"{what} is {len(data)} bytes, over the {limit}-byte limit")
