"""Hashes, HMAC and HKDF on the standard library, shared by both providers.

``hashlib``/``hmac`` are OpenSSL-backed in CPython and faster than going
through ``cryptography`` for the small inputs protocols hash (see
shared/specs/perf_baselines.md §3), so both backends use this code.
"""

from __future__ import annotations

import hashlib
import hmac as _hmac
from collections.abc import Callable
from typing import Any, Protocol

from ratscore.errors import CryptoError, UnsupportedAlgorithm

from .types import HashAlgorithm

__all__ = ["StdlibHashing", "TranscriptHash"]

# Protocols compute dozens of HMACs per handshake.  ``hmac.digest`` is a Python
# wrapper around ``_hashlib.hmac_digest``, OpenSSL's one-shot ``HMAC()``, which on
# OpenSSL 3 fetches the MAC implementation on every call; ``_hashlib.hmac_new``
# keeps a context on the cached digest and is about 0.4 us faster per call.  Same
# OpenSSL HMAC either way (RFC 2104); the stdlib wrapper is the fallback.


class _Mac(Protocol):
    def digest(self) -> bytes: ...


_hmac_new: Callable[[bytes, bytes, str], _Mac]
try:
    from _hashlib import hmac_new as _hmac_new
except ImportError:  # pragma: no cover - CPython without OpenSSL
    _hmac_new = _hmac.new

# One-shot constructors by hashlib name, skipping ``hashlib.new``'s dispatch.
_CONSTRUCTORS: dict[str, Callable[..., hashlib._Hash]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
_SHAKE256 = HashAlgorithm.SHAKE256


class TranscriptHash:
    """Incremental hash context over ``hashlib``.

    ``update`` and ``digest`` are the hashlib object's own bound methods, so a transcript
    update costs one C call (a handshake makes dozens); hashlib's ``digest`` already returns
    ``bytes`` and does not finalise the context."""

    __slots__ = ("_algorithm", "_state", "digest", "update")

    def __init__(self, algorithm: HashAlgorithm, state: Any = None) -> None:
        if algorithm is HashAlgorithm.SHAKE256:
            raise UnsupportedAlgorithm("SHAKE256 is an XOF; use shake256()")
        self._algorithm = algorithm
        if state is None:
            constructor = _CONSTRUCTORS.get(algorithm.hashlib_name)
            state = constructor() if constructor is not None else hashlib.new(algorithm.hashlib_name)
        self._state = state
        self.update: Callable[[bytes], None] = self._state.update
        self.digest: Callable[[], bytes] = self._state.digest

    @property
    def algorithm(self) -> HashAlgorithm:
        return self._algorithm

    def copy(self) -> TranscriptHash:
        return TranscriptHash(self._algorithm, self._state.copy())


class StdlibHashing:
    """Mixin: the hashing half of ``CryptoProvider``."""

    def hash(self, algorithm: HashAlgorithm, data: bytes) -> bytes:
        if algorithm is _SHAKE256:
            return hashlib.shake_256(data).digest(algorithm.digest_size)
        constructor = _CONSTRUCTORS.get(algorithm.hashlib_name)
        if constructor is not None:
            return constructor(data).digest()
        return hashlib.new(algorithm.hashlib_name, data).digest()

    def hash_context(self, algorithm: HashAlgorithm) -> TranscriptHash:
        return TranscriptHash(algorithm)

    def shake256(self, data: bytes, length: int) -> bytes:
        if length < 0:
            raise CryptoError("SHAKE256 output length must be non-negative")
        return hashlib.shake_256(data).digest(length)

    def hmac(self, algorithm: HashAlgorithm, key: bytes, data: bytes) -> bytes:
        if algorithm is _SHAKE256:
            raise UnsupportedAlgorithm("HMAC is not defined over SHAKE256")
        return _hmac_new(key, data, algorithm.hashlib_name).digest()

    # RFC 5869 §2.2
    def hkdf_extract(self, algorithm: HashAlgorithm, salt: bytes, ikm: bytes) -> bytes:
        if algorithm is _SHAKE256:
            raise UnsupportedAlgorithm("HMAC is not defined over SHAKE256")
        if not salt:
            salt = bytes(algorithm.digest_size)
        return _hmac_new(salt, ikm, algorithm.hashlib_name).digest()

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
        hmac_new = _hmac_new
        output = b""
        block = b""
        counter = 1
        while len(output) < length:
            block = hmac_new(prk, block + info + bytes((counter,)), name).digest()
            output += block
            counter += 1
        return output[:length]
