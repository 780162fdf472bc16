"""The ``cryptography`` backend: a thin translation layer onto pyca/cryptography.

Only bytes and our enums cross the boundary; every exception the library raises
on peer input is translated into our ``CryptoError`` family.  Hashing, HMAC and
HKDF come from the shared stdlib mixin (faster than ``cryptography`` for the
small inputs protocols hash).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

from cryptography.exceptions import InvalidSignature as _LibInvalidSignature
from cryptography.exceptions import InvalidTag
from cryptography.exceptions import UnsupportedAlgorithm as _LibUnsupported
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers import aead as _aead

from ratscore.errors import (
    CryptoError,
    DecryptError,
    InvalidPrivateKey,
    InvalidPublicKey,
    InvalidSignature,
    UnsupportedAlgorithm,
)

from ._hashing import StdlibHashing
from .policy import RSA_MAX_BITS, RSA_MIN_BITS, check_aead_inputs, check_ed25519_public_key, check_signature_key
from .types import (
    AeadAlgorithm,
    EcdsaEncoding,
    HashAlgorithm,
    KeyType,
    PublicKey,
    SignatureAlgorithm,
)

__all__ = ["CryptographyProvider"]

_HASHES: dict[HashAlgorithm, type[hashes.HashAlgorithm]] = {
    HashAlgorithm.SHA256: hashes.SHA256,
    HashAlgorithm.SHA384: hashes.SHA384,
    HashAlgorithm.SHA512: hashes.SHA512,
}
_CURVES: dict[KeyType, ec.EllipticCurve] = {KeyType.P256: ec.SECP256R1(), KeyType.P384: ec.SECP384R1()}
# Hot paths test key types by identity: a dict lookup keyed by an enum member runs
# the enum's Python-level ``__hash__``.
_P256, _P384 = KeyType.P256, KeyType.P384
_P256_CURVE, _P384_CURVE = _CURVES[_P256], _CURVES[_P384]
_ECDH = ec.ECDH()
# ECDSA parameter objects are immutable values: one per hash serves every sign and verify.
_ECDSA: dict[HashAlgorithm, ec.ECDSA] = {algorithm: ec.ECDSA(lib_hash()) for algorithm, lib_hash in _HASHES.items()}
_X962 = serialization.Encoding.X962
_UNCOMPRESSED = serialization.PublicFormat.UncompressedPoint
_RAW = serialization.Encoding.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw
_RAW_PRIVATE = serialization.PrivateFormat.Raw
_NO_ENCRYPTION = serialization.NoEncryption()

_OKP_PRIVATE: dict[KeyType, Any] = {
    KeyType.X25519: x25519.X25519PrivateKey,
    KeyType.X448: x448.X448PrivateKey,
    KeyType.ED25519: ed25519.Ed25519PrivateKey,
    KeyType.ED448: ed448.Ed448PrivateKey,
}
_OKP_PUBLIC: dict[KeyType, Any] = {
    KeyType.X25519: x25519.X25519PublicKey,
    KeyType.X448: x448.X448PublicKey,
    KeyType.ED25519: ed25519.Ed25519PublicKey,
    KeyType.ED448: ed448.Ed448PublicKey,
}
_OKP_PRIVATE_SIZE = {KeyType.X25519: 32, KeyType.X448: 56, KeyType.ED25519: 32, KeyType.ED448: 57}


# The smallest plaintext limit ``check_aead_inputs`` applies (AES-CCM with a 13-byte
# nonce: L = 2, NIST SP 800-38C §A.1).  Below it, and with the right nonce length,
# that check passes for every algorithm, so the hot path can skip the call.
_SMALLEST_PLAINTEXT_LIMIT = (1 << 16) - 1


_AEAD_CLASSES: dict[AeadAlgorithm, Any] = {
    AeadAlgorithm.AES_128_GCM: _aead.AESGCM,
    AeadAlgorithm.AES_256_GCM: _aead.AESGCM,
    AeadAlgorithm.CHACHA20_POLY1305: _aead.ChaCha20Poly1305,
}  # the CCM variants also take their tag length


class _LibAead:
    __slots__ = ("_algorithm", "_impl", "_nonce_size", "_tag_size")

    def __init__(self, algorithm: AeadAlgorithm, key: bytes) -> None:
        if len(key) != algorithm.key_size:
            raise CryptoError(f"{algorithm.label} needs a {algorithm.key_size}-byte key, got {len(key)}")
        self._algorithm = algorithm
        self._nonce_size = algorithm.nonce_size
        self._tag_size = algorithm.tag_size
        self._impl: Any = (
            _AEAD_CLASSES[algorithm](key)
            if algorithm in _AEAD_CLASSES
            else _aead.AESCCM(key, tag_length=algorithm.tag_size)
        )

    @property
    def algorithm(self) -> AeadAlgorithm:
        return self._algorithm

    def encrypt(self, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
        if len(nonce) != self._nonce_size or len(plaintext) > _SMALLEST_PLAINTEXT_LIMIT:
            check_aead_inputs(self._algorithm, nonce, len(plaintext))
        try:
            return bytes(self._impl.encrypt(nonce, plaintext, associated_data))
        except (ValueError, OverflowError) as exc:
            raise CryptoError(f"{self._algorithm.label} encryption refused: {exc}") from None

    def decrypt(self, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        if len(nonce) != self._nonce_size:
            check_aead_inputs(self._algorithm, nonce, 0)  # raises: the nonce length is wrong
        if len(ciphertext) < self._tag_size:
            raise DecryptError()
        try:
            return bytes(self._impl.decrypt(nonce, ciphertext, associated_data))
        except InvalidTag:
            raise DecryptError() from None
        except (ValueError, OverflowError):
            raise DecryptError() from None


class _PublicKeyCache:
    """Small thread-safe LRU of parsed library public keys.

    A certificate key is verified often, and a peer's ephemeral share is parsed by
    ``load_public_key`` (validation) and again by ``exchange``: one parse serves both.
    Entries are keyed by the raw encoding and remember their key type (two types
    can share an encoding length, e.g. X25519 and Ed25519); keying by the bytes
    alone keeps the lookup in C (hashing a ``PublicKey`` hashes a Python-level enum).
    """

    __slots__ = ("_entries", "_limit", "_lock")

    def __init__(self, limit: int = 64) -> None:
        self._entries: OrderedDict[bytes, tuple[KeyType, Any]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, key: PublicKey) -> Any:
        data = key.data
        with self._lock:
            entry = self._entries.get(data)
            if entry is not None and entry[0] is key.key_type:
                self._entries.move_to_end(data)
                return entry[1]
        lib_key = _load_library_public_key(key.key_type, data)
        self.put(key, lib_key)
        return lib_key

    def put(self, key: PublicKey, lib_key: Any) -> None:
        with self._lock:
            self._entries[key.data] = (key.key_type, lib_key)
            self._entries.move_to_end(key.data)
            if len(self._entries) > self._limit:
                self._entries.popitem(last=False)


def _load_library_public_key(key_type: KeyType, data: bytes) -> Any:
    try:
        if key_type is _P256 or key_type is _P384:
            curve = _P256_CURVE if key_type is _P256 else _P384_CURVE
            return ec.EllipticCurvePublicKey.from_encoded_point(curve, data)
        if key_type in _OKP_PUBLIC:
            return _OKP_PUBLIC[key_type].from_public_bytes(data)
        # load_der_public_key also takes a PKCS#1 RSAPublicKey, our raw RSA form.
        loaded = serialization.load_der_public_key(data)
    except (ValueError, TypeError, _LibUnsupported) as exc:
        raise InvalidPublicKey(f"invalid {key_type.label} public key") from exc
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise InvalidPublicKey("invalid RSA public key")
    return loaded


_PUBLIC_KEYS = _PublicKeyCache()


def _check_rsa_size(bits: int) -> None:
    if not RSA_MIN_BITS <= bits <= RSA_MAX_BITS:
        raise InvalidPublicKey(f"RSA modulus of {bits} bits is outside {RSA_MIN_BITS}..{RSA_MAX_BITS}")


def _pss(hash_algorithm: HashAlgorithm) -> padding.PSS:
    lib_hash = _HASHES[hash_algorithm]()
    return padding.PSS(mgf=padding.MGF1(lib_hash), salt_length=hash_algorithm.digest_size)


class _LibPrivateKey:
    """A private key held by the ``cryptography`` library."""

    __slots__ = ("_can_exchange", "_is_ec", "_key", "_key_type", "_public")

    def __init__(self, key_type: KeyType, key: Any) -> None:
        self._key_type = key_type
        self._key = key
        self._is_ec = key_type is _P256 or key_type is _P384
        self._can_exchange = self._is_ec or key_type.can_exchange
        self._public = _public_of(key_type, key.public_key())

    @property
    def key_type(self) -> KeyType:
        return self._key_type

    def public_key(self) -> PublicKey:
        return self._public

    def private_bytes(self) -> bytes:
        if self._key_type in _OKP_PRIVATE:
            return bytes(self._key.private_bytes(_RAW, _RAW_PRIVATE, _NO_ENCRYPTION))
        if self._key_type.is_ec:
            value: int = self._key.private_numbers().private_value
            return value.to_bytes(self._key_type.size, "big")
        return bytes(
            self._key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, _NO_ENCRYPTION
            )
        )

    def exchange(self, peer: PublicKey) -> bytes:
        if not self._can_exchange:
            raise UnsupportedAlgorithm(f"{self._key_type.label} keys cannot do key agreement")
        if peer.key_type is not self._key_type:
            raise InvalidPublicKey(f"peer key is {peer.key_type.label}, expected {self._key_type.label}")
        # A Montgomery share is used once: parse it here rather than push a long-lived key (a
        # certificate's) out of the shared cache.  EC shares were parsed (and cached) when
        # ``load_public_key`` validated them, so the cache answers.
        lib_peer = _PUBLIC_KEYS.get(peer) if self._is_ec else _load_library_public_key(peer.key_type, peer.data)
        try:
            if self._is_ec:
                return bytes(self._key.exchange(_ECDH, lib_peer))
            return bytes(self._key.exchange(lib_peer))
        except ValueError:
            # RFC 7748 §6.1 / RFC 8446 §7.4.2: an all-zero X25519/X448 result is refused.
            raise InvalidPublicKey("key agreement produced an all-zero shared secret") from None

    def sign(
        self,
        data: bytes,
        algorithm: SignatureAlgorithm,
        *,
        encoding: EcdsaEncoding = EcdsaEncoding.DER,
    ) -> bytes:
        check_signature_key(algorithm, self._key_type)
        key = self._key
        if algorithm in (SignatureAlgorithm.ED25519, SignatureAlgorithm.ED448):
            return bytes(key.sign(data))
        assert algorithm.hash_algorithm is not None
        if algorithm.is_ecdsa:
            der = key.sign(data, _ECDSA[algorithm.hash_algorithm])
            if encoding is EcdsaEncoding.DER:
                return bytes(der)
            r, s = decode_dss_signature(der)
            size = self._key_type.size
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")
        lib_hash = _HASHES[algorithm.hash_algorithm]()
        if algorithm.is_pss:
            return bytes(key.sign(data, _pss(algorithm.hash_algorithm), lib_hash))
        return bytes(key.sign(data, padding.PKCS1v15(), lib_hash))


def _public_of(key_type: KeyType, lib_public: Any) -> PublicKey:
    if key_type is _P256 or key_type is _P384:
        data = lib_public.public_bytes(_X962, _UNCOMPRESSED)
    elif key_type in _OKP_PUBLIC:
        data = lib_public.public_bytes_raw()
    else:
        data = lib_public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return PublicKey(key_type=key_type, data=bytes(data))


class CryptographyProvider(StdlibHashing):
    """``CryptoProvider`` over pyca/cryptography (OpenSSL).  Fast; needs a compiled wheel."""

    name = "cryptography"

    def aead(self, algorithm: AeadAlgorithm, key: bytes) -> _LibAead:
        return _LibAead(algorithm, key)

    def random_bytes(self, length: int) -> bytes:
        return os.urandom(length)

    def generate_private_key(self, key_type: KeyType, *, rsa_bits: int = 2048) -> _LibPrivateKey:
        if key_type is _P256:
            return _LibPrivateKey(key_type, ec.generate_private_key(_P256_CURVE))
        if key_type in _OKP_PRIVATE:
            return _LibPrivateKey(key_type, _OKP_PRIVATE[key_type].generate())
        if key_type.is_ec:
            return _LibPrivateKey(key_type, ec.generate_private_key(_CURVES[key_type]))
        if not RSA_MIN_BITS <= rsa_bits <= RSA_MAX_BITS:
            raise UnsupportedAlgorithm(f"RSA key size {rsa_bits} is outside {RSA_MIN_BITS}..{RSA_MAX_BITS}")
        return _LibPrivateKey(key_type, rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits))

    def load_private_key(self, key_type: KeyType, data: bytes) -> _LibPrivateKey:
        try:
            if key_type in _OKP_PRIVATE:
                if len(data) != _OKP_PRIVATE_SIZE[key_type]:
                    raise InvalidPrivateKey(f"{key_type.label} private key must be {len(data)} bytes")
                return _LibPrivateKey(key_type, _OKP_PRIVATE[key_type].from_private_bytes(data))
            if key_type.is_ec:
                from .policy import ec_scalar_from_bytes

                scalar = ec_scalar_from_bytes(key_type, data)
                return _LibPrivateKey(key_type, ec.derive_private_key(scalar, _CURVES[key_type]))
            loaded = serialization.load_der_private_key(data, password=None)
        except (ValueError, TypeError, _LibUnsupported) as exc:
            raise InvalidPrivateKey(f"invalid {key_type.label} private key") from exc
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise InvalidPrivateKey("not an RSA private key")
        return _LibPrivateKey(key_type, loaded)

    def load_public_key(self, key_type: KeyType, data: bytes) -> PublicKey:
        if key_type is not _P256 and key_type in _OKP_PUBLIC:
            if len(data) != key_type.size:
                raise InvalidPublicKey(f"{key_type.label} public key must be {key_type.size} bytes")
            if key_type is KeyType.ED25519:
                check_ed25519_public_key(data)
            return PublicKey(key_type=key_type, data=bytes(data))
        data = bytes(data)
        lib_key = _load_library_public_key(key_type, data)
        if key_type is KeyType.RSA:
            _check_rsa_size(lib_key.key_size)
            public = _public_of(key_type, lib_key)
        elif data[0] == 0x04:
            # SEC 1 §2.3.3: OpenSSL accepted an uncompressed point (both coordinates
            # below p, on the curve), so its bytes already are the canonical encoding.
            public = PublicKey(key_type=key_type, data=data)
        else:
            public = _public_of(key_type, lib_key)
        _PUBLIC_KEYS.put(public, lib_key)
        return public

    def verify(
        self,
        public_key: PublicKey,
        signature: bytes,
        data: bytes,
        algorithm: SignatureAlgorithm,
        *,
        encoding: EcdsaEncoding = EcdsaEncoding.DER,
    ) -> None:
        check_signature_key(algorithm, public_key.key_type)
        lib_key = _PUBLIC_KEYS.get(public_key)
        if public_key.key_type is KeyType.RSA:
            _check_rsa_size(lib_key.key_size)
        if public_key.key_type is KeyType.ED25519:
            check_ed25519_public_key(public_key.data)
        try:
            if algorithm in (SignatureAlgorithm.ED25519, SignatureAlgorithm.ED448):
                lib_key.verify(signature, data)
                return
            assert algorithm.hash_algorithm is not None
            if algorithm.is_ecdsa:
                if encoding is EcdsaEncoding.RAW:
                    signature = _raw_to_der(public_key.key_type, signature)
                lib_key.verify(signature, data, _ECDSA[algorithm.hash_algorithm])
                return
            lib_hash = _HASHES[algorithm.hash_algorithm]()
            if algorithm.is_pss:
                lib_key.verify(signature, data, _pss(algorithm.hash_algorithm), lib_hash)
            else:
                lib_key.verify(signature, data, padding.PKCS1v15(), lib_hash)
        except (_LibInvalidSignature, ValueError):
            raise InvalidSignature() from None


def _raw_to_der(key_type: KeyType, signature: bytes) -> bytes:
    size = key_type.size
    if len(signature) != 2 * size:
        raise InvalidSignature(f"ECDSA raw signature must be {2 * size} bytes")
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    return bytes(encode_dss_signature(r, s))
