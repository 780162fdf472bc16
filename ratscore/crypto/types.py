"""Algorithm enums, key value objects and the ``CryptoProvider`` protocol.

Theory of operation: engines never touch a crypto library.  They hold a
``CryptoProvider`` and hand it bytes and our enums; it hands back bytes, opaque
private-key objects and ``PublicKey`` values.  Two providers implement this
protocol (``cryptography`` and ``pure``) and pass the same test-suite.  Public keys
are plain values (a key type and its canonical raw encoding), so they compare
equal across backends and serialise without a backend.  Private keys are
backend objects; long-term signing keys are used through the narrower
``Signer`` protocol so a TPM or HSM key can stand in for them.

Raw encodings used throughout:

* X25519, X448, Ed25519, Ed448: the RFC 7748 / RFC 8032 byte strings.
* P-256, P-384 public keys: the uncompressed SEC1 point ``04 || x || y``;
  private keys: the scalar, big-endian, fixed width.
* RSA public keys: DER ``RSAPublicKey`` (RFC 8017 §A.1.1); private keys: DER
  ``RSAPrivateKey`` (RFC 8017 §A.1.2).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = [
    "Aead",
    "AeadAlgorithm",
    "CryptoProvider",
    "EcdsaEncoding",
    "HashAlgorithm",
    "HashContext",
    "KeyType",
    "PrivateKey",
    "PublicKey",
    "SignatureAlgorithm",
    "Signer",
]


class HashAlgorithm(enum.Enum):
    """Hash functions.  ``digest_size`` is the output length (SHAKE256: the default 64)."""

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    SHA256 = ("sha256", 32, 64)
    SHA384 = ("sha384", 48, 128)
    SHA512 = ("sha512", 64, 128)
    SHAKE256 = ("shake_256", 64, 136)

    def __init__(self, hashlib_name: str, digest_size: int, block_size: int) -> None:
        self.hashlib_name = hashlib_name
        self.digest_size = digest_size
        self.block_size = block_size


class AeadAlgorithm(enum.Enum):
    """AEAD algorithms with their fixed key, nonce and tag sizes.

    The two 13-byte-nonce CCM variants are COSE's AES-CCM-16-64-128 and
    AES-CCM-16-128-128 (RFC 9053 §4.2, EDHOC suites 0-3); the 12-byte-nonce
    variants are the TLS 1.3 CCM suites (RFC 8446 §B.4, RFC 6655).
    """

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    AES_128_GCM = ("AES-128-GCM", 16, 12, 16)
    AES_256_GCM = ("AES-256-GCM", 32, 12, 16)
    CHACHA20_POLY1305 = ("ChaCha20-Poly1305", 32, 12, 16)
    AES_128_CCM = ("AES-128-CCM", 16, 12, 16)
    AES_128_CCM_8 = ("AES-128-CCM-8", 16, 12, 8)
    AES_CCM_16_64_128 = ("AES-CCM-16-64-128", 16, 13, 8)
    AES_CCM_16_128_128 = ("AES-CCM-16-128-128", 16, 13, 16)

    def __init__(self, label: str, key_size: int, nonce_size: int, tag_size: int) -> None:
        self.label = label
        self.key_size = key_size
        self.nonce_size = nonce_size
        self.tag_size = tag_size

    @property
    def is_ccm(self) -> bool:
        return self in _CCM


_CCM = frozenset(
    {
        AeadAlgorithm.AES_128_CCM,
        AeadAlgorithm.AES_128_CCM_8,
        AeadAlgorithm.AES_CCM_16_64_128,
        AeadAlgorithm.AES_CCM_16_128_128,
    }
)


class KeyType(enum.Enum):
    """Asymmetric key types.  ``size`` is the raw public length (field size for EC)."""

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    X25519 = ("X25519", 32)
    X448 = ("X448", 56)
    ED25519 = ("Ed25519", 32)
    ED448 = ("Ed448", 57)
    P256 = ("P-256", 32)
    P384 = ("P-384", 48)
    RSA = ("RSA", 0)

    def __init__(self, label: str, size: int) -> None:
        self.label = label
        self.size = size
        # Plain attributes (read on hot paths), decided by the member's label:
        self.is_ec = label in ("P-256", "P-384")
        self.can_exchange = label in ("X25519", "X448", "P-256", "P-384")
        self.can_sign = label in ("Ed25519", "Ed448", "P-256", "P-384", "RSA")


class SignatureAlgorithm(enum.Enum):
    """Signature algorithms.  Each signs the message itself (hashing is internal).

    ECDSA members name the hash only; the curve comes from the key.  RSA-PSS uses
    MGF1 with the same hash and a salt as long as the hash (RFC 8446 §4.2.3).
    """

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    ED25519 = ("Ed25519", None)
    ED448 = ("Ed448", None)
    ECDSA_SHA256 = ("ECDSA-SHA256", HashAlgorithm.SHA256)
    ECDSA_SHA384 = ("ECDSA-SHA384", HashAlgorithm.SHA384)
    ECDSA_SHA512 = ("ECDSA-SHA512", HashAlgorithm.SHA512)
    RSA_PSS_SHA256 = ("RSA-PSS-SHA256", HashAlgorithm.SHA256)
    RSA_PSS_SHA384 = ("RSA-PSS-SHA384", HashAlgorithm.SHA384)
    RSA_PSS_SHA512 = ("RSA-PSS-SHA512", HashAlgorithm.SHA512)
    RSA_PKCS1_SHA256 = ("RSA-PKCS1-SHA256", HashAlgorithm.SHA256)
    RSA_PKCS1_SHA384 = ("RSA-PKCS1-SHA384", HashAlgorithm.SHA384)
    RSA_PKCS1_SHA512 = ("RSA-PKCS1-SHA512", HashAlgorithm.SHA512)

    def __init__(self, label: str, hash_algorithm: HashAlgorithm | None) -> None:
        self.label = label
        self.hash_algorithm = hash_algorithm
        # Plain attributes (read on hot paths), decided by the member's label:
        self.is_ecdsa = label.startswith("ECDSA")
        self.is_rsa = label.startswith("RSA")
        self.is_pss = label.startswith("RSA-PSS")
        self.key_types: tuple[KeyType, ...] = (
            (KeyType.ED25519,)
            if label == "Ed25519"
            else (KeyType.ED448,)
            if label == "Ed448"
            else (KeyType.P256, KeyType.P384)
            if self.is_ecdsa
            else (KeyType.RSA,)
        )

    def compatible_key_types(self) -> tuple[KeyType, ...]:
        return self.key_types


class EcdsaEncoding(enum.Enum):
    """How an ECDSA signature is laid out on the wire."""

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    DER = "der"  # X.509 / TLS: SEQUENCE { r INTEGER, s INTEGER }
    RAW = "raw"  # COSE / IEEE P1363: fixed-width r || s


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicKey:
    """A public key as a value: its type and canonical raw encoding (see module doc)."""

    key_type: KeyType
    data: bytes

    def __repr__(self) -> str:
        return f"PublicKey({self.key_type.label}, {self.data.hex()[:16]}...)"


class HashContext(Protocol):
    """An incremental hash (a transcript).  ``copy`` forks it; ``digest`` does not finalise."""

    @property
    def algorithm(self) -> HashAlgorithm: ...

    def update(self, data: bytes) -> None: ...

    def copy(self) -> HashContext: ...

    def digest(self) -> bytes: ...


class Aead(Protocol):
    """An AEAD keyed once.  ``encrypt`` returns ciphertext || tag."""

    @property
    def algorithm(self) -> AeadAlgorithm: ...

    def encrypt(self, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes: ...

    def decrypt(self, nonce: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        """Return the plaintext or raise ``DecryptError``."""
        ...


@runtime_checkable
class Signer(Protocol):
    """Anything that can sign: a software private key, a TPM key, an HSM key."""

    @property
    def key_type(self) -> KeyType: ...

    def public_key(self) -> PublicKey: ...

    def sign(
        self,
        data: bytes,
        algorithm: SignatureAlgorithm,
        *,
        encoding: EcdsaEncoding = EcdsaEncoding.DER,
    ) -> bytes: ...


class PrivateKey(Signer, Protocol):
    """A backend private key.  ``exchange`` for key-agreement types, ``sign`` for signing types."""

    def private_bytes(self) -> bytes:
        """The raw private encoding (see module doc)."""
        ...

    def exchange(self, peer: PublicKey) -> bytes:
        """Raw shared secret (X coordinate for EC).  Raises ``InvalidPublicKey`` for a bad
        peer key, a key of another type, or an all-zero X25519/X448 result."""
        ...


class CryptoProvider(Protocol):
    """The one interface every engine uses for cryptography."""

    name: str

    # -- hashing ------------------------------------------------------------
    def hash(self, algorithm: HashAlgorithm, data: bytes) -> bytes: ...

    def hash_context(self, algorithm: HashAlgorithm) -> HashContext: ...

    def shake256(self, data: bytes, length: int) -> bytes: ...

    def hmac(self, algorithm: HashAlgorithm, key: bytes, data: bytes) -> bytes: ...

    def hkdf_extract(self, algorithm: HashAlgorithm, salt: bytes, ikm: bytes) -> bytes: ...

    def hkdf_expand(self, algorithm: HashAlgorithm, prk: bytes, info: bytes, length: int) -> bytes: ...

    # -- symmetric ----------------------------------------------------------
    def aead(self, algorithm: AeadAlgorithm, key: bytes) -> Aead: ...

    def random_bytes(self, length: int) -> bytes: ...

    # -- asymmetric ---------------------------------------------------------
    def generate_private_key(self, key_type: KeyType, *, rsa_bits: int = 2048) -> PrivateKey: ...

    def load_private_key(self, key_type: KeyType, data: bytes) -> PrivateKey: ...

    def load_public_key(self, key_type: KeyType, data: bytes) -> PublicKey:
        """Validate and canonicalise a public key.  EC keys may be given uncompressed
        (65/97 bytes) or compressed (33/49 bytes).  Raises ``InvalidPublicKey``."""
        ...

    def verify(
        self,
        public_key: PublicKey,
        signature: bytes,
        data: bytes,
        algorithm: SignatureAlgorithm,
        *,
        encoding: EcdsaEncoding = EcdsaEncoding.DER,
    ) -> None:
        """Return if valid, else raise ``InvalidSignature`` (or ``InvalidPublicKey``)."""
        ...
