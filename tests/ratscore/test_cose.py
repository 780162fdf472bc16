"""ratscore.cose against RFC 9052 Appendix C, the COSE WG Examples repository,
RFC 9529 (EDHOC traces, which build Sig_structure and Enc_structure) and the
header / key rules of RFC 9052 §3, §7 and RFC 9053 §7.

Every expected byte string is copied from those documents, or written out by
hand from the CDDL; the ChaCha20/Poly1305 case uses pyca/cryptography's AEAD
directly as the oracle (pycose 1.1 has no ChaCha20/Poly1305).
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratscore import cbor, cose
from ratscore.cbor import Tag
from ratscore.cose import CoseAlgorithm, CoseKey, Curve, Header, Kty
from ratscore.crypto import AeadAlgorithm, CryptoProvider, KeyType, PublicKey, SignatureAlgorithm
from ratscore.errors import (
    CryptoError,
    DecodeError,
    DecryptError,
    EncodeError,
    InvalidKey,
    InvalidSignature,
    LocalProtocolError,
    UnsupportedAlgorithm,
)

CONTENT = b"This is the content."
CONTENT_HEX = "546869732069732074686520636f6e74656e742e"

# RFC 9052 Appendix C.7.1 / COSE WG Examples key "11" (P-256).
KEY_11_X = bytes.fromhex("bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff")
KEY_11_Y = bytes.fromhex("20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e")
KEY_11_D = bytes.fromhex("57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3")
# COSE WG Examples key "P384".
KEY_P384_X = bytes.fromhex(
    "9132723f6292b010619dbe248d698c17b58756c639e7150f81bee4eb8ac37236ad0a1a19d67be32a66263e1e524d129c"
)
KEY_P384_Y = bytes.fromhex(
    "98cd3078c554d832ac603c4326410ff61662459b41f1f3df5dbcc83598ff7c5ed8411ca735679d1c4cb3009397d9ef2c"
)
# COSE WG Examples key "ed448".
KEY_ED448_X = bytes.fromhex(
    "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180"
)
KEY_ED448_D = bytes.fromhex(
    "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b"
)
# COSE WG Examples "our-secret" HMAC key and RFC 9052 C.7.2 "our-secret2" AES key.
OUR_SECRET = bytes.fromhex("849b57219dae48de646d07dbb533566e976686457c1491be3a76dcea6c427188")
OUR_SECRET2 = bytes.fromhex("849b5786457c1491be3a76dcea6c4271")


# ---------------------------------------------------------------------------
# COSE_Sign1 vectors
# ---------------------------------------------------------------------------
# RFC 9052 Appendix C.2.1: ES256 with key "11".
RFC9052_C21 = bytes.fromhex(
    "d28443a10126a10442313154" + CONTENT_HEX + "5840"
    "8eb33e4ca31d1c465ab05aac34cc6b23d58fef5c083106c4d25a91aef0b0117e"
    "2af9a291aa32e14ab834dc56ed2a223444547e01f11d3b0916e5a4c345cacb36"
)
# COSE WG Examples ecdsa-examples/ecdsa-sig-01.json: ES256, protected {1: -7, 3: 0}.
ECDSA_SIG_01 = bytes.fromhex(
    "D28445A201260300A10442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766C5DC5BA5B8DC"
    "A25DAB3C2E56A551CE5705B793914348E172727F48461FABBBA2E343492DDECAC3983686250BC68E9F1A7A07D41225B59F"
)
ECDSA_SIG_01_TBS = "846A5369676E61747572653145A2012603004054546869732069732074686520636F6E74656E742E"
# sign1-tests/sign-pass-02.json: ES256 with external_aad.
SIGN_PASS_02 = bytes.fromhex(
    "D28443A10126A10442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766C5DC5BA5B8DCA25D"
    "AB3C2E56A551CE5705B793914348E155388B10C4F1B59A6733EAB416870A945111A4B2FBDBEF33A77234B1DEFF2F9B"
)
SIGN_PASS_02_EXTERNAL = bytes.fromhex("11aa22bb33cc44dd55006699")
SIGN_PASS_02_TBS = (
    "846A5369676E61747572653143A101264C11AA22BB33CC44DD5500669954546869732069732074686520636F6E74656E742E"
)
# ecdsa-examples/ecdsa-sig-02.json: ES384 with key "P384".
ECDSA_SIG_02 = bytes.fromhex(
    "D28444A1013822A104445033383454546869732069732074686520636F6E74656E742E5860B8F85EFF78C88F5351CED2F1887B"
    "79B296490795594B62E41E22529BB90208B7D8CDDD4A46D0E9C986464D83D0A5D1EDF39B3E2C5750364230D0E8D76460D880"
    "8E76C83830FBBD1978CC174066EB437F17887979ECF027DCC9D51BAF6C4FD8C0"
)
ECDSA_SIG_02_TBS = "846A5369676E61747572653144A10138224054546869732069732074686520636F6E74656E742E"
# eddsa-examples/eddsa-sig-02.json: EdDSA with Ed448 (deterministic).
EDDSA_SIG_02 = bytes.fromhex(
    "D28443A10127A10445336434343854546869732069732074686520636F6E74656E742E5872988240A3A2F189BD486DE14AA77F"
    "54686C576A09F2E7ED9BAE910DF9139C2AC3BE7C27B7E10A20FA17C9D57D3510A2CF1F634BC0345AB9BE00849842171D1E9E"
    "98B2674C0E38BFCF6C557A1692B01B71015A47AC9F7748840CAD1DA80CBB5B349309FEBB912672B377C8B2072AF1598B3700"
)
EDDSA_SIG_02_TBS = "846A5369676E61747572653143A101274054546869732069732074686520636F6E74656E742E"


def p256_key_11() -> CoseKey:
    return CoseKey(kty=Kty.EC2, crv=Curve.P256, x=KEY_11_X, y=KEY_11_Y, kid=b"11")


def test_rfc9052_c21_sign1(crypto: CryptoProvider) -> None:
    message = cose.verify_sign1(RFC9052_C21, p256_key_11(), crypto=crypto)
    assert message.payload == CONTENT
    assert message.kid == b"11"
    assert message.algorithm is CoseAlgorithm.ES256


def test_ecdsa_sig_01(crypto: CryptoProvider) -> None:
    message = cose.decode_sign1(ECDSA_SIG_01)
    assert message.protected == {Header.ALG: -7, Header.CONTENT_TYPE: 0}
    assert cose.sig_structure(message.protected_bytes, b"", CONTENT).hex() == ECDSA_SIG_01_TBS.lower()
    cose.verify_sign1(ECDSA_SIG_01, p256_key_11(), crypto=crypto)


def test_sign_pass_02_external_aad(crypto: CryptoProvider) -> None:
    message = cose.decode_sign1(SIGN_PASS_02)
    tbs = cose.sig_structure(message.protected_bytes, SIGN_PASS_02_EXTERNAL, CONTENT)
    assert tbs.hex() == SIGN_PASS_02_TBS.lower()
    cose.verify_sign1(SIGN_PASS_02, p256_key_11(), external_aad=SIGN_PASS_02_EXTERNAL, crypto=crypto)
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(SIGN_PASS_02, p256_key_11(), crypto=crypto)
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(SIGN_PASS_02, p256_key_11(), external_aad=b"\x11", crypto=crypto)


def test_ecdsa_sig_02_es384(crypto: CryptoProvider) -> None:
    message = cose.decode_sign1(ECDSA_SIG_02)
    assert cose.sig_structure(message.protected_bytes, b"", CONTENT).hex() == ECDSA_SIG_02_TBS.lower()
    key = CoseKey(kty=Kty.EC2, crv=Curve.P384, x=KEY_P384_X, y=KEY_P384_Y)
    assert cose.verify_sign1(ECDSA_SIG_02, key, crypto=crypto).algorithm is CoseAlgorithm.ES384
    with pytest.raises(InvalidSignature, match="P-256 key cannot be used with ES384"):
        cose.verify_sign1(ECDSA_SIG_02, p256_key_11(), crypto=crypto)


def test_eddsa_sig_02_ed448_signs_byte_exact(crypto: CryptoProvider) -> None:
    message = cose.decode_sign1(EDDSA_SIG_02)
    assert cose.sig_structure(message.protected_bytes, b"", CONTENT).hex() == EDDSA_SIG_02_TBS.lower()
    signer = crypto.load_private_key(KeyType.ED448, KEY_ED448_D)
    assert signer.public_key().data == KEY_ED448_X
    produced = cose.sign1(CONTENT, signer, CoseAlgorithm.EDDSA, unprotected={Header.KID: b"3d448"})
    assert produced == EDDSA_SIG_02
    public = CoseKey(kty=Kty.OKP, crv=Curve.ED448, x=KEY_ED448_X)
    cose.verify_sign1(EDDSA_SIG_02, public, crypto=crypto, expected_alg=CoseAlgorithm.EDDSA)


def test_sign1_es256_with_key_11_verifies(crypto: CryptoProvider) -> None:
    signer = crypto.load_private_key(KeyType.P256, KEY_11_D)
    produced = cose.sign1(CONTENT, signer, CoseAlgorithm.ES256, unprotected={Header.KID: b"11"})
    # ECDSA is randomised: the bytes before the signature are fixed.
    assert produced[:-64].hex() == "d28443a10126a10442313154" + CONTENT_HEX + "5840"
    cose.verify_sign1(produced, p256_key_11(), crypto=crypto)


# ---------------------------------------------------------------------------
# COSE_Mac0 vectors (COSE WG Examples mac0-tests)
# ---------------------------------------------------------------------------
HMAC_01 = bytes.fromhex(
    "D18443A10105A054546869732069732074686520636F6E74656E742E5820A1A848D3471F9D61EE49018D244C824772F223AD4F93"
    "5293F1789FC3A08D8C58"
)
HMAC_01_TO_MAC = "84644D41433043A101054054546869732069732074686520636F6E74656E742E"
MAC_PASS_02 = bytes.fromhex(
    "D18440A1010554546869732069732074686520636F6E74656E742E58200FECAEC59BB46CC8A488AACA4B205E322DD52696B75A"
    "45768D3C302DD4BAE2F7"
)
MAC_PASS_02_EXTERNAL = bytes.fromhex("ff00ee11dd22cc33bb44aa559966")
MAC_PASS_02_TO_MAC = "84644D414330404EFF00EE11DD22CC33BB44AA55996654546869732069732074686520636F6E74656E742E"


def test_hmac_01(crypto: CryptoProvider) -> None:
    message = cose.decode_mac0(HMAC_01)
    assert cose.mac_structure(message.protected_bytes, b"", CONTENT).hex() == HMAC_01_TO_MAC.lower()
    assert cose.mac0(CONTENT, OUR_SECRET, CoseAlgorithm.HMAC_256_256, crypto=crypto) == HMAC_01
    assert cose.verify_mac0(HMAC_01, OUR_SECRET, crypto=crypto).payload == CONTENT
    with pytest.raises(InvalidSignature):
        cose.verify_mac0(HMAC_01, OUR_SECRET[:-1] + b"\x00", crypto=crypto)


def test_mac_pass_02_external_aad_and_unprotected_alg(crypto: CryptoProvider) -> None:
    message = cose.decode_mac0(MAC_PASS_02)
    assert message.protected_bytes == b""  # RFC 9052 §3: empty protected bucket
    tbm = cose.mac_structure(message.protected_bytes, MAC_PASS_02_EXTERNAL, CONTENT)
    assert tbm.hex() == MAC_PASS_02_TO_MAC.lower()
    produced = cose.mac0(
        CONTENT,
        OUR_SECRET,
        CoseAlgorithm.HMAC_256_256,
        unprotected={Header.ALG: 5},
        external_aad=MAC_PASS_02_EXTERNAL,
        crypto=crypto,
    )
    assert produced == MAC_PASS_02
    cose.verify_mac0(MAC_PASS_02, OUR_SECRET, external_aad=MAC_PASS_02_EXTERNAL, crypto=crypto)
    with pytest.raises(InvalidSignature):
        cose.verify_mac0(MAC_PASS_02, OUR_SECRET, crypto=crypto)


# ---------------------------------------------------------------------------
# COSE_Encrypt0 vectors (RFC 9052 Appendix C.4)
# ---------------------------------------------------------------------------
RFC9052_C41 = bytes.fromhex(
    "d08343a1010aa1054d89f52f65a1c580933b5261a78c581c5974e1b99a3a4cc09a659aa2e9e7fff161d38ce71cb45ce460ffb569"
)
RFC9052_C41_IV = bytes.fromhex("89f52f65a1c580933b5261a78c")
RFC9052_C41_AAD = "8368456e63727970743043a1010a40"
RFC9052_C42 = bytes.fromhex("d08343a1010aa1064261a7581c252a8911d465c125b6764739700f0141ed09192de139e053bd09abca")
RFC9052_C42_BASE_IV = bytes.fromhex("89f52f65a1c58093")


def test_rfc9052_c41_encrypt0(crypto: CryptoProvider) -> None:
    message = cose.decode_encrypt0(RFC9052_C41)
    assert cose.enc_structure(message.protected_bytes, b"").hex() == RFC9052_C41_AAD
    produced = cose.encrypt0(CONTENT, OUR_SECRET2, CoseAlgorithm.AES_CCM_16_64_128, nonce=RFC9052_C41_IV, crypto=crypto)
    assert produced == RFC9052_C41
    decrypted = cose.decrypt0(RFC9052_C41, OUR_SECRET2, crypto=crypto)
    assert decrypted.plaintext == CONTENT
    assert "This is" not in repr(decrypted)


def test_rfc9052_c42_partial_iv(crypto: CryptoProvider) -> None:
    nonce = cose.partial_iv_nonce(RFC9052_C42_BASE_IV, bytes.fromhex("61a7"), 13)
    assert nonce.hex() == "89f52f65a1c5809300000061a7"
    produced = cose.encrypt0(
        CONTENT,
        OUR_SECRET2,
        CoseAlgorithm.AES_CCM_16_64_128,
        nonce=nonce,
        include_iv=False,
        unprotected={Header.PARTIAL_IV: bytes.fromhex("61a7")},
        crypto=crypto,
    )
    assert produced == RFC9052_C42
    decrypted = cose.decrypt0(RFC9052_C42, OUR_SECRET2, context_iv=RFC9052_C42_BASE_IV, crypto=crypto)
    assert decrypted.plaintext == CONTENT
    assert cose.decrypt0(RFC9052_C42, OUR_SECRET2, nonce=nonce, crypto=crypto).plaintext == CONTENT
    with pytest.raises(DecodeError, match="no IV"):
        cose.decrypt0(RFC9052_C42, OUR_SECRET2, crypto=crypto)


def test_chacha20_poly1305_against_the_aead_oracle(crypto: CryptoProvider) -> None:
    aead = pytest.importorskip("cryptography.hazmat.primitives.ciphers.aead")
    key = bytes(range(32))
    nonce = bytes.fromhex("5c3a9950bd2852f66e6c8d4f")
    # Enc_structure ["Encrypt0", h'a1011818', h'0102'] written out by hand.
    associated_data = bytes.fromhex("8368456e637279707430" + "44a1011818" + "420102")
    expected_ciphertext = aead.ChaCha20Poly1305(key).encrypt(nonce, CONTENT, associated_data)
    produced = cose.encrypt0(
        CONTENT, key, CoseAlgorithm.CHACHA20_POLY1305, nonce=nonce, external_aad=b"\x01\x02", crypto=crypto
    )
    assert produced == bytes.fromhex("d08344a1011818a1054c" + nonce.hex() + "5824") + expected_ciphertext
    decrypted = cose.decrypt0(produced, key, external_aad=b"\x01\x02", crypto=crypto)
    assert decrypted.plaintext == CONTENT


# ---------------------------------------------------------------------------
# RFC 9529: EDHOC builds Sig_structure and Enc_structure on their own
# ---------------------------------------------------------------------------
T1_ID_CRED_R = bytes.fromhex("a11822822e4879f2a41b510c1f9b")
T1_CRED_R = bytes.fromhex(
    "3081ee3081a1a003020102020462319ec4300506032b6570301d311b301906035504030c124544484f4320526f6f7420456432"
    "35353139301e170d3232303331363038323433365a170d3239313233313233303030305a30223120301e06035504030c17454448"
    "4f4320526573706f6e6465722045643235353139302a300506032b6570032100a1db47b95184854ad12a0c1a354e418aace33aa0"
    "f2c662c00b3ac55de92f9359300506032b6570034100b723bc01eab0928e8b2b6c98de19cc3823d46e7d6987b032478fecfaf145"
    "37a1af14cc8be829c6b73044101837eb4abc949565d86dce51cfae52ab82c152cb02"
)
T1_TH_2 = bytes.fromhex("c6405c154c567466ab1df20369500e540e9f14bd3a796a0652cae66c9061688d")
T1_MAC_2 = bytes.fromhex("862a7e5ef147f9a5f4c512e1b6623cd66cd17a7272072bfe5b602ffe307ee0e9")
T1_SK_R = bytes.fromhex("ef140ff900b0ab03f0c08d879cbbd4b31ea71e6e7ee7ffcb7e7955777a332799")
T1_SIGNATURE_2 = bytes.fromhex(
    "c3b5bd44d1e44a085c03d3aede4e1e6c11c572a1968cc3629b505f98c681608d"
    "3d1de793d1c40eb5dd5d89acf1966aea07022b48cdc99870ebc40374e8fa6e09"
)
T2_TH_3 = bytes.fromhex("adaf67a78a4bcc91e018f8882762a722000b2507039df0bc1bbf0c161bb3155c")
T2_A_3 = bytes.fromhex("8368456e637279707430405820adaf67a78a4bcc91e018f8882762a722000b2507039df0bc1bbf0c161bb3155c")
T2_K_3 = bytes.fromhex("8e7a30042000f7900e8174131f75f3ed")
T2_IV_3 = bytes.fromhex("6d8300c1e23b56153ae70ee457")
T2_PLAINTEXT_3 = bytes.fromhex("2b48623c91df41e34c2f")
T2_CIPHERTEXT_3 = bytes.fromhex("e562097bc417dd5919485ac7891ffd90a9fc")
T2_CRED_R = bytes.fromhex(
    "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcb"
    "ac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072"
)
T2_G_R = bytes.fromhex(
    "04bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0"
    "4519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072"
)


def test_rfc9529_trace1_signature_2_over_sig_structure(crypto: CryptoProvider) -> None:
    # RFC 9528 §5.3.2: ["Signature1", << ID_CRED_R >>, << TH_2, CRED_R >>, MAC_2]
    external_aad = cbor.encode_sequence([T1_TH_2, T1_CRED_R])
    to_be_signed = cose.sig_structure(T1_ID_CRED_R, external_aad, T1_MAC_2)
    signer = crypto.load_private_key(KeyType.ED25519, T1_SK_R)
    assert signer.sign(to_be_signed, SignatureAlgorithm.ED25519) == T1_SIGNATURE_2


def test_rfc9529_trace2_a3_enc_structure(crypto: CryptoProvider) -> None:
    associated_data = cose.enc_structure(b"", T2_TH_3)
    assert associated_data == T2_A_3
    aead = crypto.aead(AeadAlgorithm.AES_CCM_16_64_128, T2_K_3)
    assert aead.encrypt(T2_IV_3, T2_PLAINTEXT_3, associated_data) == T2_CIPHERTEXT_3


def test_rfc9529_trace2_ccs_cose_key(crypto: CryptoProvider) -> None:
    claims = cbor.decode(T2_CRED_R)
    assert isinstance(claims, dict)
    confirmation = claims[8]
    assert isinstance(confirmation, dict)
    key = CoseKey.from_map(confirmation[1])  # RFC 8747 cnf / COSE_Key
    assert key.kty is Kty.EC2
    assert key.crv is Curve.P256
    assert key.kid == b"\x32"
    assert key.public_key(crypto) == PublicKey(key_type=KeyType.P256, data=T2_G_R)
    assert key.encode() == cbor.encode(confirmation[1])


# ---------------------------------------------------------------------------
# Round trips for every algorithm
# ---------------------------------------------------------------------------
SIGNING_CASES = [
    (CoseAlgorithm.EDDSA, KeyType.ED25519),
    (CoseAlgorithm.EDDSA, KeyType.ED448),
    (CoseAlgorithm.ES256, KeyType.P256),
    (CoseAlgorithm.ES384, KeyType.P384),
]


@pytest.mark.parametrize(("alg", "key_type"), SIGNING_CASES)
def test_sign1_round_trip(crypto: CryptoProvider, alg: CoseAlgorithm, key_type: KeyType) -> None:
    signer = crypto.generate_private_key(key_type)
    public = signer.public_key()
    external = b"bound to the channel"
    data = cose.sign1(CONTENT, signer, alg, external_aad=external, unprotected={Header.KID: b"k"})
    message = cose.verify_sign1(data, public, external_aad=external, expected_alg=alg, crypto=crypto)
    assert (message.payload, message.kid) == (CONTENT, b"k")
    cose.verify_sign1(data, CoseKey.from_public_key(public, alg=int(alg)), external_aad=external, crypto=crypto)
    # tampering with the payload, the protected bucket or the signature fails
    decoded = cose.decode_sign1(data)
    for tampered in (
        Tag(18, [decoded.protected_bytes, {}, CONTENT + b"!", decoded.signature]),
        Tag(18, [cbor.encode({1: int(alg), 3: 0}), {}, CONTENT, decoded.signature]),
        Tag(18, [decoded.protected_bytes, {}, CONTENT, bytes([decoded.signature[0] ^ 1]) + decoded.signature[1:]]),
    ):
        with pytest.raises(InvalidSignature):
            cose.verify_sign1(cbor.encode(tampered), public, external_aad=external, crypto=crypto)
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(data, public, external_aad=external + b"x", crypto=crypto)


def test_sign1_detached_and_untagged(crypto: CryptoProvider) -> None:
    signer = crypto.generate_private_key(KeyType.ED25519)
    public = signer.public_key()
    data = cose.sign1(CONTENT, signer, CoseAlgorithm.EDDSA, detached=True, tagged=False)
    message = cose.decode_sign1(data, tagged=False)
    assert message.payload is None
    assert data[0] == 0x84  # untagged array
    cose.verify_sign1(data, public, detached_payload=CONTENT, crypto=crypto)
    with pytest.raises(DecodeError, match="detached"):
        cose.verify_sign1(data, public, crypto=crypto)
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(data, public, detached_payload=CONTENT + b"!", crypto=crypto)
    attached = cose.sign1(CONTENT, signer, CoseAlgorithm.EDDSA)
    with pytest.raises(DecodeError, match="detached payload was expected"):
        cose.verify_sign1(attached, public, detached_payload=CONTENT, crypto=crypto)
    with pytest.raises(DecodeError, match="tag 18 is missing"):
        cose.decode_sign1(data, tagged=True)
    with pytest.raises(DecodeError, match="must be untagged"):
        cose.decode_sign1(attached, tagged=False)
    assert cose.decode_sign1(attached).encode() == attached
    assert cose.decode_sign1(data).encode(tagged=False) == data


def test_sign1_key_and_algorithm_must_match(crypto: CryptoProvider) -> None:
    ed25519 = crypto.generate_private_key(KeyType.ED25519)
    p256 = crypto.generate_private_key(KeyType.P256)
    with pytest.raises(InvalidKey, match="Ed25519 key cannot be used with ES256"):
        cose.sign1(CONTENT, ed25519, CoseAlgorithm.ES256)
    with pytest.raises(InvalidKey, match="P-256 key cannot be used with ES384"):
        cose.sign1(CONTENT, p256, CoseAlgorithm.ES384)
    with pytest.raises(UnsupportedAlgorithm, match="A128GCM is not a signature algorithm"):
        cose.sign1(CONTENT, p256, CoseAlgorithm.A128GCM)
    data = cose.sign1(CONTENT, ed25519, CoseAlgorithm.EDDSA)
    with pytest.raises(InvalidSignature, match="P-256 key cannot be used with EDDSA"):
        cose.verify_sign1(data, p256.public_key(), crypto=crypto)
    with pytest.raises(InvalidSignature, match="expected ES256"):
        cose.verify_sign1(data, ed25519.public_key(), expected_alg=CoseAlgorithm.ES256, crypto=crypto)
    restricted = CoseKey.from_public_key(ed25519.public_key(), alg=int(CoseAlgorithm.ES256))
    with pytest.raises(InvalidSignature, match="restricted"):
        cose.verify_sign1(data, restricted, crypto=crypto)
    with pytest.raises(EncodeError, match="contradicts"):
        cose.sign1(CONTENT, ed25519, CoseAlgorithm.EDDSA, protected={Header.ALG: -7})


@pytest.mark.parametrize(
    "alg",
    [CoseAlgorithm.HMAC_256_64, CoseAlgorithm.HMAC_256_256, CoseAlgorithm.HMAC_384_384, CoseAlgorithm.HMAC_512_512],
)
def test_mac0_round_trip(crypto: CryptoProvider, alg: CoseAlgorithm) -> None:
    key = bytes(range(32))
    data = cose.mac0(CONTENT, key, alg, external_aad=b"aad", crypto=crypto)
    message = cose.verify_mac0(data, key, external_aad=b"aad", expected_alg=alg, crypto=crypto)
    assert len(message.tag) == {4: 8, 5: 32, 6: 48, 7: 64}[int(alg)]
    cose.verify_mac0(data, CoseKey.symmetric(key, alg=int(alg)), external_aad=b"aad", crypto=crypto)
    with pytest.raises(InvalidSignature):
        cose.verify_mac0(data, key, crypto=crypto)
    with pytest.raises(InvalidSignature):
        cose.verify_mac0(data, key[::-1], external_aad=b"aad", crypto=crypto)
    with pytest.raises(InvalidSignature, match="restricted"):
        cose.verify_mac0(data, CoseKey.symmetric(key, alg=1), external_aad=b"aad", crypto=crypto)
    with pytest.raises(InvalidSignature, match="symmetric key"):
        cose.verify_mac0(data, CoseKey(kty=Kty.OKP, crv=Curve.X25519, x=bytes(32)), crypto=crypto)
    detached = cose.mac0(CONTENT, key, alg, detached=True, crypto=crypto)
    cose.verify_mac0(detached, key, detached_payload=CONTENT, crypto=crypto)
    with pytest.raises(UnsupportedAlgorithm):
        cose.mac0(CONTENT, key, CoseAlgorithm.EDDSA, crypto=crypto)
    with pytest.raises(InvalidKey):
        cose.mac0(CONTENT, b"", alg, crypto=crypto)


AEAD_CASES = [
    (CoseAlgorithm.A128GCM, 16),
    (CoseAlgorithm.A256GCM, 32),
    (CoseAlgorithm.AES_CCM_16_64_128, 16),
    (CoseAlgorithm.AES_CCM_16_128_128, 16),
    (CoseAlgorithm.CHACHA20_POLY1305, 32),
]


@pytest.mark.parametrize(("alg", "key_size"), AEAD_CASES)
def test_encrypt0_round_trip(crypto: CryptoProvider, alg: CoseAlgorithm, key_size: int) -> None:
    key = bytes(range(key_size))
    data = cose.encrypt0(CONTENT, key, alg, external_aad=b"aad", crypto=crypto)
    assert cose.decrypt0(data, key, external_aad=b"aad", expected_alg=alg, crypto=crypto).plaintext == CONTENT
    assert cose.decrypt0(data, CoseKey.symmetric(key), external_aad=b"aad", crypto=crypto).plaintext == CONTENT
    assert data != cose.encrypt0(CONTENT, key, alg, external_aad=b"aad", crypto=crypto)  # fresh nonces
    message = cose.decode_encrypt0(data)
    assert message.ciphertext is not None
    for tampered in (
        Tag(16, [message.protected_bytes, dict(message.unprotected), message.ciphertext[:-1]]),
        Tag(
            16,
            [
                message.protected_bytes,
                dict(message.unprotected),
                bytes([message.ciphertext[0] ^ 1]) + message.ciphertext[1:],
            ],
        ),
    ):
        with pytest.raises(DecryptError):
            cose.decrypt0(cbor.encode(tampered), key, external_aad=b"aad", crypto=crypto)
    with pytest.raises(DecryptError):
        cose.decrypt0(data, key, crypto=crypto)
    with pytest.raises(DecryptError):
        cose.decrypt0(data, key[::-1], external_aad=b"aad", crypto=crypto)
    with pytest.raises(DecryptError, match="byte key"):
        cose.decrypt0(data, key + b"\x00", external_aad=b"aad", crypto=crypto)
    with pytest.raises(InvalidKey):
        cose.encrypt0(CONTENT, key[:-1], alg, crypto=crypto)
    with pytest.raises(LocalProtocolError):
        cose.encrypt0(CONTENT, key, alg, nonce=b"\x00" * 7, crypto=crypto)
    implicit = cose.encrypt0(
        CONTENT, key, alg, nonce=bytes(13 if "CCM" in alg.name else 12), include_iv=False, crypto=crypto
    )
    assert cose.decode_encrypt0(implicit).unprotected == {}
    with pytest.raises(DecodeError, match="no IV"):
        cose.decrypt0(implicit, key, crypto=crypto)
    nonce = bytes(13 if "CCM" in alg.name else 12)
    assert cose.decrypt0(implicit, key, nonce=nonce, crypto=crypto).plaintext == CONTENT


def test_encrypt0_refuses_non_aead_algorithms(crypto: CryptoProvider) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        cose.encrypt0(CONTENT, bytes(16), CoseAlgorithm.HMAC_256_256, crypto=crypto)
    with pytest.raises(EncodeError, match="IV header parameter is already set"):
        cose.encrypt0(CONTENT, bytes(16), CoseAlgorithm.A128GCM, unprotected={Header.IV: bytes(12)}, crypto=crypto)


# ---------------------------------------------------------------------------
# Structure and header rules (RFC 9052 §3, §3.1)
# ---------------------------------------------------------------------------
SIGNATURE = bytes(64)


def sign1_bytes(protected: Any, unprotected: Any, *, payload: Any = CONTENT, tag: int | None = 18) -> bytes:
    protected_bytes = protected if isinstance(protected, bytes) else cbor.encode(protected)
    body = [protected_bytes, unprotected, payload, SIGNATURE]
    return cbor.encode(body if tag is None else Tag(tag, body))


MALFORMED_SIGN1: list[tuple[bytes, str]] = [
    (cbor.encode(Tag(17, [b"", {}, CONTENT, SIGNATURE])), "expected COSE_Sign1 (tag 18), found tag 17"),
    (cbor.encode(Tag(18, [b"", {}, CONTENT])), "array of 4 elements"),
    (cbor.encode(Tag(18, {})), "array of 4 elements"),
    (cbor.encode([b"", {}, CONTENT, SIGNATURE, b""]), "array of 4 elements"),
    (cbor.encode(Tag(18, [{}, {}, CONTENT, SIGNATURE])), "protected header must be a byte string"),
    (sign1_bytes(b"\x80", {}), "protected header is not a map"),
    (sign1_bytes(b"\xa1\x01\x26\x00", {}), "protected header: trailing data"),
    (sign1_bytes(b"\xa1\x01", {}), "protected header: truncated"),
    (sign1_bytes({1: -8}, []), "unprotected header must be a map"),
    (sign1_bytes({1: -8}, {}, payload="text"), "payload must be a byte string or nil"),
    (cbor.encode(Tag(18, [b"", {}, CONTENT, None])), "signature must be a byte string"),
    (sign1_bytes({1: -8}, {1: -8}), "appears in both the protected and unprotected buckets"),
    (sign1_bytes({1: -8, 4: b"k"}, {4: b"k"}), "parameter 4 appears in both"),
    (sign1_bytes({1: -8}, {b"x": 1}), "label b'x' is neither an int nor a text string"),
    (sign1_bytes({1: -8, 1.5: 1}, {}), "label 1.5 is neither"),
    (sign1_bytes({1: b"alg"}, {}), "parameter 1 must be an int or tstr"),
    (sign1_bytes({1: -8}, {4: 11}), "parameter 4 must be a bstr"),
    (sign1_bytes({1: -8, 3: -1}, {}), "parameter 3 must be a uint or tstr"),
    (sign1_bytes({1: -8}, {5: b"", 6: b""}), "both IV and Partial IV"),
    (sign1_bytes({1: -8, 5: b""}, {6: b""}), "both IV and Partial IV"),
    (sign1_bytes({1: -8}, {2: [99]}), "crit header parameter must be in the protected bucket"),
    (sign1_bytes({1: -8, 2: []}, {}), "must be a non-empty array of labels"),
    (sign1_bytes({1: -8, 2: [99]}, {99: 0}), "critical header parameter 99 is not in the protected bucket"),
    (sign1_bytes({1: -8, 2: [99], 99: 0}, {}), "critical header parameter 99 is not understood"),
    (sign1_bytes({1: -8, 2: ["x"], "x": 0}, {}), "critical header parameter 'x' is not understood"),
    (sign1_bytes({1: -8}, {33: [b"only one"]}), "parameter 33 must be a COSE_X509"),
    (sign1_bytes({1: -8}, {34: [-16]}), "parameter 34 must be a COSE_CertHash"),
    (sign1_bytes({1: -8}, {}) + b"\x00", "trailing data"),
    (bytes.fromhex("d28440a0f65840") + bytes(63), "truncated"),
    (bytes.fromhex("d8128440a0f65840") + bytes(64), "non-shortest tag head"),
    (bytes.fromhex("d2") + bytes.fromhex("9f40a0f65840") + bytes(64) + b"\xff", "indefinite-length array"),
    (bytes.fromhex("d28440a201020101f65840") + bytes(64), "duplicate map key"),
]


@pytest.mark.parametrize(("data", "message"), MALFORMED_SIGN1, ids=lambda value: str(value)[:40])
def test_malformed_sign1(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cose.decode_sign1(data)


def test_header_rules_that_pass() -> None:
    # RFC 9052 §3: "Recipients MUST accept both a zero-length byte string and a
    # zero-length map encoded in a byte string."
    assert cose.decode_sign1(sign1_bytes(b"", {1: -8})).protected == {}
    assert cose.decode_sign1(sign1_bytes(b"\xa0", {1: -8})).protected_bytes == b"\xa0"
    # key order is not a COSE rule (RFC 9052 §9): the protected map may be unsorted
    unsorted = cose.decode_sign1(sign1_bytes(b"\xa2\x04\x41\x6b\x01\x27", {}))
    assert unsorted.protected == {4: b"k", 1: -8}
    # a critical label the application understands
    understood = sign1_bytes({1: -8, 2: [99], 99: 0}, {})
    assert cose.decode_sign1(understood, understood_critical=[99]).header(99) == 0
    # header lookup prefers the protected bucket
    message = cose.decode_sign1(sign1_bytes({1: -8, 3: "text/plain"}, {4: b"kid"}))
    assert message.header(Header.CONTENT_TYPE) == "text/plain"
    assert message.header(Header.KID) == b"kid"
    assert message.header(Header.X5CHAIN, "absent") == "absent"


def test_algorithm_header_errors(crypto: CryptoProvider) -> None:
    public = crypto.generate_private_key(KeyType.ED25519).public_key()
    with pytest.raises(DecodeError, match="alg header parameter is missing"):
        cose.verify_sign1(sign1_bytes(b"", {}), public, crypto=crypto)
    with pytest.raises(UnsupportedAlgorithm, match="-999"):
        cose.verify_sign1(sign1_bytes({1: -999}, {}), public, crypto=crypto)
    with pytest.raises(UnsupportedAlgorithm, match="'EdDSA'"):
        cose.verify_sign1(sign1_bytes({1: "EdDSA"}, {}), public, crypto=crypto)
    with pytest.raises(UnsupportedAlgorithm, match="not a signature algorithm"):
        cose.verify_sign1(sign1_bytes({1: 5}, {}), public, crypto=crypto)
    with pytest.raises(UnsupportedAlgorithm, match="not a MAC algorithm"):
        cose.verify_mac0(cbor.encode(Tag(17, [b"\xa1\x01\x27", {}, b"", bytes(32)])), bytes(32), crypto=crypto)
    with pytest.raises(UnsupportedAlgorithm, match="not a content encryption algorithm"):
        cose.decrypt0(cbor.encode(Tag(16, [b"\xa1\x01\x05", {5: bytes(12)}, bytes(32)])), bytes(16), crypto=crypto)


def test_encode_side_header_rules(crypto: CryptoProvider) -> None:
    signer = crypto.generate_private_key(KeyType.ED25519)
    with pytest.raises(EncodeError, match="appears in both"):
        cose.sign1(CONTENT, signer, CoseAlgorithm.EDDSA, protected={4: b"a"}, unprotected={4: b"b"})
    with pytest.raises(EncodeError, match="not understood"):
        cose.sign1(CONTENT, signer, CoseAlgorithm.EDDSA, protected={2: [99], 99: 1})
    with pytest.raises(EncodeError, match="must be a bstr"):
        cose.sign1(CONTENT, signer, CoseAlgorithm.EDDSA, unprotected={Header.KID: "text"})
    with pytest.raises(EncodeError, match="contradicts"):
        cose.mac0(CONTENT, bytes(32), CoseAlgorithm.HMAC_256_256, unprotected={1: 4}, crypto=crypto)


def test_structures_by_hand() -> None:
    assert cose.enc_structure(b"", b"").hex() == "8368456e6372797074304040"
    assert cose.enc_structure(b"\xa0", b"x", context="Encrypt").hex() == "8367456e637279707441a04178"
    assert cose.mac_structure(b"", b"", b"", context="MAC").hex() == "84634d4143404040"
    signature_structure = cose.sig_structure(b"", b"", b"", sign_protected=b"\xa0")
    assert signature_structure.hex() == "85695369676e617475726540" + "41a0" + "4040"
    with pytest.raises(EncodeError):
        cose.enc_structure(b"", b"", context="Encrypt1")
    with pytest.raises(EncodeError):
        cose.mac_structure(b"", b"", b"", context="MAC1")


# ---------------------------------------------------------------------------
# COSE_Key (RFC 9052 §7, RFC 9053 §7)
# ---------------------------------------------------------------------------
def test_cose_key_ec2_round_trip_and_compression(crypto: CryptoProvider) -> None:
    key = p256_key_11()
    encoded = key.encode()
    # {1: 2, 2: h'3131', -1: 1, -2: x, -3: y} in deterministic order
    assert encoded.hex() == ("a5010202423131200121" + "5820" + KEY_11_X.hex() + "22" + "5820" + KEY_11_Y.hex())
    assert CoseKey.decode(encoded) == key
    uncompressed = key.public_key(crypto)
    assert uncompressed.data == b"\x04" + KEY_11_X + KEY_11_Y
    # RFC 9053 §7.1.1: y may be sent as its sign bit (y is even here: ...7e)
    compressed = CoseKey(kty=Kty.EC2, crv=Curve.P256, x=KEY_11_X, y=False)
    assert compressed.public_key(crypto) == uncompressed
    assert CoseKey.decode(compressed.encode()).y is False
    assert CoseKey.from_public_key(uncompressed, kid=b"11") == key


def test_cose_key_private_keys(crypto: CryptoProvider) -> None:
    private = CoseKey(kty=Kty.EC2, crv=Curve.P256, x=KEY_11_X, y=KEY_11_Y, d=KEY_11_D)
    loaded = private.private_key(crypto)
    assert loaded.public_key().data == b"\x04" + KEY_11_X + KEY_11_Y
    assert CoseKey.from_private_key(loaded) == private
    assert KEY_11_D.hex() not in repr(private)
    assert "private" in repr(private)
    okp = CoseKey.from_private_key(crypto.load_private_key(KeyType.ED448, KEY_ED448_D))
    assert (okp.kty, okp.crv, okp.x, okp.d) == (Kty.OKP, Curve.ED448, KEY_ED448_X, KEY_ED448_D)
    assert CoseKey.decode(okp.encode()) == okp
    with pytest.raises(InvalidKey):
        CoseKey.symmetric(b"k").public_key(crypto)
    with pytest.raises(InvalidKey):
        p256_key_11().private_key(crypto)


def test_cose_key_symmetric_and_other_parameters() -> None:
    key = CoseKey.symmetric(OUR_SECRET2, kid=b"our-secret2", alg=10)
    assert CoseKey.decode(key.encode()) == key
    with_ops = CoseKey.decode(cbor.encode({1: 4, -1: b"k", 4: [1, 2], 5: b"\x01"}))
    assert with_ops.other == {4: [1, 2], 5: b"\x01"}
    assert CoseKey.decode(with_ops.encode()) == with_ops


COSE_KEY_ERRORS: list[tuple[Any, type[Exception], str]] = [
    ([1], DecodeError, "not a map"),
    ({}, DecodeError, "kty None is missing"),
    ({1: "OKP"}, UnsupportedAlgorithm, "kty 'OKP'"),
    ({1: 3}, UnsupportedAlgorithm, "kty 3 is not supported"),
    ({1: 4}, DecodeError, "non-empty k"),
    ({1: 4, -1: "k"}, DecodeError, "k must be a byte string"),
    ({1: 1, -2: bytes(32)}, DecodeError, "crv None is missing"),
    ({1: 1, -1: 1, -2: bytes(32)}, DecodeError, "curve P256 does not belong to key type OKP"),
    ({1: 2, -1: 6, -2: bytes(32)}, DecodeError, "curve ED25519 does not belong to key type EC2"),
    ({1: 2, -1: 3, -2: bytes(66), -3: bytes(66)}, UnsupportedAlgorithm, "curve 3 is not supported"),
    ({1: 1, -1: 6, -2: bytes(31)}, DecodeError, "x must be 32 bytes for ED25519, got 31"),
    ({1: 1, -1: 6}, DecodeError, "neither a complete public key nor d"),
    ({1: 2, -1: 1, -2: bytes(32)}, DecodeError, "neither a complete public key nor d"),
    ({1: 2, -1: 1, -2: bytes(32), -3: 1}, DecodeError, "y must be a byte string or a bool"),
    ({1: 2, -1: 1, -2: bytes(32), -3: bytes(31)}, DecodeError, "y must be 32 bytes"),
    ({1: 2, -1: 1, -4: bytes(33)}, DecodeError, "d must be 32 bytes"),
    ({1: 1, -1: 6, -2: bytes(32), -3: bytes(32)}, DecodeError, "OKP COSE_Key must not have y"),
    ({1: 1, -1: 6, -2: bytes(32), 2: "kid"}, DecodeError, "kid must be a byte string"),
    ({1: 1, -1: 6, -2: bytes(32), 3: b"alg"}, DecodeError, "alg must be an int or a text string"),
    ({1: 1, -1: 6, -2: bytes(32), b"x": 1}, DecodeError, "label b'x'"),
]


@pytest.mark.parametrize(("value", "error", "message"), COSE_KEY_ERRORS)
def test_cose_key_errors(value: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(")):
        CoseKey.decode(cbor.encode(value))


def test_cose_key_point_validation(crypto: CryptoProvider) -> None:
    off_curve = CoseKey(kty=Kty.EC2, crv=Curve.P256, x=KEY_11_X, y=KEY_11_X)
    with pytest.raises(CryptoError):
        off_curve.public_key(crypto)


# ---------------------------------------------------------------------------
# Fuzz: arbitrary and mutated input raise only our errors
# ---------------------------------------------------------------------------
_OUR_ERRORS = (DecodeError, CryptoError)


@settings(max_examples=300)
@given(st.binary(max_size=80))
def test_arbitrary_bytes_raise_only_our_errors(data: bytes) -> None:
    for decoder in (cose.decode_sign1, cose.decode_mac0, cose.decode_encrypt0, CoseKey.decode):
        with contextlib.suppress(*_OUR_ERRORS):
            decoder(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10**9))
def test_mutated_messages_raise_only_our_errors(crypto: CryptoProvider, seed: int) -> None:
    for valid, check in (
        (RFC9052_C21, lambda data: cose.verify_sign1(data, p256_key_11(), crypto=crypto)),
        (HMAC_01, lambda data: cose.verify_mac0(data, OUR_SECRET, crypto=crypto)),
        (RFC9052_C41, lambda data: cose.decrypt0(data, OUR_SECRET2, crypto=crypto)),
        (RFC9052_C42, lambda data: cose.decrypt0(data, OUR_SECRET2, context_iv=RFC9052_C42_BASE_IV, crypto=crypto)),
    ):
        mutated = bytearray(valid)
        mutated[seed % len(mutated)] ^= (seed >> 8) % 255 + 1
        with contextlib.suppress(*_OUR_ERRORS):
            check(bytes(mutated))
        with contextlib.suppress(*_OUR_ERRORS):
            check(bytes(valid[: seed % len(valid)]))
