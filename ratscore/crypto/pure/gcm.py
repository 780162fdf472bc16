"""AES-GCM (NIST SP 800-38D) for the pure-Python backend.

NOT constant-time: AES and GHASH both index tables with secret bytes.

Theory of operation
-------------------
The CTR part (GCTR, §6.5) runs through ``Aes.keystream_int``, which encrypts all counter blocks of
a message at once; the first keystream block, E(K, J0), masks the tag.

GHASH (§6.4) multiplies by the hash key H once per block.  Blocks are 128-bit big-endian ints, so
the coefficient of x^0 is the most significant bit and multiplying by x is a right shift with the
reduction constant R = 0xE1 || 0^120 folded in (§6.3).  Multiplying a block Y by H is linear in
Y, so it is the XOR of one precomputed table entry per chunk of Y:

* 32 tables of 16 entries (chunk = 4 bits), built when the key is set up: cheap to build, used
  for a key's first few hundred blocks;
* 16 tables of 256 entries (chunk = a byte), built from the 4-bit tables once a key has hashed
  enough blocks to pay for them (``_UPGRADE_AFTER_BLOCKS``): half the work per block.
"""

from __future__ import annotations

import hmac
import struct

from ratscore.errors import CryptoError, DecryptError

from .aes import Aes

__all__ = ["AesGcm"]

_NONCE_SIZE = 12
_TAG_SIZE = 16
_MAX_PLAINTEXT = (1 << 36) - 32  # SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits
_MAX_AAD = (1 << 61) - 1  # SP 800-38D §5.2.1.1: len(A) <= 2^64 - 1 bits
_R = 0xE1 << 120  # SP 800-38D §6.3
_UPGRADE_AFTER_BLOCKS = 256  # building the byte tables costs about as much as hashing 300 blocks
_HIGH_NIBBLE = bytes(x >> 4 for x in range(256))
_LOW_NIBBLE = bytes(x & 15 for x in range(256))


def _nibble_tables(h: int) -> list[list[int]]:
    """Table j maps a 4-bit chunk v (bits x^{4j} .. x^{4j+3}, first bit most significant) to v·H."""
    powers = []  # powers[k] = x^k · H
    value = h
    for _ in range(128):
        powers.append(value)
        value = (value >> 1) ^ _R if value & 1 else value >> 1  # SP 800-38D §6.3, V·x
    tables = []
    for j in range(0, 128, 4):
        q0, q1, q2, q3 = powers[j : j + 4]  # q0 belongs to the chunk's most significant bit
        q01 = q0 ^ q1
        q23 = q2 ^ q3
        q0123 = q01 ^ q23
        tables.append(
            [
                0, q3, q2, q23,
                q1, q1 ^ q3, q1 ^ q2, q1 ^ q23,
                q0, q0 ^ q3, q0 ^ q2, q0 ^ q23,
                q01, q01 ^ q3, q01 ^ q2, q0123,
            ]
        )  # fmt: skip
    return tables


class _Ghash:
    """GHASH_H (SP 800-38D §6.4) with per-key tables."""

    __slots__ = ("_blocks_before_upgrade", "_byte", "_nibble")

    def __init__(self, h: int) -> None:
        self._nibble = _nibble_tables(h)
        self._byte: list[list[int]] | None = None
        self._blocks_before_upgrade = _UPGRADE_AFTER_BLOCKS

    def digest(self, data: bytes) -> int:
        """GHASH of ``data``, a whole number of blocks, as a 128-bit int."""
        block_count = len(data) // 16
        if self._byte is None:
            self._blocks_before_upgrade -= block_count
            if self._blocks_before_upgrade > 0:
                return self._digest_by_nibbles(data)
            nibble = self._nibble
            self._byte = [[a ^ b for a in nibble[2 * i] for b in nibble[2 * i + 1]] for i in range(16)]
        return self._digest_by_bytes(data, self._byte)

    @staticmethod
    def _digest_by_bytes(data: bytes, tables: list[list[int]]) -> int:
        t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15 = tables
        from_bytes = int.from_bytes
        y = 0
        for offset in range(0, len(data), 16):
            # SP 800-38D §6.4 step 3: Y_i = (Y_{i-1} ^ X_i) · H
            b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15 = (
                y ^ from_bytes(data[offset : offset + 16], "big")
            ).to_bytes(16, "big")
            y = (
                t0[b0] ^ t1[b1] ^ t2[b2] ^ t3[b3] ^ t4[b4] ^ t5[b5] ^ t6[b6] ^ t7[b7]
                ^ t8[b8] ^ t9[b9] ^ t10[b10] ^ t11[b11] ^ t12[b12] ^ t13[b13] ^ t14[b14] ^ t15[b15]
            )  # fmt: skip
        return y

    def _digest_by_nibbles(self, data: bytes) -> int:
        (
            a0, c0, a1, c1, a2, c2, a3, c3, a4, c4, a5, c5, a6, c6, a7, c7,
            a8, c8, a9, c9, a10, c10, a11, c11, a12, c12, a13, c13, a14, c14, a15, c15,
        ) = self._nibble  # fmt: skip
        from_bytes = int.from_bytes
        high = _HIGH_NIBBLE
        low = _LOW_NIBBLE
        y = 0
        for offset in range(0, len(data), 16):
            chunk = (y ^ from_bytes(data[offset : offset + 16], "big")).to_bytes(16, "big")
            h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15 = chunk.translate(high)
            l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15 = chunk.translate(low)
            y = (
                a0[h0] ^ c0[l0] ^ a1[h1] ^ c1[l1] ^ a2[h2] ^ c2[l2] ^ a3[h3] ^ c3[l3]
                ^ a4[h4] ^ c4[l4] ^ a5[h5] ^ c5[l5] ^ a6[h6] ^ c6[l6] ^ a7[h7] ^ c7[l7]
                ^ a8[h8] ^ c8[l8] ^ a9[h9] ^ c9[l9] ^ a10[h10] ^ c10[l10] ^ a11[h11] ^ c11[l11]
                ^ a12[h12] ^ c12[l12] ^ a13[h13] ^ c13[l13] ^ a14[h14] ^ c14[l14] ^ a15[h15] ^ c15[l15]
            )  # fmt: skip
        return y


class AesGcm:
    """AES-GCM with a 16- or 32-byte key, 12-byte nonces and 16-byte tags (SP 800-38D §7)."""

    __slots__ = ("_aes", "_ghash")

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 32):
            raise CryptoError("AES-GCM key must be 16 or 32 bytes")
        self._aes = Aes(key)
        # SP 800-38D §7.1 step 1: H = CIPH_K(0^128)
        self._ghash = _Ghash(int.from_bytes(self._aes.encrypt_block(bytes(16)), "big"))

    def encrypt(self, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
        """SP 800-38D §7.1 GCM-AE: returns ciphertext || 16-byte tag."""
        _check_nonce(nonce)
        if len(plaintext) > _MAX_PLAINTEXT:
            raise CryptoError("AES-GCM plaintext is longer than 2^36 - 32 bytes")
        if len(associated_data) > _MAX_AAD:
            raise CryptoError("AES-GCM associated data is too long")
        tag_mask, data_stream = self._keystream(nonce, len(plaintext))
        length = len(plaintext)
        ciphertext = (int.from_bytes(plaintext, "big") ^ data_stream).to_bytes(length, "big")
        return ciphertext + self._tag(associated_data, ciphertext, tag_mask)

    def decrypt(self, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        """SP 800-38D §7.2 GCM-AD: returns the plaintext or raises ``DecryptError``."""
        _check_nonce(nonce)
        length = len(ciphertext) - _TAG_SIZE
        if length < 0 or length > _MAX_PLAINTEXT or len(associated_data) > _MAX_AAD:
            raise DecryptError()
        body = ciphertext[:length]
        tag_mask, data_stream = self._keystream(nonce, length)
        if not hmac.compare_digest(self._tag(associated_data, body, tag_mask), ciphertext[length:]):
            raise DecryptError()
        return (int.from_bytes(body, "big") ^ data_stream).to_bytes(length, "big")

    def _keystream(self, nonce: bytes, length: int) -> tuple[int, int]:
        """E(K, J0) and the GCTR keystream for ``length`` bytes, truncated (§6.5, §7.1 steps 2-3)."""
        blocks = -(-length // 16)
        # §7.1 step 2: J0 = IV || 0^31 || 1 for a 96-bit IV; the payload starts at inc32(J0).
        keystream = self._aes.keystream_int(nonce + b"\x00\x00\x00\x01", blocks + 1)
        data_bits = 128 * blocks
        data_stream = (keystream & ((1 << data_bits) - 1)) >> (data_bits - 8 * length)
        return keystream >> data_bits, data_stream

    def _tag(self, associated_data: bytes, ciphertext: bytes, tag_mask: int) -> bytes:
        # SP 800-38D §7.1 steps 4-6: S = GHASH(A || 0^v || C || 0^u || [len(A)]64 || [len(C)]64)
        hash_input = b"".join(
            (
                associated_data,
                bytes(-len(associated_data) % 16),
                ciphertext,
                bytes(-len(ciphertext) % 16),
                struct.pack(">QQ", 8 * len(associated_data), 8 * len(ciphertext)),
            )
        )
        return (self._ghash.digest(hash_input) ^ tag_mask).to_bytes(16, "big")


def _check_nonce(nonce: bytes) -> None:
    if len(nonce) != _NONCE_SIZE:
        raise CryptoError("AES-GCM nonce must be 12 bytes")
