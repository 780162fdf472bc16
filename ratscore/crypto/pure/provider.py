"""The pure-Python ``CryptoProvider``: standard library plus our own arithmetic.

NOT CONSTANT-TIME.  Python integers and table lookups leak timing; this backend
is for portability (no Rust, no compiled crypto), reproducible tests and
constrained installs, not for long-term secrets on hosts shared with an
attacker.  Use the ``cryptography`` backend there.

This module only wires the primitives (``curve25519``, ``curve448``,
``weierstrass``, ``rsa``, ``aes``/``gcm``/``ccm``/``chacha``) to the provider
protocol and applies the shared policy of ``ratscore.crypto.policy``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from ratscore.errors import (
    CryptoError,
    InvalidPrivateKey,
    InvalidPublicKey,
    InvalidSignature,
    UnsupportedAlgorithm,
)

from .._hashing import StdlibHashing
from ..policy import (
    EC_ORDERS,
    RSA_MAX_BITS,
    RSA_MIN_BITS,
    check_aead_inputs,
    check_ed25519_public_key,
    check_signature_key,
    ec_scalar_from_bytes,
)
from ..types import AeadAlgorithm, EcdsaEncoding, KeyType, PublicKey, SignatureAlgorithm
from . import curve448, curve25519, rsa, weierstrass
from .ccm import AesCcm
from .chacha import ChaCha20Poly1305
from .gcm import AesGcm

__all__ = ["PureProvider"]

_CURVES = {KeyType.P256: weierstrass.P256, KeyType.P384: weierstrass.P384}
_EXCHANGE: dict[KeyType, Callable[[bytes, bytes], bytes]] = {
    KeyType.X25519: curve25519.x25519,
    KeyType.X448: curve448.x448,
}
_OKP_PUBLIC: dict[KeyType, Callable[[bytes], bytes]] = {
    KeyType.X25519: curve25519.x25519_public_key,
    KeyType.X448: curve448.x448_public_key,
    KeyType.ED25519: curve25519.ed25519_public_key,
    KeyType.ED448: curve448.ed448_public_key,
}
_OKP_PRIVATE_SIZE = {KeyType.X25519: 32, KeyType.X448: 56, KeyType.ED25519: 32, KeyType.ED448: 57}
_EDDSA_SIGN: dict[KeyType, Callable[..., bytes]] = {
    KeyType.ED25519: curve25519.ed25519_sign,
    KeyType.ED448: curve448.ed448_sign,
}
_EDDSA_VERIFY: dict[KeyType, Callable[[bytes, bytes, bytes], bool]] = {
    KeyType.ED25519: curve25519.ed25519_verify,
    KeyType.ED448: curve448.ed448_verify,
}


class _PureAead:
    __slots__ = ("_algorithm", "_impl")

    def __init__(self, algorithm: AeadAlgorithm, key: bytes) -> None:
        if len(key) != algorithm.key_size:
            raise CryptoError(f"{algorithm.label} needs a {algorithm.key_size}-byte key, got {len(key)}")
        self._algorithm = algorithm
        self._impl: AesGcm | AesCcm | ChaCha20Poly1305
        if algorithm in (AeadAlgorithm.AES_128_GCM, AeadAlgorithm.AES_256_GCM):
            self._impl = AesGcm(key)
        elif algorithm is AeadAlgorithm.CHACHA20_POLY1305:
            self._impl = ChaCha20Poly1305(key)
        else:
            self._impl = AesCcm(key, algorithm.nonce_size, algorithm.tag_size)

    @property
    def algorithm(self) -> AeadAlgorithm:
        return self._algorithm

    def encrypt(self, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
        check_aead_inputs(self._algorithm, nonce, len(plaintext))
        return self._impl.encrypt(nonce, plaintext, associated_data)

    def decrypt(self, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        check_aead_inputs(self._algorithm, nonce, 0)
        return self._impl.decrypt(nonce, ciphertext, associated_data)


class _PurePrivateKey:
    """A private key held as Python bytes/ints."""

    __slots__ = ("_key_type", "_private", "_public", "_random", "_rsa_numbers", "_scalar")

    def __init__(self, key_type: KeyType, private: bytes, random: Callable[[int], bytes]) -> None:
        self._key_type = key_type
        self._private = private
        self._random = random
        self._scalar = 0
        self._rsa_numbers: tuple[int, ...] = ()
        if key_type in _OKP_PUBLIC:
            if len(private) != _OKP_PRIVATE_SIZE[key_type]:
                raise InvalidPrivateKey(f"{key_type.label} private key must be {_OKP_PRIVATE_SIZE[key_type]} bytes")
            public = _OKP_PUBLIC[key_type](private)
        elif key_type.is_ec:
            self._scalar = ec_scalar_from_bytes(key_type, private)
            public = weierstrass.public_key(_CURVES[key_type], self._scalar)
        else:
            from ..encoding import rsa_private_key_numbers, rsa_public_key_der

            try:
                self._rsa_numbers = rsa_private_key_numbers(private)
            except ValueError as exc:  # DecodeError is a ValueError
                raise InvalidPrivateKey("invalid RSA private key") from exc
            n, e = self._rsa_numbers[0], self._rsa_numbers[1]
            public = rsa_public_key_der(n, e)
        self._public = PublicKey(key_type=key_type, data=public)

    @property
    def key_type(self) -> KeyType:
        return self._key_type

    def public_key(self) -> PublicKey:
        return self._public

    def private_bytes(self) -> bytes:
        return self._private

    def exchange(self, peer: PublicKey) -> bytes:
        key_type = self._key_type
        if not key_type.can_exchange:
            raise UnsupportedAlgorithm(f"{key_type.label} keys cannot do key agreement")
        if peer.key_type is not key_type:
            raise InvalidPublicKey(f"peer key is {peer.key_type.label}, expected {key_type.label}")
        if key_type.is_ec:
            return weierstrass.ecdh(_CURVES[key_type], self._scalar, peer.data)
        if len(peer.data) != key_type.size:
            raise InvalidPublicKey(f"{key_type.label} public key must be {key_type.size} bytes")
        shared = _EXCHANGE[key_type](self._private, peer.data)
        # RFC 7748 §6.1, RFC 8446 §7.4.2, RFC 9528 §9.5: refuse an all-zero result.
        if not any(shared):
            raise InvalidPublicKey("key agreement produced an all-zero shared secret")
        return shared

    def sign(
        self,
        data: bytes,
        algorithm: SignatureAlgorithm,
        *,
        encoding: EcdsaEncoding = EcdsaEncoding.DER,
    ) -> bytes:
        key_type = self._key_type
        check_signature_key(algorithm, key_type)
        if key_type in _EDDSA_SIGN:
            return _EDDSA_SIGN[key_type](self._private, data, public_key=self._public.data)
        hash_algorithm = algorithm.hash_algorithm
        assert hash_algorithm is not None
        digest = hashlib.new(hash_algorithm.hashlib_name, data).digest()
        if key_type.is_ec:
            curve = _CURVES[key_type]
            r, s = weierstrass.ecdsa_sign(curve, self._scalar, digest, self._random(32))
            if encoding is EcdsaEncoding.RAW:
                return weierstrass.encode_raw_signature(curve, r, s)
            return weierstrass.encode_der_signature(r, s)
        if algorithm.is_pss:
            salt = self._random(hash_algorithm.digest_size)
            return rsa.rsa_pss_sign(self._private, digest, hash_algorithm.hashlib_name, salt)
        return rsa.rsa_pkcs1v15_sign(self._private, digest, hash_algorithm.hashlib_name)


class PureProvider(StdlibHashing):
    """``CryptoProvider`` in pure Python.  Not constant-time: see the module docstring."""

    name = "pure"

    def aead(self, algorithm: AeadAlgorithm, key: bytes) -> _PureAead:
        return _PureAead(algorithm, key)

    def random_bytes(self, length: int) -> bytes:
        return os.urandom(length)

    def generate_private_key(self, key_type: KeyType, *, rsa_bits: int = 2048) -> _PurePrivateKey:
        if key_type in _OKP_PRIVATE_SIZE:
            return _PurePrivateKey(key_type, self.random_bytes(_OKP_PRIVATE_SIZE[key_type]), self.random_bytes)
        if key_type.is_ec:
            order = EC_ORDERS[key_type]
            while True:  # FIPS 186-5 §A.2.2 rejection sampling
                candidate = self.random_bytes(key_type.size)
                if 0 < int.from_bytes(candidate, "big") < order:
                    return _PurePrivateKey(key_type, candidate, self.random_bytes)
        if not RSA_MIN_BITS <= rsa_bits <= RSA_MAX_BITS:
            raise UnsupportedAlgorithm(f"RSA key size {rsa_bits} is outside {RSA_MIN_BITS}..{RSA_MAX_BITS}")
        return _PurePrivateKey(key_type, rsa.rsa_generate(rsa_bits, self.random_bytes), self.random_bytes)

    def load_private_key(self, key_type: KeyType, data: bytes) -> _PurePrivateKey:
        return _PurePrivateKey(key_type, bytes(data), self.random_bytes)

    def load_public_key(self, key_type: KeyType, data: bytes) -> PublicKey:
        data = bytes(data)
        if key_type in _OKP_PUBLIC:
            if len(data) != key_type.size:
                raise InvalidPublicKey(f"{key_type.label} public key must be {key_type.size} bytes")
            if key_type is KeyType.ED25519:
                check_ed25519_public_key(data)
            return PublicKey(key_type=key_type, data=data)
        if key_type.is_ec:
            curve = _CURVES[key_type]
            point = weierstrass.decode_point(curve, data)
            return PublicKey(key_type=key_type, data=weierstrass.encode_point(curve, point))
        n, e = _rsa_public_numbers(data)
        from ..encoding import rsa_public_key_der

        return PublicKey(key_type=key_type, data=rsa_public_key_der(n, e))

    def verify(
        self,
        public_key: PublicKey,
        signature: bytes,
        data: bytes,
        algorithm: SignatureAlgorithm,
        *,
        encoding: EcdsaEncoding = EcdsaEncoding.DER,
    ) -> None:
        key_type = public_key.key_type
        check_signature_key(algorithm, key_type)
        if key_type in _EDDSA_VERIFY:
            if key_type is KeyType.ED25519:
                check_ed25519_public_key(public_key.data)
            if not _EDDSA_VERIFY[key_type](public_key.data, data, signature):
                raise InvalidSignature()
            return
        hash_algorithm = algorithm.hash_algorithm
        assert hash_algorithm is not None
        digest = hashlib.new(hash_algorithm.hashlib_name, data).digest()
        if key_type.is_ec:
            curve = _CURVES[key_type]
            point = weierstrass.decode_point(curve, public_key.data)
            if encoding is EcdsaEncoding.RAW:
                r, s = weierstrass.decode_raw_signature(curve, signature)
            else:
                r, s = weierstrass.decode_der_signature(signature)
            if not weierstrass.ecdsa_verify(curve, point, digest, r, s):
                raise InvalidSignature()
            return
        n, e = _rsa_public_numbers(public_key.data)
        name = hash_algorithm.hashlib_name
        if algorithm.is_pss:
            valid = rsa.rsa_pss_verify(n, e, digest, signature, name, hash_algorithm.digest_size)
        else:
            valid = rsa.rsa_pkcs1v15_verify(n, e, digest, signature, name)
        if not valid:
            raise InvalidSignature()


def _rsa_public_numbers(data: bytes) -> tuple[int, int]:
    from ..encoding import rsa_public_key_numbers

    try:
        n, e = rsa_public_key_numbers(data)
    except ValueError as exc:  # DecodeError is a ValueError
        raise InvalidPublicKey("invalid RSA public key") from exc
    bits = n.bit_length()
    if not RSA_MIN_BITS <= bits <= RSA_MAX_BITS:
        raise InvalidPublicKey(f"RSA modulus of {bits} bits is outside {RSA_MIN_BITS}..{RSA_MAX_BITS}")
    if e < 3 or e % 2 == 0 or n % 2 == 0:
        raise InvalidPublicKey("invalid RSA public exponent or modulus")
    return n, e
