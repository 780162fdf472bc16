"""Record layer rules of RFC 8446 §5 and RFC 8449, each with the alert it must raise."""

from __future__ import annotations

import pytest

from atls.alerts import BadRecordMac, RecordOverflow, UnexpectedMessage
from atls.enums import CipherSuite, ContentType
from atls.key_schedule import traffic_keys
from atls.record import Record, RecordLayer, RecordProtection, RecordReader, pad_to_multiple
from ratscore.crypto.types import CryptoProvider
from ratscore.errors import EncodeError, LocalProtocolError

from .rfc8448 import rfc8448

SUITE = CipherSuite.TLS_AES_128_GCM_SHA256
SECRET = bytes(range(32))
CCS = bytes.fromhex("140303000101")


def _pair(crypto: CryptoProvider, suite: CipherSuite = SUITE) -> tuple[RecordLayer, RecordLayer]:
    sender, receiver = RecordLayer(crypto), RecordLayer(crypto)
    secret = bytes(range(suite.hash_algorithm.digest_size))  # a traffic secret is Hash.length bytes
    sender.set_write_key(suite, secret)
    receiver.set_read_key(suite, secret)
    return sender, receiver


def test_change_cipher_spec_record_bytes() -> None:
    assert RecordLayer.send_change_cipher_spec() == CCS  # RFC 8446 §D.4


def test_ccs_dropped_inside_window(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.accept_change_cipher_spec = True
    layer.receive_data(CCS + rfc8448("s3.record.server_hello.complete_record"))
    record = layer.next_record()
    assert record is not None and record.data == rfc8448("s3.record.server_hello.payload")


def test_ccs_dropped_before_protected_record(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.accept_change_cipher_spec = True
    layer.set_read_key(SUITE, rfc8448("s3.server_handshake_traffic_secret"))
    layer.receive_data(CCS + rfc8448("s3.record.server_encrypted_flight.complete_record"))
    record = layer.next_record()
    assert record is not None and record.protected


@pytest.mark.parametrize("ccs", [CCS, bytes.fromhex("140303000102"), bytes.fromhex("14030300020101")])
def test_ccs_outside_window_or_wrong_value(crypto: CryptoProvider, ccs: bytes) -> None:
    layer = RecordLayer(crypto)
    layer.accept_change_cipher_spec = ccs != CCS
    layer.receive_data(ccs)
    with pytest.raises(UnexpectedMessage):
        layer.next_record()


def test_protected_ccs_is_unexpected(crypto: CryptoProvider) -> None:
    protection = RecordProtection.from_traffic_secret(crypto, SUITE, SECRET)
    _, receiver = _pair(crypto)
    receiver.accept_change_cipher_spec = True
    receiver.receive_data(protection.seal(ContentType.CHANGE_CIPHER_SPEC, b"\x01"))
    with pytest.raises(UnexpectedMessage):
        receiver.next_record()


def test_bad_record_mac_for_any_modification(crypto: CryptoProvider) -> None:
    record = rfc8448("s3.record.client_finished.complete_record")
    for index in (1, 2, 5, len(record) // 2, len(record) - 1):  # version, body, tag (AAD covers the header)
        tampered = bytearray(record)
        tampered[index] ^= 0x01
        layer = RecordLayer(crypto)
        layer.set_read_key(SUITE, rfc8448("s3.client_handshake_traffic_secret"))
        layer.receive_data(bytes(tampered))
        with pytest.raises(BadRecordMac):
            layer.next_record()


def test_wrong_sequence_number_is_bad_record_mac(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.set_read_key(SUITE, rfc8448("s3.server_application_traffic_secret_0"))
    layer.receive_data(rfc8448("s3.record.server_application_data.complete_record"))  # written at seq 1
    with pytest.raises(BadRecordMac):
        layer.next_record()


def test_short_ciphertext_is_bad_record_mac(crypto: CryptoProvider) -> None:
    _, receiver = _pair(crypto)
    receiver.receive_data(bytes.fromhex("1703030003") + b"abc")
    with pytest.raises(BadRecordMac):
        receiver.next_record()


def test_ciphertext_over_limit_is_record_overflow(crypto: CryptoProvider) -> None:
    reader = RecordReader()
    reader.feed(bytes([23, 3, 3]) + (2**14 + 257).to_bytes(2, "big"))
    with pytest.raises(RecordOverflow):
        reader.next_record()  # RFC 8446 §5.2: decided from the header alone
    reader = RecordReader()
    reader.feed(bytes([23, 3, 3]) + (2**14 + 256).to_bytes(2, "big"))
    assert reader.next_record() is None  # legal length, waiting for the body


def test_plaintext_over_limit_is_record_overflow(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.receive_data(Record(content_type=ContentType.HANDSHAKE, fragment=bytes(2**14 + 1)).encode())
    with pytest.raises(RecordOverflow):
        layer.next_record()


def test_inner_plaintext_over_limit_is_record_overflow(crypto: CryptoProvider) -> None:
    # Build a record whose TLSInnerPlaintext is 2^14 + 2 bytes with the raw AEAD (sequence 0:
    # the nonce is the IV itself, RFC 8446 §5.3).
    keys = traffic_keys(crypto, SUITE, SECRET)
    inner = bytes(2**14 + 1) + b"\x17"
    header = bytes([23, 3, 3]) + (len(inner) + 16).to_bytes(2, "big")
    body = crypto.aead(SUITE.aead_algorithm, keys.key).encrypt(keys.iv, inner, header)
    _, receiver = _pair(crypto)
    receiver.receive_data(header + body)
    with pytest.raises(RecordOverflow):
        receiver.next_record()


def test_all_zero_inner_plaintext_is_unexpected_message(crypto: CryptoProvider) -> None:
    protection = RecordProtection.from_traffic_secret(crypto, SUITE, SECRET)
    _, receiver = _pair(crypto)
    receiver.receive_data(protection.seal(ContentType.INVALID, b"", padding_length=10))
    with pytest.raises(UnexpectedMessage):
        receiver.next_record()  # RFC 8446 §5.4


def test_unknown_content_type_is_unexpected_message(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.receive_data(b"GET / HTTP/1.1\r\n")
    with pytest.raises(UnexpectedMessage):
        layer.next_record()


def test_unprotected_application_data_is_unexpected(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.receive_data(bytes.fromhex("1703030001") + b"x")
    with pytest.raises(UnexpectedMessage):
        layer.next_record()


def test_plaintext_handshake_after_key_change_is_unexpected(crypto: CryptoProvider) -> None:
    _, receiver = _pair(crypto)
    receiver.receive_data(rfc8448("s3.record.server_hello.complete_record"))
    with pytest.raises(UnexpectedMessage):
        receiver.next_record()


@pytest.mark.parametrize("content_type", [ContentType.HANDSHAKE, ContentType.ALERT])
def test_zero_length_handshake_or_alert_is_unexpected(crypto: CryptoProvider, content_type: ContentType) -> None:
    layer = RecordLayer(crypto)
    layer.receive_data(bytes([content_type, 3, 3, 0, 0]))
    with pytest.raises(UnexpectedMessage):
        layer.next_record()
    protection = RecordProtection.from_traffic_secret(crypto, SUITE, SECRET)
    _, receiver = _pair(crypto)
    receiver.receive_data(protection.seal(content_type, b"", padding_length=3))
    with pytest.raises(UnexpectedMessage):
        receiver.next_record()


def test_zero_length_application_data_is_allowed(crypto: CryptoProvider) -> None:
    sender, receiver = _pair(crypto)
    receiver.receive_data(sender.send(ContentType.APPLICATION_DATA, b""))
    record = receiver.next_record()
    assert record is not None and record.data == b""


@pytest.mark.parametrize("suite", list(CipherSuite), ids=[s.name for s in CipherSuite])
def test_round_trip_every_suite_with_padding(crypto: CryptoProvider, suite: CipherSuite) -> None:
    sender, receiver = _pair(crypto, suite)
    sender.padding_policy = pad_to_multiple(64)
    wire = sender.send(ContentType.APPLICATION_DATA, b"hello")
    # 5 bytes content + 1 type byte padded to 64, plus the tag, plus the 5-byte header.
    assert len(wire) == 5 + 64 + suite.tag_length
    receiver.receive_data(wire)
    record = receiver.next_record()
    assert record is not None and record.data == b"hello"


def test_send_respects_peer_record_size_limit(crypto: CryptoProvider) -> None:
    sender, receiver = _pair(crypto)
    sender.set_send_record_size_limit(64)  # RFC 8449: 63 content bytes + 1 type byte per record
    wire = sender.send(ContentType.APPLICATION_DATA, bytes(200))
    receiver.set_receive_record_size_limit(64)
    receiver.receive_data(wire)
    sizes = []
    while (record := receiver.next_record()) is not None:
        sizes.append(len(record.data))
    assert sizes == [63, 63, 63, 11]


def test_receive_enforces_our_record_size_limit(crypto: CryptoProvider) -> None:
    sender, receiver = _pair(crypto)
    receiver.set_receive_record_size_limit(64)
    receiver.receive_data(sender.send(ContentType.APPLICATION_DATA, bytes(64)))  # inner = 65 bytes
    with pytest.raises(RecordOverflow):
        receiver.next_record()


def test_record_size_limit_does_not_apply_to_plaintext(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.set_send_record_size_limit(64)
    wire = layer.send(ContentType.HANDSHAKE, bytes(1000))
    assert len(wire) == 5 + 1000


def test_large_handshake_is_fragmented(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    wire = layer.send(ContentType.HANDSHAKE, bytes(40000))
    assert len(wire) == 3 * 5 + 40000
    sender, receiver = _pair(crypto)
    receiver.receive_data(sender.send(ContentType.HANDSHAKE, bytes(40000)))
    lengths = []
    while (record := receiver.next_record()) is not None:
        lengths.append(len(record.data))
    assert lengths == [16384, 16384, 40000 - 2 * 16384]


def test_send_misuse(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    with pytest.raises(LocalProtocolError):
        layer.send(ContentType.APPLICATION_DATA, b"x")
    with pytest.raises(EncodeError):
        layer.send(ContentType.HANDSHAKE, b"")
    with pytest.raises(LocalProtocolError):
        layer.set_send_record_size_limit(63)


def test_key_change_restarts_sequence_numbers(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.set_write_key(SUITE, rfc8448("s3.server_application_traffic_secret_0"))
    layer.send(ContentType.HANDSHAKE, rfc8448("s3.record.server_new_session_ticket.payload"))
    layer.set_write_key(SUITE, rfc8448("s3.client_application_traffic_secret_0"))
    wire = layer.send(ContentType.APPLICATION_DATA, rfc8448("s3.record.client_application_data.payload"))
    assert wire == rfc8448("s3.record.client_application_data.complete_record")  # sequence 0 again
