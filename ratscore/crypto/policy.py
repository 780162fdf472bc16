"""Checks both backends apply identically, so their verdicts never differ.

A backend-parity test runs every Wycheproof vector through both providers; any
rule that decides accept/reject and is not the library's own lives here.
"""

from __future__ import annotations

from ratscore.errors import CryptoError, InvalidPrivateKey, InvalidPublicKey, UnsupportedAlgorithm

from .types import AeadAlgorithm, KeyType, SignatureAlgorithm

__all__ = [
    "EC_ORDERS",
    "RSA_MAX_BITS",
    "RSA_MIN_BITS",
    "check_aead_inputs",
    "check_ed25519_public_key",
    "check_signature_key",
    "ec_scalar_from_bytes",
]

# Verification policy for RSA moduli (issue: "verify for 2048-4096-bit keys").
RSA_MIN_BITS = 2048
RSA_MAX_BITS = 4096

# SEC 2 §2.4.2 / §2.5.1: group orders of P-256 and P-384.
EC_ORDERS = {
    KeyType.P256: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    KeyType.P384: int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16
    ),
}

# NIST SP 800-38D §5.2.1.1 (GCM: 2^39 - 256 bits), RFC 8439 §2.8 (2^38 - 64 bytes).
_GCM_MAX_PLAINTEXT = (1 << 36) - 32
_CHACHA_MAX_PLAINTEXT = (1 << 38) - 64


def check_aead_inputs(algorithm: AeadAlgorithm, nonce: bytes, plaintext_length: int) -> None:
    """Nonce length and plaintext size limits, raised as ``CryptoError`` (caller misuse)."""
    if len(nonce) != algorithm.nonce_size:
        raise CryptoError(f"{algorithm.label} needs a {algorithm.nonce_size}-byte nonce, got {len(nonce)}")
    if algorithm.is_ccm:
        # NIST SP 800-38C §A.1: the length field has L = 15 - n bytes.
        limit = (1 << (8 * (15 - algorithm.nonce_size))) - 1
    elif algorithm is AeadAlgorithm.CHACHA20_POLY1305:
        limit = _CHACHA_MAX_PLAINTEXT
    else:
        limit = _GCM_MAX_PLAINTEXT
    if plaintext_length > limit:
        raise CryptoError(f"{algorithm.label} plaintext longer than {limit} bytes")


_P25519 = (1 << 255) - 19


def check_ed25519_public_key(data: bytes) -> None:
    """RFC 8032 §5.1.3 decoding failures that OpenSSL lets through, refused on both backends.

    "If the resulting y >= p, decoding fails" and "if x = 0 and x_0 = 1, decoding
    fails".  x = 0 exactly when y = 1 or y = p - 1, so both are integer compares.
    (A y with no square root is refused at verification by both backends.)
    """
    if len(data) != 32:
        raise InvalidPublicKey("Ed25519 public key must be 32 bytes")
    y = int.from_bytes(data, "little") & ((1 << 255) - 1)
    if y >= _P25519:
        raise InvalidPublicKey("Ed25519 public key has a non-canonical y coordinate")
    if data[31] >> 7 and y in (1, _P25519 - 1):
        raise InvalidPublicKey("Ed25519 public key encodes x = 0 with the sign bit set")


def check_signature_key(algorithm: SignatureAlgorithm, key_type: KeyType) -> None:
    if key_type not in algorithm.key_types:
        raise UnsupportedAlgorithm(f"{algorithm.label} cannot be used with a {key_type.label} key")


def ec_scalar_from_bytes(key_type: KeyType, data: bytes) -> int:
    """A P-256/P-384 private scalar: exactly field-size bytes, in [1, n-1]."""
    if len(data) != key_type.size:
        raise InvalidPrivateKey(f"{key_type.label} private key must be {key_type.size} bytes")
    scalar = int.from_bytes(data, "big")
    if not 0 < scalar < EC_ORDERS[key_type]:
        raise InvalidPrivateKey(f"{key_type.label} private scalar out of range")
    return scalar
