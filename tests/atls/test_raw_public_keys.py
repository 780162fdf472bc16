"""RFC 7250 raw public keys in TLS 1.3: negotiation, the SPKI certificate entry, pinning, mTLS.

The expected SubjectPublicKeyInfo bytes come from the ``cryptography`` package (an outside
encoder), never from our own ``public_key_to_spki``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

pytest.importorskip("cryptography", reason="keys and SPKIs come from the cryptography package")

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from atls.alerts import UnknownCA, UnsupportedCertificate
from atls.config import ClientAuthentication, TLSConfig, VerifyMode
from atls.connection import ClientConnection, ServerConnection
from atls.enums import CertificateType, SignatureScheme
from atls.events import HandshakeCompleted
from ratscore.crypto import CryptoProvider, KeyType, Signer
from ratscore.errors import LocalProtocolError
from ratscore.x509 import PinnedKeyVerifier

from .connection_helpers import NOW, client_config, credentials, handshake, server_config

RPK = CertificateType.RAW_PUBLIC_KEY
X509 = CertificateType.X509


def _p256(crypto: CryptoProvider) -> tuple[Signer, bytes]:
    """A fresh P-256 key as our Signer and its SPKI as encoded by cryptography."""
    key = ec.generate_private_key(ec.SECP256R1())
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    return crypto.load_private_key(KeyType.P256, raw), spki


def _ed25519(crypto: CryptoProvider) -> tuple[Signer, bytes]:
    key = ed25519.Ed25519PrivateKey.generate()
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return crypto.load_private_key(KeyType.ED25519, raw), spki


def _rpk_server(crypto: CryptoProvider, signer: Signer, **changes: Any) -> TLSConfig:
    config = TLSConfig(
        private_key=signer, certificate_types=(RPK,), verify_mode=VerifyMode.NONE, crypto=crypto, now=lambda: NOW
    )
    return dataclasses.replace(config, **changes)


def _rpk_client(crypto: CryptoProvider, pins: tuple[bytes, ...], **changes: Any) -> TLSConfig:
    config = TLSConfig(
        peer_certificate_types=(RPK,),
        pinned_keys=PinnedKeyVerifier(spkis=pins),
        verify_mode=VerifyMode.PINNED,
        server_name="server.example",
        crypto=crypto,
        now=lambda: NOW,
    )
    return dataclasses.replace(config, **changes)


def _extension_types(record: bytes) -> set[int]:
    """Extension types of a ClientHello record, walked by hand (RFC 8446 §4.1.2 layout)."""
    position = 5 + 4 + 2 + 32  # record header, handshake header, legacy_version, random
    position += 1 + record[position]  # legacy_session_id
    position += 2 + int.from_bytes(record[position : position + 2], "big")  # cipher_suites
    position += 1 + record[position]  # legacy_compression_methods
    end = position + 2 + int.from_bytes(record[position : position + 2], "big")
    position += 2
    types = set()
    while position < end:
        types.add(int.from_bytes(record[position : position + 2], "big"))
        position += 4 + int.from_bytes(record[position + 2 : position + 4], "big")
    assert position == end == len(record)
    return types


def _completed(events: list[Any]) -> HandshakeCompleted:
    (completed,) = [event for event in events if isinstance(event, HandshakeCompleted)]
    return completed


@pytest.mark.parametrize("make_key", [_p256, _ed25519], ids=["p256", "ed25519"])
def test_server_raw_public_key(crypto: CryptoProvider, make_key: Any) -> None:
    signer, spki = make_key(crypto)
    client, server, client_events, server_events = handshake(_rpk_client(crypto, (spki,)), _rpk_server(crypto, signer))
    assert client.peer_certificate_type is RPK and server.certificate_type is RPK
    # RFC 7250 §3: the certificate entry is the SubjectPublicKeyInfo itself.
    assert client.peer_certificate_chain == (spki,)
    assert client.peer_certificates == ()
    assert _completed(client_events).peer_certificate_chain == (spki,)
    assert _completed(server_events).hello_retry_request is False
    assert client.exporter(b"rpk") == server.exporter(b"rpk")


def test_unpinned_raw_public_key_is_unknown_ca(crypto: CryptoProvider) -> None:
    signer, _ = _p256(crypto)
    _, other_spki = _p256(crypto)
    with pytest.raises(UnknownCA):
        handshake(_rpk_client(crypto, (other_spki,)), _rpk_server(crypto, signer))


def test_server_follows_its_own_preference(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    spki = creds.issued.leaf.x509.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    both = dict(peer_certificate_types=(X509, RPK), verify_mode=VerifyMode.CERTIFICATE, trust_anchors=creds.anchors)
    client_cfg = _rpk_client(crypto, (spki,), **both)
    # A server preferring X.509 presents its chain; one preferring raw keys presents the SPKI.
    client, _, _, _ = handshake(client_cfg, server_config(crypto, creds, certificate_types=(X509, RPK)))
    assert client.peer_certificate_type is X509 and client.peer_certificate_chain == creds.chain
    client, _, _, _ = handshake(
        dataclasses.replace(client_cfg, verify_mode=VerifyMode.PINNED),
        server_config(crypto, creds, certificate_types=(RPK, X509)),
    )
    assert client.peer_certificate_type is RPK and client.peer_certificate_chain == (spki,)


def test_x509_only_server_and_rpk_only_client_fail(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    _, spki = _p256(crypto)
    # The server ignores server_certificate_type (no RPK configured) -> X.509 by RFC 7250 §4.2.
    with pytest.raises(UnsupportedCertificate):
        handshake(_rpk_client(crypto, (spki,)), server_config(crypto, creds))


def test_rpk_only_server_and_x509_client_fail(crypto: CryptoProvider) -> None:
    signer, _ = _p256(crypto)
    creds = credentials(crypto, "p256")
    server = ServerConnection(_rpk_server(crypto, signer))
    client = ClientConnection(client_config(crypto, creds.anchors))
    with pytest.raises(UnsupportedCertificate):
        server.receive_data(client.data_to_send())


def test_x509_client_and_server_send_no_certificate_type_extensions(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    hello = client.data_to_send()
    # RFC 7250 §4.1: extension types 19 (client_certificate_type) and 20 (server_certificate_type).
    assert not {19, 20} & _extension_types(hello)
    rpk_hello = ClientConnection(_rpk_client(crypto, (b"pin",), private_key=creds.signer, certificate_types=(RPK,)))
    assert {19, 20} <= _extension_types(rpk_hello.data_to_send())
    server = ServerConnection(server_config(crypto, creds))
    server.receive_data(hello)
    client.receive_data(server.data_to_send())
    assert client.peer_certificate_type is X509


@pytest.mark.parametrize("server_accepts", [(RPK,), (X509, RPK)])
def test_mutual_raw_public_keys(crypto: CryptoProvider, server_accepts: tuple[CertificateType, ...]) -> None:
    server_signer, server_spki = _p256(crypto)
    client_signer, client_spki = _ed25519(crypto)
    server_cfg = _rpk_server(
        crypto,
        server_signer,
        client_authentication=ClientAuthentication.REQUIRE,
        peer_certificate_types=server_accepts,
        pinned_keys=PinnedKeyVerifier(spkis=(client_spki,)),
        verify_mode=VerifyMode.PINNED,
    )
    client_cfg = _rpk_client(crypto, (server_spki,), private_key=client_signer, certificate_types=(RPK,))
    client, server, client_events, server_events = handshake(client_cfg, server_cfg)
    assert server.peer_certificate_type is RPK and client.certificate_type is RPK
    assert server.peer_certificate_chain == (client_spki,)
    assert _completed(server_events).peer_signature_scheme is SignatureScheme.ED25519
    assert _completed(client_events).signature_scheme is SignatureScheme.ED25519
    assert client.exporter(b"m") == server.exporter(b"m")


def test_mutual_client_key_not_pinned(crypto: CryptoProvider) -> None:
    server_signer, server_spki = _p256(crypto)
    client_signer, _ = _p256(crypto)
    _, other = _p256(crypto)
    server_cfg = _rpk_server(
        crypto,
        server_signer,
        client_authentication=ClientAuthentication.REQUIRE,
        peer_certificate_types=(RPK,),
        pinned_keys=PinnedKeyVerifier(spkis=(other,)),
        verify_mode=VerifyMode.PINNED,
    )
    client_cfg = _rpk_client(crypto, (server_spki,), private_key=client_signer, certificate_types=(RPK,))
    with pytest.raises(UnknownCA):
        handshake(client_cfg, server_cfg)


def test_mutual_server_wants_x509_client_has_only_a_raw_key(crypto: CryptoProvider) -> None:
    server_signer, server_spki = _p256(crypto)
    client_signer, _ = _p256(crypto)
    creds = credentials(crypto, "p256", client=True)
    server_cfg = _rpk_server(
        crypto,
        server_signer,
        client_authentication=ClientAuthentication.REQUIRE,
        verify_mode=VerifyMode.CERTIFICATE,
        trust_anchors=creds.anchors,
    )
    client_cfg = _rpk_client(crypto, (server_spki,), private_key=client_signer, certificate_types=(RPK,))
    # RFC 7250 §4.2: no client certificate type in common -> unsupported_certificate.
    with pytest.raises(UnsupportedCertificate):
        handshake(client_cfg, server_cfg)


def test_configuration_checks() -> None:
    with pytest.raises(LocalProtocolError):
        TLSConfig(peer_certificate_types=(RPK,))  # accepting raw keys needs pins
    with pytest.raises(LocalProtocolError):
        TLSConfig(certificate_types=())
    signer_free = TLSConfig(certificate_types=(RPK,))
    assert signer_free.private_key is None
