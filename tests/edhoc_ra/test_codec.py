"""Wire-format details from the RFC 9528 text, and the parser fuzz invariant."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edhoc_ra import (
    EadItem,
    EdhocDecodeError,
    HandshakeCompleted,
    IdCred,
    Responder,
    SessionContext,
    codec,
    decode_connection_id,
    encode_connection_id,
)
from edhoc_ra.connection import classify
from ratscore import cbor
from ratscore.crypto import CryptoProvider, get_provider
from ratscore.errors import EncodeError, RemoteProtocolError

from .helpers import make_pair, run_handshake


@pytest.mark.parametrize(
    ("raw", "wire"),
    # RFC 9528 §3.3.2 examples, and the empty string
    [("21", "21"), ("0d", "0d"), ("18", "4118"), ("38", "4138"), ("abcd", "42abcd"), ("", "40"), ("37", "37")],
)
def test_connection_identifier_representation(raw: str, wire: str) -> None:
    assert encode_connection_id(bytes.fromhex(raw)).hex() == wire
    assert decode_connection_id(cbor.decode(bytes.fromhex(wire))) == bytes.fromhex(raw)


@pytest.mark.parametrize("wire", ["4121", "410d", "4137", "3818", "1818", "f5", "a0"])
def test_non_canonical_connection_identifiers_rejected(wire: str) -> None:
    with pytest.raises(EdhocDecodeError):
        decode_connection_id(cbor.decode(bytes.fromhex(wire)))


@pytest.mark.parametrize(
    ("kid", "plaintext_form", "full_form"),
    # RFC 9528 §3.5.3.2 examples
    [("ff", "41ff", "a10441ff"), ("21", "21", "a1044121")],
)
def test_compact_kid(kid: str, plaintext_form: str, full_form: str) -> None:
    id_cred = IdCred.by_kid(bytes.fromhex(kid))
    assert id_cred.plaintext_encoding().hex() == plaintext_form
    assert id_cred.encoded.hex() == full_form


@pytest.mark.parametrize(
    ("items", "wire"),
    # RFC 9528 §3.8.1 padding examples; §3.8 critical label 5 is sent as -5 (0x24)
    [
        ([EadItem.padding()], "00"),
        ([EadItem.padding(b"")], "0040"),
        ([EadItem.padding(b"\xe9")], "0041e9"),
        ([EadItem(label=5, critical=True)], "24"),
    ],
)
def test_ead_encoding(items: list[EadItem], wire: str) -> None:
    from edhoc_ra.ead import encode_ead

    assert encode_ead(items).hex() == wire
    assert codec.decode_plaintext_4(bytes.fromhex(wire))[0] == tuple(items)


def test_ead_item_rejects_nonsense() -> None:
    with pytest.raises(EncodeError):
        EadItem(label=-1)
    with pytest.raises(EncodeError):
        EadItem(label=0, critical=True)


def test_suites_encoding() -> None:
    assert codec.encode_suites((2,)).hex() == "02"
    assert codec.encode_suites((6, 2)).hex() == "820602"  # RFC 9529 §3.3


def test_error_decoding() -> None:
    assert codec.decode_error(bytes.fromhex("0202")) == (2, 2, (2,))  # RFC 9529 §3.2
    assert codec.decode_error(bytes.fromhex("03f5")) == (3, True, None)
    for bad in ("02", "0240", "03f4", "020102", "820202", "028102"):
        with pytest.raises(EdhocDecodeError):
            codec.decode_error(bytes.fromhex(bad))


_PARSERS = [
    codec.decode_message_1,
    codec.decode_plaintext_2,
    codec.decode_plaintext_3,
    codec.decode_plaintext_4,
    codec.decode_error,
    lambda data: codec.decode_ciphertext_message(data, "message_2"),
    classify,
]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=80))
def test_parsers_only_raise_the_decode_error(data: bytes) -> None:
    for parse in _PARSERS:
        with contextlib.suppress(EdhocDecodeError):
            parse(data)


@settings(max_examples=200, deadline=None)
@given(prefix=st.sampled_from([b"\x03\x02\x58\x20", b"\x27\x32\x48", b"\x00", b""]), tail=st.binary(max_size=60))
def test_parsers_on_plausible_prefixes(prefix: bytes, tail: bytes) -> None:
    for parse in _PARSERS:
        with contextlib.suppress(EdhocDecodeError):
            parse(prefix + tail)


_FUZZ_CONFIG = make_pair(get_provider()).responder.config


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=80))
def test_responder_raises_only_remote_errors_on_arbitrary_bytes(data: bytes) -> None:
    responder = Responder(_FUZZ_CONFIG, crypto=get_provider())
    with contextlib.suppress(RemoteProtocolError):
        responder.receive_message(data)


def test_truncations_of_real_messages_raise_decode_errors(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, use_message_4=True)
    pair.initiator.start()
    message_1 = pair.initiator.messages_to_send()[0]
    for cut in range(1, len(message_1)):
        try:
            codec.decode_message_1(message_1[:cut])
        except EdhocDecodeError:
            continue
        # a cut that still parses must have dropped only whole trailing EAD items: none here
        raise AssertionError(f"truncation at {cut} parsed")
    with pytest.raises(EdhocDecodeError):
        codec.decode_message_1(message_1 + b"\x41")  # trailing junk that is not an EAD item


class _Recorder:
    """An EAD plug-in that sends an item in every message and records its contexts."""

    labels: Collection[int] = frozenset({333})

    def __init__(self) -> None:
        self.produced: list[SessionContext] = []
        self.consumed: list[tuple[int, bool, tuple[EadItem, ...]]] = []
        self.verified: list[int] = []

    def produce(self, context: SessionContext) -> Sequence[EadItem]:
        self.produced.append(context)
        binder = context.exporter(2, b"attestation", 8) if context.exporter else b""
        return [EadItem(label=333, critical=True, value=bytes([context.message_number]) + binder)]

    def consume(self, items: Sequence[EadItem], context: SessionContext) -> None:
        self.consumed.append((context.message_number, context.verified, tuple(items)))

    def message_verified(self, items: Sequence[EadItem], context: SessionContext) -> None:
        self.verified.append(context.message_number)


def test_ead_handlers_produce_and_consume_in_every_message(crypto: CryptoProvider) -> None:
    on_i, on_r = _Recorder(), _Recorder()
    pair = make_pair(
        crypto,
        use_message_4=True,
        initiator_overrides={"ead_handlers": (on_i,)},
        responder_overrides={"ead_handlers": (on_r,)},
    )
    pair = run_handshake(pair)
    assert isinstance(pair.initiator_events[-1], HandshakeCompleted)
    assert [c.message_number for c in on_i.produced] == [1, 3]
    assert [c.message_number for c in on_r.produced] == [2, 4]
    assert [(n, v) for n, v, _ in on_r.consumed] == [(1, False), (3, False)]
    assert [(n, v) for n, v, _ in on_i.consumed] == [(2, False), (4, True)]
    assert on_i.verified == [2] and sorted(on_r.verified) == [1, 3]
    # The responder's EAD_4 is bound to the session through the exporter (RA binder_m4 shape)
    message_4_item = on_i.consumed[-1][2][0]
    assert message_4_item.value == b"\x04" + pair.initiator.exporter(2, b"attestation", 8)
    # Context content: transcript hashes appear as the handshake advances
    assert on_r.produced[0].th_2 is not None and on_r.produced[0].th_3 is None
    assert on_i.produced[1].th_3 is not None and on_i.produced[1].message_2 is not None
