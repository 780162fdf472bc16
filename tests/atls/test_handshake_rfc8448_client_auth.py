"""RFC 8448 §6 (client authentication) as a full server engine run, on both backends.

The server is driven by the RFC's ClientHello record, with the RFC's server random and
X25519 key replayed by ``ScriptedProvider``.  §6's server key is not published and its
ECDSA CertificateVerify is randomised, so the server's signer returns the RFC's signature
after checking that it is asked to sign the RFC content; that the RFC signature verifies
over the requested content (with the certificate's key, by the ``cryptography`` package)
proves the content is right.  Then every byte the server sends must equal the RFC's
(ServerHello record; EncryptedExtensions, CertificateRequest, Certificate,
CertificateVerify, Finished record), and the RFC's client flight (RSA-PSS client
Certificate/CertificateVerify/Finished), application data and close_notify must be
accepted.  Expected values come only from ``data/rfc8448_vectors.md``.

Not covered: the client side (our ClientHello cannot reproduce the RFC's, which carries
renegotiation_info and psk_key_exchange_modes extensions our client never sends).
"""

from __future__ import annotations

import dataclasses

import pytest

from atls.config import ClientAuthentication, TLSConfig, VerifyMode
from atls.connection import ServerConnection
from atls.enums import CipherSuite, HandshakeType, NamedGroup, SignatureScheme
from atls.events import ConnectionClosed, HandshakeCompleted
from ratscore.crypto.scripted import ScriptedProvider
from ratscore.crypto.types import CryptoProvider, EcdsaEncoding, KeyType, PublicKey, SignatureAlgorithm
from ratscore.x509 import load_der_certificate

from .rfc8448 import rfc8448

# RFC 8448 §6 EncryptedExtensions supported_groups: x25519, secp256r1/384r1/521r1, ffdhe2048..8192.
RFC_SERVER_GROUPS = (0x001D, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104)
# RFC 8448 §6 CertificateRequest signature_algorithms, in the RFC's order: the list inside the
# RFC's message (header 4, context 1, extensions length 2, type 2, length 2, list length 2).
_REQUEST = rfc8448("s6.certificate_request")
RFC_REQUEST_SCHEMES = tuple(SignatureScheme(int.from_bytes(_REQUEST[i : i + 2], "big")) for i in range(13, 43, 2))


@pytest.fixture(autouse=True)
def allow_rsa_1024(monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 8448's client RSA key is 1024-bit; the providers verify 2048..4096 only by policy."""
    import ratscore.crypto.pure.provider as pure_provider

    monkeypatch.setattr(pure_provider, "RSA_MIN_BITS", 1024)
    try:
        from ratscore.crypto import cryptography_backend
    except ImportError:
        return
    monkeypatch.setattr(cryptography_backend, "RSA_MIN_BITS", 1024)


@dataclasses.dataclass
class ReplayedEcdsaSigner:
    """Returns the RFC's ECDSA signature, after checking it verifies over what we are asked to sign."""

    key: PublicKey
    signature: bytes
    calls: int = 0

    @property
    def key_type(self) -> KeyType:
        return self.key.key_type

    def public_key(self) -> PublicKey:
        return self.key

    def sign(self, data: bytes, algorithm: SignatureAlgorithm, *, encoding: EcdsaEncoding = EcdsaEncoding.DER) -> bytes:
        cryptography = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
        from cryptography.hazmat.primitives import hashes

        self.calls += 1
        assert algorithm is SignatureAlgorithm.ECDSA_SHA256 and encoding is EcdsaEncoding.DER
        public = cryptography.EllipticCurvePublicKey.from_encoded_point(cryptography.SECP256R1(), self.key.data)
        public.verify(self.signature, data, cryptography.ECDSA(hashes.SHA256()))  # raises if the content differs
        return self.signature


def _server(crypto: CryptoProvider) -> tuple[ServerConnection, ReplayedEcdsaSigner]:
    scripted = ScriptedProvider(
        crypto,
        private_keys={KeyType.X25519: [rfc8448("s6.server_x25519_private_key")]},
        random=[rfc8448("s6.server_hello.random")],
    )
    certificate = load_der_certificate(rfc8448("s6.server_certificate.der"))
    assert certificate.public_key is not None
    # CertificateVerify = type(1) length(3) scheme(2) signature<2>: the signature starts at byte 8.
    signer = ReplayedEcdsaSigner(key=certificate.public_key, signature=rfc8448("s6.server_certificate_verify")[8:])
    config = TLSConfig(
        certificate_chain=(rfc8448("s6.server_certificate.der"),),
        private_key=signer,
        signature_schemes=RFC_REQUEST_SCHEMES,
        client_authentication=ClientAuthentication.REQUIRE,
        verify_mode=VerifyMode.NONE,
        advertised_groups=RFC_SERVER_GROUPS,
        crypto=scripted,
    )
    return ServerConnection(config), signer


def test_signed_content_is_the_rfc_transcript(crypto: CryptoProvider) -> None:
    pytest.importorskip("cryptography")
    server, signer = _server(crypto)
    server.receive_data(rfc8448("s6.record.client_hello.complete_record"))
    assert signer.calls == 1
    assert server.transcript_hash_through(HandshakeType.CERTIFICATE) == rfc8448(
        "s6.selfcomputed.transcript_hash_to_server_certificate"
    )


def test_server_hello_record_is_the_rfc_record(crypto: CryptoProvider) -> None:
    pytest.importorskip("cryptography")
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s6.record.client_hello.complete_record"))
    sent = server.data_to_send()
    server_hello = rfc8448("s6.record.server_hello.complete_record")
    assert sent[: len(server_hello)] == server_hello


def test_server_flight_with_certificate_request_is_the_rfc_record(crypto: CryptoProvider) -> None:
    pytest.importorskip("cryptography")
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s6.record.client_hello.complete_record"))
    sent = server.data_to_send()
    server_hello = rfc8448("s6.record.server_hello.complete_record")
    assert sent[len(server_hello) :] == rfc8448("s6.record.server_encrypted_flight.complete_record")


def test_transcript_hashes_follow_the_rfc(crypto: CryptoProvider) -> None:
    pytest.importorskip("cryptography")
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s6.record.client_hello.complete_record"))
    assert server.transcript_hash_through(HandshakeType.SERVER_HELLO) == rfc8448(
        "s6.client_handshake_traffic_secret.hash"
    )
    assert server.transcript_hash_through(HandshakeType.CERTIFICATE_VERIFY) == rfc8448(
        "s6.selfcomputed.transcript_hash_to_server_certificate_verify"
    )
    assert server.transcript_hash_through(HandshakeType.FINISHED) == rfc8448(
        "s6.client_application_traffic_secret_0.hash"
    )


def test_rfc_client_flight_authenticates_the_client(crypto: CryptoProvider) -> None:
    pytest.importorskip("cryptography")
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s6.record.client_hello.complete_record"))
    server.data_to_send()
    events = server.receive_data(rfc8448("s6.record.client_encrypted_flight.complete_record"))
    assert len(events) == 1 and isinstance(events[0], HandshakeCompleted)
    completed = events[0]
    assert completed.cipher_suite is CipherSuite.TLS_AES_128_GCM_SHA256
    assert completed.group is NamedGroup.X25519
    assert completed.signature_scheme is SignatureScheme.ECDSA_SECP256R1_SHA256
    assert completed.peer_signature_scheme is SignatureScheme.RSA_PSS_RSAE_SHA256
    assert completed.peer_certificate_chain == (rfc8448("s6.client_certificate.der"),)
    assert server.transcript_hash_through(HandshakeType.CERTIFICATE) == rfc8448(
        "s6.selfcomputed.transcript_hash_to_client_certificate"
    )
    assert server.transcript_hash_through(HandshakeType.CERTIFICATE_VERIFY) == rfc8448(
        "s6.selfcomputed.transcript_hash_to_client_certificate_verify"
    )
    assert server.data_to_send() == b""  # no NewSessionTicket


def test_rfc_close_notify(crypto: CryptoProvider) -> None:
    pytest.importorskip("cryptography")
    server, _ = _server(crypto)
    server.receive_data(rfc8448("s6.record.client_hello.complete_record"))
    server.data_to_send()
    server.receive_data(rfc8448("s6.record.client_encrypted_flight.complete_record"))
    # RFC 8448 §6 has no application data: the client's close_notify is its first application record.
    assert server.receive_data(rfc8448("s6.record.client_alert.complete_record")) == [ConnectionClosed()]
    assert server.peer_closed
    server.close()
    assert server.data_to_send() == rfc8448("s6.record.server_alert.complete_record")


def test_tampered_client_certificate_verify_is_rejected(crypto: CryptoProvider) -> None:
    pytest.importorskip("cryptography")
    from atls.alerts import BadRecordMac

    server, _ = _server(crypto)
    server.receive_data(rfc8448("s6.record.client_hello.complete_record"))
    record = bytearray(rfc8448("s6.record.client_encrypted_flight.complete_record"))
    record[300] ^= 0x01
    with pytest.raises(BadRecordMac):
        server.receive_data(bytes(record))
