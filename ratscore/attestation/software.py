"""The software attester (the embedded default) and the matching appraisal helpers.

Evidence is an EAT (RFC 9711) in a COSE_Sign1 (RFC 9052 §4.2), not wrapped in the
CWT tag (our profile's choice, RFC 9711 §6.3.5), packaged as a CMW record
(RFC 9999 §3.1) with ``ind`` = Evidence.  Its media type is RFC 9782's
``application/eat+cwt`` with the ``eat_profile`` parameter naming this profile.

Claims: ``eat_profile``; ``eat_nonce`` = the binder (``Binding.EAT_NONCE``, the
default; 8..64 bytes per RFC 9711 §4.1) or nothing, with the binder as COSE
external_aad instead (``Binding.EXTERNAL_AAD``); ``ueid`` = 0x01 || SHA-256 of the
attestation key's SPKI (a RAND UEID "constructed by ... feeding ... through a
cryptographic hash function", RFC 9711 §4.2.1.1); ``swname``; ``measurements``
(RFC 9711 §4.2.16), each entry a measured component (draft-ietf-rats-eat-measured-
component §4.4) with a SHA-256 digest of: each configured file, the running
interpreter (``sys.executable``), and each attested-stack package (the digest of
the sorted list of ``relative path NUL sha256(file)`` lines of its ``.py`` files).
The COSE ``kid`` is SHA-256 of the SPKI, so a verifier can pick the trusted key.

The attestation key is a PKCS#8 PEM file, created with mode 0600 if absent.

Appraisal is a set of functions the policy verifier reuses: ``verify_evidence``
(media type, signature with a trusted key, binder), ``check_measurements``
(reference values) and ``appraise`` (both, plus a ``NonceStore``, into an
``AttestationResult``).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from ratscore.cose import CoseAlgorithm, decode_sign1
from ratscore.crypto import CryptoProvider, resolve_provider
from ratscore.crypto.encoding import (
    pem_decode,
    pem_encode,
    private_key_from_pkcs8,
    private_key_to_pkcs8,
    public_key_to_spki,
)
from ratscore.crypto.types import KeyType, PrivateKey, PublicKey
from ratscore.errors import DecodeError, LocalProtocolError

from .cmw import Cmw, CmwRecord, Indicator
from .ear import TrustCategory, TrustTier
from .eat import EatClaims, Measurement, sign_cwt, verify_cwt
from .errors import (
    AttestationError,
    BadSignature,
    InvalidClaim,
    MeasurementMismatch,
    MissingClaim,
    StaleNonce,
    UnknownMediaType,
    UntrustedKey,
)
from .measured import CF_MEASURED_COMPONENT_CBOR, HASH_SHA256, MeasuredComponent
from .media import EAT_CWT, MediaType
from .protocols import AttestationResult, Binding, ClaimFailure, NonceStore, epoch_seconds

__all__ = [
    "SOFTWARE_PROFILE",
    "SoftwareAttester",
    "appraise",
    "check_measurements",
    "load_or_create_key",
    "measure_file",
    "measure_package",
    "verify_evidence",
]

SOFTWARE_PROFILE: Final = "tag:attested-stack.dev,2026:software-attester"
SOFTWARE_MEDIA_TYPE: Final = str(MediaType(EAT_CWT, {"eat_profile": SOFTWARE_PROFILE}))
_ALGORITHMS: Final = {
    KeyType.P256: CoseAlgorithm.ES256,
    KeyType.P384: CoseAlgorithm.ES384,
    KeyType.ED25519: CoseAlgorithm.EDDSA,
    KeyType.ED448: CoseAlgorithm.EDDSA,
}


def load_or_create_key(
    path: Path, *, key_type: KeyType = KeyType.P256, crypto: CryptoProvider | str | None = None
) -> PrivateKey:
    """Load the PKCS#8 PEM attestation key at ``path``, creating it (mode 0600) if absent."""
    provider = resolve_provider(crypto)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        key = provider.generate_private_key(key_type)
        public = key.public_key().data if key_type.is_ec else None
        pem = pem_encode("PRIVATE KEY", private_key_to_pkcs8(key_type, key.private_bytes(), public))
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(pem)
        return key
    stored_type, raw = private_key_from_pkcs8(pem_decode(text, "PRIVATE KEY")[1])
    return provider.load_private_key(stored_type, raw)


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def measure_file(path: Path, *, name: str | None = None) -> MeasuredComponent:
    """A measured component: the SHA-256 digest of a file's bytes, named by its path."""
    return MeasuredComponent(name=name or str(path), digest_algorithm=HASH_SHA256, digest=_sha256(path.read_bytes()))


def measure_package(directory: Path, *, name: str) -> MeasuredComponent:
    """A measured component over a package: SHA-256 of ``rel-path NUL sha256(file) LF`` lines, sorted."""
    lines = sorted(
        f"{file.relative_to(directory).as_posix()}\0{_sha256(file.read_bytes()).hex()}\n"
        for file in directory.rglob("*.py")
    )
    return MeasuredComponent(name=name, digest_algorithm=HASH_SHA256, digest=_sha256("".join(lines).encode()))


def _default_packages() -> list[MeasuredComponent]:
    import ratscore

    root = Path(ratscore.__file__).resolve().parent.parent
    return [
        measure_package(root / name, name=f"attested-stack:{name}")
        for name in ("ratscore", "atls", "edhoc_ra", "keyneg")
        if (root / name).is_dir()
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class SoftwareAttester:
    """Evidence from a software-held attestation key (see module doc)."""

    key: PrivateKey
    components: tuple[MeasuredComponent, ...]
    binding: Binding = Binding.EAT_NONCE
    swname: str = "attested-stack"

    @classmethod
    def create(
        cls,
        key_path: Path,
        *,
        measured_files: Iterable[Path] = (),
        measure_interpreter: bool = True,
        measure_packages: bool = True,
        binding: Binding = Binding.EAT_NONCE,
        key_type: KeyType = KeyType.P256,
        crypto: CryptoProvider | str | None = None,
    ) -> SoftwareAttester:
        """Load or create the key and take the measurements once (as a boot-time measurement would)."""
        components = [measure_file(Path(path)) for path in measured_files]
        if measure_interpreter:
            components.append(measure_file(Path(sys.executable), name="python:" + sys.executable))
        if measure_packages:
            components.extend(_default_packages())
        key = load_or_create_key(key_path, key_type=key_type, crypto=crypto)
        return cls(key=key, components=tuple(components), binding=binding)

    @property
    def media_type(self) -> str:
        return SOFTWARE_MEDIA_TYPE

    @property
    def key_id(self) -> bytes:
        return _sha256(public_key_to_spki(self.key.public_key()))

    def reference_values(self) -> dict[str, bytes]:
        """Name -> digest of what this attester measures (for provisioning a verifier)."""
        return {component.name: component.digest or b"" for component in self.components}

    def claims(self, binder: bytes) -> EatClaims:
        nonce: tuple[bytes | str, ...] = ()
        if self.binding is Binding.EAT_NONCE:
            if not 8 <= len(binder) <= 64:  # RFC 9711 §4.1: bstr .size (8..64)
                raise LocalProtocolError("an eat_nonce binder must be 8..64 bytes")
            nonce = (bytes(binder),)
        return EatClaims(
            nonce=nonce,
            ueid=b"\x01" + self.key_id,
            profile=SOFTWARE_PROFILE,
            swname=self.swname,
            measurements=tuple(Measurement(CF_MEASURED_COMPONENT_CBOR, c.encode()) for c in self.components) or None,
        )

    def evidence(self, binder: bytes) -> Cmw:
        """The evidence for ``binder`` as a CMW record."""
        alg = _ALGORITHMS.get(self.key.key_type)
        if alg is None:
            raise LocalProtocolError(f"{self.key.key_type.label} keys cannot sign COSE here")
        external_aad = bytes(binder) if self.binding is Binding.EXTERNAL_AAD else b""
        token = sign_cwt(self.claims(binder), self.key, alg, kid=self.key_id, external_aad=external_aad)
        return CmwRecord(type=self.media_type, value=token, indicator=Indicator.EVIDENCE)


# ---------------------------------------------------------------------------
# Appraisal helpers (reused by the policy verifier)
# ---------------------------------------------------------------------------


def _trusted_key(kid: bytes | None, trusted_keys: Sequence[PublicKey]) -> list[PublicKey]:
    if kid is None:
        return list(trusted_keys)
    matching = [key for key in trusted_keys if _sha256(public_key_to_spki(key)) == kid]
    if not matching:
        raise UntrustedKey("evidence is signed by a key that is not trusted")
    return matching


def verify_evidence(
    evidence: Cmw,
    *,
    binder: bytes,
    trusted_keys: Sequence[PublicKey],
    binding: Binding = Binding.EAT_NONCE,
    crypto: CryptoProvider | str | None = None,
) -> EatClaims:
    """Media type, signature by a trusted key, profile and binder; returns the verified claims."""
    if not isinstance(evidence, CmwRecord) or not isinstance(evidence.type, str):
        raise UnknownMediaType("software evidence is a CMW record with a media type")
    media_type = MediaType.parse(evidence.type)
    if media_type.essence != EAT_CWT or media_type.profile != SOFTWARE_PROFILE:
        raise UnknownMediaType(f"media type {evidence.type!r} is not software-attester evidence")
    try:
        kid = decode_sign1(evidence.value).kid
    except DecodeError:
        kid = None  # verify_cwt below reports the malformation precisely
    external_aad = bytes(binder) if binding is Binding.EXTERNAL_AAD else b""
    last_error: AttestationError = UntrustedKey("no trusted keys configured")
    for key in _trusted_key(kid, trusted_keys):
        try:
            claims = verify_cwt(evidence.value, key, external_aad=external_aad, crypto=crypto).claims
            break
        except BadSignature as exc:
            last_error = exc
    else:
        raise last_error
    if claims.profile != SOFTWARE_PROFILE:
        raise InvalidClaim("eat_profile is not the software-attester profile", claim="eat_profile")
    if binding is Binding.EAT_NONCE:
        if not claims.nonce:
            raise MissingClaim("evidence has no eat_nonce", claim="eat_nonce")
        if claims.nonce != (bytes(binder),):
            raise StaleNonce("eat_nonce does not match the binder", claim="eat_nonce")
    return claims


def check_measurements(
    claims: EatClaims, reference_values: Mapping[str, bytes], *, require_all: bool = True
) -> list[MeasurementMismatch]:
    """Compare measured components against ``reference_values`` (name -> SHA-256 digest)."""
    measured: dict[str, MeasuredComponent] = {}
    for entry in claims.measurements or ():
        if entry.content_format != CF_MEASURED_COMPONENT_CBOR or not isinstance(entry.body, bytes):
            continue  # other measurement formats are not ours to judge
        component = MeasuredComponent.decode(entry.body)
        measured[component.name] = component
    problems = []
    for name, expected in reference_values.items():
        found = measured.get(name)
        if found is None:
            if require_all:
                problems.append(MeasurementMismatch(f"no measurement of {name!r}", claim="measurements"))
        elif found.digest_algorithm not in (HASH_SHA256, "sha-256") or found.digest != expected:
            problems.append(
                MeasurementMismatch(f"measurement of {name!r} differs from its reference value", claim="measurements")
            )
    return problems


def appraise(
    evidence: Cmw,
    *,
    binder: bytes,
    now: int | datetime,
    trusted_keys: Sequence[PublicKey],
    reference_values: Mapping[str, bytes],
    nonce_store: NonceStore | None = None,
    binding: Binding = Binding.EAT_NONCE,
    crypto: CryptoProvider | str | None = None,
) -> AttestationResult:
    """Full appraisal of software evidence into a typed result (never raises AttestationError)."""
    media = evidence.type if isinstance(evidence, CmwRecord) and isinstance(evidence.type, str) else None
    try:
        claims = verify_evidence(evidence, binder=binder, trusted_keys=trusted_keys, binding=binding, crypto=crypto)
        if nonce_store is not None:
            nonce_store.consume(bytes(binder), epoch_seconds(now))
    except AttestationError as error:
        vector = {TrustCategory.INSTANCE_IDENTITY: 99 if isinstance(error, BadSignature | UntrustedKey) else 97}
        return AttestationResult(
            status=TrustTier.CONTRAINDICATED, trust_vector=vector, failures=(ClaimFailure.of(error),), media_type=media
        )
    problems = check_measurements(claims, reference_values)
    vector = {TrustCategory.INSTANCE_IDENTITY: 2, TrustCategory.EXECUTABLES: 96 if problems else 2}
    return AttestationResult(
        status=TrustTier.CONTRAINDICATED if problems else TrustTier.AFFIRMING,
        trust_vector=vector,
        failures=tuple(ClaimFailure.of(problem) for problem in problems),
        claims=claims,
        media_type=media,
    )
