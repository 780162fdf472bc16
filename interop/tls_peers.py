"""Helpers for the TLS interop tests: certificates minted by the openssl CLI, bounded peer
processes, and our engine driven over a blocking loopback socket.

Everything here is bounded: every socket has a timeout, every wait has a deadline, and
``PeerProcess`` kills its process on exit whatever happened.  The blocking ``SocketPeer``
pump (rather than ``atls.asyncio``) is used where a test needs to see every engine event
(``HelloRetryRequested``, ``KeyUpdated``, ``AlertReceived``).
"""

from __future__ import annotations

import contextlib
import queue
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from atls import (
    ClientConnection,
    ConnectionClosed,
    DataReceived,
    Event,
    HandshakeCompleted,
    ServerConnection,
    TLSConnection,
)
from ratscore.crypto import CryptoProvider, Signer
from ratscore.crypto.encoding import pem_decode, private_key_from_pkcs8
from ratscore.x509 import Certificate, load_pem_certificates

__all__ = [
    "HOSTNAME",
    "IO_TIMEOUT",
    "OpenSSLCredentials",
    "PeerProcess",
    "SocketPeer",
    "accept_one",
    "connect_to",
    "make_openssl_credentials",
    "parse_keying_material",
]

HOSTNAME = "localhost"
IO_TIMEOUT = 20.0  # seconds for any single wait on a peer
_KEY_OPTIONS: dict[str, list[str]] = {
    "p256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "p384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
    "ed25519": ["-newkey", "ed25519"],
    "rsa": ["-newkey", "rsa:2048"],
}


# -- credentials minted by the openssl CLI ----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenSSLCredentials:
    """A CA and one leaf issued by it, as PEM files, and the same parsed for our engine."""

    ca_file: Path
    cert_file: Path  # the leaf certificate
    key_file: Path  # PKCS#8 PEM, as openssl 3 writes it
    anchors: tuple[Certificate, ...]
    chain: tuple[bytes, ...]
    subject_common_name: str

    def signer(self, crypto: CryptoProvider) -> Signer:
        key_type, raw = private_key_from_pkcs8(pem_decode(self.key_file.read_bytes(), "PRIVATE KEY")[1])
        return crypto.load_private_key(key_type, raw)


def _run_openssl(openssl: str, *arguments: str) -> None:
    subprocess.run([openssl, *arguments], check=True, capture_output=True, timeout=60)


def make_openssl_credentials(openssl: str, directory: Path, kind: str, *, client: bool = False) -> OpenSSLCredentials:
    """A P-256 CA and a leaf of ``kind`` (p256, p384, ed25519, rsa) for localhost / 127.0.0.1."""
    directory.mkdir(parents=True, exist_ok=True)
    role = "client" if client else "server"
    ca_key, ca_file = directory / "ca.key", directory / "ca.pem"
    if not ca_file.exists():
        _run_openssl(
            openssl, "req", "-x509", *_KEY_OPTIONS["p256"], "-nodes", "-keyout", str(ca_key), "-out", str(ca_file),
            "-days", "30", "-subj", "/CN=atls interop CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
        )  # fmt: skip
    name = f"{role}-{kind}"
    key_file, csr_file, cert_file = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.pem"
    common_name = f"{role}.{kind}.example" if client else HOSTNAME
    _run_openssl(
        openssl, "req", *_KEY_OPTIONS[kind], "-nodes", "-keyout", str(key_file), "-out", str(csr_file),
        "-subj", f"/CN={common_name}",
    )  # fmt: skip
    extensions = directory / f"{name}.ext"
    usage = "clientAuth" if client else "serverAuth"
    extensions.write_text(
        f"subjectAltName=DNS:{common_name},IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        f"keyUsage=critical,digitalSignature\nextendedKeyUsage={usage}\n"
    )
    _run_openssl(
        openssl, "x509", "-req", "-in", str(csr_file), "-CA", str(ca_file), "-CAkey", str(ca_key),
        "-CAcreateserial", "-out", str(cert_file), "-days", "30", "-extfile", str(extensions),
    )  # fmt: skip
    return OpenSSLCredentials(
        ca_file=ca_file,
        cert_file=cert_file,
        key_file=key_file,
        anchors=tuple(load_pem_certificates(ca_file.read_bytes())),
        chain=tuple(certificate.der for certificate in load_pem_certificates(cert_file.read_bytes())),
        subject_common_name=common_name,
    )


def parse_keying_material(output: str) -> bytes:
    """The value of openssl's ``    Keying material: HEX`` line (s_client / s_server -keymatexport)."""
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith("Keying material:"):
            return bytes.fromhex(stripped.split(":", 1)[1].strip())
    raise AssertionError(f"no 'Keying material:' line in openssl output:\n{output}")


# -- a peer process, bounded ------------------------------------------------------------------


class PeerProcess:
    """A subprocess whose merged stdout/stderr is read by a thread into a queue of lines."""

    def __init__(self, argv: Sequence[str], *, cwd: Path | None = None) -> None:
        self.argv = list(argv)
        self.process = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self.seen: list[bytes] = []
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        try:
            for line in iter(self.process.stdout.readline, b""):
                self._lines.put(line)
        except (OSError, ValueError):  # the pipe was closed under us by stop()
            pass
        finally:
            self._lines.put(None)

    def expect(self, needle: bytes, timeout: float = IO_TIMEOUT) -> bytes:
        """Wait for a line containing ``needle``; fail with everything seen so far."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                self._lines.put(None)
                break
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"{needle!r} not seen from {self.argv[:2]}; output so far:\n{self.output}")

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def close_stdin(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()

    def wait(self, timeout: float = IO_TIMEOUT) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        self.drain()
        return code

    def drain(self) -> None:
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                return
            if line is None:
                self._lines.put(None)
                return
            self.seen.append(line)

    @property
    def output(self) -> str:
        self.drain()
        return b"".join(self.seen).decode(errors="replace")

    def stop(self) -> None:
        self.close_stdin()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._reader.join(timeout=5)  # the process is gone: the reader sees end of file
        if self.process.stdout is not None and not self._reader.is_alive():
            self.process.stdout.close()

    def __enter__(self) -> PeerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# -- our engine over a blocking socket --------------------------------------------------------


class SocketPeer:
    """Drives a ``TLSConnection`` over a connected socket with a timeout on every read."""

    def __init__(self, sock: socket.socket, connection: TLSConnection, timeout: float = IO_TIMEOUT) -> None:
        sock.settimeout(timeout)
        self.sock = sock
        self.connection = connection
        self.timeout = timeout
        self.events: list[Event] = []  # every event so far, in order
        self.eof = False
        self.flush()

    def flush(self) -> None:
        out = self.connection.data_to_send()
        if out:
            self.sock.sendall(out)

    def _receive_once(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            return
        try:
            self.events += self.connection.receive_data(data)
        finally:
            self.flush()

    def until(self, condition: Callable[[list[Event]], bool], what: str) -> list[Event]:
        """Read until ``condition(self.events)`` holds; fail on timeout or EOF."""
        deadline = time.monotonic() + self.timeout
        while not condition(self.events):
            if self.eof or time.monotonic() > deadline:
                raise AssertionError(f"waiting for {what}; events so far: {self.events}")
            self._receive_once()
        return self.events

    def handshake(self) -> HandshakeCompleted:
        self.until(lambda events: any(isinstance(e, HandshakeCompleted) for e in events), "the handshake")
        return next(e for e in self.events if isinstance(e, HandshakeCompleted))

    def received(self) -> bytes:
        return b"".join(e.data for e in self.events if isinstance(e, DataReceived))

    def read_until(self, needle: bytes) -> bytes:
        self.until(lambda _: needle in self.received(), f"{needle!r}")
        return self.received()

    def send(self, data: bytes) -> None:
        self.connection.send_data(data)
        self.flush()

    def key_update(self, request_peer_update: bool) -> None:
        self.connection.key_update(request_peer_update=request_peer_update)
        self.flush()

    def close(self) -> None:
        """Send close_notify and wait (bounded) for the peer's close_notify or EOF."""
        with contextlib.suppress(OSError):
            self.connection.close()
            self.flush()
            self.until(lambda events: self.eof or any(isinstance(e, ConnectionClosed) for e in events), "close")

    def __enter__(self) -> SocketPeer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sock.close()


def connect_to(port: int, connection: ClientConnection, *, attempts: int = 50) -> SocketPeer:
    """Connect to 127.0.0.1:port, retrying while a just-started peer is not listening yet."""
    for _ in range(attempts):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        except ConnectionRefusedError:
            time.sleep(0.1)
            continue
        return SocketPeer(sock, connection)
    raise AssertionError(f"nothing listening on 127.0.0.1:{port}")


@contextlib.contextmanager
def listening() -> Iterator[socket.socket]:
    """A listening socket on 127.0.0.1 (port chosen by the kernel), closed on exit."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(IO_TIMEOUT)
    try:
        yield listener
    finally:
        listener.close()


def accept_one(listener: socket.socket, connection: ServerConnection) -> SocketPeer:
    sock, _ = listener.accept()
    return SocketPeer(sock, connection)
