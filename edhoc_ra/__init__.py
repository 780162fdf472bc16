"""EDHOC (RFC 9528) as a sans-I/O engine, with an EAD framework for remote attestation.

``Initiator(config, crypto=...)`` and ``Responder(config, crypto=...)`` take bytes in
``receive_message`` and return events; ``messages_to_send()`` yields the bytes to
transmit.  See ``connection`` for the error model and ``states`` for the transitions.
"""

from __future__ import annotations

from .coap import (
    CONTENT_FORMAT_CID_EDHOC,
    CONTENT_FORMAT_EDHOC,
    WELL_KNOWN_EDHOC_PATH,
    CoapReply,
    CoapRequest,
    CoapTransportError,
    CompletedSession,
    EdhocCoapServer,
    ForwardClient,
    ForwardServer,
    HandshakeRejected,
    ReverseClient,
    ReverseServer,
    split_combined_payload,
)
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
    "CONTENT_FORMAT_CID_EDHOC",
    "CONTENT_FORMAT_EDHOC",
    "PADDING_LABEL",
    "SUITES",
    "WELL_KNOWN_EDHOC_PATH",
    "AuthenticationFailed",
    "CipherSuite",
    "CoapReply",
    "CoapRequest",
    "CoapTransportError",
    "CompletedSession",
    "Credential",
    "CredentialKind",
    "CredentialRequested",
    "CredentialResolver",
    "EadHandler",
    "EadItem",
    "EadProcessingError",
    "EadReceived",
    "EadVerified",
    "EdhocCoapServer",
    "EdhocConfig",
    "EdhocConnection",
    "EdhocDecodeError",
    "EdhocError",
    "ErrorReceived",
    "Event",
    "ForwardClient",
    "ForwardServer",
    "HandshakeCompleted",
    "HandshakeRejected",
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
    "ReverseClient",
    "ReverseServer",
    "Role",
    "SessionContext",
    "State",
    "UnknownCredentialReferenced",
    "UnspecifiedEdhocError",
    "WrongSelectedCipherSuite",
    "decode_connection_id",
    "encode_connection_id",
    "get_suite",
    "split_combined_payload",
]
