"""EDHOC over CoAP (RFC 9528 App. A.2), sans-I/O: what goes into each POST and each response.

Theory of operation
-------------------
EDHOC runs in POST requests to ``/.well-known/edhoc`` answered by 2.04 (Changed).
The CoAP client prepends, to every request payload, the CBOR encoding of the
connection identifier the server chose, or, for message_1 of the forward flow, the
CBOR simple value ``true`` (0xF5); responses carry no prefix because the token
correlates them (App. A.2).  Nothing here opens a socket: the aiocoap adaptor in
``edhoc_ra.asyncio`` feeds request payloads to a server object and response payloads
to a client exchange, and sends whatever they return.

* ``ForwardServer`` (CoAP server = Responder, App. A.2.1) keeps one ``Responder`` per
  session, keyed by the C_R it allocated; ``ReverseServer`` (CoAP server = Initiator,
  App. A.2.2) starts an ``Initiator`` on an empty POST and keys it by C_I.
  ``handle_request(payload)`` returns a ``CoapReply``: the response code, the
  Content-Format and the payload, plus the session if this request completed it.
* ``ForwardClient`` (CoAP client = Initiator) and ``ReverseClient`` (CoAP client =
  Responder) yield ``CoapRequest`` objects from ``next_request()`` and take each
  response in ``receive_response()``; ``result()`` gives the completed session or
  raises what went wrong.  After a local failure the engine's EDHOC error message is
  still sent, in a POST with the prefix of the message it replaces (App. A.2.3).

Errors (App. A.2.3): "EDHOC error messages sent as CoAP responses MUST be sent in the
payload of error responses": 4.00 (Bad Request) when the client's message was at
fault, 5.00 (Internal Server Error) when the server failed, Content-Format 64.
Both ends need a ``credential_resolver`` in their ``EdhocConfig``: there is no one
to answer ``CredentialRequested`` between two CoAP messages.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass, field, replace
from typing import Final

from ratscore import cbor
from ratscore.crypto import CryptoProvider, resolve_provider
from ratscore.errors import CryptoError, DecodeError, LocalProtocolError, RemoteProtocolError

from . import codec
from .config import EdhocConfig
from .connection import EdhocConnection, OscoreContext
from .errors import EdhocDecodeError, EdhocError
from .events import ErrorReceived, Event, HandshakeCompleted, Message1Received, Message2Verified, Message3Verified
from .initiator import Initiator
from .responder import Responder
from .states import State

__all__ = [
    "CONTENT_FORMAT_CID_EDHOC",
    "CONTENT_FORMAT_EDHOC",
    "NEW_SESSION_PREFIX",
    "WELL_KNOWN_EDHOC_PATH",
    "CoapReply",
    "CoapRequest",
    "CoapTransportError",
    "CompletedSession",
    "EdhocCoapServer",
    "ForwardClient",
    "ForwardServer",
    "HandshakeRejected",
    "ResponseCode",
    "ReverseClient",
    "ReverseServer",
    "prefix_payload",
    "split_combined_payload",
    "split_prefix",
]

WELL_KNOWN_EDHOC_PATH: Final = (".well-known", "edhoc")  # RFC 9528 §10.7
CONTENT_FORMAT_EDHOC: Final = 64  # application/edhoc+cbor-seq (RFC 9528 §10.9)
CONTENT_FORMAT_CID_EDHOC: Final = 65  # application/cid-edhoc+cbor-seq (RFC 9528 §10.9)
NEW_SESSION_PREFIX: Final = b"\xf5"  # CBOR true: "message_1 SHALL be prepended with ... true" (App. A.2)
_ONE_BYTE_IDS: Final = 48  # the CBOR integers -24..23 (RFC 9528 §3.3.2)


class ResponseCode(enum.IntEnum):
    """The CoAP response codes this binding uses (RFC 7252 §12.1.2), as code bytes."""

    CHANGED = 0x44  # 2.04
    BAD_REQUEST = 0x80  # 4.00
    UNSUPPORTED_CONTENT_FORMAT = 0x8F  # 4.15
    INTERNAL_SERVER_ERROR = 0xA0  # 5.00

    @staticmethod
    def is_success(code: int) -> bool:
        return 0x40 <= code < 0x60  # class 2


class HandshakeRejected(RemoteProtocolError):
    """The peer ended the session with an EDHOC error message (RFC 9528 §6)."""

    def __init__(self, error: ErrorReceived) -> None:
        super().__init__(f"the peer sent EDHOC error {error.err_code}: {error.err_info!r}")
        self.error = error


class CoapTransportError(RemoteProtocolError):
    """The server answered with a CoAP error that carries no EDHOC error message."""

    def __init__(self, code: int) -> None:
        super().__init__(f"CoAP error response {code >> 5}.{code & 0x1F:02d} without an EDHOC error message")
        self.code = code


def split_prefix(payload: bytes) -> tuple[bytes | None, bytes]:
    """(connection identifier, EDHOC message) of a client's payload; None for ``true``.

    "The prepended identifiers are encoded in CBOR and thus self-delimiting" (App. A.2),
    in the representation of RFC 9528 §3.3.2."""
    try:
        item, end = cbor.decode_first(payload, 0)
    except DecodeError as exc:
        raise EdhocDecodeError(f"connection identifier prefix: {exc}") from None
    if item is True:
        return None, payload[end:]
    return codec.decode_connection_id(item, "prefixed connection identifier"), payload[end:]


def prefix_payload(connection_id: bytes | None, message: bytes) -> bytes:
    """``true`` (for None) or the §3.3.2 encoding of ``connection_id``, then the message."""
    if connection_id is None:
        return NEW_SESSION_PREFIX + message
    return codec.encode_connection_id(connection_id) + message


def split_combined_payload(payload: bytes) -> tuple[bytes, bytes]:
    """(message_3, OSCORE payload) of an EDHOC + OSCORE request (RFC 9668 §3.3.1):
    COMB_PAYLOAD = EDHOC_MSG_3 ‖ OSCORE_PAYLOAD, message_3 being one CBOR bstr."""
    try:
        item, end = cbor.decode_first(payload, 0)
    except DecodeError as exc:
        raise EdhocDecodeError(f"EDHOC + OSCORE request: {exc}") from None
    if not isinstance(item, bytes) or end == len(payload):
        # §3.3.1: a COMB_PAYLOAD that is not message_3 followed by OSCORE's payload -> 4.00
        raise EdhocDecodeError("EDHOC + OSCORE request: no message_3 and OSCORE payload")
    return payload[:end], payload[end:]


@dataclass(frozen=True, slots=True, kw_only=True)
class CompletedSession:
    """A finished EDHOC session: the engine (its exporter stays usable) and its events."""

    connection: EdhocConnection
    handshake: HandshakeCompleted
    events: tuple[Event, ...]

    def oscore_context(self) -> OscoreContext:
        """OSCORE Master Secret/Salt and IDs of this session (RFC 9528 App. A.1)."""
        return self.connection.oscore_context()


@dataclass(frozen=True, slots=True, kw_only=True)
class CoapReply:
    """The response to one POST, and the session it completed, if any."""

    code: ResponseCode
    payload: bytes = b""
    content_format: int | None = None
    events: tuple[Event, ...] = ()
    completed: CompletedSession | None = None
    failure: Exception | None = None
    # C_R of a session that a combined EDHOC + OSCORE request may now complete (RFC 9668)
    awaiting_combined_request: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CoapRequest:
    """One POST to the EDHOC resource."""

    payload: bytes
    content_format: int | None = CONTENT_FORMAT_CID_EDHOC


def _require_resolver(config: EdhocConfig) -> None:
    if config.credential_resolver is None:
        raise LocalProtocolError("EDHOC over CoAP needs a credential_resolver in the EdhocConfig")


def _one(messages: list[bytes]) -> bytes:
    if len(messages) != 1:
        raise LocalProtocolError(f"expected one queued EDHOC message, found {len(messages)}")
    return messages[0]


# ---------------------------------------------------------------------------
# Servers


@dataclass(slots=True)
class _Session:
    connection: EdhocConnection
    events: list[Event] = field(default_factory=list)


class EdhocCoapServer(abc.ABC):
    """What ``ForwardServer`` and ``ReverseServer`` share: the session table keyed by
    the connection identifier the server chose, identifier allocation, error replies."""

    def __init__(
        self, config: EdhocConfig, *, crypto: CryptoProvider | str | None = None, max_sessions: int = 256
    ) -> None:
        _require_resolver(config)
        if config.connection_id is not None:
            raise LocalProtocolError("a CoAP server allocates its connection identifiers itself")
        self.config = config
        self._crypto = resolve_provider(crypto)
        self._max_sessions = max_sessions
        self._sessions: dict[bytes, _Session] = {}
        self._reserved: set[bytes] = set()  # identifiers still used as OSCORE Recipient IDs

    @property
    def pending_sessions(self) -> int:
        return len(self._sessions)

    def release(self, connection_id: bytes) -> None:
        """Allow ``connection_id`` to be allocated again (its OSCORE context is gone)."""
        self._reserved.discard(connection_id)

    def handle_request(self, payload: bytes, content_format: int | None = None) -> CoapReply:
        """Process the payload of one POST to the EDHOC resource."""
        if content_format not in (None, CONTENT_FORMAT_CID_EDHOC):
            return CoapReply(code=ResponseCode.UNSUPPORTED_CONTENT_FORMAT)
        try:
            return self._dispatch(bytes(payload))
        except EdhocError as exc:  # a malformed prefix, before any session
            return self._error_reply(ResponseCode.BAD_REQUEST, codec.ERR_UNSPECIFIED, str(exc), exc)

    # -- for subclasses -------------------------------------------------------------
    @abc.abstractmethod
    def _dispatch(self, payload: bytes) -> CoapReply: ...

    def _allocate(self, avoid: bytes | None) -> bytes:
        """A connection identifier not in use: a one-byte id if one is free (§3.3.2)."""
        taken = set(self._sessions) | self._reserved | ({avoid} if avoid is not None else set())
        start = self._crypto.random_bytes(1)[0] % _ONE_BYTE_IDS
        for step in range(_ONE_BYTE_IDS):
            candidate = cbor.encode((start + step) % _ONE_BYTE_IDS - 24)
            if candidate not in taken:
                return candidate
        while True:
            candidate = self._crypto.random_bytes(2)
            if candidate not in taken:
                return candidate

    def _error_reply(self, code: ResponseCode, err_code: int, err_info: str, failure: Exception) -> CoapReply:
        # App. A.2.3: an error response code and Content-Format application/edhoc+cbor-seq
        return CoapReply(
            code=code,
            payload=codec.encode_error(err_code, err_info),
            content_format=CONTENT_FORMAT_EDHOC,
            failure=failure,
        )

    def _engine_failed(self, connection: EdhocConnection, exc: EdhocError, events: list[Event]) -> CoapReply:
        """The engine rejected the client's message and queued the error message: 4.00."""
        queued = connection.messages_to_send()
        payload = queued[-1] if queued else codec.encode_error(exc.err_code, str(exc))
        return CoapReply(
            code=ResponseCode.BAD_REQUEST,
            payload=payload,
            content_format=CONTENT_FORMAT_EDHOC,
            events=tuple(events),
            failure=exc,
        )

    def _server_failed(self, exc: Exception) -> CoapReply:
        """Our own failure (configuration, key material): 5.00, no details to the peer."""
        return self._error_reply(ResponseCode.INTERNAL_SERVER_ERROR, codec.ERR_UNSPECIFIED, "internal error", exc)

    def _too_busy(self) -> CoapReply | None:
        if len(self._sessions) >= self._max_sessions:
            return self._server_failed(LocalProtocolError("too many EDHOC sessions in progress"))
        return None

    def _continue(self, key: bytes, message: bytes) -> CoapReply:
        """A message for a session in the table: run it and answer."""
        session = self._sessions.get(key)
        if session is None:
            unknown = EdhocDecodeError("no EDHOC session with that connection identifier")
            return self._error_reply(ResponseCode.BAD_REQUEST, codec.ERR_UNSPECIFIED, str(unknown), unknown)
        connection = session.connection
        events: list[Event] = []
        try:
            events += connection.receive_message(message)
            if any(isinstance(event, ErrorReceived) for event in events):
                del self._sessions[key]  # the client gave up (RFC 9528 §6): acknowledge it
                return CoapReply(code=ResponseCode.CHANGED, events=tuple(events))
            answer, more = self._advance(connection, events)
        except EdhocError as exc:
            del self._sessions[key]
            return self._engine_failed(connection, exc, events)
        except (LocalProtocolError, CryptoError) as exc:
            del self._sessions[key]
            return self._server_failed(exc)
        events += more
        session.events += events
        return self._reply(key, session, answer, events)

    @abc.abstractmethod
    def _advance(self, connection: EdhocConnection, events: list[Event]) -> tuple[bytes, list[Event]]:
        """Take the engine's next step after ``events``; the message to answer with."""
        ...

    def _reply(self, key: bytes, session: _Session, answer: bytes, events: list[Event]) -> CoapReply:
        completed = next((event for event in events if isinstance(event, HandshakeCompleted)), None)
        finished: CompletedSession | None = None
        if completed is not None:
            del self._sessions[key]
            self._reserved.add(key)  # now the OSCORE Recipient ID of this server (App. A.1)
            finished = CompletedSession(
                connection=session.connection, handshake=completed, events=tuple(session.events)
            )
        return CoapReply(
            code=ResponseCode.CHANGED,
            payload=answer,
            content_format=CONTENT_FORMAT_EDHOC if answer else None,
            events=tuple(events),
            completed=finished,
        )


class ForwardServer(EdhocCoapServer):
    """CoAP server = Responder (RFC 9528 App. A.2.1); sessions keyed by C_R."""

    def _dispatch(self, payload: bytes) -> CoapReply:
        connection_id, message = split_prefix(payload)
        if connection_id is not None:
            return self._continue(connection_id, message)  # C_R ‖ message_3 (or ‖ error)
        busy = self._too_busy()
        if busy is not None:
            return busy
        # true ‖ message_1: a new session
        responder = Responder(self.config, crypto=self._crypto)
        events: list[Event] = []
        try:
            events += responder.receive_message(message)
            # §3.3.3: C_R differs from C_I and from the server's other Recipient IDs
            c_r = self._allocate(avoid=responder.connection_id_initiator)
            events += responder.send_message_2(connection_id=c_r)
        except EdhocError as exc:
            return self._engine_failed(responder, exc, events)
        except (LocalProtocolError, CryptoError) as exc:
            return self._server_failed(exc)
        session = _Session(responder, events)
        self._sessions[c_r] = session
        reply = self._reply(c_r, session, _one(responder.messages_to_send()), events)
        if self.config.use_message_4:
            return reply
        return replace(reply, awaiting_combined_request=c_r)

    def handle_combined_request(self, c_r: bytes, message_3: bytes) -> CoapReply:
        """message_3 taken from an EDHOC + OSCORE request whose OSCORE 'kid' is ``c_r``
        (RFC 9668 §3.3.1).  The reply's payload, if any, is the EDHOC error message to
        send unprotected; on success the OSCORE request is processed next."""
        if self.config.use_message_4 and c_r in self._sessions:
            del self._sessions[c_r]
            # RFC 9668 §3.3.1: a profile that needs message_4 cannot use the combined request
            refused = EdhocDecodeError("this server's profile uses message_4: no EDHOC + OSCORE request")
            return self._error_reply(ResponseCode.BAD_REQUEST, codec.ERR_UNSPECIFIED, str(refused), refused)
        return self._continue(c_r, message_3)

    def _advance(self, connection: EdhocConnection, events: list[Event]) -> tuple[bytes, list[Event]]:
        assert isinstance(connection, Responder)
        if any(isinstance(event, Message3Verified) for event in events) and connection.config.use_message_4:
            more = connection.send_message_4()  # RFC 9528 §5.5: message_4 in the 2.04 response
            return _one(connection.messages_to_send()), more
        return b"", []  # "otherwise no EDHOC payload"


class ReverseServer(EdhocCoapServer):
    """CoAP server = Initiator (RFC 9528 App. A.2.2); sessions keyed by C_I."""

    def _dispatch(self, payload: bytes) -> CoapReply:
        if not payload:
            # "To trigger a new EDHOC session, the client makes an empty POST request"
            busy = self._too_busy()
            if busy is not None:
                return busy
            initiator = Initiator(self.config, crypto=self._crypto)
            c_i = self._allocate(avoid=None)
            try:
                initiator.start(connection_id=c_i)
            except (LocalProtocolError, CryptoError) as exc:
                return self._server_failed(exc)
            session = _Session(initiator)
            self._sessions[c_i] = session
            return self._reply(c_i, session, _one(initiator.messages_to_send()), [])
        connection_id, message = split_prefix(payload)
        if connection_id is None:
            wrong_flow = EdhocDecodeError("this resource runs the reverse message flow: POST an empty payload")
            return self._error_reply(ResponseCode.BAD_REQUEST, codec.ERR_UNSPECIFIED, str(wrong_flow), wrong_flow)
        return self._continue(connection_id, message)  # C_I ‖ message_2 / message_4 / error

    def _advance(self, connection: EdhocConnection, events: list[Event]) -> tuple[bytes, list[Event]]:
        assert isinstance(connection, Initiator)
        if any(isinstance(event, Message2Verified) for event in events):
            more = connection.send_message_3()  # message_3 in the 2.04 response
            return _one(connection.messages_to_send()), more
        return b"", []  # message_4 received: acknowledged with an empty 2.04


# ---------------------------------------------------------------------------
# Clients


class _ClientExchange(abc.ABC):
    """One EDHOC session driven by a CoAP client (see module doc)."""

    def __init__(self, connection: EdhocConnection) -> None:
        _require_resolver(connection.config)
        self.connection = connection
        self._queue: list[CoapRequest] = []
        self._events: list[Event] = []
        self._completed: HandshakeCompleted | None = None
        self._failure: Exception | None = None
        self._awaiting_error_ack = False

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._events)

    def next_request(self) -> CoapRequest | None:
        """The next POST to send, or None when the exchange is over."""
        return self._queue.pop(0) if self._queue else None

    def receive_response(self, code: int, payload: bytes, content_format: int | None = None) -> list[Event]:
        """Feed the response to the last request; returns the engine's events."""
        if self._awaiting_error_ack or self._failure is not None:
            self._awaiting_error_ack = False
            return []  # the answer to our error message carries nothing for us
        payload = bytes(payload)
        try:
            if ResponseCode.is_success(code):
                events = self._on_success(payload)
            else:
                events = self._on_error_response(code, payload, content_format)
        except EdhocError as exc:
            self._fail_locally(exc)
            return []
        self._events += events
        for event in events:
            if isinstance(event, HandshakeCompleted):
                self._completed = event
        return events

    def result(self) -> CompletedSession:
        """The completed session; raises ``HandshakeRejected``, ``CoapTransportError``
        or the engine's ``EdhocError`` if the exchange failed."""
        if self._failure is not None:
            raise self._failure
        if self._completed is None or self._queue:
            raise LocalProtocolError("the EDHOC exchange is not finished")
        return CompletedSession(connection=self.connection, handshake=self._completed, events=tuple(self._events))

    # -- for subclasses -------------------------------------------------------------
    @abc.abstractmethod
    def _on_success(self, payload: bytes) -> list[Event]: ...

    @abc.abstractmethod
    def _server_connection_id(self) -> bytes | None:
        """The identifier the server chose (the prefix of our requests), if known."""
        ...

    def _on_error_response(self, code: int, payload: bytes, content_format: int | None) -> list[Event]:
        """App. A.2.3: an error response carries an EDHOC error message, or it is a CoAP failure."""
        if content_format not in (None, CONTENT_FORMAT_EDHOC) or not payload:
            self._failure = CoapTransportError(code)
            return []
        try:
            err_code, err_info, suites_r = codec.decode_error(payload)
        except EdhocDecodeError:
            self._failure = CoapTransportError(code)
            return []
        if self.connection.state is State.START:  # nothing in flight the engine knows of
            event = ErrorReceived(err_code=err_code, err_info=err_info, suites_r=suites_r)
            self._failure = HandshakeRejected(event)
            return [event]
        events = self.connection.receive_message(payload)
        return self._after_peer_error(events)

    def _after_peer_error(self, events: list[Event]) -> list[Event]:
        error = next(event for event in events if isinstance(event, ErrorReceived))
        self._failure = HandshakeRejected(error)
        return events

    def _fail_locally(self, exc: Exception) -> None:
        """Send the engine's queued error message to the server (App. A.2), then fail."""
        self._failure = exc
        self._queue.clear()
        queued = self.connection.messages_to_send()
        connection_id = self._server_connection_id()
        if queued and connection_id is not None:
            self._queue.append(CoapRequest(payload=prefix_payload(connection_id, queued[-1])))
            self._awaiting_error_ack = True


class ForwardClient(_ClientExchange):
    """CoAP client = Initiator (RFC 9528 App. A.2.1).  After an error 2 with SUITES_R
    the Initiator starts again with a suite the server supports (§6.3.1), at most
    ``suite_retries`` times."""

    def __init__(self, initiator: Initiator, *, suite_retries: int = 1) -> None:
        super().__init__(initiator)
        self._initiator = initiator
        self._retries_left = suite_retries
        self._start()

    def _start(self) -> None:
        self._initiator.start()
        self._queue.append(CoapRequest(payload=prefix_payload(None, _one(self._initiator.messages_to_send()))))

    def _server_connection_id(self) -> bytes | None:
        return self._initiator.connection_id_responder

    def _on_success(self, payload: bytes) -> list[Event]:
        initiator = self._initiator
        if initiator.state is State.COMPLETED:
            return []  # the 2.04 to message_3 without message_4
        events = initiator.receive_message(payload)  # message_2, or message_4
        if any(isinstance(event, Message2Verified) for event in events):
            events += initiator.send_message_3()
            c_r = initiator.connection_id_responder
            assert c_r is not None
            self._queue.append(CoapRequest(payload=prefix_payload(c_r, _one(initiator.messages_to_send()))))
        return events

    def _after_peer_error(self, events: list[Event]) -> list[Event]:
        error = next(event for event in events if isinstance(event, ErrorReceived))
        common = set(error.suites_r or ()) & set(self._initiator.config.suites)
        if self._initiator.state is State.START and common and self._retries_left > 0:
            self._retries_left -= 1  # §6.3.1: error 2 with SUITES_R, try again with a suite from it
            self._start()
            return events
        return super()._after_peer_error(events)


class ReverseClient(_ClientExchange):
    """CoAP client = Responder (RFC 9528 App. A.2.2)."""

    def __init__(self, responder: Responder) -> None:
        super().__init__(responder)
        self._responder = responder
        self._c_i: bytes | None = None
        self._queue.append(CoapRequest(payload=b"", content_format=None))  # the empty trigger POST

    def _server_connection_id(self) -> bytes | None:
        return self._c_i

    def _on_success(self, payload: bytes) -> list[Event]:
        responder = self._responder
        if responder.state is State.COMPLETED:
            return []  # the 2.04 to message_4
        if responder.state is State.START:
            self._c_i = self._connection_id_of_message_1(payload)
        events = responder.receive_message(payload)  # message_1, or message_3
        if any(isinstance(event, Message1Received) for event in events):
            events += responder.send_message_2()
        elif any(isinstance(event, Message3Verified) for event in events) and responder.config.use_message_4:
            events += responder.send_message_4()
        queued = responder.messages_to_send()
        if queued:
            assert self._c_i is not None
            self._queue.append(CoapRequest(payload=prefix_payload(self._c_i, _one(queued))))
        return events

    @staticmethod
    def _connection_id_of_message_1(payload: bytes) -> bytes | None:
        """C_I, read before the engine so that an error about message_1 can still be
        prefixed with it (App. A.2.2); None if message_1 is too broken to tell."""
        try:
            return codec.decode_message_1(payload).c_i
        except EdhocError:
            return None
