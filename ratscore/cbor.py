"""Strict deterministic CBOR (RFC 8949) and CBOR sequences (RFC 8742).

Theory of operation
-------------------
Data model.  CBOR items map to Python values one to one:

=====================  ==============================================================
CBOR                   Python
=====================  ==============================================================
unsigned / negative    ``int`` (64-bit range; bignums, tags 2/3, stay ``Tag`` values)
byte string            ``bytes`` (``bytearray``/``memoryview`` are accepted to encode)
text string            ``str``
array                  ``list`` (``tuple`` is accepted to encode)
map                    ``dict``
tag                    ``Tag(tag, value)``
false / true / null    ``False`` / ``True`` / ``None``
undefined              ``Undefined``
other simple values    ``Simple(n)``
float16/32/64          ``float``
=====================  ==============================================================

Map keys.  An array used as a map key decodes to a ``tuple`` (recursively), since a
Python ``list`` cannot be a ``dict`` key; a map used as a map key is rejected.
Python treats ``1``, ``1.0`` and ``True`` as the same key, so a map holding two of
them is rejected as holding a duplicate key.

Encoding is always deterministic (RFC 8949 §4.2.1): shortest heads, definite
lengths, map keys sorted by the bytewise order of their encodings, and floats in
the shortest of binary16/32/64 that keeps the value exactly (NaN is always
``f9 7e00``, RFC 8949 §4.2.2).

Decoding is strict by default and accepts exactly the bytes ``encode`` would have
produced: it rejects non-shortest heads and floats, indefinite lengths and unsorted
map keys.  ``strict=False`` accepts those, but every mode rejects what is not
well-formed (RFC 8949 §3, Appendix F): truncation, trailing bytes, reserved
additional information 28-30, stray break codes, two-byte simple values below 32,
invalid UTF-8, and duplicate map keys.  Every claimed length is checked against the
bytes actually left before anything is allocated, and nesting is bounded by
``max_depth``, so hostile input fails fast with ``DecodeError`` naming the byte
offset.

Speed.  Both directions dispatch on ``type()`` through a dict and write heads with
precompiled ``struct`` packers; no per-byte Python loops.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Final, TypeAlias

from ratscore.errors import DecodeError, EncodeError, LocalProtocolError

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "CborItem",
    "CborKey",
    "Simple",
    "Tag",
    "Undefined",
    "UndefinedType",
    "decode",
    "decode_first",
    "decode_sequence",
    "encode",
    "encode_sequence",
]

DEFAULT_MAX_DEPTH: Final = 64
"""Containers (arrays, maps, tags) that may nest inside one another."""


@dataclass(frozen=True, slots=True)
class Tag:
    """A tagged data item (RFC 8949 §3.4): tag number and content."""

    tag: int
    value: object


@dataclass(frozen=True, slots=True)
class Simple:
    """A simple value other than false/true/null/undefined (RFC 8949 §3.3)."""

    value: int

    def __post_init__(self) -> None:
        # RFC 8949 §3.3: 20-23 are false/true/null/undefined; 24-31 are reserved.
        if not (0 <= self.value <= 19 or 32 <= self.value <= 255):
            raise EncodeError(f"simple value {self.value} is not assignable (use 0-19 or 32-255)")


class UndefinedType(enum.Enum):
    """The type of the ``Undefined`` singleton (CBOR simple value 23)."""

    UNDEFINED = "undefined"

    def __repr__(self) -> str:
        return "Undefined"

    __str__ = __repr__


Undefined: Final = UndefinedType.UNDEFINED

CborKey: TypeAlias = int | float | bytes | str | bool | tuple["CborKey", ...] | Tag | Simple | UndefinedType | None
CborItem: TypeAlias = (
    int
    | float
    | bytes
    | str
    | bool
    | list["CborItem"]
    | dict[CborKey, "CborItem"]
    | Tag
    | Simple
    | UndefinedType
    | None
)

# ---------------------------------------------------------------------------
# Encoder
# ---------------------------------------------------------------------------

_UINT64_LIMIT: Final = 1 << 64
_pack_head16 = struct.Struct(">BH").pack
_pack_head32 = struct.Struct(">BI").pack
_pack_head64 = struct.Struct(">BQ").pack
_pack_f16 = struct.Struct(">Be").pack
_pack_f32 = struct.Struct(">Bf").pack
_pack_f64 = struct.Struct(">Bd").pack
_unpack_f16 = struct.Struct(">e").unpack_from
_unpack_f32 = struct.Struct(">f").unpack_from
_unpack_f64 = struct.Struct(">d").unpack_from
_first = itemgetter(0)

_Encoder: TypeAlias = Callable[[bytearray, Any, int], None]
# One-byte encodings of -24..23, indexed by the integer itself (negative indices wrap).
_SMALL_INT_ENCODINGS: Final = tuple(bytes((number,)) for number in range(24)) + tuple(
    bytes((0x20 | (-1 - number),)) for number in range(-24, 0)
)


def _write_head(out: bytearray, major: int, argument: int) -> None:
    """Append a head with the shortest argument encoding (RFC 8949 §4.2.1).

    ``major`` is the major type already shifted into the top three bits."""
    if argument < 24:
        out.append(major | argument)
    elif argument < 0x100:
        out.append(major | 24)
        out.append(argument)
    elif argument < 0x10000:
        out += _pack_head16(major | 25, argument)
    elif argument < 0x1_0000_0000:
        out += _pack_head32(major | 26, argument)
    else:
        out += _pack_head64(major | 27, argument)


def _encode_int(out: bytearray, value: int, depth: int) -> None:
    if 0 <= value < 24:
        out.append(value)
    elif 0 <= value < _UINT64_LIMIT:
        _write_head(out, 0x00, value)
    elif -_UINT64_LIMIT <= value < 0:
        _write_head(out, 0x20, -1 - value)  # RFC 8949 §3.1: major type 1 encodes -1 - n
    else:
        raise EncodeError(f"integer {value} does not fit in 64 bits (bignums are not encoded)")


def _encode_bytes(out: bytearray, value: bytes | bytearray, depth: int) -> None:
    _write_head(out, 0x40, len(value))
    out += value


def _encode_memoryview(out: bytearray, value: memoryview, depth: int) -> None:
    _encode_bytes(out, value.tobytes(), depth)


def _encode_str(out: bytearray, value: str, depth: int) -> None:
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EncodeError(f"text string is not encodable as UTF-8: {exc.reason}") from None
    _write_head(out, 0x60, len(encoded))
    out += encoded


def _too_deep() -> EncodeError:
    return EncodeError("value nests deeper than max_depth (or contains itself)")


def _encode_array(out: bytearray, value: list[object] | tuple[object, ...], depth: int) -> None:
    if depth <= 0:
        raise _too_deep()
    depth -= 1
    _write_head(out, 0x80, len(value))
    for item in value:
        (_ENCODERS.get(type(item)) or _encoder_for(item))(out, item, depth)


def _encode_map(out: bytearray, value: dict[object, object], depth: int) -> None:
    if depth <= 0:
        raise _too_deep()
    depth -= 1
    _write_head(out, 0xA0, len(value))
    pairs: list[tuple[bytes, object]] = []
    for key, item in value.items():
        if type(key) is int and -24 <= key < 24:
            pairs.append((_SMALL_INT_ENCODINGS[key], item))
        else:
            encoded_key = bytearray()
            (_ENCODERS.get(type(key)) or _encoder_for(key))(encoded_key, key, depth)
            pairs.append((bytes(encoded_key), item))
    # RFC 8949 §4.2.1: keys sorted in the bytewise lexicographic order of their
    # deterministic encodings.
    pairs.sort(key=_first)
    previous_key = b""
    for key_bytes, item in pairs:
        if key_bytes == previous_key:
            raise EncodeError("two map keys have the same encoding")
        previous_key = key_bytes
        out += key_bytes
        (_ENCODERS.get(type(item)) or _encoder_for(item))(out, item, depth)


def _encode_tag(out: bytearray, value: Tag, depth: int) -> None:
    if depth <= 0:
        raise _too_deep()
    number = value.tag
    if not (isinstance(number, int) and 0 <= number < _UINT64_LIMIT):
        raise EncodeError(f"tag number {number!r} is not a 64-bit unsigned integer")
    _write_head(out, 0xC0, number)
    content = value.value
    (_ENCODERS.get(type(content)) or _encoder_for(content))(out, content, depth - 1)


def _encode_float(out: bytearray, value: float, depth: int) -> None:
    # RFC 8949 §4.2.1 / §4.2.2: the shortest of binary16/32/64 that preserves the
    # value; NaN becomes the canonical quiet NaN 0xf97e00.
    if value != value:  # noqa: PLR0124 -- NaN test without a call on the hot path
        out += b"\xf9\x7e\x00"
        return
    try:
        half = _pack_f16(0xF9, value)
        if _unpack_f16(half, 1)[0] == value:
            out += half
            return
    except OverflowError:
        pass
    try:
        single = _pack_f32(0xFA, value)
        if _unpack_f32(single, 1)[0] == value:
            out += single
            return
    except OverflowError:
        pass
    out += _pack_f64(0xFB, value)


def _encode_bool(out: bytearray, value: bool, depth: int) -> None:
    out.append(0xF5 if value else 0xF4)


def _encode_none(out: bytearray, value: None, depth: int) -> None:
    out.append(0xF6)


def _encode_undefined(out: bytearray, value: UndefinedType, depth: int) -> None:
    out.append(0xF7)


def _encode_simple(out: bytearray, value: Simple, depth: int) -> None:
    if value.value < 24:
        out.append(0xE0 | value.value)
    else:
        out.append(0xF8)  # RFC 8949 §3.3: simple values 32-255 take a one-byte argument
        out.append(value.value)


_ENCODERS: Final[dict[type, _Encoder]] = {
    int: _encode_int,
    bytes: _encode_bytes,
    str: _encode_str,
    list: _encode_array,
    dict: _encode_map,
    bool: _encode_bool,
    type(None): _encode_none,
    float: _encode_float,
    Tag: _encode_tag,
    tuple: _encode_array,
    bytearray: _encode_bytes,
    memoryview: _encode_memoryview,
    Simple: _encode_simple,
    UndefinedType: _encode_undefined,
}


def _encoder_for(value: object) -> _Encoder:
    """Encoder for a subclass of a supported type (``IntEnum``, ``str`` subclasses...)."""
    for cls in type(value).__mro__:
        encoder = _ENCODERS.get(cls)
        if encoder is not None:
            return encoder
    raise EncodeError(f"cannot encode a value of type {type(value).__name__} as CBOR")


def encode(value: object, *, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """Encode one data item deterministically (RFC 8949 §4.2.1).

    Raises ``EncodeError`` for unsupported types (naming the type), integers outside
    the 64-bit range, and values nested deeper than ``max_depth``.
    """
    out = bytearray()
    try:
        (_ENCODERS.get(type(value)) or _encoder_for(value))(out, value, max_depth)
    except RecursionError:
        raise _too_deep() from None
    return bytes(out)


def encode_sequence(items: Iterable[object], *, max_depth: int = DEFAULT_MAX_DEPTH) -> bytes:
    """Encode a CBOR sequence (RFC 8742): the concatenation of the items' encodings."""
    out = bytearray()
    try:
        for item in items:
            (_ENCODERS.get(type(item)) or _encoder_for(item))(out, item, max_depth)
    except RecursionError:
        raise _too_deep() from None
    return bytes(out)


# ---------------------------------------------------------------------------
# Decoder
# ---------------------------------------------------------------------------

# Smallest argument that needs additional information 24, 25, 26, 27 (RFC 8949 §4.2.1).
_SHORTEST_MINIMUM: Final = (24, 0x100, 0x1_0000, 0x1_0000_0000)
_MAJOR_NAMES: Final = (
    "unsigned integer",
    "negative integer",
    "byte string",
    "text string",
    "array",
    "map",
    "tag",
    "simple value or float",
)
_SIMPLE_KEY_TYPES: Final = frozenset({int, str, bytes, bool, float, type(None)})
_BREAK: Final = 0xFF
_MULTI_BYTE: Final = object()  # marks initial bytes that do not form an item alone
# Every NaN decodes to this one object, so a map cannot hold two NaN keys: the data
# model has a single NaN (RFC 8949 §4.2.2), and dict lookups compare identity first.
_NAN: Final = float("nan")


def _one_byte_items() -> tuple[object, ...]:
    """Items whose whole encoding is their initial byte, indexed by that byte.

    Only immutable values: empty arrays and maps are built fresh each time."""
    table: list[object] = [_MULTI_BYTE] * 256
    for number in range(24):
        table[number] = number  # RFC 8949 §3.1 major type 0
        table[0x20 + number] = -1 - number  # major type 1
    table[0x40] = b""
    table[0x60] = ""
    for number in range(20):
        table[0xE0 + number] = Simple(number)
    table[0xF4:0xF8] = [False, True, None, Undefined]
    return tuple(table)


_ONE_BYTE_ITEMS: Final = _one_byte_items()
_ONE_BYTE_STRINGS: Final = tuple(bytes((initial,)) for initial in range(256))


def _truncated(what: str, offset: int) -> DecodeError:
    return DecodeError(f"truncated input: {what} at byte {offset} runs past the end")


def _decode_item(data: bytes, pos: int, depth: int, strict: bool, sorted_keys: bool) -> tuple[Any, int]:
    """Decode the item starting at ``pos``; return it and the offset after it.

    ``depth`` is how many more containers may open; ``sorted_keys`` implies ``strict``.
    """
    size = len(data)
    if pos >= size:
        raise _truncated("data item", pos)
    initial = data[pos]
    item = _ONE_BYTE_ITEMS[initial]
    if item is not _MULTI_BYTE:
        return item, pos + 1
    major = initial >> 5
    info = initial & 0x1F
    if major == 7:
        return _decode_major7(data, pos, info, strict)
    start = pos
    pos += 1
    if info < 24:
        argument = info
    elif info == 24:
        if pos >= size:
            raise _truncated("head", start)
        argument = data[pos]
        pos += 1
        if strict and argument < 24:
            raise DecodeError(f"non-shortest {_MAJOR_NAMES[major]} head at byte {start}")
    elif info < 28:
        end = pos + (1 << (info - 24))
        if end > size:
            raise _truncated("head", start)
        argument = int.from_bytes(data[pos:end], "big")
        pos = end
        # RFC 8949 §4.2.1: "The argument ... MUST be as short as possible".
        if strict and argument < _SHORTEST_MINIMUM[info - 24]:
            raise DecodeError(f"non-shortest {_MAJOR_NAMES[major]} head at byte {start}")
    elif info == 31:
        return _decode_indefinite(data, pos, start, major, depth, strict, sorted_keys)
    else:
        # RFC 8949 §3: additional information 28-30 is reserved (not well-formed).
        raise DecodeError(f"reserved additional information {info} at byte {start}")

    if major == 2:
        end = pos + argument
        if end > size:
            raise _truncated(f"byte string of length {argument}", start)
        return data[pos:end], end
    if major == 0:
        return argument, pos
    if major == 3:
        end = pos + argument
        if end > size:
            raise _truncated(f"text string of length {argument}", start)
        try:
            return data[pos:end].decode("utf-8"), end
        except UnicodeDecodeError:
            raise DecodeError(f"text string at byte {start} is not valid UTF-8") from None
    if major == 1:
        return -1 - argument, pos
    if depth <= 0:
        raise DecodeError(f"nesting deeper than the depth limit at byte {start}")
    if major == 4:
        # Each element takes at least one byte: a claimed count larger than what is
        # left cannot be satisfied, so fail before looping.
        if argument > size - pos:
            raise _truncated(f"array of {argument} elements", start)
        items: list[Any] = []
        append = items.append
        depth -= 1
        for _ in range(argument):
            if pos < size:
                item = _ONE_BYTE_ITEMS[data[pos]]
                if item is not _MULTI_BYTE:
                    append(item)
                    pos += 1
                    continue
            item, pos = _decode_item(data, pos, depth, strict, sorted_keys)
            append(item)
        return items, pos
    if major == 5:
        if argument * 2 > size - pos:
            raise _truncated(f"map of {argument} pairs", start)
        result: dict[Any, Any] = {}
        previous_key = b""
        depth -= 1
        for _ in range(argument):
            if pos >= size:
                raise _truncated("map", pos)
            key_start = pos
            initial = data[pos]
            key = _ONE_BYTE_ITEMS[initial]
            if key is not _MULTI_BYTE:
                pos += 1
                encoded_key = _ONE_BYTE_STRINGS[initial]
            else:
                key, pos = _decode_item(data, pos, depth, strict, sorted_keys)
                encoded_key = data[key_start:pos]
                if type(key) not in _SIMPLE_KEY_TYPES:
                    key = _as_map_key(key, key_start)
            if sorted_keys:
                # RFC 8949 §4.2.1: keys in bytewise lexicographic order of their
                # encodings; an equal encoding is a duplicate key.
                if encoded_key <= previous_key:
                    if encoded_key == previous_key:
                        raise DecodeError(f"duplicate map key at byte {key_start}")
                    raise DecodeError(f"map key at byte {key_start} is not in deterministic order")
                previous_key = encoded_key
            if pos < size and (item := _ONE_BYTE_ITEMS[data[pos]]) is not _MULTI_BYTE:
                pos += 1
            else:
                item, pos = _decode_item(data, pos, depth, strict, sorted_keys)
            # RFC 8949 §5.6: a map with duplicate keys is not valid.
            if key in result:
                raise DecodeError(f"duplicate map key at byte {key_start}")
            result[key] = item
        return result, pos
    content, pos = _decode_item(data, pos, depth - 1, strict, sorted_keys)
    return Tag(argument, content), pos


def _decode_indefinite_map(data: bytes, pos: int, depth: int) -> tuple[dict[Any, Any], int]:
    """Key/value pairs up to a break code.  Lenient mode only, so keys need no order."""
    result: dict[Any, Any] = {}
    while True:
        if pos >= len(data):
            raise _truncated("indefinite-length map", pos)
        if data[pos] == _BREAK:
            return result, pos + 1
        key_start = pos
        key, pos = _decode_item(data, pos, depth, False, False)
        if type(key) not in _SIMPLE_KEY_TYPES:
            key = _as_map_key(key, key_start)
        item, pos = _decode_item(data, pos, depth, False, False)
        if key in result:
            raise DecodeError(f"duplicate map key at byte {key_start}")
        result[key] = item


def _as_map_key(key: Any, offset: int) -> Any:
    """Make a decoded map key hashable: arrays become tuples; maps are refused."""
    if isinstance(key, list):
        return tuple(_as_map_key(element, offset) for element in key)
    if isinstance(key, dict):
        raise DecodeError(f"a map used as a map key is not supported, at byte {offset}")
    if isinstance(key, Tag):
        return Tag(key.tag, _as_map_key(key.value, offset))
    return key


def _decode_indefinite(
    data: bytes, pos: int, start: int, major: int, depth: int, strict: bool, sorted_keys: bool
) -> tuple[Any, int]:
    """Additional information 31 on major types 0-6; ``pos`` is past the initial byte."""
    if major in (0, 1, 6):
        # RFC 8949 §3: not well-formed for integers and tags.
        raise DecodeError(f"additional information 31 on major type {major} ({_MAJOR_NAMES[major]}) at byte {start}")
    if strict:
        # RFC 8949 §4.2.1: "Indefinite-length items MUST be made definite."
        raise DecodeError(f"indefinite-length {_MAJOR_NAMES[major]} at byte {start}")
    if depth <= 0:
        raise DecodeError(f"nesting deeper than the depth limit at byte {start}")
    if major == 5:
        return _decode_indefinite_map(data, pos, depth - 1)
    items: list[Any] = []
    while True:
        if pos >= len(data):
            raise _truncated(f"indefinite-length {_MAJOR_NAMES[major]}", start)
        initial = data[pos]
        if initial == _BREAK:
            pos += 1
            break
        if major != 4 and (initial >> 5 != major or initial & 0x1F == 31):
            # RFC 8949 §3.2.3: chunks are definite-length strings of the same major type.
            raise DecodeError(f"invalid chunk in indefinite-length {_MAJOR_NAMES[major]} at byte {pos}")
        item, pos = _decode_item(data, pos, depth - 1, strict, sorted_keys)
        items.append(item)
    if major == 2:
        return b"".join(items), pos
    if major == 3:
        return "".join(items), pos
    return items, pos


def _decode_major7(data: bytes, pos: int, info: int, strict: bool) -> tuple[Any, int]:
    """Simple values and floats (RFC 8949 §3.3)."""
    if info < 20:
        return Simple(info), pos + 1
    if info == 20:
        return False, pos + 1
    if info == 21:
        return True, pos + 1
    if info == 22:
        return None, pos + 1
    if info == 23:
        return Undefined, pos + 1
    if info == 24:
        if pos + 2 > len(data):
            raise _truncated("simple value", pos)
        number = data[pos + 1]
        if number < 32:
            # RFC 8949 §3.3: two-byte simple values below 32 are not well-formed.
            raise DecodeError(f"two-byte simple value {number} (below 32) at byte {pos}")
        return Simple(number), pos + 2
    if info == 25:
        if pos + 3 > len(data):
            raise _truncated("half-precision float", pos)
        value: float = _unpack_f16(data, pos + 1)[0]
        if value != value:  # noqa: PLR0124
            if strict and data[pos + 1 : pos + 3] != b"\x7e\x00":
                raise DecodeError(f"non-canonical NaN at byte {pos}")
            value = _NAN
        return value, pos + 3
    if info == 26:
        if pos + 5 > len(data):
            raise _truncated("single-precision float", pos)
        value = _unpack_f32(data, pos + 1)[0]
        if strict and (value != value or _fits_half(value)):  # noqa: PLR0124
            raise DecodeError(f"non-shortest float at byte {pos}")
        return (_NAN if value != value else value), pos + 5  # noqa: PLR0124
    if info == 27:
        if pos + 9 > len(data):
            raise _truncated("double-precision float", pos)
        value = _unpack_f64(data, pos + 1)[0]
        if strict and (value != value or _fits_single(value)):  # noqa: PLR0124
            raise DecodeError(f"non-shortest float at byte {pos}")
        return (_NAN if value != value else value), pos + 9  # noqa: PLR0124
    if info == 31:
        raise DecodeError(f"break code outside an indefinite-length item at byte {pos}")
    raise DecodeError(f"reserved additional information {info} at byte {pos}")


def _fits_half(value: float) -> bool:
    try:
        return bool(_unpack_f16(_pack_f16(0, value), 1)[0] == value)
    except OverflowError:
        return False


def _fits_single(value: float) -> bool:
    try:
        return bool(_unpack_f32(_pack_f32(0, value), 1)[0] == value)
    except OverflowError:
        return False


def _as_bytes(data: bytes | bytearray | memoryview) -> bytes:
    return data if type(data) is bytes else bytes(data)


def decode_first(
    data: bytes | bytearray | memoryview,
    offset: int = 0,
    *,
    strict: bool = True,
    require_sorted_keys: bool = True,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> tuple[CborItem, int]:
    """Decode the one item starting at ``offset``; return it and the offset after it.

    For item-by-item parsing of CBOR sequences (RFC 8742).  Bytes after the item are
    left alone.  Raises ``DecodeError`` if no complete item starts at ``offset``.
    """
    data = _as_bytes(data)
    if not 0 <= offset <= len(data):
        raise LocalProtocolError(f"offset {offset} is outside the {len(data)}-byte input")
    if offset == len(data):
        raise DecodeError(f"truncated input: no data item at byte {offset}")
    try:
        return _decode_item(data, offset, max_depth, strict, strict and require_sorted_keys)
    except RecursionError:
        raise DecodeError("nesting too deep for the interpreter; lower max_depth") from None


def decode(
    data: bytes | bytearray | memoryview,
    *,
    strict: bool = True,
    require_sorted_keys: bool = True,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> CborItem:
    """Decode input that must be exactly one CBOR data item.

    ``strict`` (the default, for protocol messages) accepts only deterministic
    encodings (RFC 8949 §4.2.1); ``require_sorted_keys=False`` relaxes only the map
    key order.  ``strict=False`` also accepts indefinite lengths and non-shortest
    heads and floats.  Raises ``DecodeError`` naming the problem and its byte offset.
    """
    if type(data) is not bytes:
        data = bytes(data)
    if not data:
        raise DecodeError("truncated input: empty, expected a data item at byte 0")
    try:
        value, end = _decode_item(data, 0, max_depth, strict, strict and require_sorted_keys)
    except RecursionError:
        raise DecodeError("nesting too deep for the interpreter; lower max_depth") from None
    if end != len(data):
        raise DecodeError(f"trailing data: {len(data) - end} byte(s) after the data item, at byte {end}")
    result: CborItem = value
    return result


def decode_sequence(
    data: bytes | bytearray | memoryview,
    *,
    strict: bool = True,
    require_sorted_keys: bool = True,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> list[CborItem]:
    """Decode a whole CBOR sequence (RFC 8742); the empty input is the empty sequence."""
    data = _as_bytes(data)
    sorted_keys = strict and require_sorted_keys
    items: list[CborItem] = []
    pos = 0
    try:
        while pos < len(data):
            item, pos = _decode_item(data, pos, max_depth, strict, sorted_keys)
            items.append(item)
    except RecursionError:
        raise DecodeError("nesting too deep for the interpreter; lower max_depth") from None
    return items
