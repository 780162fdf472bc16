"""``python -m edhoc_ra``: EDHOC over CoAP (RFC 9528 App. A.2) on loopback, then OSCORE.

Subcommands:

* ``server``: a CoAP server with /.well-known/edhoc and an OSCORE-only /hello resource;
* ``client``: one EDHOC session against such a server, ``--oscore-get PATH`` then one
  OSCORE-protected GET with the exported context (App. A.1);
* ``demo``: both in one process on a free loopback port.

Credentials are generated (a CCS sent by value) unless ``--key`` (PKCS#8, PEM or DER)
and ``--cred`` (a CCS in CBOR, or an X.509 certificate in PEM or DER) are given.
``--peer-cred`` pins the peer's credential; without it any credential sent by value is
accepted (trust on first use) and the printout says so.  The printout includes the
OSCORE Master Secret: this is a test tool.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from edhoc_ra import (
    Credential,
    CredentialKind,
    EdhocConfig,
    IdCred,
    LocalCredential,
    Method,
    Role,
    get_suite,
)
from edhoc_ra.coap import CompletedSession
from ratscore.crypto import BACKEND_NAMES, CryptoProvider, KeyType, get_provider
from ratscore.crypto.encoding import pem_decode, private_key_from_pkcs8
from ratscore.errors import CryptoError, DecodeError, ProtocolError, UnsupportedAlgorithm

_HELLO_PATH = ("hello",)


def _key_type(method: Method, role: Role, suite_value: int) -> KeyType:
    """The authentication key a generated credential needs (RFC 9528 §3.2, §3.6)."""
    suite = get_suite(suite_value)
    if method.uses_static_dh(role):
        return suite.dh_curve
    return {-7: KeyType.P256, -35: KeyType.P384}.get(
        suite.signature_algorithm, KeyType.ED448 if suite.dh_curve is KeyType.X448 else KeyType.ED25519
    )


def _read_der(path: Path, label: str) -> bytes:
    data = path.read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        return pem_decode(data, label)[1]
    return data


def _load_credential(path: Path, crypto: CryptoProvider) -> Credential:
    """A CCS (CBOR map) or an X.509 certificate (PEM, or DER: an ASN.1 SEQUENCE)."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"-----BEGIN") or data[:1] == b"\x30":
        return Credential.from_x509(_read_der(path, "CERTIFICATE"), crypto)
    return Credential.from_ccs(data, crypto)


def _local_credential(args: argparse.Namespace, role: Role, crypto: CryptoProvider) -> LocalCredential:
    method = Method(args.method)
    if args.key is None and args.cred is None:
        kid = bytes.fromhex(args.kid) if args.kid else crypto.random_bytes(1)
        key = crypto.generate_private_key(_key_type(method, role, args.suite[-1]))
        credential = Credential.from_public_key(key.public_key(), kid=kid, subject=role.value)
        id_cred = IdCred.by_kid(kid) if args.by_reference else IdCred.by_value_ccs(credential)
        return LocalCredential(credential=credential, id_cred=id_cred, private_key=key)
    if args.key is None or args.cred is None:
        raise SystemExit("--key and --cred go together")
    key_type, raw = private_key_from_pkcs8(_read_der(args.key, "PRIVATE KEY"))
    private_key = crypto.load_private_key(key_type, raw)
    credential = _load_credential(args.cred, crypto)
    if credential.kind is CredentialKind.X509:
        assert credential.certificate is not None
        id_cred = IdCred.x5t(credential, crypto) if args.by_reference else IdCred.x5chain([credential.certificate])
    elif args.by_reference and credential.kid is not None:
        id_cred = IdCred.by_kid(credential.kid)
    else:
        id_cred = IdCred.by_value_ccs(credential)
    return LocalCredential(credential=credential, id_cred=id_cred, private_key=private_key)


def _config(args: argparse.Namespace, role: Role, crypto: CryptoProvider, out: TextIO) -> EdhocConfig:
    pinned = _load_credential(args.peer_cred, crypto) if args.peer_cred is not None else None
    if pinned is None:
        print(f"[{role.value}] no --peer-cred: accepting any credential sent by value (trust on first use)", file=out)

    def resolve(id_cred: IdCred) -> Credential | None:
        if pinned is not None:
            return pinned if id_cred.matches(pinned, crypto) else None
        try:
            return id_cred.credential_by_value(crypto)
        except (DecodeError, CryptoError, UnsupportedAlgorithm):
            return None

    return EdhocConfig(
        method=Method(args.method),
        credential=_local_credential(args, role, crypto),
        suites=tuple(args.suite),
        use_message_4=args.message_4,
        credential_resolver=resolve,
    )


def _print_session(label: str, session: CompletedSession, out: TextIO) -> None:
    done = session.handshake
    oscore = session.oscore_context()
    peer = done.peer_credential
    lines = [
        f"[{label}] EDHOC session completed as {done.role.value}",
        f"  cipher suite:        {done.selected_suite}",
        f"  method:              {int(done.method)} ({done.method.name})",
        f"  C_I:                 {done.connection_id_initiator.hex()}",
        f"  C_R:                 {done.connection_id_responder.hex()}",
        f"  peer credential:     {peer.kind.value}, kid {peer.kid.hex() if peer.kid else '-'}",
        f"  OSCORE master secret {oscore.master_secret.hex()}",
        f"  OSCORE master salt   {oscore.master_salt.hex()}",
        f"  OSCORE sender ID     {oscore.sender_id.hex()}",
        f"  OSCORE recipient ID  {oscore.recipient_id.hex()}",
        f"  OSCORE AEAD / HKDF   COSE {oscore.aead_algorithm} / COSE {oscore.hkdf_algorithm}",
    ]
    print("\n".join(lines), file=out, flush=True)


async def _serve(args: argparse.Namespace, crypto: CryptoProvider, out: TextIO) -> int:
    from edhoc_ra.asyncio import EdhocServer, Flow, OscoreOnlyResource

    config = _config(args, Role.RESPONDER if args.flow == "forward" else Role.INITIATOR, crypto, out)
    server = await EdhocServer.create(
        config,
        host=args.host,
        port=args.port,
        flow=Flow(args.flow),
        crypto=crypto,
        resources={_HELLO_PATH: OscoreOnlyResource("hello from edhoc_ra")},
    )
    print(f"[server] listening on {server.uri} ({args.flow} flow)", file=out, flush=True)
    try:
        served = 0
        while args.sessions is None or served < args.sessions:
            _print_session("server", await server.next_session(), out)
            served += 1
        await asyncio.sleep(args.linger)  # let the client's OSCORE request through
    finally:
        await server.close()
    return 0


async def _connect(args: argparse.Namespace, crypto: CryptoProvider, out: TextIO) -> int:
    import aiocoap

    from edhoc_ra.asyncio import Flow, edhoc_uri, oscore_request, run_client

    config = _config(args, Role.INITIATOR if args.flow == "forward" else Role.RESPONDER, crypto, out)
    context = await aiocoap.Context.create_client_context()
    try:
        uri = edhoc_uri(args.host, args.port)
        session = await asyncio.wait_for(
            run_client(config, uri, flow=Flow(args.flow), crypto=crypto, context=context), args.timeout
        )
        _print_session("client", session, out)
        if args.oscore_get is not None:
            target = uri.split("/.well-known/")[0] + "/" + args.oscore_get.lstrip("/")
            response: Any = await asyncio.wait_for(oscore_request(context, session, target), args.timeout)
            text = response.payload.decode(errors="replace")
            print(f"[client] OSCORE GET {target}: {response.code} {text}", file=out)
            return 0 if response.code.is_successful() else 1
    finally:
        await context.shutdown()
    return 0


async def _demo(args: argparse.Namespace, crypto: CryptoProvider, out: TextIO) -> int:
    if args.port == 0:
        args.port = _free_udp_port(args.host)
    args.sessions, args.linger = 1, 0.5
    if args.oscore_get is None:
        args.oscore_get = "/".join(_HELLO_PATH)
    server = asyncio.create_task(_serve(args, crypto, out))
    await asyncio.sleep(0.2)  # let the server bind
    try:
        status = await _connect(args, crypto, out)
    finally:
        server_status = await asyncio.wait_for(server, args.timeout)
    return status or server_status


def _free_udp_port(host: str) -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m edhoc_ra", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("server", "run a CoAP EDHOC server"),
        ("client", "run one EDHOC session against a server"),
        ("demo", "server and client in one process on loopback"),
    ):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=0 if name == "demo" else 5683, help="UDP port (demo: 0 = free)")
        sub.add_argument("--flow", choices=["forward", "reverse"], default="forward", help="RFC 9528 App. A.2.1/2")
        sub.add_argument("--suite", type=int, action="append", help="cipher suite, repeatable in preference order")
        sub.add_argument("--method", type=int, choices=[0, 1, 2, 3], default=3)
        sub.add_argument("--crypto", choices=BACKEND_NAMES, default=None, help="crypto backend")
        sub.add_argument("--message-4", action="store_true", help="the profile uses message_4")
        sub.add_argument("--key", type=Path, help="own private key, PKCS#8 (PEM or DER)")
        sub.add_argument("--cred", type=Path, help="own credential: CCS (CBOR) or X.509 (PEM or DER)")
        sub.add_argument("--peer-cred", type=Path, help="the peer's credential (CCS or X.509) to trust")
        sub.add_argument("--kid", help="kid of a generated credential, hex")
        sub.add_argument("--by-reference", action="store_true", help="send ID_CRED by kid / x5t, not by value")
        sub.add_argument("--timeout", type=float, default=10.0, help="seconds for each client step")
        if name == "server":
            sub.add_argument("--sessions", type=int, default=None, help="exit after this many sessions")
            sub.add_argument("--linger", type=float, default=0.5, help="seconds to keep serving after the last")
        if name != "server":
            sub.add_argument("--oscore-get", metavar="PATH", help="then GET PATH with OSCORE (demo: hello)")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = _parser().parse_args(argv)
    stream = out if out is not None else sys.stdout
    args.suite = args.suite or [2]
    try:
        crypto = get_provider(args.crypto)
        runner = {"server": _serve, "client": _connect, "demo": _demo}[args.command]
        return asyncio.run(runner(args, crypto, stream))
    except ImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ProtocolError, CryptoError, OSError, TimeoutError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a CLI reports, e.g. aiocoap's network errors, without a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
