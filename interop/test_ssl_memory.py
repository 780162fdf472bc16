"""Interop with Python's ``ssl`` module (OpenSSL) in process, over ``ssl.MemoryBIO``.

Our client against an ``ssl`` server and an ``ssl`` client against our server, TLS 1.3
only, for each of the three suites OpenSSL enables by default, ECDSA and RSA
certificates, mutual TLS, ALPN, KeyUpdate sent by us (OpenSSL answers a requested
update), NewSessionTicket discarded by our client, and close_notify both ways.  Each
case runs on both crypto backends.  ``ssl`` has no exporter API, so exporter equality
is not checked here; ``ssl`` cannot be told to send a KeyUpdate, so only ours are tested.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from atls.config import ClientAuthentication, TLSConfig, VerifyMode
from atls.connection import ClientConnection, ServerConnection, TLSConnection
from atls.enums import CipherSuite, NamedGroup
from atls.events import ConnectionClosed, DataReceived, Event, HandshakeCompleted, KeyUpdated
from ratscore.crypto import CryptoProvider
from tests.atls.connection_helpers import HOSTNAME, NOW, Credentials, credentials

pytestmark = pytest.mark.interop

SUITES = [
    (CipherSuite.TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256"),
    (CipherSuite.TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384"),
    (CipherSuite.TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256"),
]
KINDS = ["p256", "rsa2048"]


def _write_credentials(tmp_path: Path, creds: Credentials, name: str) -> tuple[Path, Path, Path]:
    chain = creds.issued
    chain_file = tmp_path / f"{name}-chain.pem"
    chain_file.write_text(chain.leaf.pem + chain.intermediate.pem)
    key_file = tmp_path / f"{name}-key.pem"
    from cryptography.hazmat.primitives import serialization

    key_file.write_bytes(
        chain.leaf.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    root_file = tmp_path / f"{name}-root.pem"
    root_file.write_text(chain.root.pem)
    return chain_file, key_file, root_file


def _tls13_only(context: ssl.SSLContext) -> ssl.SSLContext:
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    return context


class SslPeer:
    def __init__(self, context: ssl.SSLContext, *, server_side: bool) -> None:
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        hostname = None if server_side else HOSTNAME
        self.obj = context.wrap_bio(self.incoming, self.outgoing, server_side=server_side, server_hostname=hostname)
        self.handshake_done = False

    def step(self) -> None:
        if not self.handshake_done:
            try:
                self.obj.do_handshake()
                self.handshake_done = True
            except ssl.SSLWantReadError:
                pass

    def read_all(self) -> bytes:
        data = bytearray()
        while True:
            try:
                chunk = self.obj.read(65536)
            except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                return bytes(data)
            if not chunk:
                return bytes(data)
            data += chunk


def _pump(ours: TLSConnection, peer: SslPeer, rounds: int = 12) -> list[Event]:
    events: list[Event] = []
    for _ in range(rounds):
        peer.step()
        to_us = peer.outgoing.read()
        if to_us:
            events += ours.receive_data(to_us)
        to_peer = ours.data_to_send()
        if to_peer:
            peer.incoming.write(to_peer)
        if not to_us and not to_peer and peer.handshake_done:
            break
    return events


def _iter_completed(events: list[Event]) -> Iterator[HandshakeCompleted]:
    return (event for event in events if isinstance(event, HandshakeCompleted))


def _ssl_server_context(tmp_path: Path, creds: Credentials) -> ssl.SSLContext:
    chain_file, key_file, _ = _write_credentials(tmp_path, creds, "server")
    context = _tls13_only(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    context.load_cert_chain(chain_file, key_file)
    return context


def _our_client_config(crypto: CryptoProvider, creds: Credentials, **changes: object) -> TLSConfig:
    import dataclasses

    config = TLSConfig(trust_anchors=creds.anchors, server_name=HOSTNAME, crypto=crypto, now=lambda: NOW)
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]  # test-only keyword pass-through


@pytest.mark.parametrize(("suite", "suite_name"), SUITES, ids=[name for _, name in SUITES])
@pytest.mark.parametrize("kind", KINDS)
def test_our_client_against_ssl_server(
    crypto: CryptoProvider, tmp_path: Path, suite: CipherSuite, suite_name: str, kind: str
) -> None:
    creds = credentials(crypto, kind)
    peer = SslPeer(_ssl_server_context(tmp_path, creds), server_side=True)
    client = ClientConnection(_our_client_config(crypto, creds, cipher_suites=(suite,)))
    events = _pump(client, peer)
    (completed,) = _iter_completed(events)
    assert completed.cipher_suite is suite
    assert peer.obj.cipher() is not None and peer.obj.cipher()[0] == suite_name  # type: ignore[index]
    assert peer.obj.version() == "TLSv1.3"
    client.send_data(b"hello ssl")
    _pump(client, peer)
    assert peer.read_all() == b"hello ssl"
    peer.obj.write(b"hello atls")
    events = _pump(client, peer)
    assert [event for event in events if isinstance(event, DataReceived)] == [DataReceived(data=b"hello atls")]


@pytest.mark.parametrize(("suite", "suite_name"), SUITES, ids=[name for _, name in SUITES])
@pytest.mark.parametrize("kind", KINDS)
def test_ssl_client_against_our_server(
    crypto: CryptoProvider, tmp_path: Path, suite: CipherSuite, suite_name: str, kind: str
) -> None:
    creds = credentials(crypto, kind)
    _, _, root_file = _write_credentials(tmp_path, creds, "server")
    context = _tls13_only(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    context.load_verify_locations(cafile=root_file)
    peer = SslPeer(context, server_side=False)
    server = ServerConnection(
        TLSConfig(
            cipher_suites=(suite,),
            certificate_chain=creds.chain,
            private_key=creds.signer,
            verify_mode=VerifyMode.NONE,
            crypto=crypto,
        )
    )
    events = _pump(server, peer)
    (completed,) = _iter_completed(events)
    assert completed.cipher_suite is suite
    assert completed.server_name == HOSTNAME
    assert peer.obj.cipher()[0] == suite_name  # type: ignore[index]
    peer.obj.write(b"from ssl")
    events = _pump(server, peer)
    assert [event for event in events if isinstance(event, DataReceived)] == [DataReceived(data=b"from ssl")]
    server.send_data(b"from atls")
    _pump(server, peer)
    assert peer.read_all() == b"from atls"


@pytest.mark.parametrize("group", [NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.X448, NamedGroup.SECP384R1])
def test_groups_against_ssl_server(crypto: CryptoProvider, tmp_path: Path, group: NamedGroup) -> None:
    creds = credentials(crypto, "p256")
    peer = SslPeer(_ssl_server_context(tmp_path, creds), server_side=True)
    client = ClientConnection(_our_client_config(crypto, creds, groups=(group,)))
    (completed,) = _iter_completed(_pump(client, peer))
    assert completed.group is group


def test_hello_retry_from_ssl_server(crypto: CryptoProvider, tmp_path: Path) -> None:
    """Our client sends only an X448 share; OpenSSL prefers X25519 and asks again (HRR)."""
    creds = credentials(crypto, "p256")
    peer = SslPeer(_ssl_server_context(tmp_path, creds), server_side=True)
    client = ClientConnection(
        _our_client_config(
            crypto, creds, groups=(NamedGroup.X448, NamedGroup.X25519), key_share_groups=(NamedGroup.X448,)
        )
    )
    (completed,) = _iter_completed(_pump(client, peer))
    assert completed.group in (NamedGroup.X448, NamedGroup.X25519)


def test_mutual_tls_our_client(crypto: CryptoProvider, tmp_path: Path) -> None:
    server_creds = credentials(crypto, "p256")
    client_creds = credentials(crypto, "rsa2048", client=True)
    context = _ssl_server_context(tmp_path, server_creds)
    _, _, client_root = _write_credentials(tmp_path, client_creds, "client")
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cafile=client_root)
    peer = SslPeer(context, server_side=True)
    client = ClientConnection(
        _our_client_config(crypto, server_creds, certificate_chain=client_creds.chain, private_key=client_creds.signer)
    )
    _pump(client, peer)
    client.send_data(b"authenticated")
    _pump(client, peer)
    assert peer.read_all() == b"authenticated"
    peer_certificate = peer.obj.getpeercert(binary_form=True)
    assert peer_certificate == client_creds.chain[0]


def test_mutual_tls_ssl_client(crypto: CryptoProvider, tmp_path: Path) -> None:
    server_creds = credentials(crypto, "rsa2048")
    client_creds = credentials(crypto, "p256", client=True)
    _, _, server_root = _write_credentials(tmp_path, server_creds, "server")
    chain_file, key_file, _ = _write_credentials(tmp_path, client_creds, "client")
    context = _tls13_only(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    context.load_verify_locations(cafile=server_root)
    context.load_cert_chain(chain_file, key_file)
    peer = SslPeer(context, server_side=False)
    server = ServerConnection(
        TLSConfig(
            certificate_chain=server_creds.chain,
            private_key=server_creds.signer,
            client_authentication=ClientAuthentication.REQUIRE,
            trust_anchors=client_creds.anchors,
            now=lambda: NOW,
            crypto=crypto,
        )
    )
    events = _pump(server, peer)
    peer.obj.write(b"x")  # OpenSSL sends its Certificate flight with the first write if still pending
    events += _pump(server, peer)
    (completed,) = _iter_completed(events)
    assert completed.peer_certificate_chain[0] == client_creds.chain[0]


def test_alpn_both_ways(crypto: CryptoProvider, tmp_path: Path) -> None:
    creds = credentials(crypto, "p256")
    context = _ssl_server_context(tmp_path, creds)
    context.set_alpn_protocols(["h2", "http/1.1"])
    peer = SslPeer(context, server_side=True)
    client = ClientConnection(_our_client_config(crypto, creds, alpn_protocols=(b"http/1.1", b"h2")))
    (completed,) = _iter_completed(_pump(client, peer))
    assert completed.alpn_protocol == peer.obj.selected_alpn_protocol().encode()  # type: ignore[union-attr]

    _, _, root_file = _write_credentials(tmp_path, creds, "server2")
    client_context = _tls13_only(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    client_context.load_verify_locations(cafile=root_file)
    client_context.set_alpn_protocols(["http/1.1", "h2"])
    ssl_client = SslPeer(client_context, server_side=False)
    server = ServerConnection(
        TLSConfig(
            certificate_chain=creds.chain,
            private_key=creds.signer,
            verify_mode=VerifyMode.NONE,
            alpn_protocols=(b"h2",),
            crypto=crypto,
        )
    )
    (completed,) = _iter_completed(_pump(server, ssl_client))
    assert completed.alpn_protocol == b"h2"
    assert ssl_client.obj.selected_alpn_protocol() == "h2"


def test_key_update_and_close_with_ssl_server(crypto: CryptoProvider, tmp_path: Path) -> None:
    creds = credentials(crypto, "p256")
    peer = SslPeer(_ssl_server_context(tmp_path, creds), server_side=True)
    client = ClientConnection(_our_client_config(crypto, creds))
    _pump(client, peer)
    client.key_update(request_peer_update=True)
    client.send_data(b"after update")
    _pump(client, peer)
    assert peer.read_all() == b"after update"
    peer.obj.write(b"reply")  # OpenSSL sends its own KeyUpdate before this record (RFC 8446 §4.6.3)
    events = _pump(client, peer)
    assert events == [KeyUpdated(update_requested=False), DataReceived(data=b"reply")]
    client.close()
    _pump(client, peer)
    assert peer.obj.read(10) == b""  # OpenSSL saw our close_notify (end of stream)
    peer.obj.unwrap()  # OpenSSL answers with its own close_notify
    assert _pump(client, peer) == [ConnectionClosed()]
