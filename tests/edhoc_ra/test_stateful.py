"""A hypothesis state machine driving an Initiator/Responder pair through random calls.

Legal steps (start, deliver the message in flight, send_message_2/3/4, exporter calls,
EDHOC_KeyUpdate) must keep both sides' PRK_out-derived outputs equal (RFC 9528 §4.2.1,
App. H).  Misuse raises ``LocalProtocolError`` and leaves the engine as it was: an
action out of order, an action repeated (a state object used twice), and any call
after ERROR or ABORTED (house style, ``connection`` module doc).  A message delivered
twice in a row is ignored (RFC 9528 §7).

Runs on the ``cryptography`` backend only (the pure backend gets the same code paths
in test_roundtrip.py); the example budget is small to keep the file cheap.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from edhoc_ra import Initiator, Method, Responder, State
from ratscore.crypto import CryptoProvider, get_provider
from ratscore.errors import LocalProtocolError, UnsupportedAlgorithm

from .helpers import make_pair, one

try:
    CRYPTO: CryptoProvider | None = get_provider("cryptography")
except UnsupportedAlgorithm:  # the no-cryptography venv
    CRYPTO = None

_TERMINAL = (State.ERROR, State.ABORTED)


class EdhocPairMachine(RuleBasedStateMachine):
    """Both engines in one process; ``to_responder`` / ``to_initiator`` are the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.initiator: Initiator
        self.responder: Responder
        self.to_responder: bytes | None = None
        self.to_initiator: bytes | None = None
        self.last_to_responder: bytes | None = None
        self.may_abort = False

    @initialize(
        method=st.sampled_from(list(Method)),
        suite=st.sampled_from([0, 2, 4]),
        use_message_4=st.booleans(),
        may_abort=st.sampled_from([False, False, False, True]),
    )
    def make(self, method: Method, suite: int, use_message_4: bool, may_abort: bool) -> None:
        assert CRYPTO is not None
        self.may_abort = may_abort
        pair = make_pair(CRYPTO, method, suite, use_message_4=use_message_4)
        self.initiator, self.responder = pair.initiator, pair.responder

    # -- helpers ------------------------------------------------------------------------
    def _misuse(self, engine: Initiator | Responder, action: Callable[[], object]) -> None:
        """``action`` must raise LocalProtocolError and leave ``engine`` unchanged."""
        before = engine.state
        with pytest.raises(LocalProtocolError):
            action()
        assert engine.state is before
        assert engine.messages_to_send() == []

    def _both_completed(self) -> bool:
        return self.initiator.state is State.COMPLETED and self.responder.state is State.COMPLETED

    # -- legal steps ----------------------------------------------------------------------
    @precondition(lambda self: self.initiator.state is State.START)
    @rule()
    def start(self) -> None:
        self.initiator.start()
        self.to_responder = self.last_to_responder = one(self.initiator.messages_to_send())

    @precondition(lambda self: self.to_responder is not None and self.responder.state not in _TERMINAL)
    @rule()
    def deliver_to_responder(self) -> None:
        message, self.to_responder = self.to_responder, None
        assert message is not None
        self.responder.receive_message(message)
        # message_3 completes the Responder unless message_4 follows
        assert self.responder.state in (State.RECEIVED_M1, State.VERIFIED_M3, State.COMPLETED)

    @precondition(lambda self: self.responder.state is State.RECEIVED_M1)
    @rule()
    def send_message_2(self) -> None:
        self.responder.send_message_2()
        self.to_initiator = one(self.responder.messages_to_send())

    @precondition(lambda self: self.to_initiator is not None and self.initiator.state not in _TERMINAL)
    @rule()
    def deliver_to_initiator(self) -> None:
        message, self.to_initiator = self.to_initiator, None
        assert message is not None
        self.initiator.receive_message(message)
        assert self.initiator.state in (State.VERIFIED_M2, State.COMPLETED)

    @precondition(lambda self: self.initiator.state is State.VERIFIED_M2)
    @rule()
    def send_message_3(self) -> None:
        self.initiator.send_message_3()
        self.to_responder = self.last_to_responder = one(self.initiator.messages_to_send())

    @precondition(lambda self: self.responder.state is State.VERIFIED_M3)
    @rule()
    def send_message_4(self) -> None:
        self.responder.send_message_4()
        self.to_initiator = one(self.responder.messages_to_send())

    @rule()
    def run_to_completion(self) -> None:
        """Every remaining legal step in order, so long runs reach the exporter rules."""
        steps: dict[str, Callable[[], bool]] = {
            "start": lambda: self.initiator.state is State.START,
            "deliver_to_responder": lambda: self.to_responder is not None and self.responder.state not in _TERMINAL,
            "send_message_2": lambda: self.responder.state is State.RECEIVED_M1,
            "deliver_to_initiator": lambda: self.to_initiator is not None and self.initiator.state not in _TERMINAL,
            "send_message_3": lambda: self.initiator.state is State.VERIFIED_M2,
            "send_message_4": lambda: self.responder.state is State.VERIFIED_M3,
        }
        progressed = True
        while progressed:
            progressed = False
            for name, enabled in steps.items():
                if enabled():
                    step: Callable[[], None] = getattr(self, name)
                    step()
                    progressed = True

    @precondition(lambda self: self._both_completed())
    @rule(context=st.binary(max_size=16))
    def key_update(self, context: bytes) -> None:
        # App. H: both sides update with the same context
        self.initiator.key_update(context)
        self.responder.key_update(context)

    @precondition(lambda self: self._both_completed())
    @rule(label=st.integers(0, 65535), context=st.binary(max_size=40), length=st.integers(0, 80))
    def exporters_agree(self, label: int, context: bytes, length: int) -> None:
        exported = self.initiator.exporter(label, context, length)
        assert len(exported) == length
        assert exported == self.responder.exporter(label, context, length)

    @precondition(lambda self: self.last_to_responder is not None and self.responder.state is State.RECEIVED_M1)
    @rule()
    def duplicate_message_1_is_ignored(self) -> None:
        assert self.last_to_responder is not None
        assert self.responder.receive_message(self.last_to_responder) == []  # RFC 9528 §7
        assert self.responder.state is State.RECEIVED_M1

    # -- misuse: out of order, used twice ---------------------------------------------------
    @rule(which=st.sampled_from(["start", "message_2", "message_3", "message_4", "exporter", "credential"]))
    def misuse(self, which: str) -> None:
        initiator, responder = self.initiator, self.responder
        if which == "start" and initiator.state not in (State.START, *_TERMINAL):
            self._misuse(initiator, initiator.start)
        elif which == "message_2" and responder.state not in (State.RECEIVED_M1, *_TERMINAL):
            self._misuse(responder, responder.send_message_2)
        elif which == "message_3" and initiator.state not in (State.VERIFIED_M2, *_TERMINAL):
            self._misuse(initiator, initiator.send_message_3)
        elif which == "message_4" and responder.state not in (State.VERIFIED_M3, *_TERMINAL):
            self._misuse(responder, responder.send_message_4)
        elif which == "exporter" and initiator.state in (State.START, State.WAIT_M2, State.VERIFIED_M2):
            self._misuse(initiator, lambda: initiator.exporter(0, b"", 16))
        elif which == "credential" and responder.state not in (State.WAIT_CREDENTIAL_I, *_TERMINAL):
            credential = responder.config.credential.credential
            self._misuse(responder, lambda: responder.provide_credential(credential))

    # -- misuse: anything after ERROR -----------------------------------------------------
    @precondition(lambda self: self.may_abort and self.initiator.state not in (State.COMPLETED, *_TERMINAL))
    @rule()
    def initiator_aborts(self) -> None:
        self.initiator.abort("stateful test")
        assert self.initiator.state is State.ERROR
        self.initiator.messages_to_send()  # the error message for the peer: lost on the wire here
        self.to_responder = None
        for call in (
            self.initiator.start,
            self.initiator.send_message_3,
            lambda: self.initiator.exporter(0, b"", 16),
            lambda: self.initiator.key_update(b""),
            lambda: self.initiator.receive_message(b"\x41\x00"),
            self.initiator.abort,
        ):
            self._misuse(self.initiator, call)

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def outputs_agree_when_both_complete(self) -> None:
        if not hasattr(self, "initiator") or not self._both_completed():
            return
        assert self.initiator.oscore_context().master_secret == self.responder.oscore_context().master_secret
        assert self.initiator.exporter(2, b"invariant", 32) == self.responder.exporter(2, b"invariant", 32)
        assert self.initiator.connection_id_responder == self.responder.connection_id_responder
        assert self.initiator.connection_id_initiator == self.responder.connection_id_initiator


EdhocPairMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


TestEdhocPairMachine = pytest.mark.skipif(
    CRYPTO is None, reason="the cryptography backend is not installed (this machine stays on it to keep cheap)"
)(EdhocPairMachine.TestCase)
