"""States and the transition tables of the EDHOC engines (RFC 9528 §5, App. I).

A received message is classified into a ``MessageKind`` (message_1, a single-bstr
message, or an error) and looked up with the current state.  A missing key is a
protocol violation.  Handlers are named by method; they return the next state and
only the connection assigns it.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["INITIATOR_TRANSITIONS", "RESPONDER_TRANSITIONS", "MessageKind", "State"]


class State(enum.Enum):
    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python
    START = "start"
    # Initiator (App. I.1: WAIT_M2 -> RCVD_M2 -> VRFD_M2 -> COMPLETED)
    WAIT_M2 = "wait-message-2"
    WAIT_CREDENTIAL_R = "wait-credential-r"
    VERIFIED_M2 = "verified-message-2"
    WAIT_M4 = "wait-message-4"
    # Responder (App. I.2: RCVD_M1 -> WAIT_M3 -> RCVD_M3 -> COMPLETED)
    RECEIVED_M1 = "received-message-1"
    WAIT_M3 = "wait-message-3"
    WAIT_CREDENTIAL_I = "wait-credential-i"
    VERIFIED_M3 = "verified-message-3"
    # Both
    COMPLETED = "completed"
    ABORTED = "aborted"  # the peer sent an error message
    ERROR = "error"  # we detected a violation and sent an error message

    # Members compare by identity, so the identity hash is consistent, and it runs in C
    # (Enum's own ``__hash__`` is Python): the transition lookup hashes two per message.
    __hash__ = object.__hash__


class MessageKind(enum.Enum):
    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python
    MESSAGE_1 = "message_1"
    CIPHERTEXT = "single-bstr message"  # message_2, message_3 or message_4 by state
    ERROR = "error"

    __hash__ = object.__hash__  # see State


INITIATOR_TRANSITIONS: Final[dict[tuple[State, MessageKind], str]] = {
    (State.WAIT_M2, MessageKind.CIPHERTEXT): "_process_message_2",
    (State.WAIT_M2, MessageKind.ERROR): "_process_error",
    (State.WAIT_M4, MessageKind.CIPHERTEXT): "_process_message_4",
    (State.WAIT_M4, MessageKind.ERROR): "_process_error",
    (State.COMPLETED, MessageKind.ERROR): "_process_error",
}

RESPONDER_TRANSITIONS: Final[dict[tuple[State, MessageKind], str]] = {
    (State.START, MessageKind.MESSAGE_1): "_process_message_1",
    (State.WAIT_M3, MessageKind.CIPHERTEXT): "_process_message_3",
    (State.WAIT_M3, MessageKind.ERROR): "_process_error",
    (State.COMPLETED, MessageKind.ERROR): "_process_error",
}
