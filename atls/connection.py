"""``TLSConnection``: the sans-I/O TLS 1.3 endpoint, client or server.

Theory of operation::

    events = conn.receive_data(bytes_from_transport)
    transport.write(conn.data_to_send())
    conn.send_data(b"..."); conn.key_update(request_peer_update=True); conn.close()

``receive_data`` feeds the record layer and pulls one record at a time, so a key
change (installed by a handshake handler) applies from the very next record.
Handshake records go through the reassembler; each whole message is dispatched
through the role's transition table (``states.py``): a missing ``(state, type)`` key
is unexpected_message.  Alerts from the peer become events: close_notify is
``ConnectionClosed`` (afterwards we ignore whatever arrives, RFC 8446 §6.1, and may
still send until ``close()``); any other alert ends the connection (``AlertReceived``).

On a peer violation (a ``TLSAlert``) the connection queues the fatal alert, moves to
ERROR and re-raises; every later call except ``data_to_send`` (which still hands out
that alert) raises ``LocalProtocolError``.

No session resumption and no 0-RTT: attested connections forbid them
(draft-fossati-seat-expat).  The server never sends NewSessionTicket, ignores a PSK
offer (full handshake) and never accepts early data; the client discards tickets.
"""

from __future__ import annotations

import contextlib

from ratscore.crypto import CryptoProvider, HashAlgorithm, PublicKey, Signer, resolve_provider
from ratscore.errors import CryptoError, DecodeError, LocalProtocolError, ProtocolError, RemoteProtocolError
from ratscore.x509 import Certificate as X509Certificate

from .alerts import AlertDescription, DecodeErrorAlert, InternalError, TLSAlert, UnexpectedMessage
from .certificates import parse_certificate
from .client import start_client
from .codec import HandshakeMessage, decode_alert, encode_alert
from .config import ClientAuthentication, PerConfig, TLSConfig, VerifyMode
from .enums import (
    CertificateType,
    CipherSuite,
    ContentType,
    HandshakeType,
    KeyUpdateRequest,
    NamedGroup,
    Role,
    SignatureScheme,
)
from .events import AlertReceived, ConnectionClosed, DataReceived, Event
from .handshake_common import HandshakeContext
from .handshake_post import send_key_update
from .key_schedule import Exporter, Transcript
from .record import RecordLayer
from .states import CLIENT_TRANSITIONS, SERVER_TRANSITIONS, State

__all__ = ["ClientConnection", "ServerConnection", "TLSConnection"]

# HandshakeType by code point: a dict lookup instead of the (much slower) enum call.
_HANDSHAKE_TYPES: dict[int, HandshakeType] = {member.value: member for member in HandshakeType}


def _check_config(config: TLSConfig, role: Role) -> X509Certificate | None:
    """``_judge_config``, remembered per (configuration, role): a frozen configuration cannot
    change its verdict, and a server checks the same one for every connection."""
    found, leaf = _checked_configs.get(config, role)
    if not found:
        leaf = _judge_config(config, role)
        _checked_configs.put(config, role, leaf)
    return leaf


_checked_configs: PerConfig[Role, X509Certificate | None] = PerConfig(64)


def _judge_config(config: TLSConfig, role: Role) -> X509Certificate | None:
    """Reject configurations that cannot work, before anything is sent (LocalProtocolError)."""
    if role is Role.SERVER and config.private_key is None:
        raise LocalProtocolError("a server needs certificate_chain and private_key")
    judges_peer = role is Role.CLIENT or config.client_authentication is not ClientAuthentication.NONE
    judges_x509 = CertificateType.X509 in config.peer_certificate_types
    if judges_peer and judges_x509 and config.verify_mode is VerifyMode.CERTIFICATE and not config.trust_anchors:
        raise LocalProtocolError("VerifyMode.CERTIFICATE needs trust_anchors")
    if not config.certificate_chain:
        return None
    try:
        leaf = parse_certificate(config.certificate_chain[0])
    except DecodeError as exc:
        raise LocalProtocolError(f"our leaf certificate does not parse: {exc}") from None
    assert config.private_key is not None
    if leaf.public_key != config.private_key.public_key():
        raise LocalProtocolError("private_key does not match the leaf certificate")
    return leaf


class TLSConnection:
    """One TLS 1.3 connection end (see the module docstring)."""

    def __init__(self, config: TLSConfig, role: Role) -> None:
        leaf = _check_config(config, role)
        crypto = resolve_provider(config.crypto)
        self._ctx = HandshakeContext(
            role=role,
            config=config,
            crypto=crypto,
            record_layer=RecordLayer(crypto, padding_policy=config.padding_policy),
            transcript=Transcript(crypto),
            local_leaf=leaf,
        )
        self._transitions = CLIENT_TRANSITIONS if role is Role.CLIENT else SERVER_TRANSITIONS
        self._peer_closed = False
        self._handshake_complete = False
        self._state = start_client(self._ctx) if role is Role.CLIENT else State.SERVER_WAIT_CLIENT_HELLO

    # -- receiving ---------------------------------------------------------------------------
    def receive_data(self, data: bytes) -> list[Event]:
        """Process bytes from the transport; return what happened.  Raises a ``TLSAlert`` (after
        queueing it) when the peer breaks the protocol; the events produced earlier in the same
        call (data from records before the bad one, a close_notify, ...) are then on the
        exception's ``events`` attribute."""
        self._check_usable()
        ctx = self._ctx
        if self._peer_closed or self._state is State.CLOSED:
            return []  # RFC 8446 §6.1: "Any data received after a closure alert ... MUST be ignored."
        try:
            record_layer = ctx.record_layer
            record_layer.receive_data(data)
            next_content, handle_record = record_layer.next_content, self._handle_record
            while not self._peer_closed and not self._closed_by_peer_alert():
                content = next_content()
                if content is None:
                    break
                handle_record(content[0], content[1])
        except TLSAlert as alert:
            self._fail(alert)
        except RemoteProtocolError as error:
            self._fail(DecodeErrorAlert(str(error)))
        except CryptoError as error:
            self._fail(InternalError(f"crypto provider failed: {type(error).__name__}"))
        events = list(ctx.events)
        ctx.events.clear()
        return events

    def _closed_by_peer_alert(self) -> bool:
        return self._state is State.CLOSED  # (a method: mypy would narrow an inline test away)

    def _handle_record(self, content_type: ContentType, data: bytes) -> None:
        """One record's content (after deprotection) of the given (inner) type."""
        ctx = self._ctx
        if content_type is ContentType.HANDSHAKE:
            reassembler, handle_handshake = ctx.reassembler, self._handle_handshake
            reassembler.feed(data)
            while self._state is not State.CLOSED and (message := reassembler.next_message()) is not None:
                handle_handshake(message)
            return
        # RFC 8446 §5.1: handshake messages may not be interleaved with other record types.
        if ctx.reassembler.pending:
            ctx.reassembler.ensure_aligned()
        if content_type is ContentType.ALERT:
            self._handle_alert(data)
        elif self._state is State.CONNECTED:
            if data:
                ctx.events.append(DataReceived(data=data))
        else:
            # RFC 8446 §2, §5: application data flows only after the handshake.
            raise UnexpectedMessage("application data before the handshake completed")

    def _handle_handshake(self, message: HandshakeMessage) -> None:
        handshake_type = _HANDSHAKE_TYPES.get(message.msg_type)
        if handshake_type is None:
            raise UnexpectedMessage(f"unknown handshake message type {message.msg_type}")
        handler = self._transitions.get((self._state, handshake_type))
        if handler is None:
            raise UnexpectedMessage(f"{handshake_type.name} not allowed in state {self._state.value!r}")
        self._state = handler(self._ctx, message)
        if self._state is State.CONNECTED:
            self._handshake_complete = True

    def _handle_alert(self, fragment: bytes) -> None:
        level, description = decode_alert(fragment)
        if description == AlertDescription.CLOSE_NOTIFY:
            self._peer_closed = True
            self._ctx.events.append(ConnectionClosed())
            return
        self._ctx.events.append(AlertReceived(level=level, description=description))
        # RFC 8446 §6.1: user_canceled is followed by close_notify; every other alert is an error
        # alert (§6.2: "MUST NOT allow any further data to be sent or received").
        if description != AlertDescription.USER_CANCELED:
            self._state = State.CLOSED

    def _fail(self, alert: TLSAlert) -> None:
        """Queue the fatal alert, enter ERROR, raise (STYLE: alert first, then state, then raise).
        Events this ``receive_data`` call produced before the violation travel on the
        exception as ``alert.events`` (the call cannot also return them)."""
        ctx = self._ctx
        alert.events = tuple(ctx.events)
        ctx.events.clear()
        ctx.flight.clear()
        with contextlib.suppress(ProtocolError, CryptoError):
            ctx.outgoing += ctx.record_layer.send(ContentType.ALERT, encode_alert(alert.description))
        self._state = State.ERROR
        raise alert

    # -- actions -----------------------------------------------------------------------------
    def data_to_send(self) -> bytes:
        """Bytes for the transport (including a fatal alert queued on the way to ERROR)."""
        out = bytes(self._ctx.outgoing)
        self._ctx.outgoing.clear()
        return out

    def send_data(self, data: bytes) -> None:
        """Queue application data (after the handshake, before ``close``)."""
        self._check_can_send("send_data")
        if data:
            self._ctx.record_layer.send_into(self._ctx.outgoing, ContentType.APPLICATION_DATA, bytes(data))

    def key_update(self, request_peer_update: bool = False) -> None:
        """RFC 8446 §4.6.3: update our sending key; optionally ask the peer to update its own."""
        self._check_can_send("key_update")
        request = KeyUpdateRequest.UPDATE_REQUESTED if request_peer_update else KeyUpdateRequest.UPDATE_NOT_REQUESTED
        send_key_update(self._ctx, request)

    def close(self) -> None:
        """Send close_notify (RFC 8446 §6.1).  We may keep receiving until the peer closes too."""
        self._check_usable()
        ctx = self._ctx
        if ctx.local_closed or self._state is State.CLOSED:
            ctx.local_closed = True
            return
        ctx.local_closed = True
        ctx.outgoing += ctx.record_layer.send(ContentType.ALERT, encode_alert(AlertDescription.CLOSE_NOTIFY))

    def exporter(self, label: bytes, context: bytes = b"", length: int | None = None) -> bytes:
        """RFC 8446 §7.5 TLS-Exporter(label, context, length); length defaults to Hash.length."""
        return self.get_exporter().export(label, context, length)

    def get_exporter(self) -> Exporter:
        """The connection's exporter object (for RFC 9261 Exported Authenticators)."""
        self._check_usable()
        if not self._handshake_complete or self._ctx.exporter is None:
            raise LocalProtocolError("the exporter is available once the handshake has completed")
        return self._ctx.exporter

    def _check_usable(self) -> None:
        if self._state is State.ERROR:
            raise LocalProtocolError("the connection failed; it cannot be used any more")

    def _check_can_send(self, action: str) -> None:
        self._check_usable()
        if self._state is not State.CONNECTED or not self._handshake_complete:
            raise LocalProtocolError(f"{action} needs a completed handshake (state: {self._state.value})")
        if self._ctx.local_closed:
            raise LocalProtocolError(f"{action} after close()")

    # -- what the connection negotiated ------------------------------------------------------
    @property
    def role(self) -> Role:
        return self._ctx.role

    @property
    def state(self) -> State:
        return self._state

    @property
    def crypto(self) -> CryptoProvider:
        return self._ctx.crypto

    @property
    def handshake_complete(self) -> bool:
        return self._handshake_complete

    @property
    def peer_closed(self) -> bool:
        """True once the peer's close_notify arrived."""
        return self._peer_closed

    @property
    def local_closed(self) -> bool:
        """True once we sent close_notify."""
        return self._ctx.local_closed

    @property
    def cipher_suite(self) -> CipherSuite | None:
        return self._ctx.cipher_suite

    @property
    def hash_algorithm(self) -> HashAlgorithm | None:
        """The negotiated suite's hash: the Exported Authenticator hash (RFC 9261 §5.1)."""
        suite = self._ctx.cipher_suite
        return None if suite is None else suite.hash_algorithm

    @property
    def group(self) -> NamedGroup | None:
        return self._ctx.group

    @property
    def alpn_protocol(self) -> bytes | None:
        return self._ctx.alpn_protocol

    @property
    def server_name(self) -> str | None:
        return self._ctx.server_name

    @property
    def signature_scheme(self) -> SignatureScheme | None:
        """The scheme of our own CertificateVerify (None when we sent no certificate)."""
        return self._ctx.signature_scheme

    @property
    def peer_signature_scheme(self) -> SignatureScheme | None:
        return self._ctx.peer_signature_scheme

    @property
    def peer_certificate_chain(self) -> tuple[bytes, ...]:
        """The peer's certificates as sent (DER, leaf first); empty when it sent none."""
        return self._ctx.peer_certificate_chain

    @property
    def peer_certificates(self) -> tuple[X509Certificate, ...]:
        return self._ctx.peer_certificates

    @property
    def certificate_type(self) -> CertificateType:
        """What we presented (RFC 7250): X509 unless a raw public key was negotiated."""
        return self._ctx.local_certificate_type

    @property
    def peer_certificate_type(self) -> CertificateType:
        """What the peer presented (RFC 7250); with RAW_PUBLIC_KEY ``peer_certificate_chain``
        holds its SubjectPublicKeyInfo and ``peer_certificates`` is empty."""
        return self._ctx.peer_certificate_type

    @property
    def peer_public_key(self) -> PublicKey | None:
        return self._ctx.peer_public_key

    @property
    def certificate_chain(self) -> tuple[bytes, ...]:
        """Our own certificate chain (DER, leaf first)."""
        return self._ctx.config.certificate_chain

    @property
    def signer(self) -> Signer | None:
        """Our own leaf key (what RFC 9261 authenticators are signed with)."""
        return self._ctx.config.private_key

    @property
    def peer_signature_algorithms(self) -> tuple[int, ...]:
        """Server: the client's signature_algorithms (RFC 9261 §5.2.2 spontaneous authenticators);
        client: those of the server's CertificateRequest."""
        return self._ctx.peer_signature_algorithms

    @property
    def client_hello_extension_types(self) -> tuple[int, ...]:
        """Server: the extension types of the ClientHello (RFC 9261 §5.2.1)."""
        hello = self._ctx.client_hello
        return () if hello is None else tuple([extension.extension_type for extension in hello.extensions])

    def transcript_hash_through(self, handshake_type: HandshakeType) -> bytes:
        """Transcript-Hash (RFC 8446 §4.4.1) up to and including the last message of this type
        (e.g. ``HandshakeType.FINISHED``: the handshake context through the last Finished).
        Recorded after ServerHello (or HelloRetryRequest), Certificate, CertificateVerify and
        Finished, the points where the handshake itself needs the hash; other types raise
        ``LocalProtocolError``."""
        try:
            return self._ctx.transcript.recorded[handshake_type]
        except KeyError:
            raise LocalProtocolError(f"no transcript hash recorded through {handshake_type.name}") from None


class ClientConnection(TLSConnection):
    """A client: its ClientHello is queued on construction."""

    def __init__(self, config: TLSConfig) -> None:
        super().__init__(config, Role.CLIENT)


class ServerConnection(TLSConnection):
    """A server: waits for a ClientHello."""

    def __init__(self, config: TLSConfig) -> None:
        super().__init__(config, Role.SERVER)
