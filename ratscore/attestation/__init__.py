"""Attestation formats and plug-ins: CMW (RFC 9999), EAT (RFC 9711), EAR
(draft-ietf-rats-ear-03), the Attester / Verifier protocols and the software attester.

Modules: ``cmw`` (wrappers), ``media`` (media types, TN()), ``eat`` (claims, CWT,
JWT), ``measured`` (EAT measured component), ``ear`` (attestation results),
``jose`` (JWS compact for JWTs), ``protocols`` (Attester, Verifier, results,
nonce store), ``software`` (the embedded software attester), ``errors``,
``tpm`` / ``tpm_structures`` (TPM 2.0 quotes), ``tsm`` (configfs-tsm reports),
``policy`` and ``verifier`` (the local verifier and relying-party helpers).
"""

from __future__ import annotations

from . import cmw, ear, eat, jose, measured, media, policy, software, tpm, tpm_structures, tsm, verifier
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
from .policy import Policy, PolicyError, load_policy
from .protocols import AttestationResult, Attester, Binding, ClaimFailure, MemoryNonceStore, NonceStore, Verifier
from .software import SoftwareAttester
from .tpm import PcrDigestMismatch, PcrSelectionMismatch, TpmAttester, TpmConfig
from .tpm_structures import TpmStructureError
from .tsm import TsmAttester, UnverifiedPlatformEvidence
from .verifier import EarSerialization, InsufficientTrust, LocalVerifier, RelyingParty

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
    "EarSerialization",
    "EatClaims",
    "ExpiredToken",
    "FreshnessError",
    "Indicator",
    "InsufficientTrust",
    "InvalidClaim",
    "LocalVerifier",
    "MalformedEvidence",
    "MeasuredComponent",
    "MeasurementMismatch",
    "MemoryNonceStore",
    "MissingClaim",
    "NonceStore",
    "OversizedObject",
    "PcrDigestMismatch",
    "PcrSelectionMismatch",
    "Policy",
    "PolicyError",
    "RelyingParty",
    "ReplayedNonce",
    "SoftwareAttester",
    "StaleNonce",
    "TpmAttester",
    "TpmConfig",
    "TpmStructureError",
    "TrustCategory",
    "TrustTier",
    "TsmAttester",
    "UnknownMediaType",
    "UnsupportedProfile",
    "UntrustedKey",
    "UnverifiedPlatformEvidence",
    "Verifier",
    "VerifierId",
    "cmw",
    "ear",
    "eat",
    "jose",
    "load_policy",
    "measured",
    "media",
    "policy",
    "software",
    "tpm",
    "tpm_structures",
    "tsm",
    "verifier",
]
