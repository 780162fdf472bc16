"""A provider that replays fixed keys and random values, for RFC traces.

RFC 8448 and RFC 9529 fix every ephemeral key and random value.  Wrapping
either backend in a ``ScriptedProvider`` makes an engine reproduce such a trace
byte for byte: ``generate_private_key`` hands out the scripted private keys of
that type in order, ``random_bytes`` the scripted byte strings in order.  Running
out of script, or asking for a length the script does not hold, raises
``CryptoError`` instead of silently falling back to real randomness.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from ratscore.errors import CryptoError

from .types import (
    Aead,
    AeadAlgorithm,
    CryptoProvider,
    EcdsaEncoding,
    HashAlgorithm,
    HashContext,
    KeyType,
    PrivateKey,
    PublicKey,
    SignatureAlgorithm,
)

__all__ = ["ScriptedProvider"]


class ScriptedProvider:
    """Delegates everything to ``inner`` except key generation and randomness."""

    def __init__(
        self,
        inner: CryptoProvider,
        *,
        private_keys: Mapping[KeyType, Iterable[bytes]] | None = None,
        random: Iterable[bytes] = (),
    ) -> None:
        self.inner = inner
        self.name = f"scripted({inner.name})"
        self._keys = {key_type: deque(values) for key_type, values in (private_keys or {}).items()}
        self._random = deque(random)

    @property
    def exhausted(self) -> bool:
        """True once every scripted key and random value has been used."""
        return not self._random and not any(self._keys.values())

    def generate_private_key(self, key_type: KeyType, *, rsa_bits: int = 2048) -> PrivateKey:
        queue = self._keys.get(key_type)
        if not queue:
            raise CryptoError(f"scripted provider has no more {key_type.label} private keys")
        return self.inner.load_private_key(key_type, queue.popleft())

    def random_bytes(self, length: int) -> bytes:
        if not self._random:
            raise CryptoError(f"scripted provider has no more random values (asked for {length} bytes)")
        if len(self._random[0]) != length:
            raise CryptoError(f"scripted random value has {len(self._random[0])} bytes, the caller asked for {length}")
        return self._random.popleft()

    # -- delegated unchanged ----------------------------------------------------
    def hash(self, algorithm: HashAlgorithm, data: bytes) -> bytes:
        return self.inner.hash(algorithm, data)

    def hash_context(self, algorithm: HashAlgorithm) -> HashContext:
        return self.inner.hash_context(algorithm)

    def shake256(self, data: bytes, length: int) -> bytes:
        return self.inner.shake256(data, length)

    def hmac(self, algorithm: HashAlgorithm, key: bytes, data: bytes) -> bytes:
        return self.inner.hmac(algorithm, key, data)

    def hkdf_extract(self, algorithm: HashAlgorithm, salt: bytes, ikm: bytes) -> bytes:
        return self.inner.hkdf_extract(algorithm, salt, ikm)

    def hkdf_expand(self, algorithm: HashAlgorithm, prk: bytes, info: bytes, length: int) -> bytes:
        return self.inner.hkdf_expand(algorithm, prk, info, length)

    def aead(self, algorithm: AeadAlgorithm, key: bytes) -> Aead:
        return self.inner.aead(algorithm, key)

    def load_private_key(self, key_type: KeyType, data: bytes) -> PrivateKey:
        return self.inner.load_private_key(key_type, data)

    def load_public_key(self, key_type: KeyType, data: bytes) -> PublicKey:
        return self.inner.load_public_key(key_type, data)

    def verify(
        self,
        public_key: PublicKey,
        signature: bytes,
        data: bytes,
        algorithm: SignatureAlgorithm,
        *,
        encoding: EcdsaEncoding = EcdsaEncoding.DER,
    ) -> None:
        self.inner.verify(public_key, signature, data, algorithm, encoding=encoding)
