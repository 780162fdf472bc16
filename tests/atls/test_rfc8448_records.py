"""RFC 8448 records: our record layer opens the RFC's protected records to the RFC's
plaintext and seals the RFC's plaintext to the RFC's exact ciphertext, on both backends.

The traffic secrets fed in are the RFC's printed values, so these tests check the record
layer (and §7.3 key/iv derivation) independently of the key-schedule tests."""

from __future__ import annotations

import pytest

from atls.codec import split_handshake_messages
from atls.enums import CipherSuite, ContentType
from atls.record import RecordLayer
from ratscore.crypto.types import CryptoProvider

from .rfc8448 import rfc8448

SUITE = CipherSuite.TLS_AES_128_GCM_SHA256

# (section, secret name, [(record name, inner content type)] in sequence-number order)
PROTECTED_STREAMS = [
    ("s3", "server_handshake_traffic_secret", [("server_encrypted_flight", ContentType.HANDSHAKE)]),
    ("s3", "client_handshake_traffic_secret", [("client_finished", ContentType.HANDSHAKE)]),
    (
        "s3",
        "server_application_traffic_secret_0",
        [
            ("server_new_session_ticket", ContentType.HANDSHAKE),
            ("server_application_data", ContentType.APPLICATION_DATA),
            ("server_alert", ContentType.ALERT),
        ],
    ),
    (
        "s3",
        "client_application_traffic_secret_0",
        [("client_application_data", ContentType.APPLICATION_DATA), ("client_alert", ContentType.ALERT)],
    ),
    ("s4", "server_handshake_traffic_secret", [("server_encrypted_flight", ContentType.HANDSHAKE)]),
    ("s4", "client_handshake_traffic_secret", [("client_finished", ContentType.HANDSHAKE)]),
    (
        "s4",
        "server_application_traffic_secret_0",
        [("server_application_data", ContentType.APPLICATION_DATA), ("server_alert", ContentType.ALERT)],
    ),
    (
        "s4",
        "client_application_traffic_secret_0",
        [("client_application_data", ContentType.APPLICATION_DATA), ("client_alert", ContentType.ALERT)],
    ),
    ("s5", "server_handshake_traffic_secret", [("server_encrypted_flight", ContentType.HANDSHAKE)]),
    ("s5", "client_handshake_traffic_secret", [("client_finished", ContentType.HANDSHAKE)]),
    ("s5", "server_application_traffic_secret_0", [("server_alert", ContentType.ALERT)]),
    ("s5", "client_application_traffic_secret_0", [("client_alert", ContentType.ALERT)]),
    ("s6", "server_handshake_traffic_secret", [("server_encrypted_flight", ContentType.HANDSHAKE)]),
    ("s6", "client_handshake_traffic_secret", [("client_encrypted_flight", ContentType.HANDSHAKE)]),
    ("s6", "server_application_traffic_secret_0", [("server_alert", ContentType.ALERT)]),
    ("s6", "client_application_traffic_secret_0", [("client_alert", ContentType.ALERT)]),
]
IDS = [f"{s}.{secret}" for s, secret, _ in PROTECTED_STREAMS]


@pytest.mark.parametrize(("section", "secret", "records"), PROTECTED_STREAMS, ids=IDS)
def test_open_rfc_records(
    crypto: CryptoProvider, section: str, secret: str, records: list[tuple[str, ContentType]]
) -> None:
    layer = RecordLayer(crypto)
    layer.set_read_key(SUITE, rfc8448(f"{section}.{secret}"))
    layer.receive_data(b"".join(rfc8448(f"{section}.record.{name}.complete_record") for name, _ in records))
    for name, content_type in records:
        received = layer.next_record()
        assert received is not None
        assert received.protected
        assert received.content_type is content_type
        assert received.data.hex() == rfc8448(f"{section}.record.{name}.payload").hex()
    assert layer.next_record() is None


@pytest.mark.parametrize(("section", "secret", "records"), PROTECTED_STREAMS, ids=IDS)
def test_seal_rfc_records(
    crypto: CryptoProvider, section: str, secret: str, records: list[tuple[str, ContentType]]
) -> None:
    layer = RecordLayer(crypto)
    layer.set_write_key(SUITE, rfc8448(f"{section}.{secret}"))
    for name, content_type in records:
        sealed = layer.send(content_type, rfc8448(f"{section}.record.{name}.payload"))
        assert sealed.hex() == rfc8448(f"{section}.record.{name}.complete_record").hex()


def test_server_flight_splits_into_the_rfc_messages(crypto: CryptoProvider) -> None:
    layer = RecordLayer(crypto)
    layer.set_read_key(SUITE, rfc8448("s3.server_handshake_traffic_secret"))
    layer.receive_data(rfc8448("s3.record.server_encrypted_flight.complete_record"))
    record = layer.next_record()
    assert record is not None
    raws = [message.raw for message in split_handshake_messages(record.data)]
    names = ["encrypted_extensions", "server_certificate", "server_certificate_verify", "server_finished"]
    assert raws == [rfc8448(f"s3.{name}") for name in names]


def test_rfc_application_data_is_bytes_0_to_49() -> None:
    assert rfc8448("s3.record.client_application_data.payload") == bytes(range(50))


PLAINTEXT_RECORDS = [
    ("s3.record.client_hello", 0x0301),
    ("s3.record.server_hello", 0x0303),
    ("s5.record.client_hello_1", 0x0301),
    ("s5.record.hello_retry_request", 0x0303),
    ("s5.record.client_hello_2", 0x0303),  # RFC 8448 note 4: ClientHello2 uses 0x0303
    ("s6.record.client_hello", 0x0301),
]


@pytest.mark.parametrize(("name", "version"), PLAINTEXT_RECORDS, ids=[r[0] for r in PLAINTEXT_RECORDS])
def test_plaintext_records(crypto: CryptoProvider, name: str, version: int) -> None:
    layer = RecordLayer(crypto)
    payload = rfc8448(f"{name}.payload")
    assert layer.send(ContentType.HANDSHAKE, payload, legacy_record_version=version) == rfc8448(
        f"{name}.complete_record"
    )
    layer.receive_data(rfc8448(f"{name}.complete_record"))
    received = layer.next_record()
    assert received is not None
    assert (received.content_type, received.data, received.protected) == (ContentType.HANDSHAKE, payload, False)
