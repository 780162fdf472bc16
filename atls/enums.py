"""TLS 1.3 code points and their mapping onto ``ratscore.crypto`` algorithms.

Every enum is an ``IntEnum`` of the IANA value, so a decoded list of raw ``int``
code points (which keeps values we do not know, for exact re-encoding) can be
compared with members directly: ``SignatureScheme.ED25519 in offered``.
"""

from __future__ import annotations

import enum

from ratscore.crypto.types import AeadAlgorithm, HashAlgorithm, KeyType, SignatureAlgorithm

__all__ = [
    "CIPHER_SUITES_BY_CODE",
    "DOWNGRADE_TLS11",
    "DOWNGRADE_TLS12",
    "HELLO_RETRY_REQUEST_RANDOM",
    "NAMED_GROUPS_BY_CODE",
    "SIGNATURE_SCHEMES_BY_CODE",
    "TLS12_VERSION",
    "TLS13_VERSION",
    "CertificateType",
    "CipherSuite",
    "ContentType",
    "ExtensionContext",
    "ExtensionType",
    "HandshakeType",
    "KeyUpdateRequest",
    "MaxFragmentLength",
    "NamedGroup",
    "PskKeyExchangeMode",
    "Role",
    "SignatureScheme",
]

TLS13_VERSION = 0x0304  # RFC 8446 §4.2.1
TLS12_VERSION = 0x0303  # RFC 8446 §4.1.2 legacy_version, §5.1 legacy_record_version

# RFC 8446 §4.1.3: the ServerHello.random of a HelloRetryRequest, SHA-256("HelloRetryRequest").
HELLO_RETRY_REQUEST_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
# RFC 8446 §4.1.3: last 8 bytes of ServerHello.random of a server that negotiated a lower version.
DOWNGRADE_TLS12 = bytes.fromhex("444f574e47524401")
DOWNGRADE_TLS11 = bytes.fromhex("444f574e47524400")


class Role(enum.Enum):
    """Which end of the connection we are."""

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    CLIENT = "client"
    SERVER = "server"

    peer: Role  # the other end (set below the class)


Role.CLIENT.peer, Role.SERVER.peer = Role.SERVER, Role.CLIENT


class ContentType(enum.IntEnum):
    """RFC 8446 §5.1 ``ContentType``."""

    INVALID = 0
    CHANGE_CIPHER_SPEC = 20
    ALERT = 21
    HANDSHAKE = 22
    APPLICATION_DATA = 23


class HandshakeType(enum.IntEnum):
    """RFC 8446 §4 ``HandshakeType`` (plus legacy codes so a TLS 1.2 message can be named)."""

    HELLO_REQUEST_RESERVED = 0
    CLIENT_HELLO = 1
    SERVER_HELLO = 2
    HELLO_VERIFY_REQUEST_RESERVED = 3
    NEW_SESSION_TICKET = 4
    END_OF_EARLY_DATA = 5
    HELLO_RETRY_REQUEST_RESERVED = 6
    ENCRYPTED_EXTENSIONS = 8
    CERTIFICATE = 11
    SERVER_KEY_EXCHANGE_RESERVED = 12
    CERTIFICATE_REQUEST = 13
    SERVER_HELLO_DONE_RESERVED = 14
    CERTIFICATE_VERIFY = 15
    CLIENT_KEY_EXCHANGE_RESERVED = 16
    CLIENT_CERTIFICATE_REQUEST = 17  # RFC 9261 §8.3 (Exported Authenticators)
    FINISHED = 20
    CERTIFICATE_URL_RESERVED = 21
    CERTIFICATE_STATUS_RESERVED = 22
    SUPPLEMENTAL_DATA_RESERVED = 23
    KEY_UPDATE = 24
    COMPRESSED_CERTIFICATE = 25  # RFC 8879
    MESSAGE_HASH = 254


class ExtensionType(enum.IntEnum):
    """IANA TLS ExtensionType values used or recognised here (RFC 8446 §4.2 and the RFCs named)."""

    SERVER_NAME = 0  # RFC 6066 §3
    MAX_FRAGMENT_LENGTH = 1  # RFC 6066 §4
    STATUS_REQUEST = 5  # RFC 6066 §8
    SUPPORTED_GROUPS = 10  # RFC 8422, RFC 7919
    EC_POINT_FORMATS = 11  # RFC 8422 (TLS 1.2)
    SIGNATURE_ALGORITHMS = 13  # RFC 8446 §4.2.3
    USE_SRTP = 14  # RFC 5764
    HEARTBEAT = 15  # RFC 6520
    APPLICATION_LAYER_PROTOCOL_NEGOTIATION = 16  # RFC 7301
    SIGNED_CERTIFICATE_TIMESTAMP = 18  # RFC 6962
    CLIENT_CERTIFICATE_TYPE = 19  # RFC 7250
    SERVER_CERTIFICATE_TYPE = 20  # RFC 7250
    PADDING = 21  # RFC 7685
    ENCRYPT_THEN_MAC = 22  # RFC 7366 (TLS 1.2)
    EXTENDED_MASTER_SECRET = 23  # RFC 7627 (TLS 1.2)
    COMPRESS_CERTIFICATE = 27  # RFC 8879
    RECORD_SIZE_LIMIT = 28  # RFC 8449
    SESSION_TICKET = 35  # RFC 5077 (TLS 1.2)
    PRE_SHARED_KEY = 41  # RFC 8446 §4.2.11
    EARLY_DATA = 42  # RFC 8446 §4.2.10
    SUPPORTED_VERSIONS = 43  # RFC 8446 §4.2.1
    COOKIE = 44  # RFC 8446 §4.2.2
    PSK_KEY_EXCHANGE_MODES = 45  # RFC 8446 §4.2.9
    CERTIFICATE_AUTHORITIES = 47  # RFC 8446 §4.2.4
    OID_FILTERS = 48  # RFC 8446 §4.2.5
    POST_HANDSHAKE_AUTH = 49  # RFC 8446 §4.2.6
    SIGNATURE_ALGORITHMS_CERT = 50  # RFC 8446 §4.2.3
    KEY_SHARE = 51  # RFC 8446 §4.2.8
    RENEGOTIATION_INFO = 0xFF01  # RFC 5746 (TLS 1.2)


class ExtensionContext(enum.Enum):
    """The message an extension block belongs to (the columns of RFC 8446 §4.2's table)."""

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    CLIENT_HELLO = "CH"
    SERVER_HELLO = "SH"
    HELLO_RETRY_REQUEST = "HRR"
    ENCRYPTED_EXTENSIONS = "EE"
    CERTIFICATE_REQUEST = "CR"
    CERTIFICATE = "CT"
    NEW_SESSION_TICKET = "NST"


class CipherSuite(enum.IntEnum):
    """RFC 8446 §B.4 TLS 1.3 cipher suites, with their AEAD and HKDF hash."""

    TLS_AES_128_GCM_SHA256 = 0x1301
    TLS_AES_256_GCM_SHA384 = 0x1302
    TLS_CHACHA20_POLY1305_SHA256 = 0x1303
    TLS_AES_128_CCM_SHA256 = 0x1304
    TLS_AES_128_CCM_8_SHA256 = 0x1305

    # Per-member attributes, set below the class (plain attribute reads on hot paths):
    aead_algorithm: AeadAlgorithm
    hash_algorithm: HashAlgorithm
    key_length: int
    iv_length: int  # RFC 8446 §5.3: iv_length = max(8 bytes, N_MIN) = 12 for every TLS 1.3 AEAD
    tag_length: int


_SUITE_AEAD = {
    CipherSuite.TLS_AES_128_GCM_SHA256: AeadAlgorithm.AES_128_GCM,
    CipherSuite.TLS_AES_256_GCM_SHA384: AeadAlgorithm.AES_256_GCM,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256: AeadAlgorithm.CHACHA20_POLY1305,
    CipherSuite.TLS_AES_128_CCM_SHA256: AeadAlgorithm.AES_128_CCM,
    CipherSuite.TLS_AES_128_CCM_8_SHA256: AeadAlgorithm.AES_128_CCM_8,
}
for _suite, _aead in _SUITE_AEAD.items():
    _suite.aead_algorithm = _aead
    _suite.hash_algorithm = (
        HashAlgorithm.SHA384 if _suite is CipherSuite.TLS_AES_256_GCM_SHA384 else HashAlgorithm.SHA256
    )
    _suite.key_length = _aead.key_size
    _suite.iv_length = _aead.nonce_size
    _suite.tag_length = _aead.tag_size


class NamedGroup(enum.IntEnum):
    """RFC 8446 §4.2.7 ``NamedGroup``.  Only the four ECDHE groups map to a key type."""

    SECP256R1 = 0x0017
    SECP384R1 = 0x0018
    SECP521R1 = 0x0019
    X25519 = 0x001D
    X448 = 0x001E
    FFDHE2048 = 0x0100
    FFDHE3072 = 0x0101
    FFDHE4096 = 0x0102
    FFDHE6144 = 0x0103
    FFDHE8192 = 0x0104

    # Set below the class for every member:
    key_type: KeyType | None  # the ``KeyType`` we use for this group, or None when not implemented
    key_exchange_length: int | None  # valid ``KeyShareEntry.key_exchange`` length (RFC 8446 §4.2.8.2)


_GROUP_KEY_TYPE = {
    NamedGroup.SECP256R1: KeyType.P256,
    NamedGroup.SECP384R1: KeyType.P384,
    NamedGroup.X25519: KeyType.X25519,
    NamedGroup.X448: KeyType.X448,
}
# RFC 8446 §4.2.8.2: UncompressedPointRepresentation (0x04 || X || Y); RFC 7748: raw u-coordinate.
_GROUP_SHARE_LENGTH = {
    NamedGroup.SECP256R1: 65,
    NamedGroup.SECP384R1: 97,
    NamedGroup.X25519: 32,
    NamedGroup.X448: 56,
}
for _group in NamedGroup:
    _group.key_type = _GROUP_KEY_TYPE.get(_group)
    _group.key_exchange_length = _GROUP_SHARE_LENGTH.get(_group)


class SignatureScheme(enum.IntEnum):
    """RFC 8446 §4.2.3 ``SignatureScheme`` plus legacy codes seen in real ClientHellos."""

    RSA_PKCS1_SHA256 = 0x0401
    RSA_PKCS1_SHA384 = 0x0501
    RSA_PKCS1_SHA512 = 0x0601
    ECDSA_SECP256R1_SHA256 = 0x0403
    ECDSA_SECP384R1_SHA384 = 0x0503
    ECDSA_SECP521R1_SHA512 = 0x0603
    RSA_PSS_RSAE_SHA256 = 0x0804
    RSA_PSS_RSAE_SHA384 = 0x0805
    RSA_PSS_RSAE_SHA512 = 0x0806
    ED25519 = 0x0807
    ED448 = 0x0808
    RSA_PSS_PSS_SHA256 = 0x0809
    RSA_PSS_PSS_SHA384 = 0x080A
    RSA_PSS_PSS_SHA512 = 0x080B
    # Legacy algorithms (RFC 8446 §4.2.3: only for certificate signatures, if at all).
    RSA_PKCS1_SHA1 = 0x0201
    ECDSA_SHA1 = 0x0203
    # Obsolete code points that still appear in offers (RFC 8446 §4.2.3 "obsolete_RESERVED").
    DSA_SHA1_RESERVED = 0x0202
    RSA_SHA224_RESERVED = 0x0301
    DSA_SHA224_RESERVED = 0x0302
    ECDSA_SHA224_RESERVED = 0x0303
    DSA_SHA256_RESERVED = 0x0402
    DSA_SHA384_RESERVED = 0x0502
    DSA_SHA512_RESERVED = 0x0602

    # Set below the class for every member:
    signature_algorithm: SignatureAlgorithm | None  # ours for this scheme, None when not implemented
    # Key types that may sign with this scheme.  ECDSA schemes in TLS 1.3 fix the curve (RFC 8446
    # §4.2.3); RSA-PSS "rsae" and "pss" both use an RSA key (the difference is the certificate's
    # SubjectPublicKeyInfo OID, which the certificate layer checks).
    key_types: tuple[KeyType, ...]
    # RFC 8446 §4.4.3: RSASSA-PKCS1-v1_5 and SHA-1 schemes MUST NOT be used in CertificateVerify.
    allowed_in_certificate_verify: bool
    is_rsa_pss_pss: bool  # RSASSA-PSS with a key whose SPKI is id-RSASSA-PSS (RFC 8446 §4.2.3)


_SCHEME_ALGORITHM = {
    SignatureScheme.RSA_PKCS1_SHA256: SignatureAlgorithm.RSA_PKCS1_SHA256,
    SignatureScheme.RSA_PKCS1_SHA384: SignatureAlgorithm.RSA_PKCS1_SHA384,
    SignatureScheme.RSA_PKCS1_SHA512: SignatureAlgorithm.RSA_PKCS1_SHA512,
    SignatureScheme.ECDSA_SECP256R1_SHA256: SignatureAlgorithm.ECDSA_SHA256,
    SignatureScheme.ECDSA_SECP384R1_SHA384: SignatureAlgorithm.ECDSA_SHA384,
    SignatureScheme.RSA_PSS_RSAE_SHA256: SignatureAlgorithm.RSA_PSS_SHA256,
    SignatureScheme.RSA_PSS_RSAE_SHA384: SignatureAlgorithm.RSA_PSS_SHA384,
    SignatureScheme.RSA_PSS_RSAE_SHA512: SignatureAlgorithm.RSA_PSS_SHA512,
    SignatureScheme.RSA_PSS_PSS_SHA256: SignatureAlgorithm.RSA_PSS_SHA256,
    SignatureScheme.RSA_PSS_PSS_SHA384: SignatureAlgorithm.RSA_PSS_SHA384,
    SignatureScheme.RSA_PSS_PSS_SHA512: SignatureAlgorithm.RSA_PSS_SHA512,
    SignatureScheme.ED25519: SignatureAlgorithm.ED25519,
    SignatureScheme.ED448: SignatureAlgorithm.ED448,
}
_SCHEME_KEY_TYPES: dict[SignatureScheme, tuple[KeyType, ...]] = {
    SignatureScheme.ECDSA_SECP256R1_SHA256: (KeyType.P256,),
    SignatureScheme.ECDSA_SECP384R1_SHA384: (KeyType.P384,),
    SignatureScheme.ED25519: (KeyType.ED25519,),
    SignatureScheme.ED448: (KeyType.ED448,),
    **{scheme: (KeyType.RSA,) for scheme in _SCHEME_ALGORITHM if scheme.name.startswith("RSA_")},
}
_CERTIFICATE_VERIFY_SCHEMES = frozenset(
    {
        SignatureScheme.ECDSA_SECP256R1_SHA256,
        SignatureScheme.ECDSA_SECP384R1_SHA384,
        SignatureScheme.ECDSA_SECP521R1_SHA512,
        SignatureScheme.RSA_PSS_RSAE_SHA256,
        SignatureScheme.RSA_PSS_RSAE_SHA384,
        SignatureScheme.RSA_PSS_RSAE_SHA512,
        SignatureScheme.ED25519,
        SignatureScheme.ED448,
        SignatureScheme.RSA_PSS_PSS_SHA256,
        SignatureScheme.RSA_PSS_PSS_SHA384,
        SignatureScheme.RSA_PSS_PSS_SHA512,
    }
)

for _scheme in SignatureScheme:
    _scheme.signature_algorithm = _SCHEME_ALGORITHM.get(_scheme)
    _scheme.key_types = _SCHEME_KEY_TYPES.get(_scheme, ())
    _scheme.allowed_in_certificate_verify = _scheme in _CERTIFICATE_VERIFY_SCHEMES
    _scheme.is_rsa_pss_pss = _scheme in (
        SignatureScheme.RSA_PSS_PSS_SHA256,
        SignatureScheme.RSA_PSS_PSS_SHA384,
        SignatureScheme.RSA_PSS_PSS_SHA512,
    )


class CertificateType(enum.IntEnum):
    """RFC 8446 §4.4.2 / RFC 7250 §3 ``CertificateType``."""

    X509 = 0
    RAW_PUBLIC_KEY = 2


class PskKeyExchangeMode(enum.IntEnum):
    """RFC 8446 §4.2.9."""

    PSK_KE = 0
    PSK_DHE_KE = 1


class KeyUpdateRequest(enum.IntEnum):
    """RFC 8446 §4.6.3."""

    UPDATE_NOT_REQUESTED = 0
    UPDATE_REQUESTED = 1


class MaxFragmentLength(enum.IntEnum):
    """RFC 6066 §4: code -> 2^(8+code) bytes."""

    LENGTH_512 = 1
    LENGTH_1024 = 2
    LENGTH_2048 = 3
    LENGTH_4096 = 4

    @property
    def size(self) -> int:
        return 1 << (8 + int(self))


# Members by code point: a dict lookup instead of the (much slower) enum call, on hot paths.
CIPHER_SUITES_BY_CODE: dict[int, CipherSuite] = {member.value: member for member in CipherSuite}
NAMED_GROUPS_BY_CODE: dict[int, NamedGroup] = {member.value: member for member in NamedGroup}
SIGNATURE_SCHEMES_BY_CODE: dict[int, SignatureScheme] = {member.value: member for member in SignatureScheme}
