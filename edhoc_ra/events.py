"""Events an EDHOC engine reports: what happened, never what to do (house style)."""

from __future__ import annotations

from dataclasses import dataclass

from ratscore.cbor import CborItem

from .credentials import Credential, IdCred
from .ead import EadItem
from .suites import Method, Role

__all__ = [
    "CredentialRequested",
    "EadReceived",
    "EadVerified",
    "ErrorReceived",
    "Event",
    "HandshakeCompleted",
    "Message1Received",
    "Message2Verified",
    "Message3Verified",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base class of every EDHOC event."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Message1Received(Event):
    """The Responder accepted message_1 (RFC 9528 §5.2.3); call ``send_message_2`` next."""

    method: Method
    suites_i: tuple[int, ...]
    selected_suite: int
    connection_id_initiator: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialRequested(Event):
    """message_2 or message_3 decrypted and parsed; the peer's credential is needed to
    verify it (RFC 9528 §5.3.3, §5.4.3).  Answer with ``provide_credential``.
    ``offered`` is the credential carried by value in ID_CRED, if any: untrusted."""

    message_number: int
    id_cred: IdCred
    offered: Credential | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EadReceived(Event):
    """Non-padding EAD items of message ``message_number``; ``verified`` is False until
    the message's MAC or signature checked out (RFC 9528 App. E)."""

    message_number: int
    items: tuple[EadItem, ...]
    verified: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class EadVerified(Event):
    """The message that carried these earlier-reported EAD items is now authenticated."""

    message_number: int
    items: tuple[EadItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Message2Verified(Event):
    """The Initiator verified Signature_or_MAC_2; call ``send_message_3`` next."""

    connection_id_responder: bytes
    credential: Credential


@dataclass(frozen=True, slots=True, kw_only=True)
class Message3Verified(Event):
    """The Responder verified Signature_or_MAC_3."""

    credential: Credential


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeCompleted(Event):
    """The session is complete (RFC 9528 §5.1); the exporter is usable."""

    role: Role
    method: Method
    selected_suite: int
    connection_id_initiator: bytes
    connection_id_responder: bytes
    peer_credential: Credential


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorReceived(Event):
    """The peer sent an EDHOC error message (RFC 9528 §6).  For ERR_CODE 2 the
    Initiator is back in START and ``start()`` retries with a suite from ``suites_r``."""

    err_code: int
    err_info: CborItem
    suites_r: tuple[int, ...] | None = None
