"""Hashes, HMAC and HKDF on the standard library, shared by both providers.

``hashlib``/``hmac`` are OpenSSL-backed in CPython and faster than going
through ``cryptography`` for the small inputs protocols hash (see
shared/specs/perf_baselines.md §3), so both backends use this code.
"""

from __future__ import annotations

import hashlib
import hmac as _hmac
from typing import Any

from ratscore.errors import CryptoError, UnsupportedAlgorithm

from .types import HashAlgorithm

__all__ = ["StdlibHashing", "TranscriptHash"]


class TranscriptHash:
    """Incremental hash context over ``hashlib``."""

    __slots__ = ("_algorithm", "_state")

    def __init__(self, algorithm: HashAlgorithm, state: Any = None) -> None:
        if algorithm is HashAlgorithm.SHAKE256:
            raise UnsupportedAlgorithm("SHAKE256 is an XOF; use shake256()")
        self._algorithm = algorithm
        self._state = state if state is not None else hashlib.new(algorithm.hashlib_name)

    @property
    def algorithm(self) -> HashAlgorithm:
        return self._algorithm

    def update(self, data: bytes) -> None:
        self._state.update(data)

    def copy(self) -> TranscriptHash:
        return TranscriptHash(self._algorithm, self._state.copy())

    def digest(self) -> bytes:
        return bytes(self._state.digest())


class StdlibHashing:
    """Mixin: the hashing half of ``CryptoProvider``."""

    def hash(self, algorithm: HashAlgorithm, data: bytes) -> bytes:
        if algorithm is HashAlgorithm.SHAKE256:
            return hashlib.shake_256(data).digest(algorithm.digest_size)
        return hashlib.new(algorithm.hashlib_name, data).digest()

    def hash_context(self, algorithm: HashAlgorithm) -> TranscriptHash:
        return TranscriptHash(algorithm)

    def shake256(self, data: bytes, length: int) -> bytes:
        if length < 0:
            raise CryptoError("SHAKE256 output length must be non-negative")
        return hashlib.shake_256(data).digest(length)

    def hmac(self, algorithm: HashAlgorithm, key: bytes, data: bytes) -> bytes:
        if algorithm is HashAlgorithm.SHAKE256:
            raise UnsupportedAlgorithm("HMAC is not defined over SHAKE256")
        return _hmac.digest(key, data, algorithm.hashlib_name)

    # RFC 5869 §2.2
    def hkdf_extract(self, algorithm: HashAlgorithm, salt: bytes, ikm: bytes) -> bytes:
        if not salt:
            salt = bytes(algorithm.digest_size)
        return self.hmac(algorithm, salt, ikm)

    # RFC 5869 §2.3: "L  length of output keying material in octets (<= 255*HashLen)"
    def hkdf_expand(self, algorithm: HashAlgorithm, prk: bytes, info: bytes, length: int) -> bytes:
        hash_len = algorithm.digest_size
        if algorithm is HashAlgorithm.SHAKE256:
            raise UnsupportedAlgorithm("HKDF is not defined over SHAKE256")
        if length < 0 or length > 255 * hash_len:
            raise CryptoError(f"HKDF-Expand length must be between 0 and {255 * hash_len}")
        if len(prk) < hash_len:
            raise CryptoError("HKDF-Expand PRK is shorter than the hash output")
        name = algorithm.hashlib_name
        digest = _hmac.digest
        output = b""
        block = b""
        counter = 1
        while len(output) < length:
            block = digest(prk, block + info + bytes((counter,)), name)
            output += block
            counter += 1
        return output[:length]
