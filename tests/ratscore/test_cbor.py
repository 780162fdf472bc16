"""ratscore.cbor against RFC 8949 (Appendix A, §3, §4.2.1) and RFC 8742.

Expected encodings come from the RFC text (Appendix A, the §4.2.1 key-order
example) or are written out by hand from the RFC's rules; none is computed by the
code under test.  cbor2 is an optional differential oracle only.
"""

from __future__ import annotations

import contextlib
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore import cbor
from ratscore.cbor import Simple, Tag, Undefined
from ratscore.errors import DecodeError, EncodeError, LocalProtocolError

NAN = float("nan")
INF = float("inf")

# ---------------------------------------------------------------------------
# RFC 8949 Appendix A: (diagnostic value, preferred encoding).  Every row whose
# value exists in our data model; bignums (tags 2 and 3) stay Tag values.
# ---------------------------------------------------------------------------
APPENDIX_A_PREFERRED: list[tuple[Any, str]] = [
    (0, "00"),
    (1, "01"),
    (10, "0a"),
    (23, "17"),
    (24, "1818"),
    (25, "1819"),
    (100, "1864"),
    (1000, "1903e8"),
    (1000000, "1a000f4240"),
    (1000000000000, "1b000000e8d4a51000"),
    (18446744073709551615, "1bffffffffffffffff"),
    (Tag(2, bytes.fromhex("010000000000000000")), "c249010000000000000000"),
    (-18446744073709551616, "3bffffffffffffffff"),
    (Tag(3, bytes.fromhex("010000000000000000")), "c349010000000000000000"),
    (-1, "20"),
    (-10, "29"),
    (-100, "3863"),
    (-1000, "3903e7"),
    (0.0, "f90000"),
    (-0.0, "f98000"),
    (1.0, "f93c00"),
    (1.1, "fb3ff199999999999a"),
    (1.5, "f93e00"),
    (65504.0, "f97bff"),
    (100000.0, "fa47c35000"),
    (3.4028234663852886e38, "fa7f7fffff"),
    (1.0e300, "fb7e37e43c8800759c"),
    (5.960464477539063e-8, "f90001"),
    (0.00006103515625, "f90400"),
    (-4.0, "f9c400"),
    (-4.1, "fbc010666666666666"),
    (INF, "f97c00"),
    (NAN, "f97e00"),
    (-INF, "f9fc00"),
    (False, "f4"),
    (True, "f5"),
    (None, "f6"),
    (Undefined, "f7"),
    (Simple(16), "f0"),
    (Simple(255), "f8ff"),
    (Tag(0, "2013-03-21T20:04:00Z"), "c074323031332d30332d32315432303a30343a30305a"),
    (Tag(1, 1363896240), "c11a514b67b0"),
    (Tag(1, 1363896240.5), "c1fb41d452d9ec200000"),
    (Tag(23, bytes.fromhex("01020304")), "d74401020304"),
    (Tag(24, bytes.fromhex("6449455446")), "d818456449455446"),
    (Tag(32, "http://www.example.com"), "d82076687474703a2f2f7777772e6578616d706c652e636f6d"),
    (b"", "40"),
    (bytes.fromhex("01020304"), "4401020304"),
    ("", "60"),
    ("a", "6161"),
    ("IETF", "6449455446"),
    ('"\\', "62225c"),
    ("\u00fc", "62c3bc"),
    ("\u6c34", "63e6b0b4"),
    ("\U00010151", "64f0908591"),
    ([], "80"),
    ([1, 2, 3], "83010203"),
    ([1, [2, 3], [4, 5]], "8301820203820405"),
    (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ({}, "a0"),
    ({1: 2, 3: 4}, "a201020304"),
    ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
    (["a", {"b": "c"}], "826161a161626163"),
    ({"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}, "a56161614161626142616361436164614461656145"),
]

# Appendix A rows that are not in preferred/deterministic form: lenient decoding
# reads them, strict decoding rejects them.
APPENDIX_A_NON_PREFERRED: list[tuple[Any, str]] = [
    (INF, "fa7f800000"),
    (NAN, "fa7fc00000"),
    (-INF, "faff800000"),
    (INF, "fb7ff0000000000000"),
    (NAN, "fb7ff8000000000000"),
    (-INF, "fbfff0000000000000"),
    (bytes.fromhex("0102030405"), "5f42010243030405ff"),
    ("streaming", "7f657374726561646d696e67ff"),
    ([], "9fff"),
    ([1, [2, 3], [4, 5]], "9f018202039f0405ffff"),
    ([1, [2, 3], [4, 5]], "9f01820203820405ff"),
    ([1, [2, 3], [4, 5]], "83018202039f0405ff"),
    ([1, [2, 3], [4, 5]], "83019f0203ff820405"),
    (list(range(1, 26)), "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff"),
    ({"a": 1, "b": [2, 3]}, "bf61610161629f0203ffff"),
    (["a", {"b": "c"}], "826161bf61626163ff"),
    ({"Fun": True, "Amt": -2}, "bf6346756ef563416d7421ff"),
]


def same_item(left: object, right: object) -> bool:
    """Equality that treats NaN as equal to NaN and tells 0.0 from -0.0."""
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return left == right and math.copysign(1.0, left) == math.copysign(1.0, right)
    if type(left) is not type(right):
        return False
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_item, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_item(left[key], right[key]) for key in left)
    if isinstance(left, Tag) and isinstance(right, Tag):
        return left.tag == right.tag and same_item(left.value, right.value)
    return left == right


@pytest.mark.parametrize(("value", "hex_encoding"), APPENDIX_A_PREFERRED)
def test_appendix_a_decode(value: Any, hex_encoding: str) -> None:
    decoded = cbor.decode(bytes.fromhex(hex_encoding))
    assert same_item(decoded, value)


@pytest.mark.parametrize(("value", "hex_encoding"), APPENDIX_A_PREFERRED)
def test_appendix_a_encode(value: Any, hex_encoding: str) -> None:
    assert cbor.encode(value).hex() == hex_encoding


@pytest.mark.parametrize(("value", "hex_encoding"), APPENDIX_A_NON_PREFERRED)
def test_appendix_a_non_preferred_lenient_only(value: Any, hex_encoding: str) -> None:
    data = bytes.fromhex(hex_encoding)
    assert same_item(cbor.decode(data, strict=False), value)
    with pytest.raises(DecodeError):
        cbor.decode(data)


def test_appendix_a_simple_24_is_not_well_formed() -> None:
    # RFC 7049's Appendix A listed simple(24) as f818; RFC 8949 §3.3 made two-byte
    # simple values below 32 not well-formed.
    for strict in (True, False):
        with pytest.raises(DecodeError, match="simple value 24"):
            cbor.decode(bytes.fromhex("f818"), strict=strict)


def test_rfc8949_section_4_2_1_key_order() -> None:
    # RFC 8949 §4.2.1's own example of correctly sorted keys.
    expected_keys = ["0a", "1864", "20", "617a", "626161", "811864", "8120", "f4"]
    value: dict[Any, Any] = {
        False: 7,
        (-1,): 6,
        (100,): 5,
        "aa": 4,
        "z": 3,
        -1: 2,
        100: 1,
        10: 0,
    }
    encoded = cbor.encode(value)
    expected = "a8" + "".join(key + f"{index:02x}" for index, key in enumerate(expected_keys))
    assert encoded.hex() == expected
    assert cbor.decode(encoded) == value


def test_length_first_order_is_rejected_in_strict_mode() -> None:
    # RFC 7049 "canonical" order puts -1 (20) before 100 (1864); RFC 8949 does not.
    data = bytes.fromhex("a2200218640f")
    with pytest.raises(DecodeError, match="map key at byte 3 is not in deterministic order"):
        cbor.decode(data)
    assert cbor.decode(data, require_sorted_keys=False) == {-1: 2, 100: 15}
    assert cbor.decode(data, strict=False) == {-1: 2, 100: 15}


# ---------------------------------------------------------------------------
# Rejections: (hex, expected message fragment, also rejected when lenient?)
# ---------------------------------------------------------------------------
REJECTIONS: list[tuple[str, str, bool]] = [
    # RFC 8949 §4.2.1 shortest heads: integers, lengths, tags
    ("1817", "non-shortest unsigned integer head at byte 0", False),
    ("190017", "non-shortest unsigned integer head at byte 0", False),
    ("1900ff", "non-shortest unsigned integer head at byte 0", False),
    ("1a0000ffff", "non-shortest unsigned integer head at byte 0", False),
    ("1b00000000ffffffff", "non-shortest unsigned integer head at byte 0", False),
    ("3817", "non-shortest negative integer head at byte 0", False),
    ("580100", "non-shortest byte string head at byte 0", False),
    ("780161", "non-shortest text string head at byte 0", False),
    ("9800", "non-shortest array head at byte 0", False),
    ("b800", "non-shortest map head at byte 0", False),
    ("8219000100", "non-shortest unsigned integer head at byte 1", False),
    ("d80100", "non-shortest tag head at byte 0", False),
    # RFC 8949 §4.2.1 indefinite lengths
    ("5fff", "indefinite-length byte string at byte 0", False),
    ("7fff", "indefinite-length text string at byte 0", False),
    ("9fff", "indefinite-length array at byte 0", False),
    ("bfff", "indefinite-length map at byte 0", False),
    # RFC 8949 §4.2.1 map key order; §5.6 duplicates
    ("a202010102", "map key at byte 3 is not in deterministic order", False),
    ("a201020103", "duplicate map key at byte 3", True),
    ("a2616101616102", "duplicate map key at byte 4", True),
    ("a2f97e0001f97e0002", "duplicate map key at byte 5", True),
    ("a2f97e0001f97e0102", "non-canonical NaN at byte 5", True),  # lenient: duplicate NaN key
    ("a201f5f5f4", "duplicate map key", True),  # 1 and True are one Python key
    ("a201f5f93c00f4", "duplicate map key", True),  # 1 and 1.0 likewise
    ("a1a000", "map used as a map key", True),
    # trailing bytes and truncation
    ("0000", "trailing data: 1 byte(s) after the data item, at byte 1", True),
    ("8101ff", "trailing data", True),
    ("18", "truncated input: head at byte 0", True),
    ("1901", "truncated input: head at byte 0", True),
    ("4201", "byte string of length 2 at byte 0 runs past the end", True),
    ("6261", "text string of length 2 at byte 0 runs past the end", True),
    ("8201", "truncated input", True),
    ("a101", "truncated input", True),
    ("c1", "truncated input: data item at byte 1", True),
    ("f9", "truncated input: half-precision float at byte 0", True),
    ("fa000000", "single-precision float", True),
    ("fb0000", "double-precision float", True),
    ("f8", "truncated input: simple value at byte 0", True),
    # lengths far beyond the input fail before allocating
    ("5b7fffffffffffffff", "byte string of length 9223372036854775807", True),
    ("7bffffffffffffffff", "text string of length 18446744073709551615", True),
    ("9bffffffffffffffff", "array of 18446744073709551615 elements", True),
    ("bbffffffffffffffff", "map of 18446744073709551615 pairs", True),
    # RFC 8949 §3 / §3.4.3: UTF-8 must be valid (surrogates and overlongs too)
    ("62c328", "text string at byte 0 is not valid UTF-8", True),
    ("63eda080", "not valid UTF-8", True),
    ("62c0af", "not valid UTF-8", True),
    # RFC 8949 §3: reserved additional information 28-30
    ("1c", "reserved additional information 28 at byte 0", True),
    ("3d", "reserved additional information 29 at byte 0", True),
    ("5e", "reserved additional information 30 at byte 0", True),
    ("7c", "reserved additional information 28", True),
    ("9d", "reserved additional information 29", True),
    ("be", "reserved additional information 30", True),
    ("dc", "reserved additional information 28", True),
    ("fc", "reserved additional information 28 at byte 0", True),
    ("fd", "reserved additional information 29", True),
    ("fe", "reserved additional information 30", True),
    # RFC 8949 §3: additional information 31 is not allowed on majors 0, 1, 6
    ("1f", "additional information 31 on major type 0 (unsigned integer) at byte 0", True),
    ("3f", "additional information 31 on major type 1 (negative integer)", True),
    ("df", "additional information 31 on major type 6 (tag)", True),
    # break codes outside indefinite-length items
    ("ff", "break code outside an indefinite-length item at byte 0", True),
    ("8201ff", "break code outside an indefinite-length item at byte 2", True),
    ("a101ff", "break code outside", True),
    # RFC 8949 §3.3: two-byte simple values below 32
    ("f800", "two-byte simple value 0 (below 32) at byte 0", True),
    ("f81f", "two-byte simple value 31", True),
    # RFC 8949 §4.2.1 / §4.2.2: floats in the shortest exact form; one NaN
    ("fa3fc00000", "non-shortest float at byte 0", False),
    ("fb3ff8000000000000", "non-shortest float at byte 0", False),
    ("fb47efffffe0000000", "non-shortest float at byte 0", False),  # FLT_MAX as binary64
    ("fa7f800000", "non-shortest float", False),
    ("fb7ff8000000000000", "non-shortest float", False),
    ("f97e01", "non-canonical NaN at byte 0", False),
    ("f9fe00", "non-canonical NaN at byte 0", False),
]

# Not well-formed even for lenient decoding; strict decoding stops at the
# indefinite-length head first.  (hex, message when lenient)
INDEFINITE_REJECTIONS: list[tuple[str, str]] = [
    ("5f4101", "truncated input"),
    ("9f01", "truncated input"),
    ("bf0101", "truncated input"),
    ("bf01ff", "break code outside an indefinite-length item at byte 2"),
    ("7f62c3ffff", "text string at byte 1 is not valid UTF-8"),
    # RFC 8949 §3.2.3: chunks of an indefinite string are definite strings of its type
    ("5f6161ff", "invalid chunk in indefinite-length byte string at byte 1"),
    ("7f4161ff", "invalid chunk in indefinite-length text string at byte 1"),
    ("5f5fffff", "invalid chunk in indefinite-length byte string at byte 1"),
    ("9f" * 65 + "ff" * 65, "nesting deeper than the depth limit at byte 64"),
]


@pytest.mark.parametrize(("hex_encoding", "message"), INDEFINITE_REJECTIONS)
def test_indefinite_rejections(hex_encoding: str, message: str) -> None:
    data = bytes.fromhex(hex_encoding)
    with pytest.raises(DecodeError, match=re.escape(message)):
        cbor.decode(data, strict=False)
    with pytest.raises(DecodeError, match=r"indefinite-length .* at byte 0"):
        cbor.decode(data)


@pytest.mark.parametrize(("hex_encoding", "message", "lenient_too"), REJECTIONS)
def test_strict_rejections(hex_encoding: str, message: str, lenient_too: bool) -> None:
    with pytest.raises(DecodeError, match=re.escape(message)):
        cbor.decode(bytes.fromhex(hex_encoding))


@pytest.mark.parametrize(("hex_encoding", "message", "lenient_too"), REJECTIONS)
def test_lenient_rejections(hex_encoding: str, message: str, lenient_too: bool) -> None:
    data = bytes.fromhex(hex_encoding)
    if lenient_too:
        with pytest.raises(DecodeError):
            cbor.decode(data, strict=False)
    else:
        cbor.decode(data, strict=False)  # accepted when lenient


def test_lenient_values_of_non_shortest_forms() -> None:
    assert cbor.decode(bytes.fromhex("1b0000000000000017"), strict=False) == 23
    assert cbor.decode(bytes.fromhex("3817"), strict=False) == -24
    assert cbor.decode(bytes.fromhex("580100"), strict=False) == b"\x00"
    assert cbor.decode(bytes.fromhex("fa3fc00000"), strict=False) == 1.5
    assert cbor.decode(bytes.fromhex("a202010102"), strict=False) == {2: 1, 1: 2}
    assert math.isnan(cbor.decode(bytes.fromhex("f97e01"), strict=False))  # type: ignore[arg-type]


def test_utf8_split_across_chunks_is_rejected() -> None:
    # RFC 8949 §3.2.3: each text chunk is valid UTF-8 on its own.
    with pytest.raises(DecodeError, match="not valid UTF-8"):
        cbor.decode(bytes.fromhex("7f61c361bcff"), strict=False)


def test_depth_limit() -> None:
    nested = bytes.fromhex("81" * 64 + "00")
    too_deep = bytes.fromhex("81" * 65 + "00")
    assert cbor.decode(nested) is not None
    with pytest.raises(DecodeError, match="nesting deeper than the depth limit at byte 64"):
        cbor.decode(too_deep)
    with pytest.raises(DecodeError, match="depth limit"):
        cbor.decode(bytes.fromhex("c1" * 65 + "00"))
    with pytest.raises(DecodeError, match="depth limit"):
        cbor.decode(bytes.fromhex("a101" * 65 + "00"))
    with pytest.raises(DecodeError, match="depth limit"):
        cbor.decode(bytes.fromhex("9f" * 65 + "00" + "ff" * 65), strict=False)
    assert cbor.decode(too_deep, max_depth=65) is not None
    with pytest.raises(DecodeError):
        cbor.decode(bytes.fromhex("8100"), max_depth=0)
    # a limit beyond what the interpreter can recurse still raises DecodeError
    with pytest.raises(DecodeError):
        cbor.decode(bytes.fromhex("81" * 100_000 + "00"), max_depth=1_000_000)


def test_array_map_keys_decode_to_tuples() -> None:
    assert cbor.decode(bytes.fromhex("a182010200")) == {(1, 2): 0}
    assert cbor.decode(bytes.fromhex("a1c18201820203f6")) == {Tag(1, (1, (2, 3))): None}
    assert cbor.encode({(1, 2): 0}).hex() == "a182010200"


def test_accepts_bytes_like_input() -> None:
    assert cbor.decode(bytearray(b"\x82\x01\x41\x02")) == [1, b"\x02"]
    assert cbor.decode(memoryview(b"\x82\x01\x41\x02")) == [1, b"\x02"]
    assert type(cbor.decode(memoryview(b"\x41\x02"))) is bytes


# ---------------------------------------------------------------------------
# Truncation and trailing data for every valid encoding above
# ---------------------------------------------------------------------------
VALID_ENCODINGS = [bytes.fromhex(row[1]) for row in APPENDIX_A_PREFERRED] + [
    bytes.fromhex("d28443a10126a10442313154546869732069732074686520636f6e74656e742e5840") + bytes(64),
    bytes.fromhex("a2026161" + "08a101a4" + "0102" + "2001" + "215820" + "00" * 32 + "225820" + "00" * 32),
]
NON_PREFERRED_ENCODINGS = [bytes.fromhex(row[1]) for row in APPENDIX_A_NON_PREFERRED]


def test_valid_encodings_decode() -> None:
    for data in VALID_ENCODINGS:
        cbor.decode(data)


@pytest.mark.parametrize("data", VALID_ENCODINGS + NON_PREFERRED_ENCODINGS, ids=lambda data: data.hex()[:24])
def test_every_proper_prefix_is_truncated(data: bytes) -> None:
    for length in range(len(data)):
        with pytest.raises(DecodeError):
            cbor.decode(data[:length], strict=False)
        with pytest.raises(DecodeError):
            cbor.decode(data[:length])
        if length:
            with pytest.raises(DecodeError, match="truncated"):
                cbor.decode_first(data[:length], strict=False)


@pytest.mark.parametrize("data", VALID_ENCODINGS, ids=lambda data: data.hex()[:24])
def test_trailing_data_is_rejected(data: bytes) -> None:
    for extra in (b"\x00", b"\xff", data):
        with pytest.raises(DecodeError, match=f"trailing data: {len(extra)} byte"):
            cbor.decode(data + extra)
        with pytest.raises(DecodeError, match="trailing data"):
            cbor.decode(data + extra, strict=False)


# ---------------------------------------------------------------------------
# Encoder errors
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (object(), "type object"),
        ({1, 2}, "type set"),
        (1j, "type complex"),
        ([1, {"a": frozenset()}], "type frozenset"),
        ({object(): 1}, "type object"),
        (2**64, "does not fit in 64 bits"),
        (-(2**64) - 1, "does not fit in 64 bits"),
        (Tag(-1, 0), "tag number -1"),
        (Tag(2**64, 0), "tag number"),
        ("\ud800", "not encodable as UTF-8"),
        ({NAN: 1, float("nan"): 2}, "same encoding"),
    ],
)
def test_encode_errors(value: object, message: str) -> None:
    with pytest.raises(EncodeError, match=message):
        cbor.encode(value)


def test_encode_depth() -> None:
    value: list[Any] = [0]
    for _ in range(64):
        value = [value]
    with pytest.raises(EncodeError, match="max_depth"):
        cbor.encode(value)
    assert cbor.encode(value, max_depth=65)[0] == 0x81
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(EncodeError):
        cbor.encode(cyclic)


def test_simple_value_range() -> None:
    for number in (20, 23, 24, 31, 256, -1):
        with pytest.raises(EncodeError):
            Simple(number)
    assert cbor.encode(Simple(19)).hex() == "f3"
    assert cbor.encode(Simple(32)).hex() == "f820"


def test_encode_accepts_subclasses_and_bytes_like() -> None:
    import enum

    class Label(enum.IntEnum):
        ALG = 1

    assert cbor.encode({Label.ALG: -7}).hex() == "a10126"
    assert cbor.encode(bytearray(b"\x01")).hex() == "4101"
    assert cbor.encode(memoryview(b"\x01\x02")).hex() == "420102"
    assert cbor.encode((1, 2)).hex() == "820102"


# ---------------------------------------------------------------------------
# CBOR sequences (RFC 8742)
# ---------------------------------------------------------------------------
def test_sequences() -> None:
    # EDHOC message_1 of RFC 9529 §3 has the same shape: METHOD, SUITES_I, G_X, C_I.
    items: list[Any] = [3, 2, bytes(32), -24]
    data = cbor.encode_sequence(items)
    assert data.hex() == "03025820" + "00" * 32 + "37"
    assert cbor.decode_sequence(data) == items
    assert cbor.encode_sequence([]) == b""
    assert cbor.decode_sequence(b"") == []
    value, offset = cbor.decode_first(data)
    assert (value, offset) == (3, 1)
    value, offset = cbor.decode_first(data, offset)
    assert (value, offset) == (2, 2)
    value, offset = cbor.decode_first(data, offset)
    assert (value, offset) == (bytes(32), 36)
    value, offset = cbor.decode_first(data, offset)
    assert (value, offset) == (-24, 37)
    with pytest.raises(DecodeError, match="no data item at byte 37"):
        cbor.decode_first(data, offset)
    with pytest.raises(LocalProtocolError):
        cbor.decode_first(data, -1)
    with pytest.raises(LocalProtocolError):
        cbor.decode_first(data, 38)
    with pytest.raises(DecodeError, match="truncated"):
        cbor.decode_sequence(data[:-2])
    with pytest.raises(DecodeError, match="non-shortest"):
        cbor.decode_sequence(data + b"\x18\x01")
    assert cbor.decode_sequence(data + b"\x18\x01", strict=False)[-1] == 1


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------
_key_values = st.one_of(st.integers(-(2**64), 2**64 - 1), st.text(max_size=8), st.binary(max_size=8))
_scalars = st.one_of(
    st.integers(-(2**64), 2**64 - 1),
    st.binary(max_size=40),
    st.text(max_size=20),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
    st.sampled_from([Undefined, Simple(0), Simple(19), Simple(32), Simple(255)]),
)
cbor_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(_key_values, children, max_size=5),
        st.builds(Tag, st.integers(0, 2**64 - 1), children),
    ),
    max_leaves=25,
)


@given(cbor_values)
def test_round_trip(value: Any) -> None:
    encoded = cbor.encode(value)
    decoded = cbor.decode(encoded)
    assert same_item(decoded, value)
    assert cbor.encode(decoded) == encoded
    assert same_item(cbor.decode(encoded, strict=False), value)


@given(st.lists(cbor_values, max_size=4))
def test_sequence_round_trip(values: list[Any]) -> None:
    encoded = cbor.encode_sequence(values)
    assert same_item(cbor.decode_sequence(encoded), values)


@settings(max_examples=400)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_raise_only_decode_error(data: bytes) -> None:
    try:
        strict_value = cbor.decode(data)
    except DecodeError:
        pass
    else:
        # Strict mode accepts exactly the deterministic encodings.
        assert cbor.encode(strict_value) == data
    try:
        lenient_value = cbor.decode(data, strict=False)
    except DecodeError:
        pass
    else:
        assert same_item(cbor.decode(cbor.encode(lenient_value)), lenient_value)
    with contextlib.suppress(DecodeError):
        cbor.decode_sequence(data, strict=False)


@given(cbor_values, st.integers(0, 10**6))
def test_mutations_raise_only_decode_error(value: Any, seed: int) -> None:
    encoded = bytearray(cbor.encode(value))
    position = seed % len(encoded)
    encoded[position] ^= (seed >> 8) % 255 + 1
    for strict in (True, False):
        with contextlib.suppress(DecodeError):
            cbor.decode(bytes(encoded), strict=strict)


# ---------------------------------------------------------------------------
# Differential check against cbor2 (test-only oracle)
# ---------------------------------------------------------------------------
_cbor2_values = st.recursive(
    st.one_of(
        st.integers(-(2**64), 2**64 - 1),
        st.binary(max_size=40),
        st.text(max_size=20),
        st.booleans(),
        st.none(),
        st.floats(allow_nan=False),
    ),
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(_key_values, children, max_size=5)),
    max_leaves=25,
)


def _has_mixed_length_keys(value: Any) -> bool:
    """True if some map has keys whose encodings differ in length: cbor2's canonical
    mode sorts those length-first (RFC 7049 §3.9), RFC 8949 §4.2.1 bytewise."""
    if isinstance(value, list):
        return any(_has_mixed_length_keys(item) for item in value)
    if isinstance(value, dict):
        lengths = {len(cbor.encode(key)) for key in value}
        return len(lengths) > 1 or any(_has_mixed_length_keys(item) for item in value.values())
    return False


@given(_cbor2_values)
def test_differential_against_cbor2(value: Any) -> None:
    cbor2 = pytest.importorskip("cbor2")
    ours = cbor.encode(value)
    theirs = cbor2.dumps(value, canonical=True)
    if not _has_mixed_length_keys(value):
        assert ours == theirs
    assert same_item(cbor2.loads(ours), value)
    assert same_item(cbor.decode(theirs, require_sorted_keys=False), value)
