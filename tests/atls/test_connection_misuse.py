"""API misuse raises LocalProtocolError: actions before the handshake, any call after ERROR,
and configurations that cannot work."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from atls import alerts
from atls.config import ClientAuthentication, TLSConfig, VerifyMode
from atls.connection import ClientConnection, ServerConnection, TLSConnection
from atls.enums import NamedGroup
from ratscore.crypto.types import CryptoProvider
from ratscore.errors import LocalProtocolError

from .connection_helpers import client_config, credentials, server_config


@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.send_data(b"early"),
        lambda c: c.key_update(),
        lambda c: c.exporter(b"label"),
        lambda c: c.get_exporter(),
    ],
    ids=["send_data", "key_update", "exporter", "get_exporter"],
)
def test_actions_before_the_handshake(crypto: CryptoProvider, action: object) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    assert callable(action)
    with pytest.raises(LocalProtocolError):
        action(client)


def _failed(crypto: CryptoProvider) -> TLSConnection:
    server = ServerConnection(server_config(crypto, credentials(crypto, "p256")))
    with pytest.raises(alerts.UnexpectedMessage):
        server.receive_data(bytes([0x99]))
    return server


@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.receive_data(b"\x16"),
        lambda c: c.send_data(b"x"),
        lambda c: c.close(),
        lambda c: c.key_update(True),
        lambda c: c.exporter(b"label"),
    ],
    ids=["receive_data", "send_data", "close", "key_update", "exporter"],
)
def test_every_call_after_error(crypto: CryptoProvider, action: object) -> None:
    server = _failed(crypto)
    assert server.data_to_send() == bytes([21, 3, 3, 0, 2, 2, 10])  # the queued unexpected_message alert
    assert callable(action)
    with pytest.raises(LocalProtocolError):
        action(server)


def test_config_errors(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    other = credentials(crypto, "ed25519")
    with pytest.raises(LocalProtocolError):
        ServerConnection(TLSConfig(crypto=crypto))  # a server needs a certificate
    with pytest.raises(LocalProtocolError):
        ClientConnection(TLSConfig(crypto=crypto))  # VerifyMode.CERTIFICATE without anchors
    with pytest.raises(LocalProtocolError):
        ServerConnection(dataclasses.replace(server_config(crypto, creds), private_key=other.signer))
    with pytest.raises(LocalProtocolError):
        ServerConnection(
            server_config(
                crypto, creds, client_authentication=ClientAuthentication.REQUIRE, verify_mode=VerifyMode.CERTIFICATE
            )
        )
    with pytest.raises(LocalProtocolError):
        TLSConfig(record_size_limit=63)
    with pytest.raises(LocalProtocolError):
        TLSConfig(verify_mode=VerifyMode.PINNED)
    with pytest.raises(LocalProtocolError):
        TLSConfig(groups=(NamedGroup.FFDHE2048,))
    with pytest.raises(LocalProtocolError):
        TLSConfig(groups=(NamedGroup.X25519,), key_share_groups=(NamedGroup.X448,))
    with pytest.raises(LocalProtocolError):
        TLSConfig(certificate_chain=creds.chain)  # without private_key
    with pytest.raises(LocalProtocolError):
        TLSConfig(alpn_protocols=(b"",))


def test_close_twice_sends_one_close_notify(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    client.data_to_send()
    client.close()
    first = client.data_to_send()
    client.close()
    assert client.data_to_send() == b""
    assert first == bytes([21, 3, 3, 0, 2, 1, 0])  # RFC 8446 §6.1: close_notify, a warning, unprotected here
