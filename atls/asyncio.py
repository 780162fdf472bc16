"""asyncio streams over the sans-I/O TLS 1.3 engine.

Theory of operation: one ``asyncio.Protocol`` per TCP connection owns a
``TLSConnection``.  Bytes from the socket go into ``receive_data``; whatever the
engine queues (handshake flights, KeyUpdate answers, alerts) is written back at once;
the events become futures and buffers:

* ``HandshakeCompleted`` resolves the handshake future (``open_connection`` returns,
  ``start_server`` starts the handler);
* ``DataReceived`` feeds a ``TLSStreamReader`` (an ``asyncio.StreamReader``, so
  ``read``/``readexactly``/``readline``/``at_eof`` and its flow control come for free);
* ``ConnectionClosed`` (the peer's close_notify, RFC 8446 §6.1) is end of stream;
* ``AlertReceived`` (a fatal alert from the peer) and a ``TLSAlert`` raised by the
  engine (the peer broke the protocol; the engine already queued our alert) fail
  the handshake future and the reader.

``TLSStreamWriter`` mirrors ``asyncio.StreamWriter``: ``write`` encrypts through the
engine, ``drain`` waits on the transport's flow control, ``write_eof`` sends
close_notify and keeps reading (TLS 1.3 half-close, RFC 8446 §6.1), ``close`` sends
close_notify and closes the socket.  ``get_extra_info("tls")`` is the connection
(negotiated parameters, ``exporter``, ``key_update``).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from atls import (
    AlertDescription,
    AlertReceived,
    ClientConnection,
    ConnectionClosed,
    DataReceived,
    Event,
    HandshakeCompleted,
    ServerConnection,
    TLSAlert,
    TLSConfig,
    TLSConnection,
)

__all__ = [
    "PeerAlert",
    "TLSStreamReader",
    "TLSStreamWriter",
    "open_connection",
    "start_server",
]

DEFAULT_HANDSHAKE_TIMEOUT = 60.0  # seconds a server waits for a client to finish its handshake
_READ_LIMIT = 2**16


class PeerAlert(ConnectionError):
    """The peer sent a fatal alert (RFC 8446 §6.2); ``description`` names it."""

    def __init__(self, description: AlertDescription | int) -> None:
        name = description.name.lower() if isinstance(description, AlertDescription) else str(description)
        super().__init__(f"peer sent alert {name}")
        self.description = description


class TLSStreamReader(asyncio.StreamReader):
    """Decrypted application data; the ``asyncio.StreamReader`` API."""


class _TLSProtocol(asyncio.Protocol):
    """Feeds the engine, flushes its output and turns its events into futures and a reader."""

    def __init__(self, connection: TLSConnection, loop: asyncio.AbstractEventLoop) -> None:
        self.connection = connection
        self.loop = loop
        self.reader = TLSStreamReader(limit=_READ_LIMIT, loop=loop)
        self.handshake: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self._paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._failure: Exception | None = None
        self._end_of_stream = False  # the peer's close_notify was fed to the reader

    # -- asyncio.Protocol ----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.reader.set_transport(transport)
        self.flush()  # a client's ClientHello is queued on construction

    def data_received(self, data: bytes) -> None:
        try:
            events = self.connection.receive_data(data)
        except TLSAlert as alert:
            self.flush()  # the engine queued our fatal alert before raising
            self._fail(alert)
            return
        self.flush()
        for event in events:
            self._dispatch(event)

    def eof_received(self) -> bool:
        if not self.connection.peer_closed:
            # RFC 8446 §6.1: without close_notify the data may have been truncated.
            self._fail(ConnectionResetError("the peer closed the TCP connection without close_notify"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc if exc is not None else ConnectionResetError("connection lost"))
        self._wake_drain_waiters(exc if exc is not None else ConnectionResetError("connection lost"))
        if not self.closed.done():
            self.closed.set_result(None)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake_drain_waiters(None)

    # -- events --------------------------------------------------------------------------------
    def _dispatch(self, event: Event) -> None:
        if isinstance(event, HandshakeCompleted):
            if not self.handshake.done():
                self.handshake.set_result(None)
        elif isinstance(event, DataReceived):
            self.reader.feed_data(event.data)
        elif isinstance(event, ConnectionClosed):
            self._end_of_stream = True
            self.reader.feed_eof()
        elif isinstance(event, AlertReceived) and event.description != AlertDescription.USER_CANCELED:
            self._fail(PeerAlert(event.description))
        # HelloRetryRequested and KeyUpdated need nothing here: the engine queued any answer.

    def _fail(self, error: Exception) -> None:
        """Record the first failure: it fails the handshake and the reader, then the socket closes."""
        if self._failure is None:
            self._failure = error
            if not self.handshake.done():
                self.handshake.set_exception(error)
                self.handshake.exception()  # retrieved here; awaiting it still raises
            if not self._end_of_stream:
                self.reader.set_exception(error)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # -- output --------------------------------------------------------------------------------
    def flush(self) -> None:
        out = self.connection.data_to_send()
        if out and self.transport is not None and not self.transport.is_closing():
            self.transport.write(out)

    async def drain(self) -> None:
        if self.transport is not None and self.transport.is_closing():
            await asyncio.sleep(0)  # let connection_lost run, as asyncio.StreamWriter.drain does
        if self._failure is not None and not isinstance(self._failure, ConnectionResetError):
            raise self._failure
        if not self._paused:
            return
        waiter = self.loop.create_future()
        self._drain_waiters.append(waiter)
        await waiter

    def _wake_drain_waiters(self, exc: Exception | None) -> None:
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if waiter.done():
                continue
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)


class TLSStreamWriter:
    """The ``asyncio.StreamWriter`` API over a TLS connection."""

    def __init__(self, protocol: _TLSProtocol) -> None:
        self._protocol = protocol

    @property
    def connection(self) -> TLSConnection:
        return self._protocol.connection

    @property
    def transport(self) -> asyncio.Transport:
        assert self._protocol.transport is not None
        return self._protocol.transport

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.connection.send_data(bytes(data))
        self._protocol.flush()

    def writelines(self, data: Iterable[bytes | bytearray | memoryview]) -> None:
        self.write(b"".join(data))

    async def drain(self) -> None:
        await self._protocol.drain()

    def key_update(self, request_peer_update: bool = False) -> None:
        """RFC 8446 §4.6.3: send a KeyUpdate now."""
        self.connection.key_update(request_peer_update=request_peer_update)
        self._protocol.flush()

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        """Send close_notify (RFC 8446 §6.1) and keep reading until the peer closes too."""
        if not self.connection.local_closed and self.connection.handshake_complete and not self.transport.is_closing():
            self.connection.close()
            self._protocol.flush()

    def close(self) -> None:
        """Send close_notify, then close the socket."""
        if not self.transport.is_closing():
            self.write_eof()
            self.transport.close()

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    async def wait_closed(self) -> None:
        await self._protocol.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``"tls"`` is the ``TLSConnection``; other names go to the transport (``"peername"``, ...)."""
        if name == "tls":
            return self.connection
        return self.transport.get_extra_info(name, default)

    def __repr__(self) -> str:
        return f"<TLSStreamWriter peer={self.get_extra_info('peername')!r}>"


async def open_connection(
    host: str,
    port: int,
    config: TLSConfig,
    *,
    server_hostname: str | None = None,
    **connection_options: Any,
) -> tuple[TLSStreamReader, TLSStreamWriter]:
    """Connect, run the TLS 1.3 handshake and return streams once it completed.

    The server name (SNI, RFC 6066 §3, and the name the certificate must carry) is
    ``server_hostname``, else ``config.server_name``, else ``host``.  A failed
    handshake raises the engine's ``TLSAlert`` (or ``PeerAlert`` if the server sent one).
    ``connection_options`` go to ``loop.create_connection``.
    """
    name = server_hostname or config.server_name or host
    if name != config.server_name:
        config = dataclasses.replace(config, server_name=name)
    loop = asyncio.get_running_loop()
    protocol = _TLSProtocol(ClientConnection(config), loop)
    await loop.create_connection(lambda: protocol, host, port, **connection_options)
    try:
        await protocol.handshake
    except BaseException:
        if protocol.transport is not None:
            protocol.transport.abort()
        raise
    return protocol.reader, TLSStreamWriter(protocol)


Handler = Callable[[TLSStreamReader, TLSStreamWriter], Awaitable[None]]


async def start_server(
    handler: Handler,
    host: str | None,
    port: int,
    config: TLSConfig,
    *,
    handshake_timeout: float | None = DEFAULT_HANDSHAKE_TIMEOUT,
    **server_options: Any,
) -> asyncio.Server:
    """Listen; for each client that completes the handshake, run ``handler(reader, writer)``.

    Clients whose handshake fails (or takes longer than ``handshake_timeout``) are
    dropped after our alert is sent; the handler never sees them.  A handler that
    raises is reported to the loop's exception handler and its connection closed.
    ``server_options`` go to ``loop.create_server``.
    """
    loop = asyncio.get_running_loop()
    ServerConnection(config)  # reject an unusable configuration now, not at the first client
    tasks: set[asyncio.Task[None]] = set()

    async def serve_one(protocol: _TLSProtocol) -> None:
        try:
            await asyncio.wait_for(protocol.handshake, handshake_timeout)
        except Exception:  # a TLSAlert, PeerAlert, ConnectionError or TimeoutError
            if protocol.transport is not None:
                protocol.transport.abort()
            return
        writer = TLSStreamWriter(protocol)
        try:
            await handler(protocol.reader, writer)
        except Exception as exc:
            loop.call_exception_handler(
                {"message": "atls.asyncio handler failed", "exception": exc, "transport": writer.transport}
            )
            writer.transport.abort()

    def make_protocol() -> _TLSProtocol:
        protocol = _TLSProtocol(ServerConnection(config), loop)
        task = loop.create_task(serve_one(protocol))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return protocol

    return await loop.create_server(make_protocol, host, port, **server_options)
