"""Resumption-related extensions (RFC 8446 §4.2.9-§4.2.11): parsed so they can be detected.

Attested connections never resume and never accept 0-RTT (draft-fossati-seat-expat), so
the engine only needs to *see* these: a server ignores a PSK offer and answers with a full
handshake, a client rejects a ServerHello that selects a PSK, and early_data is never
accepted.  The parsers are still strict, like every decoder of this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .alerts import IllegalParameter
from .codec import Reader, Writer
from .enums import ExtensionContext, ExtensionType

__all__ = [
    "EarlyDataIndication",
    "PreSharedKeyOffer",
    "PreSharedKeySelected",
    "PskIdentity",
    "PskKeyExchangeModes",
    "decode_early_data",
    "decode_pre_shared_key_offer",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PskKeyExchangeModes:
    """RFC 8446 §4.2.9 ``PskKeyExchangeMode ke_modes<1..255>`` (parsed; we never resume)."""

    extension_type: ClassVar[int] = ExtensionType.PSK_KEY_EXCHANGE_MODES
    modes: tuple[int, ...]

    def encode_data(self, writer: Writer) -> None:
        writer.opaque(1, bytes(self.modes))


@dataclass(frozen=True, slots=True, kw_only=True)
class PskIdentity:
    """RFC 8446 §4.2.11 ``PskIdentity``."""

    identity: bytes
    obfuscated_ticket_age: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PreSharedKeyOffer:
    """RFC 8446 §4.2.11 ``OfferedPsks`` in ClientHello.  Parsed so the engine can detect and
    decline resumption; attested connections never resume."""

    extension_type: ClassVar[int] = ExtensionType.PRE_SHARED_KEY
    identities: tuple[PskIdentity, ...]
    binders: tuple[bytes, ...]

    def encode_data(self, writer: Writer) -> None:
        with writer.vector(2):
            for identity in self.identities:
                writer.opaque(2, identity.identity)
                writer.uint32(identity.obfuscated_ticket_age)
        with writer.vector(2):
            for binder in self.binders:
                writer.opaque(1, binder)


def decode_pre_shared_key_offer(reader: Reader, context: ExtensionContext) -> PreSharedKeyOffer:
    identities_reader = reader.vector(2, 7)  # PskIdentity identities<7..2^16-1>
    identities: list[PskIdentity] = []
    while not identities_reader.at_end():
        identity = identities_reader.opaque(2, 1)
        identities.append(PskIdentity(identity=identity, obfuscated_ticket_age=identities_reader.uint32()))
    binders_reader = reader.vector(2, 33)  # PskBinderEntry binders<33..2^16-1>
    binders: list[bytes] = []
    while not binders_reader.at_end():
        binders.append(binders_reader.opaque(1, 32))  # opaque PskBinderEntry<32..255>
    # RFC 8446 §4.2.11: one binder per identity; the server checks this ("illegal_parameter").
    if len(binders) != len(identities):
        raise IllegalParameter("pre_shared_key binder count differs from identity count")
    return PreSharedKeyOffer(identities=tuple(identities), binders=tuple(binders))


@dataclass(frozen=True, slots=True, kw_only=True)
class PreSharedKeySelected:
    """RFC 8446 §4.2.11 ``uint16 selected_identity`` in ServerHello."""

    extension_type: ClassVar[int] = ExtensionType.PRE_SHARED_KEY
    selected_identity: int

    def encode_data(self, writer: Writer) -> None:
        writer.uint16(self.selected_identity)


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlyDataIndication:
    """RFC 8446 §4.2.10 early_data: empty in CH/EE, ``uint32 max_early_data_size`` in NST."""

    extension_type: ClassVar[int] = ExtensionType.EARLY_DATA
    max_early_data_size: int | None = None

    def encode_data(self, writer: Writer) -> None:
        if self.max_early_data_size is not None:
            writer.uint32(self.max_early_data_size)


def decode_early_data(reader: Reader, context: ExtensionContext) -> EarlyDataIndication:
    if context is ExtensionContext.NEW_SESSION_TICKET:
        return EarlyDataIndication(max_early_data_size=reader.uint32())
    return EarlyDataIndication()
