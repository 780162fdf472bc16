"""Connection configuration: one frozen ``TLSConfig`` for both roles.

Everything a handshake decides comes from here: what we offer (cipher suites, groups,
signature schemes, ALPN, SNI), what we prove (certificate chain and ``Signer``), how we
judge the peer (``VerifyMode`` with trust anchors or pinned keys), record-layer options
(padding, record_size_limit, max_fragment_length) and the two outside inputs a sans-I/O
engine needs: the crypto provider and a clock.  ``now`` is the only place that reads
the wall clock, and only through the injected callable, so tests pass a fixed time.

No session resumption and no 0-RTT: attested connections forbid them
(draft-fossati-seat-expat), so nothing here configures tickets or early data.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ratscore.crypto import CryptoProvider, Signer
from ratscore.errors import LocalProtocolError
from ratscore.x509 import Certificate, PinnedKeyVerifier

from .enums import CertificateType, CipherSuite, MaxFragmentLength, NamedGroup, SignatureScheme
from .record import MAX_INNER_PLAINTEXT_LENGTH, PaddingPolicy, no_padding

__all__ = [
    "ALL_CIPHER_SUITES",
    "DEFAULT_CIPHER_SUITES",
    "DEFAULT_GROUPS",
    "DEFAULT_SIGNATURE_SCHEMES",
    "ClientAuthentication",
    "PerConfig",
    "TLSConfig",
    "VerifyMode",
    "utc_now",
]

# RFC 8446 §9.1: AES-128-GCM is mandatory; AES-256-GCM and ChaCha20 SHOULD be.  The CCM
# suites (RFC 8446 §B.4) are for constrained peers and offered only when asked.
DEFAULT_CIPHER_SUITES: tuple[CipherSuite, ...] = (
    CipherSuite.TLS_AES_128_GCM_SHA256,
    CipherSuite.TLS_AES_256_GCM_SHA384,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
)
ALL_CIPHER_SUITES: tuple[CipherSuite, ...] = (
    *DEFAULT_CIPHER_SUITES,
    CipherSuite.TLS_AES_128_CCM_SHA256,
    CipherSuite.TLS_AES_128_CCM_8_SHA256,
)
# RFC 8446 §9.1: secp256r1 MUST, X25519 SHOULD.
DEFAULT_GROUPS: tuple[NamedGroup, ...] = (
    NamedGroup.X25519,
    NamedGroup.SECP256R1,
    NamedGroup.X448,
    NamedGroup.SECP384R1,
)
# What we put in signature_algorithms.  The rsa_pkcs1_* entries are there for certificate
# signatures only (RFC 8446 §4.2.3: without signature_algorithms_cert, signature_algorithms
# also governs certificates); they are never used or accepted in CertificateVerify.
DEFAULT_SIGNATURE_SCHEMES: tuple[SignatureScheme, ...] = (
    SignatureScheme.ECDSA_SECP256R1_SHA256,
    SignatureScheme.ECDSA_SECP384R1_SHA384,
    SignatureScheme.ED25519,
    SignatureScheme.ED448,
    SignatureScheme.RSA_PSS_RSAE_SHA256,
    SignatureScheme.RSA_PSS_RSAE_SHA384,
    SignatureScheme.RSA_PSS_RSAE_SHA512,
    SignatureScheme.RSA_PSS_PSS_SHA256,
    SignatureScheme.RSA_PSS_PSS_SHA384,
    SignatureScheme.RSA_PSS_PSS_SHA512,
    SignatureScheme.RSA_PKCS1_SHA256,
    SignatureScheme.RSA_PKCS1_SHA384,
    SignatureScheme.RSA_PKCS1_SHA512,
)


class VerifyMode(enum.Enum):
    """How the peer's certificate is judged."""

    NONE = "none"  # accept any certificate (its key still has to sign CertificateVerify)
    CERTIFICATE = "certificate"  # RFC 5280 path to ``trust_anchors`` (+ hostname on a client)
    PINNED = "pinned"  # the leaf's SubjectPublicKeyInfo must be one of ``pinned_keys``


class ClientAuthentication(enum.Enum):
    """Server setting: whether to send a CertificateRequest (RFC 8446 §4.3.2)."""

    NONE = "none"
    REQUEST = "request"  # an empty client Certificate is accepted
    REQUIRE = "require"  # an empty client Certificate -> certificate_required (RFC 8446 §4.4.2.4)


def utc_now() -> datetime.datetime:
    """The default clock: the current time in UTC (used only for certificate validity)."""
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class TLSConfig:
    """Settings for either role; fields that apply to one role say so."""

    cipher_suites: tuple[CipherSuite, ...] = DEFAULT_CIPHER_SUITES
    groups: tuple[NamedGroup, ...] = DEFAULT_GROUPS
    # Client: the groups (a prefix of ``groups`` by default: the first one) we send key shares for.
    key_share_groups: tuple[NamedGroup, ...] | None = None
    signature_schemes: tuple[SignatureScheme, ...] = DEFAULT_SIGNATURE_SCHEMES
    # RFC 8446 §4.2.3 signature_algorithms_cert; None: not sent (signature_algorithms applies).
    certificate_signature_schemes: tuple[SignatureScheme, ...] | None = None
    # Our credentials: DER certificates, leaf first, and the leaf key's signer.  With
    # RAW_PUBLIC_KEY in ``certificate_types`` the chain may be empty (RFC 7250).
    certificate_chain: tuple[bytes, ...] = ()
    private_key: Signer | None = None
    # RFC 7250 §3: the certificate types we can present (preference order) and those we accept
    # from the peer.  A raw public key (RAW_PUBLIC_KEY) is sent as our key's SubjectPublicKeyInfo
    # and a peer's is accepted only when ``pinned_keys`` pins it.  The X.509-only default sends
    # neither extension.
    certificate_types: tuple[CertificateType, ...] = (CertificateType.X509,)
    peer_certificate_types: tuple[CertificateType, ...] = (CertificateType.X509,)
    # How we judge the peer.
    verify_mode: VerifyMode = VerifyMode.CERTIFICATE
    trust_anchors: tuple[Certificate, ...] = ()
    pinned_keys: PinnedKeyVerifier | None = None
    # Client: SNI (RFC 6066 §3) and the name the server certificate must carry.
    server_name: str | None = None
    check_hostname: bool = True
    # RFC 7301: client offers these in order; the server picks its first one the client offered.
    alpn_protocols: tuple[bytes, ...] = ()
    client_authentication: ClientAuthentication = ClientAuthentication.NONE
    # RFC 8449: the largest TLSInnerPlaintext we accept (64 .. 2^14 + 1); None: not offered by a
    # client, the protocol maximum answered by a server.
    record_size_limit: int | None = None
    # RFC 6066 §4 (client: offered when set).  record_size_limit takes precedence (RFC 8449 §5).
    max_fragment_length: MaxFragmentLength | None = None
    padding_policy: PaddingPolicy = no_padding
    # RFC 8446 §D.4 middlebox compatibility mode (client: 32-byte session id and a CCS).
    middlebox_compatibility: bool = True
    # Server: always answer the first ClientHello with a HelloRetryRequest carrying a cookie
    # (RFC 8446 §4.2.2).  Group mismatches cause an HRR regardless.
    hello_retry_cookie: bool = False
    # Server, with ``hello_retry_cookie``: makes the cookie from Hash(ClientHello1) (the hash of the
    # negotiated suite); None: 32 random bytes.  The server keeps what it sent, and ClientHello2 must
    # echo it exactly (RFC 8446 §4.2.2), so no separate verifier is needed.
    hello_retry_cookie_factory: Callable[[bytes], bytes] | None = None
    # Server: the list sent in EncryptedExtensions supported_groups (RFC 8446 §4.2.7); None: not sent.
    advertised_groups: tuple[int, ...] | None = None
    # Remember successful path validations (``atls.certificates``: keyed by the exact chain,
    # anchors, hostname and purpose, answered only inside the path's validity window).  False:
    # every handshake validates the peer's chain from scratch, as OpenSSL does, and nothing is
    # stored.
    remember_validations: bool = True
    now: Callable[[], datetime.datetime] = field(default=utc_now)
    crypto: CryptoProvider | str | None = None

    def __post_init__(self) -> None:
        if not self.cipher_suites:
            raise LocalProtocolError("at least one cipher suite is required")
        if not self.groups:
            raise LocalProtocolError("at least one group is required")
        for group in self.groups:
            if NamedGroup(group).key_type is None:
                raise LocalProtocolError(f"group {group!r} is not implemented")
        if self.key_share_groups is not None and (
            not self.key_share_groups or not set(self.key_share_groups) <= set(self.groups)
        ):
            raise LocalProtocolError("key_share_groups must be a non-empty subset of groups")
        if not self.signature_schemes:
            raise LocalProtocolError("at least one signature scheme is required")
        if self.certificate_chain and self.private_key is None:
            raise LocalProtocolError("certificate_chain and private_key go together")
        if self.private_key is not None and not self.certificate_chain and self.sends_x509_only:
            raise LocalProtocolError("certificate_chain and private_key go together")
        if not self.certificate_types or not self.peer_certificate_types:
            raise LocalProtocolError("certificate_types and peer_certificate_types must not be empty")
        if CertificateType.RAW_PUBLIC_KEY in self.peer_certificate_types and self.pinned_keys is None:
            raise LocalProtocolError("accepting raw public keys (RFC 7250) needs pinned_keys")
        if self.record_size_limit is not None and not 64 <= self.record_size_limit <= MAX_INNER_PLAINTEXT_LENGTH:
            raise LocalProtocolError("record_size_limit must be 64 .. 2^14 + 1")  # RFC 8449 §4
        if self.verify_mode is VerifyMode.PINNED and self.pinned_keys is None:
            raise LocalProtocolError("VerifyMode.PINNED needs pinned_keys")
        if self.hello_retry_cookie_factory is not None and not self.hello_retry_cookie:
            raise LocalProtocolError("hello_retry_cookie_factory needs hello_retry_cookie=True")
        if any(not 1 <= len(protocol) <= 255 for protocol in self.alpn_protocols):
            raise LocalProtocolError("ALPN protocol names are 1..255 bytes")  # RFC 7301 §3.1

    @property
    def sends_x509_only(self) -> bool:
        return tuple(self.certificate_types) == (CertificateType.X509,)

    @property
    def accepts_x509_only(self) -> bool:
        return tuple(self.peer_certificate_types) == (CertificateType.X509,)

    @property
    def offered_key_share_groups(self) -> tuple[NamedGroup, ...]:
        return self.key_share_groups if self.key_share_groups is not None else self.groups[:1]


_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class PerConfig(Generic[_K, _V]):
    """Values derived from a (frozen) ``TLSConfig`` and a key, remembered per configuration
    object: what a connection would otherwise recompute identically for every connection.
    Entries hold their configuration, so its ``id`` cannot be reused while it is cached; the
    table is bounded (emptied when full)."""

    __slots__ = ("_entries", "_limit")

    def __init__(self, limit: int) -> None:
        self._entries: dict[tuple[int, _K], tuple[TLSConfig, _V]] = {}
        self._limit = limit

    def get(self, config: TLSConfig, key: _K) -> tuple[bool, _V | None]:
        """(found, value)."""
        entry = self._entries.get((id(config), key))
        if entry is not None and entry[0] is config:
            return True, entry[1]
        return False, None

    def put(self, config: TLSConfig, key: _K, value: _V) -> None:
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[(id(config), key)] = (config, value)
