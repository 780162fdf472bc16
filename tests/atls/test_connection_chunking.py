"""Split invariance: however the byte streams are chunked, the handshake comes out the same.

Both ends replay fixed randoms and X25519 keys (``ScriptedProvider``) and sign with Ed25519
(deterministic, RFC 8032), so a whole connection is a deterministic function of its
inputs: the exporter value of every chunked run must equal the unchunked run's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atls.connection import ClientConnection, ServerConnection
from atls.events import DataReceived, HandshakeCompleted
from ratscore.crypto import get_provider
from ratscore.crypto.scripted import ScriptedProvider
from ratscore.crypto.types import CryptoProvider, KeyType

from .connection_helpers import client_config, credentials, pump, server_config

CLIENT_X25519 = bytes(range(1, 33))
SERVER_X25519 = bytes(range(101, 133))


def _run(crypto: CryptoProvider, sizes: list[int] | None) -> tuple[bytes, Sequence[object], Sequence[object]]:
    creds = credentials(crypto, "ed25519")
    client_crypto = ScriptedProvider(
        crypto, private_keys={KeyType.X25519: [CLIENT_X25519]}, random=[b"\x11" * 32, b"\x22" * 32]
    )
    server_crypto = ScriptedProvider(crypto, private_keys={KeyType.X25519: [SERVER_X25519]}, random=[b"\x33" * 32])
    client = ClientConnection(client_config(client_crypto, creds.anchors, alpn_protocols=(b"h2",)))
    server = ServerConnection(server_config(server_crypto, creds, alpn_protocols=(b"h2",)))

    def chunk_sizes() -> Iterator[int]:
        return itertools.cycle(sizes) if sizes else iter(())

    client_events, server_events = pump(client, server, chunk_sizes=chunk_sizes if sizes else None)
    client.send_data(b"x" * 1000)
    _more_client, more_server = pump(client, server, chunk_sizes=chunk_sizes if sizes else None)
    server_data = b"".join(event.data for event in more_server if isinstance(event, DataReceived))
    assert server_data == b"x" * 1000
    return client.exporter(b"EXPORTER-chunking", b"", 32), client_events, server_events


@pytest.fixture(scope="module")
def reference() -> tuple[bytes, Sequence[object], Sequence[object]]:
    return _run(get_provider("cryptography"), None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=6))
def test_chunking_does_not_change_the_handshake(
    reference: tuple[bytes, Sequence[object], Sequence[object]], sizes: list[int]
) -> None:
    exported, client_events, server_events = _run(get_provider("cryptography"), sizes)
    assert exported == reference[0]
    assert [event for event in client_events if isinstance(event, HandshakeCompleted)] == [
        event for event in reference[1] if isinstance(event, HandshakeCompleted)
    ]
    assert [event for event in server_events if isinstance(event, HandshakeCompleted)] == [
        event for event in reference[2] if isinstance(event, HandshakeCompleted)
    ]


def test_byte_at_a_time_on_both_backends(
    crypto: CryptoProvider, reference: tuple[bytes, Sequence[object], Sequence[object]]
) -> None:
    exported, _, _ = _run(crypto, [1])
    assert exported == reference[0]
