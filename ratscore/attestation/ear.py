"""EAT Attestation Results (EAR, draft-ietf-rats-ear-03): typed results, JWT and CWT.

Theory of operation
-------------------
An ``Ear`` is what a verifier says about one or more attesters: a ``TrustTier``
per appraised attester (``EarAppraisal`` in ``submods``), the AR4SI
trustworthiness vector behind it, the verifier's identity and the policies used.

Two spellings are alive (keyed by ``eat_profile``, as the digest's §3.3.1 table
and veraison/ear show):

* ``Dialect.CURRENT`` — draft-03, profile ``tag:ietf.org,2026:rats/ear#03``:
  ``ear_status``, ``ear_trustworthiness_vector``, ``ear_appraisal_policy_ids``
  (an array), ``ear_verifier_id``, ``ear_raw_evidence``.
* ``Dialect.LEGACY`` — draft-02 and what Veraison and Trustee still emit, profiles
  ``tag:ietf.org,2025-07:ear``, ``tag:github.com,2023:veraison/ear`` and
  ``tag:github.com,2024:confidential-containers/Trustee``: ``ear.status``,
  ``ear.trustworthiness-vector``, ``ear.appraisal-policy-id`` (one text string),
  ``ear.verifier-id``, ``ear.raw-evidence``, ``ear.veraison.*``.

The CBOR keys (1000-1004, -70000..-70002, 65000) are the same in both.  Decoding
normalises both into the same typed values; encoding writes the dialect of the
EAR's profile.  ``iat``/``exp`` must be integers (draft-03 §3; RFC 9711 §4.3.1):
the draft's own Appendix B token carries ``"iat": 1.666529184e+09`` and is
rejected for that, after its signature has verified.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ratscore import cbor
from ratscore.cose import CoseAlgorithm, CoseKey, sign1
from ratscore.crypto import CryptoProvider
from ratscore.crypto.types import PublicKey, Signer
from ratscore.errors import EncodeError

from ._codec import b64url_decode, b64url_encode, json_dumps, json_loads
from .eat import Claim, verify_cwt_payload
from .errors import DEFAULT_MAX_SIZE, ExpiredToken, InvalidClaim, MalformedEvidence, MissingClaim, UnsupportedProfile
from .jose import JwsAlgorithm, sign_jws, verify_jws

__all__ = [
    "AR4SI_VALUES",
    "EAR_PROFILE",
    "EAR_PROFILE_DRAFT_02",
    "TRUSTEE_PROFILE",
    "VERAISON_PROFILE",
    "Dialect",
    "Ear",
    "EarAppraisal",
    "TrustCategory",
    "TrustTier",
    "VerifierId",
    "sign_ear_cwt",
    "sign_ear_jwt",
    "verify_ear_cwt",
    "verify_ear_jwt",
]

EAR_PROFILE: Final = "tag:ietf.org,2026:rats/ear#03"  # draft-03 §3
EAR_PROFILE_DRAFT_02: Final = "tag:ietf.org,2025-07:ear"
VERAISON_PROFILE: Final = "tag:github.com,2023:veraison/ear"
TRUSTEE_PROFILE: Final = "tag:github.com,2024:confidential-containers/Trustee"


class Dialect(enum.Enum):
    CURRENT = "draft-03"
    LEGACY = "dotted"


_DIALECTS: Final = {
    EAR_PROFILE: Dialect.CURRENT,
    EAR_PROFILE_DRAFT_02: Dialect.LEGACY,
    VERAISON_PROFILE: Dialect.LEGACY,
    TRUSTEE_PROFILE: Dialect.LEGACY,
}

# (draft-03 JSON name, legacy JSON name, CBOR key): draft-03 §3, §3.1, §4.4, §4.5, §9.1.
_STATUS = ("ear_status", "ear.status", 1000)
_VECTOR = ("ear_trustworthiness_vector", "ear.trustworthiness-vector", 1001)
_RAW_EVIDENCE = ("ear_raw_evidence", "ear.raw-evidence", 1002)
_POLICY_IDS = ("ear_appraisal_policy_ids", "ear.appraisal-policy-id", 1003)
_VERIFIER_ID = ("ear_verifier_id", "ear.verifier-id", 1004)
_EXTENSIONS: Final = (
    ("ear_veraison_annotated_evidence", "ear.veraison.annotated-evidence", -70000),
    ("ear_veraison_policy_claims", "ear.veraison.policy-claims", -70001),
    ("ear_veraison_key_attestation", "ear.veraison.key-attestation", -70002),
    ("ear_teep_claims", "ear.teep-claims", 65000),
)


class TrustTier(enum.IntEnum):
    """AR4SI trustworthiness tiers (draft-ietf-rats-ar4si §3.2; EAR ``ear_status``)."""

    NONE = 0
    AFFIRMING = 2
    WARNING = 32
    CONTRAINDICATED = 96

    @property
    def json_name(self) -> str:
        return self.name.lower()

    @classmethod
    def of_claim(cls, value: int) -> TrustTier:
        """The tier a trustworthiness claim value falls in (AR4SI §2.3.3 value ranges)."""
        magnitude = -value if value < 0 else value
        if magnitude <= 1:
            return cls.NONE
        if magnitude <= 31:
            return cls.AFFIRMING
        if magnitude <= 95:
            return cls.WARNING
        return cls.CONTRAINDICATED

    @classmethod
    def worst(cls, tiers: Iterable[TrustTier]) -> TrustTier:
        """The least trusted tier among ``tiers`` (NONE when there are none)."""
        return max(tiers, key=_distrust, default=cls.NONE)


def _distrust(tier: TrustTier) -> int:
    # Ordering for "no higher trust than" (draft-03 §3.1): NONE asserts nothing, so it
    # never claims more trust than anything; among the others higher numbers mean less trust.
    return {TrustTier.AFFIRMING: 0, TrustTier.NONE: 1, TrustTier.WARNING: 2, TrustTier.CONTRAINDICATED: 3}[tier]


class TrustCategory(enum.IntEnum):
    """Trustworthiness vector categories (draft-03 ``ar4si.cddl``)."""

    INSTANCE_IDENTITY = 0
    CONFIGURATION = 1
    EXECUTABLES = 2
    FILE_SYSTEM = 3
    HARDWARE = 4
    RUNTIME_OPAQUE = 5
    STORAGE_OPAQUE = 6
    SOURCED_DATA = 7

    @property
    def json_name(self) -> str:
        return self.name.lower().replace("_", "-")


_CATEGORY_BY_NAME: Final = {category.json_name: category for category in TrustCategory}

# Named claim values per category (draft-ietf-rats-ar4si §2.3.4, as veraison/ear names them).
AR4SI_VALUES: Final[Mapping[TrustCategory | None, Mapping[str, int]]] = {
    None: {"verifier_malfunction": -1, "no_claim": 0, "unexpected_evidence": 1, "crypto_validation_failed": 99},
    TrustCategory.INSTANCE_IDENTITY: {
        "recognized_instance": 2,
        "untrustworthy_instance": 96,
        "unrecognized_instance": 97,
    },
    TrustCategory.CONFIGURATION: {
        "approved_config": 2,
        "safe_config": 3,
        "unsafe_config": 32,
        "unsupportable_config": 96,
    },
    TrustCategory.EXECUTABLES: {
        "approved_runtime": 2,
        "approved_boot": 3,
        "unsafe_runtime": 32,
        "unrecognized_runtime": 33,
        "contraindicated_runtime": 96,
    },
    TrustCategory.FILE_SYSTEM: {"approved_files": 2, "unrecognized_files": 32, "contraindicated_files": 96},
    TrustCategory.HARDWARE: {
        "genuine_hardware": 2,
        "unsafe_hardware": 32,
        "contraindicated_hardware": 96,
        "unrecognized_hardware": 97,
    },
    TrustCategory.RUNTIME_OPAQUE: {"encrypted_memory": 2, "isolated_memory": 32, "visible_memory": 96},
    TrustCategory.STORAGE_OPAQUE: {
        "hw_keys_encrypted_secrets": 2,
        "sw_keys_encrypted_secrets": 32,
        "unencrypted_secrets": 96,
    },
    TrustCategory.SOURCED_DATA: {"trusted_sources": 2, "untrusted_sources": 32, "contraindicated_sources": 96},
}


@dataclass(frozen=True, slots=True)
class VerifierId:
    """AR4SI verifier identity ``{developer, build}`` (ar4si §3.3)."""

    developer: str
    build: str


def _bad(claim: str, message: str) -> InvalidClaim:
    return InvalidClaim(f"EAR claim {claim}: {message}", claim=claim)


def _integer_time(claim: str, value: Any) -> int:
    if type(value) is float:  # draft-03 §3: iat/exp "MUST NOT" be floating point
        raise _bad(claim, "floating-point time is not allowed")
    if type(value) is not int:
        raise _bad(claim, "expected an integer time")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class EarAppraisal:
    """One ``EAR-appraisal`` (draft-03 §3.1)."""

    status: TrustTier
    trust_vector: Mapping[TrustCategory, int] | None = None
    policy_ids: tuple[str, ...] = ()
    nonce: bytes | None = None
    profile: str | None = None
    extensions: Mapping[str | int, Any] = field(default_factory=dict)
    """Extension claims, keyed by their draft-03 JSON name when known, else as on the wire."""

    @classmethod
    def from_vector(cls, vector: Mapping[TrustCategory, int], **rest: Any) -> EarAppraisal:
        """An appraisal whose status is the worst tier of ``vector``."""
        return cls(status=TrustTier.worst(TrustTier.of_claim(v) for v in vector.values()), trust_vector=vector, **rest)

    def check_status(self) -> None:
        """draft-03 §3.1: the status is "no higher trust than" the worst vector claim."""
        if self.trust_vector:
            worst = TrustTier.worst(TrustTier.of_claim(value) for value in self.trust_vector.values())
            if self.status is not TrustTier.NONE and _distrust(self.status) < _distrust(worst):
                message = f"{self.status.json_name} claims more trust than the vector ({worst.json_name})"
                raise _bad("ear_status", message)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ear:
    """An EAR claims-set (draft-03 §3)."""

    issued_at: int
    verifier_id: VerifierId
    submods: Mapping[str, EarAppraisal]
    profile: str = EAR_PROFILE
    expires: int | None = None
    status: TrustTier | None = None
    raw_evidence: bytes | None = None
    nonce: bytes | None = None
    extensions: Mapping[str | int, Any] = field(default_factory=dict)

    @property
    def dialect(self) -> Dialect:
        dialect = _DIALECTS.get(self.profile)
        if dialect is None:
            raise UnsupportedProfile(f"EAR profile {self.profile!r} is not supported", claim="eat_profile")
        return dialect

    @property
    def overall_status(self) -> TrustTier:
        """The top-level status if present, else the worst appraisal status."""
        return self.status if self.status is not None else TrustTier.worst(a.status for a in self.submods.values())

    def check(self) -> None:
        """Semantic checks of draft-03 §3/§3.1 beyond the types."""
        if not self.submods:
            raise MissingClaim("EAR submods must hold at least one appraisal (draft-03 §3)", claim="submods")
        for appraisal in self.submods.values():
            appraisal.check_status()
        worst = TrustTier.worst(appraisal.status for appraisal in self.submods.values())
        if self.status not in (None, TrustTier.NONE) and _distrust(self.status) < _distrust(worst):
            raise _bad("ear_status", "top-level status claims more trust than the worst appraisal")

    # -- JSON -------------------------------------------------------------------
    @classmethod
    def from_json(cls, claims: Any) -> Ear:
        return _parse(claims, json_form=True)

    def to_json(self) -> dict[str, Any]:
        return _serialize(self, json_form=True)

    # -- CBOR -------------------------------------------------------------------
    @classmethod
    def from_cbor(cls, claims: Any) -> Ear:
        return _parse(claims, json_form=False)

    def to_cbor(self) -> dict[int, Any]:
        return _serialize(self, json_form=False)


def _name(names: tuple[str, str, int], dialect: Dialect, json_form: bool) -> str | int:
    if not json_form:
        return names[2]
    return names[0] if dialect is Dialect.CURRENT else names[1]


def _binary(claim: str, value: Any, json_form: bool) -> bytes:
    raw = b64url_decode(value, f"EAR claim {claim}", lenient=True, claim=claim) if json_form else value
    if type(raw) is not bytes:
        raise _bad(claim, "expected binary data")
    return raw


def _nonce(claim: str, value: Any, json_form: bool) -> bytes:
    # draft-03 §3: 8..64 bytes; base64 text in JWT (either alphabet accepted).
    raw = _binary(claim, value, json_form)
    if not 8 <= len(raw) <= 64:
        raise _bad(claim, "a nonce is 8..64 bytes")
    return raw


def _encode_nonce(value: bytes, json_form: bool) -> Any:
    # draft-03 §3: "MUST be base64 encoded, resulting in a string between 12 and 88 bytes":
    # padded standard base64 gives exactly that range.
    return base64.b64encode(value).decode("ascii") if json_form else value


def _parse_vector(value: Any, json_form: bool) -> dict[TrustCategory, int]:
    claim = "ear_trustworthiness_vector"
    if not isinstance(value, dict) or not value:  # ar4si: non-empty<{...}>
        raise _bad(claim, "expected a non-empty map")
    vector: dict[TrustCategory, int] = {}
    for key, number in value.items():
        category = _CATEGORY_BY_NAME.get(key) if json_form else (TrustCategory(key) if key in range(8) else None)
        if category is None or type(key) is bool:
            raise _bad(claim, f"unknown category {key!r}")
        if type(number) is not int or not -128 <= number <= 127:  # trustworthiness-claim = -128..127
            raise _bad(claim, f"{category.json_name} value {number!r} is not in -128..127")
        vector[category] = number
    return vector


def _parse_tier(claim: str, value: Any, json_form: bool) -> TrustTier:
    try:
        if json_form and isinstance(value, str):
            return TrustTier[value.upper()]
        if not json_form and type(value) is int:
            return TrustTier(value)
    except (KeyError, ValueError):
        pass
    raise _bad(claim, f"{value!r} is not a trustworthiness tier")


def _known_extensions(dialect: Dialect, json_form: bool) -> dict[str | int, str]:
    return {_name(names, dialect, json_form): names[0] for names in _EXTENSIONS}


def _parse_appraisal(label: str, value: Any, dialect: Dialect, json_form: bool) -> EarAppraisal:
    if not isinstance(value, dict):
        raise MalformedEvidence(f"EAR appraisal {label!r} is not a map", claim="submods")
    claims = dict(value)
    status_key = _name(_STATUS, dialect, json_form)
    if status_key not in claims:
        raise MissingClaim(f"EAR appraisal {label!r} has no status (draft-03 §3.1)", claim="ear_status")
    status = _parse_tier("ear_status", claims.pop(status_key), json_form)
    vector_key = _name(_VECTOR, dialect, json_form)
    vector = _parse_vector(claims.pop(vector_key), json_form) if vector_key in claims else None
    policy_ids: tuple[str, ...] = ()
    policy_key = _name(_POLICY_IDS, dialect, json_form)
    if policy_key in claims:
        policies = claims.pop(policy_key)
        if dialect is Dialect.LEGACY and isinstance(policies, str):  # draft-02: one text id
            policies = [policies]
        if not isinstance(policies, list) or not policies or not all(isinstance(p, str) for p in policies):
            raise _bad("ear_appraisal_policy_ids", "expected a non-empty array of text")  # draft-03 §3.1
        policy_ids = tuple(policies)
    nonce_key = "eat_nonce" if json_form else int(Claim.EAT_NONCE)
    nonce = _nonce("eat_nonce", claims.pop(nonce_key), json_form) if nonce_key in claims else None
    profile_key = "eat_profile" if json_form else int(Claim.EAT_PROFILE)
    profile = claims.pop(profile_key, None)
    if profile is not None and not isinstance(profile, str):
        raise _bad("eat_profile", "expected text")
    known = _known_extensions(dialect, json_form)
    extensions = {known.get(key, key): item for key, item in claims.items()}
    for name in known.values():
        if name in extensions and not isinstance(extensions[name], dict):  # draft-03 §3.1: extensions are maps
            raise _bad(name, "an EAR extension must be a map")
    return EarAppraisal(
        status=status, trust_vector=vector, policy_ids=policy_ids, nonce=nonce, profile=profile, extensions=extensions
    )


def _parse(value: Any, *, json_form: bool) -> Ear:
    if not isinstance(value, dict):
        raise MalformedEvidence("an EAR claims-set must be a map")
    claims = dict(value)
    profile_key = "eat_profile" if json_form else int(Claim.EAT_PROFILE)
    profile = claims.pop(profile_key, None)
    if profile is None:
        raise MissingClaim("EAR has no eat_profile (draft-03 §3: mandatory)", claim="eat_profile")
    dialect = _DIALECTS.get(profile) if isinstance(profile, str) else None
    if dialect is None:
        raise UnsupportedProfile(f"EAR profile {profile!r} is not supported", claim="eat_profile")

    def take(names: tuple[str, str, int] | tuple[str, int], claim: str, *, required: bool = False) -> Any:
        key = (names[0] if len(names) == 2 else _name(names, dialect, json_form)) if json_form else names[-1]
        if key not in claims:
            if required:
                raise MissingClaim(f"EAR has no {claim} (draft-03 §3: mandatory)", claim=claim)
            return None
        return claims.pop(key)

    issued_at = _integer_time("iat", take(("iat", int(Claim.IAT)), "iat", required=True))
    expires_raw = take(("exp", int(Claim.EXP)), "exp")
    expires = None if expires_raw is None else _integer_time("exp", expires_raw)
    verifier = take(_VERIFIER_ID, "ear_verifier_id", required=True)
    developer_key, build_key = ("developer", "build") if json_form else (0, 1)  # ar4si verifier-id labels
    if not isinstance(verifier, dict) or not all(isinstance(verifier.get(k), str) for k in (developer_key, build_key)):
        raise _bad("ear_verifier_id", "expected {developer: text, build: text}")
    raw = take(_RAW_EVIDENCE, "ear_raw_evidence")
    nonce = take(("eat_nonce", int(Claim.EAT_NONCE)), "eat_nonce")
    status = take(_STATUS, "ear_status")
    submods = take(("submods", int(Claim.SUBMODS)), "submods", required=True)
    if not isinstance(submods, dict) or not submods or not all(isinstance(label, str) for label in submods):
        raise _bad("submods", "expected a non-empty map of text labels (draft-03 §3)")
    known = _known_extensions(dialect, json_form)
    ear = Ear(
        profile=profile,
        issued_at=issued_at,
        expires=expires,
        verifier_id=VerifierId(verifier[developer_key], verifier[build_key]),
        raw_evidence=None if raw is None else _binary("ear_raw_evidence", raw, json_form),
        nonce=None if nonce is None else _nonce("eat_nonce", nonce, json_form),
        status=None if status is None else _parse_tier("ear_status", status, json_form),
        submods={label: _parse_appraisal(label, item, dialect, json_form) for label, item in submods.items()},
        extensions={known.get(key, key): item for key, item in claims.items()},
    )
    ear.check()
    return ear


def _serialize(ear: Ear, *, json_form: bool) -> dict[Any, Any]:
    dialect = ear.dialect
    key_of: dict[str, str | int] = {name[0]: _name(name, dialect, json_form) for name in (*_EXTENSIONS,)}

    def appraisal(item: EarAppraisal) -> dict[Any, Any]:
        body: dict[Any, Any] = {
            _name(_STATUS, dialect, json_form): item.status.json_name if json_form else int(item.status)
        }
        if item.trust_vector is not None:
            body[_name(_VECTOR, dialect, json_form)] = {
                (category.json_name if json_form else int(category)): value
                for category, value in item.trust_vector.items()
            }
        if item.policy_ids:
            if dialect is Dialect.LEGACY and len(item.policy_ids) != 1:
                raise EncodeError("the legacy EAR dialect carries exactly one appraisal policy id")
            policies = item.policy_ids[0] if dialect is Dialect.LEGACY else list(item.policy_ids)
            body[_name(_POLICY_IDS, dialect, json_form)] = policies
        if item.nonce is not None:
            body["eat_nonce" if json_form else int(Claim.EAT_NONCE)] = _encode_nonce(item.nonce, json_form)
        if item.profile is not None:
            body["eat_profile" if json_form else int(Claim.EAT_PROFILE)] = item.profile
        body.update({key_of.get(k, k) if isinstance(k, str) else k: v for k, v in item.extensions.items()})
        return body

    verifier = (
        {"developer": ear.verifier_id.developer, "build": ear.verifier_id.build}
        if json_form
        else {0: ear.verifier_id.developer, 1: ear.verifier_id.build}
    )
    result: dict[Any, Any] = {
        "eat_profile" if json_form else int(Claim.EAT_PROFILE): ear.profile,
        "iat" if json_form else int(Claim.IAT): ear.issued_at,
        _name(_VERIFIER_ID, dialect, json_form): verifier,
    }
    if ear.expires is not None:
        result["exp" if json_form else int(Claim.EXP)] = ear.expires
    if ear.status is not None:
        result[_name(_STATUS, dialect, json_form)] = ear.status.json_name if json_form else int(ear.status)
    if ear.raw_evidence is not None:
        result[_name(_RAW_EVIDENCE, dialect, json_form)] = (
            b64url_encode(ear.raw_evidence) if json_form else ear.raw_evidence
        )
    if ear.nonce is not None:
        result["eat_nonce" if json_form else int(Claim.EAT_NONCE)] = _encode_nonce(ear.nonce, json_form)
    result["submods" if json_form else int(Claim.SUBMODS)] = {
        label: appraisal(item) for label, item in ear.submods.items()
    }
    result.update({key_of.get(k, k) if isinstance(k, str) else k: v for k, v in ear.extensions.items()})
    return result


# ---------------------------------------------------------------------------
# Signing and verification
# ---------------------------------------------------------------------------


def _check_time(ear: Ear, now: int | None) -> Ear:
    # RFC 7519 §4.1.4: "MUST NOT be accepted for processing" on or after exp.
    if now is not None and ear.expires is not None and now >= ear.expires:
        raise ExpiredToken(f"EAR expired at {ear.expires} (now {now})", claim="exp")
    return ear


def sign_ear_jwt(ear: Ear, signer: Signer, alg: JwsAlgorithm = JwsAlgorithm.ES256) -> str:
    """The EAR as a JWT (JWS compact, draft-03 §3 "serialized as JWT")."""
    ear.check()
    return sign_jws(json_dumps(ear.to_json()).encode("utf-8"), signer, alg, header={"typ": "JWT"})


def verify_ear_jwt(
    token: str | bytes,
    public_key: PublicKey,
    *,
    now: int | None = None,
    algorithms: Collection[JwsAlgorithm] = (JwsAlgorithm.ES256,),
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Ear:
    """Verify an EAR JWT (signature first, then claims, then ``exp`` against ``now``)."""
    message = verify_jws(token, public_key, algorithms=algorithms, crypto=crypto, max_size=max_size)
    return _check_time(Ear.from_json(json_loads(message.payload, "EAR claims")), now)


def sign_ear_cwt(ear: Ear, signer: Signer, alg: CoseAlgorithm = CoseAlgorithm.ES256) -> bytes:
    """The EAR as a CWT in COSE_Sign1 (draft-03 §3.3)."""
    ear.check()
    return sign1(cbor.encode(ear.to_cbor()), signer, alg)


def verify_ear_cwt(
    token: bytes,
    public_key: PublicKey | CoseKey,
    *,
    now: int | None = None,
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Ear:
    """Verify an EAR CWT and return the typed result."""
    payload = verify_cwt_payload(token, public_key, crypto=crypto, max_size=max_size)
    return _check_time(Ear.from_cbor(payload), now)
