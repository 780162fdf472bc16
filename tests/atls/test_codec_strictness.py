"""Per-parser strictness: truncated, trailing, oversized lengths, duplicate and misplaced
extensions each raise the right alert class (never IndexError/struct.error)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atls.alerts import (
    ALERT_CLASSES,
    AlertDescription,
    DecodeErrorAlert,
    IllegalParameter,
    TLSAlert,
    UnexpectedMessage,
)
from atls.codec import HandshakeMessage, HandshakeReassembler, Reader, Writer, decode_alert, encode_alert
from atls.enums import ExtensionContext
from atls.extensions import (
    KeyShareClientHello,
    KeyShareEntry,
    RecordSizeLimit,
    SupportedGroups,
    decode_extensions,
)
from atls.messages import (
    ClientHello,
    KeyUpdate,
    decode_certificate,
    decode_certificate_memoised,
    decode_certificate_request,
    decode_certificate_verify,
    decode_client_hello,
    decode_encrypted_extensions,
    decode_encrypted_extensions_memoised,
    decode_end_of_early_data,
    decode_finished,
    decode_handshake_message,
    decode_key_update,
    decode_new_session_ticket,
    decode_server_hello,
)
from ratscore.errors import DecodeError, EncodeError, RemoteProtocolError

from .rfc8448 import rfc8448

DECODERS: list[tuple[str, Callable[[bytes], object]]] = [
    ("s3.client_hello", decode_client_hello),
    ("s3.server_hello", decode_server_hello),
    ("s5.hello_retry_request", decode_server_hello),
    ("s3.encrypted_extensions", decode_encrypted_extensions),
    ("s6.certificate_request", decode_certificate_request),
    ("s3.server_certificate", decode_certificate),
    ("s3.encrypted_extensions (memoised)", decode_encrypted_extensions_memoised),
    ("s3.server_certificate (memoised)", decode_certificate_memoised),
    ("s3.server_certificate_verify", decode_certificate_verify),
    ("s3.new_session_ticket", decode_new_session_ticket),
    ("s3.server_finished", lambda body: decode_finished(body, 32)),
]


def _body(name: str) -> bytes:
    return rfc8448(name.removesuffix(" (memoised)"))[4:]


@pytest.mark.parametrize(("name", "decode"), DECODERS, ids=[d[0] for d in DECODERS])
def test_every_truncation_is_decode_error(name: str, decode: Callable[[bytes], object]) -> None:
    body = _body(name)
    decode(body)
    for cut in range(len(body)):
        if name == "s3.client_hello" and cut == 45:  # 2 + 32 + 1 + (2 + 6) + (1 + 1)
            continue  # cut exactly before the extensions block: a legal TLS 1.2-style hello
        if name in ("s3.server_hello", "s5.hello_retry_request") and cut == 38:  # 2 + 32 + 1 + 2 + 1
            continue  # same for ServerHello
        with pytest.raises(DecodeErrorAlert):
            decode(body[:cut])


@pytest.mark.parametrize(("name", "decode"), DECODERS, ids=[d[0] for d in DECODERS])
def test_trailing_byte_is_decode_error(name: str, decode: Callable[[bytes], object]) -> None:
    with pytest.raises(DecodeErrorAlert):
        decode(_body(name) + b"\x00")


def test_client_hello_without_extensions_block_is_legal() -> None:
    body = _body("s3.client_hello")
    hello = decode_client_hello(body[:45])
    assert hello.extensions == ()


def test_oversized_vector_length_is_decode_error() -> None:
    body = bytearray(_body("s3.server_certificate"))
    body[1:4] = (0xFFFFFF).to_bytes(3, "big")  # certificate_list length beyond the message
    with pytest.raises(DecodeErrorAlert):
        decode_certificate(bytes(body))
    hello = bytearray(_body("s3.client_hello"))
    hello[34] = 33  # legacy_session_id<0..32>
    with pytest.raises(DecodeErrorAlert):
        decode_client_hello(bytes(hello))


def _extension_block(*extensions: tuple[int, bytes]) -> bytes:
    writer = Writer()
    with writer.vector(2):
        for extension_type, data in extensions:
            writer.uint16(extension_type)
            writer.opaque(2, data)
    return writer.getvalue()


def test_duplicate_extension_is_illegal_parameter() -> None:
    block = _extension_block((0x1C, b"\x40\x01"), (0x1C, b"\x40\x01"))
    with pytest.raises(IllegalParameter):
        decode_extensions(Reader(block), ExtensionContext.ENCRYPTED_EXTENSIONS)
    unknown_twice = _extension_block((0x7777, b""), (0x7777, b""))
    with pytest.raises(IllegalParameter):
        decode_extensions(Reader(unknown_twice), ExtensionContext.CLIENT_HELLO)


def test_extension_in_wrong_message_is_illegal_parameter() -> None:
    # RFC 8446 §4.2: key_share is not allowed in EncryptedExtensions, ALPN not in ServerHello.
    with pytest.raises(IllegalParameter):
        decode_extensions(Reader(_extension_block((51, b"\x00\x1d"))), ExtensionContext.ENCRYPTED_EXTENSIONS)
    with pytest.raises(IllegalParameter):
        decode_extensions(Reader(_extension_block((16, b"\x00\x03\x02h2"))), ExtensionContext.SERVER_HELLO)


def test_repeated_extensions_decode_alike_and_never_remember_a_failure() -> None:
    # Offers that repeat on every connection (supported_groups here) are decoded once per exact
    # bytes; a malformed one (odd length) is refused every time it arrives.
    good = _extension_block((10, b"\x00\x02\x00\x1d"))
    first = decode_extensions(Reader(good), ExtensionContext.CLIENT_HELLO)
    assert first == decode_extensions(Reader(good), ExtensionContext.CLIENT_HELLO)
    assert first[0] == SupportedGroups(groups=(0x1D,))
    bad = _extension_block((10, b"\x00\x03\x00\x1d\x00"))
    for _ in range(2):
        with pytest.raises(DecodeErrorAlert):
            decode_extensions(Reader(bad), ExtensionContext.CLIENT_HELLO)
    trailing = _extension_block((10, b"\x00\x02\x00\x1d\x00"))  # a byte after the list
    for _ in range(2):
        with pytest.raises(DecodeErrorAlert):
            decode_extensions(Reader(trailing), ExtensionContext.CLIENT_HELLO)


def test_unknown_extension_is_kept() -> None:
    (extension,) = decode_extensions(Reader(_extension_block((0xABCD, b"xyz"))), ExtensionContext.SERVER_HELLO)
    assert (extension.extension_type, getattr(extension, "data", None)) == (0xABCD, b"xyz")


def test_trailing_bytes_inside_extension_is_decode_error() -> None:
    with pytest.raises(DecodeErrorAlert):
        decode_extensions(Reader(_extension_block((28, b"\x40\x01\x00"))), ExtensionContext.CLIENT_HELLO)


def test_record_size_limit_below_64_is_illegal_parameter() -> None:
    # RFC 8449 §4.
    with pytest.raises(IllegalParameter):
        decode_extensions(Reader(_extension_block((28, b"\x00\x3f"))), ExtensionContext.CLIENT_HELLO)
    (limit,) = decode_extensions(Reader(_extension_block((28, b"\x00\x40"))), ExtensionContext.CLIENT_HELLO)
    assert limit == RecordSizeLimit(limit=64)


def test_duplicate_key_share_group_is_illegal_parameter() -> None:
    writer = Writer()
    KeyShareClientHello(
        client_shares=(KeyShareEntry(group=29, key_exchange=b"a" * 32), KeyShareEntry(group=29, key_exchange=b"b" * 32))
    ).encode_data(writer)
    with pytest.raises(IllegalParameter):
        decode_extensions(Reader(_extension_block((51, writer.getvalue()))), ExtensionContext.CLIENT_HELLO)


def test_pre_shared_key_must_be_last() -> None:
    body = _body("s4.record.client_hello.payload")
    hello = decode_client_hello(body)
    reordered = ClientHello(
        random=hello.random,
        legacy_session_id=hello.legacy_session_id,
        cipher_suites=hello.cipher_suites,
        extensions=(hello.extensions[-1], *hello.extensions[:-1]),
    )
    with pytest.raises(IllegalParameter):
        decode_client_hello(reordered.encode()[4:])


def test_max_fragment_length_bad_value_is_illegal_parameter() -> None:
    with pytest.raises(IllegalParameter):
        decode_extensions(Reader(_extension_block((1, b"\x05"))), ExtensionContext.CLIENT_HELLO)


def test_server_alpn_must_name_one_protocol() -> None:
    two = b"\x00\x06\x02h2\x02h3"
    with pytest.raises(IllegalParameter):
        decode_extensions(Reader(_extension_block((16, two))), ExtensionContext.ENCRYPTED_EXTENSIONS)
    decode_extensions(Reader(_extension_block((16, two))), ExtensionContext.CLIENT_HELLO)


def test_certificate_request_needs_extensions() -> None:
    with pytest.raises(DecodeErrorAlert):
        decode_certificate_request(b"\x00\x00\x00")  # extensions<2..2^16-1>


def test_key_update_values() -> None:
    assert decode_key_update(b"\x01") == KeyUpdate(request_update=1)  # type: ignore[arg-type]
    with pytest.raises(IllegalParameter):
        decode_key_update(b"\x02")  # RFC 8446 §4.6.3
    with pytest.raises(DecodeErrorAlert):
        decode_key_update(b"")
    assert KeyUpdate(request_update=1).encode() == bytes.fromhex("1800000101")  # type: ignore[arg-type]


def test_end_of_early_data_must_be_empty() -> None:
    decode_end_of_early_data(b"")
    with pytest.raises(DecodeErrorAlert):
        decode_end_of_early_data(b"\x00")


def test_memoised_decoders_never_remember_a_failure() -> None:
    # The memoised decoders (the same bytes arrive on every connection) return the decoding of
    # good bytes again, and raise for bad bytes every time: only successes are remembered.
    good = _body("s3.server_certificate")
    assert decode_certificate_memoised(good) == decode_certificate(good)
    assert decode_certificate_memoised(good) is decode_certificate_memoised(good)
    for _ in range(2):
        with pytest.raises(DecodeErrorAlert):
            decode_certificate_memoised(good[:-1])
        with pytest.raises(DecodeErrorAlert):
            decode_encrypted_extensions_memoised(_body("s3.encrypted_extensions") + b"\x00")


def test_finished_length_must_equal_hash_length() -> None:
    with pytest.raises(DecodeErrorAlert):
        decode_finished(bytes(31), 32)
    with pytest.raises(DecodeErrorAlert):
        decode_finished(bytes(33), 32)


def test_unknown_handshake_type_is_unexpected_message() -> None:
    with pytest.raises(UnexpectedMessage):
        decode_handshake_message(HandshakeMessage(msg_type=99, body=b"", raw=b"\x63\x00\x00\x00"))


def test_reassembler_byte_at_a_time_and_coalesced() -> None:
    stream = b"".join(rfc8448(f"s3.{n}") for n in ("encrypted_extensions", "server_certificate", "server_finished"))
    reassembler = HandshakeReassembler()
    out = []
    for index in range(len(stream)):
        reassembler.feed(stream[index : index + 1])
        while (message := reassembler.next_message()) is not None:
            out.append(message.raw)
    assert b"".join(out) == stream and len(out) == 3
    assert not reassembler.pending
    reassembler.feed(stream[:5])
    assert reassembler.pending
    with pytest.raises(UnexpectedMessage):
        reassembler.ensure_aligned()  # RFC 8446 §5.1


def test_reassembler_rejects_oversized_message() -> None:
    reassembler = HandshakeReassembler(max_message_size=1000)
    reassembler.feed(b"\x0b\x00\x03\xe9")
    with pytest.raises(IllegalParameter):
        reassembler.next_message()


def test_reader_and_writer() -> None:
    writer = Writer()
    writer.uint8(1)
    writer.uint16(0x0203)
    writer.uint24(0x040506)
    writer.uint32(0x0708090A)
    writer.opaque(3, b"ab")
    assert writer.getvalue() == bytes.fromhex("01020304050607 08090a 000002 6162".replace(" ", ""))
    reader = Reader(writer.getvalue())
    assert (reader.uint8(), reader.uint16(), reader.uint24(), reader.uint32()) == (1, 0x0203, 0x040506, 0x0708090A)
    assert reader.opaque(3, 1, 2) == b"ab"
    reader.expect_end()
    with pytest.raises(DecodeErrorAlert):
        Reader(b"\x00\x03ab").opaque(2)
    with pytest.raises(DecodeErrorAlert):
        Reader(b"\x02ab").opaque(1, 3)
    with pytest.raises(DecodeErrorAlert):
        Reader(b"\x03abc").uint16_list(1)
    with pytest.raises(EncodeError):
        Writer().uint8(256)
    with pytest.raises(EncodeError):
        Writer().opaque(1, bytes(256))


def test_alert_messages() -> None:
    assert encode_alert(AlertDescription.CLOSE_NOTIFY) == b"\x01\x00"
    assert encode_alert(AlertDescription.DECODE_ERROR) == b"\x02\x32"
    assert decode_alert(b"\x02\x28") == (2, AlertDescription.HANDSHAKE_FAILURE)
    assert decode_alert(b"\x02\xfe") == (2, 0xFE)
    for bad in (b"", b"\x02", b"\x02\x28\x00"):
        with pytest.raises(DecodeErrorAlert):
            decode_alert(bad)


def test_alert_classes() -> None:
    assert len(ALERT_CLASSES) == 20
    for description, cls in ALERT_CLASSES.items():
        assert issubclass(cls, TLSAlert) and issubclass(cls, RemoteProtocolError)
        assert cls.description is description
    assert issubclass(DecodeErrorAlert, DecodeError)
    # RFC 8446 §6 code points (checked against the RFC text, not derived).
    assert [int(d) for d in (AlertDescription.UNEXPECTED_MESSAGE, AlertDescription.BAD_RECORD_MAC)] == [10, 20]
    assert int(AlertDescription.CERTIFICATE_REQUIRED) == 116
    assert int(AlertDescription.NO_APPLICATION_PROTOCOL) == 120
    assert int(AlertDescription.MISSING_EXTENSION) == 109
