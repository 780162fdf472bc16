"""Byte-level codec for TLS: a strict reader, a writer, handshake framing and reassembly.

Theory of operation: every TLS structure is a sequence of big-endian integers and
length-prefixed vectors (RFC 8446 §3).  ``Reader`` pulls them from an immutable
buffer and raises ``DecodeErrorAlert`` (decode_error) on any overrun, a length
outside the vector's declared bounds, or bytes left over once a structure should
have ended; nothing else escapes a decoder.  ``Writer`` is the mirror image and
raises ``EncodeError`` (a caller bug) when a value does not fit its field.

Handshake messages travel as ``msg_type(1) || uint24 length || body`` (RFC 8446 §4)
and may be coalesced into one record or fragmented across several (§5.1).
``HandshakeReassembler`` accepts the handshake byte stream in pieces of any size
and yields whole messages, each with its raw encoding (the transcript input).
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass

from ratscore.errors import EncodeError

from .alerts import AlertDescription, AlertLevel, DecodeErrorAlert, IllegalParameter, UnexpectedMessage
from .enums import HandshakeType

__all__ = [
    "DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE",
    "HandshakeMessage",
    "HandshakeReassembler",
    "Reader",
    "Writer",
    "decode_alert",
    "encode_alert",
    "encode_handshake",
    "split_handshake_messages",
]

# The largest handshake message we buffer.  RFC 8446 allows 2^24-1; a certificate chain is the
# only large message and real chains are far below this.  Larger -> illegal_parameter.
DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 1 << 18


@functools.lru_cache(maxsize=64)
def _uint16_struct(count: int) -> struct.Struct:
    return struct.Struct(f">{count}H")


class Reader:
    """Strict big-endian reader over ``data``.  Every failure raises ``DecodeErrorAlert``."""

    __slots__ = ("_data", "_end", "_position")

    def __init__(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        self._data = data
        self._position = start
        self._end = len(data) if end is None else end

    @property
    def remaining(self) -> int:
        return self._end - self._position

    def at_end(self) -> bool:
        return self._position == self._end

    def expect_end(self, what: str = "structure") -> None:
        """RFC 8446 §4: a structure must consume its whole length; leftovers are a decode_error."""
        if self._position != self._end:
            raise DecodeErrorAlert(f"{self._end - self._position} trailing bytes after {what}")

    def read(self, length: int) -> bytes:
        if length < 0 or length > self._end - self._position:
            raise DecodeErrorAlert("truncated input")
        start = self._position
        self._position += length
        return self._data[start : self._position]

    def uint(self, width: int) -> int:
        start = self._position
        end = start + width
        if end > self._end:
            raise DecodeErrorAlert("truncated input")
        self._position = end
        return int.from_bytes(self._data[start:end], "big")

    def uint8(self) -> int:
        position = self._position
        if position >= self._end:
            raise DecodeErrorAlert("truncated input")
        self._position = position + 1
        return self._data[position]

    def uint16(self) -> int:
        position = self._position
        end = position + 2
        if end > self._end:
            raise DecodeErrorAlert("truncated input")
        self._position = end
        data = self._data
        return (data[position] << 8) | data[position + 1]

    def uint24(self) -> int:
        return self.uint(3)

    def uint32(self) -> int:
        return self.uint(4)

    def opaque(self, prefix: int, minimum: int = 0, maximum: int | None = None) -> bytes:
        """An ``opaque x<minimum..maximum>`` vector with a ``prefix``-byte length (RFC 8446 §3.4)."""
        position = self._position
        start = position + prefix
        if start > self._end:
            raise DecodeErrorAlert("truncated input")
        data = self._data
        if prefix == 1:
            length = data[position]
        elif prefix == 2:
            length = (data[position] << 8) | data[position + 1]
        else:
            length = int.from_bytes(data[position:start], "big")
        if length < minimum or (maximum is not None and length > maximum):
            raise DecodeErrorAlert("vector length out of bounds")
        end = start + length
        if end > self._end:
            raise DecodeErrorAlert("truncated input")
        self._position = end
        return data[start:end]

    def vector(self, prefix: int, minimum: int = 0, maximum: int | None = None) -> Reader:
        """A length-prefixed vector as a sub-reader; the caller must consume it exactly."""
        position = self._position
        start = position + prefix
        if start > self._end:
            raise DecodeErrorAlert("truncated input")
        data = self._data
        if prefix == 2:
            length = (data[position] << 8) | data[position + 1]
        else:
            length = int.from_bytes(data[position:start], "big")
        if length < minimum or (maximum is not None and length > maximum):
            raise DecodeErrorAlert("vector length out of bounds")
        end = start + length
        if end > self._end:
            raise DecodeErrorAlert("vector length exceeds the enclosing structure")
        self._position = end
        return Reader(self._data, start, end)

    def extension_block(self, minimum: int = 0) -> tuple[bytes, int, int]:
        """Consume an ``Extension extensions<minimum..2^16-1>`` block (RFC 8446 §4.2) and return
        (data, start, end): the block's entries are ``data[start:end]``, still to be cut (by
        ``extensions.decode_extensions``, in one pass with the decoding)."""
        position = self._position
        start = position + 2
        if start > self._end:
            raise DecodeErrorAlert("truncated input")
        data = self._data
        end = start + ((data[position] << 8) | data[position + 1])
        if end - start < minimum:
            raise DecodeErrorAlert("vector length out of bounds")
        if end > self._end:
            raise DecodeErrorAlert("vector length exceeds the enclosing structure")
        self._position = end
        return data, start, end

    def uint16_list(self, prefix: int, minimum: int = 0, maximum: int | None = None) -> tuple[int, ...]:
        """A vector of uint16 code points; its byte length must be even (RFC 8446 §3.4)."""
        raw = self.opaque(prefix, minimum, maximum)
        if len(raw) % 2:
            raise DecodeErrorAlert("odd length for a vector of uint16")
        return _uint16_struct(len(raw) // 2).unpack(raw)  # length checked: cannot raise


class Writer:
    """Big-endian writer.  Values that do not fit raise ``EncodeError``."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def getvalue(self) -> bytes:
        return bytes(self._buffer)

    def write(self, data: bytes) -> None:
        self._buffer += data

    def uint(self, width: int, value: int) -> None:
        if not 0 <= value < 1 << (8 * width):
            raise EncodeError(f"value {value} does not fit in {width} bytes")
        self._buffer += value.to_bytes(width, "big")

    def uint8(self, value: int) -> None:
        if not 0 <= value <= 0xFF:
            raise EncodeError(f"value {value} does not fit in 1 byte")
        self._buffer.append(value)

    def uint16(self, value: int) -> None:
        if not 0 <= value <= 0xFFFF:
            raise EncodeError(f"value {value} does not fit in 2 bytes")
        self._buffer += value.to_bytes(2, "big")

    def uint24(self, value: int) -> None:
        self.uint(3, value)

    def uint32(self, value: int) -> None:
        self.uint(4, value)

    def opaque(self, prefix: int, data: bytes) -> None:
        length = len(data)
        if length >= 1 << (8 * prefix):
            raise EncodeError(f"value {length} does not fit in {prefix} bytes")
        self._buffer += length.to_bytes(prefix, "big")
        self._buffer += data

    def uint16_list(self, prefix: int, values: tuple[int, ...]) -> None:
        self.uint(prefix, 2 * len(values))
        if any(not 0 <= value <= 0xFFFF for value in values):
            raise EncodeError("uint16 list value out of range")
        self._buffer += struct.pack(f">{len(values)}H", *values)

    def vector(self, prefix: int) -> _VectorScope:
        """Write the body inside the ``with`` block, then back-fill its ``prefix``-byte length."""
        return _VectorScope(self._buffer, prefix)


class _VectorScope:
    """``Writer.vector``'s context manager (a class: cheaper than a generator on hot paths)."""

    __slots__ = ("_buffer", "_prefix", "_start")

    def __init__(self, buffer: bytearray, prefix: int) -> None:
        self._buffer = buffer
        self._prefix = prefix
        self._start = len(buffer)

    def __enter__(self) -> None:
        self._buffer += bytes(self._prefix)

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is not None:
            return
        prefix, start = self._prefix, self._start
        length = len(self._buffer) - start - prefix
        if length >= 1 << (8 * prefix):
            raise EncodeError(f"vector of {length} bytes does not fit a {prefix}-byte length")
        self._buffer[start : start + prefix] = length.to_bytes(prefix, "big")


# -- handshake framing -----------------------------------------------------------------------


def encode_handshake(msg_type: int, body: bytes) -> bytes:
    """RFC 8446 §4: ``msg_type(1) || uint24 length || body``."""
    if len(body) >= 1 << 24:
        raise EncodeError("handshake message body longer than 2^24-1")
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeMessage:
    """One handshake message cut from the stream.  ``raw`` is header || body: the transcript input."""

    msg_type: int
    body: bytes
    raw: bytes

    @property
    def handshake_type(self) -> HandshakeType | None:
        try:
            return HandshakeType(self.msg_type)
        except ValueError:
            return None


class HandshakeReassembler:
    """Cuts the handshake byte stream into messages, however it was split across records.

    ``feed`` the content of each handshake record, then call ``next_message`` until it returns
    None.  ``pending`` says whether a partial message is buffered: RFC 8446 §5.1 requires the
    caller to check it before a key change and between record types.
    """

    __slots__ = ("_data", "_max_message_size", "_offset")

    def __init__(self, *, max_message_size: int = DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE) -> None:
        # The unread stream is one ``bytes`` object and an offset into it: a record holding
        # whole messages (the usual case) is cut without copying it into a buffer first.
        self._data = b""
        self._offset = 0
        self._max_message_size = max_message_size

    @property
    def pending(self) -> bool:
        """True when bytes of an incomplete message are buffered."""
        return self._offset < len(self._data)

    def feed(self, data: bytes) -> None:
        if self._offset >= len(self._data):
            self._data = bytes(data)
        else:
            self._data = self._data[self._offset :] + data
        self._offset = 0

    def next_message(self) -> HandshakeMessage | None:
        data, offset = self._data, self._offset
        if len(data) - offset < 4:
            return None
        length = (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3]
        if length > self._max_message_size:
            raise IllegalParameter("handshake message exceeds the maximum size we accept")
        end = offset + 4 + length
        if len(data) < end:
            return None
        self._offset = end
        raw = data if offset == 0 and end == len(data) else data[offset:end]
        return HandshakeMessage(msg_type=raw[0], body=raw[4:], raw=raw)

    def ensure_aligned(self) -> None:
        """RFC 8446 §5.1: "Handshake messages MUST NOT span key changes ... [else]
        unexpected_message".  Call before installing a new read key and before accepting a
        non-handshake record."""
        if self._offset < len(self._data):
            raise UnexpectedMessage("handshake message not aligned with a record boundary")


def split_handshake_messages(data: bytes) -> list[HandshakeMessage]:
    """Split a complete handshake byte string into messages; a partial tail is a decode_error."""
    reassembler = HandshakeReassembler(max_message_size=(1 << 24) - 1)
    reassembler.feed(data)
    messages = []
    while (message := reassembler.next_message()) is not None:
        messages.append(message)
    if reassembler.pending:
        raise DecodeErrorAlert("truncated handshake message")
    return messages


# -- alert messages --------------------------------------------------------------------------


def encode_alert(description: AlertDescription, level: AlertLevel | None = None) -> bytes:
    """RFC 8446 §6: ``level(1) || description(1)``.  close_notify and user_canceled are warnings
    (§6.1); every other alert we send is fatal (§6.2)."""
    if level is None:
        warning = description in (AlertDescription.CLOSE_NOTIFY, AlertDescription.USER_CANCELED)
        level = AlertLevel.WARNING if warning else AlertLevel.FATAL
    return bytes([level, description])


def decode_alert(fragment: bytes) -> tuple[int, AlertDescription | int]:
    """Decode one alert record's content.  RFC 8446 §5.1: an alert record holds exactly one
    2-byte alert message; anything else is a decode_error.  Unknown codes come back as ints."""
    if len(fragment) != 2:
        raise DecodeErrorAlert("an alert record must hold exactly one 2-byte alert")
    level, code = fragment[0], fragment[1]
    try:
        return level, AlertDescription(code)
    except ValueError:
        return level, code
