"""Strict DER reader/writer: X.690 examples, strictness rules, round trips and fuzzing."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore.crypto import der
from ratscore.errors import DecodeError, EncodeError

# ---------------------------------------------------------------------------
# Known encodings (X.690 examples and RFC 8017 §9.2 Note 1)

# X.690 §8.3 two's complement, minimal: the standard small-integer table.
INTEGER_ENCODINGS = [
    (0, "020100"),
    (1, "020101"),
    (127, "02017f"),
    (128, "02020080"),
    (255, "020200ff"),
    (256, "02020100"),
    (-1, "0201ff"),
    (-128, "020180"),
    (-129, "0202ff7f"),
    (65537, "0203010001"),
]


@pytest.mark.parametrize(("value", "encoding"), INTEGER_ENCODINGS)
def test_integer_known_encodings(value: int, encoding: str) -> None:
    assert der.encode_integer(value).hex() == encoding
    assert der.DerReader(bytes.fromhex(encoding)).read_integer() == value


OID_ENCODINGS = [
    ("2.100.3", "0603813403"),  # X.690 §8.19.5 example
    ("2.16.840.1.101.3.4.2.1", "0609608648016503040201"),  # id-sha256, RFC 8017 §9.2 Note 1
    ("1.2.840.113549.1.1.1", "06092a864886f70d010101"),  # rsaEncryption
    ("1.3.101.112", "06032b6570"),  # id-Ed25519, RFC 8410 §10.1 example
    ("0.0", "060100"),
    ("2.999", "06028837"),  # 40*2 + 999 = 1079 = 0x88 0x37
]


@pytest.mark.parametrize(("dotted", "encoding"), OID_ENCODINGS)
def test_oid_known_encodings(dotted: str, encoding: str) -> None:
    assert der.encode_oid(dotted).hex() == encoding
    assert der.DerReader(bytes.fromhex(encoding)).read_oid() == dotted


def test_bit_string_x690_example() -> None:
    # X.690 §8.6.4.2: '0A3B5F291CD'H, primitive: 03 07 04 0A 3B 5F 29 1C D0.
    encoding = bytes.fromhex("0307040a3b5f291cd0")
    assert der.DerReader(encoding).read_bit_string_bits() == (bytes.fromhex("0a3b5f291cd0"), 4)
    assert der.encode_bit_string(bytes.fromhex("0a3b5f291cd0"), 4) == encoding
    with pytest.raises(DecodeError, match="unused bits"):
        der.DerReader(encoding).read_bit_string()


def test_lengths_short_and_long_form() -> None:
    # X.690 §8.1.3: short form below 128, long form with minimal octets above.
    assert der.encode_length(0) == b"\x00"
    assert der.encode_length(127) == b"\x7f"
    assert der.encode_length(128) == b"\x81\x80"
    assert der.encode_length(255) == b"\x81\xff"
    assert der.encode_length(256) == b"\x82\x01\x00"
    assert der.encode_length(65536) == b"\x83\x01\x00\x00"
    content = bytes(300)
    assert der.read_single(b"\x04\x82\x01\x2c" + content, der.TAG_OCTET_STRING) == content


def test_null_boolean_and_sequences() -> None:
    assert der.encode_null() == b"\x05\x00"
    assert der.encode_boolean(True) == b"\x01\x01\xff"
    assert der.encode_boolean(False) == b"\x01\x01\x00"
    encoded = der.encode_sequence(
        der.encode_integer(5),
        der.encode_null(),
        der.encode_boolean(True),
        der.encode_tlv(der.context_tag(0), der.encode_octet_string(b"abc")),
        der.encode_tlv(der.context_tag(1, constructed=False), b"xy"),
    )
    assert encoded.hex() == "301302010505000101ffa005040361626381027879"
    outer = der.DerReader(encoded)
    fields = outer.read_sequence()
    outer.finish()
    assert fields.read_integer() == 5
    fields.read_null()
    assert fields.read_boolean() is True
    assert fields.read_optional(der.TAG_INTEGER) is None
    explicit = fields.read_explicit(0)
    assert explicit.read_octet_string() == b"abc"
    explicit.finish()
    assert fields.peek_tag() == 0x81
    assert fields.read(der.context_tag(1, constructed=False)) == b"xy"
    assert fields.at_end
    assert fields.peek_tag() is None
    fields.finish()


def test_read_element_returns_whole_tlv() -> None:
    encoded = der.encode_sequence(der.encode_integer(1)) + der.encode_null()
    reader = der.DerReader(encoded)
    assert reader.read_element() == (der.TAG_SEQUENCE, b"\x02\x01\x01", b"\x30\x03\x02\x01\x01")
    assert reader.read_element() == (der.TAG_NULL, b"", b"\x05\x00")
    reader.finish()


def test_set_and_unsigned_integer() -> None:
    reader = der.DerReader(bytes.fromhex("3103020101" + "0201ff"))
    assert reader.read_set().read_unsigned_integer() == 1
    with pytest.raises(DecodeError, match="negative"):
        reader.read_unsigned_integer()


# ---------------------------------------------------------------------------
# Strictness: each of these is valid BER (or plain garbage) but not DER.

# name: (encoding, the reader method that must reject it, a word of the error text)
MALFORMED = {
    "empty input": ("", "read_integer", "truncated"),
    "tag only": ("02", "read_integer", "truncated"),
    "non-minimal length (long form for 1)": ("02810100", "read_integer", "non-minimal length"),
    "non-minimal length (leading zero octet)": ("048200ff" + "00" * 255, "read_octet_string", "non-minimal length"),
    "long form for length 0": ("048100", "read_octet_string", "non-minimal length"),
    "indefinite length": ("30800201000000", "read_sequence", "indefinite"),
    "reserved length octet": ("02ff", "read_integer", "reserved"),
    "too many length octets": ("0485" + "0000000001", "read_octet_string", "too large"),
    "truncated length octets": ("048201", "read_octet_string", "truncated"),
    "truncated content": ("020201", "read_integer", "truncated"),
    "truncated sequence": ("30030201", "read_sequence", "truncated"),
    "INTEGER with leading 00": ("0202007f", "read_integer", "non-minimal INTEGER"),
    "INTEGER with leading ff": ("0202ff80", "read_integer", "non-minimal INTEGER"),
    "empty INTEGER": ("0200", "read_integer", "no content"),
    "high tag number form": ("1f810100", "read_element", "high-tag-number"),
    "wrong tag": ("0401ff", "read_integer", "expected INTEGER"),
    "BOOLEAN not 00/ff": ("010101", "read_boolean", "BOOLEAN"),
    "BOOLEAN two octets": ("01020000", "read_boolean", "BOOLEAN"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_non_der_input_raises_decode_error(name: str) -> None:
    encoding, method, message = MALFORMED[name]
    reader = der.DerReader(bytes.fromhex(encoding))
    with pytest.raises(DecodeError, match=message):
        getattr(reader, method)()


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("0600", "no content"),
        ("06028001", "non-minimal"),  # X.690 §8.19.2: a subidentifier may not start with 0x80
        ("06032b8065", "non-minimal"),
        ("060181", "truncated"),  # last octet has the continuation bit
    ],
)
def test_malformed_oid(encoding: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        der.DerReader(bytes.fromhex(encoding)).read_oid()


@pytest.mark.parametrize(
    "encoding",
    [
        "0300",  # no unused-bits octet
        "030108",  # unused-bit count above 7
        "030101",  # unused bits with no data
        "03020101",  # unused bit not zero (X.690 §11.2.1)
        "2303030100",  # constructed BIT STRING (X.690 §10.2)
    ],
)
def test_malformed_bit_string(encoding: str) -> None:
    with pytest.raises(DecodeError):
        der.DerReader(bytes.fromhex(encoding)).read_bit_string_bits()


def test_malformed_null_and_constructed_octet_string() -> None:
    with pytest.raises(DecodeError, match="NULL"):
        der.DerReader(b"\x05\x01\x00").read_null()
    with pytest.raises(DecodeError, match="expected OCTET STRING"):
        der.DerReader(bytes.fromhex("2403040100")).read_octet_string()


def test_trailing_data_rejected_where_exactness_asked() -> None:
    with pytest.raises(DecodeError, match="trailing"):
        der.read_single(b"\x02\x01\x00\x00", der.TAG_INTEGER)
    reader = der.DerReader(bytes.fromhex("3006020100020100"))
    fields = reader.read_sequence()
    fields.read_integer()
    with pytest.raises(DecodeError, match="trailing"):
        fields.finish()
    # Without the exactness request, the caller can keep reading.
    assert fields.read_integer() == 0


def test_every_truncation_of_a_structure_is_rejected() -> None:
    encoded = der.encode_sequence(
        der.encode_integer(1 << 200), der.encode_oid("1.2.840.10045.3.1.7"), der.encode_bit_string(b"\x04" * 65)
    )
    for cut in range(1, len(encoded)):
        with pytest.raises(DecodeError):
            _walk(encoded[:cut])
    _walk(encoded)
    with pytest.raises(DecodeError):
        der.read_single(encoded + b"\x00", der.TAG_SEQUENCE)


# ---------------------------------------------------------------------------
# Writers: invalid input raises EncodeError


@pytest.mark.parametrize("dotted", ["", "1", "3.1", "1.40", "0.40", "1.2.-3", "1..2", "1.02", "1.2.x", "1.²"])
def test_encode_oid_rejects_malformed(dotted: str) -> None:
    with pytest.raises(EncodeError):
        der.encode_oid(dotted)


def test_writer_argument_errors() -> None:
    with pytest.raises(EncodeError):
        der.encode_bit_string(b"", 1)
    with pytest.raises(EncodeError):
        der.encode_bit_string(b"\x01", 1)
    with pytest.raises(EncodeError):
        der.encode_bit_string(b"\x00", 8)
    with pytest.raises(EncodeError):
        der.encode_length(-1)
    with pytest.raises(EncodeError):
        der.encode_tlv(0x1F, b"")
    with pytest.raises(EncodeError):
        der.context_tag(31)


# ---------------------------------------------------------------------------
# Property tests


@given(st.integers(min_value=-(1 << 4200), max_value=1 << 4200))
def test_integer_round_trip(value: int) -> None:
    assert der.DerReader(der.encode_integer(value)).read_integer() == value


@given(
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=0, max_value=39),
    st.lists(st.integers(min_value=0, max_value=1 << 70), max_size=8),
)
def test_oid_round_trip(first: int, second: int, rest: list[int]) -> None:
    dotted = ".".join(str(arc) for arc in [first, second, *rest])
    assert der.decode_oid(der.read_single(der.encode_oid(dotted), der.TAG_OID)) == dotted


@given(st.binary(max_size=70000))
@settings(max_examples=30)
def test_octet_string_round_trip(data: bytes) -> None:
    assert der.read_single(der.encode_octet_string(data), der.TAG_OCTET_STRING) == data


def _walk(data: bytes, depth: int = 0) -> None:
    """Decode every element of ``data`` with the strict decoder for its tag, recursing into
    constructed ones; ``finish`` at each level (a fuzz harness, also used on truncations)."""
    reader = der.DerReader(data)
    while not reader.at_end:
        tag, content, _ = reader.read_element()
        if tag == der.TAG_INTEGER:
            der.decode_integer(content)
        elif tag == der.TAG_OID:
            der.decode_oid(content)
        elif tag == der.TAG_BIT_STRING:
            der.decode_bit_string(content)
        elif tag == der.TAG_BOOLEAN:
            der.DerReader(der.encode_tlv(tag, content)).read_boolean()
        elif tag == der.TAG_NULL:
            der.DerReader(der.encode_tlv(tag, content)).read_null()
        elif tag & 0x20 and depth < 20:
            _walk(content, depth + 1)
    reader.finish()


@given(st.binary(max_size=200))
@settings(max_examples=400)
def test_arbitrary_bytes_raise_only_decode_error(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        _walk(data)
    reader = der.DerReader(data)
    for method in (
        reader.read_integer,
        reader.read_oid,
        reader.read_bit_string,
        reader.read_bit_string_bits,
        reader.read_octet_string,
        reader.read_boolean,
        reader.read_null,
        reader.read_sequence,
    ):
        with contextlib.suppress(DecodeError):
            method()


@given(st.binary(min_size=1, max_size=60))
def test_mutated_structures_raise_only_decode_error(noise: bytes) -> None:
    base = der.encode_sequence(der.encode_integer(-5), der.encode_oid("1.3.101.112"), der.encode_bit_string(b"ab"))
    position = noise[0] % len(base)
    mutated = base[:position] + noise[1:] + base[position + len(noise) - 1 :]
    with contextlib.suppress(DecodeError):
        _walk(mutated)
