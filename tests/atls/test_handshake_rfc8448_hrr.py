"""RFC 8448 §5 (HelloRetryRequest) as a full server engine run, on both backends.

The server is driven by the RFC's ClientHello1 record.  Its ``groups`` hold only
secp256r1 while ClientHello1 carries an X25519 share, so it must answer with a
HelloRetryRequest selecting secp256r1 (RFC 8446 §4.1.4).  The RFC's HRR also carries a
114-byte cookie, which ``TLSConfig.hello_retry_cookie_factory`` returns here after checking
it is handed Hash(ClientHello1) (computed with ``hashlib``, an outside implementation).
The RFC's server random and P-256 key are replayed by ``ScriptedProvider``; the RFC's
RSA-PSS CertificateVerify is randomised, so the signer returns the RFC signature after
checking it is asked to sign the RFC content (64 spaces, context string, 0, transcript
hash; RFC 8446 §4.4.3).  Then every byte the server sends must equal the RFC's: the HRR
record, the ServerHello record and the EncryptedExtensions..Finished record; the RFC's
client Finished and close_notify must be accepted, and the transcript (which starts with
message_hash(Hash(ClientHello1)), RFC 8446 §4.4.1) must match the hashes the RFC prints.
Expected values come only from ``data/rfc8448_vectors.md`` and ``hashlib``.

Not covered: the client side (our ClientHello cannot reproduce the RFC's, which carries
renegotiation_info, psk_key_exchange_modes and padding extensions our client never sends).
"""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from atls.alerts import IllegalParameter, InternalError
from atls.config import TLSConfig, VerifyMode
from atls.connection import ServerConnection
from atls.enums import CipherSuite, HandshakeType, NamedGroup, SignatureScheme
from atls.events import ConnectionClosed, HandshakeCompleted
from ratscore.crypto.scripted import ScriptedProvider
from ratscore.crypto.types import CryptoProvider, EcdsaEncoding, KeyType, PublicKey, SignatureAlgorithm
from ratscore.errors import LocalProtocolError
from ratscore.x509 import load_der_certificate

from .rfc8448 import rfc8448

# RFC 8448 §5 EncryptedExtensions supported_groups: secp256r1, secp384r1, x25519.
RFC_SERVER_GROUPS = (0x0017, 0x0018, 0x001D)
# The cookie extension body printed by the RFC is cookie<1..2^16-1>: a 2-byte length, then the cookie.
_COOKIE_BODY = rfc8448("s5.hello_retry_request.cookie")
RFC_COOKIE = _COOKIE_BODY[2:]
# RFC 8446 §4.4.2: Certificate = type(1) length(3) context<0>(1) list length(3) cert length(3) cert ...
_CERTIFICATE_MESSAGE = rfc8448("s5.server_certificate")
RFC_CERTIFICATE_DER = _CERTIFICATE_MESSAGE[11 : 11 + int.from_bytes(_CERTIFICATE_MESSAGE[8:11], "big")]
# RFC 8446 §4.4.3: the server signs 64 x 0x20 || "TLS 1.3, server CertificateVerify" || 0x00 || hash.
RFC_SIGNED_CONTENT = (
    b"\x20" * 64 + b"TLS 1.3, server CertificateVerify\x00" + rfc8448("s5.selfcomputed.transcript_hash_to_certificate")
)


def test_the_rfc_cookie_is_114_bytes() -> None:
    assert len(RFC_COOKIE) == int.from_bytes(_COOKIE_BODY[:2], "big") == 114


@dataclasses.dataclass
class ReplayedSigner:
    """Returns the RFC's (randomised) RSA-PSS signature for the RFC's signed content only."""

    key: PublicKey
    signed: list[bytes] = dataclasses.field(default_factory=list)

    @property
    def key_type(self) -> KeyType:
        return self.key.key_type

    def public_key(self) -> PublicKey:
        return self.key

    def sign(self, data: bytes, algorithm: SignatureAlgorithm, *, encoding: EcdsaEncoding = EcdsaEncoding.DER) -> bytes:
        self.signed.append(data)
        assert algorithm is SignatureAlgorithm.RSA_PSS_SHA256
        assert data == RFC_SIGNED_CONTENT, "server CertificateVerify content differs from RFC 8448 §5"
        return rfc8448("s5.server_certificate_verify.signature")


@dataclasses.dataclass
class RecordingCookieFactory:
    """Hands out the RFC's cookie and remembers the ClientHello1 hash it was given."""

    cookie: bytes = RFC_COOKIE
    hashes: list[bytes] = dataclasses.field(default_factory=list)

    def __call__(self, first_client_hello_hash: bytes) -> bytes:
        self.hashes.append(first_client_hello_hash)
        return self.cookie


@dataclasses.dataclass
class RfcServer:
    connection: ServerConnection
    signer: ReplayedSigner
    cookies: RecordingCookieFactory
    scripted: ScriptedProvider


def _server(crypto: CryptoProvider, cookies: RecordingCookieFactory | None = None) -> RfcServer:
    scripted = ScriptedProvider(
        crypto,
        private_keys={KeyType.P256: [rfc8448("s5.server_p256_private_key")]},
        random=[rfc8448("s5.server_hello.random")],
    )
    certificate = load_der_certificate(RFC_CERTIFICATE_DER)
    assert certificate.public_key is not None
    signer = ReplayedSigner(key=certificate.public_key)
    cookies = cookies or RecordingCookieFactory()
    config = TLSConfig(
        certificate_chain=(RFC_CERTIFICATE_DER,),
        private_key=signer,
        # ClientHello1 shares X25519 only: a server that takes secp256r1 alone must retry.
        groups=(NamedGroup.SECP256R1,),
        hello_retry_cookie=True,
        hello_retry_cookie_factory=cookies,
        verify_mode=VerifyMode.NONE,
        advertised_groups=RFC_SERVER_GROUPS,
        crypto=scripted,
    )
    return RfcServer(connection=ServerConnection(config), signer=signer, cookies=cookies, scripted=scripted)


def _after_client_hello_2(crypto: CryptoProvider) -> tuple[RfcServer, bytes]:
    server = _server(crypto)
    server.connection.receive_data(rfc8448("s5.record.client_hello_1.complete_record"))
    server.connection.data_to_send()
    server.connection.receive_data(rfc8448("s5.record.client_hello_2.complete_record"))
    return server, server.connection.data_to_send()


# -- the HelloRetryRequest ------------------------------------------------------------------
def test_hello_retry_request_record_is_the_rfc_record(crypto: CryptoProvider) -> None:
    server = _server(crypto)
    assert server.connection.receive_data(rfc8448("s5.record.client_hello_1.complete_record")) == []
    # The RFC's ClientHello1 has an empty legacy_session_id: no CCS follows the HRR (RFC 8446 §D.4).
    assert server.connection.data_to_send() == rfc8448("s5.record.hello_retry_request.complete_record")


def test_cookie_factory_gets_the_hash_of_client_hello_1(crypto: CryptoProvider) -> None:
    server = _server(crypto)
    server.connection.receive_data(rfc8448("s5.record.client_hello_1.complete_record"))
    assert server.cookies.hashes == [hashlib.sha256(rfc8448("s5.client_hello_1")).digest()]
    # The same hash is the body of the message_hash message that replaces ClientHello1 (RFC 8446 §4.4.1).
    assert server.cookies.hashes[0] == rfc8448("s5.selfcomputed.message_hash_of_client_hello_1")[4:]


def test_transcript_after_the_retry_starts_with_message_hash(crypto: CryptoProvider) -> None:
    server = _server(crypto)
    server.connection.receive_data(rfc8448("s5.record.client_hello_1.complete_record"))
    # RFC 8446 §4.4.1: Transcript-Hash(ClientHello1, HRR) = Hash(message_hash || HelloRetryRequest).
    message_hash = b"\xfe\x00\x00\x20" + hashlib.sha256(rfc8448("s5.client_hello_1")).digest()
    assert message_hash == rfc8448("s5.selfcomputed.message_hash_of_client_hello_1")
    expected = hashlib.sha256(message_hash + rfc8448("s5.hello_retry_request")).digest()
    assert server.connection.transcript_hash_through(HandshakeType.SERVER_HELLO) == expected


# -- ClientHello2 and the server flight -----------------------------------------------------
def test_server_hello_record_is_the_rfc_record(crypto: CryptoProvider) -> None:
    _, sent = _after_client_hello_2(crypto)
    server_hello = rfc8448("s5.record.server_hello.complete_record")
    assert sent[: len(server_hello)] == server_hello


def test_server_encrypted_flight_is_the_rfc_record(crypto: CryptoProvider) -> None:
    server, sent = _after_client_hello_2(crypto)
    server_hello = rfc8448("s5.record.server_hello.complete_record")
    assert server.signer.signed == [RFC_SIGNED_CONTENT]
    assert sent[len(server_hello) :] == rfc8448("s5.record.server_encrypted_flight.complete_record")
    assert server.scripted.exhausted  # every scripted key and random value was used, none more


def test_transcript_hash_through_server_hello_is_the_rfc_handshake_context(crypto: CryptoProvider) -> None:
    server, _ = _after_client_hello_2(crypto)
    # RFC 8448 §5 prints Transcript-Hash(message_hash, HRR, ClientHello2, ServerHello) as the
    # context of "c hs traffic".
    assert server.connection.transcript_hash_through(HandshakeType.SERVER_HELLO) == rfc8448(
        "s5.client_handshake_traffic_secret.hash"
    )


def test_transcript_hash_through_certificate(crypto: CryptoProvider) -> None:
    server, _ = _after_client_hello_2(crypto)
    assert server.connection.transcript_hash_through(HandshakeType.CERTIFICATE) == rfc8448(
        "s5.selfcomputed.transcript_hash_to_certificate"
    )


def test_transcript_hash_through_certificate_verify(crypto: CryptoProvider) -> None:
    server, _ = _after_client_hello_2(crypto)
    assert server.connection.transcript_hash_through(HandshakeType.CERTIFICATE_VERIFY) == rfc8448(
        "s5.selfcomputed.transcript_hash_to_certificate_verify"
    )


def test_transcript_hash_through_server_finished(crypto: CryptoProvider) -> None:
    server, _ = _after_client_hello_2(crypto)
    assert server.connection.transcript_hash_through(HandshakeType.FINISHED) == rfc8448(
        "s5.client_application_traffic_secret_0.hash"
    )


def test_rfc_signature_verifies_over_the_requested_content(crypto: CryptoProvider) -> None:
    """The outside check on the signed content: the RFC's own signature verifies over it."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    server, _ = _after_client_hello_2(crypto)
    public = x509.load_der_x509_certificate(RFC_CERTIFICATE_DER).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    public.verify(rfc8448("s5.server_certificate_verify.signature"), server.signer.signed[0], pss, hashes.SHA256())


# -- the client's Finished and close_notify ---------------------------------------------------
def test_rfc_client_finished_completes_the_handshake(crypto: CryptoProvider) -> None:
    server, _ = _after_client_hello_2(crypto)
    events = server.connection.receive_data(rfc8448("s5.record.client_finished.complete_record"))
    assert len(events) == 1 and isinstance(events[0], HandshakeCompleted)
    completed = events[0]
    assert completed.hello_retry_request
    assert completed.cipher_suite is CipherSuite.TLS_AES_128_GCM_SHA256
    assert completed.group is NamedGroup.SECP256R1
    assert completed.signature_scheme is SignatureScheme.RSA_PSS_RSAE_SHA256
    assert completed.server_name == "server"
    # RFC 8448 §5 prints Transcript-Hash(message_hash .. client Finished) as the "res master" context.
    assert server.connection.transcript_hash_through(HandshakeType.FINISHED) == rfc8448(
        "s5.resumption_master_secret.hash"
    )
    assert server.connection.data_to_send() == b""  # no NewSessionTicket


def test_rfc_close_notify_both_ways(crypto: CryptoProvider) -> None:
    server, _ = _after_client_hello_2(crypto)
    server.connection.receive_data(rfc8448("s5.record.client_finished.complete_record"))
    assert server.connection.receive_data(rfc8448("s5.record.client_alert.complete_record")) == [ConnectionClosed()]
    server.connection.close()
    # The server's close_notify is its first application-key record (sequence number 0).
    assert server.connection.data_to_send() == rfc8448("s5.record.server_alert.complete_record")


# -- the cookie check and the new option ------------------------------------------------------
def test_client_hello_2_with_a_different_cookie_is_rejected(crypto: CryptoProvider) -> None:
    server = _server(crypto)
    server.connection.receive_data(rfc8448("s5.record.client_hello_1.complete_record"))
    server.connection.data_to_send()
    record = bytearray(rfc8448("s5.record.client_hello_2.complete_record"))
    position = bytes(record).find(RFC_COOKIE)
    assert position > 0
    record[position + 50] ^= 0x01
    with pytest.raises(IllegalParameter):  # RFC 8446 §4.2.2: ClientHello2 must echo the cookie
        server.connection.receive_data(bytes(record))
    assert server.connection.data_to_send() == bytes.fromhex("1503030002022f")  # fatal illegal_parameter (47)


def test_empty_cookie_from_the_factory_is_an_internal_error(crypto: CryptoProvider) -> None:
    server = _server(crypto, RecordingCookieFactory(cookie=b""))
    with pytest.raises(InternalError):  # RFC 8446 §4.2.2: opaque cookie<1..2^16-1>
        server.connection.receive_data(rfc8448("s5.record.client_hello_1.complete_record"))


def test_cookie_factory_needs_hello_retry_cookie() -> None:
    with pytest.raises(LocalProtocolError):
        TLSConfig(hello_retry_cookie_factory=lambda first_client_hello_hash: b"cookie")


def test_without_a_factory_the_cookie_is_32_random_bytes(crypto: CryptoProvider) -> None:
    cookie = bytes(range(100, 132))
    scripted = ScriptedProvider(crypto, random=[cookie])
    certificate = load_der_certificate(RFC_CERTIFICATE_DER)
    assert certificate.public_key is not None
    config = TLSConfig(
        certificate_chain=(RFC_CERTIFICATE_DER,),
        private_key=ReplayedSigner(key=certificate.public_key),
        groups=(NamedGroup.SECP256R1,),
        hello_retry_cookie=True,
        verify_mode=VerifyMode.NONE,
        crypto=scripted,
    )
    server = ServerConnection(config)
    server.receive_data(rfc8448("s5.record.client_hello_1.complete_record"))
    sent = server.data_to_send()
    # RFC 8446 §4.2.2 cookie extension: type 0x002c, length 34, cookie<1..2^16-1> of 32 bytes.
    assert b"\x00\x2c\x00\x22\x00\x20" + cookie in sent
    assert scripted.exhausted
