"""RFC 8448 §3 (simple 1-RTT) as a full server engine run, on both backends.

The server is driven by the RFC's ClientHello record, with the RFC's server random and
X25519 key replayed by ``ScriptedProvider``.  The RFC's RSA-PSS CertificateVerify is
randomised, so the server's signer replays the RFC's signature bytes after checking that
it is asked to sign exactly the RFC content (64 spaces, context string, transcript hash).
With that, every byte the server sends must equal the RFC's: ServerHello record and the
encrypted EncryptedExtensions..Finished record.  The RFC's client Finished, application
data and close_notify records must then be accepted.  Expected values come only from
``data/rfc8448_vectors.md``.
"""

from __future__ import annotations

import dataclasses

from atls.config import TLSConfig, VerifyMode
from atls.connection import ServerConnection
from atls.enums import CipherSuite, HandshakeType, NamedGroup, SignatureScheme
from atls.events import ConnectionClosed, DataReceived, HandshakeCompleted
from ratscore.crypto.scripted import ScriptedProvider
from ratscore.crypto.types import CryptoProvider, EcdsaEncoding, KeyType, PublicKey, SignatureAlgorithm
from ratscore.x509 import load_der_certificate

from .rfc8448 import rfc8448

# RFC 8448 §3: the server's EncryptedExtensions lists these groups (x25519, secp256r1,
# secp384r1, secp521r1, ffdhe2048..8192).
RFC_SERVER_GROUPS = (0x001D, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104)


@dataclasses.dataclass
class ReplayedSigner:
    """A Signer that returns the RFC's (randomised) signature for the RFC's signed content only."""

    key: PublicKey
    expected_content: bytes
    signature: bytes
    calls: int = 0

    @property
    def key_type(self) -> KeyType:
        return self.key.key_type

    def public_key(self) -> PublicKey:
        return self.key

    def sign(self, data: bytes, algorithm: SignatureAlgorithm, *, encoding: EcdsaEncoding = EcdsaEncoding.DER) -> bytes:
        self.calls += 1
        assert algorithm is SignatureAlgorithm.RSA_PSS_SHA256
        assert data == self.expected_content, "server CertificateVerify content differs from RFC 8448 §3"
        return self.signature


def _server(crypto: CryptoProvider) -> tuple[ServerConnection, ReplayedSigner]:
    scripted = ScriptedProvider(
        crypto,
        private_keys={KeyType.X25519: [rfc8448("s3.server_x25519_private_key")]},
        random=[rfc8448("s3.server_hello.random")],
    )
    certificate = load_der_certificate(rfc8448("s3.server_certificate.der"))
    assert certificate.public_key is not None
    signer = ReplayedSigner(
        key=certificate.public_key,
        expected_content=rfc8448("s3.selfcomputed.server_certificate_verify_signed_content"),
        signature=rfc8448("s3.server_certificate_verify.signature"),
    )
    config = TLSConfig(
        certificate_chain=(rfc8448("s3.server_certificate.der"),),
        private_key=signer,
        verify_mode=VerifyMode.NONE,
        advertised_groups=RFC_SERVER_GROUPS,
        crypto=scripted,
    )
    return ServerConnection(config), signer


def test_server_hello_record_is_the_rfc_record(crypto: CryptoProvider) -> None:
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s3.record.client_hello.complete_record"))
    sent = server.data_to_send()
    server_hello = rfc8448("s3.record.server_hello.complete_record")
    assert sent[: len(server_hello)] == server_hello


def test_server_encrypted_flight_is_the_rfc_record(crypto: CryptoProvider) -> None:
    server, signer = _server(crypto)
    server.receive_data(rfc8448("s3.record.client_hello.complete_record"))
    sent = server.data_to_send()
    server_hello = rfc8448("s3.record.server_hello.complete_record")
    assert signer.calls == 1
    assert sent[len(server_hello) :] == rfc8448("s3.record.server_encrypted_flight.complete_record")


def test_transcript_hashes_follow_the_rfc(crypto: CryptoProvider) -> None:
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s3.record.client_hello.complete_record"))
    assert server.transcript_hash_through(HandshakeType.SERVER_HELLO) == rfc8448(
        "s3.client_handshake_traffic_secret.hash"
    )
    assert server.transcript_hash_through(HandshakeType.CERTIFICATE) == rfc8448(
        "s3.selfcomputed.transcript_hash_ch_to_certificate"
    )
    assert server.transcript_hash_through(HandshakeType.CERTIFICATE_VERIFY) == rfc8448(
        "s3.selfcomputed.transcript_hash_ch_to_certificate_verify"
    )
    assert server.transcript_hash_through(HandshakeType.FINISHED) == rfc8448(
        "s3.client_application_traffic_secret_0.hash"
    )


def test_rfc_client_finished_completes_the_handshake(crypto: CryptoProvider) -> None:
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s3.record.client_hello.complete_record"))
    server.data_to_send()
    events = server.receive_data(rfc8448("s3.record.client_finished.complete_record"))
    assert len(events) == 1 and isinstance(events[0], HandshakeCompleted)
    completed = events[0]
    assert completed.cipher_suite is CipherSuite.TLS_AES_128_GCM_SHA256
    assert completed.group is NamedGroup.X25519
    assert completed.signature_scheme is SignatureScheme.RSA_PSS_RSAE_SHA256
    assert completed.server_name == "server"
    assert completed.peer_certificate_chain == ()
    # RFC 8448 §3 prints Transcript-Hash(ClientHello..client Finished) as the "res master" context.
    assert server.transcript_hash_through(HandshakeType.FINISHED) == rfc8448("s3.resumption_master_secret.hash")
    # The server never sends NewSessionTicket (no resumption).
    assert server.data_to_send() == b""


def test_exporter_matches_the_rfc_connection(crypto: CryptoProvider) -> None:
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s3.record.client_hello.complete_record"))
    server.receive_data(rfc8448("s3.record.client_finished.complete_record"))
    expected = rfc8448("s3.selfcomputed.tls_exporter_exporter_test_empty_context_32")
    assert server.exporter(b"EXPORTER-Test", b"", 32) == expected


def test_rfc_application_data_and_close_notify(crypto: CryptoProvider) -> None:
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s3.record.client_hello.complete_record"))
    server.receive_data(rfc8448("s3.record.client_finished.complete_record"))
    events = server.receive_data(rfc8448("s3.record.client_application_data.complete_record"))
    assert events == [DataReceived(data=rfc8448("s3.record.client_application_data.payload"))]
    assert server.receive_data(rfc8448("s3.record.client_alert.complete_record")) == [ConnectionClosed()]
    assert server.peer_closed


def test_byte_at_a_time_gives_the_same_flight(crypto: CryptoProvider) -> None:
    server, _ = _server(crypto)
    record = rfc8448("s3.record.client_hello.complete_record")
    for index in range(len(record)):
        assert server.receive_data(record[index : index + 1]) == []
    expected = rfc8448("s3.record.server_hello.complete_record") + rfc8448(
        "s3.record.server_encrypted_flight.complete_record"
    )
    assert server.data_to_send() == expected
