"""AES-CCM (RFC 3610, NIST SP 800-38C) for the pure-Python backend.

NOT constant-time: AES indexes tables with secret bytes.

Theory of operation: CCM authenticates with CBC-MAC over B0 || encoded AAD || payload, which is
a serial chain of one-block encryptions (``Aes.cbc_mac``, the slow part), and encrypts with CTR
mode, whose blocks are independent (``Aes.keystream_int`` does all of them at once).  Counter
block 0 masks the tag; blocks 1.. encrypt the payload.
"""

from __future__ import annotations

import hmac

from ratscore.errors import CryptoError, DecryptError

from .aes import Aes

__all__ = ["AesCcm"]

_TAG_SIZES = frozenset((4, 6, 8, 10, 12, 14, 16))  # SP 800-38C §A.1: t in {4, 6, ..., 16}
_MIN_NONCE, _MAX_NONCE = 7, 13  # SP 800-38C §A.1: n in {7, ..., 13}


class AesCcm:
    """AES-CCM with a 16- or 32-byte key, ``nonce_size``-byte nonces and ``tag_size``-byte tags."""

    __slots__ = ("_aes", "_flags", "_length_size", "_max_length", "_nonce_size", "_tag_size")

    def __init__(self, key: bytes, nonce_size: int, tag_size: int) -> None:
        if len(key) not in (16, 32):
            raise CryptoError("AES-CCM key must be 16 or 32 bytes")
        if not _MIN_NONCE <= nonce_size <= _MAX_NONCE:
            raise CryptoError("AES-CCM nonce size must be 7 to 13 bytes")
        if tag_size not in _TAG_SIZES:
            raise CryptoError("AES-CCM tag size must be 4, 6, 8, 10, 12, 14 or 16 bytes")
        self._aes = Aes(key)
        self._nonce_size = nonce_size
        self._tag_size = tag_size
        # RFC 3610 §2: L = 15 - nonce size bytes hold the payload length, so l(m) < 2^(8L).
        self._length_size = 15 - nonce_size
        self._max_length = (1 << (8 * self._length_size)) - 1
        # RFC 3610 §2.2: Flags = 64*Adata + 8*M' + L', with M' = (M-2)/2 and L' = L-1.
        self._flags = 8 * ((tag_size - 2) // 2) + (self._length_size - 1)

    def encrypt(self, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
        """RFC 3610 §2.2-2.4: returns ciphertext || tag."""
        self._check_nonce(nonce)
        length = len(plaintext)
        if length > self._max_length:
            raise CryptoError(f"AES-CCM plaintext is longer than 2^{8 * self._length_size} - 1 bytes")
        tag_mask, data_stream = self._keystream(nonce, length)
        ciphertext = (int.from_bytes(plaintext, "big") ^ data_stream).to_bytes(length, "big")
        return ciphertext + self._tag(nonce, plaintext, associated_data, tag_mask)

    def decrypt(self, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        """RFC 3610 §2.5: returns the plaintext or raises ``DecryptError``."""
        self._check_nonce(nonce)
        length = len(ciphertext) - self._tag_size
        if length < 0 or length > self._max_length:
            raise DecryptError()
        tag_mask, data_stream = self._keystream(nonce, length)
        plaintext = (int.from_bytes(ciphertext[:length], "big") ^ data_stream).to_bytes(length, "big")
        expected = self._tag(nonce, plaintext, associated_data, tag_mask)
        if not hmac.compare_digest(expected, ciphertext[length:]):
            raise DecryptError()
        return plaintext

    def _check_nonce(self, nonce: bytes) -> None:
        if len(nonce) != self._nonce_size:
            raise CryptoError(f"AES-CCM nonce must be {self._nonce_size} bytes")

    def _keystream(self, nonce: bytes, length: int) -> tuple[int, int]:
        """S_0 (the tag mask) and the keystream S_1 || S_2 || ... truncated to ``length`` bytes."""
        blocks = -(-length // 16)
        # RFC 3610 §2.3: A_i = Flags || Nonce || Counter i, with Flags = L' (counter 0 is S_0).
        first_counter = bytes((self._length_size - 1,)) + nonce + bytes(self._length_size)
        keystream = self._aes.keystream_int(first_counter, blocks + 1)
        data_bits = 128 * blocks
        data_stream = (keystream & ((1 << data_bits) - 1)) >> (data_bits - 8 * length)
        return keystream >> data_bits, data_stream

    def _tag(self, nonce: bytes, plaintext: bytes, associated_data: bytes, tag_mask: int) -> bytes:
        length_size = self._length_size
        aad_length = len(associated_data)
        # RFC 3610 §2.2: B_0 = Flags || Nonce || l(m), Adata bit set when there is AAD.
        flags = self._flags | (0x40 if aad_length else 0)
        first_block = bytes((flags,)) + nonce + len(plaintext).to_bytes(length_size, "big")
        # RFC 3610 §2.2: l(a) encoded in 2, 2+4 or 2+8 bytes, then a, then zero padding.
        if aad_length == 0:
            encoded_length = b""
        elif aad_length < 0xFF00:
            encoded_length = aad_length.to_bytes(2, "big")
        elif aad_length < 1 << 32:
            encoded_length = b"\xff\xfe" + aad_length.to_bytes(4, "big")
        else:
            encoded_length = b"\xff\xff" + aad_length.to_bytes(8, "big")
        aad_part = len(encoded_length) + aad_length
        mac = self._aes.cbc_mac(
            b"".join(
                (
                    first_block,
                    encoded_length,
                    associated_data,
                    bytes(-aad_part % 16),
                    plaintext,
                    bytes(-len(plaintext) % 16),
                )
            )
        )
        # RFC 3610 §2.4: U = first M bytes of T XOR first M bytes of S_0.
        tag_size = self._tag_size
        return (int.from_bytes(mac[:tag_size], "big") ^ (tag_mask >> (128 - 8 * tag_size))).to_bytes(tag_size, "big")
