"""Property tests for the pure-Python AEADs: round trips, and ``cryptography`` as an oracle.

The oracle tests import ``cryptography`` with ``pytest.importorskip`` (it is only a cross-check
here; the known answers live in the other ``test_pure_aead*`` files).  Long messages take the
planar AES path's other transposes (more than 96 and 128 blocks) and many ChaCha20 lanes; a
long-lived object crosses GHASH's switch to byte tables and the per-size caches' eviction.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore.crypto.pure.ccm import AesCcm
from ratscore.crypto.pure.chacha import ChaCha20Poly1305
from ratscore.crypto.pure.gcm import AesGcm
from ratscore.errors import DecryptError

Aead = AesGcm | AesCcm | ChaCha20Poly1305

# name -> (key size, nonce size, tag size, constructor)
VARIANTS: dict[str, tuple[int, int, int, Callable[[bytes], Aead]]] = {
    "AES-128-GCM": (16, 12, 16, AesGcm),
    "AES-256-GCM": (32, 12, 16, AesGcm),
    "AES-CCM-16-64-128": (16, 13, 8, lambda key: AesCcm(key, 13, 8)),
    "AES-CCM-16-128-128": (16, 13, 16, lambda key: AesCcm(key, 13, 16)),
    "AES-128-CCM": (16, 12, 16, lambda key: AesCcm(key, 12, 16)),
    "AES-128-CCM-8": (16, 12, 8, lambda key: AesCcm(key, 12, 8)),
    "AES-256-CCM-7-4": (32, 7, 4, lambda key: AesCcm(key, 7, 4)),
    "ChaCha20-Poly1305": (32, 12, 16, ChaCha20Poly1305),
}

PROPERTY_SETTINGS = settings(max_examples=25, deadline=None)


@pytest.mark.parametrize("variant", list(VARIANTS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_round_trip_and_tamper(variant: str, data: st.DataObject) -> None:
    key_size, nonce_size, tag_size, make = VARIANTS[variant]
    key = data.draw(st.binary(min_size=key_size, max_size=key_size))
    nonce = data.draw(st.binary(min_size=nonce_size, max_size=nonce_size))
    plaintext = data.draw(st.binary(max_size=300))
    aad = data.draw(st.binary(max_size=300))
    aead = make(key)
    sealed = aead.encrypt(nonce, plaintext, aad)
    assert len(sealed) == len(plaintext) + tag_size
    assert aead.decrypt(nonce, sealed, aad) == plaintext
    index = data.draw(st.integers(min_value=0, max_value=len(sealed) - 1))
    bit = data.draw(st.sampled_from([0x01, 0x02, 0x10, 0x80]))
    tampered = sealed[:index] + bytes((sealed[index] ^ bit,)) + sealed[index + 1 :]
    with pytest.raises(DecryptError):
        aead.decrypt(nonce, tampered, aad)


def _oracle(variant: str, key: bytes) -> Any:
    aead = pytest.importorskip("cryptography.hazmat.primitives.ciphers.aead")
    _, _, tag_size, _ = VARIANTS[variant]
    if "GCM" in variant:
        return aead.AESGCM(key)
    if "CCM" in variant:
        return aead.AESCCM(key, tag_length=tag_size)
    return aead.ChaCha20Poly1305(key)


@pytest.mark.parametrize("variant", list(VARIANTS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_matches_cryptography(variant: str, data: st.DataObject) -> None:
    key_size, nonce_size, _, make = VARIANTS[variant]
    key = data.draw(st.binary(min_size=key_size, max_size=key_size))
    nonce = data.draw(st.binary(min_size=nonce_size, max_size=nonce_size))
    plaintext = data.draw(st.binary(max_size=300))
    aad = data.draw(st.binary(max_size=100))
    oracle = _oracle(variant, key)
    expected = oracle.encrypt(nonce, plaintext, aad)
    aead = make(key)
    assert aead.encrypt(nonce, plaintext, aad) == expected
    assert aead.decrypt(nonce, expected, aad) == plaintext


@pytest.mark.parametrize("variant", ["AES-128-GCM", "AES-256-GCM", "AES-CCM-16-64-128", "ChaCha20-Poly1305"])
def test_long_messages_match_cryptography(variant: str) -> None:
    """Sizes around the planar AES path's switch points (96 and 128 blocks) and far beyond."""
    key_size, nonce_size, _, make = VARIANTS[variant]
    rng = random.Random(variant)
    key = rng.randbytes(key_size)
    aead = make(key)
    oracle = _oracle(variant, key)
    for length in (1535, 1536, 1537, 2032, 2048, 2049, 4100, 16384 + 7):
        nonce, plaintext, aad = rng.randbytes(nonce_size), rng.randbytes(length), rng.randbytes(length % 40)
        expected = oracle.encrypt(nonce, plaintext, aad)
        assert aead.encrypt(nonce, plaintext, aad) == expected, length
        assert aead.decrypt(nonce, expected, aad) == plaintext, length


@pytest.mark.parametrize("variant", ["AES-128-GCM", "AES-128-CCM", "ChaCha20-Poly1305"])
def test_long_lived_object_matches_cryptography(variant: str) -> None:
    """One object, many messages of many sizes: caches fill and evict, GHASH upgrades its tables."""
    key_size, nonce_size, _, make = VARIANTS[variant]
    rng = random.Random(variant + "/long-lived")
    key = rng.randbytes(key_size)
    aead = make(key)
    oracle = _oracle(variant, key)
    for _ in range(60):
        length = rng.randrange(0, 400)
        nonce, plaintext, aad = rng.randbytes(nonce_size), rng.randbytes(length), rng.randbytes(rng.randrange(0, 30))
        expected = oracle.encrypt(nonce, plaintext, aad)
        assert aead.encrypt(nonce, plaintext, aad) == expected, length
        assert aead.decrypt(nonce, expected, aad) == plaintext, length
    if isinstance(aead, AesGcm):
        assert aead._ghash._byte is not None, "60 messages should have crossed the upgrade point"
