"""Known answers for the pure-Python AES, AES-GCM and AES-CCM; tampering and misuse for all AEADs.

Every expected value is copied from its source document: FIPS 197 Appendices A, B and C, NIST
SP 800-38A F.2.1 and F.5.1, the GCM specification's test cases (McGrew & Viega, "The
Galois/Counter Mode of Operation", the vectors NIST publishes with SP 800-38D), and the RFC 9529
EDHOC traces (AES-CCM-16-64-128).  RFC 8439 vectors are in ``test_pure_aead_rfc8439.py``;
Wycheproof, NIST CAVS and property tests in the other ``test_pure_aead_*.py`` files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest

from ratscore.crypto.pure.aes import WIDE_THRESHOLD_BLOCKS, Aes, _expand_key
from ratscore.crypto.pure.ccm import AesCcm
from ratscore.crypto.pure.chacha import ChaCha20Poly1305
from ratscore.crypto.pure.gcm import AesGcm, _Ghash
from ratscore.errors import CryptoError, DecryptError
from tests.ratscore.test_pure_aead_rfc8439 import (
    AEAD_282_AAD,
    AEAD_282_CIPHERTEXT,
    AEAD_282_KEY,
    AEAD_282_NONCE,
    AEAD_282_TAG,
    SUNSCREEN,
)

AnyAead = AesGcm | AesCcm | ChaCha20Poly1305


def unhex(text: str) -> bytes:
    """Hex as the documents print it: spaces, colons and line breaks allowed."""
    return bytes.fromhex(text.replace(":", " "))


# -- FIPS 197 -------------------------------------------------------------------------------------

FIPS197_PLAINTEXT = unhex("00112233445566778899aabbccddeeff")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # FIPS 197 Appendix C.1, C.2, C.3
        ("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"),
        ("000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191"),
        ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089"),
        # FIPS 197 Appendix B (the cipher example)
        ("2b7e151628aed2a6abf7158809cf4f3c", "3925841d02dc09fbdc118597196a0b32"),
    ],
    ids=["C.1-AES-128", "C.2-AES-192", "C.3-AES-256", "B"],
)
def test_fips197_block_known_answers(key: str, expected: str) -> None:
    plaintext = unhex("3243f6a8885a308d313198a2e0370734") if key.startswith("2b7e") else FIPS197_PLAINTEXT
    assert Aes(unhex(key)).encrypt_block(plaintext) == unhex(expected)


@pytest.mark.parametrize(
    ("key", "round_keys"),
    [
        (  # FIPS 197 Appendix A.1
            "2b7e151628aed2a6abf7158809cf4f3c",
            [
                "2b7e151628aed2a6abf7158809cf4f3c", "a0fafe1788542cb123a339392a6c7605",
                "f2c295f27a96b9435935807a7359f67f", "3d80477d4716fe3e1e237e446d7a883b",
                "ef44a541a8525b7fb671253bdb0bad00", "d4d1c6f87c839d87caf2b8bc11f915bc",
                "6d88a37a110b3efddbf98641ca0093fd", "4e54f70e5f5fc9f384a64fb24ea6dc4f",
                "ead27321b58dbad2312bf5607f8d292f", "ac7766f319fadc2128d12941575c006e",
                "d014f9a8c9ee2589e13f0cc8b6630ca6",
            ],
        ),
        (  # FIPS 197 Appendix A.2
            "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
            [
                "8e73b0f7da0e6452c810f32b809079e5", "62f8ead2522c6b7bfe0c91f72402f5a5",
                "ec12068e6c827f6b0e7a95b95c56fec2", "4db7b4bd69b5411885a74796e92538fd",
                "e75fad44bb095386485af05721efb14f", "a448f6d94d6dce24aa326360113b30e6",
                "a25e7ed583b1cf9a27f939436a94f767", "c0a69407d19da4e1ec1786eb6fa64971",
                "485f703222cb8755e26d135233f0b7b3", "40beeb282f18a2596747d26b458c553e",
                "a7e1466c9411f1df821f750aad07d753", "ca4005388fcc5006282d166abc3ce7b5",
                "e98ba06f448c773c8ecc720401002202",
            ],
        ),
        (  # FIPS 197 Appendix A.3
            "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
            [
                "603deb1015ca71be2b73aef0857d7781", "1f352c073b6108d72d9810a30914dff4",
                "9ba354118e6925afa51a8b5f2067fcde", "a8b09c1a93d194cdbe49846eb75d5b9a",
                "d59aecb85bf3c917fee94248de8ebe96", "b5a9328a2678a647983122292f6c79b3",
                "812c81addadf48ba24360af2fab8b464", "98c5bfc9bebd198e268c3ba709e04214",
                "68007bacb2df331696e939e46c518d80", "c814e20476a9fb8a5025c02d59c58239",
                "de1369676ccc5a71fa2563959674ee15", "5886ca5d2e2f31d77e0af1fa27cf73c3",
                "749c47ab18501ddae2757e4f7401905a", "cafaaae3e4d59b349adf6acebd10190d",
                "fe4890d1e6188d0b046df344706c631e",
            ],
        ),
    ],
    ids=["A.1", "A.2", "A.3"],
)  # fmt: skip
def test_fips197_key_expansion(key: str, round_keys: list[str]) -> None:
    expanded = _expand_key(unhex(key))
    assert len(expanded) == len(round_keys)
    for index, expected in enumerate(round_keys):
        assert expanded[index].to_bytes(16, "big") == unhex(expected), f"round key {index}"


def test_aes_rejects_bad_key_and_block_lengths() -> None:
    for length in (0, 15, 17, 31, 33):
        with pytest.raises(CryptoError):
            Aes(bytes(length))
    aes = Aes(bytes(16))
    for length in (0, 15, 17):
        with pytest.raises(CryptoError):
            aes.encrypt_block(bytes(length))
    with pytest.raises(CryptoError):
        aes.cbc_mac(bytes(17))
    with pytest.raises(CryptoError):
        aes.cbc_mac(b"")
    with pytest.raises(CryptoError):
        aes.keystream_int(bytes(15), 1)
    with pytest.raises(CryptoError):
        aes.keystream_int(b"\xff" * 16, 2)  # the 64-bit counter would wrap


def test_keystream_paths_agree_with_block_encryption() -> None:
    """The one-block path (few blocks) and the planar path (many) both equal E(counter + i).

    E(counter + i) comes from ``encrypt_block``, whose answers the FIPS 197 tests pin down.
    """
    aes = Aes(unhex("000102030405060708090a0b0c0d0e0f"))
    counter_block = unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")  # SP 800-38A F.5.1 initial counter
    for blocks in (1, WIDE_THRESHOLD_BLOCKS, WIDE_THRESHOLD_BLOCKS + 1, 17, 64, 97, 129, 200):
        expected = b"".join(
            aes.encrypt_block((int.from_bytes(counter_block, "big") + i).to_bytes(16, "big")) for i in range(blocks)
        )
        got = aes.keystream_int(counter_block, blocks).to_bytes(16 * blocks, "big")
        assert got == expected, f"{blocks} blocks"


def test_ctr_keystream_sp800_38a_f51() -> None:
    # NIST SP 800-38A F.5.1 CTR-AES128.Encrypt: keystream blocks are the "Output Block" lines.
    aes = Aes(unhex("2b7e151628aed2a6abf7158809cf4f3c"))
    outputs = [
        "ec8cdf7398607cb0f2d21675ea9ea1e4",
        "362b7c3c6773516318a077d7fc5073ae",
        "6a2cc3787889374fbeb4c81b17ba6c44",
        "e89c399ff0f198c6d40a31db156cabfe",
    ]
    stream = aes.keystream_int(unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), 4).to_bytes(64, "big")
    for index, expected in enumerate(outputs):
        assert stream[16 * index : 16 * index + 16] == unhex(expected), f"output block {index + 1}"


def test_cbc_mac_is_the_last_cbc_block_sp800_38a_f21() -> None:
    # NIST SP 800-38A F.2.1 CBC-AES128.Encrypt with IV 000102..0f: CBC-MAC with a zero IV over
    # (IV ^ P1) || P2 || ... is the last ciphertext block.
    aes = Aes(unhex("2b7e151628aed2a6abf7158809cf4f3c"))
    iv = unhex("000102030405060708090a0b0c0d0e0f")
    plaintext = unhex(
        "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
        "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710"
    )
    first = bytes(a ^ b for a, b in zip(iv, plaintext[:16], strict=True))
    assert aes.cbc_mac(first) == unhex("7649abac8119b246cee98e9b12e9197d")
    assert aes.cbc_mac(first + plaintext[16:]) == unhex("3ff1caa1681fac09120eca307586e1a7")


# -- AES-GCM ----------------------------------------------------------------------------------------

GCM_P = unhex(
    "d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b391aafd255"
)
GCM_A = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")

# (name, key, iv, plaintext, aad, ciphertext, tag) from the GCM specification's test cases.
GCM_CASES = [
    ("TC1", "00" * 16, "00" * 12, b"", b"", "", "58e2fccefa7e3061367f1d57a4e7455a"),
    (
        "TC2", "00" * 16, "00" * 12, bytes(16), b"",
        "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf",
    ),
    (
        "TC3", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", GCM_P, b"",
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
        "4d5c2af327cd64a62cf35abd2ba6fab4",
    ),
    (
        "TC4", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", GCM_P[:60], GCM_A,
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        "5bc94fbc3221a5db94fae95ae7121a47",
    ),
    (
        "TC16", "feffe9928665731c6d6a8f9467308308" * 2, "cafebabefacedbaddecaf888", GCM_P[:60], GCM_A,
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b",
    ),
]  # fmt: skip


def _force_byte_tables(aead: AesGcm) -> AesGcm:
    """Make the next GHASH use the 256-entry tables (normally built after a few hundred blocks)."""
    aead._ghash._blocks_before_upgrade = 0
    return aead


@pytest.mark.parametrize("tables", ["nibble", "byte"])
@pytest.mark.parametrize(
    ("key", "iv", "plaintext", "aad", "ciphertext", "tag"),
    [case[1:] for case in GCM_CASES],
    ids=[case[0] for case in GCM_CASES],
)
def test_gcm_spec_test_cases(
    key: str, iv: str, plaintext: bytes, aad: bytes, ciphertext: str, tag: str, tables: str
) -> None:
    def fresh() -> AesGcm:
        aead = AesGcm(unhex(key))
        return _force_byte_tables(aead) if tables == "byte" else aead

    sealed = unhex(ciphertext + tag)
    assert fresh().encrypt(unhex(iv), plaintext, aad) == sealed
    assert fresh().decrypt(unhex(iv), sealed, aad) == plaintext


@pytest.mark.parametrize("tables", ["nibble", "byte"])
def test_gcm_test_case_2_trace(tables: str) -> None:
    """GCM specification Test Case 2, one assertion per printed intermediate value."""
    aes = Aes(bytes(16))
    h = aes.encrypt_block(bytes(16))
    assert h == unhex("66e94bd4ef8a2c3b884cfa59ca342b2e"), "H"
    assert aes.encrypt_block(unhex("00000000000000000000000000000001")) == unhex("58e2fccefa7e3061367f1d57a4e7455a"), (
        "E(K, Y0)"
    )
    assert aes.encrypt_block(unhex("00000000000000000000000000000002")) == unhex("0388dace60b6a392f328c2b971b2fe78"), (
        "E(K, Y1)"
    )
    ghash = _Ghash(int.from_bytes(h, "big"))
    if tables == "byte":
        ghash._blocks_before_upgrade = 0
    ciphertext = unhex("0388dace60b6a392f328c2b971b2fe78")
    assert ghash.digest(ciphertext) == int("5e2ec746917062882c85b0685353deb7", 16), "X1"
    length_block = unhex("00000000000000000000000000000080")
    assert ghash.digest(ciphertext + length_block) == int("f38cbb1ad69223dcc3457ae5b6b0f885", 16), "GHASH"


@pytest.mark.parametrize("tables", ["nibble", "byte"])
def test_gcm_test_case_3_ghash(tables: str) -> None:
    # GCM specification Test Case 3: H and GHASH(H, {}, C).
    aes = Aes(unhex("feffe9928665731c6d6a8f9467308308"))
    h = aes.encrypt_block(bytes(16))
    assert h == unhex("b83b533708bf535d0aa6e52980d53b78"), "H"
    assert aes.encrypt_block(unhex("cafebabefacedbaddecaf88800000001")) == unhex("3247184b3c4f69a44dbcd22887bbb418"), (
        "E(K, Y0)"
    )
    ghash = _Ghash(int.from_bytes(h, "big"))
    if tables == "byte":
        ghash._blocks_before_upgrade = 0
    ciphertext = unhex(GCM_CASES[2][5])
    length_block = (512).to_bytes(16, "big")
    assert ghash.digest(ciphertext + length_block) == int("7f1b32b81b820d02614f8895ac1d4eac", 16), "GHASH"


def test_ghash_switches_to_byte_tables_and_stays_correct() -> None:
    """Across the upgrade point, digests keep matching the GCM Test Case 2 value."""
    ghash = _Ghash(int("66e94bd4ef8a2c3b884cfa59ca342b2e", 16))
    message = unhex("0388dace60b6a392f328c2b971b2fe78 00000000000000000000000000000080")
    expected = int("f38cbb1ad69223dcc3457ae5b6b0f885", 16)
    assert ghash._byte is None
    for _ in range(200):
        assert ghash.digest(message) == expected
    assert ghash._byte is not None


# -- AES-CCM ----------------------------------------------------------------------------------------

# RFC 9529 §2.3 and §3.5: K_3, IV_3, A_3 (the COSE Enc_structure), PLAINTEXT_3, CIPHERTEXT_3.
EDHOC_TRACES = [
    (
        "RFC9529-2.3",
        "da195e5f648ac63b0e8fb0c455205139",
        "38d8c64c56255affa449f4bed7",
        "8368456e6372797074304058205b7df9b4f58f240ce0418e48191b5fff3a22b5ca57f669b16777996592e928bc",
        "a11822822e48c24ab2fd7643c79f584096e1cd5fceadfac1b5af819443f70924f5719955957fd02655beb4775e1a7318"
        "6a0d1d3ea683f08f8d03dcecb9cf154e1c6f555a1e12ca118ce42bdba6878907",
        "25c345884aaaeb22c527f9b1d2b6787207e0163c69b62a0d43928150427203c31674e4514ea6e383b566eb29763efeb0"
        "afa518776ae1c65f856d84bf32af3a7836970466dcb71f76745d39d3025e7703e0c032ebad51947c",
    ),
    (
        "RFC9529-3.5",
        "8e7a30042000f7900e8174131f75f3ed",
        "6d8300c1e23b56153ae70ee457",
        "8368456e637279707430405820adaf67a78a4bcc91e018f8882762a722000b2507039df0bc1bbf0c161bb3155c",
        "2b48623c91df41e34c2f",
        "e562097bc417dd5919485ac7891ffd90a9fc",
    ),
]


@pytest.mark.parametrize(
    ("key", "nonce", "aad", "plaintext", "ciphertext"),
    [trace[1:] for trace in EDHOC_TRACES],
    ids=[trace[0] for trace in EDHOC_TRACES],
)
def test_ccm_edhoc_message_3(key: str, nonce: str, aad: str, plaintext: str, ciphertext: str) -> None:
    aead = AesCcm(unhex(key), 13, 8)  # AES-CCM-16-64-128 (RFC 9053 §4.2)
    assert aead.encrypt(unhex(nonce), unhex(plaintext), unhex(aad)) == unhex(ciphertext)
    assert aead.decrypt(unhex(nonce), unhex(ciphertext), unhex(aad)) == unhex(plaintext)


def test_ccm_encodes_long_associated_data() -> None:
    """l(a) >= 2^16 - 2^8 takes the 0xff 0xfe form (RFC 3610 §2.2): round trip across the boundary."""
    aead = AesCcm(bytes(16), 13, 16)
    for aad_length in (0xFEFF, 0xFF00):
        aad = bytes(range(256)) * (aad_length // 256) + bytes(aad_length % 256)
        sealed = aead.encrypt(bytes(13), b"payload", aad)
        assert aead.decrypt(bytes(13), sealed, aad) == b"payload"
        with pytest.raises(DecryptError):
            aead.decrypt(bytes(13), sealed, aad[:-1])


# -- Shared AEAD behaviour: tampering and misuse ---------------------------------------------------

# One known-good sealed message per AEAD, all from the vectors above: (name, aead, nonce,
# plaintext, aad, sealed).
KNOWN_GOOD: list[tuple[str, AnyAead, bytes, bytes, bytes, bytes]] = [
    (
        "gcm-TC4",
        AesGcm(unhex("feffe9928665731c6d6a8f9467308308")),
        unhex("cafebabefacedbaddecaf888"),
        GCM_P[:60],
        GCM_A,
        unhex(GCM_CASES[3][5] + GCM_CASES[3][6]),
    ),
    (
        "gcm-TC1-empty",
        AesGcm(bytes(16)),
        bytes(12),
        b"",
        b"",
        unhex(GCM_CASES[0][6]),
    ),
    (
        "ccm-RFC9529-3.5",
        AesCcm(unhex(EDHOC_TRACES[1][1]), 13, 8),
        unhex(EDHOC_TRACES[1][2]),
        unhex(EDHOC_TRACES[1][4]),
        unhex(EDHOC_TRACES[1][3]),
        unhex(EDHOC_TRACES[1][5]),
    ),
    (
        "chacha-2.8.2",
        ChaCha20Poly1305(AEAD_282_KEY),
        AEAD_282_NONCE,
        SUNSCREEN,
        AEAD_282_AAD,
        AEAD_282_CIPHERTEXT + AEAD_282_TAG,
    ),
]


def _flip(data: bytes, index: int, bit: int = 0x01) -> bytes:
    return data[:index] + bytes((data[index] ^ bit,)) + data[index + 1 :]


def _assert_rejected(aead: AnyAead, nonce: bytes, sealed: bytes, aad: bytes) -> None:
    with pytest.raises(DecryptError) as caught:
        aead.decrypt(nonce, sealed, aad)
    assert str(caught.value) == str(DecryptError()), "a tag failure never says why"


@pytest.mark.parametrize(
    ("aead", "nonce", "plaintext", "aad", "sealed"),
    [case[1:] for case in KNOWN_GOOD],
    ids=[case[0] for case in KNOWN_GOOD],
)
def test_tampering_is_rejected(aead: AnyAead, nonce: bytes, plaintext: bytes, aad: bytes, sealed: bytes) -> None:
    assert aead.decrypt(nonce, sealed, aad) == plaintext  # the untouched message opens
    for index in range(len(sealed)):  # every byte of ciphertext and tag, low and high bit
        _assert_rejected(aead, nonce, _flip(sealed, index), aad)
        _assert_rejected(aead, nonce, _flip(sealed, index, 0x80), aad)
    for index in range(len(nonce)):
        _assert_rejected(aead, _flip(nonce, index), sealed, aad)
    for index in range(len(aad)):
        _assert_rejected(aead, nonce, sealed, _flip(aad, index))
    _assert_rejected(aead, nonce, sealed, aad + b"\x00")
    if aad:
        _assert_rejected(aead, nonce, sealed, aad[:-1])
    for cut in range(1, len(sealed) + 1):
        _assert_rejected(aead, nonce, sealed[:-cut], aad)  # truncated, down to empty
    _assert_rejected(aead, nonce, sealed + b"\x00", aad)


@pytest.mark.parametrize(
    "make",
    [
        lambda: AesGcm(bytes(24)),
        lambda: AesGcm(bytes(15)),
        lambda: AesGcm(b""),
        lambda: AesCcm(bytes(24), 13, 8),
        lambda: AesCcm(bytes(16), 6, 8),
        lambda: AesCcm(bytes(16), 14, 8),
        lambda: AesCcm(bytes(16), 13, 2),
        lambda: AesCcm(bytes(16), 13, 7),
        lambda: AesCcm(bytes(16), 13, 18),
        lambda: ChaCha20Poly1305(bytes(16)),
        lambda: ChaCha20Poly1305(bytes(33)),
    ],
    ids=[
        "gcm-key-24", "gcm-key-15", "gcm-key-0", "ccm-key-24", "ccm-nonce-6", "ccm-nonce-14",
        "ccm-tag-2", "ccm-tag-7", "ccm-tag-18", "chacha-key-16", "chacha-key-33",
    ],
)  # fmt: skip
def test_bad_parameters_are_caller_errors(make: Callable[[], AnyAead]) -> None:
    with pytest.raises(CryptoError) as caught:
        make()
    assert not isinstance(caught.value, DecryptError)
    assert str(caught.value)  # a clear message


@pytest.mark.parametrize(
    ("aead", "good_nonce_size"),
    [
        (AesGcm(bytes(16)), 12),
        (AesCcm(bytes(16), 13, 8), 13),
        (AesCcm(bytes(16), 12, 16), 12),
        (ChaCha20Poly1305(bytes(32)), 12),
    ],
    ids=["gcm", "ccm-13", "ccm-12", "chacha"],
)
def test_wrong_nonce_length_is_a_caller_error(aead: AnyAead, good_nonce_size: int) -> None:
    sealed = aead.encrypt(bytes(good_nonce_size), b"x", b"")
    for size in (0, 8, good_nonce_size - 1, good_nonce_size + 1, 16):
        with pytest.raises(CryptoError) as caught:
            aead.encrypt(bytes(size), b"x", b"")
        assert not isinstance(caught.value, DecryptError)
        with pytest.raises(CryptoError) as caught:
            aead.decrypt(bytes(size), sealed, b"")
        assert not isinstance(caught.value, DecryptError)


class _LongBytes:
    """Claims a length without holding the bytes: the limit checks must reject it unread."""

    def __init__(self, length: int) -> None:
        self._length = length

    def __len__(self) -> int:
        return self._length


def test_length_limits() -> None:
    gcm = AesGcm(bytes(16))
    with pytest.raises(CryptoError):
        gcm.encrypt(bytes(12), cast(bytes, _LongBytes((1 << 36) - 31)), b"")  # SP 800-38D §5.2.1.1
    with pytest.raises(DecryptError):
        gcm.decrypt(bytes(12), cast(bytes, _LongBytes((1 << 36) - 31 + 16)), b"")
    chacha = ChaCha20Poly1305(bytes(32))
    with pytest.raises(CryptoError):
        chacha.encrypt(bytes(12), cast(bytes, _LongBytes((1 << 38) - 63)), b"")  # RFC 8439 §2.8
    with pytest.raises(DecryptError):
        chacha.decrypt(bytes(12), cast(bytes, _LongBytes((1 << 38) - 63 + 16)), b"")
    # CCM with a 13-byte nonce has L = 2: the payload must be shorter than 2^16 (RFC 3610 §2).
    ccm = AesCcm(bytes(16), 13, 8)
    largest = bytes(0xFFFF)
    sealed = ccm.encrypt(bytes(13), largest, b"")
    assert ccm.decrypt(bytes(13), sealed, b"") == largest
    with pytest.raises(CryptoError) as caught:
        ccm.encrypt(bytes(13), largest + b"\x00", b"")
    assert not isinstance(caught.value, DecryptError)
    with pytest.raises(DecryptError):
        ccm.decrypt(bytes(13), largest + bytes(9), b"")
    with pytest.raises(CryptoError):
        AesCcm(bytes(16), 12, 16).encrypt(bytes(12), cast(bytes, _LongBytes(1 << 24)), b"")
