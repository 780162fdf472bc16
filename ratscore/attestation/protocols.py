"""The Attester and Verifier protocols and the typed appraisal result.

An ``Attester`` turns a *binder* (the bytes a hosting protocol derives to tie
evidence to its session: a TLS exporter value, an EDHOC transcript hash, a
challenge nonce) into Evidence packaged as a CMW (RFC 9999).  A ``Verifier``
appraises a CMW against the binder it expects and the current time and returns an
``AttestationResult`` that says which claim failed and why: never a bare bool.

Freshness is checked against a ``NonceStore``; ``MemoryNonceStore`` is a bounded
in-memory one (single use, expiry), enough for the helpers here and for tests.
The policy-file verifier and the TPM / configfs-tsm attesters plug in through
these same protocols.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ratscore.errors import LocalProtocolError

from .cmw import Cmw
from .ear import TrustCategory, TrustTier
from .errors import AttestationError, ReplayedNonce, StaleNonce

__all__ = [
    "AttestationResult",
    "Attester",
    "Binding",
    "ClaimFailure",
    "MemoryNonceStore",
    "NonceStore",
    "Verifier",
    "epoch_seconds",
]


class Binding(enum.Enum):
    """Where the binder goes in the evidence."""

    EAT_NONCE = "eat_nonce"  # the binder is the eat_nonce claim (RFC 9711 §4.1)
    EXTERNAL_AAD = "external_aad"  # the binder is COSE external_aad (RFC 9052 §4.3), not in the claims


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimFailure:
    """One failed check: the claim (if any), the error class and its message."""

    claim: str | None
    error: type[AttestationError]
    reason: str

    @classmethod
    def of(cls, error: AttestationError) -> ClaimFailure:
        return cls(claim=error.claim, error=type(error), reason=str(error))


@dataclass(frozen=True, slots=True, kw_only=True)
class AttestationResult:
    """The outcome of one appraisal."""

    status: TrustTier
    trust_vector: Mapping[TrustCategory, int] = field(default_factory=dict)
    failures: tuple[ClaimFailure, ...] = ()
    claims: Any = None
    """The verified claims (e.g. ``EatClaims``), when the signature verified."""
    media_type: str | None = None

    @property
    def affirming(self) -> bool:
        return self.status is TrustTier.AFFIRMING and not self.failures

    def raise_for_status(self) -> None:
        """Raise the first failure as its own error class (for callers that prefer exceptions)."""
        if self.failures:
            failure = self.failures[0]
            raise failure.error(failure.reason, claim=failure.claim)


@runtime_checkable
class Attester(Protocol):
    """Produces Evidence for a binder, packaged as a CMW."""

    @property
    def media_type(self) -> str: ...

    def evidence(self, binder: bytes) -> Cmw: ...


@runtime_checkable
class Verifier(Protocol):
    """Appraises Evidence against the binder the relying party computed."""

    def appraise(self, evidence: Cmw, *, binder: bytes, now: int | datetime) -> AttestationResult: ...


class NonceStore(Protocol):
    """Single-use nonces: ``consume`` raises ``ReplayedNonce`` / ``StaleNonce`` or records the nonce."""

    def consume(self, nonce: bytes, now: int) -> None: ...


class MemoryNonceStore:
    """Issued nonces, each accepted once within ``lifetime`` seconds; at most ``capacity`` kept.

    ``issue`` records a nonce the verifier handed out; ``consume`` accepts it once.
    With ``require_issued=False`` any unseen nonce is accepted once (replay detection only).
    """

    def __init__(self, *, lifetime: int = 300, capacity: int = 10_000, require_issued: bool = True) -> None:
        self._lifetime = lifetime
        self._capacity = capacity
        self._require_issued = require_issued
        self._issued: OrderedDict[bytes, int] = OrderedDict()
        self._used: OrderedDict[bytes, int] = OrderedDict()

    def issue(self, nonce: bytes, now: int) -> None:
        self._expire(now)
        self._issued[bytes(nonce)] = now + self._lifetime
        while len(self._issued) > self._capacity:
            self._issued.popitem(last=False)

    def consume(self, nonce: bytes, now: int) -> None:
        self._expire(now)
        nonce = bytes(nonce)
        if nonce in self._used:
            raise ReplayedNonce("nonce has already been used", claim="eat_nonce")
        expiry = self._issued.pop(nonce, None)
        if expiry is None and self._require_issued:
            raise StaleNonce("nonce was not issued by this verifier or has expired", claim="eat_nonce")
        self._used[nonce] = expiry if expiry is not None else now + self._lifetime
        while len(self._used) > self._capacity:
            self._used.popitem(last=False)

    def _expire(self, now: int) -> None:
        for table in (self._issued, self._used):
            for nonce in [n for n, expiry in table.items() if expiry <= now]:
                del table[nonce]


def epoch_seconds(now: int | datetime) -> int:
    """Seconds since the epoch from an int or an aware datetime."""
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise LocalProtocolError("now must be timezone-aware")
        return int(now.timestamp())
    return int(now)
