"""Attestation formats and plug-ins: CMW (RFC 9999), EAT (RFC 9711), EAR
(draft-ietf-rats-ear-03), the Attester / Verifier protocols and the software attester.

Modules: ``cmw`` (wrappers), ``media`` (media types, TN()), ``eat`` (claims, CWT,
JWT), ``measured`` (EAT measured component), ``ear`` (attestation results),
``jose`` (JWS compact for JWTs), ``protocols`` (Attester, Verifier, results,
nonce store), ``software`` (the embedded software attester), ``errors``.
"""

from __future__ import annotations

from . import cmw, ear, eat, jose, measured, media, software
from .cmw import Cmw, CmwCollection, CmwRecord, CmwTag, Indicator
from .ear import Ear, EarAppraisal, TrustCategory, TrustTier, VerifierId
from .eat import Claim, EatClaims
from .errors import (
    AttestationError,
    BadSignature,
    ExpiredToken,
    FreshnessError,
    InvalidClaim,
    MalformedEvidence,
    MeasurementMismatch,
    MissingClaim,
    OversizedObject,
    ReplayedNonce,
    StaleNonce,
    UnknownMediaType,
    UnsupportedProfile,
    UntrustedKey,
)
from .measured import MeasuredComponent
from .protocols import AttestationResult, Attester, Binding, ClaimFailure, MemoryNonceStore, NonceStore, Verifier
from .software import SoftwareAttester

__all__ = [
    "AttestationError",
    "AttestationResult",
    "Attester",
    "BadSignature",
    "Binding",
    "Claim",
    "ClaimFailure",
    "Cmw",
    "CmwCollection",
    "CmwRecord",
    "CmwTag",
    "Ear",
    "EarAppraisal",
    "EatClaims",
    "ExpiredToken",
    "FreshnessError",
    "Indicator",
    "InvalidClaim",
    "MalformedEvidence",
    "MeasuredComponent",
    "MeasurementMismatch",
    "MemoryNonceStore",
    "MissingClaim",
    "NonceStore",
    "OversizedObject",
    "ReplayedNonce",
    "SoftwareAttester",
    "StaleNonce",
    "TrustCategory",
    "TrustTier",
    "UnknownMediaType",
    "UnsupportedProfile",
    "UntrustedKey",
    "Verifier",
    "VerifierId",
    "cmw",
    "ear",
    "eat",
    "jose",
    "measured",
    "media",
    "software",
]
