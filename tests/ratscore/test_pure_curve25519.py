"""Known-answer and property tests for the pure X25519 / Ed25519 module.

Truth comes from outside: RFC 7748 §5.2 and §6.1, RFC 8032 §7.1 (values copied
from the RFC text) and Wycheproof (x25519_test.json, ed25519_test.json).

Wycheproof "acceptable" vectors:
* X25519 (twist points, non-canonical u, low-order u giving an all-zero result, ...):
  at this layer X25519 is a function, so each must produce the listed value
  exactly.  Rejecting an all-zero secret is the provider's job.
* Ed25519 (small-order and mixed-order public keys): our verdict must equal
  OpenSSL's, asked through ``cryptography`` (the oracle; skipped without it).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore.crypto.pure.curve25519 import (
    ed25519_public_key,
    ed25519_public_key_is_valid,
    ed25519_sign,
    ed25519_verify,
    x25519,
    x25519_public_key,
)
from ratscore.errors import InvalidPrivateKey, InvalidPublicKey
from tests.vectors import wycheproof_cases

_h = bytes.fromhex
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
BASE_U = (9).to_bytes(32, "little")

# -- RFC 7748 §5.2 ----------------------------------------------------------------

RFC7748_VECTORS = [
    (
        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
    ),
    (
        "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
    ),
]


@pytest.mark.parametrize(("scalar", "u_coordinate", "expected"), RFC7748_VECTORS)
def test_rfc7748_x25519_vectors(scalar: str, u_coordinate: str, expected: str) -> None:
    assert x25519(_h(scalar), _h(u_coordinate)) == _h(expected)


def test_rfc7748_iterated_1_and_1000() -> None:
    # RFC 7748 §5.2: k = u = 9; each round sets (k, u) = (X25519(k, u), k).
    k = u = BASE_U
    for iteration in range(1, 1001):
        k, u = x25519(k, u), k
        if iteration == 1:
            assert k == _h("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")
    assert k == _h("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")


# -- RFC 7748 §6.1 ----------------------------------------------------------------

ALICE_PRIVATE = _h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
ALICE_PUBLIC = _h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
BOB_PRIVATE = _h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
BOB_PUBLIC = _h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
SHARED_SECRET = _h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")


def test_rfc7748_diffie_hellman() -> None:
    assert x25519(ALICE_PRIVATE, BASE_U) == ALICE_PUBLIC
    assert x25519_public_key(ALICE_PRIVATE) == ALICE_PUBLIC
    assert x25519(BOB_PRIVATE, BASE_U) == BOB_PUBLIC
    assert x25519_public_key(BOB_PRIVATE) == BOB_PUBLIC
    assert x25519(ALICE_PRIVATE, BOB_PUBLIC) == SHARED_SECRET
    assert x25519(BOB_PRIVATE, ALICE_PUBLIC) == SHARED_SECRET


@pytest.mark.parametrize("index", range(6))
def test_fixed_base_public_key_equals_ladder(index: int) -> None:
    scalar = hashlib.sha256(b"x25519 scalar %d" % index).digest()
    assert x25519_public_key(scalar) == x25519(scalar, BASE_U)


def test_x25519_extreme_scalars_fixed_base_equals_ladder() -> None:
    # After clamping these are 2^254 and 2^255 - 8, the ends of the scalar range.
    for scalar in (bytes(32), b"\xff" * 32):
        assert x25519_public_key(scalar) == x25519(scalar, BASE_U)


def test_x25519_low_order_point_gives_zero_not_an_error() -> None:
    # RFC 7748 §6.1: u = 0 has small order, so the result is the all-zero value.
    assert x25519(ALICE_PRIVATE, bytes(32)) == bytes(32)


def test_x25519_masks_the_top_bit_of_u() -> None:
    # RFC 7748 §5: the most significant bit of the final byte MUST be masked.
    flipped = BOB_PUBLIC[:31] + bytes([BOB_PUBLIC[31] | 0x80])
    assert x25519(ALICE_PRIVATE, flipped) == SHARED_SECRET


@pytest.mark.parametrize("length", [0, 31, 33])
def test_x25519_wrong_lengths(length: int) -> None:
    with pytest.raises(InvalidPrivateKey):
        x25519(bytes(length), BASE_U)
    with pytest.raises(InvalidPublicKey):
        x25519(ALICE_PRIVATE, bytes(length))
    with pytest.raises(InvalidPrivateKey):
        x25519_public_key(bytes(length))


# -- RFC 8032 §7.1 ----------------------------------------------------------------

TEST_1024_MESSAGE = (
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
    "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
    "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
    "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
    "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
    "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
    "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
    "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
    "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
    "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
    "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
    "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
    "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
    "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
    "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
    "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
    "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
    "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
    "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
    "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
    "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
    "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0"
)

# (name, secret key, public key, message, signature)
RFC8032_ED25519 = [
    (
        "TEST 1",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "TEST 2",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "TEST 3",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "TEST 1024",
        "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
        "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        TEST_1024_MESSAGE,
        "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
        "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
    ),
    (
        "TEST SHA(abc)",
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
        "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
]


@pytest.mark.parametrize(
    ("secret", "public", "message", "signature"),
    [vector[1:] for vector in RFC8032_ED25519],
    ids=[vector[0] for vector in RFC8032_ED25519],
)
def test_rfc8032_ed25519(secret: str, public: str, message: str, signature: str) -> None:
    assert len(_h(message)) in (0, 1, 2, 64, 1023)
    assert ed25519_public_key(_h(secret)) == _h(public)
    assert ed25519_sign(_h(secret), _h(message)) == _h(signature)
    assert ed25519_verify(_h(public), _h(message), _h(signature)) is True
    assert ed25519_public_key_is_valid(_h(public)) is True


def test_ed25519_rejects_non_canonical_s() -> None:
    # RFC 8032 §5.1.7: S must be below L; S + L is the classic malleability.
    _, _, public, message, signature = RFC8032_ED25519[0]
    s_value = int.from_bytes(_h(signature)[32:], "little")
    malleated = _h(signature)[:32] + (s_value + L).to_bytes(32, "little")
    assert ed25519_verify(_h(public), _h(message), malleated) is False


@pytest.mark.parametrize(("public_length", "signature_length"), [(31, 64), (33, 64), (32, 63), (32, 65), (0, 0)])
def test_ed25519_wrong_lengths_are_false(public_length: int, signature_length: int) -> None:
    assert ed25519_verify(bytes(public_length), b"", bytes(signature_length)) is False
    assert ed25519_public_key_is_valid(bytes(public_length)) is (public_length == 32)


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_ed25519_wrong_seed_length(length: int) -> None:
    with pytest.raises(InvalidPrivateKey):
        ed25519_public_key(bytes(length))
    with pytest.raises(InvalidPrivateKey):
        ed25519_sign(bytes(length), b"message")


def _is_square(value: int) -> bool:
    # Euler's criterion, computed here independently of the module under test.
    return value % P == 0 or pow(value, (P - 1) // 2, P) == 1


def test_ed25519_point_decoding_rules() -> None:
    d = -121665 * pow(121666, -1, P) % P
    # RFC 8032 §5.1.3: y >= p fails (here y = p + 1, which would mean y = 1).
    assert ed25519_public_key_is_valid((P + 1).to_bytes(32, "little")) is False
    # x = 0 with x_0 = 1 fails: the identity (y = 1) with the sign bit set.
    assert ed25519_public_key_is_valid((1 | 1 << 255).to_bytes(32, "little")) is False
    assert ed25519_public_key_is_valid((1).to_bytes(32, "little")) is True
    # A y whose x^2 = (y^2 - 1) / (d y^2 + 1) is not a square is not a point.
    y = next(y for y in range(2, 100) if not _is_square((y * y - 1) * pow(d * y * y + 1, -1, P)))
    assert ed25519_public_key_is_valid(y.to_bytes(32, "little")) is False
    assert ed25519_public_key_is_valid((y | 1 << 255).to_bytes(32, "little")) is False
    square_y = next(y for y in range(2, 100) if _is_square((y * y - 1) * pow(d * y * y + 1, -1, P)))
    assert ed25519_public_key_is_valid(square_y.to_bytes(32, "little")) is True


def test_ed25519_rejects_public_key_that_does_not_decode() -> None:
    # The identity with the sign bit set, and R = identity, S = 0: would verify if decoded.
    identity = (1).to_bytes(32, "little")
    signed_identity = (1 | 1 << 255).to_bytes(32, "little")
    assert ed25519_verify(identity, b"m", identity + bytes(32)) is True
    assert ed25519_verify(signed_identity, b"m", identity + bytes(32)) is False
    assert ed25519_verify(identity, b"m", signed_identity + bytes(32)) is False


# -- Wycheproof -------------------------------------------------------------------


def test_wycheproof_x25519() -> None:
    failures = []
    count = 0
    for case in wycheproof_cases("Protocol", "x25519_test.json"):
        count += 1
        assert case.result in ("valid", "acceptable"), case.tc_id  # the file has no invalid vectors
        if x25519(case.hex("private"), case.hex("public")) != case.hex("shared"):
            failures.append(case.tc_id)
    assert count > 0
    assert failures == []


def test_wycheproof_ed25519_valid_and_invalid() -> None:
    failures = []
    count = 0
    for case in wycheproof_cases("Signature", "ed25519_test.json"):
        if case.result == "acceptable":
            continue
        count += 1
        public = bytes.fromhex(case.group["publicKey"]["pk"])
        verdict = ed25519_verify(public, case.hex("msg"), case.hex("sig"))
        if verdict is not (case.result == "valid"):
            failures.append(case.tc_id)
    assert count > 0
    assert failures == []


def test_wycheproof_ed25519_acceptable_matches_openssl() -> None:
    ed25519 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
    exceptions = pytest.importorskip("cryptography.exceptions")
    failures = []
    count = 0
    for case in wycheproof_cases("Signature", "ed25519_test.json"):
        if case.result != "acceptable":
            continue
        count += 1
        public = bytes.fromhex(case.group["publicKey"]["pk"])
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(public).verify(case.hex("sig"), case.hex("msg"))
            oracle = True
        except (exceptions.InvalidSignature, ValueError):
            oracle = False
        if ed25519_verify(public, case.hex("msg"), case.hex("sig")) is not oracle:
            failures.append(case.tc_id)
    assert count > 0
    assert failures == []


# -- properties -------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(min_size=1, max_size=200), data=st.data())
def test_sign_verify_round_trip_and_bit_flips(seed: bytes, message: bytes, data: st.DataObject) -> None:
    public = ed25519_public_key(seed)
    signature = ed25519_sign(seed, message)
    assert ed25519_verify(public, message, signature) is True
    message_bit = data.draw(st.integers(0, len(message) * 8 - 1), label="message bit")
    flipped_message = bytearray(message)
    flipped_message[message_bit // 8] ^= 1 << (message_bit % 8)
    assert ed25519_verify(public, bytes(flipped_message), signature) is False
    signature_bit = data.draw(st.integers(0, 64 * 8 - 1), label="signature bit")
    flipped_signature = bytearray(signature)
    flipped_signature[signature_bit // 8] ^= 1 << (signature_bit % 8)
    assert ed25519_verify(public, message, bytes(flipped_signature)) is False


@settings(max_examples=10, deadline=None)
@given(first=st.binary(min_size=32, max_size=32), second=st.binary(min_size=32, max_size=32))
def test_x25519_agreement(first: bytes, second: bytes) -> None:
    shared = x25519(first, x25519_public_key(second))
    assert shared == x25519(second, x25519_public_key(first))
