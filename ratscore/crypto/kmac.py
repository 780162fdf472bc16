"""KMAC128 / KMAC256 and cSHAKE (NIST SP 800-185) on a pure-Python Keccak-f[1600].

Theory of operation
-------------------
``hashlib`` offers SHAKE but not cSHAKE: cSHAKE pads its input with the two bits
``00`` (domain byte 0x04) where SHAKE uses ``1111`` (0x1F), and hashlib exposes no
way to choose the padding.  So this module carries its own sponge:

* ``_keccak_f1600`` is the permutation of FIPS 202 §3.3 on 25 64-bit lanes held as
  Python ints (theta, rho+pi, chi, iota; 24 rounds).
* ``_sponge`` absorbs ``rate``-byte blocks, applies the pad10*1 rule with a domain
  suffix (FIPS 202 §5.1, B.2) and squeezes the requested output.
* ``cshake128``/``cshake256`` and ``kmac128``/``kmac256`` follow SP 800-185 §3-4
  literally, with the encodings of §2.3 (left_encode, right_encode, encode_string,
  bytepad).

EDHOC uses KMAC for the SHAKE cipher suites (RFC 9528 §4.1.1, §4.1.2): with
SHAKE256, EDHOC_Extract(salt, IKM) = KMAC256(salt, IKM, 512, "") and
EDHOC_Expand(PRK, info, length) = KMAC256(PRK, info, 8 * length, "").

NOT CONSTANT-TIME, like the rest of the pure backend; speed is modest (a few
thousand permutations per second), which is ample for key schedules.
"""

from __future__ import annotations

from typing import Final

from ratscore.errors import CryptoError

__all__ = ["cshake128", "cshake256", "kmac128", "kmac256"]

_MASK64: Final = (1 << 64) - 1

# FIPS 202 §3.2.5: round constants RC[ir] of the iota step.
_ROUND_CONSTANTS: Final = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip

# FIPS 202 §3.2.2 (rho offsets) combined with §3.2.3 (pi): lane x + 5y moves to
# lane y + 5(2x + 3y) after rotating left by _ROTATIONS[x + 5y].
_ROTATIONS: Final = (
    0, 1, 62, 28, 27,
    36, 44, 6, 55, 20,
    3, 10, 43, 25, 39,
    41, 45, 15, 21, 8,
    18, 2, 61, 56, 14,
)  # fmt: skip
_PI_TARGET: Final = tuple(y + 5 * ((2 * x + 3 * y) % 5) for y in range(5) for x in range(5))
_RHO_PI: Final = tuple(
    (source, _PI_TARGET[source], _ROTATIONS[source], 64 - _ROTATIONS[source]) for source in range(25)
)


def _keccak_f1600(lanes: list[int]) -> None:
    """Keccak-f[1600] in place; ``lanes[x + 5*y]`` is lane (x, y) (FIPS 202 §3.1.2)."""
    moved = [0] * 25
    for round_constant in _ROUND_CONSTANTS:
        # theta (FIPS 202 §3.2.1)
        c0 = lanes[0] ^ lanes[5] ^ lanes[10] ^ lanes[15] ^ lanes[20]
        c1 = lanes[1] ^ lanes[6] ^ lanes[11] ^ lanes[16] ^ lanes[21]
        c2 = lanes[2] ^ lanes[7] ^ lanes[12] ^ lanes[17] ^ lanes[22]
        c3 = lanes[3] ^ lanes[8] ^ lanes[13] ^ lanes[18] ^ lanes[23]
        c4 = lanes[4] ^ lanes[9] ^ lanes[14] ^ lanes[19] ^ lanes[24]
        d0 = c4 ^ (((c1 << 1) | (c1 >> 63)) & _MASK64)
        d1 = c0 ^ (((c2 << 1) | (c2 >> 63)) & _MASK64)
        d2 = c1 ^ (((c3 << 1) | (c3 >> 63)) & _MASK64)
        d3 = c2 ^ (((c4 << 1) | (c4 >> 63)) & _MASK64)
        d4 = c3 ^ (((c0 << 1) | (c0 >> 63)) & _MASK64)
        for y in (0, 5, 10, 15, 20):
            lanes[y] ^= d0
            lanes[y + 1] ^= d1
            lanes[y + 2] ^= d2
            lanes[y + 3] ^= d3
            lanes[y + 4] ^= d4
        # rho and pi (FIPS 202 §3.2.2, §3.2.3)
        for source, target, left, right in _RHO_PI:
            value = lanes[source]
            moved[target] = ((value << left) | (value >> right)) & _MASK64 if left else value
        # chi (FIPS 202 §3.2.4)
        for y in (0, 5, 10, 15, 20):
            b0, b1, b2, b3, b4 = moved[y], moved[y + 1], moved[y + 2], moved[y + 3], moved[y + 4]
            lanes[y] = b0 ^ (~b1 & b2)
            lanes[y + 1] = b1 ^ (~b2 & b3)
            lanes[y + 2] = b2 ^ (~b3 & b4)
            lanes[y + 3] = b3 ^ (~b4 & b0)
            lanes[y + 4] = b4 ^ (~b0 & b1)
        # iota (FIPS 202 §3.2.5)
        lanes[0] ^= round_constant


def _sponge(rate: int, data: bytes, domain_suffix: int, output_length: int) -> bytes:
    """SPONGE[Keccak-f[1600], pad10*1, rate] with the domain bits already merged
    into ``domain_suffix`` as their byte form (FIPS 202 §4, §5.1 and Appendix B.2)."""
    padded = bytearray(data)
    padded.append(domain_suffix)
    padded.extend(bytes(-len(padded) % rate))
    padded[-1] |= 0x80  # the final 1 of pad10*1
    lanes = [0] * 25
    lanes_per_block = rate // 8
    for start in range(0, len(padded), rate):
        block = padded[start : start + rate]
        for index in range(lanes_per_block):
            lanes[index] ^= int.from_bytes(block[8 * index : 8 * index + 8], "little")
        _keccak_f1600(lanes)
    output = bytearray()
    while True:
        for index in range(lanes_per_block):
            output += lanes[index].to_bytes(8, "little")
        if len(output) >= output_length:
            return bytes(output[:output_length])
        _keccak_f1600(lanes)


# ---------------------------------------------------------------------------
# SP 800-185 §2.3 encodings


def _left_encode(value: int) -> bytes:
    """SP 800-185 §2.3.1 left_encode: length byte, then the big-endian value."""
    body = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return bytes([len(body)]) + body


def _right_encode(value: int) -> bytes:
    """SP 800-185 §2.3.1 right_encode: the big-endian value, then its length byte."""
    body = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return body + bytes([len(body)])


def _encode_string(data: bytes) -> bytes:
    """SP 800-185 §2.3.2 encode_string: left_encode(bit length) || data."""
    return _left_encode(8 * len(data)) + data


def _bytepad(data: bytes, width: int) -> bytes:
    """SP 800-185 §2.3.3 bytepad: left_encode(w) || data, zero-padded to a multiple of w."""
    padded = _left_encode(width) + data
    return padded + bytes(-len(padded) % width)


# ---------------------------------------------------------------------------
# cSHAKE and KMAC

_RATE_128: Final = 168  # (1600 - 2*128) / 8
_RATE_256: Final = 136  # (1600 - 2*256) / 8
_SHAKE_SUFFIX: Final = 0x1F  # SHAKE: M || 1111, then pad10*1 (FIPS 202 §6.2)
_CSHAKE_SUFFIX: Final = 0x04  # cSHAKE: X || 00, then pad10*1 (SP 800-185 §3.3)


def _cshake(rate: int, data: bytes, length: int, function_name: bytes, customization: bytes) -> bytes:
    if length < 0:
        raise CryptoError("output length must be non-negative")
    if not function_name and not customization:
        # SP 800-185 §3.3: "If N = "" and S = "", then return SHAKE(X, L)".
        return _sponge(rate, data, _SHAKE_SUFFIX, length)
    prefix = _bytepad(_encode_string(function_name) + _encode_string(customization), rate)
    return _sponge(rate, prefix + data, _CSHAKE_SUFFIX, length)


def cshake128(data: bytes, length: int, *, function_name: bytes = b"", customization: bytes = b"") -> bytes:
    """cSHAKE128(X, L, N, S) (SP 800-185 §3.3); ``length`` in bytes."""
    return _cshake(_RATE_128, data, length, function_name, customization)


def cshake256(data: bytes, length: int, *, function_name: bytes = b"", customization: bytes = b"") -> bytes:
    """cSHAKE256(X, L, N, S) (SP 800-185 §3.3); ``length`` in bytes."""
    return _cshake(_RATE_256, data, length, function_name, customization)


def _kmac(rate: int, key: bytes, data: bytes, length: int, customization: bytes) -> bytes:
    if length < 0:
        raise CryptoError("KMAC output length must be non-negative")
    # SP 800-185 §4.3.1: newX = bytepad(encode_string(K), rate) || X || right_encode(L),
    # return cSHAKE(newX, L, "KMAC", S).  L is in bits.
    new_data = _bytepad(_encode_string(key), rate) + data + _right_encode(8 * length)
    return _cshake(rate, new_data, length, b"KMAC", customization)


def kmac128(key: bytes, data: bytes, length: int, customization: bytes = b"") -> bytes:
    """KMAC128(K, X, 8*length, S) (SP 800-185 §4.3); ``length`` in bytes."""
    return _kmac(_RATE_128, key, data, length, customization)


def kmac256(key: bytes, data: bytes, length: int, customization: bytes = b"") -> bytes:
    """KMAC256(K, X, 8*length, S) (SP 800-185 §4.3); ``length`` in bytes."""
    return _kmac(_RATE_256, key, data, length, customization)
