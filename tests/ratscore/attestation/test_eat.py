"""EAT (RFC 9711), PSA tokens (RFC 9783) and measured components (draft-ietf-rats-
eat-measured-component) with the documents' examples as vectors.

Transcription: RFC 9711 App. A examples are diagnostic notation (the RFC source
includes them from the WG repository; keyneg_formats.md §3.1.4 copies them); they
are written here as Python values claim by claim.  The A.2.1 CWT and the RFC 9783
tokens are hex, copied from the digest (vectors_tokens.py).  The PSA signature and
MAC verifying is itself the proof that the hex was transcribed exactly.
"""

from __future__ import annotations

import base64
import json

import pytest

from ratscore import cbor
from ratscore.attestation import eat
from ratscore.attestation.eat import Claim, DebugStatus, EatClaims, Measurement, SubmoduleDigest
from ratscore.attestation.errors import BadSignature, InvalidClaim, MalformedEvidence, OversizedObject
from ratscore.attestation.jose import JwsAlgorithm, public_key_from_jwk
from ratscore.attestation.measured import MeasuredComponent
from ratscore.cose import CoseAlgorithm, decode_sign1
from ratscore.crypto import CryptoProvider
from ratscore.crypto.types import KeyType
from ratscore.errors import EncodeError

from .vectors_tokens import PSA_MAC0_HEX, PSA_SIGN1_HEX


def test_claim_keys_are_the_rfc_9711_values() -> None:
    # RFC 9711 §10.2 "Claim Key" lines, and RFC 8392 §3.1 for 1..7.
    expected = {
        "eat_nonce": 10, "ueid": 256, "sueids": 257, "oemid": 258, "hwmodel": 259, "hwversion": 260,
        "uptime": 261, "oemboot": 262, "dbgstat": 263, "location": 264, "eat_profile": 265, "submods": 266,
        "bootcount": 267, "bootseed": 268, "dloas": 269, "swname": 270, "swversion": 271, "manifests": 272,
        "measurements": 273, "measres": 274, "intuse": 275,
        "iss": 1, "sub": 2, "aud": 3, "exp": 4, "nbf": 5, "iat": 6, "cti": 7,
    }  # fmt: skip
    assert {claim.json_name: int(claim) for claim in Claim if claim is not Claim.CNF} == expected


# RFC 9711 App. A.2.1: 61(18([h'A10126', {}, h'A60A4C...', h'9B9B...'])), heads written by hand.
HW_BLOCK_PAYLOAD = bytes.fromhex(
    "A60A4CD79B964DDD5471C1393C8888190100500198F50A4FF6C05861C8860D13A638EA19010219FA"
    "F2190106F5190107031901048263332E3101"
)
HW_BLOCK_SIGNATURE = bytes.fromhex(
    "9B9B2F5E470000F6A20C8A4157B5763FC45BE7599A5334028517768C21AFFB845A56AB557E0C8973"
    "A07417391243A79C478562D285612E292C622162AB233787"
)
BASIC_CWT = bytes.fromhex("d83dd28443a10126a0583a") + HW_BLOCK_PAYLOAD + bytes.fromhex("5840") + HW_BLOCK_SIGNATURE


def test_hw_block_claims_a_1_3() -> None:
    assert len(HW_BLOCK_PAYLOAD) == 0x3A  # the RFC comment says "47 bytes"; the hex is 58
    claims = eat.decode_claims_cbor(HW_BLOCK_PAYLOAD)
    assert claims.nonce == (bytes.fromhex("d79b964ddd5471c1393c8888"),)
    assert claims.ueid == bytes.fromhex("0198f50a4ff6c05861c8860d13a638ea")
    assert claims.oemid == 64242
    assert claims.oemboot is True
    assert claims.dbgstat is DebugStatus.DISABLED_PERMANENTLY
    assert claims.hwversion == ("3.1", 1)
    assert claims.extra == {}
    assert EatClaims.from_cbor(cbor.decode(cbor.encode(claims.to_cbor()))) == claims


def test_basic_cwt_a_2_1(crypto: CryptoProvider) -> None:
    message = decode_sign1(BASIC_CWT[2:])
    assert message.protected == {1: -7}
    assert message.payload == HW_BLOCK_PAYLOAD
    assert message.signature == HW_BLOCK_SIGNATURE
    # RFC 9711 publishes no key for A.2.1: any other key must fail, with tag 61 accepted.
    other = crypto.generate_private_key(KeyType.P256).public_key()
    with pytest.raises(BadSignature):
        eat.verify_cwt(BASIC_CWT, other, crypto=crypto)


SUBMODS_EXAMPLE = {  # RFC 9711 App. A.1.2 valid_submods.diag
    10: bytes.fromhex("e253cabedc9eec24ac4e25bcbeaf7765"),
    256: bytes.fromhex("0198f50a4ff6c05861c8860d13a638ea"),
    258: bytes.fromhex("894823"),
    259: bytes.fromhex("549dcecc8b987c737b44e40f7c635ce8"),
    260: ["1.3.4", 1],
    270: "Acme OS",
    271: ["3.5.5", 1],
    262: True,
    263: 3,
    6: 1526542894,
    266: {
        "board": {
            258: bytes.fromhex("9bef8787eba13e2c8f6e7cb4b1f4619a"),
            259: bytes.fromhex("ee80f5a66c1fb9742999a8fdab930893"),
            260: ["2.0a", 2],
        },
        "device": {258: 61234, 260: ["4.0", 1]},
    },
}


def test_submods_a_1_2() -> None:
    claims = EatClaims.from_cbor(SUBMODS_EXAMPLE)
    assert claims.oemid == bytes.fromhex("894823")
    assert claims.swname == "Acme OS" and claims.swversion == ("3.5.5", 1)
    assert claims.issued_at == 1526542894
    assert claims.submods is not None
    board = claims.submods["board"]
    assert isinstance(board, EatClaims)
    assert board.oemid == bytes.fromhex("9bef8787eba13e2c8f6e7cb4b1f4619a")
    assert board.hwversion == ("2.0a", 2)
    assert claims.submods["device"] == EatClaims(oemid=61234, hwversion=("4.0", 1))
    assert claims.to_cbor() == SUBMODS_EXAMPLE


def test_key_store_a_1_4_keeps_private_claims() -> None:
    # RFC 9711 App. A.1.4 valid_key_store.diag, the "Carbonite" CoSWID (hex lines joined).
    coswid = bytes.fromhex(
        "a600683762623334383766"
        "0c000169436172626f6e6974650d6331"
        "2e320e0102a2181f75496e6475737472"
        "69616c204175746f6d6174696f6e1821"
        "02"
    )
    example = {
        10: bytes.fromhex("99b67438dba40743266f70bf75feb1026d513497a229bfe8"),
        262: True,
        263: 2,
        272: [[258, coswid]],
        4: 1634324274,
        6: 1634317080,
        -80000: "fingerprint",
        266: {"HLOS": {10: bytes.fromhex("8b0b28782a23d3f6"), 262: True, 272: [[258, coswid]]}},
    }
    claims = EatClaims.from_cbor(example)
    assert claims.dbgstat is DebugStatus.DISABLED_SINCE_BOOT
    assert claims.manifests == (Measurement(258, coswid),)
    assert claims.expires == 1634324274
    assert claims.extra == {-80000: "fingerprint"}  # RFC 9711 §4: unknown claims are kept, not interpreted


def test_results_json_a_1_6() -> None:
    example = json.loads("""{
       "eat_nonce": "jkd8KL-8xQk", "oemboot": true, "dbgstat": "disabled-since-boot", "oemid": "iUWt",
       "ueid": "AZj1Ck_2wFhhyIYNE6Y4", "swname": "Acme R-IoT-OS", "swversion": ["3.1.4"],
       "measres": [["Trustus Measurements", [["all", "success"]]]]}""")
    claims = EatClaims.from_json(example)
    assert claims.nonce == ("jkd8KL-8xQk",)
    assert claims.dbgstat is DebugStatus.DISABLED_SINCE_BOOT
    assert claims.oemid == base64.urlsafe_b64decode("iUWt")
    assert claims.ueid == base64.urlsafe_b64decode("AZj1Ck_2wFhhyIYNE6Y4")
    assert claims.swversion == ("3.1.4", None)
    assert claims.measres == (["Trustus Measurements", [["all", "success"]]],)
    assert claims.to_json() == example


NESTED_CBOR_TOKEN = (  # RFC 9711 App. A.1.7, submodule "Secure Element Eat"
    "2D3ShEOhASagWGaoCkiUj4hg0TpGPhkBAFABmPUKT_bAWGHIhg0TpjjqGQECGfryGQEFBBkBBvUZAQcDGQEEgmMzLjEBGQEKoWNURUWCL1gg5c"
    "-V_ST6txRGdC3VjUPa4XjlX-K5QpGpKRCC_8JjWgtYQPaQywOIZ3-mJKN3X9fLxOhAnsmBa-MvpHRzOw-Ywn-67bvJljuctezAPD41s6_At7Nb"
    "SV3qwJlxIuqGfwe41es="
)


def test_json_token_with_submods_a_1_7() -> None:
    example = {
        "eat_nonce": "lI-IYNE6Rj6O",
        "ueid": "AJj1Ck_2wFhhyIYNE6Y46g==",  # padded base64 in the RFC, accepted leniently
        "oemboot": True,
        "dbgstat": "disabled-permanently",
        "iat": 1526542894,
        "submods": {
            "Android App Foo": {"swname": "Foo.app"},
            "Secure Element Eat": ["CBOR", NESTED_CBOR_TOKEN],
            "Linux Android": {"swname": "Android"},
        },
    }
    claims = EatClaims.from_json(example)
    assert claims.ueid == bytes.fromhex("0098f50a4ff6c05861c8860d13a638ea")
    assert claims.submods is not None
    kind, token_text = claims.submods["Secure Element Eat"]
    assert kind == "CBOR"
    nested = base64.urlsafe_b64decode(token_text)
    assert nested[:2] == b"\xd8\x3d"  # a CWT tag, as the digest decoded it
    inner = eat.decode_claims_cbor(decode_sign1(nested[2:]).payload or b"")
    assert inner.nonce == (bytes.fromhex("948f8860d13a463e"),)
    assert inner.oemid == 64242 and inner.uptime == 4
    assert inner.submods is not None
    digest = inner.submods["TEE"]
    assert isinstance(digest, SubmoduleDigest) and digest.algorithm == -16 and len(digest.digest) == 32


# RFC 9783 App. A.1: the TF-M IAK (tfm-es-iak.json), public part.
PSA_IAK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "Tl4iCZ47zrRbRG0TVf0dw7VFlHtv18HInYhnmMNybo8",
    "y": "gNcLhAslaqw0pi7eEEM2TwRAlfADR0uR4Bggkq-xPy4",
}
# RFC 9783 App. A.2: tfm-hs-iak.json "k", RFC 8792-unwrapped.
PSA_HMAC_KEY = base64.urlsafe_b64decode(
    "3gOLNKyhJXaMXjNXq40Gs2e5qw1-i-Ek7cpH_gM6W7epPTB_8imqNv8kbBKVlk-s9xq3qm7E_WECt7OYMlWtkg=="
)


def _check_psa_claims(claims: EatClaims, instance_id: str) -> None:
    # RFC 9783 App. A.1 sign1-claims.diag / mac0-claims.diag.
    assert claims.ueid == bytes.fromhex(instance_id)
    assert claims.nonce == (bytes([1]) * 32,)
    assert claims.profile == "tag:psacertified.org,2023:psa#tfm"
    assert claims.bootseed == bytes(8)
    assert claims.extra[2396] == bytes(32)  # psa-implementation-id
    assert claims.extra[2394] == 2147483647  # psa-client-id
    assert claims.extra[2395] == 12288  # psa-security-lifecycle: secured (0x3000)
    assert claims.extra[2399] == [{5: bytes([4]) * 32, 2: bytes([3]) * 32, 1: "PRoT"}]


def test_psa_sign1_verifies(crypto: CryptoProvider) -> None:
    token = bytes.fromhex(PSA_SIGN1_HEX)
    key = public_key_from_jwk(PSA_IAK, crypto=crypto)
    verified = eat.verify_cwt(token, key, expected_alg=CoseAlgorithm.ES256, crypto=crypto)
    _check_psa_claims(verified.claims, "01" + "02" * 32)
    tampered = bytearray(token)
    tampered[-1] ^= 1
    with pytest.raises(BadSignature):
        eat.verify_cwt(bytes(tampered), key, crypto=crypto)


def test_psa_mac0_verifies(crypto: CryptoProvider) -> None:
    token = bytes.fromhex(PSA_MAC0_HEX)
    assert len(PSA_HMAC_KEY) == 64
    claims = eat.verify_cwt_mac(token, PSA_HMAC_KEY, crypto=crypto)
    _check_psa_claims(claims, "01c557bd4fadc83f756fca2cd5ea2dcc8b82159bb4e7453d6a744d4eecd6d0ac60")
    with pytest.raises(BadSignature):
        eat.verify_cwt_mac(token, PSA_HMAC_KEY[:-1] + b"\x00", crypto=crypto)


# draft-ietf-rats-eat-measured-component §4.8, ex1 (CBOR diagnostic, written as Python) and ex1.json.
EX1_CBOR = {
    1: ["boot loader X", ["1.2.3rc2", 16384]],
    2: ["sha-256", bytes.fromhex("3996003d486fb91ffb056f7d03f2b2992b215b31dbe7af4b373431fc7d319da3")],
    3: [
        bytes.fromhex("492e9b676c21f6012b1ceeb9032feb4141a880797355f6675015ec59c51ca1ec"),
        bytes.fromhex("4277bb97ba7b51577a0d38151d3e08b40bdf946753f5b5bdeb814d6ff57a8a5e"),
    ],
    4: bytes.fromhex("0000000000000101"),
}
EX1_JSON = {
    "id": ["boot loader X", ["1.2.3rc2", 16384]],
    "digested-measurement": ["sha-256", "OZYAPUhvuR_7BW99A_KymSshWzHb569LNzQx_H0xnaM"],
    "authorities": ["SS6bZ2wh9gErHO65Ay_rQUGogHlzVfZnUBXsWcUcoew", "Qne7l7p7UVd6DTgVHT4ItAvflGdT9bW964FNb_V6il4"],
    "flags": "AAAAAAAAAQE",
}


def test_measured_component_examples() -> None:
    component = MeasuredComponent.from_map(EX1_CBOR, json_form=False)
    assert component.name == "boot loader X"
    assert component.version == "1.2.3rc2" and component.version_scheme == 16384
    assert component.digest_algorithm == "sha-256"
    assert MeasuredComponent.from_map(EX1_JSON, json_form=True) == component
    assert component.to_cbor_map() == EX1_CBOR
    assert component.to_json_object() == EX1_JSON
    assert MeasuredComponent.decode(component.encode()) == component
    ex2 = MeasuredComponent.from_map(
        {1: ["/boot/loader.bin"], 2: ["sha-384", bytes(48)], 4: bytes.fromhex("0000000000000101")}, json_form=False
    )
    assert ex2.version is None
    ex3 = MeasuredComponent.from_map({1: ["hardware-config"], 5: bytes.fromhex("4f6d616861")}, json_form=False)
    assert ex3.raw == b"Omaha"
    with pytest.raises(InvalidClaim):
        MeasuredComponent.from_map({1: ["x"], 2: ["sha-256", b""], 5: b""}, json_form=False)
    with pytest.raises(InvalidClaim):
        MeasuredComponent.from_map({1: ["x"], 5: b"", 4: b"\x00"}, json_form=False)


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({10: b"short"}, "eat_nonce"),  # RFC 9711 §4.1: 8..64 bytes
        ({10: bytes(65)}, "eat_nonce"),
        ({10: [bytes(8)]}, "eat_nonce"),  # an array holds at least two
        ({10: "text-nonce"}, "eat_nonce"),  # text nonce in CBOR
        ({6: 1526542894.0}, "iat"),  # RFC 9711 §4.3.1: float iat is an error
        ({256: bytes(6)}, "ueid"),  # 7..33 bytes
        ({256: bytes(34)}, "ueid"),
        ({258: bytes(4)}, "oemid"),
        ({263: 5}, "dbgstat"),
        ({262: 1}, "oemboot"),
        ({260: "3.1"}, "hwversion"),
        ({273: [[70000, b""]]}, "measurements"),
        ({266: {"x": 5}}, "submods"),
    ],
)
def test_invalid_claims(claims: dict[int, object], name: str) -> None:
    with pytest.raises(InvalidClaim) as info:
        EatClaims.from_cbor(claims)
    assert info.value.claim == name


def test_decoder_bad_input() -> None:
    with pytest.raises(MalformedEvidence):
        eat.decode_claims_cbor(b"\xa1\x0a")  # truncated
    with pytest.raises(MalformedEvidence):
        eat.decode_claims_cbor(b"\x80")  # not a map
    with pytest.raises(MalformedEvidence):
        eat.decode_claims_cbor(bytes.fromhex("a2 0a 48 0000000000000000 0a 48 0000000000000000"))  # duplicate key
    with pytest.raises(OversizedObject):
        eat.decode_claims_cbor(HW_BLOCK_PAYLOAD, max_size=10)
    with pytest.raises(MalformedEvidence):
        eat.verify_cwt(b"\xd8\x3d\x84\x40\xa0\x40\x40", public_key_from_jwk(PSA_IAK))  # 61 around no COSE tag


def test_ueid_creation_rules() -> None:
    eat.check_ueid(b"\x01" + bytes(16))
    eat.check_ueid(b"\x03" + bytes(range(10)) + bytes(4))
    for bad in (b"\x01" + bytes(15), b"\x03" + b"1" * 14, b"\x04" + bytes(16), b"\x02" + bytes(7)):
        with pytest.raises(EncodeError):
            eat.check_ueid(bad)


def test_cwt_and_jwt_round_trip(crypto: CryptoProvider) -> None:
    claims = EatClaims.from_cbor(SUBMODS_EXAMPLE)
    key = crypto.generate_private_key(KeyType.ED25519)
    for cwt_tag in (False, True):
        token = eat.sign_cwt(claims, key, CoseAlgorithm.EDDSA, cwt_tag=cwt_tag, external_aad=b"binder")
        assert eat.verify_cwt(token, key.public_key(), external_aad=b"binder", crypto=crypto).claims == claims
        with pytest.raises(BadSignature):
            eat.verify_cwt(token, key.public_key(), external_aad=b"other", crypto=crypto)
    json_claims = claims.replace(nonce=("e253cabedc9e",))
    jwt = eat.sign_jwt(json_claims, key, JwsAlgorithm.EDDSA)
    assert eat.verify_jwt(jwt, key.public_key(), crypto=crypto) == json_claims
