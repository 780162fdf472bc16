"""A small, strict DER reader and writer (ITU-T X.690 §8 and §10).

Theory of operation: a DER value is a tag octet, a length and that many content
octets (TLV).  ``DerReader`` walks the TLVs of one buffer in order; each
``read_*`` method checks the tag it expects, decodes the content strictly and
advances.  ``read_sequence`` returns a new reader over the sequence's content, so
nested structures are parsed by nesting readers, and ``finish`` asserts that a
reader consumed everything.  The writers are plain functions returning bytes.

Strictness (everything BER allows but DER forbids is a ``DecodeError``):

* lengths: no indefinite form (0x80), no long form where the short form fits,
  no leading zero length octets (X.690 §10.1, §8.1.3);
* tags: only the low-tag-number form (tag numbers 0..30, X.690 §8.1.2.2);
* INTEGER: minimal two's complement (X.690 §8.3.2);
* BOOLEAN: 0x00 or 0xFF (X.690 §11.1);
* BIT STRING: unused-bit count 0..7, zero when empty, unused bits zero (X.690 §11.2);
* OBJECT IDENTIFIER: minimal base-128 subidentifiers (X.690 §8.19.2);
* NULL: empty content (X.690 §8.8.2);
* constructed/primitive bits as the universal types require (strings are
  primitive in DER, X.690 §10.2).

Only what X.509 and key encodings need is here; the reader never recurses on its
own, so hostile nesting depth costs the caller nothing it did not ask for.
"""

from __future__ import annotations

from ratscore.errors import DecodeError, EncodeError

__all__ = [
    "TAG_BIT_STRING",
    "TAG_BOOLEAN",
    "TAG_INTEGER",
    "TAG_NULL",
    "TAG_OCTET_STRING",
    "TAG_OID",
    "TAG_SEQUENCE",
    "TAG_SET",
    "DerReader",
    "context_tag",
    "decode_bit_string",
    "decode_integer",
    "decode_oid",
    "encode_bit_string",
    "encode_boolean",
    "encode_integer",
    "encode_length",
    "encode_null",
    "encode_octet_string",
    "encode_oid",
    "encode_sequence",
    "encode_tlv",
    "read_single",
]

# X.690 §8.1.2: identifier octet = class (2 bits) | constructed (1 bit) | number (5 bits).
TAG_BOOLEAN = 0x01
TAG_INTEGER = 0x02
TAG_BIT_STRING = 0x03
TAG_OCTET_STRING = 0x04
TAG_NULL = 0x05
TAG_OID = 0x06
TAG_SEQUENCE = 0x30  # universal 16, constructed
TAG_SET = 0x31  # universal 17, constructed

_CONSTRUCTED = 0x20
_CLASS_CONTEXT = 0x80
_HIGH_TAG_NUMBER = 0x1F
_MAX_LENGTH_OCTETS = 4  # 4 GiB: more than any buffer we are handed


def context_tag(number: int, *, constructed: bool = True) -> int:
    """The identifier octet of ``[number]`` (context-specific class, X.690 §8.1.2.2)."""
    if not 0 <= number < _HIGH_TAG_NUMBER:
        raise EncodeError(f"context tag [{number}] needs the high-tag-number form, which is unsupported")
    return _CLASS_CONTEXT | (_CONSTRUCTED if constructed else 0) | number


def _tag_name(tag: int) -> str:
    names = {
        TAG_BOOLEAN: "BOOLEAN",
        TAG_INTEGER: "INTEGER",
        TAG_BIT_STRING: "BIT STRING",
        TAG_OCTET_STRING: "OCTET STRING",
        TAG_NULL: "NULL",
        TAG_OID: "OBJECT IDENTIFIER",
        TAG_SEQUENCE: "SEQUENCE",
        TAG_SET: "SET",
    }
    if tag in names:
        return names[tag]
    if tag & 0xC0 == _CLASS_CONTEXT:
        return f"[{tag & 0x1F}]"
    return f"tag 0x{tag:02x}"


# ---------------------------------------------------------------------------
# Reading


def _read_header(data: bytes, offset: int) -> tuple[int, int, int]:
    """Parse the identifier and length octets at ``offset``: (tag, content start, content end)."""
    end_of_data = len(data)
    if offset >= end_of_data:
        raise DecodeError("DER: truncated: expected a tag")
    tag = data[offset]
    if tag & 0x1F == _HIGH_TAG_NUMBER:  # X.690 §8.1.2.4
        raise DecodeError("DER: high-tag-number form is not supported")
    if offset + 1 >= end_of_data:
        raise DecodeError(f"DER: truncated: {_tag_name(tag)} has no length")
    first = data[offset + 1]
    position = offset + 2
    if first < 0x80:  # X.690 §8.1.3.4 short form
        length = first
    elif first == 0x80:  # X.690 §10.1: "the definite form of length encoding shall be used"
        raise DecodeError("DER: indefinite length is not allowed")
    elif first == 0xFF:  # X.690 §8.1.3.5 c): reserved
        raise DecodeError("DER: reserved length octet 0xff")
    else:
        count = first & 0x7F
        if count > _MAX_LENGTH_OCTETS:
            raise DecodeError(f"DER: length with {count} length octets is too large")
        if position + count > end_of_data:
            raise DecodeError("DER: truncated length octets")
        length = int.from_bytes(data[position : position + count], "big")
        position += count
        # X.690 §10.1: "the minimum number of octets" — no leading zero, no long form below 128.
        if data[offset + 2] == 0 or length < 0x80:
            raise DecodeError("DER: non-minimal length encoding")
    end = position + length
    if end > end_of_data:
        raise DecodeError(f"DER: truncated {_tag_name(tag)}: needs {length} content bytes")
    return tag, position, end


class DerReader:
    """Sequential reader over the DER elements of one buffer (see module doc)."""

    __slots__ = ("_data", "_end", "_offset")

    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)
        self._offset = 0
        self._end = len(self._data)

    @property
    def at_end(self) -> bool:
        return self._offset >= self._end

    def finish(self) -> None:
        """Raise ``DecodeError`` unless every byte was consumed."""
        if not self.at_end:
            raise DecodeError(f"DER: {self._end - self._offset} bytes of trailing data")

    def peek_tag(self) -> int | None:
        """The next element's identifier octet, or ``None`` at the end."""
        return None if self.at_end else self._data[self._offset]

    def read_element(self) -> tuple[int, bytes, bytes]:
        """Read any element: (tag, content, the whole encoded TLV)."""
        start = self._offset
        tag, content_start, content_end = _read_header(self._data, start)
        self._offset = content_end
        return tag, self._data[content_start:content_end], self._data[start:content_end]

    def read(self, tag: int) -> bytes:
        """Read an element that must carry ``tag``; return its content octets."""
        actual = self.peek_tag()
        if actual is None:
            raise DecodeError(f"DER: truncated: expected {_tag_name(tag)}")
        if actual != tag:
            raise DecodeError(f"DER: expected {_tag_name(tag)}, found {_tag_name(actual)}")
        return self.read_element()[1]

    def read_optional(self, tag: int) -> bytes | None:
        """Content of the next element if it carries ``tag``, else ``None`` (nothing consumed)."""
        if self.peek_tag() != tag:
            return None
        return self.read(tag)

    def read_sequence(self) -> DerReader:
        return DerReader(self.read(TAG_SEQUENCE))

    def read_set(self) -> DerReader:
        return DerReader(self.read(TAG_SET))

    def read_explicit(self, number: int) -> DerReader:
        """The content of a constructed ``[number]`` as a reader (an EXPLICIT tag)."""
        return DerReader(self.read(context_tag(number)))

    def read_integer(self) -> int:
        return decode_integer(self.read(TAG_INTEGER))

    def read_unsigned_integer(self) -> int:
        """An INTEGER that must not be negative."""
        value = self.read_integer()
        if value < 0:
            raise DecodeError("DER: negative INTEGER where a non-negative one is required")
        return value

    def read_boolean(self) -> bool:
        content = self.read(TAG_BOOLEAN)
        if content == b"\x00":
            return False
        if content == b"\xff":  # X.690 §11.1: TRUE is all ones in DER
            return True
        raise DecodeError("DER: BOOLEAN must be one octet 0x00 or 0xff")

    def read_null(self) -> None:
        if self.read(TAG_NULL):  # X.690 §8.8.2
            raise DecodeError("DER: NULL must have empty content")

    def read_oid(self) -> str:
        return decode_oid(self.read(TAG_OID))

    def read_octet_string(self) -> bytes:
        return self.read(TAG_OCTET_STRING)

    def read_bit_string(self) -> bytes:
        """A BIT STRING holding whole octets (unused-bit count 0), as bytes."""
        data, unused_bits = decode_bit_string(self.read(TAG_BIT_STRING))
        if unused_bits:
            raise DecodeError("DER: BIT STRING has unused bits where whole octets are required")
        return data

    def read_bit_string_bits(self) -> tuple[bytes, int]:
        """A BIT STRING of any length: (octets, unused-bit count)."""
        return decode_bit_string(self.read(TAG_BIT_STRING))


def read_single(data: bytes, tag: int) -> bytes:
    """Content of the one element that must make up all of ``data``."""
    reader = DerReader(data)
    content = reader.read(tag)
    reader.finish()
    return content


def decode_integer(content: bytes) -> int:
    """INTEGER content octets to int (X.690 §8.3)."""
    if not content:
        raise DecodeError("DER: INTEGER with no content octets")
    # X.690 §8.3.2: the first nine bits shall not be all ones nor all zeros.
    if len(content) > 1 and ((content[0] == 0x00 and content[1] < 0x80) or (content[0] == 0xFF and content[1] >= 0x80)):
        raise DecodeError("DER: non-minimal INTEGER encoding")
    return int.from_bytes(content, "big", signed=True)


def decode_oid(content: bytes) -> str:
    """OBJECT IDENTIFIER content octets to dotted form (X.690 §8.19)."""
    if not content:
        raise DecodeError("DER: OBJECT IDENTIFIER with no content octets")
    if content[-1] & 0x80:
        raise DecodeError("DER: truncated OBJECT IDENTIFIER subidentifier")
    subidentifiers: list[int] = []
    value = 0
    starting = True
    for octet in content:
        if starting and octet == 0x80:  # X.690 §8.19.2: "the leading octet ... shall not be 80"
            raise DecodeError("DER: non-minimal OBJECT IDENTIFIER subidentifier")
        value = (value << 7) | (octet & 0x7F)
        starting = not octet & 0x80
        if starting:
            subidentifiers.append(value)
            value = 0
    first = subidentifiers[0]
    # X.690 §8.19.4: the first subidentifier is 40 * X + Y, with X in {0, 1, 2}.
    arcs = [first // 40, first % 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in arcs + subidentifiers[1:])


def decode_bit_string(content: bytes) -> tuple[bytes, int]:
    """BIT STRING content octets to (octets, unused-bit count) (X.690 §8.6, §11.2)."""
    if not content:
        raise DecodeError("DER: BIT STRING with no content octets")
    unused_bits = content[0]
    data = content[1:]
    if unused_bits > 7:  # X.690 §8.6.2.2
        raise DecodeError("DER: BIT STRING unused-bit count above 7")
    if unused_bits and not data:  # X.690 §8.6.2.3
        raise DecodeError("DER: empty BIT STRING with a non-zero unused-bit count")
    if unused_bits and data[-1] & ((1 << unused_bits) - 1):  # X.690 §11.2.1
        raise DecodeError("DER: BIT STRING unused bits are not zero")
    return data, unused_bits


# ---------------------------------------------------------------------------
# Writing


def encode_length(length: int) -> bytes:
    """Definite, minimal length octets (X.690 §8.1.3, §10.1)."""
    if length < 0:
        raise EncodeError("DER: negative length")
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(octets) > _MAX_LENGTH_OCTETS:
        raise EncodeError("DER: content too long")
    return bytes([0x80 | len(octets)]) + octets


def encode_tlv(tag: int, content: bytes) -> bytes:
    if not 0 <= tag <= 0xFF or tag & 0x1F == _HIGH_TAG_NUMBER:
        raise EncodeError(f"DER: unsupported tag {tag:#x}")
    return bytes([tag]) + encode_length(len(content)) + content


def encode_integer(value: int) -> bytes:
    """Minimal two's complement INTEGER (X.690 §8.3)."""
    magnitude_bits = value.bit_length() if value >= 0 else (~value).bit_length()
    length = magnitude_bits // 8 + 1  # room for the sign bit
    return encode_tlv(TAG_INTEGER, value.to_bytes(length, "big", signed=True))


def encode_boolean(value: bool) -> bytes:
    return encode_tlv(TAG_BOOLEAN, b"\xff" if value else b"\x00")


def encode_null() -> bytes:
    return b"\x05\x00"


def encode_octet_string(data: bytes) -> bytes:
    return encode_tlv(TAG_OCTET_STRING, data)


def encode_bit_string(data: bytes, unused_bits: int = 0) -> bytes:
    """BIT STRING of ``data`` whose last ``unused_bits`` bits are padding (X.690 §11.2)."""
    if not 0 <= unused_bits <= 7 or (unused_bits and not data):
        raise EncodeError("DER: bad BIT STRING unused-bit count")
    if unused_bits and data[-1] & ((1 << unused_bits) - 1):
        raise EncodeError("DER: BIT STRING padding bits must be zero")
    return encode_tlv(TAG_BIT_STRING, bytes([unused_bits]) + data)


def encode_oid(dotted: str) -> bytes:
    """OBJECT IDENTIFIER from dotted form (X.690 §8.19)."""
    parts = dotted.split(".")
    if any(not (part.isascii() and part.isdigit()) or (len(part) > 1 and part[0] == "0") for part in parts):
        raise EncodeError(f"DER: malformed OBJECT IDENTIFIER {dotted!r}")
    arcs = [int(part) for part in parts]
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40):  # X.660 §A.2
        raise EncodeError(f"DER: malformed OBJECT IDENTIFIER {dotted!r}")
    content = bytearray()
    for subidentifier in [arcs[0] * 40 + arcs[1], *arcs[2:]]:  # X.690 §8.19.4
        remaining = subidentifier >> 7
        chunk = [subidentifier & 0x7F]  # X.690 §8.19.2: base 128, high bit set on all but the last
        while remaining:
            chunk.append(0x80 | (remaining & 0x7F))
            remaining >>= 7
        content += bytes(reversed(chunk))
    return encode_tlv(TAG_OID, bytes(content))


def encode_sequence(*elements: bytes) -> bytes:
    return encode_tlv(TAG_SEQUENCE, b"".join(elements))
