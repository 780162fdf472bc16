"""The local verifier (policy file, freshness, signed EARs) and the relying-party helpers.

Theory of operation
-------------------
``LocalVerifier.appraise`` takes Evidence (a ``Cmw`` or its encoded bytes), the
binder the relying party computed and the time, and always returns an
``AttestationResult`` (malformed input becomes a failure, never an exception):

1. bytes are size-checked (``OversizedObject``) and decoded as a CMW
   (``MalformedEvidence``, ``UnknownMediaType`` for a foreign CBOR tag);
2. dispatch by what the CMW says it is: a record of
   ``application/eat+cwt; eat_profile=<software profile>`` → the software attester's
   appraisal; a collection whose ``__cmwc_t`` is the TPM or TSM collection type →
   ``tpm.appraise`` / ``tsm.appraise``; anything else → ``UnknownMediaType``; a kind
   the policy has no section for → ``UnsupportedProfile``;
3. freshness (policy ``freshness``): once the evidence verified, its nonce (the
   ``nonce`` argument, else the binder) is consumed from a bounded
   ``MemoryNonceStore`` → ``StaleNonce`` (never issued / expired) or
   ``ReplayedNonce`` (second use).

``appraise_to_ear`` wraps the result in an EAR (draft-ietf-rats-ear-03) signed with
the verifier's key, as a JWT (ES256) or a CWT; its ``eat_nonce`` is
``ear_nonce(nonce or binder)``.

Two relying-party models (draft-ietf-rats-reference-interaction-models):

* passport: ``RelyingParty.check_passport`` verifies an EAR the attester presents
  (signature with the verifier's public key, ``exp``/``iat``, ``eat_nonce`` against
  the nonce the RP expects, each nonce once, status at least the required tier);
* background check: ``RelyingParty.check_evidence`` hands Evidence and the binder it
  computed itself to a ``Verifier`` and applies the same tier rule.

Performance: trusted software keys are indexed by kid (SHA-256 of the SPKI) once,
so appraising a software EAT costs one signature verification plus parsing.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from ratscore import cbor
from ratscore.cose import CoseAlgorithm, decode_sign1, sig_structure
from ratscore.crypto import CryptoProvider, resolve_provider
from ratscore.crypto.encoding import public_key_to_spki
from ratscore.crypto.types import EcdsaEncoding, KeyType, PrivateKey, PublicKey, SignatureAlgorithm
from ratscore.errors import CryptoError, DecodeError, LocalProtocolError, UnsupportedAlgorithm

from . import cmw, software, tpm, tsm
from .cmw import Cmw, CmwCollection, CmwRecord
from .ear import (
    EAR_PROFILE,
    Ear,
    EarAppraisal,
    TrustCategory,
    TrustTier,
    VerifierId,
    sign_ear_cwt,
    sign_ear_jwt,
    verify_ear_cwt,
    verify_ear_jwt,
)
from .eat import EatClaims, decode_claims_cbor
from .errors import (
    AttestationError,
    BadSignature,
    ExpiredToken,
    InvalidClaim,
    MalformedEvidence,
    MissingClaim,
    StaleNonce,
    UnknownMediaType,
    UnsupportedProfile,
    UntrustedKey,
    check_size,
)
from .measured import CF_MEASURED_COMPONENT_CBOR, HASH_SHA256, MeasuredComponent
from .media import EAT_CWT, MediaType
from .policy import Policy, SoftwarePolicy
from .protocols import AttestationResult, Binding, ClaimFailure, MemoryNonceStore, Verifier, epoch_seconds

__all__ = [
    "ATTESTER_SUBMOD",
    "DEFAULT_VERIFIER_ID",
    "EarSerialization",
    "InsufficientTrust",
    "LocalVerifier",
    "RelyingParty",
    "ear_nonce",
]

ATTESTER_SUBMOD: Final = "attester"
DEFAULT_VERIFIER_ID: Final = VerifierId("attested-stack", "ratscore-local-verifier")
_CLOCK_SKEW: Final = 60  # seconds an EAR's iat may lie in the future


class EarSerialization(enum.Enum):
    JWT = "jwt"  # draft-03 §3: JWT, ES256
    CWT = "cwt"  # draft-03 §3.3: CWT in COSE_Sign1


class InsufficientTrust(AttestationError):
    """The result's trust tier is below what the relying party requires."""


def ear_nonce(value: bytes) -> bytes:
    """An EAR ``eat_nonce`` for ``value``: itself if 8..64 bytes (draft-03 §3), else its SHA-256."""
    return bytes(value) if 8 <= len(value) <= 64 else hashlib.sha256(value).digest()


def _failed(error: AttestationError, media_type: str | None = None) -> AttestationResult:
    return AttestationResult(
        status=TrustTier.CONTRAINDICATED,
        trust_vector={TrustCategory.INSTANCE_IDENTITY: 97},  # AR4SI unrecognized_instance
        failures=(ClaimFailure.of(error),),
        media_type=media_type,
    )


def _kid(key: PublicKey) -> bytes:
    return hashlib.sha256(public_key_to_spki(key)).digest()


_COSE_SCHEMES: Final = {
    (CoseAlgorithm.ES256, KeyType.P256): SignatureAlgorithm.ECDSA_SHA256,
    (CoseAlgorithm.ES384, KeyType.P384): SignatureAlgorithm.ECDSA_SHA384,
    (CoseAlgorithm.EDDSA, KeyType.ED25519): SignatureAlgorithm.ED25519,
    (CoseAlgorithm.EDDSA, KeyType.ED448): SignatureAlgorithm.ED448,
}


class _SoftwareAppraiser:
    """The software attester's appraisal with the policy's tables prepared once.

    Same checks and results as ``software.appraise``; faster because trusted keys are
    indexed by kid, the COSE_Sign1 is decoded once (RFC 9052 §4.4 Sig_structure is
    rebuilt from it) and each reference value is pre-encoded as the measured component
    the attester emits, so matching measurements are compared as bytes.  Anything not
    matching byte for byte goes through ``software.check_measurements`` for the
    precise failure.  (One difference: when a signed EAT names a component twice, a
    byte-identical match counts, where the slow path keeps the last entry.)
    """

    def __init__(self, policy: SoftwarePolicy) -> None:
        self.policy = policy
        self.keys: Mapping[bytes, PublicKey] = {_kid(key): key for key in policy.trusted_keys}
        self.expected = frozenset(
            MeasuredComponent(name=name, digest_algorithm=HASH_SHA256, digest=digest).encode()
            for name, digest in policy.reference_values.items()
        )

    def appraise(self, media_type: str, token: bytes, binder: bytes, crypto: CryptoProvider) -> AttestationResult:
        try:
            claims = self._verify(token, binder, crypto)
        except AttestationError as error:
            # AR4SI: crypto_validation_failed 99, unrecognized_instance 97.
            identity = 99 if isinstance(error, BadSignature | UntrustedKey) else 97
            return AttestationResult(
                status=TrustTier.CONTRAINDICATED,
                trust_vector={TrustCategory.INSTANCE_IDENTITY: identity},
                failures=(ClaimFailure.of(error),),
                media_type=media_type,
            )
        bodies = {
            entry.body
            for entry in claims.measurements or ()
            if entry.content_format == CF_MEASURED_COMPONENT_CBOR and isinstance(entry.body, bytes)
        }
        problems = [] if self.expected <= bodies else software.check_measurements(claims, self.policy.reference_values)
        return AttestationResult(
            status=TrustTier.CONTRAINDICATED if problems else TrustTier.AFFIRMING,
            trust_vector={TrustCategory.INSTANCE_IDENTITY: 2, TrustCategory.EXECUTABLES: 96 if problems else 2},
            failures=tuple(ClaimFailure.of(problem) for problem in problems),
            claims=claims,
            media_type=media_type,
        )

    def _verify(self, token: bytes, binder: bytes, crypto: CryptoProvider) -> EatClaims:
        try:
            message = decode_sign1(token)
        except DecodeError as exc:
            raise MalformedEvidence(f"software evidence is not a COSE_Sign1: {exc}") from None
        kid = message.kid
        if kid is None or message.payload is None:
            raise MalformedEvidence("software evidence needs a kid and an attached payload", claim="kid")
        key = self.keys.get(kid)
        if key is None:
            raise UntrustedKey("evidence is signed by a key that is not trusted", claim="kid")
        try:
            scheme = _COSE_SCHEMES.get((message.algorithm, key.key_type))
        except (DecodeError, UnsupportedAlgorithm):
            scheme = None
        if scheme is None:
            raise BadSignature("COSE alg does not fit the trusted key")
        external_aad = bytes(binder) if self.policy.binding is Binding.EXTERNAL_AAD else b""
        to_be_signed = sig_structure(message.protected_bytes, external_aad, message.payload)  # RFC 9052 §4.4
        try:
            crypto.verify(key, message.signature, to_be_signed, scheme, encoding=EcdsaEncoding.RAW)
        except CryptoError:
            raise BadSignature("software evidence signature did not verify") from None
        claims = decode_claims_cbor(message.payload)
        if claims.profile != software.SOFTWARE_PROFILE:
            raise InvalidClaim("eat_profile is not the software-attester profile", claim="eat_profile")
        if self.policy.binding is Binding.EAT_NONCE:
            if not claims.nonce:
                raise MissingClaim("evidence has no eat_nonce", claim="eat_nonce")
            if claims.nonce != (bytes(binder),):  # RFC 9711 §4.1
                raise StaleNonce("eat_nonce does not match the binder", claim="eat_nonce")
        return claims


class LocalVerifier:
    """Appraises Evidence from the software, TPM and configfs-tsm attesters against a ``Policy``."""

    def __init__(
        self,
        policy: Policy,
        *,
        signing_key: PrivateKey | None = None,
        crypto: CryptoProvider | str | None = None,
        verifier_id: VerifierId = DEFAULT_VERIFIER_ID,
    ) -> None:
        self.policy = policy
        self.crypto = resolve_provider(crypto)
        self.signing_key = signing_key
        self.verifier_id = verifier_id
        self.nonces = MemoryNonceStore(
            lifetime=policy.nonce_lifetime,
            capacity=policy.nonce_capacity,
            require_issued=policy.freshness == "issued-nonce",
        )
        self._software = _SoftwareAppraiser(policy.software) if policy.software else None
        self._media_types: dict[str, bool] = {}

    @property
    def public_key(self) -> PublicKey:
        if self.signing_key is None:
            raise LocalProtocolError("this verifier has no signing key")
        return self.signing_key.public_key()

    def issue_nonce(self, now: int | datetime) -> bytes:
        """A fresh 32-byte nonce, accepted once until ``nonce_lifetime`` passes."""
        nonce = self.crypto.random_bytes(32)
        self.nonces.issue(nonce, epoch_seconds(now))
        return nonce

    # -- appraisal ----------------------------------------------------------------
    def appraise(
        self, evidence: Cmw | bytes, *, binder: bytes, now: int | datetime, nonce: bytes | None = None
    ) -> AttestationResult:
        try:
            if isinstance(evidence, bytes | bytearray):
                data = bytes(evidence)
                check_size(data, self.policy.max_evidence_size, "CMW")
                record = self._software_record(data)
                if record is not None and self._software is not None:
                    result = self._software.appraise(*record, binder, self.crypto)
                else:
                    result = self._dispatch(cmw.decode(data, max_size=self.policy.max_evidence_size), binder, now)
            else:
                result = self._dispatch(evidence, binder, now)
        except AttestationError as error:
            return _failed(error)
        if result.claims is None or self.policy.freshness == "none":
            return result
        try:
            self.nonces.consume(bytes(binder if nonce is None else nonce), epoch_seconds(now))
        except AttestationError as error:
            return _failed(error, result.media_type)
        return result

    def _dispatch(self, evidence: Cmw, binder: bytes, now: int | datetime) -> AttestationResult:
        policy = self.policy
        if isinstance(evidence, CmwRecord) and isinstance(evidence.type, str):
            if self._is_software_media_type(evidence.type):
                if policy.software is None:
                    raise UnsupportedProfile("software-attester evidence is not accepted by this policy")
                return self._appraise_software(evidence, binder, now)
        elif isinstance(evidence, CmwCollection):
            if evidence.collection_type == tpm.TPM_COLLECTION_TYPE:
                if policy.tpm is None:
                    raise UnsupportedProfile("TPM evidence is not accepted by this policy")
                return tpm.appraise(
                    evidence,
                    binder=binder,
                    now=now,
                    trusted_aks=policy.tpm.trusted_aks,
                    expected_selection=policy.tpm.pcr_selection,
                    reference_pcrs=policy.tpm.reference_pcrs,
                    crypto=self.crypto,
                )
            if evidence.collection_type == tsm.TSM_COLLECTION_TYPE:
                if policy.tsm is None:
                    raise UnsupportedProfile("configfs-tsm evidence is not accepted by this policy")
                return tsm.appraise(evidence, binder=binder, now=now, accepted_providers=policy.tsm.providers)
        raise UnknownMediaType("no appraisal for this evidence type")

    def _appraise_software(self, evidence: CmwRecord, binder: bytes, now: int | datetime) -> AttestationResult:
        assert self._software is not None and isinstance(evidence.type, str)
        return self._software.appraise(evidence.type, evidence.value, binder, self.crypto)

    def _software_record(self, data: bytes) -> tuple[str, bytes] | None:
        """A CBOR record CMW of software evidence, validated as ``cmw.decode`` would
        (RFC 9999 §3.1) but with the media type check memoised; None for anything else."""
        if data[:1] not in (b"\x82", b"\x83"):
            return None
        try:
            item: Any = cbor.decode(data, strict=False, max_depth=4)
        except DecodeError:
            return None  # cmw.decode reports it precisely
        if not (isinstance(item, list) and len(item) in (2, 3) and isinstance(item[0], str)):
            return None
        media_type, token = item[0], item[1]
        if type(token) is not bytes or not self._is_software_media_type(media_type):
            return None
        if len(item) == 3 and not (type(item[2]) is int and 1 <= item[2] <= 31):  # RFC 9999 §3.1 ind
            return None
        return media_type, token

    def _is_software_media_type(self, text: str) -> bool:
        known = self._media_types.get(text)
        if known is None:
            try:
                media_type = MediaType.parse(text)
            except UnknownMediaType:
                return False
            known = media_type.essence == EAT_CWT and media_type.profile == software.SOFTWARE_PROFILE
            if len(self._media_types) < 64:  # a small memo: evidence uses a handful of media types
                self._media_types[text] = known
        return known

    # -- results --------------------------------------------------------------------
    def to_ear(self, result: AttestationResult, *, nonce: bytes, now: int | datetime) -> Ear:
        issued = epoch_seconds(now)
        appraisal = EarAppraisal(
            status=result.status,
            trust_vector=dict(result.trust_vector) or None,
            policy_ids=(self.policy.policy_id,),
        )
        return Ear(
            profile=EAR_PROFILE,
            issued_at=issued,
            expires=issued + self.policy.ear_lifetime,
            verifier_id=self.verifier_id,
            nonce=ear_nonce(nonce),
            submods={ATTESTER_SUBMOD: appraisal},
        )

    def appraise_to_ear(
        self,
        evidence: Cmw | bytes,
        *,
        binder: bytes,
        now: int | datetime,
        nonce: bytes | None = None,
        serialization: EarSerialization = EarSerialization.JWT,
    ) -> bytes:
        """Appraise and return the EAR signed with the verifier's key (JWT as ASCII bytes, or CWT)."""
        if self.signing_key is None or self.signing_key.key_type is not KeyType.P256:
            raise LocalProtocolError("producing EARs needs a P-256 signing key (ES256)")
        result = self.appraise(evidence, binder=binder, now=now, nonce=nonce)
        ear = self.to_ear(result, nonce=binder if nonce is None else nonce, now=now)
        if serialization is EarSerialization.JWT:
            return sign_ear_jwt(ear, self.signing_key).encode("ascii")
        return sign_ear_cwt(ear, self.signing_key, CoseAlgorithm.ES256)


_ACCEPTED: Final = {
    TrustTier.AFFIRMING: frozenset({TrustTier.AFFIRMING}),
    TrustTier.WARNING: frozenset({TrustTier.AFFIRMING, TrustTier.WARNING}),
}


class RelyingParty:
    """Relying-party checks for the passport and background-check models (see module doc)."""

    def __init__(
        self,
        *,
        verifier_key: PublicKey | None = None,
        minimum_tier: TrustTier = TrustTier.AFFIRMING,
        crypto: CryptoProvider | str | None = None,
        replay_capacity: int = 10_000,
        replay_window: int = 3600,
    ) -> None:
        if minimum_tier not in _ACCEPTED:
            raise LocalProtocolError("minimum_tier is AFFIRMING or WARNING")
        self.verifier_key = verifier_key
        self.minimum_tier = minimum_tier
        self.crypto = resolve_provider(crypto)
        self._seen = MemoryNonceStore(lifetime=replay_window, capacity=replay_capacity, require_issued=False)

    def _tier_failures(self, status: TrustTier) -> tuple[ClaimFailure, ...]:
        if status in _ACCEPTED[self.minimum_tier]:
            return ()
        error = InsufficientTrust(
            f"status {status.json_name} is below the required {self.minimum_tier.json_name}", claim="ear_status"
        )
        return (ClaimFailure.of(error),)

    def check_passport(
        self, ear_token: bytes | str, *, expected_nonce: bytes, now: int | datetime
    ) -> AttestationResult:
        """Verify an EAR (JWT or CWT) from the verifier: signature, time, nonce, tier."""
        if self.verifier_key is None:
            raise LocalProtocolError("check_passport needs the verifier's public key")
        moment = epoch_seconds(now)
        try:
            if isinstance(ear_token, str) or ear_token[:2] == b"ey":  # base64url of '{"': a JWT
                ear = verify_ear_jwt(ear_token, self.verifier_key, now=moment, crypto=self.crypto)
            else:
                ear = verify_ear_cwt(ear_token, self.verifier_key, now=moment, crypto=self.crypto)
            if ear.issued_at > moment + _CLOCK_SKEW:
                raise ExpiredToken("EAR iat lies in the future", claim="iat")
            if ear.nonce is None:
                raise MissingClaim("EAR has no eat_nonce", claim="eat_nonce")
            if ear.nonce != ear_nonce(expected_nonce):
                raise StaleNonce("EAR eat_nonce is not the expected nonce", claim="eat_nonce")
            self._seen.consume(ear.nonce, moment)
        except AttestationError as error:
            return _failed(error)
        appraisal = next(iter(ear.submods.values()))
        status = ear.overall_status
        return AttestationResult(
            status=status,
            trust_vector=dict(appraisal.trust_vector or {}),
            failures=self._tier_failures(status),
            claims=ear,
        )

    def check_evidence(
        self, verifier: Verifier, evidence: Cmw, binder: bytes, now: int | datetime
    ) -> AttestationResult:
        """Background check: the RP's own binder goes to the verifier with the Evidence."""
        result = verifier.appraise(evidence, binder=binder, now=now)
        failures = self._tier_failures(result.status)
        return replace(result, failures=result.failures + failures) if failures else result
