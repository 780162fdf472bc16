"""What the Initiator and Responder engines share (RFC 9528 §5, §6).

Theory of operation
-------------------
An engine is sans-I/O: ``receive_message(bytes)`` returns events,
``messages_to_send()`` drains the queue of outgoing messages, and action methods
move the handshake on.  A received message is classified (message_1, single-bstr
message, error) and dispatched through the role's transition table in ``states``;
a missing entry is a protocol violation.  Handlers return the next state and their
events; only ``_dispatch`` assigns the state.

On a peer violation the engine queues an EDHOC error message (RFC 9528 §5.1: "the
Responder/Initiator MUST send an EDHOC error message back ... and the EDHOC session
MUST be aborted"), moves to ERROR and raises the ``EdhocError`` subclass naming the
ERR_CODE.  No error is sent in reply to an error or after completion (§5.1, §6.1).
An error message from the peer is an ``ErrorReceived`` event.  Every later call on
an engine in ERROR or ABORTED raises ``LocalProtocolError``.

The same message received twice in a row is not processed again (§7: "the received
message MUST NOT be processed more than once in the same EDHOC session").
"""

from __future__ import annotations

import abc
import hmac
import operator
from collections.abc import Callable, Sequence
from typing import ClassVar, Final, NoReturn, TypeVar

from ratscore import cbor
from ratscore.cose import sig_structure
from ratscore.crypto import (
    CryptoProvider,
    EcdsaEncoding,
    KeyType,
    PrivateKey,
    PublicKey,
    resolve_provider,
)
from ratscore.errors import CryptoError, DecodeError, LocalProtocolError, UnsupportedAlgorithm

from . import codec
from .config import EdhocConfig
from .credentials import Credential, IdCred
from .ead import EadItem, EadProcessingError, SessionContext, encode_ead
from .errors import (
    AuthenticationFailed,
    EdhocDecodeError,
    EdhocError,
    InvalidPeerKey,
    UnknownCredentialReferenced,
    UnspecifiedEdhocError,
)
from .events import CredentialRequested, EadReceived, EadVerified, ErrorReceived, Event
from .keyschedule import KeySchedule, Label
from .states import MessageKind, State
from .suites import CipherSuite, Method, Role

__all__ = ["EdhocConnection", "OscoreContext"]

_TERMINAL: Final = (State.ERROR, State.ABORTED)
_CONNECTION_ID_VALUES: Final = 48  # the one-byte CBOR integers -24..23 (RFC 9528 §3.3.2)
# Without a debug_log, ``_log`` is this C-level two-argument call with no effect: some
# fifty intermediate values per handshake then cost almost nothing.
_DISCARD: Final[Callable[[str, bytes], object]] = operator.is_
_Argument = TypeVar("_Argument")


class OscoreContext:
    """OSCORE Security Context parameters from EDHOC (RFC 9528 App. A.1)."""

    __slots__ = ("aead_algorithm", "hkdf_algorithm", "master_salt", "master_secret", "recipient_id", "sender_id")

    def __init__(
        self,
        *,
        master_secret: bytes,
        master_salt: bytes,
        sender_id: bytes,
        recipient_id: bytes,
        aead_algorithm: int,
        hkdf_algorithm: int,
    ) -> None:
        self.master_secret = master_secret
        self.master_salt = master_salt
        self.sender_id = sender_id
        self.recipient_id = recipient_id
        self.aead_algorithm = aead_algorithm  # COSE algorithm id of the application AEAD
        self.hkdf_algorithm = hkdf_algorithm  # COSE algorithm id of the application hash

    def __repr__(self) -> str:  # keep the secret out of logs
        return f"OscoreContext(sender_id={self.sender_id.hex()}, recipient_id={self.recipient_id.hex()})"


def classify(data: bytes) -> MessageKind:
    """Tell message_1, error and single-bstr messages apart by their first items."""
    if not data:
        raise EdhocDecodeError("empty message")
    major = data[0] >> 5
    if major == 2:
        return MessageKind.CIPHERTEXT
    if major not in (0, 1):
        raise EdhocDecodeError("an EDHOC message starts with an int or a bstr")
    if len(data) > 2 and codec.is_one_byte_int_encoding(data[:1]) and codec.is_one_byte_int_encoding(data[1:2]):
        # Two one-byte ints (METHOD, a lone suite) and more: a message_1 (RFC 9528 §5.2.1).
        return MessageKind.MESSAGE_1
    try:
        _, end = cbor.decode_first(data, 0)
        _, end = cbor.decode_first(data, end, require_sorted_keys=False)
    except DecodeError as exc:
        raise EdhocDecodeError(str(exc)) from None
    return MessageKind.ERROR if end == len(data) else MessageKind.MESSAGE_1


class EdhocConnection(abc.ABC):
    """Base of ``Initiator`` and ``Responder`` (see module doc)."""

    role: ClassVar[Role]
    _transitions: ClassVar[dict[tuple[State, MessageKind], str]]

    # Session values start as these immutable class-level defaults; an engine stores
    # its own value on first assignment (one engine per handshake: fewer stores).
    _last_received: bytes | None = None
    _suite: CipherSuite | None = None
    _schedule: KeySchedule | None = None
    _c_i: bytes | None = None
    _c_r: bytes | None = None
    _message_1: bytes | None = None
    _message_2: bytes | None = None
    _hash_message_1: bytes = b""
    _ephemeral: PrivateKey | None = None
    _peer_ephemeral: PublicKey | None = None
    _th_2: bytes = b""
    _th_3: bytes = b""
    _th_4: bytes = b""
    _prk_2e: bytes = b""
    _prk_3e2m: bytes = b""
    _prk_4e3m: bytes = b""
    _prk_out: bytes = b""
    _prk_exporter: bytes = b""
    # message_2 / message_3 parsed but not yet verified (waiting for the credential)
    _pending_plaintext: bytes = b""
    _pending_id_cred: IdCred | None = None
    _pending_signature_or_mac: bytes = b""
    _pending_ead_bytes: bytes = b""
    _peer_credential: Credential | None = None

    def __init__(self, config: EdhocConfig, *, crypto: CryptoProvider | str | None = None) -> None:
        self.config = config
        debug_log = config.debug_log
        self._log: Callable[[str, bytes], object] = debug_log if debug_log is not None else _DISCARD
        self._crypto = resolve_provider(crypto)
        self._state = State.START
        self._outgoing: list[bytes] = []
        self._method: Method = config.method
        self._unverified_ead: list[tuple[int, tuple[EadItem, ...]]] = []

    # -- public state ----------------------------------------------------------------
    @property
    def state(self) -> State:
        return self._state

    @property
    def method(self) -> Method:
        return self._method

    @property
    def selected_suite(self) -> CipherSuite | None:
        return self._suite

    @property
    def connection_id_initiator(self) -> bytes | None:
        return self._c_i

    @property
    def connection_id_responder(self) -> bytes | None:
        return self._c_r

    @property
    def peer_credential(self) -> Credential | None:
        return self._peer_credential

    @property
    def handshake_complete(self) -> bool:
        return self._state is State.COMPLETED

    # -- sans-I/O interface --------------------------------------------------------------
    def messages_to_send(self) -> list[bytes]:
        """Drain the outgoing queue (also after an error, to flush the error message)."""
        messages, self._outgoing = self._outgoing, []
        return messages

    def receive_message(self, data: bytes) -> list[Event]:
        """Process one EDHOC message from the peer (without transport prefixes)."""
        state = self._state
        if state in _TERMINAL:
            raise LocalProtocolError(f"the EDHOC session is {state.value}")
        data = bytes(data)
        if data == self._last_received:
            return []  # RFC 9528 §7: a duplicate is not processed a second time
        kind: MessageKind | None = None
        try:
            if len(data) > self.config.max_message_size:
                raise UnspecifiedEdhocError("message too large")
            kind = classify(data)
            if state is State.START and self.role is Role.RESPONDER:
                kind = MessageKind.MESSAGE_1  # nothing but message_1 can start a session
            handler_name = self._transitions.get((state, kind))
            if handler_name is None:
                if state is State.COMPLETED:
                    # RFC 9528 §5.1: no error messages after completion
                    raise UnspecifiedEdhocError(f"unexpected {kind.value} after completion")
                raise UnspecifiedEdhocError(f"unexpected {kind.value} in state {state.value}")
            handler: Callable[[bytes], tuple[State, list[Event]]] = getattr(self, handler_name)
            next_state, events = self._guarded(handler, data)
        except EdhocError as exc:
            self._fail(exc, received_error=kind is MessageKind.ERROR)
        self._last_received = data
        self._state = next_state
        return events

    # -- outputs (RFC 9528 §4.2, App. A.1, App. H) -------------------------------------
    def exporter(self, label: int, context: bytes, length: int) -> bytes:
        """EDHOC_Exporter(label, context, length) (RFC 9528 §4.2.1)."""
        if self._state in _TERMINAL:
            raise LocalProtocolError(f"the EDHOC session is {self._state.value}")
        schedule = self._schedule
        if not self._prk_exporter or schedule is None:
            raise LocalProtocolError("the exporter exists only once PRK_out is derived")
        if label < 0 or length < 0:
            raise LocalProtocolError("exporter label and length are unsigned")
        return schedule.kdf(self._prk_exporter, label, bytes(context), length)

    def oscore_context(self, *, key_length: int | None = None, salt_length: int = 8) -> OscoreContext:
        """OSCORE Master Secret/Salt and Sender/Recipient IDs (RFC 9528 App. A.1)."""
        suite = self._require_suite()
        if self._c_i is None or self._c_r is None:
            raise LocalProtocolError("connection identifiers are not known yet")
        if key_length is None:
            key_length = suite.app_aead.key_size  # default: key length of the application AEAD
        sender, recipient = (self._c_r, self._c_i) if self.role is Role.INITIATOR else (self._c_i, self._c_r)
        return OscoreContext(
            master_secret=self.exporter(0, b"", key_length),
            master_salt=self.exporter(1, b"", salt_length),
            sender_id=sender,
            recipient_id=recipient,
            aead_algorithm=suite.app_aead_cose,
            hkdf_algorithm=suite.app_hash_cose,
        )

    def key_update(self, context: bytes) -> None:
        """EDHOC_KeyUpdate (RFC 9528 App. H): replace PRK_out and PRK_exporter."""
        self._check_usable()
        if not self._prk_out or self._schedule is None:
            raise LocalProtocolError("no PRK_out to update")
        self._prk_out = self._schedule.key_update(self._prk_out, bytes(context))
        self._prk_exporter = self._schedule.prk_exporter(self._prk_out)
        self._log("PRK_out", self._prk_out)
        self._log("PRK_exporter", self._prk_exporter)

    def abort(self, reason: str = "aborted by the application", *, unknown_credential: bool = False) -> None:
        """Send an error message and abort (e.g. after rejecting a credential):
        ERR_CODE 3 if ``unknown_credential`` (RFC 9528 §6.4), else 1 with ``reason``."""
        self._check_usable()
        if self._state is State.COMPLETED:
            raise LocalProtocolError("no error messages after completion (RFC 9528 §5.1)")
        if unknown_credential:
            self._outgoing.append(codec.encode_error(codec.ERR_UNKNOWN_CREDENTIAL, True))
        else:
            self._outgoing.append(codec.encode_error(codec.ERR_UNSPECIFIED, reason))
        self._wipe()
        self._state = State.ERROR

    def provide_credential(self, credential: Credential) -> list[Event]:
        """Answer ``CredentialRequested``: verify the pending message with ``credential``."""
        self._check_usable()
        if self._state not in (State.WAIT_CREDENTIAL_R, State.WAIT_CREDENTIAL_I):
            raise LocalProtocolError(f"no credential was requested (state {self._state.value})")
        assert self._pending_id_cred is not None
        if not self._pending_id_cred.matches(credential, self._crypto):
            raise LocalProtocolError("the credential does not match the ID_CRED the peer sent")
        try:
            next_state, events = self._guarded(self._verify_pending, credential)
        except EdhocError as exc:
            self._fail(exc, received_error=False)
        self._state = next_state
        return events

    # -- for subclasses ----------------------------------------------------------------
    @abc.abstractmethod
    def _verify_pending(self, credential: Credential) -> tuple[State, list[Event]]: ...

    def _check_usable(self) -> None:
        if self._state in _TERMINAL:
            raise LocalProtocolError(f"the EDHOC session is {self._state.value}")

    def _require_suite(self) -> CipherSuite:
        if self._suite is None:
            raise LocalProtocolError("no cipher suite selected yet")
        return self._suite

    @staticmethod
    def _guarded(
        step: Callable[[_Argument], tuple[State, list[Event]]], argument: _Argument
    ) -> tuple[State, list[Event]]:
        """Run a processing step; stray decode/crypto errors become EDHOC errors."""
        try:
            return step(argument)
        except EdhocError:
            raise
        except DecodeError as exc:
            raise EdhocDecodeError(str(exc)) from None
        except (CryptoError, UnsupportedAlgorithm):
            raise AuthenticationFailed("authentication failed") from None

    def _fail(self, exc: EdhocError, *, received_error: bool) -> NoReturn:
        """Queue the error message, move to ERROR, raise (house style).  After completion
        nothing is sent and the session output is kept (RFC 9528 §5.1)."""
        if self._state is State.COMPLETED:
            raise exc
        if not received_error:
            info = exc.err_info
            if info is None:
                info = True if isinstance(exc, UnknownCredentialReferenced) else str(exc)
            self._outgoing.append(codec.encode_error(exc.err_code, info))
        self._wipe()
        self._state = State.ERROR
        raise exc

    def _wipe(self) -> None:
        """Forget key material (RFC 9528 §9.8: delete intermediate values)."""
        self._ephemeral = None
        self._prk_2e = self._prk_3e2m = self._prk_4e3m = self._prk_out = self._prk_exporter = b""

    def _process_error(self, data: bytes) -> tuple[State, list[Event]]:
        """An error message from the peer (RFC 9528 §6): an event, and the session ends."""
        err_code, err_info, suites_r = codec.decode_error(data)
        self._wipe()
        return State.ABORTED, [ErrorReceived(err_code=err_code, err_info=err_info, suites_r=suites_r)]

    def _new_connection_id(self, avoid: bytes | None) -> bytes:
        """A random one-byte identifier (RFC 9528 §3.3.2), different from ``avoid``."""
        value = self._crypto.random_bytes(1)[0] % _CONNECTION_ID_VALUES - 24
        candidate = cbor.encode(value)
        if candidate == avoid:
            candidate = cbor.encode((value + 25) % _CONNECTION_ID_VALUES - 24)
        return candidate

    # -- ephemeral keys (RFC 9528 §3.7, App. B) ------------------------------------------
    @staticmethod
    def _compact(public_key: PublicKey) -> bytes:
        """G_X / G_Y: the x-coordinate only, fixed width (App. B)."""
        key_type = public_key.key_type
        if key_type is KeyType.P256 or key_type is KeyType.P384:
            return public_key.data[1 : 1 + key_type.size]
        return public_key.data

    def _load_peer_ephemeral(self, compact: bytes) -> PublicKey:
        suite = self._suite
        assert suite is not None  # selected before any ephemeral key arrives
        key_type = suite.dh_curve
        if len(compact) != key_type.size:  # RFC 9529 §4.2.1, §4.2.6 (the public_key_length)
            raise EdhocDecodeError(f"ephemeral key must be {suite.public_key_length} bytes")
        is_ec = key_type is KeyType.P256 or key_type is KeyType.P384
        encoded = b"\x02" + compact if is_ec else compact  # App. B: ~yp = 0
        try:
            return self._crypto.load_public_key(key_type, encoded)
        except CryptoError:
            raise InvalidPeerKey("invalid ephemeral public key") from None  # RFC 9529 §4.2.2, §4.2.3

    @staticmethod
    def _ecdh(private_key: PrivateKey, public_key: PublicKey) -> bytes:
        try:
            return private_key.exchange(public_key)
        except CryptoError:
            raise InvalidPeerKey("invalid public key: ECDH failed") from None  # RFC 9529 §4.2.4

    def _static_dh_key(self) -> PrivateKey:
        key = self.config.credential.private_key
        suite = self._suite
        assert suite is not None  # only called once the suite is selected
        if key.key_type is not suite.dh_curve or not hasattr(key, "exchange"):
            raise LocalProtocolError(f"method {int(self._method)} needs a {suite.dh_curve.label} static DH key")
        return key  # type: ignore[return-value]  # checked above: it can exchange

    def _peer_static_key(self, credential: Credential) -> PublicKey:
        suite = self._suite
        assert suite is not None  # only called once the suite is selected
        if credential.public_key.key_type is not suite.dh_curve:
            raise AuthenticationFailed("the peer credential holds no key for this cipher suite's curve")
        return credential.public_key

    # -- MAC_2/MAC_3 and Signature_or_MAC (RFC 9528 §5.3.2, §5.4.2) ---------------------
    def _mac(
        self, number: int, prk: bytes, id_cred: bytes, th: bytes, cred: bytes, ead: bytes, static_dh: bool
    ) -> bytes:
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        prefix = codec.encode_connection_id(self._c_r or b"") if number == 2 else b""
        # context_2 = << C_R, ID_CRED_R, TH_2, CRED_R, ? EAD_2 >>; context_3 = << ID_CRED_I, TH_3, CRED_I, ? EAD_3 >>
        context = prefix + id_cred + codec.BSTR_HEADS[len(th)] + th + cred + ead  # TH is a hash: < 256 bytes
        logging = self._log is not _DISCARD
        if logging:
            self._log(f"context_{number}", context)
        length = schedule.suite.mac_length if static_dh else schedule.hash_length
        mac = schedule.kdf(prk, Label.MAC_2 if number == 2 else Label.MAC_3, context, length)
        if logging:
            self._log(f"MAC_{number}", mac)
        return mac

    def _sign(self, id_cred: bytes, th: bytes, cred: bytes, ead: bytes, mac: bytes) -> bytes:
        key = self.config.credential.private_key
        try:
            algorithm = self._require_suite().signature_for(key.key_type)
        except UnsupportedAlgorithm as exc:
            raise LocalProtocolError(str(exc)) from None
        # COSE_Sign1: protected = << ID_CRED >>, external_aad = << TH, CRED, ? EAD >>, payload = MAC
        to_sign = sig_structure(id_cred, codec.encode_bstr(th) + cred + ead, mac)
        self._log("Sig_structure", to_sign)
        return key.sign(to_sign, algorithm, encoding=EcdsaEncoding.RAW)

    def _check_signature_or_mac(
        self, credential: Credential, received: bytes, id_cred: bytes, th: bytes, ead: bytes, mac: bytes, static: bool
    ) -> None:
        if static:
            if not hmac.compare_digest(mac, received):
                raise AuthenticationFailed("authentication failed")
            return
        try:
            algorithm = self._require_suite().signature_for(credential.public_key.key_type)
            to_verify = sig_structure(id_cred, codec.encode_bstr(th) + credential.cred + ead, mac)
            self._crypto.verify(credential.public_key, received, to_verify, algorithm, encoding=EcdsaEncoding.RAW)
        except (CryptoError, UnsupportedAlgorithm):
            raise AuthenticationFailed("authentication failed") from None

    def _check_mac_length(self, received: bytes, static: bool) -> None:
        suite = self._suite
        assert suite is not None  # only called once the suite is selected
        if static and len(received) != suite.mac_length:  # RFC 9529 §4.2.5
            raise EdhocDecodeError(f"MAC must be {suite.mac_length} bytes")

    # -- EAD (RFC 9528 §3.8, App. E) ----------------------------------------------------
    def _context(self, number: int, verified: bool) -> SessionContext:
        return SessionContext(
            role=self.role,
            message_number=number,
            method=self._method,
            selected_suite=self._require_suite(),
            verified=verified,
            connection_id_initiator=self._c_i,
            connection_id_responder=self._c_r,
            message_1=self._message_1,
            message_2=self._message_2,
            th_2=self._th_2 or None,
            th_3=self._th_3 or None,
            th_4=self._th_4 or None,
            exporter=self.exporter if self._prk_exporter else None,
        )

    def _produce_ead(self, number: int, extra: Sequence[EadItem]) -> bytes:
        handlers = self.config.ead_handlers
        if not handlers:
            return encode_ead(extra) if extra else b""
        context = self._context(number, verified=True)
        items: list[EadItem] = []
        for handler in handlers:
            items.extend(handler.produce(context))
        items.extend(extra)
        return encode_ead(items)

    def _receive_ead(self, number: int, items: tuple[EadItem, ...], ead_bytes: bytes, *, verified: bool) -> list[Event]:
        if len(ead_bytes) > self.config.max_ead_size:
            raise UnspecifiedEdhocError(f"EAD_{number} exceeds {self.config.max_ead_size} bytes")
        if not items:
            return []
        visible = tuple(item for item in items if not item.is_padding)  # §3.8.1: padding is discarded
        handlers = self.config.ead_handlers
        claimed = {label for handler in handlers for label in handler.labels}
        for item in visible:
            if item.critical and item.label not in claimed:
                # §3.8: an unrecognised critical item -> "MUST send an EDHOC error message"
                raise UnspecifiedEdhocError(f"unsupported critical EAD item {item.label}")
        context = self._context(number, verified) if handlers else None
        for handler in handlers:
            mine = [item for item in visible if item.label in handler.labels]
            if mine:
                assert context is not None
                try:
                    handler.consume(mine, context)
                except EadProcessingError as exc:
                    raise UnspecifiedEdhocError(exc.err_info, err_info=exc.err_info) from None
        if not visible:
            return []
        if not verified:
            self._unverified_ead.append((number, visible))
        return [EadReceived(message_number=number, items=visible, verified=verified)]

    def _ead_now_verified(self) -> list[Event]:
        if not self._unverified_ead:
            return []
        events: list[Event] = []
        for number, items in self._unverified_ead:
            context = self._context(number, verified=True)
            for handler in self.config.ead_handlers:
                mine = [item for item in items if item.label in handler.labels]
                if mine:
                    handler.message_verified(mine, context)
            events.append(EadVerified(message_number=number, items=items))
        self._unverified_ead.clear()
        return events

    # -- credentials (RFC 9528 §3.5, §5.3.3, §5.4.3) ------------------------------------
    def _request_credential(self, number: int, id_cred: IdCred) -> tuple[State, list[Event]]:
        """Resolve through the configured resolver, or ask the application."""
        resolver = self.config.credential_resolver
        if resolver is None:
            try:
                offered = id_cred.credential_by_value(self._crypto)
            except (DecodeError, CryptoError, UnsupportedAlgorithm):
                raise EdhocDecodeError(f"malformed credential in ID_CRED of message_{number}") from None
            state = State.WAIT_CREDENTIAL_R if number == 2 else State.WAIT_CREDENTIAL_I
            return state, [CredentialRequested(message_number=number, id_cred=id_cred, offered=offered)]
        credential = resolver(id_cred)
        if credential is None:
            if id_cred.is_reference:
                raise UnknownCredentialReferenced("unknown credential referenced")  # §6.4
            raise UnspecifiedEdhocError("credential not accepted")
        if not id_cred.matches(credential, self._crypto):
            raise UnspecifiedEdhocError("credential does not match ID_CRED")
        return self._verify_pending(credential)
