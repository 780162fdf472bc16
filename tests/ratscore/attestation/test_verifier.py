"""The local verifier, its policy file and the relying-party models, on both backends.

TPM evidence uses the swtpm-captured ECDSA quote from ``test_tpm_structures``
(checked by tpm2_checkquote when captured); TSM evidence a fake SEV-SNP report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ratscore import cbor
from ratscore.attestation import cmw, software, tsm
from ratscore.attestation.cmw import CmwRecord, Indicator
from ratscore.attestation.ear import TrustTier
from ratscore.attestation.errors import (
    BadSignature,
    ExpiredToken,
    MalformedEvidence,
    MeasurementMismatch,
    OversizedObject,
    ReplayedNonce,
    StaleNonce,
    UnknownMediaType,
    UnsupportedProfile,
    UntrustedKey,
)
from ratscore.attestation.policy import Policy, PolicyError, load_policy
from ratscore.attestation.tpm import PcrSelectionMismatch
from ratscore.attestation.verifier import EarSerialization, InsufficientTrust, LocalVerifier, RelyingParty
from ratscore.crypto import CryptoProvider
from ratscore.crypto.encoding import pem_encode, public_key_to_spki
from ratscore.crypto.types import KeyType

from . import test_tpm_structures as tpm_vectors

NOW = 1_750_000_000
BINDER = bytes(range(32))


@pytest.fixture
def measured(tmp_path: Path) -> Path:
    path = tmp_path / "app.conf"
    path.write_bytes(b"mode = strict\n")
    return path


def make_attester(tmp_path: Path, measured: Path, crypto: CryptoProvider) -> software.SoftwareAttester:
    return software.SoftwareAttester.create(
        tmp_path / "attester.pem",
        measured_files=[measured],
        measure_interpreter=False,
        measure_packages=False,
        crypto=crypto,
    )


def policy_document(attester: software.SoftwareAttester, measured: Path, **extra: object) -> dict[str, object]:
    import hashlib

    document: dict[str, object] = {
        "policy_id": "test-policy",
        "freshness": "issued-nonce",
        "software": {
            "trusted_keys": [pem_encode("PUBLIC KEY", public_key_to_spki(attester.key.public_key()))],
            "reference_values": {str(measured): hashlib.sha256(measured.read_bytes()).hexdigest()},
        },
        "tpm": {
            "trusted_aks": [tpm_vectors.ECDSA_AK_PEM],
            "pcr_selection": "sha256:0,1,2,3",
            "reference_pcrs": {f"sha256:{index}": "00" * 32 for index in range(4)},
        },
        "tsm": {"providers": ["sev_guest"]},
    }
    document.update(extra)
    return document


@pytest.fixture
def setup(
    tmp_path: Path, measured: Path, crypto: CryptoProvider
) -> tuple[software.SoftwareAttester, LocalVerifier, dict[str, object]]:
    attester = make_attester(tmp_path, measured, crypto)
    document = policy_document(attester, measured)
    verifier = LocalVerifier(
        Policy.from_mapping(document), signing_key=crypto.generate_private_key(KeyType.P256), crypto=crypto
    )
    return attester, verifier, document


Setup = tuple[software.SoftwareAttester, LocalVerifier, dict[str, object]]


# -- policy files -------------------------------------------------------------------------------------


def test_policy_from_json_and_toml_agree(tmp_path: Path, setup: Setup) -> None:
    _, _, document = setup
    (tmp_path / "policy.json").write_text(json.dumps(document))
    keys = document["software"]["trusted_keys"][0]  # type: ignore[index]
    toml = f'''policy_id = "test-policy"
[software]
trusted_keys = ["""{keys}"""]
[tpm]
trusted_aks = [{{file = "ak.pem"}}]
pcr_selection = "sha256:0,1,2,3"
[tpm.reference_pcrs]
"sha256:0" = "{"00" * 32}"
'''
    (tmp_path / "ak.pem").write_text(tpm_vectors.ECDSA_AK_PEM)
    (tmp_path / "policy.toml").write_text(toml)
    from_json = load_policy(tmp_path / "policy.json")
    from_toml = load_policy(tmp_path / "policy.toml")
    assert from_json.software is not None and from_toml.software is not None
    assert from_json.software.trusted_keys == from_toml.software.trusted_keys
    assert from_toml.tpm is not None and from_toml.tpm.trusted_aks == (tpm_vectors.ak(tpm_vectors.ECDSA_AK_PEM),)
    assert from_toml.tpm.reference_pcrs == {(0x000B, 0): bytes(32)}


@pytest.mark.parametrize(
    "document",
    [
        {"unknown": 1},
        {"freshness": "sometimes"},
        {"nonce_lifetime": -1},
        {"software": {"trusted_keys": []}},
        {"software": {"trusted_keys": ["not a pem"]}},
        {"tpm": {"trusted_aks": [{"spki": "zz"}]}},
        {"tpm": {"trusted_aks": [tpm_vectors.ECDSA_AK_PEM], "reference_pcrs": {"pcr0": "00"}}},
        {"tsm": {"providers": "tdx_guest"}},
    ],
)
def test_bad_policies(document: dict[str, object]) -> None:
    with pytest.raises(PolicyError):
        Policy.from_mapping(document)


def test_unreadable_policy_file(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text("this is = = not toml")
    with pytest.raises(PolicyError):
        load_policy(tmp_path / "p.toml")


# -- dispatch and the software path ----------------------------------------------------------------------


def test_software_evidence_affirms(setup: Setup) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    result = verifier.appraise(cmw.encode_cbor(attester.evidence(nonce)), binder=nonce, now=NOW)
    assert result.affirming, result.failures


def test_replayed_nonce(setup: Setup) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    evidence = attester.evidence(nonce)
    assert verifier.appraise(evidence, binder=nonce, now=NOW).affirming
    again = verifier.appraise(evidence, binder=nonce, now=NOW + 1)
    assert again.failures[0].error is ReplayedNonce


def test_stale_nonce_after_expiry(setup: Setup) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    result = verifier.appraise(attester.evidence(nonce), binder=nonce, now=NOW + 301)
    assert result.failures[0].error is StaleNonce


def test_never_issued_nonce(setup: Setup) -> None:
    attester, verifier, _ = setup
    result = verifier.appraise(attester.evidence(BINDER), binder=BINDER, now=NOW)
    assert result.failures[0].error is StaleNonce


def test_binder_mismatch(setup: Setup) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    result = verifier.appraise(attester.evidence(nonce), binder=BINDER, now=NOW)
    assert (result.failures[0].error, result.failures[0].claim) == (StaleNonce, "eat_nonce")


def test_nonce_store_is_bounded(setup: Setup) -> None:
    _, _, document = setup
    verifier = LocalVerifier(Policy.from_mapping({**document, "nonce_capacity": 2}))
    first = verifier.issue_nonce(NOW)
    verifier.issue_nonce(NOW)
    verifier.issue_nonce(NOW)
    with pytest.raises(StaleNonce):
        verifier.nonces.consume(first, NOW)


def test_measurement_mismatch(setup: Setup, measured: Path) -> None:
    _, verifier, _ = setup
    measured.write_bytes(b"mode = lax\n")  # the reference was taken before this change
    changed = software.SoftwareAttester.create(
        measured.parent / "attester.pem", measured_files=[measured], measure_interpreter=False, measure_packages=False
    )
    nonce = verifier.issue_nonce(NOW)
    result = verifier.appraise(changed.evidence(nonce), binder=nonce, now=NOW)
    assert result.status is TrustTier.CONTRAINDICATED
    assert result.failures[0].error is MeasurementMismatch


def test_untrusted_software_key(setup: Setup, tmp_path: Path, crypto: CryptoProvider) -> None:
    _, verifier, _ = setup
    stranger = software.SoftwareAttester.create(
        tmp_path / "other.pem", measure_interpreter=False, measure_packages=False, crypto=crypto
    )
    nonce = verifier.issue_nonce(NOW)
    assert verifier.appraise(stranger.evidence(nonce), binder=nonce, now=NOW).failures[0].error is UntrustedKey


def test_bad_signature(setup: Setup) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    record = attester.evidence(nonce)
    assert isinstance(record, CmwRecord)
    broken = CmwRecord(
        type=record.type, value=record.value[:-1] + bytes([record.value[-1] ^ 1]), indicator=record.indicator
    )
    assert verifier.appraise(broken, binder=nonce, now=NOW).failures[0].error is BadSignature


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x82\x61", MalformedEvidence),  # truncated CBOR record
        (b'["application/eat+cwt", "!!"]', MalformedEvidence),  # JSON with a bad base64url value
        (b"{not json", MalformedEvidence),
        (cbor.encode(cbor.Tag(55799, b"x")), UnknownMediaType),  # a tag that is not TN-derived
        (b"\x00\x01", MalformedEvidence),  # no CMW starts like this
        (bytes(70_000), OversizedObject),
    ],
    ids=["bad-cbor", "bad-json-value", "bad-json", "wrong-tag", "not-cmw", "oversized"],
)
def test_malformed_input(setup: Setup, data: bytes, error: type[Exception]) -> None:
    _, verifier, _ = setup
    result = verifier.appraise(data, binder=BINDER, now=NOW)
    assert result.status is TrustTier.CONTRAINDICATED
    assert result.failures[0].error is error


def test_unknown_media_type(setup: Setup) -> None:
    _, verifier, _ = setup
    record = CmwRecord(type="application/vnd.example.thing", value=b"x", indicator=Indicator.EVIDENCE)
    assert verifier.appraise(record, binder=BINDER, now=NOW).failures[0].error is UnknownMediaType


def test_kind_not_in_policy(setup: Setup) -> None:
    attester, _, document = setup
    only_tpm = LocalVerifier(Policy.from_mapping({"tpm": document["tpm"]}))
    result = only_tpm.appraise(attester.evidence(BINDER), binder=BINDER, now=NOW)
    assert result.failures[0].error is UnsupportedProfile


# -- TPM and TSM through the verifier -------------------------------------------------------------------


def test_tpm_quote_through_verifier(setup: Setup, crypto: CryptoProvider) -> None:
    _, _, document = setup
    verifier = LocalVerifier(Policy.from_mapping({**document, "freshness": "single-use"}), crypto=crypto)
    evidence = cmw.encode_cbor(tpm_vectors.ecdsa_evidence().to_cmw())
    assert verifier.appraise(evidence, binder=tpm_vectors.QUALIFICATION, now=NOW).affirming
    replay = verifier.appraise(evidence, binder=tpm_vectors.QUALIFICATION, now=NOW)
    assert replay.failures[0].error is ReplayedNonce


def test_tpm_quote_for_other_pcrs(setup: Setup, crypto: CryptoProvider) -> None:
    _, _, document = setup
    tpm_section = dict(document["tpm"])  # type: ignore[call-overload]
    tpm_section["pcr_selection"] = "sha256:0,1,2,3,4"
    verifier = LocalVerifier(Policy.from_mapping({**document, "tpm": tpm_section}), crypto=crypto)
    result = verifier.appraise(tpm_vectors.ecdsa_evidence().to_cmw(), binder=tpm_vectors.QUALIFICATION, now=NOW)
    assert result.failures[0].error is PcrSelectionMismatch


def sev_evidence(binder: bytes) -> cmw.Cmw:
    report = bytearray(0x4A0)
    report[0x50:0x90] = tsm.report_data(binder)  # SNP ABI Table 22: REPORT_DATA at 0x50
    return tsm.TsmReport(provider="sev_guest", outblob=bytes(report)).to_cmw()


def test_tsm_is_a_clear_warning(setup: Setup) -> None:
    _, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    result = verifier.appraise(sev_evidence(nonce), binder=nonce, now=NOW)
    assert result.status is TrustTier.WARNING
    assert result.failures[0].error is tsm.UnverifiedPlatformEvidence
    assert "NOT cryptographically verified" in result.failures[0].reason


# -- EARs and the passport model ------------------------------------------------------------------------


@pytest.mark.parametrize("serialization", list(EarSerialization))
def test_passport_round_trip(setup: Setup, crypto: CryptoProvider, serialization: EarSerialization) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    token = verifier.appraise_to_ear(attester.evidence(nonce), binder=nonce, now=NOW, serialization=serialization)
    party = RelyingParty(verifier_key=verifier.public_key, crypto=crypto)
    result = party.check_passport(token, expected_nonce=nonce, now=NOW + 5)
    assert result.affirming, result.failures
    again = party.check_passport(token, expected_nonce=nonce, now=NOW + 6)
    assert again.failures[0].error is ReplayedNonce


def test_passport_wrong_nonce(setup: Setup, crypto: CryptoProvider) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    token = verifier.appraise_to_ear(attester.evidence(nonce), binder=nonce, now=NOW)
    result = RelyingParty(verifier_key=verifier.public_key, crypto=crypto).check_passport(
        token, expected_nonce=bytes(32), now=NOW
    )
    assert (result.failures[0].error, result.failures[0].claim) == (StaleNonce, "eat_nonce")


def test_passport_expired(setup: Setup, crypto: CryptoProvider) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    token = verifier.appraise_to_ear(attester.evidence(nonce), binder=nonce, now=NOW)
    result = RelyingParty(verifier_key=verifier.public_key, crypto=crypto).check_passport(
        token, expected_nonce=nonce, now=NOW + 301
    )
    assert result.failures[0].error is ExpiredToken


def test_passport_signed_by_someone_else(setup: Setup, crypto: CryptoProvider) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    token = verifier.appraise_to_ear(
        attester.evidence(nonce), binder=nonce, now=NOW, serialization=EarSerialization.CWT
    )
    other = crypto.generate_private_key(KeyType.P256).public_key()
    result = RelyingParty(verifier_key=other, crypto=crypto).check_passport(token, expected_nonce=nonce, now=NOW)
    assert result.failures[0].error is BadSignature


def test_passport_of_failed_appraisal_is_insufficient(setup: Setup, crypto: CryptoProvider) -> None:
    attester, verifier, _ = setup
    nonce = verifier.issue_nonce(NOW)
    token = verifier.appraise_to_ear(attester.evidence(BINDER), binder=nonce, now=NOW)  # evidence for another binder
    result = RelyingParty(verifier_key=verifier.public_key, crypto=crypto).check_passport(
        token, expected_nonce=nonce, now=NOW
    )
    assert result.status is TrustTier.CONTRAINDICATED
    assert result.failures[0].error is InsufficientTrust


# -- the background-check model -----------------------------------------------------------------------


def test_background_check(setup: Setup, crypto: CryptoProvider) -> None:
    attester, verifier, _ = setup
    binder = verifier.issue_nonce(NOW)  # the RP computed (here: obtained) the binder itself
    party = RelyingParty(crypto=crypto)
    assert party.check_evidence(verifier, attester.evidence(binder), binder, NOW).affirming


def test_background_check_warning_needs_consent(setup: Setup, crypto: CryptoProvider) -> None:
    _, verifier, _ = setup
    binder = verifier.issue_nonce(NOW)
    strict = RelyingParty(crypto=crypto).check_evidence(verifier, sev_evidence(binder), binder, NOW)
    assert strict.status is TrustTier.WARNING
    assert [failure.error for failure in strict.failures] == [tsm.UnverifiedPlatformEvidence, InsufficientTrust]
    binder = verifier.issue_nonce(NOW)
    lenient = RelyingParty(minimum_tier=TrustTier.WARNING, crypto=crypto)
    accepted = lenient.check_evidence(verifier, sev_evidence(binder), binder, NOW)
    assert [failure.error for failure in accepted.failures] == [tsm.UnverifiedPlatformEvidence]
