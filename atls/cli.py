"""``python -m atls``: a TLS 1.3 server and client in the spirit of ``openssl s_server`` / ``s_client``.

Theory of operation: the command line becomes one ``TLSConfig`` (PEM files loaded
through ``ratscore``), the streams come from ``atls.asyncio``, and after each
handshake both commands print what was negotiated, one ``Key: value`` line each::

    Protocol: TLSv1.3
    Ciphersuite: TLS_AES_128_GCM_SHA256
    Group: X25519
    Peer signature scheme: ecdsa_secp256r1_sha256
    Peer certificate subject: CN=server.example,O=...
    ALPN protocol: h2
    Keying material exporter:
        Label: 'EXPORTER-test'
        Length: 20 bytes
        Keying material: 6A0F...            (RFC 8446 §7.5, empty context, as openssl prints it)

``serve`` prints ``ACCEPT host:port`` once it listens.  With ``--http`` it answers an
HTTP GET with a short page in one record, as ``openssl s_server -www`` does; otherwise
it prints what clients send (and echoes it back with ``--echo``).  ``connect`` sends
its standard input line by line and prints what arrives; at end of input it sends
close_notify and waits for the server's.  Exit status: 0 on success, 1 on a failed
handshake or connection, 2 on bad arguments or files.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from atls import (
    ALL_CIPHER_SUITES,
    CipherSuite,
    ClientAuthentication,
    NamedGroup,
    TLSConfig,
    TLSConnection,
    VerifyMode,
)
from atls.asyncio import PeerAlert, TLSStreamReader, TLSStreamWriter, open_connection, start_server
from ratscore.crypto import BACKEND_NAMES, CryptoProvider, KeyType, Signer, der, resolve_provider
from ratscore.crypto.encoding import OID_EC_PUBLIC_KEY, pem_decode, private_key_from_pkcs8, rsa_private_key_numbers
from ratscore.errors import CryptoError, LocalProtocolError, ProtocolError
from ratscore.x509 import Certificate, load_pem_certificates

__all__ = ["build_parser", "load_private_key", "main"]

DEFAULT_PORT = 4433  # what openssl s_server and s_client use
HANDSHAKE_TIMEOUT = 30.0
GROUP_NAMES: dict[str, NamedGroup] = {
    "x25519": NamedGroup.X25519,
    "x448": NamedGroup.X448,
    "p-256": NamedGroup.SECP256R1,
    "secp256r1": NamedGroup.SECP256R1,
    "prime256v1": NamedGroup.SECP256R1,
    "p-384": NamedGroup.SECP384R1,
    "secp384r1": NamedGroup.SECP384R1,
}
_OPENSSL_GROUP_NAMES = {
    NamedGroup.X25519: "X25519",
    NamedGroup.X448: "X448",
    NamedGroup.SECP256R1: "P-256",
    NamedGroup.SECP384R1: "P-384",
}


class UsageError(Exception):
    """A bad argument or an unreadable credential file (exit status 2)."""


# -- credentials ---------------------------------------------------------------------------------


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def load_certificates(path: str) -> list[Certificate]:
    try:
        return load_pem_certificates(_read(path))
    except (CryptoError, ProtocolError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def _ec_private_key_to_pkcs8(ec_private_key: bytes) -> bytes:
    """Wrap an RFC 5915 ECPrivateKey ("EC PRIVATE KEY") in PKCS#8 using its own curve parameters."""
    fields = der.DerReader(ec_private_key).read_sequence()
    fields.read_integer()
    fields.read_octet_string()
    if fields.peek_tag() != der.context_tag(0):
        raise UsageError("EC PRIVATE KEY without curve parameters")
    curve_oid = fields.read_explicit(0).read_oid()
    algorithm = der.encode_sequence(der.encode_oid(OID_EC_PUBLIC_KEY), der.encode_oid(curve_oid))
    # RFC 5958 §2: version v1(0), privateKeyAlgorithm, privateKey.
    return der.encode_sequence(der.encode_integer(0), algorithm, der.encode_octet_string(ec_private_key))


def load_private_key(path: str, crypto: CryptoProvider) -> Signer:
    """An unencrypted PEM key: PKCS#8 "PRIVATE KEY", or the traditional "EC PRIVATE KEY" / "RSA PRIVATE KEY"."""
    try:
        label, body = pem_decode(_read(path))
        if label == "PRIVATE KEY":
            key_type, raw = private_key_from_pkcs8(body)
        elif label == "EC PRIVATE KEY":
            key_type, raw = private_key_from_pkcs8(_ec_private_key_to_pkcs8(body))
        elif label == "RSA PRIVATE KEY":
            rsa_private_key_numbers(body)  # RFC 8017 §A.1.2; validates the numbers
            key_type, raw = KeyType.RSA, body
        else:
            raise UsageError(f"{path}: unsupported PEM block {label!r} (encrypted keys are not supported)")
        return crypto.load_private_key(key_type, raw)
    except (CryptoError, ProtocolError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def _names(values: str | None, table: dict[str, NamedGroup]) -> tuple[NamedGroup, ...] | None:
    if values is None:
        return None
    try:
        return tuple(table[name.strip().lower()] for name in values.split(":"))
    except KeyError as exc:
        raise UsageError(f"unknown group {exc.args[0]!r}; choose from {', '.join(sorted(table))}") from None


def _suites(values: str | None) -> tuple[CipherSuite, ...] | None:
    if values is None:
        return None
    try:
        return tuple(CipherSuite[name.strip()] for name in values.split(":"))
    except KeyError as exc:
        raise UsageError(f"unknown cipher suite {exc.args[0]!r}") from None


def build_config(args: argparse.Namespace, *, server: bool) -> TLSConfig:
    """One ``TLSConfig`` from the parsed command line."""
    try:
        crypto = resolve_provider(args.crypto)
    except (CryptoError, ProtocolError) as exc:
        raise UsageError(str(exc)) from None
    options: dict[str, object] = {"crypto": crypto}
    if args.cert or args.key:
        if not (args.cert and args.key):
            raise UsageError("--cert and --key go together")
        options["certificate_chain"] = tuple(certificate.der for certificate in load_certificates(args.cert))
        options["private_key"] = load_private_key(args.key, crypto)
    if args.cafile:
        options["trust_anchors"] = tuple(load_certificates(args.cafile))
    if suites := _suites(args.ciphersuites):
        options["cipher_suites"] = suites
    else:
        options["cipher_suites"] = ALL_CIPHER_SUITES  # openssl enables the CCM suites only on request
    if groups := _names(args.groups, GROUP_NAMES):
        options["groups"] = groups
    if args.alpn:
        options["alpn_protocols"] = tuple(name.encode() for name in args.alpn.split(","))
    if server:
        if args.verify_client:
            if not args.cafile:
                raise UsageError("--verify-client needs --cafile")
            options["client_authentication"] = ClientAuthentication.REQUIRE
        else:
            options["verify_mode"] = VerifyMode.NONE
    else:
        if args.key_share_groups:
            options["key_share_groups"] = _names(args.key_share_groups, GROUP_NAMES)
        if args.insecure:
            options["verify_mode"] = VerifyMode.NONE
        elif not args.cafile:
            raise UsageError("connect needs --cafile (there is no system trust store) or --insecure")
    try:
        config = dataclasses.replace(TLSConfig(crypto=crypto), **options)  # type: ignore[arg-type]
    except LocalProtocolError as exc:
        raise UsageError(str(exc)) from None
    return config


# -- reporting -----------------------------------------------------------------------------------


def describe(connection: TLSConnection, args: argparse.Namespace) -> list[str]:
    """The lines printed after a handshake (see the module docstring)."""
    assert connection.cipher_suite is not None and connection.group is not None
    lines = [
        "Protocol: TLSv1.3",  # the engine speaks nothing else (RFC 8446 §4.2.1)
        f"Ciphersuite: {connection.cipher_suite.name}",
        f"Group: {_OPENSSL_GROUP_NAMES.get(connection.group, connection.group.name)}",
    ]
    if connection.signature_scheme is not None:
        lines.append(f"Signature scheme: {connection.signature_scheme.name.lower()}")
    if connection.peer_signature_scheme is not None:
        lines.append(f"Peer signature scheme: {connection.peer_signature_scheme.name.lower()}")
    if connection.peer_certificates:
        lines.append(f"Peer certificate subject: {connection.peer_certificates[0].subject.rfc4514_string()}")
    else:
        lines.append("Peer certificate subject: (no certificate)")
    if connection.server_name:
        lines.append(f"Server name: {connection.server_name}")
    alpn = connection.alpn_protocol
    lines.append(f"ALPN protocol: {alpn.decode(errors='replace')}" if alpn else "No ALPN negotiated")
    if args.keymatexport:
        material = connection.exporter(args.keymatexport.encode(), b"", args.keymatexportlen)  # RFC 8446 §7.5
        lines += [
            "Keying material exporter:",
            f"    Label: '{args.keymatexport}'",
            f"    Length: {args.keymatexportlen} bytes",
            f"    Keying material: {material.hex().upper()}",
        ]
    return lines


def _emit(lines: Sequence[str], stream: TextIO) -> None:
    stream.write("".join(f"{line}\n" for line in lines))
    stream.flush()


def _http_page(connection: TLSConnection, args: argparse.Namespace) -> bytes:
    lines = ["atls TLS 1.3 server", *describe(connection, args)]
    body = "<html><body><pre>\n" + "\n".join(lines) + "\n</pre></body></html>\n"
    head = f"HTTP/1.0 200 ok\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
    return (head + body).encode()


# -- serve ---------------------------------------------------------------------------------------


async def serve(args: argparse.Namespace, config: TLSConfig) -> int:
    finished = asyncio.Event()

    async def handle(reader: TLSStreamReader, writer: TLSStreamWriter) -> None:
        connection: TLSConnection = writer.get_extra_info("tls")
        _emit([f"CONNECTION from {writer.get_extra_info('peername')[0]}", *describe(connection, args)], sys.stdout)
        try:
            if args.http:
                await _answer_http(reader, writer, connection, args)
            else:
                while data := await reader.read(65536):
                    sys.stdout.buffer.write(data)
                    sys.stdout.flush()
                    if args.echo:
                        writer.write(data)
                        await writer.drain()
            writer.close()
            await writer.wait_closed()
        except (ConnectionError, ProtocolError) as exc:
            _emit([f"connection error: {_explain(exc)}"], sys.stderr)
        finally:
            _emit(["DONE"], sys.stdout)
            if args.once:
                finished.set()

    server = await start_server(handle, args.host, args.port, config, handshake_timeout=HANDSHAKE_TIMEOUT)
    host, port = server.sockets[0].getsockname()[:2]
    _emit([f"ACCEPT {host}:{port}"], sys.stdout)
    async with server:
        if args.once:
            await finished.wait()
        else:
            await server.serve_forever()
    return 0


async def _answer_http(
    reader: TLSStreamReader, writer: TLSStreamWriter, connection: TLSConnection, args: argparse.Namespace
) -> None:
    request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HANDSHAKE_TIMEOUT)
    if not request.startswith(b"GET "):
        writer.write(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    else:
        writer.write(_http_page(connection, args))  # one send_data call: one record (under 2^14 bytes)
    await writer.drain()


# -- connect -------------------------------------------------------------------------------------


async def connect(args: argparse.Namespace, config: TLSConfig) -> int:
    host, _, port_text = args.target.rpartition(":")
    if not host or not port_text.isdigit():
        raise UsageError(f"connect needs HOST:PORT, not {args.target!r}")
    host = host.strip("[]")
    reader, writer = await asyncio.wait_for(
        open_connection(host, int(port_text), config, server_hostname=args.servername), HANDSHAKE_TIMEOUT
    )
    _emit([f"CONNECTED({host}:{port_text})", *describe(writer.get_extra_info("tls"), args)], sys.stdout)
    if args.quit_after_handshake:
        writer.close()
        await writer.wait_closed()
        return 0
    printer = asyncio.create_task(_print_received(reader))
    if args.http:
        writer.write(f"GET / HTTP/1.0\r\nHost: {args.servername or host}\r\n\r\n".encode())
    else:
        await _send_stdin(writer)
    writer.write_eof()  # close_notify (RFC 8446 §6.1); the server may still answer
    try:
        await asyncio.wait_for(printer, HANDSHAKE_TIMEOUT)
    finally:
        writer.close()
        await writer.wait_closed()
    return 0


async def _print_received(reader: TLSStreamReader) -> None:
    while data := await reader.read(65536):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


async def _send_stdin(writer: TLSStreamWriter) -> None:
    loop = asyncio.get_running_loop()
    stdin_reader = asyncio.StreamReader()
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin_reader), sys.stdin)
    except (ValueError, OSError):  # a regular file: read it whole
        data = sys.stdin.buffer.read()
        if data:
            writer.write(data)
        return
    while line := await stdin_reader.readline():
        writer.write(line)
        await writer.drain()


# -- command line --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m atls", description="TLS 1.3 server and client (atls engine)")
    commands = parser.add_subparsers(dest="command", required=True)

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--cert", help="PEM certificate chain, leaf first")
        command.add_argument("--key", help="PEM private key (PKCS#8, EC or RSA), unencrypted")
        command.add_argument("--cafile", help="PEM trust anchors for the peer's certificate")
        command.add_argument("--alpn", help="comma-separated ALPN protocols, in preference order")
        command.add_argument("--ciphersuites", help="colon-separated TLS 1.3 suites (default: all five)")
        command.add_argument("--groups", help="colon-separated groups: X25519:P-256:X448:P-384")
        command.add_argument("--keymatexport", metavar="LABEL", help="print the exporter value for LABEL")
        command.add_argument("--keymatexportlen", metavar="N", type=int, default=20, help="exporter length")
        command.add_argument("--http", action="store_true", help="speak HTTP/1.0 GET (like openssl -www)")
        command.add_argument("--crypto", choices=BACKEND_NAMES, help="crypto backend (default: RATSCORE_CRYPTO)")

    serve_command = commands.add_parser("serve", help="accept TLS connections")
    common(serve_command)
    serve_command.add_argument("--verify-client", action="store_true", help="require a client certificate")
    serve_command.add_argument("--host", default="127.0.0.1")
    serve_command.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    serve_command.add_argument("--echo", action="store_true", help="echo received data back")
    serve_command.add_argument("--once", action="store_true", help="exit after the first connection")

    connect_command = commands.add_parser("connect", help="connect to a TLS server")
    connect_command.add_argument("target", metavar="HOST:PORT")
    common(connect_command)
    connect_command.add_argument("--servername", help="SNI and the name to check (default: HOST)")
    connect_command.add_argument("--insecure", action="store_true", help="do not verify the server certificate")
    connect_command.add_argument("--key-share-groups", help="groups to send key shares for (default: the first)")
    connect_command.add_argument("--quit-after-handshake", action="store_true", help="close after the handshake")
    return parser


def _explain(exc: BaseException) -> str:
    if isinstance(exc, PeerAlert):
        return str(exc)
    description = getattr(exc, "description", None)
    name = f" (alert {description.name.lower()})" if description is not None else ""
    return f"{type(exc).__name__}{name}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.keymatexportlen < 1:
        print("error: --keymatexportlen must be positive", file=sys.stderr)
        return 2
    try:
        config = build_config(args, server=args.command == "serve")
        if args.command == "serve":
            if not config.certificate_chain:
                raise UsageError("serve needs --cert and --key")
            return asyncio.run(serve(args, config))
        return asyncio.run(connect(args, config))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ConnectionError, ProtocolError, TimeoutError, OSError) as exc:
        print(f"error: {_explain(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
