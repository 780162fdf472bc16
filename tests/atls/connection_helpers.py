"""Helpers for the connection tests: test PKIs turned into configs, and an in-memory pump.

Import only after ``pytest.importorskip("cryptography")``: the PKI is minted with the
``cryptography`` package (tests/ratscore/x509/pki.py), an outside implementation.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.x509.oid import ExtendedKeyUsageOID

from atls.config import ClientAuthentication, TLSConfig, VerifyMode
from atls.connection import ClientConnection, ServerConnection, TLSConnection
from atls.events import Event
from ratscore.crypto import CryptoProvider, Signer
from ratscore.crypto.encoding import private_key_from_pkcs8
from ratscore.x509 import Certificate
from tests.ratscore.x509 import pki

__all__ = [
    "NOW",
    "Credentials",
    "client_config",
    "credentials",
    "handshake",
    "pump",
    "server_config",
]

NOW = pki.NOW
HOSTNAME = "server.example"


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    chain: tuple[bytes, ...]
    signer: Signer
    anchors: tuple[Certificate, ...]
    issued: pki.Chain


def signer_for(issued: pki.Issued, crypto: CryptoProvider) -> Signer:
    key_type, raw = private_key_from_pkcs8(issued.private_key_pkcs8)
    return crypto.load_private_key(key_type, raw)


@functools.cache
def _mint(leaf_kind: str, ca_kind: str, client: bool, label: str, rsa_pss_leaf: bool) -> pki.Chain:
    purpose = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    hostname = "client.example" if client else HOSTNAME
    chain = pki.make_chain(
        root_kind=ca_kind,
        intermediate_kind=ca_kind,
        leaf_kind=leaf_kind,
        hostname=hostname,
        purpose=purpose,
        label=label + ("-client" if client else ""),
    )
    if rsa_pss_leaf:
        leaf = pki.issue(
            hostname,
            key=pki.make_key(leaf_kind, "leaf" + label),
            issuer=chain.intermediate,
            dns_names=(hostname,),
            extended_key_usage=(purpose,),
            rsa_pss=True,
        )
        chain = pki.Chain(root=chain.root, intermediate=chain.intermediate, leaf=leaf)
    return chain


def credentials(
    crypto: CryptoProvider,
    leaf_kind: str = "p256",
    *,
    ca_kind: str = "p256",
    client: bool = False,
    label: str = "",
    rsa_pss_leaf: bool = False,
) -> Credentials:
    """Root -> intermediate -> leaf (``leaf_kind``), minted once by ``cryptography``."""
    chain = _mint(leaf_kind, ca_kind, client, label, rsa_pss_leaf)
    return Credentials(
        chain=(chain.leaf.der, chain.intermediate.der),
        signer=signer_for(chain.leaf, crypto),
        anchors=(chain.root.certificate,),
        issued=chain,
    )


def server_config(crypto: CryptoProvider, creds: Credentials, **changes: Any) -> TLSConfig:
    config = TLSConfig(
        certificate_chain=creds.chain,
        private_key=creds.signer,
        crypto=crypto,
        now=lambda: NOW,
        verify_mode=VerifyMode.NONE,
    )
    return dataclasses.replace(config, **changes)


def client_config(crypto: CryptoProvider, anchors: tuple[Certificate, ...], **changes: Any) -> TLSConfig:
    config = TLSConfig(trust_anchors=anchors, server_name=HOSTNAME, crypto=crypto, now=lambda: NOW)
    return dataclasses.replace(config, **changes)


def mutual_server_config(
    crypto: CryptoProvider,
    creds: Credentials,
    client_anchors: tuple[Certificate, ...],
    authentication: ClientAuthentication = ClientAuthentication.REQUIRE,
) -> TLSConfig:
    return server_config(
        crypto,
        creds,
        client_authentication=authentication,
        verify_mode=VerifyMode.CERTIFICATE,
        trust_anchors=client_anchors,
    )


def _chunks(data: bytes, sizes: Iterator[int] | None) -> Iterator[bytes]:
    if sizes is None:
        yield data
        return
    position = 0
    while position < len(data):
        size = max(1, next(sizes))
        yield data[position : position + size]
        position += size


def pump(
    client: TLSConnection,
    server: TLSConnection,
    *,
    chunk_sizes: Callable[[], Iterator[int]] | None = None,
    max_rounds: int = 20,
) -> tuple[list[Event], list[Event]]:
    """Move bytes both ways until neither side has anything to send; return (client, server) events."""
    client_events: list[Event] = []
    server_events: list[Event] = []
    for _ in range(max_rounds):
        to_server = client.data_to_send()
        for piece in _chunks(to_server, chunk_sizes() if chunk_sizes else None):
            server_events += server.receive_data(piece)
        to_client = server.data_to_send()
        for piece in _chunks(to_client, chunk_sizes() if chunk_sizes else None):
            client_events += client.receive_data(piece)
        if not to_server and not to_client:
            return client_events, server_events
    raise AssertionError("the connections kept talking")


def handshake(
    client_cfg: TLSConfig, server_cfg: TLSConfig, **pump_options: Any
) -> tuple[ClientConnection, ServerConnection, list[Event], list[Event]]:
    client = ClientConnection(client_cfg)
    server = ServerConnection(server_cfg)
    client_events, server_events = pump(client, server, **pump_options)
    return client, server, client_events, server_events
