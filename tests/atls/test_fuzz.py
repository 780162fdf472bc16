"""hypothesis: decoders never crash on arbitrary bytes, and the record reader / record layer
give the same records however the byte stream is split."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atls.alerts import DecodeErrorAlert, IllegalParameter, TLSAlert, UnexpectedMessage
from atls.codec import HandshakeMessage, HandshakeReassembler, Reader, decode_alert
from atls.enums import CipherSuite, ExtensionContext
from atls.extensions import decode_extensions
from atls.messages import (
    decode_certificate,
    decode_certificate_request,
    decode_certificate_verify,
    decode_client_hello,
    decode_encrypted_extensions,
    decode_end_of_early_data,
    decode_handshake_message,
    decode_key_update,
    decode_new_session_ticket,
    decode_server_hello,
)
from atls.record import RecordLayer, RecordReader
from ratscore.crypto import get_provider

from .rfc8448 import rfc8448

# What a decoder may raise: decode_error for malformed bytes, illegal_parameter for a
# well-formed but forbidden value (RFC 8446 §4.2 duplicates, RFC 8449 limit < 64, ...),
# unexpected_message for an unknown handshake type.  Everything else is a bug.
ALLOWED = (DecodeErrorAlert, IllegalParameter, UnexpectedMessage)


def _extension_decoder(context: ExtensionContext) -> Callable[[bytes], object]:
    return lambda data: decode_extensions(Reader(data), context)


DECODERS: dict[str, Callable[[bytes], object]] = {
    "client_hello": decode_client_hello,
    "server_hello": decode_server_hello,
    "encrypted_extensions": decode_encrypted_extensions,
    "certificate_request": decode_certificate_request,
    "certificate": decode_certificate,
    "certificate_verify": decode_certificate_verify,
    "new_session_ticket": decode_new_session_ticket,
    "key_update": decode_key_update,
    "end_of_early_data": decode_end_of_early_data,
    "alert": decode_alert,
    **{f"extensions_{context.name.lower()}": _extension_decoder(context) for context in ExtensionContext},
    "handshake_message": lambda data: decode_handshake_message(
        HandshakeMessage(msg_type=data[0] if data else 0, body=data[1:], raw=data), hash_length=32
    ),
}
SEEDS = {
    "client_hello": "s4.record.client_hello.payload",
    "server_hello": "s5.hello_retry_request",
    "encrypted_extensions": "s3.encrypted_extensions",
    "certificate_request": "s6.certificate_request",
    "certificate": "s3.server_certificate",
    "certificate_verify": "s3.server_certificate_verify",
    "new_session_ticket": "s3.new_session_ticket",
}


def _check(decode: Callable[[bytes], object], data: bytes) -> None:
    try:
        decode(data)
    except TLSAlert as exc:
        assert isinstance(exc, ALLOWED), type(exc)


@pytest.mark.parametrize("name", list(DECODERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(name: str, data: bytes) -> None:
    _check(DECODERS[name], data)


@pytest.mark.parametrize("name", list(SEEDS))
@settings(max_examples=200, deadline=None)
@given(mutations=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4))
def test_mutated_rfc_messages(name: str, mutations: list[tuple[int, int]]) -> None:
    """Byte substitutions in real messages reach the deep parser paths."""
    body = bytearray(rfc8448(SEEDS[name])[4:])
    for position, value in mutations:
        body[position % len(body)] = value
    _check(DECODERS[name], bytes(body))


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=200), max_size=st.integers(0, 300))
def test_reassembler_arbitrary(data: bytes, max_size: int) -> None:
    reassembler = HandshakeReassembler(max_message_size=max_size)
    reassembler.feed(data)
    try:
        while reassembler.next_message() is not None:
            pass
    except TLSAlert as exc:
        assert isinstance(exc, IllegalParameter)


STREAM = b"".join(
    rfc8448(f"s3.record.{name}.complete_record")
    for name in (
        "client_hello",
        "server_hello",
        "server_encrypted_flight",
        "client_finished",
        "client_application_data",
    )
)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=100, deadline=None)
@given(cuts=st.lists(st.integers(0, 10_000), max_size=20))
def test_record_reader_split_invariance(cuts: list[int]) -> None:
    whole = RecordReader()
    whole.feed(STREAM)
    expected = []
    while (record := whole.next_record()) is not None:
        expected.append(record)
    assert len(expected) == 5
    pieces = RecordReader()
    got = []
    for piece in _split(STREAM, cuts):
        pieces.feed(piece)
        while (record := pieces.next_record()) is not None:
            got.append(record)
    assert got == expected
    assert b"".join(record.encode() for record in got) == STREAM


SERVER_APP_STREAM = b"".join(
    rfc8448(f"s3.record.{name}.complete_record")
    for name in ("server_new_session_ticket", "server_application_data", "server_alert")
)


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(0, 10_000), max_size=10))
def test_protected_stream_split_invariance(cuts: list[int]) -> None:
    layer = RecordLayer(get_provider())
    layer.set_read_key(CipherSuite.TLS_AES_128_GCM_SHA256, rfc8448("s3.server_application_traffic_secret_0"))
    payloads = []
    for piece in _split(SERVER_APP_STREAM, cuts):
        layer.receive_data(piece)
        while (record := layer.next_record()) is not None:
            payloads.append(record.data)
    names = ("server_new_session_ticket", "server_application_data", "server_alert")
    assert payloads == [rfc8448(f"s3.record.{name}.payload") for name in names]


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400))
def test_record_layer_arbitrary_bytes(data: bytes) -> None:
    for protected in (False, True):
        layer = RecordLayer(get_provider())
        layer.accept_change_cipher_spec = True
        if protected:
            layer.set_read_key(CipherSuite.TLS_AES_128_GCM_SHA256, bytes(32))
        layer.receive_data(data)
        try:
            while layer.next_record() is not None:
                pass
        except TLSAlert:
            pass
