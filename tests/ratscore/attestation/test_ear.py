"""EAR (draft-ietf-rats-ear-03): the draft's examples and the deployed Veraison and
Trustee tokens as vectors.

Transcription: the JSON examples are the rendered draft-03 text (§3.2.1, §4.4.1,
identical to keyneg_formats.md §3.3.4), the CBOR example (§3.3.1) is diagnostic
notation written as Python values, the -02 dotted example comes from the digest.
The Appendix B token is kept exactly as printed (RFC 8792 folded) and unfolded
here; the signed tokens were copied mechanically from the digest.
"""

from __future__ import annotations

import json
import re

import pytest

from ratscore.attestation import ear
from ratscore.attestation.ear import Dialect, Ear, EarAppraisal, TrustCategory, TrustTier, VerifierId
from ratscore.attestation.errors import (
    BadSignature,
    ExpiredToken,
    InvalidClaim,
    MalformedEvidence,
    MissingClaim,
    OversizedObject,
    UnsupportedProfile,
)
from ratscore.attestation.jose import decode_jws, public_key_from_jwk, verify_jws
from ratscore.cose import CoseAlgorithm
from ratscore.crypto import CryptoProvider
from ratscore.crypto.types import KeyType

from .vectors_tokens import (
    EAR_APPENDIX_B_DIGEST,
    EAR_APPENDIX_B_FOLDED,
    TRUSTEE_REALM_JWT,
    VERAISON_TEST_JWT,
    VERAISON_TEST_JWT_JWK,
    VERAISON_VERIFY_PASS_JWT,
)

# draft-03 Appendix B "trusted_verifiers" key (= veraison/ear arc/data/skey.json public part).
VERAISON_KEY = {
    "kty": "EC",
    "crv": "P-256",
    "x": "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8",
    "y": "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4",
}
POLICY = "https://veraison.example/policy/1/60a0068d"
VERAISON_VTS = VerifierId("https://veraison-project.org", "vts 0.0.1")

EAR_JSON_1 = """{
  "eat_profile": "tag:ietf.org,2026:rats/ear#03",
  "iat": 1666529184,
  "ear_verifier_id": {
    "developer": "https://veraison-project.org",
    "build": "vts 0.0.1"
  },
  "ear_raw_evidence": "NzQ3MjY5NzM2NTYzNzQK",
  "submods": {
    "PSA": {
      "ear_status": "contraindicated",
      "ear_trustworthiness_vector": {
        "instance-identity": 2,
        "executables": 96,
        "hardware": 2
      },
      "ear_appraisal_policy_ids":
        [ "https://veraison.example/policy/1/60a0068d" ]
    }
  }
}"""
EAR_JSON_2 = """{
  "eat_profile": "tag:ietf.org,2026:rats/ear#03",
  "iat": 1666529300,
  "ear_verifier_id": {"developer": "https://veraison-project.org", "build": "vts 0.0.1"},
  "ear_raw_evidence": "NzQ3MjY5NzM2NTYzNzQKNzQ3MjY5NzM2NTYzNzQK",
  "submods": {
    "CCA Platform": {
      "ear_status": "affirming",
      "ear_trustworthiness_vector": {"instance-identity": 2, "executables": 2, "hardware": 2},
      "ear_appraisal_policy_ids": [ "https://veraison.example/policy/1/60a0068d" ]
    },
    "CCA Realm": {
      "ear_status": "affirming",
      "ear_trustworthiness_vector": {"instance-identity": 2},
      "ear_appraisal_policy_ids": [ "https://veraison.example/policy/1/60a0068d" ]
    }
  }
}"""
EAR_CBOR_1 = {  # draft-03 §3.3.1 (ear-cbor-1.diag)
    265: "tag:ietf.org,2026:rats/ear#03",
    6: 1666529184,
    1004: {0: "https://veraison-project.org", 1: "vts 0.0.1"},
    1002: bytes.fromhex("6C696665626F61746D616E"),
    266: {"PSA": {1000: 96, 1001: {0: 2, 2: 96, 4: 2}, 1003: ["https://veraison.example/policy/1/60a0068d"]}},
}
EAR_JSON_1_DRAFT_02 = {  # draft-02 ear-json-1.diag (dotted names), keyneg_formats.md §3.3.4
    "eat_profile": "tag:ietf.org,2025-07:ear",
    "iat": 1666529184,
    "ear.verifier-id": {"developer": "https://veraison-project.org", "build": "vts 0.0.1"},
    "ear.raw-evidence": "NzQ3MjY5NzM2NTYzNzQK",
    "submods": {
        "PSA": {
            "ear.status": "contraindicated",
            "ear.trustworthiness-vector": {"instance-identity": 2, "executables": 96, "hardware": 2},
            "ear.appraisal-policy-id": "https://veraison.example/policy/1/60a0068d",
        }
    },
}
CONTRAINDICATED_PSA = EarAppraisal(
    status=TrustTier.CONTRAINDICATED,
    trust_vector={TrustCategory.INSTANCE_IDENTITY: 2, TrustCategory.EXECUTABLES: 96, TrustCategory.HARDWARE: 2},
    policy_ids=(POLICY,),
)


def test_tier_and_category_numbers() -> None:
    # draft-03 ar4si.cddl labels.
    assert [int(t) for t in TrustTier] == [0, 2, 32, 96]
    assert [c.json_name for c in TrustCategory] == [
        "instance-identity", "configuration", "executables", "file-system",
        "hardware", "runtime-opaque", "storage-opaque", "sourced-data",
    ]  # fmt: skip
    assert [int(c) for c in TrustCategory] == list(range(8))


def test_json_example_1() -> None:
    result = Ear.from_json(json.loads(EAR_JSON_1))
    assert result.profile == ear.EAR_PROFILE
    assert result.dialect is Dialect.CURRENT
    assert result.issued_at == 1666529184
    assert result.verifier_id == VERAISON_VTS
    assert result.raw_evidence == b"74726973656374\n"  # base64 "NzQ3MjY5NzM2NTYzNzQK"
    assert result.submods == {"PSA": CONTRAINDICATED_PSA}
    assert result.overall_status is TrustTier.CONTRAINDICATED
    assert Ear.from_json(result.to_json()) == result


def test_json_example_2() -> None:
    result = Ear.from_json(json.loads(EAR_JSON_2))
    assert result.issued_at == 1666529300
    assert result.submods["CCA Platform"].status is TrustTier.AFFIRMING
    assert result.submods["CCA Realm"].trust_vector == {TrustCategory.INSTANCE_IDENTITY: 2}
    assert result.overall_status is TrustTier.AFFIRMING


def test_cbor_example_1() -> None:
    result = Ear.from_cbor(EAR_CBOR_1)
    assert result.submods == {"PSA": CONTRAINDICATED_PSA}
    assert result.raw_evidence == b"lifeboatman"
    assert result.to_cbor() == EAR_CBOR_1


def test_draft_02_dotted_names_parse_to_the_same_values() -> None:
    legacy = Ear.from_json(EAR_JSON_1_DRAFT_02)
    assert legacy.dialect is Dialect.LEGACY
    current = Ear.from_json(json.loads(EAR_JSON_1))
    assert legacy.submods == current.submods
    assert legacy.verifier_id == current.verifier_id
    assert legacy.to_json() == EAR_JSON_1_DRAFT_02


def test_teep_extension_example() -> None:
    # draft-03 §4.4.2 ext-teep-cbor-1: status 0 ("none") with an affirming vector is allowed
    # (none claims no trust); the TEEP claims are kept as an extension.
    example = dict(EAR_CBOR_1)
    example[266] = {
        "PSA": {
            1000: 0,
            1001: {0: 2, 1: 2, 2: 2, 4: 2},
            1003: [POLICY],
            65000: {10: bytes.fromhex("948f8860d13a463e"), 258: 64242, 260: ["1.2.5", 16384]},
        }
    }
    result = Ear.from_cbor(example)
    assert result.submods["PSA"].status is TrustTier.NONE
    assert result.submods["PSA"].extensions["ear_teep_claims"][258] == 64242
    assert result.to_cbor() == example


def _unfold_rfc8792(text: str) -> str:
    # RFC 8792 §7.2.2 (single backslash): drop "\" + line break + the next line's leading spaces.
    return re.sub(r"\\\n[ ]*", "", text)


def test_appendix_b_token_is_signed_but_malformed(crypto: CryptoProvider) -> None:
    unfolded = _unfold_rfc8792(EAR_APPENDIX_B_FOLDED)
    token = unfolded.split('"ear_token": "', 1)[1].rstrip("\\\n")
    assert token == EAR_APPENDIX_B_DIGEST  # the digest unfolded it the same way
    key = public_key_from_jwk(VERAISON_KEY, crypto=crypto)
    verify_jws(token, key, crypto=crypto)  # the signature is good...
    with pytest.raises(InvalidClaim) as info:  # ...but "iat": 1.666529184e+09 is a float
        ear.verify_ear_jwt(token, key, crypto=crypto)
    assert info.value.claim == "iat"


def test_veraison_test_tokens(crypto: CryptoProvider) -> None:
    key = public_key_from_jwk(VERAISON_KEY, crypto=crypto)
    expected = EarAppraisal(
        status=TrustTier.AFFIRMING,
        trust_vector={
            TrustCategory.INSTANCE_IDENTITY: 2,
            TrustCategory.CONFIGURATION: 2,
            TrustCategory.EXECUTABLES: 3,
            TrustCategory.FILE_SYSTEM: 2,
            TrustCategory.HARDWARE: 2,
            TrustCategory.RUNTIME_OPAQUE: 2,
            TrustCategory.STORAGE_OPAQUE: 2,
            TrustCategory.SOURCED_DATA: 2,
        },
        policy_ids=(POLICY,),
    )
    for token in (VERAISON_TEST_JWT, VERAISON_TEST_JWT_JWK):
        result = ear.verify_ear_jwt(token, key, crypto=crypto)
        assert result.profile == ear.VERAISON_PROFILE
        assert result.issued_at == 1666091373
        assert result.verifier_id == VerifierId("Acme Inc.", "rrtrap-v1.0.0")
        assert result.raw_evidence == bytes.fromhex("deadbeef")
        assert result.submods == {"test": expected}
    assert public_key_from_jwk(decode_jws(VERAISON_TEST_JWT_JWK).header["jwk"], crypto=crypto) == key
    passing = ear.verify_ear_jwt(VERAISON_VERIFY_PASS_JWT, key, crypto=crypto)
    extensions = passing.submods["test"].extensions
    assert extensions["ear_veraison_key_attestation"] == {"akpub": "YWtwdWIK"}
    assert extensions["ear_veraison_policy_claims"] == {"bar": "baz", "foo": "bar"}
    assert passing.submods["test"].policy_ids == ("policy://test/01234",)


def test_trustee_token(crypto: CryptoProvider) -> None:
    key = public_key_from_jwk(decode_jws(TRUSTEE_REALM_JWT).header["jwk"], crypto=crypto)
    result = ear.verify_ear_jwt(TRUSTEE_REALM_JWT, key, crypto=crypto, now=1752059139)
    assert result.profile == ear.TRUSTEE_PROFILE
    assert result.expires == 1752059439
    cpu = result.submods["cpu0"]
    assert cpu.status is TrustTier.AFFIRMING
    assert cpu.policy_ids == ("default",)
    assert cpu.trust_vector == {TrustCategory.CONFIGURATION: 3, TrustCategory.EXECUTABLES: 3, TrustCategory.HARDWARE: 2}
    evidence = cpu.extensions["ear_veraison_annotated_evidence"]
    assert evidence["runtime_data_claims"]["tee-pubkey"]["alg"] == "RSA-OAEP-256"
    with pytest.raises(ExpiredToken):
        ear.verify_ear_jwt(TRUSTEE_REALM_JWT, key, crypto=crypto, now=1752059439)
    other = public_key_from_jwk(VERAISON_KEY, crypto=crypto)
    with pytest.raises(BadSignature):
        ear.verify_ear_jwt(TRUSTEE_REALM_JWT, other, crypto=crypto)


def _jws(header: dict[str, object], payload: dict[str, object]) -> str:
    from ratscore.attestation._codec import b64url_encode

    return f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(json.dumps(payload).encode())}.AAAA"


@pytest.mark.parametrize(
    ("token", "error"),
    [
        (_jws({"alg": "none"}, EAR_JSON_1_DRAFT_02), BadSignature),
        (_jws({"alg": "HS256"}, EAR_JSON_1_DRAFT_02), BadSignature),
        (_jws({"alg": "ES256", "crit": ["x"]}, EAR_JSON_1_DRAFT_02), MalformedEvidence),
        ("." + VERAISON_TEST_JWT, MalformedEvidence),  # leading '.', as veraison/ear TestVerify_fail
        (VERAISON_TEST_JWT + "xx", BadSignature),  # a longer signature
        (VERAISON_TEST_JWT + "!", MalformedEvidence),  # not base64url
        (VERAISON_TEST_JWT + ".x", MalformedEvidence),  # four parts
        (VERAISON_TEST_JWT[:-2] + "AA", BadSignature),
        ("e30", MalformedEvidence),
    ],
)
def test_bad_tokens(token: str, error: type[Exception], crypto: CryptoProvider) -> None:
    with pytest.raises(error):
        ear.verify_ear_jwt(token, public_key_from_jwk(VERAISON_KEY, crypto=crypto), crypto=crypto)


@pytest.mark.parametrize(
    ("change", "error", "claim"),
    [
        (lambda c: c.pop("eat_profile"), MissingClaim, "eat_profile"),
        (lambda c: c.update(eat_profile="tag:example.com,2020:other"), UnsupportedProfile, "eat_profile"),
        (lambda c: c.pop("iat"), MissingClaim, "iat"),
        (lambda c: c.update(exp=1.5), InvalidClaim, "exp"),
        (lambda c: c.pop("ear_verifier_id"), MissingClaim, "ear_verifier_id"),
        (lambda c: c.update(submods={}), InvalidClaim, "submods"),
        (lambda c: c["submods"]["PSA"].update(ear_status="affirming"), InvalidClaim, "ear_status"),
        (lambda c: c["submods"]["PSA"].update(ear_status="great"), InvalidClaim, "ear_status"),
        (lambda c: c["submods"]["PSA"].pop("ear_status"), MissingClaim, "ear_status"),
        (lambda c: c["submods"]["PSA"].update(ear_appraisal_policy_ids=[]), InvalidClaim, "ear_appraisal_policy_ids"),
        (lambda c: c["submods"]["PSA"]["ear_trustworthiness_vector"].update(hardware=200), InvalidClaim, None),
        (lambda c: c.update(eat_nonce="c2hvcnQ="), InvalidClaim, "eat_nonce"),
    ],
)
def test_invalid_ear_claims(change: object, error: type[Exception], claim: str | None) -> None:
    claims = json.loads(EAR_JSON_1)
    change(claims)  # type: ignore[operator]
    with pytest.raises(error) as info:
        Ear.from_json(claims)
    if claim is not None:
        assert info.value.claim == claim  # type: ignore[attr-defined]


def test_round_trips(crypto: CryptoProvider) -> None:
    key = crypto.generate_private_key(KeyType.P256)
    result = Ear(
        issued_at=1700000000,
        expires=1700000600,
        verifier_id=VerifierId("https://example.org", "attested-stack 0.1"),
        nonce=bytes(range(8)),
        submods={
            "software": EarAppraisal.from_vector(
                {TrustCategory.INSTANCE_IDENTITY: 2, TrustCategory.EXECUTABLES: 33}, policy_ids=("p1", "p2")
            )
        },
    )
    assert result.submods["software"].status is TrustTier.WARNING
    token = ear.sign_ear_jwt(result, key)
    assert ear.verify_ear_jwt(token, key.public_key(), crypto=crypto, now=1700000001) == result
    assert json.loads(decode_jws(token).payload)["eat_nonce"] == "AAECAwQFBgc="  # base64, 12 characters
    cwt = ear.sign_ear_cwt(result, key, CoseAlgorithm.ES256)
    assert ear.verify_ear_cwt(cwt, key.public_key(), crypto=crypto, now=1700000001) == result
    with pytest.raises(ExpiredToken):
        ear.verify_ear_cwt(cwt, key.public_key(), crypto=crypto, now=1700000600)
    legacy = Ear(
        profile=ear.VERAISON_PROFILE,
        issued_at=1,
        verifier_id=VerifierId("d", "b"),
        submods={"x": EarAppraisal(status=TrustTier.AFFIRMING, policy_ids=("p",))},
    )
    assert ear.verify_ear_jwt(ear.sign_ear_jwt(legacy, key), key.public_key(), crypto=crypto) == legacy
    with pytest.raises(OversizedObject):
        ear.verify_ear_jwt(token, key.public_key(), crypto=crypto, max_size=100)
