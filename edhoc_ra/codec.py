"""EDHOC wire formats (RFC 9528 §5, §6, App. C.2): messages, plaintexts, errors.

Theory of operation
-------------------
Every EDHOC message is a CBOR sequence in deterministic encoding (§3.1).  The
parsers walk the sequence item by item with the strict decoder (shortest heads, no
indefinite lengths) and check each item against the CDDL of App. C.2; anything
else, including trailing items, raises ``EdhocDecodeError`` (§9.8: "MUST abort the
EDHOC session if the message does not comply with the CDDL").  Map keys inside an
ID_CRED header map need not be sorted (§3.5.3), so only there is key order free.

Byte-string identifiers (C_I, C_R, a lone kid) use the transport encoding of §3.3.2:
a one-byte string that is itself the encoding of an integer in -24..23 travels as
that integer, everything else as a byte string.  The decoders insist on the
canonical choice (RFC 9529 §4.1.2, §4.1.7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ratscore import cbor
from ratscore.cbor import CborItem
from ratscore.errors import DecodeError

from .ead import EadItem
from .errors import EdhocDecodeError

__all__ = [
    "Message1",
    "Plaintext2",
    "Plaintext3",
    "decode_ciphertext_message",
    "decode_connection_id",
    "decode_error",
    "decode_message_1",
    "decode_plaintext_2",
    "decode_plaintext_3",
    "decode_plaintext_4",
    "encode_bstr",
    "encode_connection_id",
    "encode_error",
    "encode_int",
    "encode_message_1",
    "encode_suites",
    "is_one_byte_int_encoding",
]

ERR_UNSPECIFIED: Final = 1
ERR_WRONG_SELECTED_SUITE: Final = 2
ERR_UNKNOWN_CREDENTIAL: Final = 3


# Hot-path encoders for the two item types EDHOC builds most (info, TH inputs, MAC
# contexts): the deterministic, shortest-head forms of RFC 8949 §3.1 and §4.2.1.
_SMALL_INTS: Final = {value: cbor.encode(value) for value in range(-24, 256)}
# bstr heads by length for 0..255: one byte below 24, else 0x58 n.
BSTR_HEADS: Final = tuple(bytes((0x40 | n,)) if n < 24 else bytes((0x58, n)) for n in range(256))
# The 48 one-byte CBOR heads that are whole items: the integers -24..23 (RFC 9528 §3.3.2).
_ONE_BYTE_INT_HEADS: Final = frozenset((*range(0x00, 0x18), *range(0x20, 0x38)))


def encode_int(value: int) -> bytes:
    """CBOR int (major type 0 or 1) with the shortest head."""
    small = _SMALL_INTS.get(value)
    return small if small is not None else cbor.encode(value)


def encode_bstr(data: bytes) -> bytes:
    """CBOR bstr (major type 2) with the shortest head."""
    length = len(data)
    if length < 0x100:
        return BSTR_HEADS[length] + data
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big") + data
    return cbor.encode(bytes(data))


def is_one_byte_int_encoding(raw: bytes) -> bool:
    """True if ``raw`` is the one-byte CBOR encoding of an integer in -24..23 (§3.3.2)."""
    return len(raw) == 1 and raw[0] in _ONE_BYTE_INT_HEADS


def _is_one_byte_int_head(head: int) -> bool:
    """``head`` is a whole CBOR item: an integer in -24..23 (RFC 8949 §3.1)."""
    return head in _ONE_BYTE_INT_HEADS


def _one_byte_int_value(head: int) -> int:
    return head if head <= 0x17 else 0x1F - head  # major type 1 encodes -1 - n


def _short_bstr_at(data: bytes, offset: int) -> bytes | None:
    """The bstr at ``offset`` if it has a shortest-form head of one or two bytes and
    ends the data exactly (the fast paths' last item); None otherwise."""
    total = len(data)
    if offset >= total:
        return None
    head = data[offset]
    if 0x40 <= head <= 0x57:
        start, end = offset + 1, offset + 1 + head - 0x40
    elif head == 0x58 and offset + 1 < total and data[offset + 1] >= 24:
        start = offset + 2
        end = start + data[offset + 1]
    else:
        return None
    return data[start:] if end == total else None


def encode_encrypt0_aad(transcript_hash: bytes) -> bytes:
    """The Enc_structure [ "Encrypt0", h'', TH ] (RFC 9528 §5.4.2, §5.5.2, App. C.3)."""
    return b"\x83\x68Encrypt0\x40" + encode_bstr(transcript_hash)


def xor_bytes(left: bytes, right: bytes) -> bytes:
    """``left`` XOR ``right`` for equal lengths (CIPHERTEXT_2 = PLAINTEXT_2 XOR KEYSTREAM_2, §5.3.2)."""
    length = len(left)
    if len(right) != length:
        raise ValueError("xor_bytes needs equal lengths")
    return (int.from_bytes(left, "big") ^ int.from_bytes(right, "big")).to_bytes(length, "big")


def encode_connection_id(raw: bytes) -> bytes:
    """RFC 9528 §3.3.2: "The byte strings which coincide with a one-byte CBOR encoding
    of an integer MUST be represented by the CBOR encoding of that integer"."""
    return raw if is_one_byte_int_encoding(raw) else encode_bstr(raw)


def decode_connection_id(item: CborItem, what: str = "connection identifier") -> bytes:
    """Inverse of ``encode_connection_id`` on a decoded item; rejects the non-canonical bstr form."""
    if isinstance(item, bool):
        raise EdhocDecodeError(f"{what} must be a bstr or an int in -24..23")
    if isinstance(item, int):
        if not -24 <= item <= 23:
            raise EdhocDecodeError(f"{what} integer {item} is outside -24..23")
        return encode_int(item)
    if isinstance(item, bytes):
        if is_one_byte_int_encoding(item):  # RFC 9529 §4.1.2
            raise EdhocDecodeError(f"{what} {item.hex()} must be sent as a CBOR integer (RFC 9528 §3.3.2)")
        return item
    raise EdhocDecodeError(f"{what} must be a bstr or an int in -24..23")


def encode_suites(suites: tuple[int, ...]) -> bytes:
    """SUITES_I / SUITES_R: a lone suite is an int, otherwise an array (§5.2.1, §6.3)."""
    return encode_int(suites[0]) if len(suites) == 1 else cbor.encode(list(suites))


# ---------------------------------------------------------------------------
# A strict item-by-item reader over one CBOR sequence


class _Reader:
    __slots__ = ("data", "offset")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    @property
    def at_end(self) -> bool:
        return self.offset >= len(self.data)

    def next(self, what: str) -> tuple[CborItem, bytes]:
        """The next item and its raw bytes."""
        if self.at_end:
            raise EdhocDecodeError(f"truncated: {what} missing")
        start = self.offset
        try:
            item, self.offset = cbor.decode_first(self.data, start, strict=True, require_sorted_keys=False)
        except DecodeError as exc:
            raise EdhocDecodeError(f"{what}: {exc}") from None
        return item, self.data[start : self.offset]

    def peek_is_bstr(self) -> bool:
        return not self.at_end and self.data[self.offset] >> 5 == 2

    def next_int(self, what: str) -> int:
        item, _ = self.next(what)
        if isinstance(item, bool) or not isinstance(item, int):
            raise EdhocDecodeError(f"{what} must be an int")
        return item

    def next_bstr(self, what: str) -> bytes:
        item, _ = self.next(what)
        if not isinstance(item, bytes):
            raise EdhocDecodeError(f"{what} must be a bstr")
        return item

    def ead(self) -> tuple[tuple[EadItem, ...], bytes]:
        """The rest of the sequence as EAD items (§3.8) and its raw bytes."""
        start = self.offset
        items: list[EadItem] = []
        while not self.at_end:
            label = self.next_int("ead_label")
            value = self.next_bstr("ead_value") if self.peek_is_bstr() else None
            items.append(EadItem(label=abs(label), critical=label < 0, value=value))
        return tuple(items), self.data[start:]


def _only_items(data: bytes, count: int, what: str) -> list[CborItem]:
    reader = _Reader(data)
    items = [reader.next(what)[0] for _ in range(count)]
    if not reader.at_end:
        raise EdhocDecodeError(f"{what}: unexpected data after {count} item(s)")
    return items


# ---------------------------------------------------------------------------
# message_1 (§5.2.1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Message1:
    method: int
    suites_i: tuple[int, ...]
    g_x: bytes
    c_i: bytes
    ead: tuple[EadItem, ...] = ()
    ead_bytes: bytes = b""

    @property
    def selected_suite(self) -> int:
        return self.suites_i[-1]


def encode_message_1(method: int, suites_i: tuple[int, ...], g_x: bytes, c_i: bytes, ead_bytes: bytes) -> bytes:
    return encode_int(method) + encode_suites(suites_i) + encode_bstr(g_x) + encode_connection_id(c_i) + ead_bytes


def decode_message_1(data: bytes) -> Message1:
    # Fast path for the common shape: METHOD and one suite as one-byte ints, G_X with
    # the two-byte bstr head, C_I a one-byte int, no EAD_1.  Every other shape takes
    # the strict reader, which also names the defect.
    size = len(data)
    if size > 4 and _is_one_byte_int_head(data[0]) and _is_one_byte_int_head(data[1]) and data[2] == 0x58:
        end = 4 + data[3]
        if data[3] >= 24 and size == end + 1 and _is_one_byte_int_head(data[end]):
            return Message1(
                method=_one_byte_int_value(data[0]),
                suites_i=(_one_byte_int_value(data[1]),),
                g_x=data[4:end],
                c_i=data[end:],
            )
    reader = _Reader(data)
    method = reader.next_int("METHOD")
    suites_item, _ = reader.next("SUITES_I")
    suites: tuple[int, ...]
    if isinstance(suites_item, int) and not isinstance(suites_item, bool):
        suites = (suites_item,)
    elif isinstance(suites_item, list):
        # App. C.2: suites = [ 2* int ] / int  (RFC 9529 §4.1.3: one-element array is invalid)
        if len(suites_item) < 2 or not all(isinstance(s, int) and not isinstance(s, bool) for s in suites_item):
            raise EdhocDecodeError("SUITES_I must be an int or an array of two or more ints")
        suites = tuple(s for s in suites_item if isinstance(s, int))
    else:
        raise EdhocDecodeError("SUITES_I must be an int or an array of two or more ints")
    g_x = reader.next_bstr("G_X")  # RFC 9529 §4.1.4
    c_i_item, _ = reader.next("C_I")
    c_i = decode_connection_id(c_i_item, "C_I")
    ead, ead_bytes = reader.ead()
    return Message1(method=method, suites_i=suites, g_x=g_x, c_i=c_i, ead=ead, ead_bytes=ead_bytes)


def decode_ciphertext_message(data: bytes, what: str) -> bytes:
    """message_2, message_3 and message_4 are exactly one bstr (§5.3.1, §5.4.1, §5.5.1)."""
    # Fast path for the well-formed case: a shortest-form bstr head (RFC 8949 §4.2.1)
    # covering exactly the rest of the message.  Anything else takes the strict reader,
    # which names the defect.
    if data and data[0] >> 5 == 2:
        info = data[0] & 0x1F
        if info < 24:
            offset, length = 1, info
        elif info == 24 and len(data) > 1 and data[1] >= 24:
            offset, length = 2, data[1]
        elif info == 25 and len(data) > 2 and data[1] != 0:
            offset, length = 3, int.from_bytes(data[1:3], "big")
        else:
            offset, length = 0, -1
        if offset and len(data) == offset + length:
            return data[offset:]
    (item,) = _only_items(data, 1, what)  # RFC 9529 §4.1.5
    if not isinstance(item, bytes):
        raise EdhocDecodeError(f"{what} must be a single bstr")
    return item


# ---------------------------------------------------------------------------
# PLAINTEXT_2/3/4 (§5.3.2, §5.4.2, §5.5.2)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedIdCred:
    """ID_CRED as received: the full header map bytes (compact kid expanded, §3.5.3.2)."""

    encoded: bytes
    parameters: dict[int, CborItem]


def _id_cred(reader: _Reader, what: str) -> ParsedIdCred:
    item, raw = reader.next(what)
    if isinstance(item, dict):
        if any(isinstance(k, bool) or not isinstance(k, int | str) for k in item):
            raise EdhocDecodeError(f"{what} header labels must be int or tstr")
        if len(item) == 1 and isinstance(item.get(4), bytes):
            # §3.5.3.2: compaction "MUST be applied if and only if ID_CRED_x = { 4 : kid_x }"
            raise EdhocDecodeError(f"{what} with a lone kid must use the compact encoding (RFC 9528 §3.5.3.2)")
        if not item:
            raise EdhocDecodeError(f"{what} must hold at least one header parameter")
        return ParsedIdCred(encoded=raw, parameters={k: v for k, v in item.items() if isinstance(k, int)})
    kid = decode_connection_id(item, f"{what} (compact kid)")  # RFC 9529 §4.1.7
    return _kid_id_cred(kid)


def _kid_id_cred(kid: bytes) -> ParsedIdCred:
    """{ 4 : kid } (§3.5.3.2), encoded deterministically: map(1), key 4, bstr kid."""
    return ParsedIdCred(encoded=b"\xa1\x04" + encode_bstr(kid), parameters={4: kid})


@dataclass(frozen=True, slots=True, kw_only=True)
class Plaintext2:
    c_r: bytes
    id_cred_r: ParsedIdCred
    signature_or_mac_2: bytes
    ead: tuple[EadItem, ...]
    ead_bytes: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Plaintext3:
    id_cred_i: ParsedIdCred
    signature_or_mac_3: bytes
    ead: tuple[EadItem, ...]
    ead_bytes: bytes


def decode_plaintext_2(data: bytes) -> Plaintext2:
    # Fast path: C_R and a compact kid as one-byte ints, Signature_or_MAC_2, no EAD_2.
    if len(data) > 2 and _is_one_byte_int_head(data[0]) and _is_one_byte_int_head(data[1]):
        signature_or_mac = _short_bstr_at(data, 2)
        if signature_or_mac is not None:
            return Plaintext2(
                c_r=data[:1],
                id_cred_r=_kid_id_cred(data[1:2]),
                signature_or_mac_2=signature_or_mac,
                ead=(),
                ead_bytes=b"",
            )
    reader = _Reader(data)
    c_r_item, _ = reader.next("C_R")
    c_r = decode_connection_id(c_r_item, "C_R")
    id_cred_r = _id_cred(reader, "ID_CRED_R")
    signature_or_mac = reader.next_bstr("Signature_or_MAC_2")
    ead, ead_bytes = reader.ead()
    return Plaintext2(c_r=c_r, id_cred_r=id_cred_r, signature_or_mac_2=signature_or_mac, ead=ead, ead_bytes=ead_bytes)


def decode_plaintext_3(data: bytes) -> Plaintext3:
    # Fast path: a compact kid as a one-byte int, Signature_or_MAC_3, no EAD_3.
    if len(data) > 1 and _is_one_byte_int_head(data[0]):
        signature_or_mac = _short_bstr_at(data, 1)
        if signature_or_mac is not None:
            return Plaintext3(
                id_cred_i=_kid_id_cred(data[:1]), signature_or_mac_3=signature_or_mac, ead=(), ead_bytes=b""
            )
    reader = _Reader(data)
    id_cred_i = _id_cred(reader, "ID_CRED_I")
    signature_or_mac = reader.next_bstr("Signature_or_MAC_3")
    ead, ead_bytes = reader.ead()
    return Plaintext3(id_cred_i=id_cred_i, signature_or_mac_3=signature_or_mac, ead=ead, ead_bytes=ead_bytes)


def decode_plaintext_4(data: bytes) -> tuple[tuple[EadItem, ...], bytes]:
    return _Reader(data).ead()


# ---------------------------------------------------------------------------
# error (§6)


def encode_error(err_code: int, err_info: CborItem) -> bytes:
    return cbor.encode(err_code) + cbor.encode(err_info)


def decode_error(data: bytes) -> tuple[int, CborItem, tuple[int, ...] | None]:
    """(ERR_CODE, ERR_INFO, SUITES_R for code 2).  Checks the ERR_INFO types of §6.2-6.4."""
    code_item, info = _only_items(data, 2, "error")
    if isinstance(code_item, bool) or not isinstance(code_item, int):
        raise EdhocDecodeError("ERR_CODE must be an int")
    suites_r: tuple[int, ...] | None = None
    if code_item == ERR_UNSPECIFIED and not isinstance(info, str):
        raise EdhocDecodeError("ERR_INFO of error code 1 must be a text string")  # §6.2
    if code_item == ERR_WRONG_SELECTED_SUITE:
        if isinstance(info, int) and not isinstance(info, bool):
            suites_r = (info,)
        elif (
            isinstance(info, list)
            and len(info) >= 2
            and all(isinstance(s, int) and not isinstance(s, bool) for s in info)
        ):
            suites_r = tuple(s for s in info if isinstance(s, int))
        else:
            raise EdhocDecodeError("ERR_INFO of error code 2 must be suites")  # §6.3
    if code_item == ERR_UNKNOWN_CREDENTIAL and info is not True:
        raise EdhocDecodeError("ERR_INFO of error code 3 must be true")  # §6.4
    return code_item, info, suites_r
