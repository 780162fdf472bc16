"""Known-answer and property tests for the pure X448 / Ed448 module.

Truth comes from outside: RFC 7748 §5.2 and §6.2, RFC 8032 §7.4 (the pure Ed448
vectors, copied from the RFC text) and Wycheproof (x448_test.json, ed448_test.json).

Wycheproof "acceptable" vectors:
* X448 (twist points, non-canonical u, low-order u giving an all-zero result, ...):
  each must produce the listed value exactly; "invalid" ones (57-byte public keys)
  must raise InvalidPublicKey.
* Ed448: the file has none today; any that appear must match OpenSSL's verdict,
  asked through ``cryptography`` (the oracle; skipped without it).

Ed448 verification is cofactored (RFC 8032 §5.2.7, [4][S]B = [4]R + [4][k]A) and,
like OpenSSL, rejects an A or R with x = 0; the edge-case tests below pin both.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore.crypto.pure.curve448 import (
    ed448_public_key,
    ed448_public_key_is_valid,
    ed448_sign,
    ed448_verify,
    x448,
    x448_public_key,
)
from ratscore.errors import InvalidPrivateKey, InvalidPublicKey
from tests.vectors import wycheproof_cases

_h = bytes.fromhex
P = 2**448 - 2**224 - 1
L = 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885
BASE_U = (5).to_bytes(56, "little")
# RFC 8032 §5.2: the Ed448 base point B = (X(P), Y(P)).
BASE_X = int(
    "224580040295924300187604334099896036246789641632564134246125461686950415467406032909029192869357953282578032075146446173674602635247710"
)
BASE_Y = int(
    "298819210078481492676017930443930673437544040154080242095928241372331506189835876003536878655418784733982303233503462500531545062832660"
)


def _encode(x: int, y: int) -> bytes:
    # RFC 8032 §5.2.2: y in 57 little-endian octets, the low bit of x in bit 455.
    return (y | (x & 1) << 455).to_bytes(57, "little")


# -- RFC 7748 §5.2 ----------------------------------------------------------------

RFC7748_VECTORS = [
    (
        "3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3",
        "06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086",
        "ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaadeb445fc66a01b0779d98223961111e21766282f73dd96b6f",
    ),
    (
        "203d494428b8399352665ddca42f9de8fef600908e0d461cb021f8c538345dd77c3e4806e25f46d3315c44e0a5b4371282dd2c8d5be3095f",
        "0fbcc2f993cd56d3305b0b7d9e55d4c1a8fb5dbb52f8e9a1e9b6201b165d015894e56c4d3570bee52fe205e28a78b91cdfbde71ce8d157db",
        "884a02576239ff7a2f2f63b2db6a9ff37047ac13568e1e30fe63c4a7ad1b3ee3a5700df34321d62077e63633c575c1c954514e99da7c179d",
    ),
]


@pytest.mark.parametrize(("scalar", "u_coordinate", "expected"), RFC7748_VECTORS)
def test_rfc7748_x448_vectors(scalar: str, u_coordinate: str, expected: str) -> None:
    assert x448(_h(scalar), _h(u_coordinate)) == _h(expected)


def test_rfc7748_iterated_1_and_1000() -> None:
    # RFC 7748 §5.2: k = u = 5; each round sets (k, u) = (X448(k, u), k).
    k = u = BASE_U
    for iteration in range(1, 1001):
        k, u = x448(k, u), k
        if iteration == 1:
            assert k == _h(
                "3f482c8a9f19b01e6c46ee9711d9dc14fd4bf67af30765c2ae2b846a"
                "4d23a8cd0db897086239492caf350b51f833868b9bc2b3bca9cf4113"
            )
    assert k == _h(
        "aa3b4749d55b9daf1e5b00288826c467274ce3ebbdd5c17b975e09d4"
        "af6c67cf10d087202db88286e2b79fceea3ec353ef54faa26e219f38"
    )


# -- RFC 7748 §6.2 ----------------------------------------------------------------

ALICE_PRIVATE = _h(
    "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b"
)
ALICE_PUBLIC = _h(
    "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0"
)
BOB_PRIVATE = _h(
    "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d"
)
BOB_PUBLIC = _h(
    "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609"
)
SHARED_SECRET = _h(
    "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d"
)


def test_rfc7748_diffie_hellman() -> None:
    assert x448(ALICE_PRIVATE, BASE_U) == ALICE_PUBLIC
    assert x448_public_key(ALICE_PRIVATE) == ALICE_PUBLIC
    assert x448(BOB_PRIVATE, BASE_U) == BOB_PUBLIC
    assert x448_public_key(BOB_PRIVATE) == BOB_PUBLIC
    assert x448(ALICE_PRIVATE, BOB_PUBLIC) == SHARED_SECRET
    assert x448(BOB_PRIVATE, ALICE_PUBLIC) == SHARED_SECRET


@pytest.mark.parametrize("index", range(4))
def test_fixed_base_public_key_equals_ladder(index: int) -> None:
    scalar = hashlib.shake_256(b"x448 scalar %d" % index).digest(56)
    assert x448_public_key(scalar) == x448(scalar, BASE_U)


def test_x448_extreme_scalars_fixed_base_equals_ladder() -> None:
    # After clamping: 2^447, 2^448 - 4, and 4L (a multiple of the order: result 0).
    four_l = (4 * L).to_bytes(56, "little")
    for scalar in (bytes(56), b"\xff" * 56, four_l):
        assert x448_public_key(scalar) == x448(scalar, BASE_U)
    assert x448_public_key(four_l) == bytes(56)


def test_x448_low_order_point_gives_zero_not_an_error() -> None:
    # RFC 7748 §6.2: u = 0 has small order, so the result is the all-zero value.
    assert x448(ALICE_PRIVATE, bytes(56)) == bytes(56)


@pytest.mark.parametrize("length", [0, 55, 57])
def test_x448_wrong_lengths(length: int) -> None:
    with pytest.raises(InvalidPrivateKey):
        x448(bytes(length), BASE_U)
    with pytest.raises(InvalidPublicKey):
        x448(ALICE_PRIVATE, bytes(length))
    with pytest.raises(InvalidPrivateKey):
        x448_public_key(bytes(length))


# -- RFC 8032 §7.4 (pure Ed448, empty context) ------------------------------------

# (name, secret key, public key, message, signature)
RFC8032_ED448 = [
    (
        "blank",
        "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f"
        "032e7549a20098f95b",
        "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6c"
        "d1fa1abeafe8256180",
        "",
        "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d78"
        "28c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4db"
        "b61149f05a7363268c71d95808ff2e652600",
    ),
    (
        "1 octet",
        "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949e"
        "f8021e954e0a12274e",
        "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c"
        "235160627b4c3a9480",
        "03",
        "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633"
        "fc1bf037ab7cd779805e0dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0f"
        "f3348ab21aa4adafd1d234441cf807c03a00",
    ),
    (
        "11 octets",
        "cd23d24f714274e744343237b93290f511f6425f98e64459ff203e8985083ffdf60500553abc0e05cd02184bdb89c4cc"
        "d67e187951267eb328",
        "dcea9e78f35a1bf3499a831b10b86c90aac01cd84b67a0109b55a36e9328b1e365fce161d71ce7131a543ea4cb5f7e9f"
        "1d8b00696447001400",
        "0c3e544074ec63b0265e0c",
        "1f0a8888ce25e8d458a21130879b840a9089d999aaba039eaf3e3afa090a09d389dba82c4ff2ae8ac5cdfb7c55e94d5d"
        "961a29fe0109941e00b8dbdeea6d3b051068df7254c0cdc129cbe62db2dc957dbb47b51fd3f213fb8698f064774250a5"
        "028961c9bf8ffd973fe5d5c206492b140e00",
    ),
    (
        "12 octets",
        "258cdd4ada32ed9c9ff54e63756ae582fb8fab2ac721f2c8e676a72768513d939f63dddb55609133f29adf86ec9929dc"
        "cb52c1c5fd2ff7e21b",
        "3ba16da0c6f2cc1f30187740756f5e798d6bc5fc015d7c63cc9510ee3fd44adc24d8e968b6e46e6f94d19b945361726b"
        "d75e149ef09817f580",
        "64a65f3cdedcdd66811e2915",
        "7eeeab7c4e50fb799b418ee5e3197ff6bf15d43a14c34389b59dd1a7b1b85b4ae90438aca634bea45e3a2695f1270f07"
        "fdcdf7c62b8efeaf00b45c2c96ba457eb1a8bf075a3db28e5c24f6b923ed4ad747c3c9e03c7079efb87cb110d3a99861"
        "e72003cbae6d6b8b827e4e6c143064ff3c00",
    ),
    (
        "13 octets",
        "7ef4e84544236752fbb56b8f31a23a10e42814f5f55ca037cdcc11c64c9a3b2949c1bb60700314611732a6c2fea98eeb"
        "c0266a11a93970100e",
        "b3da079b0aa493a5772029f0467baebee5a8112d9d3a22532361da294f7bb3815c5dc59e176b4d9f381ca0938e13c6c0"
        "7b174be65dfa578e80",
        "64a65f3cdedcdd66811e2915e7",
        "6a12066f55331b6c22acd5d5bfc5d71228fbda80ae8dec26bdd306743c5027cb4890810c162c027468675ecf645a8317"
        "6c0d7323a2ccde2d80efe5a1268e8aca1d6fbc194d3f77c44986eb4ab4177919ad8bec33eb47bbb5fc6e28196fd1caf5"
        "6b4e7e0ba5519234d047155ac727a1053100",
    ),
    (
        "64 octets",
        "d65df341ad13e008567688baedda8e9dcdc17dc024974ea5b4227b6530e339bff21f99e68ca6968f3cca6dfe0fb9f4fa"
        "b4fa135d5542ea3f01",
        "df9705f58edbab802c7f8363cfe5560ab1c6132c20a9f1dd163483a26f8ac53a39d6808bf4a1dfbd261b099bb03b3fb5"
        "0906cb28bd8a081f00",
        "bd0f6a3747cd561bdddf4640a332461a4a30a12a434cd0bf40d766d9c6d458e5512204a30c17d1f50b5079631f64eb31"
        "12182da3005835461113718d1a5ef944",
        "554bc2480860b49eab8532d2a533b7d578ef473eeb58c98bb2d0e1ce488a98b18dfde9b9b90775e67f47d4a1c3482058"
        "efc9f40d2ca033a0801b63d45b3b722ef552bad3b4ccb667da350192b61c508cf7b6b5adadc2c8d9a446ef003fb05cba"
        "5f30e88e36ec2703b349ca229c2670833900",
    ),
    (
        "256 octets",
        "2ec5fe3c17045abdb136a5e6a913e32ab75ae68b53d2fc149b77e504132d37569b7e766ba74a19bd6162343a21c8590a"
        "a9cebca9014c636df5",
        "79756f014dcfe2079f5dd9e718be4171e2ef2486a08f25186f6bff43a9936b9bfe12402b08ae65798a3d81e22e9ec80e"
        "7690862ef3d4ed3a00",
        "15777532b0bdd0d1389f636c5f6b9ba734c90af572877e2d272dd078aa1e567cfa80e12928bb542330e8409f31745041"
        "07ecd5efac61ae7504dabe2a602ede89e5cca6257a7c77e27a702b3ae39fc769fc54f2395ae6a1178cab4738e543072f"
        "c1c177fe71e92e25bf03e4ecb72f47b64d0465aaea4c7fad372536c8ba516a6039c3c2a39f0e4d832be432dfa9a706a6"
        "e5c7e19f397964ca4258002f7c0541b590316dbc5622b6b2a6fe7a4abffd96105eca76ea7b98816af0748c10df048ce0"
        "12d901015a51f189f3888145c03650aa23ce894c3bd889e030d565071c59f409a9981b51878fd6fc110624dcbcde0bf7"
        "a69ccce38fabdf86f3bef6044819de11",
        "c650ddbb0601c19ca11439e1640dd931f43c518ea5bea70d3dcde5f4191fe53f00cf966546b72bcc7d58be2b9badef28"
        "743954e3a44a23f880e8d4f1cfce2d7a61452d26da05896f0a50da66a239a8a188b6d825b3305ad77b73fbac0836ecc6"
        "0987fd08527c1a8e80d5823e65cafe2a3d00",
    ),
    (
        "1023 octets",
        "872d093780f5d3730df7c212664b37b8a0f24f56810daa8382cd4fa3f77634ec44dc54f1c2ed9bea86fafb7632d8be19"
        "9ea165f5ad55dd9ce8",
        "a81b2e8a70a5ac94ffdbcc9badfc3feb0801f258578bb114ad44ece1ec0e799da08effb81c5d685c0c56f64eecaef8cd"
        "f11cc38737838cf400",
        "6ddf802e1aae4986935f7f981ba3f0351d6273c0a0c22c9c0e8339168e675412a3debfaf435ed651558007db4384b650"
        "fcc07e3b586a27a4f7a00ac8a6fec2cd86ae4bf1570c41e6a40c931db27b2faa15a8cedd52cff7362c4e6e23daec0fbc"
        "3a79b6806e316efcc7b68119bf46bc76a26067a53f296dafdbdc11c77f7777e972660cf4b6a9b369a6665f02e0cc9b6e"
        "dfad136b4fabe723d2813db3136cfde9b6d044322fee2947952e031b73ab5c603349b307bdc27bc6cb8b8bbd7bd32321"
        "9b8033a581b59eadebb09b3c4f3d2277d4f0343624acc817804728b25ab797172b4c5c21a22f9c7839d64300232eb66e"
        "53f31c723fa37fe387c7d3e50bdf9813a30e5bb12cf4cd930c40cfb4e1fc622592a49588794494d56d24ea4b40c89fc0"
        "596cc9ebb961c8cb10adde976a5d602b1c3f85b9b9a001ed3c6a4d3b1437f52096cd1956d042a597d561a596ecd3d173"
        "5a8d570ea0ec27225a2c4aaff26306d1526c1af3ca6d9cf5a2c98f47e1c46db9a33234cfd4d81f2c98538a09ebe76998"
        "d0d8fd25997c7d255c6d66ece6fa56f11144950f027795e653008f4bd7ca2dee85d8e90f3dc315130ce2a00375a318c7"
        "c3d97be2c8ce5b6db41a6254ff264fa6155baee3b0773c0f497c573f19bb4f4240281f0b1f4f7be857a4e59d416c06b4"
        "c50fa09e1810ddc6b1467baeac5a3668d11b6ecaa901440016f389f80acc4db977025e7f5924388c7e340a732e554440"
        "e76570f8dd71b7d640b3450d1fd5f0410a18f9a3494f707c717b79b4bf75c98400b096b21653b5d217cf3565c9597456"
        "f70703497a078763829bc01bb1cbc8fa04eadc9a6e3f6699587a9e75c94e5bab0036e0b2e711392cff0047d0d6b05bd2"
        "a588bc109718954259f1d86678a579a3120f19cfb2963f177aeb70f2d4844826262e51b80271272068ef5b3856fa8535"
        "aa2a88b2d41f2a0e2fda7624c2850272ac4a2f561f8f2f7a318bfd5caf9696149e4ac824ad3460538fdc25421beec2cc"
        "6818162d06bbed0c40a387192349db67a118bada6cd5ab0140ee273204f628aad1c135f770279a651e24d8c14d75a605"
        "9d76b96a6fd857def5e0b354b27ab937a5815d16b5fae407ff18222c6d1ed263be68c95f32d908bd895cd76207ae7264"
        "87567f9a67dad79abec316f683b17f2d02bf07e0ac8b5bc6162cf94697b3c27cd1fea49b27f23ba2901871962506520c"
        "392da8b6ad0d99f7013fbc06c2c17a569500c8a7696481c1cd33e9b14e40b82e79a5f5db82571ba97bae3ad3e0479515"
        "bb0e2b0f3bfcd1fd33034efc6245eddd7ee2086ddae2600d8ca73e214e8c2b0bdb2b047c6a464a562ed77b73d2d841c4"
        "b34973551257713b753632efba348169abc90a68f42611a40126d7cb21b58695568186f7e569d2ff0f9e745d0487dd2e"
        "b997cafc5abf9dd102e62ff66cba87",
        "e301345a41a39a4d72fff8df69c98075a0cc082b802fc9b2b6bc503f926b65bddf7f4c8f1cb49f6396afc8a70abe6d8a"
        "ef0db478d4c6b2970076c6a0484fe76d76b3a97625d79f1ce240e7c576750d295528286f719b413de9ada3e8eb78ed57"
        "3603ce30d8bb761785dc30dbc320869e1a00",
    ),
]


@pytest.mark.parametrize(
    ("secret", "public", "message", "signature"),
    [vector[1:] for vector in RFC8032_ED448],
    ids=[vector[0] for vector in RFC8032_ED448],
)
def test_rfc8032_ed448(secret: str, public: str, message: str, signature: str) -> None:
    assert ed448_public_key(_h(secret)) == _h(public)
    assert ed448_sign(_h(secret), _h(message)) == _h(signature)
    assert ed448_verify(_h(public), _h(message), _h(signature)) is True
    assert ed448_public_key_is_valid(_h(public)) is True


def test_ed448_rejects_non_canonical_s() -> None:
    _, _, public, message, signature = RFC8032_ED448[1]
    s_value = int.from_bytes(_h(signature)[57:], "little")
    malleated = _h(signature)[:57] + (s_value + L).to_bytes(57, "little")
    assert ed448_verify(_h(public), _h(message), malleated) is False


@pytest.mark.parametrize(("public_length", "signature_length"), [(56, 114), (58, 114), (57, 113), (57, 115), (0, 0)])
def test_ed448_wrong_lengths_are_false(public_length: int, signature_length: int) -> None:
    assert ed448_verify(bytes(public_length), b"", bytes(signature_length)) is False
    assert ed448_public_key_is_valid(bytes(public_length)) is (public_length == 57)


@pytest.mark.parametrize("length", [0, 56, 58])
def test_ed448_wrong_seed_length(length: int) -> None:
    with pytest.raises(InvalidPrivateKey):
        ed448_public_key(bytes(length))
    with pytest.raises(InvalidPrivateKey):
        ed448_sign(bytes(length), b"message")


def test_ed448_point_decoding_rules() -> None:
    # RFC 8032 §5.2.3: y >= p fails; bits 448-454 set make y >= p; x = 0 with x_0 = 1 fails.
    assert ed448_public_key_is_valid((P + 1).to_bytes(57, "little")) is False
    assert ed448_public_key_is_valid((1 | 1 << 448).to_bytes(57, "little")) is False
    assert ed448_public_key_is_valid((1 | 1 << 455).to_bytes(57, "little")) is False
    assert ed448_public_key_is_valid((1).to_bytes(57, "little")) is True
    assert ed448_public_key_is_valid(_encode(BASE_X, BASE_Y)) is True
    # (1, 0) and (-1, 0) are the points of order 4 (x^2 = 1 when y = 0).
    assert ed448_public_key_is_valid((1 << 455).to_bytes(57, "little")) is True
    assert ed448_public_key_is_valid(bytes(57)) is True


# Edge cases where the cofactor and the x = 0 rule decide; OpenSSL's verdicts.
_ORDER_FOUR = (1 << 455).to_bytes(57, "little")  # (1, 0): y = 0, x odd
_IDENTITY = (1).to_bytes(57, "little")
_MINUS_ONE = (P - 1).to_bytes(57, "little")  # (0, -1), order 2
_ONE = (1).to_bytes(57, "little")
_ZERO = bytes(57)
EDGE_CASES = [
    # (name, public key, signature, expected verdict)
    # [4][1]B = [4]B + [4][k]T4 for a point T4 of order 4: the cofactored check accepts.
    ("order-4 key, R=B, S=1", _ORDER_FOUR, _encode(BASE_X, BASE_Y) + _ONE, True),
    ("order-4 key, R=order-4, S=0", _ORDER_FOUR, _ORDER_FOUR + _ZERO, True),
    # The RFC equation holds, but A or R has x = 0: OpenSSL (and we) reject.
    ("identity key, R=B, S=1", _IDENTITY, _encode(BASE_X, BASE_Y) + _ONE, False),
    ("order-2 key, R=B, S=1", _MINUS_ONE, _encode(BASE_X, BASE_Y) + _ONE, False),
    ("order-4 key, R=identity, S=0", _ORDER_FOUR, _IDENTITY + _ZERO, False),
    ("order-4 key, R=order-2, S=0", _ORDER_FOUR, _MINUS_ONE + _ZERO, False),
    # A non-canonical R (y = p stands for y = 0) fails even though it names a point.
    ("order-4 key, R=non-canonical, S=0", _ORDER_FOUR, (P | 1 << 455).to_bytes(57, "little") + _ZERO, False),
]


@pytest.mark.parametrize(
    ("public", "signature", "expected"),
    [case[1:] for case in EDGE_CASES],
    ids=[case[0] for case in EDGE_CASES],
)
def test_ed448_cofactor_and_x_zero_policy(public: bytes, signature: bytes, expected: bool) -> None:
    assert ed448_verify(public, b"edge", signature) is expected


@pytest.mark.parametrize(
    ("public", "signature"), [case[1:3] for case in EDGE_CASES], ids=[case[0] for case in EDGE_CASES]
)
def test_ed448_edge_cases_match_openssl(public: bytes, signature: bytes) -> None:
    ed448 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed448")
    exceptions = pytest.importorskip("cryptography.exceptions")
    try:
        ed448.Ed448PublicKey.from_public_bytes(public).verify(signature, b"edge")
        oracle = True
    except (exceptions.InvalidSignature, ValueError):
        oracle = False
    assert ed448_verify(public, b"edge", signature) is oracle


def test_ed448_torsion_r_accepted_for_every_challenge_residue() -> None:
    # Public key and R of order 4, S = 0: RFC 8032 §5.2.7's cofactored equation
    # [4][0]B = [4]R + [4][k]A holds for every challenge k, so every message verifies.
    # R - [S]B + [k]A is a different torsion point for each k mod 4; cover all four.
    residues = set()
    for index in range(12):
        message = b"torsion %d" % index
        for r_encoded in (_ORDER_FOUR, _ZERO):  # (1, 0) and (-1, 0)
            digest = hashlib.shake_256(b"SigEd448\x00\x00" + r_encoded + _ORDER_FOUR + message).digest(114)
            residues.add(int.from_bytes(digest, "little") % L % 4)
            assert ed448_verify(_ORDER_FOUR, message, r_encoded + _ZERO) is True
    assert residues == {0, 1, 2, 3}


def _affine_add(first: tuple[int, int], second: tuple[int, int]) -> tuple[int, int]:
    # RFC 8032 §5.2.4's addition law in affine form, for building inputs only.
    (x1, y1), (x2, y2) = first, second
    d = -39081
    t = d * x1 * x2 * y1 * y2
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, P) % P
    y3 = (y1 * y2 - x1 * x2) * pow(1 - t, -1, P) % P
    return x3, y3


def _mixed_order_cases() -> list[tuple[bytes, bytes, bytes, int]]:
    # A' = [3]B + (1, 0) has a component of order 4.  With R = [5]B, k = H(R || A' || M)
    # and S = 5 + 3k mod L, [S]B - [k]A' = R - [k](1, 0): the cofactored equation holds
    # for every k, and each k mod 4 moves R' to a different torsion coset.
    base = (BASE_X, BASE_Y)
    three_b = _affine_add(_affine_add(base, base), base)
    five_b = _affine_add(_affine_add(three_b, base), base)
    public = _encode(*_affine_add(three_b, (1, 0)))
    r_encoded = _encode(*five_b)
    cases = []
    for index in range(12):
        message = b"mixed order %d" % index
        digest = hashlib.shake_256(b"SigEd448\x00\x00" + r_encoded + public + message).digest(114)
        k = int.from_bytes(digest, "little") % L
        cases.append((public, message, r_encoded + ((5 + 3 * k) % L).to_bytes(57, "little"), k % 4))
    return cases


def test_ed448_mixed_order_public_key_for_every_challenge_residue() -> None:
    cases = _mixed_order_cases()
    assert {residue for *_, residue in cases} == {0, 1, 2, 3}
    for public, message, signature, _ in cases:
        assert ed448_verify(public, message, signature) is True
        assert ed448_verify(public, message + b"!", signature) is False


def test_ed448_mixed_order_public_key_matches_openssl() -> None:
    ed448 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed448")
    for public, message, signature, _ in _mixed_order_cases():
        ed448.Ed448PublicKey.from_public_bytes(public).verify(signature, message)  # raises if rejected


# -- Wycheproof -------------------------------------------------------------------


def test_wycheproof_x448() -> None:
    failures = []
    count = 0
    for case in wycheproof_cases("Protocol", "x448_test.json"):
        count += 1
        try:
            shared = x448(case.hex("private"), case.hex("public"))
        except InvalidPublicKey:
            if case.result != "invalid":
                failures.append(case.tc_id)
            continue
        if case.result == "invalid" or shared != case.hex("shared"):
            failures.append(case.tc_id)
    assert count > 0
    assert failures == []


def test_wycheproof_ed448_valid_and_invalid() -> None:
    failures = []
    count = 0
    for case in wycheproof_cases("Signature", "ed448_test.json"):
        if case.result == "acceptable":
            continue
        count += 1
        public = bytes.fromhex(case.group["publicKey"]["pk"])
        if ed448_verify(public, case.hex("msg"), case.hex("sig")) is not (case.result == "valid"):
            failures.append(case.tc_id)
    assert count > 0
    assert failures == []


def test_wycheproof_ed448_acceptable_matches_openssl() -> None:
    ed448 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed448")
    exceptions = pytest.importorskip("cryptography.exceptions")
    failures = []
    count = 0
    for case in wycheproof_cases("Signature", "ed448_test.json"):
        count += 1
        if case.result != "acceptable":
            continue
        public = bytes.fromhex(case.group["publicKey"]["pk"])
        try:
            ed448.Ed448PublicKey.from_public_bytes(public).verify(case.hex("sig"), case.hex("msg"))
            oracle = True
        except (exceptions.InvalidSignature, ValueError):
            oracle = False
        if ed448_verify(public, case.hex("msg"), case.hex("sig")) is not oracle:
            failures.append(case.tc_id)
    assert count > 0  # counts every vector: the file may hold no acceptable ones
    assert failures == []


# -- properties -------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(seed=st.binary(min_size=57, max_size=57), message=st.binary(min_size=1, max_size=200), data=st.data())
def test_sign_verify_round_trip_and_bit_flips(seed: bytes, message: bytes, data: st.DataObject) -> None:
    public = ed448_public_key(seed)
    signature = ed448_sign(seed, message)
    assert ed448_verify(public, message, signature) is True
    message_bit = data.draw(st.integers(0, len(message) * 8 - 1), label="message bit")
    flipped_message = bytearray(message)
    flipped_message[message_bit // 8] ^= 1 << (message_bit % 8)
    assert ed448_verify(public, bytes(flipped_message), signature) is False
    signature_bit = data.draw(st.integers(0, 114 * 8 - 1), label="signature bit")
    flipped_signature = bytearray(signature)
    flipped_signature[signature_bit // 8] ^= 1 << (signature_bit % 8)
    assert ed448_verify(public, message, bytes(flipped_signature)) is False


@settings(max_examples=5, deadline=None)
@given(first=st.binary(min_size=56, max_size=56), second=st.binary(min_size=56, max_size=56))
def test_x448_agreement(first: bytes, second: bytes) -> None:
    assert x448(first, x448_public_key(second)) == x448(second, x448_public_key(first))
