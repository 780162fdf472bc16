"""Accept/reject rules both backends must apply identically, beyond Wycheproof's coverage."""

from __future__ import annotations

import pytest

from ratscore.crypto import CryptoProvider, KeyType, PublicKey, SignatureAlgorithm
from ratscore.errors import CryptoError, InvalidPublicKey

_P25519 = (1 << 255) - 19

# RFC 8032 §5.1.3: decoding fails for y >= p, and for x = 0 with the sign bit set.
_NON_CANONICAL_ED25519 = {
    "y = p + 1": (_P25519 + 1).to_bytes(32, "little"),
    "y = p (x = 0 would follow)": _P25519.to_bytes(32, "little"),
    "x = 0, sign 1 (y = 1)": (1 | (1 << 255)).to_bytes(32, "little"),
    "x = 0, sign 1 (y = p - 1)": ((_P25519 - 1) | (1 << 255)).to_bytes(32, "little"),
}


@pytest.mark.parametrize("encoding", list(_NON_CANONICAL_ED25519.values()), ids=list(_NON_CANONICAL_ED25519))
def test_non_canonical_ed25519_public_keys_refused(crypto: CryptoProvider, encoding: bytes) -> None:
    with pytest.raises(InvalidPublicKey):
        crypto.load_public_key(KeyType.ED25519, encoding)
    with pytest.raises(CryptoError):
        crypto.verify(
            PublicKey(key_type=KeyType.ED25519, data=encoding), bytes(64), b"message", SignatureAlgorithm.ED25519
        )


def test_identity_with_sign_bit_clear_is_a_valid_encoding(crypto: CryptoProvider) -> None:
    # y = 1, sign 0 is the canonical encoding of the neutral element: it loads (small-order keys are
    # accepted by policy), and a random signature still fails to verify.
    identity = (1).to_bytes(32, "little")
    key = crypto.load_public_key(KeyType.ED25519, identity)
    with pytest.raises(CryptoError):
        crypto.verify(key, bytes(range(64)), b"message", SignatureAlgorithm.ED25519)


@pytest.mark.parametrize("key_type", [KeyType.P256, KeyType.P384], ids=lambda k: k.label)
def test_ec_points_off_curve_or_infinity_refused(crypto: CryptoProvider, key_type: KeyType) -> None:
    size = key_type.size
    for encoding in (b"\x00", b"\x04" + bytes(2 * size), b"\x04" + b"\x01" * (2 * size), b"\x02" + b"\xff" * size):
        with pytest.raises(InvalidPublicKey):
            crypto.load_public_key(key_type, encoding)


@pytest.mark.parametrize("key_type", [KeyType.P256, KeyType.P384], ids=lambda k: k.label)
def test_compressed_points_load_as_uncompressed(crypto: CryptoProvider, key_type: KeyType) -> None:
    public = crypto.generate_private_key(key_type).public_key()
    x, y = public.data[1 : 1 + key_type.size], public.data[1 + key_type.size :]
    compressed = bytes([2 + (y[-1] & 1)]) + x
    assert crypto.load_public_key(key_type, compressed) == public


def test_exchange_refuses_a_key_of_another_type(crypto: CryptoProvider) -> None:
    key = crypto.generate_private_key(KeyType.X25519)
    other = crypto.generate_private_key(KeyType.X448).public_key()
    with pytest.raises(InvalidPublicKey):
        key.exchange(other)
