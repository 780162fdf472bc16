"""The software attester and its appraisal helpers, on both crypto backends."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from ratscore.attestation import cmw, software
from ratscore.attestation.cmw import CmwRecord, Indicator
from ratscore.attestation.ear import TrustTier
from ratscore.attestation.errors import (
    BadSignature,
    MeasurementMismatch,
    ReplayedNonce,
    StaleNonce,
    UnknownMediaType,
    UntrustedKey,
)
from ratscore.attestation.media import MediaType
from ratscore.attestation.protocols import AttestationResult, Attester, Binding, MemoryNonceStore, Verifier
from ratscore.crypto import CryptoProvider
from ratscore.crypto.encoding import pem_decode
from ratscore.crypto.types import KeyType
from ratscore.errors import LocalProtocolError

BINDER = bytes(range(32))
NOW = 1_750_000_000


@pytest.fixture
def measured(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_bytes(b"policy = 'strict'\n")
    return path


def make(tmp_path: Path, measured: Path, crypto: CryptoProvider, **options: object) -> software.SoftwareAttester:
    return software.SoftwareAttester.create(
        tmp_path / "ak.pem",
        measured_files=[measured],
        measure_packages=False,
        crypto=crypto,
        **options,  # type: ignore[arg-type]
    )


def test_key_file_is_created_private_and_reused(tmp_path: Path, crypto: CryptoProvider) -> None:
    path = tmp_path / "ak.pem"
    first = software.load_or_create_key(path, crypto=crypto)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pem_decode(path.read_text(), "PRIVATE KEY")[0] == "PRIVATE KEY"
    again = software.load_or_create_key(path, crypto=crypto)
    assert again.public_key() == first.public_key()


def test_evidence_round_trip(tmp_path: Path, measured: Path, crypto: CryptoProvider) -> None:
    attester = make(tmp_path, measured, crypto)
    assert isinstance(attester, Attester)
    evidence = attester.evidence(BINDER)
    assert isinstance(evidence, CmwRecord) and evidence.indicator is Indicator.EVIDENCE
    media = MediaType.parse(attester.media_type)
    assert media.essence == "application/eat+cwt" and media.profile == software.SOFTWARE_PROFILE
    assert cmw.decode(cmw.encode_cbor(evidence)) == evidence  # survives the wire
    names = set(attester.reference_values())
    assert str(measured) in names and "python:" + sys.executable in names
    result = software.appraise(
        evidence,
        binder=BINDER,
        now=NOW,
        trusted_keys=[attester.key.public_key()],
        reference_values=attester.reference_values(),
        crypto=crypto,
    )
    assert result.affirming, result.failures
    assert result.claims.nonce == (BINDER,)
    assert result.claims.ueid[0] == 1 and len(result.claims.ueid) == 33


def test_failures_are_typed(tmp_path: Path, measured: Path, crypto: CryptoProvider) -> None:
    attester = make(tmp_path, measured, crypto)
    evidence = attester.evidence(BINDER)
    trusted = [attester.key.public_key()]
    references = attester.reference_values()

    def appraise(ev: cmw.Cmw = evidence, **overrides: object) -> AttestationResult:
        arguments: dict[str, object] = {
            "binder": BINDER, "now": NOW, "trusted_keys": trusted, "reference_values": references, "crypto": crypto,
        }  # fmt: skip
        arguments.update(overrides)
        return software.appraise(ev, **arguments)  # type: ignore[arg-type]

    stale = appraise(binder=bytes(32))
    assert stale.status is TrustTier.CONTRAINDICATED
    assert stale.failures[0].error is StaleNonce and stale.failures[0].claim == "eat_nonce"
    with pytest.raises(StaleNonce):
        stale.raise_for_status()

    other = crypto.generate_private_key(KeyType.P256).public_key()
    assert appraise(trusted_keys=[other]).failures[0].error is UntrustedKey

    assert isinstance(evidence, CmwRecord)
    tampered = bytearray(evidence.value)
    tampered[-1] ^= 1
    forged = CmwRecord(type=evidence.type, value=bytes(tampered), indicator=evidence.indicator)
    assert appraise(forged).failures[0].error is BadSignature

    changed = dict(references)
    changed[str(measured)] = bytes(32)
    mismatch = appraise(reference_values=changed)
    assert mismatch.status is TrustTier.CONTRAINDICATED
    assert [f.error for f in mismatch.failures] == [MeasurementMismatch]
    missing = appraise(reference_values={**references, "/etc/never-measured": bytes(32)})
    assert missing.failures[0].error is MeasurementMismatch

    wrong_type = CmwRecord(type="application/eat+cwt", value=evidence.value)
    assert appraise(wrong_type).failures[0].error is UnknownMediaType

    store = MemoryNonceStore(require_issued=False)
    assert appraise(nonce_store=store).affirming
    replay = appraise(nonce_store=store)
    assert replay.failures[0].error is ReplayedNonce

    issued = MemoryNonceStore(lifetime=60)
    assert appraise(nonce_store=issued).failures[0].error is StaleNonce  # never issued
    issued.issue(BINDER, NOW - 61)
    assert appraise(nonce_store=issued).failures[0].error is StaleNonce  # expired
    issued.issue(BINDER, NOW - 10)
    assert appraise(nonce_store=issued).affirming


def test_external_aad_binding(tmp_path: Path, measured: Path, crypto: CryptoProvider) -> None:
    attester = make(tmp_path, measured, crypto, binding=Binding.EXTERNAL_AAD, key_type=KeyType.ED25519)
    evidence = attester.evidence(b"any length binder works here")
    common = {"trusted_keys": [attester.key.public_key()], "reference_values": {}, "crypto": crypto}
    good = software.appraise(
        evidence,
        binder=b"any length binder works here",
        now=NOW,
        binding=Binding.EXTERNAL_AAD,
        **common,  # type: ignore[arg-type]
    )
    assert good.affirming and good.claims.nonce == ()
    bad = software.appraise(evidence, binder=b"other", now=NOW, binding=Binding.EXTERNAL_AAD, **common)  # type: ignore[arg-type]
    assert bad.failures[0].error is BadSignature


def test_binder_size_for_eat_nonce(tmp_path: Path, measured: Path, crypto: CryptoProvider) -> None:
    attester = make(tmp_path, measured, crypto)
    with pytest.raises(LocalProtocolError):
        attester.evidence(b"short")


def test_package_measurement_is_stable(crypto: CryptoProvider, tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    first = software.measure_package(package, name="pkg")
    assert software.measure_package(package, name="pkg") == first
    (package / "sub" / "b.py").write_text("y = 3\n")
    assert software.measure_package(package, name="pkg").digest != first.digest


class _SoftwareVerifier:
    """A Verifier built from the helpers, to check the protocol shape."""

    def __init__(self, attester: software.SoftwareAttester, crypto: CryptoProvider) -> None:
        self.attester = attester
        self.crypto = crypto

    def appraise(self, evidence: cmw.Cmw, *, binder: bytes, now: int | object) -> AttestationResult:
        return software.appraise(
            evidence,
            binder=binder,
            now=now,  # type: ignore[arg-type]
            trusted_keys=[self.attester.key.public_key()],
            reference_values=self.attester.reference_values(),
            crypto=self.crypto,
        )


def test_verifier_protocol(tmp_path: Path, measured: Path, crypto: CryptoProvider) -> None:
    verifier = _SoftwareVerifier(make(tmp_path, measured, crypto), crypto)
    assert isinstance(verifier, Verifier)
    from datetime import UTC, datetime

    result = verifier.appraise(verifier.attester.evidence(BINDER), binder=BINDER, now=datetime.now(UTC))
    assert result.affirming
