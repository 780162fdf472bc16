"""TPMS_ATTEST / TPMT_SIGNATURE parsing and quote verification against fixed vectors.

The vectors are quotes produced by swtpm 0.7.1 (libtpms) through tpm2-tools 5.4
(``tpm2_quote -l sha256:... -q 0011223344556677 -g sha256``).  Field values below
were read with ``tpm2_print -t TPMS_ATTEST`` (an independent parser) and the
signatures were checked when captured: ECDSA and RSASSA by ``tpm2_checkquote``,
RSAPSS (salt length 32) by pyca/cryptography.  Nothing expected here is computed
by the code under test; PCR digests are recomputed with hashlib from the spec's
definition (Part 3 §18.4).
"""

from __future__ import annotations

import contextlib
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore.attestation import tpm
from ratscore.attestation.cmw import CmwCollection, CmwRecord, Indicator
from ratscore.attestation.ear import TrustTier
from ratscore.attestation.errors import (
    BadSignature,
    MalformedEvidence,
    MeasurementMismatch,
    StaleNonce,
    UnknownMediaType,
    UntrustedKey,
)
from ratscore.attestation.tpm_structures import TpmAlgorithm, TpmStructureError, parse_attest, parse_signature
from ratscore.crypto import CryptoProvider
from ratscore.crypto.encoding import pem_decode, public_key_from_spki
from ratscore.crypto.types import HashAlgorithm, PublicKey
from ratscore.errors import DecodeError, LocalProtocolError

QUALIFICATION = bytes.fromhex("0011223344556677")

ECDSA_ATTEST = bytes.fromhex(
    "ff54434780180022000b81cf2e7d6ff9a869144c8e28a9282ba4a21b51a2cd2abdb9128aa0cf36e29630000800112233445566770000"
    "000000000229000000010000000001201910230016363600000001000b030f0000002038723a2e5e8a17aa7950dc008209944e898f69"
    "a7bd10a23c839d341e935fd5ca"
)
ECDSA_SIGNATURE = bytes.fromhex(
    "0018000b0020fd09fc7e70ecf43c0c1b0f8297fffcaef415fbb409cfcc700202b6e31ea793d60020a9e38617850cb5489cc0607fa1a6"
    "8a0cf0512f7aa36c38397a72d121deb692d5"
)
ECDSA_AK_PEM = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqtt22PhEJUASEVnXc4FDCBBSp2Vh
hpkdnrkPozUP55qW/QKgBk2YDe9ybdS0l/bgGpZrkRK9Cvnt5s8XGm14Uw==
-----END PUBLIC KEY-----
"""
RSASSA_ATTEST = bytes.fromhex(
    "ff54434780180022000b2d39cb1307111463aa12265db7e31da0340b4afc9c75166f48e3927484125be50008001122334455667700"
    "00000000018ef0000000010000000001201910230016363600000001000b030300000020f5a5fd42d16a20302798ef6ed309979b4300"
    "3d2320d9f0e8ea9831a92759fb4b"
)
RSASSA_SIGNATURE = bytes.fromhex(
    "0014000b0100585967ad804d98265e3d786e5528771498c9dcc18dd19e15621bbb5eb808a7e0687005e3109cc27b9394f72d1d5e46c2"
    "195bde3620d4800bd7c365125c5ecd4d84cb2b4146a2f5d974378af27d1905b62b3749e344fc530c2ff92930a0145c339d29b38f2f5a"
    "a54fff1eb2403d3caadf7cbd7a49a401f550f1c311082226121a5e94f9132be6d7cf2c2f01586d87d72d001fe3e21c65d6916814a982"
    "bda27047ec0ce1521bff629c0f594d75e3defbf479a296b1d032c57b063e903c5b3128f4d8062a8d97eefa9305dad784acd8dfb52bdf"
    "8b032939f9fe7a6dc97bb884b17427a8befc75af273febe1157748858c29cd31696a7563e807ebe8dc19b3fe412a"
)
RSASSA_AK_PEM = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAlVXW7i59c/6P99rqlLpt
xVkqRKofFpL5hpLvnuaCzqCR4kIyFs155IRkZhnWPNJfpFnYGI+vdag1w9oo9y+E
+Zz7UEVFPM4801kt0VgVhim3xtiTJ3DQzl01l2LlKFJkFiVnpj9EGGtagWW0A8Nu
PB4nfxNnfc8yDa30FOOEJFBuLh5VpDvaZ01F4rT/40RsFNnrpAb68UvHKXAHQ/G/
2BCw3EsYcVl/0AaZ2GPRKa77h0FzYIamWDGDGFnyPlUBzJ0rvxEzpTHks6ADEiqL
SpS0CUNxGZdYixrs8H89Y+LNV3s8e/p1n6rR1mUXZqDfj+bhgmatfYiUFQZyuDu7
rQIDAQAB
-----END PUBLIC KEY-----
"""
RSAPSS_ATTEST = bytes.fromhex(
    "ff54434780180022000b7a2d96d044fa375ae33fa205ff96a8e4fcc9c164c924631d90867bd73651afe100080011223344556677000000"
    "0000019cf2000000010000000001201910230016363600000001000b030300000020f5a5fd42d16a20302798ef6ed309979b43003d23"
    "20d9f0e8ea9831a92759fb4b"
)
RSAPSS_SIGNATURE = bytes.fromhex(
    "0016000b01009cc88e78da760d989b5ca692ea98f499376876e39813432c7202ead8f0f46606d1ee0c4e546a9a40449e1fd22fbb64"
    "3030857a920112d26739de159049eb89c19af9e71d6e1dc5212fa46579f4fdf2ed683d3e2a18e9ab26145f209706533e15909aacd4ef"
    "3af7723d91bee2fd32c5d7e1dd11bf0f84240ef41dad36adb701642e5a5557b2c76a5b39a54ed59a6ffeb16cf287888f0cceb574b810"
    "37a9bc6622239f456c3125374d7d6fc4bd5fc1e1d503139d27272e8f4efc3e9e9686f08a0b9b1b5201ad2a0f5af340ccacaa7a7f780b"
    "45b9c4b6527d6ed068d580ae74f5c8f4fafa9c37e432c7e419494b8846923f9f3f5de6d955b66cd1dc4b5198db1676"
)
RSAPSS_AK_PEM = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA5KNa8skLNEkvRlFR2yNb
ZVmCBVu4wXYXPqYBLMa0LL0WxunUSjNX+vaSUYjSJajR8t0HF0uw06sPU0drIfMH
fa6FXYrcADHFxnns66lTtBXjlGCSnLl97vYt2Q2AlLNskbrLes2b86/P4Jbb3N5f
aucvkBOS6t16qHM3moeSl6WWjRBrF5HnqYPTfcvO/6y5NpM9TS0V6D9ErkLn/Kn8
7lMTyMp24KUzk9rPgcFRtuG1F6m1EspihcYyzxt713er/3kYaR+u9pqON0rrhLpN
f0KMmp2YnDqa9FFBVwTAbszreEh0AHb0y1Jw4J+Su7/4DD3H701LvwzsbYXMKLO5
QQIDAQAB
-----END PUBLIC KEY-----
"""
SHA256 = int(TpmAlgorithm.SHA256)
ZERO_PCR = bytes(32)


def spki(pem: str) -> bytes:
    return pem_decode(pem, "PUBLIC KEY")[1]


def ak(pem: str) -> PublicKey:
    return public_key_from_spki(spki(pem))


def zero_pcrs(count: int) -> dict[tuple[int, int], bytes]:
    return {(SHA256, index): ZERO_PCR for index in range(count)}


def ecdsa_evidence(**changes: object) -> tpm.TpmQuoteEvidence:
    fields: dict[str, object] = {
        "attest": ECDSA_ATTEST,
        "signature": ECDSA_SIGNATURE,
        "pcr_values": zero_pcrs(4),
        "ak_spki": spki(ECDSA_AK_PEM),
    }
    fields.update(changes)
    return tpm.TpmQuoteEvidence(**fields)  # type: ignore[arg-type]


SELECTION_0_3 = tpm.parse_selection("sha256:0,1,2,3")


# -- parsing, field by field (values from tpm2_print) ----------------------------------------------


def test_attest_magic_and_signer() -> None:
    attest = parse_attest(ECDSA_ATTEST)
    assert attest.qualified_signer.hex() == "000b81cf2e7d6ff9a869144c8e28a9282ba4a21b51a2cd2abdb9128aa0cf36e29630"


def test_attest_extra_data() -> None:
    assert parse_attest(ECDSA_ATTEST).extra_data == QUALIFICATION


def test_attest_clock_info() -> None:
    clock = parse_attest(ECDSA_ATTEST).clock_info
    assert (clock.clock, clock.reset_count, clock.restart_count, clock.safe) == (553, 1, 0, True)


def test_attest_firmware_version() -> None:
    # Bytes 20 19 10 23 00 16 36 36 as a big-endian UINT64 (libtpms FIRMWARE_V1 || FIRMWARE_V2).
    assert parse_attest(ECDSA_ATTEST).firmware_version == 0x2019102300163636


def test_attest_pcr_selection() -> None:
    (selection,) = parse_attest(ECDSA_ATTEST).pcr_selections
    assert (selection.hash_algorithm, selection.pcrs) == (SHA256, (0, 1, 2, 3))


def test_attest_pcr_digest_is_hash_of_quoted_values() -> None:
    digest = parse_attest(ECDSA_ATTEST).pcr_digest
    assert digest.hex() == "38723a2e5e8a17aa7950dc008209944e898f69a7bd10a23c839d341e935fd5ca"
    assert digest == hashlib.sha256(bytes(4 * 32)).digest()


def test_ecdsa_signature_fields() -> None:
    signature = parse_signature(ECDSA_SIGNATURE)
    assert signature.signature_algorithm is TpmAlgorithm.ECDSA
    assert signature.hash_algorithm == SHA256
    # r and s as tpm2_quote printed them inside the DER signature.
    assert signature.ecdsa_r.hex() == "fd09fc7e70ecf43c0c1b0f8297fffcaef415fbb409cfcc700202b6e31ea793d6"
    assert signature.ecdsa_s.hex() == "a9e38617850cb5489cc0607fa1a68a0cf0512f7aa36c38397a72d121deb692d5"


def test_rsa_signature_fields() -> None:
    signature = parse_signature(RSASSA_SIGNATURE)
    assert signature.signature_algorithm is TpmAlgorithm.RSASSA
    assert len(signature.rsa_signature) == 256
    assert parse_signature(RSAPSS_SIGNATURE).signature_algorithm is TpmAlgorithm.RSAPSS


# -- verification on both backends ----------------------------------------------------------------


def test_ecdsa_quote_verifies(crypto: CryptoProvider) -> None:
    verified = tpm.verify_quote(
        ecdsa_evidence(),
        binder=QUALIFICATION,
        trusted_aks=[ak(ECDSA_AK_PEM)],
        expected_selection=SELECTION_0_3,
        crypto=crypto,
    )
    assert verified.attest.extra_data == QUALIFICATION


@pytest.mark.parametrize(
    ("attest", "signature", "pem"),
    [(RSASSA_ATTEST, RSASSA_SIGNATURE, RSASSA_AK_PEM), (RSAPSS_ATTEST, RSAPSS_SIGNATURE, RSAPSS_AK_PEM)],
    ids=["rsassa", "rsapss"],
)
def test_rsa_quotes_verify(crypto: CryptoProvider, attest: bytes, signature: bytes, pem: str) -> None:
    evidence = tpm.TpmQuoteEvidence(attest=attest, signature=signature, pcr_values=zero_pcrs(2), ak_spki=spki(pem))
    verified = tpm.verify_quote(
        evidence,
        binder=QUALIFICATION,
        trusted_aks=[ak(pem)],
        expected_selection=tpm.parse_selection("sha256:0,1"),
        crypto=crypto,
    )
    assert verified.attest.pcr_digest == hashlib.sha256(bytes(64)).digest()


def test_cmw_round_trip_verifies(crypto: CryptoProvider) -> None:
    from ratscore.attestation import cmw

    wrapped = cmw.decode(cmw.encode_cbor(ecdsa_evidence().to_cmw()))
    assert isinstance(wrapped, CmwCollection)
    assert wrapped.collection_type == "tag:attested-stack.dev,2026:tpm2-quote"
    tpm.verify_quote(wrapped, binder=QUALIFICATION, trusted_aks=[ak(ECDSA_AK_PEM)], crypto=crypto)


def verify(evidence: tpm.TpmQuoteEvidence, crypto: CryptoProvider, **options: object) -> tpm.VerifiedQuote:
    arguments: dict[str, object] = {
        "binder": QUALIFICATION,
        "trusted_aks": [ak(ECDSA_AK_PEM)],
        "expected_selection": SELECTION_0_3,
        "crypto": crypto,
    }
    arguments.update(options)
    return tpm.verify_quote(evidence, **arguments)  # type: ignore[arg-type]


# -- each failure has its own error ---------------------------------------------------------------


def test_wrong_binder_is_stale(crypto: CryptoProvider) -> None:
    with pytest.raises(StaleNonce) as caught:
        verify(ecdsa_evidence(), crypto, binder=bytes(8))
    assert caught.value.claim == "extraData"


def test_altered_pcr_value_breaks_the_digest(crypto: CryptoProvider) -> None:
    values = zero_pcrs(4)
    values[(SHA256, 2)] = b"\x01" + bytes(31)
    with pytest.raises(tpm.PcrDigestMismatch):
        verify(ecdsa_evidence(pcr_values=values), crypto)


def test_quote_for_other_pcrs_is_rejected(crypto: CryptoProvider) -> None:
    with pytest.raises(tpm.PcrSelectionMismatch) as caught:
        verify(ecdsa_evidence(), crypto, expected_selection=tpm.parse_selection("sha256:0,1,2,3,7"))
    assert caught.value.claim == "pcrSelect"


def test_quote_for_other_bank_is_rejected(crypto: CryptoProvider) -> None:
    with pytest.raises(tpm.PcrSelectionMismatch):
        verify(ecdsa_evidence(), crypto, expected_selection=tpm.parse_selection("sha384:0,1,2,3"))


def test_flipped_signature_byte(crypto: CryptoProvider) -> None:
    broken = bytearray(ECDSA_SIGNATURE)
    broken[10] ^= 0x01
    with pytest.raises(BadSignature):
        verify(ecdsa_evidence(signature=bytes(broken)), crypto)


def test_flipped_attest_byte(crypto: CryptoProvider) -> None:
    broken = bytearray(ECDSA_ATTEST)
    broken[60] ^= 0x01  # inside clockInfo: still parses, no longer signed
    with pytest.raises(BadSignature):
        verify(ecdsa_evidence(attest=bytes(broken)), crypto)


def test_rsa_signature_with_ec_ak(crypto: CryptoProvider) -> None:
    with pytest.raises(BadSignature) as caught:
        verify(ecdsa_evidence(signature=RSASSA_SIGNATURE), crypto)
    assert caught.value.claim == "sigAlg"


def test_sha1_signature_hash_is_unacceptable(crypto: CryptoProvider) -> None:
    signature = ECDSA_SIGNATURE[:2] + (4).to_bytes(2, "big") + ECDSA_SIGNATURE[4:]
    with pytest.raises(BadSignature):
        verify(ecdsa_evidence(signature=signature), crypto)


def test_untrusted_ak(crypto: CryptoProvider) -> None:
    with pytest.raises(UntrustedKey):
        verify(ecdsa_evidence(), crypto, trusted_aks=[ak(RSASSA_AK_PEM)])


def test_garbage_ak_spki(crypto: CryptoProvider) -> None:
    with pytest.raises(MalformedEvidence) as caught:
        verify(ecdsa_evidence(ak_spki=b"\x30\x03\x02\x01\x00"), crypto)
    assert caught.value.claim == "ak"


def test_missing_pcr_value(crypto: CryptoProvider) -> None:
    with pytest.raises(MalformedEvidence) as caught:
        verify(ecdsa_evidence(pcr_values=zero_pcrs(3)), crypto)
    assert caught.value.claim == "pcrs"


def test_extra_unquoted_pcr_value(crypto: CryptoProvider) -> None:
    values = zero_pcrs(4) | {(SHA256, 9): ZERO_PCR}
    with pytest.raises(MalformedEvidence):
        verify(ecdsa_evidence(pcr_values=values), crypto)


def test_truncated_attest() -> None:
    for length in (0, 3, 5, 40, len(ECDSA_ATTEST) - 1):
        with pytest.raises(TpmStructureError):
            parse_attest(ECDSA_ATTEST[:length])


def test_truncated_attest_through_verify(crypto: CryptoProvider) -> None:
    with pytest.raises(TpmStructureError):
        verify(ecdsa_evidence(attest=ECDSA_ATTEST[:-1]), crypto)


def test_garbage_attest() -> None:
    with pytest.raises(TpmStructureError) as caught:
        parse_attest(b"this is not a TPMS_ATTEST at all")
    assert caught.value.claim == "magic"


def test_attest_trailing_byte() -> None:
    with pytest.raises(TpmStructureError):
        parse_attest(ECDSA_ATTEST + b"\0")


def test_attest_not_a_quote() -> None:
    certify = ECDSA_ATTEST[:4] + bytes.fromhex("8017") + ECDSA_ATTEST[6:]  # TPM_ST_ATTEST_CERTIFY
    with pytest.raises(TpmStructureError) as caught:
        parse_attest(certify)
    assert caught.value.claim == "type"


def test_oversized_extra_data_length() -> None:
    oversized = ECDSA_ATTEST[:42] + (67).to_bytes(2, "big") + bytes(67)
    with pytest.raises(TpmStructureError) as caught:
        parse_attest(oversized)
    assert caught.value.claim == "extraData"


def test_hmac_signature_scheme_is_rejected() -> None:
    with pytest.raises(TpmStructureError) as caught:
        parse_signature(bytes.fromhex("0005000b0020") + bytes(32))
    assert caught.value.claim == "sigAlg"


def test_signature_trailing_byte() -> None:
    with pytest.raises(TpmStructureError):
        parse_signature(ECDSA_SIGNATURE + b"\0")


def test_parsers_are_decode_errors() -> None:
    assert issubclass(TpmStructureError, MalformedEvidence)
    assert issubclass(TpmStructureError, DecodeError)


# -- CMW packaging errors ---------------------------------------------------------------------------


def test_collection_of_other_type_is_unknown() -> None:
    collection = ecdsa_evidence().to_cmw()
    other = CmwCollection(entries=collection.entries, collection_type="tag:example.com,2024:other")
    with pytest.raises(UnknownMediaType):
        tpm.TpmQuoteEvidence.from_cmw(other)


def test_collection_missing_signature() -> None:
    entries = dict(ecdsa_evidence().to_cmw().entries)
    del entries["signature"]
    with pytest.raises(MalformedEvidence) as caught:
        tpm.TpmQuoteEvidence.from_cmw(CmwCollection(entries=entries, collection_type=tpm.TPM_COLLECTION_TYPE))
    assert caught.value.claim == "signature"


def test_collection_record_with_wrong_media_type() -> None:
    entries = dict(ecdsa_evidence().to_cmw().entries)
    entries["attest"] = CmwRecord(type="application/octet-stream", value=ECDSA_ATTEST, indicator=Indicator.EVIDENCE)
    with pytest.raises(UnknownMediaType):
        tpm.TpmQuoteEvidence.from_cmw(CmwCollection(entries=entries, collection_type=tpm.TPM_COLLECTION_TYPE))


def test_malformed_pcr_cbor() -> None:
    entries = dict(ecdsa_evidence().to_cmw().entries)
    entries["pcrs"] = CmwRecord(type=tpm.PCRS_MEDIA_TYPE, value=b"\xff\x00", indicator=Indicator.EVIDENCE)
    with pytest.raises(MalformedEvidence) as caught:
        tpm.TpmQuoteEvidence.from_cmw(CmwCollection(entries=entries, collection_type=tpm.TPM_COLLECTION_TYPE))
    assert caught.value.claim == "pcrs"


# -- appraisal into a typed result ------------------------------------------------------------------


def test_appraise_affirms_matching_reference(crypto: CryptoProvider) -> None:
    result = tpm.appraise(
        ecdsa_evidence().to_cmw(),
        binder=QUALIFICATION,
        now=0,
        trusted_aks=[ak(ECDSA_AK_PEM)],
        expected_selection=SELECTION_0_3,
        reference_pcrs=zero_pcrs(4),
        crypto=crypto,
    )
    assert result.affirming


def test_appraise_reports_reference_mismatch(crypto: CryptoProvider) -> None:
    reference = zero_pcrs(4) | {(SHA256, 1): b"\x11" * 32}
    result = tpm.appraise(
        ecdsa_evidence().to_cmw(),
        binder=QUALIFICATION,
        now=0,
        trusted_aks=[ak(ECDSA_AK_PEM)],
        expected_selection=SELECTION_0_3,
        reference_pcrs=reference,
        crypto=crypto,
    )
    assert result.status is TrustTier.CONTRAINDICATED
    (failure,) = result.failures
    assert (failure.error, failure.claim) == (MeasurementMismatch, "pcr:sha256:1")


def test_appraise_never_raises_on_bad_evidence(crypto: CryptoProvider) -> None:
    result = tpm.appraise(
        ecdsa_evidence(attest=b"junk").to_cmw(),
        binder=QUALIFICATION,
        now=0,
        trusted_aks=[ak(ECDSA_AK_PEM)],
        expected_selection=None,
        reference_pcrs={},
        crypto=crypto,
    )
    assert result.failures[0].error is TpmStructureError


# -- the binder rule and selection syntax -----------------------------------------------------------


def test_short_binder_is_used_as_is() -> None:
    assert tpm.qualifying_data(QUALIFICATION, HashAlgorithm.SHA256) == QUALIFICATION


def test_long_binder_is_hashed() -> None:
    binder = bytes(range(48))
    assert tpm.qualifying_data(binder, HashAlgorithm.SHA256) == hashlib.sha256(binder).digest()


def test_parse_selection() -> None:
    (sha1, sha256) = tpm.parse_selection("sha1:7+sha256:3,1,2")
    assert (sha1.hash_algorithm, sha1.pcrs) == (int(TpmAlgorithm.SHA1), (7,))
    assert (sha256.hash_algorithm, sha256.pcrs) == (SHA256, (1, 2, 3))


@pytest.mark.parametrize("text", ["md5:1", "sha256:", "sha256:a", "sha256:300"])
def test_parse_selection_rejects(text: str) -> None:
    with pytest.raises(LocalProtocolError):
        tpm.parse_selection(text)


# -- fuzz: arbitrary bytes raise only our decode error ----------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_parse_attest_fuzz(data: bytes) -> None:
    with contextlib.suppress(TpmStructureError):
        parse_attest(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_parse_signature_fuzz(data: bytes) -> None:
    with contextlib.suppress(TpmStructureError):
        parse_signature(data)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(ECDSA_ATTEST) - 1), st.integers(1, 255))
def test_mutated_attest_fuzz(position: int, flip: int) -> None:
    mutated = bytearray(ECDSA_ATTEST)
    mutated[position] ^= flip
    with contextlib.suppress(TpmStructureError):
        parse_attest(bytes(mutated))
