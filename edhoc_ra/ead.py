"""External Authorization Data (RFC 9528 §3.8): items, handlers and dispatch.

Theory of operation
-------------------
An EAD field is a CBOR sequence of items ``ead_label (int), ? ead_value (bstr)``.
``EadItem`` keeps the registered label (|ead_label|) and the criticality apart: on
the wire a critical item carries the negative label (§3.8).  Label 0 is padding,
never critical, and is discarded on receipt (§3.8.1).

Applications plug in ``EadHandler`` objects.  A handler claims a set of labels; when
the engine composes message n it asks every handler to ``produce`` items for it, and
when message n arrives it hands each handler the items carrying its labels through
``consume``.  Both calls get a read-only ``SessionContext`` (role, message number,
method, suite, connection identifiers, raw messages and transcript hashes so far,
the exporter once it exists) so a plug-in such as remote attestation can bind its
data to the session.  EAD_1..EAD_3 arrive before their message is authenticated
(§5.2.3, §5.3.3, §5.4.3, App. E): ``consume`` then sees ``context.verified`` false,
and ``message_verified`` follows once the MAC or signature covering them checks out.
A critical item that no handler claims aborts the session with an error (§3.8); a
handler rejects an item by raising ``EadProcessingError``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from ratscore import cbor
from ratscore.errors import EncodeError

from .suites import CipherSuite, Method, Role

__all__ = [
    "PADDING_LABEL",
    "EadHandler",
    "EadItem",
    "EadProcessingError",
    "SessionContext",
    "encode_ead",
]

PADDING_LABEL: Final = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class EadItem:
    """One EAD item: the registered label, its criticality and the optional value."""

    label: int
    critical: bool = False
    value: bytes | None = None

    def __post_init__(self) -> None:
        if self.label < 0:
            raise EncodeError("EadItem.label is the registered (absolute) label; set critical=True instead")
        if self.label == PADDING_LABEL and self.critical:
            raise EncodeError("padding (label 0) cannot be critical")  # RFC 9528 §3.8.1

    @property
    def wire_label(self) -> int:
        """RFC 9528 §3.8: "A negative value indicates that the EAD item is critical"."""
        return -self.label if self.critical else self.label

    @property
    def is_padding(self) -> bool:
        return self.label == PADDING_LABEL

    def encode(self) -> bytes:
        head = cbor.encode(self.wire_label)
        return head if self.value is None else head + cbor.encode(self.value)

    @classmethod
    def padding(cls, value: bytes | None = None) -> EadItem:
        return cls(label=PADDING_LABEL, value=value)


def encode_ead(items: Sequence[EadItem]) -> bytes:
    """EAD_x as the CBOR sequence of its items (RFC 9528 §3.8)."""
    return b"".join(item.encode() for item in items)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionContext:
    """What an EAD handler may read about the session (RFC 9528 App. E)."""

    role: Role
    message_number: int
    method: Method
    selected_suite: CipherSuite
    verified: bool
    connection_id_initiator: bytes | None = None
    connection_id_responder: bytes | None = None
    message_1: bytes | None = None
    message_2: bytes | None = None
    th_2: bytes | None = None
    th_3: bytes | None = None
    th_4: bytes | None = None
    exporter: Callable[[int, bytes, int], bytes] | None = None


class EadProcessingError(Exception):
    """Raised by a handler that cannot accept an item; the engine answers with an
    EDHOC error carrying ``err_info`` (ERR_CODE 1 unless the EAD's specification
    says otherwise) and aborts (RFC 9528 §3.8)."""

    def __init__(self, err_info: str, *, err_code: int = 1) -> None:
        super().__init__(err_info)
        self.err_info = err_info
        self.err_code = err_code


class EadHandler(Protocol):
    """An EAD plug-in.  ``labels`` are registered (absolute) labels."""

    @property
    def labels(self) -> Collection[int]: ...

    def produce(self, context: SessionContext) -> Sequence[EadItem]:
        """Items to send in message ``context.message_number`` (may be empty)."""
        ...

    def consume(self, items: Sequence[EadItem], context: SessionContext) -> None:
        """Items with our labels received in message ``context.message_number``."""
        ...

    def message_verified(self, items: Sequence[EadItem], context: SessionContext) -> None:
        """The message that carried ``items`` is now authenticated."""
        ...
