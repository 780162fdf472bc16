"""What ``TLSConnection.receive_data`` reports: frozen, slotted, keyword-only events.

An alert the peer sends is an event (``AlertReceived``, or ``ConnectionClosed`` for
close_notify), never an exception: exceptions are for our caller's mistakes
(``LocalProtocolError``) and for the peer's protocol violations (``TLSAlert``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .alerts import AlertDescription
from .enums import CipherSuite, NamedGroup, SignatureScheme

__all__ = [
    "AlertReceived",
    "ConnectionClosed",
    "DataReceived",
    "Event",
    "HandshakeCompleted",
    "HelloRetryRequested",
    "KeyUpdated",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeCompleted:
    """The handshake finished: our Finished is queued (client) or the peer's verified (server)."""

    version: int
    cipher_suite: CipherSuite
    group: NamedGroup
    # The scheme of the peer's CertificateVerify; None when the peer (a client) sent no certificate.
    peer_signature_scheme: SignatureScheme | None
    # The scheme of our own CertificateVerify; None when we sent no certificate.
    signature_scheme: SignatureScheme | None
    peer_certificate_chain: tuple[bytes, ...]
    alpn_protocol: bytes | None
    server_name: str | None
    hello_retry_request: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class HelloRetryRequested:
    """Client: the server asked for a second ClientHello (RFC 8446 §4.1.4)."""

    selected_group: NamedGroup | None
    cookie: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DataReceived:
    """Application data from the peer."""

    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertReceived:
    """The peer sent an alert other than close_notify.  Every such alert but user_canceled
    ends the connection (RFC 8446 §6.2)."""

    level: int
    description: AlertDescription | int


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionClosed:
    """The peer sent close_notify (RFC 8446 §6.1): it sends nothing more, we may still send
    until we ``close()`` ourselves."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyUpdated:
    """The peer updated its sending keys (RFC 8446 §4.6.3); ``update_requested`` says whether it
    asked us to update ours too (we already have: our KeyUpdate is queued)."""

    update_requested: bool


Event = HandshakeCompleted | HelloRetryRequested | DataReceived | AlertReceived | ConnectionClosed | KeyUpdated
