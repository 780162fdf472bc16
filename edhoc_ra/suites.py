"""EDHOC methods and cipher suites (RFC 9528 §3.2, §3.6, §10.2) mapped to provider algorithms."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from ratscore.crypto import AeadAlgorithm, HashAlgorithm, KeyType, SignatureAlgorithm
from ratscore.errors import UnsupportedAlgorithm

__all__ = ["SUITES", "CipherSuite", "Method", "Role", "get_suite"]


class Role(enum.Enum):
    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python
    INITIATOR = "initiator"
    RESPONDER = "responder"


class Method(enum.IntEnum):
    """RFC 9528 §3.2, Figure 4: who authenticates with what."""

    SIG_SIG = 0
    SIG_STAT = 1
    STAT_SIG = 2
    STAT_STAT = 3

    @property
    def initiator_uses_static_dh(self) -> bool:
        return self in (Method.STAT_SIG, Method.STAT_STAT)

    @property
    def responder_uses_static_dh(self) -> bool:
        return self in (Method.SIG_STAT, Method.STAT_STAT)

    def uses_static_dh(self, role: Role) -> bool:
        return self.initiator_uses_static_dh if role is Role.INITIATOR else self.responder_uses_static_dh


# COSE algorithm identifiers (RFC 9053) used in the suite table.
COSE_EDDSA: Final = -8
COSE_ES256: Final = -7
COSE_ES384: Final = -35


@dataclass(frozen=True, slots=True, kw_only=True)
class CipherSuite:
    """One row of the EDHOC Cipher Suites registry (RFC 9528 §10.2)."""

    value: int
    edhoc_aead: AeadAlgorithm
    edhoc_hash: HashAlgorithm
    mac_length: int
    dh_curve: KeyType
    signature_algorithm: int  # COSE: -8 EdDSA, -7 ES256, -35 ES384
    app_aead: AeadAlgorithm
    app_aead_cose: int
    app_hash: HashAlgorithm
    app_hash_cose: int

    @property
    def hash_length(self) -> int:
        return self.edhoc_hash.digest_size

    @property
    def public_key_length(self) -> int:
        """Length of G_X / G_Y: the 'x' of the COSE_Key, fixed width (RFC 9528 §3.7, App. B)."""
        return self.dh_curve.size

    def signature_for(self, key_type: KeyType) -> SignatureAlgorithm:
        """The provider algorithm for a signature key of ``key_type`` in this suite;
        ``UnsupportedAlgorithm`` if the key does not fit (RFC 9528 §3.5.1)."""
        if self.signature_algorithm == COSE_EDDSA and key_type is KeyType.ED25519:
            return SignatureAlgorithm.ED25519
        if self.signature_algorithm == COSE_EDDSA and key_type is KeyType.ED448:
            return SignatureAlgorithm.ED448
        if self.signature_algorithm == COSE_ES256 and key_type is KeyType.P256:
            return SignatureAlgorithm.ECDSA_SHA256
        if self.signature_algorithm == COSE_ES384 and key_type is KeyType.P384:
            return SignatureAlgorithm.ECDSA_SHA384
        raise UnsupportedAlgorithm(f"a {key_type.label} key cannot sign in cipher suite {self.value}")


def _suite(
    value: int,
    edhoc_aead: AeadAlgorithm,
    edhoc_hash: HashAlgorithm,
    mac_length: int,
    dh_curve: KeyType,
    signature_algorithm: int,
    app_aead: AeadAlgorithm,
    app_aead_cose: int,
    app_hash_cose: int,
) -> CipherSuite:
    return CipherSuite(
        value=value,
        edhoc_aead=edhoc_aead,
        edhoc_hash=edhoc_hash,
        mac_length=mac_length,
        dh_curve=dh_curve,
        signature_algorithm=signature_algorithm,
        app_aead=app_aead,
        app_aead_cose=app_aead_cose,
        app_hash=edhoc_hash,  # every registered suite uses the same hash for both
        app_hash_cose=app_hash_cose,
    )


_CCM_8 = AeadAlgorithm.AES_CCM_16_64_128  # COSE 10
_CCM_16 = AeadAlgorithm.AES_CCM_16_128_128  # COSE 30
_CHACHA = AeadAlgorithm.CHACHA20_POLY1305  # COSE 24
_SHA256 = HashAlgorithm.SHA256  # COSE -16
_X25519 = KeyType.X25519
_A256GCM = AeadAlgorithm.AES_256_GCM  # COSE 3

# RFC 9528 §10.2: (EDHOC AEAD, hash, MAC length, curve, signature, app AEAD, app hash).
SUITES: Final[dict[int, CipherSuite]] = {
    suite.value: suite
    for suite in (
        _suite(0, _CCM_8, _SHA256, 8, _X25519, COSE_EDDSA, _CCM_8, 10, -16),
        _suite(1, _CCM_16, _SHA256, 16, _X25519, COSE_EDDSA, _CCM_8, 10, -16),
        _suite(2, _CCM_8, _SHA256, 8, KeyType.P256, COSE_ES256, _CCM_8, 10, -16),
        _suite(3, _CCM_16, _SHA256, 16, KeyType.P256, COSE_ES256, _CCM_8, 10, -16),
        _suite(4, _CHACHA, _SHA256, 16, _X25519, COSE_EDDSA, _CHACHA, 24, -16),
        _suite(5, _CHACHA, _SHA256, 16, KeyType.P256, COSE_ES256, _CHACHA, 24, -16),
        _suite(6, AeadAlgorithm.AES_128_GCM, _SHA256, 16, _X25519, COSE_ES256, AeadAlgorithm.AES_128_GCM, 1, -16),
        _suite(24, _A256GCM, HashAlgorithm.SHA384, 16, KeyType.P384, COSE_ES384, _A256GCM, 3, -43),
        _suite(25, _CHACHA, HashAlgorithm.SHAKE256, 16, KeyType.X448, COSE_EDDSA, _CHACHA, 24, -45),
    )
}


def get_suite(value: int) -> CipherSuite:
    """The registered suite ``value``; ``UnsupportedAlgorithm`` for any other."""
    suite = SUITES.get(value)
    if suite is None:
        raise UnsupportedAlgorithm(f"EDHOC cipher suite {value} is not implemented")
    return suite
