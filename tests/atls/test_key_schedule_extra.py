"""Key schedule pieces the RFC 8448 traces do not print: the exporter (vectors copied from
tlslite-ng's tests and the attested-TLS digest), KeyUpdate (RFC 8446 §7.2, checked against a
stdlib HMAC oracle), message_hash, and Transcript misuse."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from atls.enums import CipherSuite
from atls.key_schedule import Exporter, KeySchedule, Transcript, next_traffic_secret, tls_exporter
from atls.messages import encode_message_hash
from ratscore.crypto.types import AeadAlgorithm, CryptoProvider, HashAlgorithm
from ratscore.errors import LocalProtocolError

from .rfc8448 import rfc8448


def test_tlslite_exporter_vectors(crypto: CryptoProvider) -> None:
    # /work/shared/specs/attested_tls.md §1.6 (tlslite-ng unit tests): label "test", empty context, 20 bytes.
    sha256 = tls_exporter(crypto, HashAlgorithm.SHA256, b"0123456789abcdef" * 4, b"test", b"", 20)
    assert sha256 == b"W_h\x10\x83\xc0XD\x0fw\x0e\xfc/\x92\x8f\xb3\xfd\x13\x96\xd9"
    sha384 = tls_exporter(crypto, HashAlgorithm.SHA384, b"0123456789abcdef" * 6, b"test", b"", 20)
    assert sha384 == b";\x96;\x08U*\xbd1\x0fL5^0\xe1*I\x9e\xd3\xcb0"


EA_VECTORS = [
    (
        b"EXPORTER-client authenticator handshake context",
        b"",
        "3ce40ddfb5a8566480bb683fa63f43f1d6d52ab962854a98a3c080d81ed5631f",
    ),
    (
        b"EXPORTER-server authenticator handshake context",
        b"",
        "b5920228102885ce3bbc879252d7c4ae80f47616cdc91456338427e7890941b0",
    ),
    (
        b"EXPORTER-client authenticator finished key",
        b"",
        "34db53a0d817c518dc905f36e253a11271904ea43778358aaeb85d377a4fe0fb",
    ),
    (
        b"EXPORTER-server authenticator finished key",
        b"",
        "d7571ccc1577b04277765da1c875d933be15717b3ecf45d0708431fa077df54d",
    ),
    (b"Attestation", bytes(range(32)), "de6655915cadff0d4fe781e255b3cc28cf8cc5c647de58a1e38a59e40bc4ee39"),
]


@pytest.mark.parametrize(("label", "context", "expected"), EA_VECTORS, ids=[v[0].decode() for v in EA_VECTORS])
def test_exported_authenticator_keys(crypto: CryptoProvider, label: bytes, context: bytes, expected: str) -> None:
    # attested_tls.md §1.6 [DERIVED, cross-checked]: from the RFC 8448 §3 exporter_master_secret.
    exporter = Exporter(crypto, HashAlgorithm.SHA256, rfc8448("s3.exporter_master_secret"))
    assert exporter.export(label, context, 32).hex() == expected


def test_exporter_length_bounds(crypto: CryptoProvider) -> None:
    exporter = Exporter(crypto, HashAlgorithm.SHA256, bytes(32))
    assert len(exporter.export(b"x")) == 32
    with pytest.raises(LocalProtocolError):
        exporter.export(b"x", b"", 0)
    with pytest.raises(LocalProtocolError):
        exporter.export(b"x", b"", 255 * 32 + 1)


def _oracle_expand_label(secret: bytes, label: bytes, length: int) -> bytes:
    """RFC 5869 §2.3 / RFC 8446 §7.1 with stdlib hmac only (the test's independent oracle)."""
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + b"\x00"
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def test_key_update_secret(crypto: CryptoProvider) -> None:
    secret = rfc8448("s3.client_application_traffic_secret_0")
    expected = _oracle_expand_label(secret, b"traffic upd", 32)
    assert next_traffic_secret(crypto, HashAlgorithm.SHA256, secret) == expected
    assert KeySchedule(crypto, CipherSuite.TLS_AES_128_GCM_SHA256).next_traffic_secret(secret) == expected


def test_message_hash_encoding(crypto: CryptoProvider) -> None:
    client_hello_hash = hashlib.sha256(rfc8448("s5.client_hello_1")).digest()
    assert encode_message_hash(client_hello_hash) == rfc8448("s5.selfcomputed.message_hash_of_client_hello_1")
    assert encode_message_hash(client_hello_hash)[:4] == bytes.fromhex("fe000020")  # RFC 8446 §4.4.1


def test_hrr_transcript_points(crypto: CryptoProvider) -> None:
    transcript = Transcript(crypto)
    transcript.update(rfc8448("s5.client_hello_1"))  # buffered: hash not known before the HRR
    transcript.set_hash_algorithm(HashAlgorithm.SHA256)
    transcript.replace_client_hello_with_message_hash()
    for name in ("hello_retry_request", "client_hello_2", "server_hello"):
        transcript.update(rfc8448(f"s5.{name}"))
    assert transcript.digest() == rfc8448("s5.client_handshake_traffic_secret.hash")
    for name in ("encrypted_extensions", "server_certificate"):
        transcript.update(rfc8448(f"s5.{name}"))
    assert transcript.digest() == rfc8448("s5.selfcomputed.transcript_hash_to_certificate")
    transcript.update(rfc8448("s5.server_certificate_verify"))
    assert transcript.digest() == rfc8448("s5.selfcomputed.transcript_hash_to_certificate_verify")


def test_hrr_transcript_without_message_hash_differs(crypto: CryptoProvider) -> None:
    transcript = Transcript(crypto)
    transcript.set_hash_algorithm(HashAlgorithm.SHA256)
    for name in ("client_hello_1", "hello_retry_request", "client_hello_2", "server_hello"):
        transcript.update(rfc8448(f"s5.{name}"))
    assert transcript.digest() != rfc8448("s5.client_handshake_traffic_secret.hash")


def test_transcript_misuse(crypto: CryptoProvider) -> None:
    transcript = Transcript(crypto)
    with pytest.raises(LocalProtocolError):
        transcript.digest()
    transcript.update(b"a")
    transcript.update(b"b")
    transcript.set_hash_algorithm(HashAlgorithm.SHA256)
    assert transcript.digest() == hashlib.sha256(b"ab").digest()
    with pytest.raises(LocalProtocolError):
        transcript.replace_client_hello_with_message_hash()
    with pytest.raises(LocalProtocolError):
        transcript.set_hash_algorithm(HashAlgorithm.SHA384)


def test_key_schedule_order(crypto: CryptoProvider) -> None:
    schedule = KeySchedule(crypto, CipherSuite.TLS_AES_128_GCM_SHA256)
    with pytest.raises(LocalProtocolError):
        schedule.derive_application_secrets(bytes(32))
    schedule.derive_handshake_secrets(bytes(32), bytes(32))
    with pytest.raises(LocalProtocolError):
        schedule.derive_handshake_secrets(bytes(32), bytes(32))


def test_cipher_suite_table() -> None:
    # RFC 8446 §B.4 and §5.3 (iv_length 12); RFC 8439 (ChaCha20 key 32); RFC 6655 (CCM_8: 8-byte tag).
    expected = {
        0x1301: (AeadAlgorithm.AES_128_GCM, HashAlgorithm.SHA256, 16, 12, 16),
        0x1302: (AeadAlgorithm.AES_256_GCM, HashAlgorithm.SHA384, 32, 12, 16),
        0x1303: (AeadAlgorithm.CHACHA20_POLY1305, HashAlgorithm.SHA256, 32, 12, 16),
        0x1304: (AeadAlgorithm.AES_128_CCM, HashAlgorithm.SHA256, 16, 12, 16),
        0x1305: (AeadAlgorithm.AES_128_CCM_8, HashAlgorithm.SHA256, 16, 12, 8),
    }
    for code, row in expected.items():
        suite = CipherSuite(code)
        assert (suite.aead_algorithm, suite.hash_algorithm, suite.key_length, suite.iv_length, suite.tag_length) == row
