"""State shared by the client and server handshake handlers, and the steps both roles take.

Theory of operation: a ``TLSConnection`` owns one ``HandshakeContext``.  The transition
table (``states.py``) maps ``(State, HandshakeType)`` to a handler in ``client.py`` or
``server.py``; a handler receives the context and the reassembled message, does the
work (decode, check, update the transcript, derive keys, queue our answer) and returns
the next ``State``.  Only the connection assigns it.

Handlers add each message to the transcript themselves, at the moment the RFC needs it:
CertificateVerify signs the transcript *through Certificate*, Finished MACs it *through
CertificateVerify* (RFC 8446 §4.4.1).  Outgoing handshake messages collect in a flight
(``queue_handshake``) that ``flush_flight`` frames under the current write key; a flight
is always flushed before the write key changes (RFC 8446 §5.1).
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ratscore.crypto import der
from ratscore.crypto.encoding import OID_RSASSA_PSS, public_key_to_spki
from ratscore.crypto.types import CryptoProvider, EcdsaEncoding, PrivateKey, PublicKey, Signer
from ratscore.errors import CryptoError, DecodeError, InvalidPublicKey, UnsupportedAlgorithm
from ratscore.x509 import Certificate as X509Certificate
from ratscore.x509 import CertificateError, CertificateErrorReason, Purpose, validate

from .alerts import (
    BadCertificate,
    CertificateExpired,
    DecodeErrorAlert,
    DecryptErrorAlert,
    IllegalParameter,
    InternalError,
    TLSAlert,
    UnknownCA,
    UnsupportedCertificate,
    UnsupportedExtension,
)
from .certificates import parse_certificate, validate_cached
from .codec import HandshakeMessage, HandshakeReassembler, encode_handshake
from .config import PerConfig, TLSConfig, VerifyMode
from .enums import (
    SIGNATURE_SCHEMES_BY_CODE,
    CertificateType,
    CipherSuite,
    ContentType,
    HandshakeType,
    NamedGroup,
    Role,
    SignatureScheme,
)
from .events import Event
from .key_schedule import Exporter, KeySchedule, Transcript, certificate_verify_content
from .messages import Certificate, CertificateEntry, CertificateVerify, ClientHello
from .record import RecordLayer

__all__ = ["Handler", "HandshakeContext", "State"]


class State(enum.Enum):
    """Where a connection is.  The ``CLIENT_``/``SERVER_`` states follow RFC 8446 §A.1/§A.2."""

    # Members are singletons compared by identity, so identity hashing is exact, and it runs in
    # C: ``Enum.__hash__`` is Python code, and the transition table is looked up per message.
    __hash__ = object.__hash__

    CLIENT_WAIT_SERVER_HELLO = "client: wait ServerHello"
    CLIENT_WAIT_SERVER_HELLO_AFTER_RETRY = "client: wait ServerHello after HelloRetryRequest"
    CLIENT_WAIT_ENCRYPTED_EXTENSIONS = "client: wait EncryptedExtensions"
    CLIENT_WAIT_CERTIFICATE_OR_REQUEST = "client: wait CertificateRequest or Certificate"
    CLIENT_WAIT_CERTIFICATE = "client: wait Certificate"
    CLIENT_WAIT_CERTIFICATE_VERIFY = "client: wait CertificateVerify"
    CLIENT_WAIT_FINISHED = "client: wait Finished"
    SERVER_WAIT_CLIENT_HELLO = "server: wait ClientHello"
    SERVER_WAIT_CLIENT_HELLO_AFTER_RETRY = "server: wait ClientHello after HelloRetryRequest"
    SERVER_WAIT_CERTIFICATE = "server: wait client Certificate"
    SERVER_WAIT_CERTIFICATE_VERIFY = "server: wait client CertificateVerify"
    SERVER_WAIT_FINISHED = "server: wait client Finished"
    CONNECTED = "connected"
    CLOSED = "closed by a fatal alert from the peer"
    ERROR = "error"


_CERTIFICATE_ALERTS: dict[CertificateErrorReason, type[TLSAlert]] = {
    # RFC 8446 §6.2 alert meanings; the mapping follows ratscore.x509.errors.
    CertificateErrorReason.BAD_SIGNATURE: BadCertificate,
    CertificateErrorReason.EXPIRED: CertificateExpired,
    CertificateErrorReason.NOT_YET_VALID: CertificateExpired,
    CertificateErrorReason.UNKNOWN_ISSUER: UnknownCA,
    CertificateErrorReason.NOT_A_CA: BadCertificate,
    CertificateErrorReason.PATH_TOO_LONG: BadCertificate,
    CertificateErrorReason.HOSTNAME_MISMATCH: BadCertificate,
    CertificateErrorReason.KEY_USAGE: UnsupportedCertificate,
    CertificateErrorReason.EXTENDED_KEY_USAGE: UnsupportedCertificate,
    CertificateErrorReason.UNSUPPORTED_CRITICAL_EXTENSION: UnsupportedCertificate,
    CertificateErrorReason.UNSUPPORTED_ALGORITHM: UnsupportedCertificate,
    CertificateErrorReason.MALFORMED: BadCertificate,
}


def spki_is_rsassa_pss(spki_der: bytes) -> bool:
    """True when a SubjectPublicKeyInfo names id-RSASSA-PSS (RFC 4055 §1.2) rather than rsaEncryption."""
    try:
        spki = der.DerReader(spki_der).read_sequence()
        return spki.read_sequence().read_oid() == OID_RSASSA_PSS
    except DecodeError:
        return False


def scheme_fits_key(scheme: SignatureScheme, key: PublicKey, spki_der: bytes) -> bool:
    """RFC 8446 §4.2.3: ECDSA schemes fix the curve; rsa_pss_rsae_* need an rsaEncryption key,
    rsa_pss_pss_* an id-RSASSA-PSS key."""
    if key.key_type not in scheme.key_types:
        return False
    if scheme.signature_algorithm is not None and scheme.signature_algorithm.is_rsa:
        return scheme.is_rsa_pss_pss == spki_is_rsassa_pss(spki_der)
    return True


def known_schemes(values: Sequence[int]) -> tuple[SignatureScheme, ...]:
    schemes = []
    for value in values:
        try:
            schemes.append(SignatureScheme(value))
        except ValueError:
            continue
    return tuple(schemes)


_chosen_schemes: PerConfig[tuple[CertificateType, tuple[int, ...]], SignatureScheme | None] = PerConfig(256)


def _first_fitting_scheme(
    ours: Sequence[SignatureScheme], peer_offered: Sequence[int], key: PublicKey, spki_der: bytes
) -> SignatureScheme | None:
    """Our first CertificateVerify scheme the peer offered that fits our key."""
    for scheme in ours:
        if scheme.allowed_in_certificate_verify and scheme in peer_offered and scheme_fits_key(scheme, key, spki_der):
            return scheme
    return None


# A server sends the same Certificate message on every connection: its encodings, by
# (context, chain), bounded (a post-handshake context makes each one unique).
_CERTIFICATE_MESSAGE_CACHE_SIZE = 64
_certificate_messages: dict[tuple[bytes, tuple[bytes, ...]], bytes] = {}


def _encoded_certificate_message(context: bytes, chain: tuple[bytes, ...]) -> bytes:
    key = (context, chain)
    encoded = _certificate_messages.get(key)
    if encoded is None:
        entries = tuple(CertificateEntry(data=certificate) for certificate in chain)
        encoded = Certificate(certificate_request_context=context, entries=entries).encode()
        if len(_certificate_messages) >= _CERTIFICATE_MESSAGE_CACHE_SIZE:
            _certificate_messages.clear()
        _certificate_messages[key] = encoded
    return encoded


@dataclass(slots=True, kw_only=True)
class HandshakeContext:
    """Everything a handshake handler reads and writes (see the module docstring)."""

    role: Role
    config: TLSConfig
    crypto: CryptoProvider
    record_layer: RecordLayer
    transcript: Transcript
    reassembler: HandshakeReassembler = field(default_factory=HandshakeReassembler)
    outgoing: bytearray = field(default_factory=bytearray)
    events: list[Event] = field(default_factory=list)
    flight: list[bytes] = field(default_factory=list)
    # Our credentials (parsed once).
    local_leaf: X509Certificate | None = None
    # Negotiated.
    cipher_suite: CipherSuite | None = None
    group: NamedGroup | None = None
    key_schedule: KeySchedule | None = None
    client_handshake_traffic_secret: bytes = b""
    server_handshake_traffic_secret: bytes = b""
    client_application_traffic_secret: bytes = b""
    server_application_traffic_secret: bytes = b""
    exporter: Exporter | None = None
    alpn_protocol: bytes | None = None
    server_name: str | None = None
    hello_retry_request: bool = False
    change_cipher_spec_sent: bool = False
    # RFC 7250: the negotiated certificate types (X.509 unless both sides agreed otherwise).
    local_certificate_type: CertificateType = CertificateType.X509
    peer_certificate_type: CertificateType = CertificateType.X509
    # The peer.
    peer_spki_der: bytes = b""
    peer_certificate_chain: tuple[bytes, ...] = ()
    peer_certificates: tuple[X509Certificate, ...] = ()
    peer_public_key: PublicKey | None = None
    peer_signature_scheme: SignatureScheme | None = None
    signature_scheme: SignatureScheme | None = None  # of our own CertificateVerify
    # The signature_algorithms the peer offered (ClientHello for a server, CertificateRequest for a client).
    peer_signature_algorithms: tuple[int, ...] = ()
    # What we asked for (client: in ClientHello, server: in CertificateRequest).
    offered_signature_algorithms: tuple[int, ...] = ()
    client_hello: ClientHello | None = None  # server: the ClientHello the handshake answered
    # Client state.
    client_random: bytes = b""
    legacy_session_id: bytes = b""
    key_share_private_keys: dict[NamedGroup, PrivateKey] = field(default_factory=dict)
    offered_extension_types: frozenset[int] = frozenset()
    certificate_requested: bool = False
    certificate_request_context: bytes = b""
    local_closed: bool = False
    # Server state.
    cookie: bytes | None = None
    first_client_hello: ClientHello | None = None

    # -- transcript and output ---------------------------------------------------------------
    def queue_handshake(self, raw: bytes) -> None:
        self.transcript.add(raw)  # RFC 8446 §4.4.1: every handshake message, header included, in order
        self.flight.append(raw)

    def flush_flight(self, *, legacy_record_version: int | None = None) -> None:
        if not self.flight:
            return
        data = b"".join(self.flight)
        self.flight.clear()
        if legacy_record_version is None:
            self.record_layer.send_into(self.outgoing, ContentType.HANDSHAKE, data)
        else:
            self.outgoing += self.record_layer.send(
                ContentType.HANDSHAKE, data, legacy_record_version=legacy_record_version
            )

    def send_change_cipher_spec_once(self) -> None:
        """RFC 8446 §D.4: one dummy change_cipher_spec per connection in compatibility mode."""
        if not self.change_cipher_spec_sent:
            self.change_cipher_spec_sent = True
            self.outgoing += self.record_layer.send_change_cipher_spec()

    @property
    def schedule(self) -> KeySchedule:
        if self.key_schedule is None:
            raise InternalError("key schedule used before the cipher suite is known")
        return self.key_schedule

    def start_key_schedule(self, suite: CipherSuite) -> None:
        self.cipher_suite = suite
        self.transcript.set_hash_algorithm(suite.hash_algorithm)
        self.key_schedule = KeySchedule(self.crypto, suite)

    # -- key exchange ------------------------------------------------------------------------
    def load_peer_share(self, group: NamedGroup, key_exchange: bytes) -> PublicKey:
        """RFC 8446 §4.2.8.1/§4.2.8.2: a share of the wrong size, off the curve or of low order
        is illegal_parameter."""
        key_type = group.key_type
        if key_type is None or len(key_exchange) != group.key_exchange_length:
            raise IllegalParameter("key share has the wrong length for its group")
        try:
            return self.crypto.load_public_key(key_type, key_exchange)
        except InvalidPublicKey:
            raise IllegalParameter("invalid key share") from None

    @staticmethod
    def shared_secret(private_key: PrivateKey, peer: PublicKey) -> bytes:
        try:
            return private_key.exchange(peer)
        except InvalidPublicKey:
            # RFC 8446 §7.4.2: an all-zero X25519/X448 result MUST be rejected.
            raise IllegalParameter("key exchange with the peer's share failed") from None

    def derive_handshake_keys(self, shared_secret: bytes) -> None:
        """RFC 8446 §7.1: handshake traffic secrets from ClientHello..ServerHello."""
        secrets = self.schedule.derive_handshake_secrets(shared_secret, self.transcript.digest())
        self.client_handshake_traffic_secret = secrets.client_handshake_traffic_secret
        self.server_handshake_traffic_secret = secrets.server_handshake_traffic_secret

    def derive_application_keys(self) -> None:
        """RFC 8446 §7.1: application secrets and exporter from ClientHello..server Finished."""
        schedule = self.schedule
        secrets = schedule.derive_application_secrets(self.transcript.digest())
        self.client_application_traffic_secret = secrets.client_application_traffic_secret
        self.server_application_traffic_secret = secrets.server_application_traffic_secret
        self.exporter = schedule.exporter(secrets.exporter_master_secret)

    def handshake_secret_of(self, role: Role) -> bytes:
        if role is Role.CLIENT:
            return self.client_handshake_traffic_secret
        return self.server_handshake_traffic_secret

    # -- extensions --------------------------------------------------------------------------
    @staticmethod
    def reject_unoffered(extension_types: Sequence[int], allowed: frozenset[int]) -> None:
        """RFC 8446 §4.2: "Upon receiving such an extension [a response to one not offered], an
        endpoint MUST abort the handshake with an "unsupported_extension" alert"."""
        for extension_type in extension_types:
            if extension_type not in allowed:
                raise UnsupportedExtension(f"extension {extension_type} was not offered")

    # -- our certificate ---------------------------------------------------------------------
    @property
    def signer(self) -> Signer | None:
        return self.config.private_key

    def local_spki_der(self) -> bytes | None:
        """The SubjectPublicKeyInfo we present: the leaf's, or (RFC 7250) our key's own."""
        signer = self.signer
        if signer is None:
            return None
        if self.local_certificate_type is CertificateType.RAW_PUBLIC_KEY:
            return public_key_to_spki(signer.public_key())
        return None if self.local_leaf is None else self.local_leaf.spki_der

    def select_signature_scheme(self, peer_offered: Sequence[int]) -> SignatureScheme | None:
        """Our first CertificateVerify scheme that fits our key and the peer offered (RFC 8446 §4.4.3).
        A function of the configuration, the certificate type we present and the offer, which
        repeat on every connection: remembered per those three."""
        config = self.config
        key = (self.local_certificate_type, tuple(peer_offered))
        found, scheme = _chosen_schemes.get(config, key)
        if found:
            return scheme
        signer = self.signer
        spki_der = self.local_spki_der()
        if signer is not None and spki_der is not None:
            scheme = _first_fitting_scheme(config.signature_schemes, peer_offered, signer.public_key(), spki_der)
        _chosen_schemes.put(config, key, scheme)
        return scheme

    def queue_certificate(self, context: bytes, *, send_chain: bool) -> None:
        """RFC 8446 §4.4.2: our chain, leaf first, or an empty list (a client declining).  RFC 7250
        §3: with RawPublicKey the single entry is our SubjectPublicKeyInfo."""
        chain: tuple[bytes, ...] = ()
        if send_chain and self.local_certificate_type is CertificateType.RAW_PUBLIC_KEY:
            spki_der = self.local_spki_der()
            assert spki_der is not None
            chain = (spki_der,)
        elif send_chain:
            chain = self.config.certificate_chain
        self.queue_handshake(_encoded_certificate_message(context, chain))

    def queue_certificate_verify(self, scheme: SignatureScheme) -> None:
        """RFC 8446 §4.4.3: sign 64 spaces || context string || 0 || Transcript-Hash(.. Certificate)."""
        signer = self.signer
        algorithm = scheme.signature_algorithm
        if signer is None or algorithm is None:
            raise InternalError("no signer for CertificateVerify")
        content = certificate_verify_content(self.role, self.transcript.digest())
        try:
            signature = signer.sign(content, algorithm, encoding=EcdsaEncoding.DER)
        except CryptoError:
            raise InternalError("signing CertificateVerify failed") from None
        self.signature_scheme = scheme
        self.queue_handshake(CertificateVerify(algorithm=scheme, signature=signature).encode())

    def queue_finished(self) -> None:
        """RFC 8446 §4.4.4: HMAC(finished_key(our handshake secret), Transcript-Hash(..))."""
        verify_data = self.schedule.finished_verify_data(self.handshake_secret_of(self.role), self.transcript.digest())
        self.queue_handshake(encode_handshake(HandshakeType.FINISHED, verify_data))  # = Finished(...).encode()

    # -- the peer's certificate --------------------------------------------------------------
    def accept_peer_certificate(self, message: Certificate, purpose: Purpose) -> None:
        """Parse and judge the peer's chain per ``config.verify_mode``; map failures to alerts."""
        entries = message.entries
        if any([entry.extensions for entry in entries]):
            # RFC 8446 §4.4.2: CertificateEntry extensions must answer ones we sent; we send none.
            raise UnsupportedExtension("CertificateEntry extension we did not request")
        chain = tuple([entry.data for entry in entries])
        if self.peer_certificate_type is CertificateType.RAW_PUBLIC_KEY:
            self._accept_raw_public_key(chain)
            return
        try:
            certificates = tuple([parse_certificate(data) for data in chain])
        except DecodeError:
            raise BadCertificate("peer certificate does not parse") from None
        leaf = certificates[0]
        config = self.config
        try:
            if config.verify_mode is VerifyMode.CERTIFICATE:
                hostname = config.server_name if (purpose is Purpose.SERVER_AUTH and config.check_hostname) else None
                if config.remember_validations:
                    validate_cached(
                        certificates,
                        config.trust_anchors,
                        now=config.now(),
                        crypto=self.crypto,
                        hostname=hostname,
                        purpose=purpose,
                    )
                else:
                    validate(
                        leaf,
                        certificates[1:],
                        config.trust_anchors,
                        now=config.now(),
                        crypto=self.crypto,
                        hostname=hostname,
                        purpose=purpose,
                    )
                public_key = leaf.public_key
            elif config.verify_mode is VerifyMode.PINNED:
                assert config.pinned_keys is not None
                public_key = config.pinned_keys.verify_certificate(leaf)
            else:
                public_key = leaf.public_key
        except CertificateError as error:
            raise _CERTIFICATE_ALERTS.get(error.reason, BadCertificate)(str(error)) from None
        if public_key is None:
            raise UnsupportedCertificate("peer public key type is not supported")
        self.peer_certificate_chain = chain
        self.peer_certificates = certificates
        self.peer_public_key = public_key
        self.peer_spki_der = leaf.spki_der

    def _accept_raw_public_key(self, chain: tuple[bytes, ...]) -> None:
        """RFC 7250 §3 (TLS 1.3 via RFC 8446 §4.4.2): one entry holding a SubjectPublicKeyInfo,
        trusted only if pinned (RFC 7250 §6: "the client needs to be able to validate the raw
        public key" out of band)."""
        if len(chain) != 1:
            raise BadCertificate("a raw public key Certificate carries exactly one entry")
        pinned = self.config.pinned_keys
        assert pinned is not None  # TLSConfig requires pins when raw public keys are accepted
        try:
            public_key = pinned.verify_raw_public_key(chain[0])
        except CertificateError as error:
            raise _CERTIFICATE_ALERTS.get(error.reason, BadCertificate)(str(error)) from None
        self.peer_certificate_chain = chain
        self.peer_certificates = ()
        self.peer_public_key = public_key
        self.peer_spki_der = chain[0]

    def choose_certificate_type(
        self, offered: Sequence[int] | None, ours: Sequence[CertificateType]
    ) -> CertificateType:
        """Server side of RFC 7250 §4.2: the first of ``ours`` that the client ``offered`` (X.509
        when the extension is absent); none in common -> "unsupported_certificate"."""
        candidates = (CertificateType.X509,) if offered is None else offered
        for certificate_type in ours:
            if certificate_type in candidates:
                return certificate_type
        raise UnsupportedCertificate("no certificate type in common")

    def verify_peer_certificate_verify(self, message: CertificateVerify, offered: Sequence[int]) -> None:
        """RFC 8446 §4.4.3: the scheme must be one we offered, valid in CertificateVerify and fit
        the key; a signature that does not verify is decrypt_error."""
        scheme = SIGNATURE_SCHEMES_BY_CODE.get(message.algorithm)
        if scheme is None:
            raise IllegalParameter("CertificateVerify with an unknown signature scheme")
        if scheme not in offered or not scheme.allowed_in_certificate_verify:
            raise IllegalParameter("CertificateVerify scheme not offered or not allowed in TLS 1.3")
        key = self.peer_public_key
        algorithm = scheme.signature_algorithm
        if key is None or algorithm is None or not scheme_fits_key(scheme, key, self.peer_spki_der):
            raise IllegalParameter("CertificateVerify scheme does not match the certificate key")
        content = certificate_verify_content(self.role.peer, self.transcript.digest())
        try:
            self.crypto.verify(key, message.signature, content, algorithm, encoding=EcdsaEncoding.DER)
        except (CryptoError, UnsupportedAlgorithm):
            raise DecryptErrorAlert("CertificateVerify signature does not verify") from None
        self.peer_signature_scheme = scheme

    def verify_peer_finished(self, message: HandshakeMessage) -> None:
        """RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the contents are
        correct and if incorrect MUST terminate the connection with a "decrypt_error" alert."""
        schedule = self.schedule
        # RFC 8446 §4.4.4: verify_data is exactly Hash.length bytes; any other length is a
        # malformed message (decode_error), before any MAC is computed.
        if len(message.body) != schedule.hash_length:
            raise DecodeErrorAlert("Finished has the wrong length")
        expected = schedule.finished_verify_data(self.handshake_secret_of(self.role.peer), self.transcript.digest())
        if not hmac.compare_digest(expected, message.body):
            raise DecryptErrorAlert("Finished does not verify")


Handler = Callable[[HandshakeContext, HandshakeMessage], State]
