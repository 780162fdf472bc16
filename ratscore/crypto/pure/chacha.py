"""ChaCha20, Poly1305 and the ChaCha20-Poly1305 AEAD (RFC 8439) for the pure-Python backend.

NOT constant-time: CPython big-int arithmetic takes time that depends on the values.

Theory of operation
-------------------
ChaCha20 (§2.3) works on 32-bit words, and the blocks of one message differ only in their
counter word, so all blocks are computed together in four big ints, one per row of the 4x4
state.  Each int holds ``4 * n`` lanes of 64 bits: the low 32 bits carry a word and the high 32
bits absorb the carry of an addition or the spill of a left shift, cleared by one AND.  Lane
``j * n + i`` holds word ``j`` of the row for block ``i``, so a column round (§2.2) is one
quarter round on the four row ints, and the diagonal round first rotates rows 1-3 by one, two
and three lane groups of ``n`` lanes.

Poly1305 (§2.5) runs over Python ints.  To cut interpreter work it takes eight blocks per
step: ``acc = acc * r^8 + c_1 * r^8 + c_2 * r^7 + ... + c_8 * r``, partly reduced modulo
2^130 - 5 by folding the bits above 2^130 back in times 5.
"""

from __future__ import annotations

import hmac
import struct
from operator import mul

from ratscore.errors import CryptoError, DecryptError

__all__ = ["ChaCha20Poly1305", "chacha20_encrypt", "poly1305_mac"]

_KEY_SIZE = 32
_NONCE_SIZE = 12
_TAG_SIZE = 16
_MAX_PLAINTEXT = (1 << 38) - 64  # RFC 8439 §2.8: 2^32 - 1 blocks of 64 bytes after counter 0
_CONSTANTS = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)  # RFC 8439 §2.3 "expand 32-byte k"
_P = (1 << 130) - 5  # RFC 8439 §2.5.1
_LOW_130 = (1 << 130) - 1
_R_CLAMP = 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF  # RFC 8439 §2.5.1 clamp(r)
_BLOCK_BIT = 1 << 128  # RFC 8439 §2.5.1: add one bit beyond the 16 message bytes
_POLY_GROUP = 8


class _Lanes:
    """Key-independent masks for ``n`` blocks in the row layout described in the module docstring."""

    __slots__ = ("constants_row", "group_bits", "low_one", "low_three", "low_two", "word_mask")

    def __init__(self, blocks: int) -> None:
        group = 64 * blocks
        self.group_bits = group
        self.word_mask = int.from_bytes(b"\xff\xff\xff\xff\x00\x00\x00\x00" * (4 * blocks), "little")
        self.low_one = (1 << group) - 1
        self.low_two = (1 << (2 * group)) - 1
        self.low_three = (1 << (3 * group)) - 1
        self.constants_row = _row(_CONSTANTS, blocks)


def _row(words: tuple[int, ...], blocks: int) -> int:
    return int.from_bytes(b"".join(struct.pack("<Q", word) * blocks for word in words), "little")


_LANES_CACHE: dict[int, _Lanes] = {}
_CACHE_LIMIT = 8


def _lanes(blocks: int) -> _Lanes:
    lanes = _LANES_CACHE.get(blocks)
    if lanes is None:
        if len(_LANES_CACHE) >= _CACHE_LIMIT:
            _LANES_CACHE.pop(next(iter(_LANES_CACHE)), None)
        lanes = _LANES_CACHE[blocks] = _Lanes(blocks)
    return lanes


def _keystream(key_words: tuple[int, ...], nonce: bytes, counter: int, blocks: int) -> bytes:
    """RFC 8439 §2.3 block function for counters counter .. counter + blocks - 1, serialised."""
    if blocks == 0:
        return b""
    lanes = _lanes(blocks)
    mask = lanes.word_mask
    one, two, three = lanes.group_bits, 2 * lanes.group_bits, 3 * lanes.group_bits
    low_one, low_two, low_three = lanes.low_one, lanes.low_two, lanes.low_three
    # RFC 8439 §2.3: constants, key, block counter, nonce.
    a0 = lanes.constants_row
    b0 = _row(key_words[:4], blocks)
    c0 = _row(key_words[4:], blocks)
    counters = int.from_bytes(struct.pack(f"<{blocks}Q", *range(counter, counter + blocks)), "little")
    d0 = counters | (_row(struct.unpack("<3I", nonce), blocks) << one)
    a, b, c, d = a0, b0, c0, d0
    for _ in range(10):
        # RFC 8439 §2.2 column round: QUARTERROUND on (0,4,8,12) .. (3,7,11,15), all at once.
        a = (a + b) & mask
        d ^= a
        d = ((d << 16) | (d >> 16)) & mask
        c = (c + d) & mask
        b ^= c
        b = ((b << 12) | (b >> 20)) & mask
        a = (a + b) & mask
        d ^= a
        d = ((d << 8) | (d >> 24)) & mask
        c = (c + d) & mask
        b ^= c
        b = ((b << 7) | (b >> 25)) & mask
        # Diagonal round: line word j of row 0 up with words j+1, j+2, j+3 of rows 1, 2, 3.
        b = (b >> one) | ((b & low_one) << three)
        c = (c >> two) | ((c & low_two) << two)
        d = (d >> three) | ((d & low_three) << one)
        a = (a + b) & mask
        d ^= a
        d = ((d << 16) | (d >> 16)) & mask
        c = (c + d) & mask
        b ^= c
        b = ((b << 12) | (b >> 20)) & mask
        a = (a + b) & mask
        d ^= a
        d = ((d << 8) | (d >> 24)) & mask
        c = (c + d) & mask
        b ^= c
        b = ((b << 7) | (b >> 25)) & mask
        b = (b >> three) | ((b & low_three) << one)
        c = (c >> two) | ((c & low_two) << two)
        d = (d >> one) | ((d & low_one) << three)
    row_bytes = 32 * blocks
    # RFC 8439 §2.3: add the input state, then serialise every word little-endian.
    lanes_by_word = b"".join(
        (
            ((a + a0) & mask).to_bytes(row_bytes, "little"),
            ((b + b0) & mask).to_bytes(row_bytes, "little"),
            ((c + c0) & mask).to_bytes(row_bytes, "little"),
            ((d + d0) & mask).to_bytes(row_bytes, "little"),
        )
    )
    # (16 words x n blocks) of 8-byte lanes -> (n blocks x 16 words), then keep each lane's low half.
    by_block = memoryview(lanes_by_word).cast("Q", (16, blocks)).tobytes(order="F")
    return memoryview(by_block).cast("I")[::2].tobytes()


def chacha20_encrypt(key: bytes, counter: int, nonce: bytes, plaintext: bytes) -> bytes:
    """RFC 8439 §2.4 ChaCha20 encryption (and decryption) starting at block ``counter``."""
    if len(key) != _KEY_SIZE or len(nonce) != _NONCE_SIZE:
        raise CryptoError("ChaCha20 needs a 32-byte key and a 12-byte nonce")
    blocks = -(-len(plaintext) // 64)
    if counter < 0 or counter + blocks > 1 << 32:
        raise CryptoError("ChaCha20 block counter out of range")
    stream = _keystream(struct.unpack("<8I", key), nonce, counter, blocks)
    return _xor(plaintext, stream)


def _xor(data: bytes, stream: bytes) -> bytes:
    length = len(data)
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream[:length], "big")).to_bytes(length, "big")


def poly1305_mac(message: bytes, key: bytes) -> bytes:
    """RFC 8439 §2.5 Poly1305 with a one-time 32-byte key."""
    if len(key) != 32:
        raise CryptoError("Poly1305 key must be 32 bytes")
    r = int.from_bytes(key[:16], "little") & _R_CLAMP
    s = int.from_bytes(key[16:], "little")
    from_bytes = int.from_bytes
    whole = len(message) - len(message) % 16
    blocks = [from_bytes(message[i : i + 16], "little") | _BLOCK_BIT for i in range(0, whole, 16)]
    if whole < len(message):
        blocks.append(from_bytes(message[whole:] + b"\x01", "little"))  # RFC 8439 §2.5.1
    accumulator = _poly_evaluate(blocks, r) % _P
    return ((accumulator + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def _poly_evaluate(blocks: list[int], r: int) -> int:
    """(((c_1 * r + c_2) * r + ...) + c_q) * r, partly reduced mod 2^130 - 5 (< 2^131)."""
    if not blocks:
        return 0
    powers = [r]  # ends as [r^k, ..., r^2, r]
    while len(powers) < min(_POLY_GROUP, len(blocks)):
        powers.insert(0, powers[0] * r % _P)
    group = len(powers)
    top_power = powers[0]
    accumulator = 0
    tail = len(blocks) % group
    for start in range(0, len(blocks) - tail, group):
        accumulator = accumulator * top_power + sum(map(mul, blocks[start : start + group], powers))
        accumulator = (accumulator & _LOW_130) + 5 * (accumulator >> 130)  # 2^130 = 5 mod p
        accumulator = (accumulator & _LOW_130) + 5 * (accumulator >> 130)
    if tail:
        accumulator = accumulator * powers[group - tail] + sum(map(mul, blocks[-tail:], powers[group - tail :]))
        accumulator = (accumulator & _LOW_130) + 5 * (accumulator >> 130)
        accumulator = (accumulator & _LOW_130) + 5 * (accumulator >> 130)
    return accumulator


class ChaCha20Poly1305:
    """The RFC 8439 §2.8 AEAD: 32-byte key, 12-byte nonce, 16-byte tag."""

    __slots__ = ("_key_words",)

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_SIZE:
            raise CryptoError("ChaCha20-Poly1305 key must be 32 bytes")
        self._key_words = struct.unpack("<8I", key)

    def encrypt(self, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
        """RFC 8439 §2.8: returns ciphertext || tag."""
        _check_nonce(nonce)
        if len(plaintext) > _MAX_PLAINTEXT:
            raise CryptoError("ChaCha20-Poly1305 plaintext is longer than 2^38 - 64 bytes")
        # §2.6: the Poly1305 key is block 0; §2.8: the payload starts at block 1.
        stream = _keystream(self._key_words, nonce, 0, 1 + -(-len(plaintext) // 64))
        ciphertext = _xor(plaintext, stream[64:])
        return ciphertext + _aead_tag(stream[:32], associated_data, ciphertext)

    def decrypt(self, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        """RFC 8439 §2.8: returns the plaintext or raises ``DecryptError``."""
        _check_nonce(nonce)
        length = len(ciphertext) - _TAG_SIZE
        if length < 0 or length > _MAX_PLAINTEXT:
            raise DecryptError()
        body = ciphertext[:length]
        stream = _keystream(self._key_words, nonce, 0, 1 + -(-length // 64))
        if not hmac.compare_digest(_aead_tag(stream[:32], associated_data, body), ciphertext[length:]):
            raise DecryptError()
        return _xor(body, stream[64:])


def _aead_tag(poly_key: bytes, associated_data: bytes, ciphertext: bytes) -> bytes:
    # RFC 8439 §2.8: AAD || pad16 || ciphertext || pad16 || le64(len AAD) || le64(len ciphertext)
    mac_data = b"".join(
        (
            associated_data,
            bytes(-len(associated_data) % 16),
            ciphertext,
            bytes(-len(ciphertext) % 16),
            struct.pack("<QQ", len(associated_data), len(ciphertext)),
        )
    )
    return poly1305_mac(mac_data, poly_key)


def _check_nonce(nonce: bytes) -> None:
    if len(nonce) != _NONCE_SIZE:
        raise CryptoError("ChaCha20-Poly1305 nonce must be 12 bytes")
