"""EDHOC (RFC 9528) as a sans-I/O engine, with an EAD framework for remote attestation.

``Initiator(config, crypto=...)`` and ``Responder(config, crypto=...)`` take bytes in
``receive_message`` and return events; ``messages_to_send()`` yields the bytes to
transmit.  See ``connection`` for the error model and ``states`` for the transitions.
"""

from __future__ import annotations

from .codec import decode_connection_id, encode_connection_id
from .config import EdhocConfig
from .connection import EdhocConnection, OscoreContext
from .credentials import Credential, CredentialKind, CredentialResolver, IdCred, LocalCredential
from .ead import PADDING_LABEL, EadHandler, EadItem, EadProcessingError, SessionContext
from .errors import (
    AuthenticationFailed,
    EdhocDecodeError,
    EdhocError,
    InvalidPeerKey,
    UnknownCredentialReferenced,
    UnspecifiedEdhocError,
    WrongSelectedCipherSuite,
)
from .events import (
    CredentialRequested,
    EadReceived,
    EadVerified,
    ErrorReceived,
    Event,
    HandshakeCompleted,
    Message1Received,
    Message2Verified,
    Message3Verified,
)
from .initiator import Initiator
from .responder import Responder
from .states import State
from .suites import SUITES, CipherSuite, Method, Role, get_suite

__all__ = [
    "PADDING_LABEL",
    "SUITES",
    "AuthenticationFailed",
    "CipherSuite",
    "Credential",
    "CredentialKind",
    "CredentialRequested",
    "CredentialResolver",
    "EadHandler",
    "EadItem",
    "EadProcessingError",
    "EadReceived",
    "EadVerified",
    "EdhocConfig",
    "EdhocConnection",
    "EdhocDecodeError",
    "EdhocError",
    "ErrorReceived",
    "Event",
    "HandshakeCompleted",
    "IdCred",
    "Initiator",
    "InvalidPeerKey",
    "LocalCredential",
    "Message1Received",
    "Message2Verified",
    "Message3Verified",
    "Method",
    "OscoreContext",
    "Responder",
    "Role",
    "SessionContext",
    "State",
    "UnknownCredentialReferenced",
    "UnspecifiedEdhocError",
    "WrongSelectedCipherSuite",
    "decode_connection_id",
    "encode_connection_id",
    "get_suite",
]
