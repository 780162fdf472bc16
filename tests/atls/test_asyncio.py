"""``atls.asyncio`` over real loopback sockets, on both crypto backends.

Every test runs its coroutine under ``asyncio.wait_for`` so a hang fails instead of
blocking the run.  Certificates are minted by ``cryptography`` (tests/ratscore/x509/pki.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from atls import (
    AlertDescription,
    CipherSuite,
    ClientAuthentication,
    TLSConnection,
    UnknownCA,
)
from atls.asyncio import PeerAlert, TLSStreamReader, TLSStreamWriter, open_connection, start_server
from ratscore.crypto.types import CryptoProvider
from ratscore.errors import LocalProtocolError

from .connection_helpers import HOSTNAME, client_config, credentials, mutual_server_config, server_config

TIMEOUT = 30.0
Handler = Callable[[TLSStreamReader, TLSStreamWriter], Awaitable[None]]


def run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coroutine, TIMEOUT))


@contextlib.asynccontextmanager
async def serving(handler: Handler, config: Any) -> AsyncIterator[int]:
    server = await start_server(handler, "127.0.0.1", 0, config)
    try:
        port: int = server.sockets[0].getsockname()[1]
        yield port
    finally:
        server.close()
        await server.wait_closed()


async def echo_lines(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
    while line := await reader.readline():
        writer.write(line.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()


def test_echo_round_trip(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")

    async def scenario() -> None:
        async with serving(echo_lines, server_config(crypto, creds)) as port:
            reader, writer = await open_connection(
                "127.0.0.1", port, client_config(crypto, creds.anchors), server_hostname=HOSTNAME
            )
            connection = writer.get_extra_info("tls")
            assert isinstance(connection, TLSConnection)
            assert connection.handshake_complete  # open_connection returns after the handshake
            assert connection.cipher_suite is CipherSuite.TLS_AES_128_GCM_SHA256  # RFC 8446 §9.1 first offer
            assert connection.server_name == HOSTNAME
            assert writer.get_extra_info("peername")[0] == "127.0.0.1"
            writer.write(b"hello\n")
            writer.writelines([b"two ", b"parts\n"])
            await writer.drain()
            assert await reader.readline() == b"HELLO\n"
            assert await reader.readexactly(10) == b"TWO PARTS\n"
            writer.write_eof()  # close_notify; the server's readline then sees end of stream
            assert await reader.read() == b""  # the server closed with close_notify
            assert reader.at_eof()
            writer.close()
            await writer.wait_closed()
            assert writer.is_closing()

    run(scenario())


def test_exporter_and_parameters_agree(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "ed25519")
    seen: asyncio.Queue[TLSConnection] = asyncio.Queue()

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        await seen.put(writer.get_extra_info("tls"))
        await reader.read()
        writer.close()

    async def scenario() -> None:
        config = client_config(crypto, creds.anchors, cipher_suites=(CipherSuite.TLS_CHACHA20_POLY1305_SHA256,))
        async with serving(handler, server_config(crypto, creds)) as port:
            _, writer = await open_connection("127.0.0.1", port, config, server_hostname=HOSTNAME)
            server_side = await seen.get()
            client_side: TLSConnection = writer.get_extra_info("tls")
            assert client_side.cipher_suite is server_side.cipher_suite is CipherSuite.TLS_CHACHA20_POLY1305_SHA256
            assert client_side.exporter(b"EXPORTER-test", b"", 32) == server_side.exporter(b"EXPORTER-test", b"", 32)
            assert client_side.peer_certificate_chain == creds.chain
            writer.close()
            await writer.wait_closed()

    run(scenario())


def test_half_close_then_reply(crypto: CryptoProvider) -> None:
    """RFC 8446 §6.1: after our close_notify the peer may still send; we still receive."""
    creds = credentials(crypto, "p256")

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        request = await reader.read()  # until the client's close_notify
        writer.write(b"got %d bytes" % len(request))
        writer.close()

    async def scenario() -> None:
        async with serving(handler, server_config(crypto, creds)) as port:
            reader, writer = await open_connection(
                "127.0.0.1", port, client_config(crypto, creds.anchors), server_hostname=HOSTNAME
            )
            writer.write(b"x" * 1000)
            writer.write_eof()
            with pytest.raises(LocalProtocolError):
                writer.write(b"after close_notify")
            assert await reader.read() == b"got 1000 bytes"
            writer.close()

    run(scenario())


def test_key_update_both_ways_and_bulk_data(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    size = 64 * 1024 if crypto.__class__.__name__.startswith("Pure") else 1024 * 1024

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        data = await reader.readexactly(size)
        writer.key_update(request_peer_update=True)  # RFC 8446 §4.6.3
        writer.write(data[::-1])
        await writer.drain()
        await reader.read()
        writer.close()

    async def scenario() -> None:
        payload = bytes(range(256)) * (size // 256)
        async with serving(handler, server_config(crypto, creds)) as port:
            reader, writer = await open_connection(
                "127.0.0.1", port, client_config(crypto, creds.anchors), server_hostname=HOSTNAME
            )
            writer.key_update(request_peer_update=False)
            writer.write(payload)
            await writer.drain()
            assert await reader.readexactly(size) == payload[::-1]
            writer.close()
            await writer.wait_closed()

    run(scenario())


def test_untrusted_server_raises_the_alert(crypto: CryptoProvider) -> None:
    """Our client rejects a chain to an unknown root with unknown_ca (RFC 8446 §6.2)."""
    creds = credentials(crypto, "p256")
    other = credentials(crypto, "p256", label="other-root")
    called: list[bool] = []

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        called.append(True)
        writer.close()

    async def scenario() -> None:
        async with serving(handler, server_config(crypto, creds)) as port:
            with pytest.raises(UnknownCA):
                await open_connection("127.0.0.1", port, client_config(crypto, other.anchors), server_hostname=HOSTNAME)
            await asyncio.sleep(0.05)
        assert called == []

    run(scenario())


def test_missing_client_certificate_is_a_peer_alert(crypto: CryptoProvider) -> None:
    """RFC 8446 §4.4.2.4: a server requiring a certificate answers an empty one with
    certificate_required; our client has finished its handshake by then, so the read fails."""
    creds = credentials(crypto, "p256")
    client_creds = credentials(crypto, "p256", client=True)

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        writer.close()

    async def scenario() -> None:
        config = mutual_server_config(crypto, creds, client_creds.anchors, ClientAuthentication.REQUIRE)
        async with serving(handler, config) as port:
            reader, writer = await open_connection(
                "127.0.0.1", port, client_config(crypto, creds.anchors), server_hostname=HOSTNAME
            )
            with pytest.raises(PeerAlert) as caught:
                await reader.read()
            assert caught.value.description == AlertDescription.CERTIFICATE_REQUIRED
            writer.close()

    run(scenario())


def test_mutual_tls(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client_creds = credentials(crypto, "ed25519", client=True)

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        connection: TLSConnection = writer.get_extra_info("tls")
        writer.write(b"client leaf %d bytes\n" % len(connection.peer_certificate_chain[0]))
        await writer.drain()
        writer.close()

    async def scenario() -> None:
        config = mutual_server_config(crypto, creds, client_creds.anchors)
        async with serving(handler, config) as port:
            reader, writer = await open_connection(
                "127.0.0.1",
                port,
                client_config(
                    crypto, creds.anchors, certificate_chain=client_creds.chain, private_key=client_creds.signer
                ),
                server_hostname=HOSTNAME,
            )
            assert await reader.readline() == b"client leaf %d bytes\n" % len(client_creds.chain[0])
            writer.close()

    run(scenario())


def test_truncation_without_close_notify_is_an_error(crypto: CryptoProvider) -> None:
    """RFC 8446 §6.1: a TCP close without close_notify is not a clean end of stream."""
    creds = credentials(crypto, "p256")

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        writer.write(b"partial")
        await writer.drain()
        writer.transport.close()  # no close_notify

    async def scenario() -> None:
        async with serving(handler, server_config(crypto, creds)) as port:
            reader, writer = await open_connection(
                "127.0.0.1", port, client_config(crypto, creds.anchors), server_hostname=HOSTNAME
            )
            assert await reader.readexactly(7) == b"partial"
            with pytest.raises(ConnectionResetError):
                await reader.read()
            writer.close()

    run(scenario())


def test_failing_handler_does_not_stop_the_server(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    calls: list[int] = []
    reported: list[dict[str, Any]] = []

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("handler bug")
        writer.write(b"second\n")
        writer.close()

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: reported.append(context))
        async with serving(handler, server_config(crypto, creds)) as port:
            config = client_config(crypto, creds.anchors)
            first_reader, first_writer = await open_connection("127.0.0.1", port, config, server_hostname=HOSTNAME)
            with pytest.raises(ConnectionResetError):
                await first_reader.read()  # aborted: no close_notify
            first_writer.close()
            second_reader, second_writer = await open_connection("127.0.0.1", port, config, server_hostname=HOSTNAME)
            assert await second_reader.readline() == b"second\n"
            second_writer.close()
        assert [type(context["exception"]) for context in reported] == [RuntimeError]

    run(scenario())


def test_server_name_defaults_to_host(crypto: CryptoProvider) -> None:
    """Without server_hostname the name checked is ``host`` (as asyncio does); the test
    certificate names server.example, not 127.0.0.1, so the check must fail."""
    creds = credentials(crypto, "p256")

    async def handler(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        writer.close()

    async def scenario() -> None:
        async with serving(handler, server_config(crypto, creds)) as port:
            with pytest.raises(Exception) as caught:
                await open_connection("127.0.0.1", port, client_config(crypto, creds.anchors, server_name=None))
            assert getattr(caught.value, "description", None) == AlertDescription.BAD_CERTIFICATE

    run(scenario())
