"""hypothesis RuleBasedStateMachine: a client/server pair driven through random legal API calls.

Theory of operation: ``initialize`` runs a handshake with a drawn cipher suite, optional
HelloRetryRequest cookie, padding and record_size_limit, moving bytes in drawn chunk
sizes.  From then on the machine owns both byte streams: whatever a side queues goes into
an in-flight buffer for the other side, and the ``deliver`` rule hands it over in chunks
of any size, so records are split and coalesced arbitrarily.

The model keeps, per receiving side, the expected sequence of what it must observe:
application bytes (concatenated: record boundaries are not part of the contract),
KeyUpdated(update_requested) (RFC 8446 §4.6.3, including the automatic answer to a
request, unless the answering side has closed), ConnectionClosed (RFC 8446 §6.1) and,
after an injected failure, AlertReceived.  Invariants after every step: what each side
observed is a prefix of what it must observe (in order, intact); ``drain`` delivers
everything and then requires equality.  Exporter calls (RFC 8446 §7.5) with random labels,
contexts and lengths must agree on both sides.

Misuse rules (STYLE.md "Errors"): send_data / key_update after our own close, any call on
a connection in ERROR, a bad exporter label or length: each raises LocalProtocolError.
The ERROR state is reached by feeding one side a forged record (bad_record_mac,
RFC 8446 §5.2); its fatal alert is then delivered to the other side.

Main machine on the ``cryptography`` backend; a few short runs on the pure backend.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from typing import ClassVar

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from atls.alerts import AlertDescription, BadRecordMac
from atls.config import ALL_CIPHER_SUITES
from atls.connection import ClientConnection, ServerConnection, TLSConnection
from atls.enums import NamedGroup
from atls.events import AlertReceived, ConnectionClosed, DataReceived, Event, HandshakeCompleted, KeyUpdated
from atls.record import PaddingPolicy, no_padding, pad_to_multiple
from atls.states import State
from ratscore.crypto import CryptoProvider, get_provider
from ratscore.errors import LocalProtocolError

from .connection_helpers import client_config, credentials, pump, server_config

CLIENT, SERVER = 0, 1
SIDES = st.sampled_from((CLIENT, SERVER))

# What a side must observe, in order: ("data", bytes), ("key_update", requested), ("closed",),
# ("alert", description).  Adjacent data tokens are merged (record boundaries are free).
Token = tuple[object, ...]


def _normalise(tokens: list[Token]) -> list[Token]:
    merged: list[Token] = []
    for token in tokens:
        if token[0] == "data":
            data = token[1]
            assert isinstance(data, bytes)
            if not data:
                continue
            if merged and merged[-1][0] == "data":
                previous = merged[-1][1]
                assert isinstance(previous, bytes)
                merged[-1] = ("data", previous + data)
                continue
        merged.append(token)
    return merged


def _is_prefix(observed: list[Token], expected: list[Token]) -> bool:
    observed, expected = _normalise(observed), _normalise(expected)
    if len(observed) > len(expected):
        return False
    if not observed:
        return True
    if observed[:-1] != expected[: len(observed) - 1]:
        return False
    last, counterpart = observed[-1], expected[len(observed) - 1]
    if last[0] == "data" and counterpart[0] == "data":
        last_data, counterpart_data = last[1], counterpart[1]
        assert isinstance(last_data, bytes) and isinstance(counterpart_data, bytes)
        return counterpart_data.startswith(last_data)
    return last == counterpart


def _token(event: Event) -> Token:
    if isinstance(event, DataReceived):
        return ("data", event.data)
    if isinstance(event, KeyUpdated):
        return ("key_update", event.update_requested)
    if isinstance(event, ConnectionClosed):
        return ("closed",)
    if isinstance(event, AlertReceived):
        return ("alert", event.description)
    raise AssertionError(f"unexpected event after the handshake: {event!r}")


class ConnectionPairMachine(RuleBasedStateMachine):
    backend: ClassVar[str] = "cryptography"
    max_send: ClassVar[int] = 40_000

    def __init__(self) -> None:
        super().__init__()
        self.crypto: CryptoProvider = get_provider(self.backend)
        self.connections: tuple[TLSConnection, TLSConnection] | None = None
        self.in_flight = [bytearray(), bytearray()]  # indexed by the receiving side
        self.expected: list[list[Token]] = [[], []]  # what each side must observe
        self.observed: list[list[Token]] = [[], []]
        self.closed = [False, False]  # we called close() on this side
        self.saw_close_notify = [False, False]  # this side processed the peer's close_notify
        self.broken: int | None = None  # the side we drove into ERROR
        self.saw_fatal_alert = [False, False]

    # -- helpers -----------------------------------------------------------------------------
    def side(self, index: int) -> TLSConnection:
        assert self.connections is not None
        return self.connections[index]

    def collect_output(self, sender: int) -> None:
        """Move what ``sender`` queued into the stream towards the other side."""
        self.in_flight[1 - sender] += self.side(sender).data_to_send()

    def observe(self, receiver: int, events: list[Event]) -> None:
        for event in events:
            token = _token(event)
            self.observed[receiver].append(token)
            if token == ("closed",):
                self.saw_close_notify[receiver] = True
            elif token[0] == "alert":
                self.saw_fatal_alert[receiver] = True
            elif token == ("key_update", True) and not self.closed[receiver]:
                # RFC 8446 §4.6.3: the receiver answers with update_not_requested before more data.
                self.expected[1 - receiver].append(("key_update", False))

    def deliver_bytes(self, receiver: int, count: int) -> None:
        chunk = bytes(self.in_flight[receiver][:count])
        del self.in_flight[receiver][:count]
        self.observe(receiver, self.side(receiver).receive_data(chunk))
        self.collect_output(receiver)

    def usable(self, index: int) -> bool:
        return self.broken is None and not self.saw_fatal_alert[index]

    # -- set-up ------------------------------------------------------------------------------
    @initialize(
        suite=st.sampled_from(ALL_CIPHER_SUITES),
        group=st.sampled_from((NamedGroup.X25519, NamedGroup.SECP256R1)),
        cookie=st.booleans(),
        padding_block=st.sampled_from((0, 0, 16, 256)),
        client_limit=st.one_of(st.none(), st.integers(64, 1 << 14)),
        server_limit=st.one_of(st.none(), st.integers(64, 1 << 14)),
        chunk_sizes=st.lists(st.integers(1, 2000), min_size=1, max_size=4),
    )
    def handshake(
        self,
        suite: int,
        group: NamedGroup,
        cookie: bool,
        padding_block: int,
        client_limit: int | None,
        server_limit: int | None,
        chunk_sizes: list[int],
    ) -> None:
        creds = credentials(self.crypto)
        padding: PaddingPolicy = pad_to_multiple(padding_block) if padding_block else no_padding
        client = ClientConnection(
            client_config(
                self.crypto,
                creds.anchors,
                cipher_suites=(suite,),
                groups=(group, NamedGroup.X25519, NamedGroup.SECP256R1),
                record_size_limit=client_limit,
                padding_policy=padding,
            )
        )
        server = ServerConnection(
            server_config(
                self.crypto,
                creds,
                cipher_suites=ALL_CIPHER_SUITES,
                hello_retry_cookie=cookie,
                record_size_limit=server_limit,
                padding_policy=padding,
            )
        )

        def sizes() -> Iterator[int]:
            return itertools.cycle(chunk_sizes)

        client_events, server_events = pump(client, server, chunk_sizes=sizes)
        assert any(isinstance(event, HandshakeCompleted) for event in client_events)
        assert any(isinstance(event, HandshakeCompleted) for event in server_events)
        assert client.handshake_complete and server.handshake_complete
        self.connections = (client, server)

    # -- legal calls -------------------------------------------------------------------------
    @precondition(lambda self: self.broken is None)
    @rule(sender=SIDES, size=st.one_of(st.integers(0, 64), st.integers(0, 1 << 16)), seed=st.integers(0, 2**32))
    def send_data(self, sender: int, size: int, seed: int) -> None:
        if self.closed[sender] or not self.usable(sender):
            return  # covered by the misuse rules
        data = random.Random(seed).randbytes(min(size, self.max_send))
        self.side(sender).send_data(data)
        self.expected[1 - sender].append(("data", data))
        self.collect_output(sender)

    @precondition(lambda self: self.broken is None)
    @rule(sender=SIDES, request=st.booleans())
    def key_update(self, sender: int, request: bool) -> None:
        if self.closed[sender] or not self.usable(sender):
            return
        self.side(sender).key_update(request_peer_update=request)
        self.expected[1 - sender].append(("key_update", request))
        self.collect_output(sender)

    @rule(sender=SIDES)
    def close(self, sender: int) -> None:
        if self.broken == sender or self.saw_fatal_alert[sender] or self.closed[sender]:
            return
        self.side(sender).close()
        self.closed[sender] = True
        self.expected[1 - sender].append(("closed",))
        self.collect_output(sender)

    @rule(receiver=SIDES, count=st.one_of(st.integers(1, 64), st.integers(1, 5000), st.just(1 << 20)))
    def deliver(self, receiver: int, count: int) -> None:
        if self.broken == receiver or not self.in_flight[receiver]:
            return
        self.deliver_bytes(receiver, count)

    @rule()
    def drain(self) -> None:
        """Deliver everything both ways until quiet; then each usable side saw all it must."""
        for _ in range(10):
            moved = False
            for receiver in (CLIENT, SERVER):
                if self.broken != receiver and self.in_flight[receiver]:
                    self.deliver_bytes(receiver, len(self.in_flight[receiver]))
                    moved = True
            if not moved:
                break
        for receiver in (CLIENT, SERVER):
            if self.broken == receiver:
                continue
            assert _normalise(self.observed[receiver]) == _normalise(self.expected[receiver])

    @precondition(lambda self: self.broken is None)
    @rule(label=st.binary(max_size=249), context=st.binary(max_size=300), length=st.integers(1, 255 * 32))
    def exporter(self, label: bytes, context: bytes, length: int) -> None:
        # RFC 8446 §7.5 with HkdfLabel limits (§7.1): "tls13 " + label <= 255 bytes.
        client_value = self.side(CLIENT).exporter(label, context, length)
        assert len(client_value) == length
        assert client_value == self.side(SERVER).exporter(label, context, length)

    # -- misuse ------------------------------------------------------------------------------
    @precondition(lambda self: any(self.closed))
    @rule(sender=SIDES, data=st.binary(min_size=1, max_size=32))
    def send_after_close(self, sender: int, data: bytes) -> None:
        if not self.closed[sender] or self.broken == sender:
            return
        connection = self.side(sender)
        with pytest.raises(LocalProtocolError):
            connection.send_data(data)
        with pytest.raises(LocalProtocolError):
            connection.key_update()
        connection.close()  # a second close is a no-op: nothing more goes out
        assert connection.data_to_send() == b""

    @precondition(lambda self: self.broken is None)
    @rule(side=SIDES, label_length=st.integers(250, 400), length=st.sampled_from((0, -1, 255 * 48 + 1)))
    def exporter_misuse(self, side: int, label_length: int, length: int) -> None:
        connection = self.side(side)
        with pytest.raises(LocalProtocolError):  # RFC 8446 §7.1: label<7..255> including "tls13 "
            connection.exporter(b"L" * label_length, b"", 32)
        with pytest.raises(LocalProtocolError):  # RFC 5869 §2.3: L <= 255 * HashLen, and positive
            connection.exporter(b"label", b"", length)

    @precondition(lambda self: self.broken is None)
    @rule(victim=SIDES, forged=st.binary(min_size=17, max_size=64))
    def forge_record(self, victim: int, forged: bytes) -> None:
        """Drive ``victim`` into ERROR with a record that cannot authenticate (RFC 8446 §5.2)."""
        if self.in_flight[victim] or self.saw_close_notify[victim] or self.saw_fatal_alert[victim]:
            return  # mid-record, or it ignores input after close_notify (RFC 8446 §6.1)
        connection = self.side(victim)
        record = b"\x17\x03\x03" + len(forged).to_bytes(2, "big") + forged
        with pytest.raises(BadRecordMac):
            connection.receive_data(record)
        assert connection.state is State.ERROR
        self.broken = victim
        self.collect_output(victim)  # the fatal alert
        if not self.closed[victim]:
            # After our own close_notify the peer ignores everything, the alert included.
            self.expected[1 - victim].append(("alert", AlertDescription.BAD_RECORD_MAC))

    @precondition(lambda self: self.broken is not None)
    @rule(data=st.binary(max_size=64))
    def calls_after_error(self, data: bytes) -> None:
        assert self.broken is not None
        connection = self.side(self.broken)
        assert connection.state is State.ERROR
        calls: tuple[Callable[[], object], ...] = (
            lambda: connection.receive_data(data),
            lambda: connection.send_data(b"x"),
            connection.key_update,
            connection.close,
            lambda: connection.exporter(b"label"),
            connection.get_exporter,
        )
        for call in calls:
            with pytest.raises(LocalProtocolError):
                call()
        assert connection.data_to_send() == b""

    @precondition(lambda self: any(self.saw_fatal_alert))
    @rule()
    def calls_after_fatal_alert(self) -> None:
        """RFC 8446 §6.2: after an error alert nothing more may be sent."""
        for index in (CLIENT, SERVER):
            if self.saw_fatal_alert[index]:
                with pytest.raises(LocalProtocolError):
                    self.side(index).send_data(b"x")
                with pytest.raises(LocalProtocolError):
                    self.side(index).key_update()

    # -- invariants --------------------------------------------------------------------------
    @invariant()
    def observed_is_a_prefix_of_expected(self) -> None:
        for receiver in (CLIENT, SERVER):
            assert _is_prefix(self.observed[receiver], self.expected[receiver]), (
                receiver,
                self.observed[receiver][-3:],
                self.expected[receiver][-3:],
            )

    def teardown(self) -> None:
        if self.connections is not None:
            self.drain()


class PureConnectionPairMachine(ConnectionPairMachine):
    backend: ClassVar[str] = "pure"
    max_send: ClassVar[int] = 3_000


TestConnectionPair = ConnectionPairMachine.TestCase
TestConnectionPair.settings = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TestPureConnectionPair = PureConnectionPairMachine.TestCase
TestPureConnectionPair.settings = settings(
    max_examples=4,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
