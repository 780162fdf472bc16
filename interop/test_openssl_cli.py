"""Interop with the OpenSSL command line (``openssl s_server`` / ``openssl s_client``) over
real loopback sockets.

Our client against ``s_server`` and ``s_client`` against our server: every suite (the CCM
ones enabled in openssl with ``-ciphersuites``), every group both implement, ECDSA P-256,
Ed25519 and RSA (rsa_pss_rsae) certificates minted by the openssl CLI itself, mutual TLS
(``-Verify 1``), HelloRetryRequest, KeyUpdate started by either side (openssl's from a
``K``/``k`` line on its standard input), ALPN, and the exporter compared with what openssl
prints for ``-keymatexport``.  Every case runs on both crypto backends (the root
conftest's ``crypto`` fixture).  Finally the CLI (``python -m atls``) is driven against
openssl in both roles.

Bounded: sockets time out (``IO_TIMEOUT``), peer processes are killed on exit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from atls import (
    ALL_CIPHER_SUITES,
    CipherSuite,
    ClientAuthentication,
    ClientConnection,
    DataReceived,
    HelloRetryRequested,
    KeyUpdated,
    NamedGroup,
    ServerConnection,
    SignatureScheme,
    TLSConfig,
    VerifyMode,
)
from ratscore.crypto import CryptoProvider

from .conftest import free_port, require_binary
from .tls_peers import (
    HOSTNAME,
    IO_TIMEOUT,
    OpenSSLCredentials,
    PeerProcess,
    SocketPeer,
    accept_one,
    connect_to,
    listening,
    make_openssl_credentials,
    parse_keying_material,
)

pytestmark = pytest.mark.interop

SUITES = [suite.name for suite in ALL_CIPHER_SUITES]
OPENSSL_SUITES = ":".join(SUITES)  # openssl enables the CCM suites only when listed
GROUPS = {
    "X25519": NamedGroup.X25519,
    "P-256": NamedGroup.SECP256R1,
    "X448": NamedGroup.X448,
    "P-384": NamedGroup.SECP384R1,
}
OPENSSL_GROUPS = ":".join(GROUPS)
# RFC 8446 §4.2.3: the scheme each certificate key signs CertificateVerify with.
CERTIFICATE_KINDS = {
    "p256": SignatureScheme.ECDSA_SECP256R1_SHA256,
    "ed25519": SignatureScheme.ED25519,
    "rsa": SignatureScheme.RSA_PSS_RSAE_SHA256,
}


@pytest.fixture(scope="module")
def openssl() -> str:
    return require_binary("openssl", "apt-get install openssl")


@pytest.fixture(scope="module")
def pki(openssl: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, OpenSSLCredentials]:
    directory = tmp_path_factory.mktemp("openssl-pki")
    issued = {kind: make_openssl_credentials(openssl, directory, kind) for kind in CERTIFICATE_KINDS}
    issued["client"] = make_openssl_credentials(openssl, directory, "p256", client=True)
    return issued


def client_config(crypto: CryptoProvider, server: OpenSSLCredentials, **changes: object) -> TLSConfig:
    config = TLSConfig(
        trust_anchors=server.anchors, server_name=HOSTNAME, cipher_suites=ALL_CIPHER_SUITES, crypto=crypto
    )
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]  # test-only keyword pass-through


def server_config(crypto: CryptoProvider, credentials: OpenSSLCredentials, **changes: object) -> TLSConfig:
    config = TLSConfig(
        certificate_chain=credentials.chain,
        private_key=credentials.signer(crypto),
        cipher_suites=ALL_CIPHER_SUITES,
        verify_mode=VerifyMode.NONE,
        crypto=crypto,
    )
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


# -- our client against openssl s_server ------------------------------------------------------


class OpenSSLServer:
    def __init__(self, process: PeerProcess, port: int) -> None:
        self.process = process
        self.port = port


@contextlib.contextmanager
def start_s_server(openssl: str, credentials: OpenSSLCredentials, *extra: str) -> Iterator[OpenSSLServer]:
    port = free_port()
    argv = [openssl, "s_server", "-accept", str(port), "-naccept", "1", "-tls1_3", "-cert", str(credentials.cert_file)]
    argv += ["-key", str(credentials.key_file), "-ciphersuites", OPENSSL_SUITES, *extra]
    with PeerProcess(argv) as process:
        process.expect(b"ACCEPT")
        yield OpenSSLServer(process, port)


def exchange_with_s_server(peer: SocketPeer, server: OpenSSLServer) -> None:
    """Application data both ways: s_server prints what we send and sends its stdin lines."""
    peer.send(b"ping from atls\n")
    server.process.expect(b"ping from atls")
    server.process.write(b"pong from openssl\n")
    assert peer.read_until(b"pong from openssl\n").endswith(b"pong from openssl\n")


@pytest.mark.parametrize("suite", SUITES)
def test_client_suites(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider, suite: str) -> None:
    with (
        start_s_server(openssl, pki["p256"]) as server,
        connect_to(
            server.port, ClientConnection(client_config(crypto, pki["p256"], cipher_suites=(CipherSuite[suite],)))
        ) as peer,
    ):
        completed = peer.handshake()
        assert completed.cipher_suite is CipherSuite[suite]
        server.process.expect(f"CIPHER is {suite}".encode())
        exchange_with_s_server(peer, server)
        peer.close()


@pytest.mark.parametrize("group", GROUPS)
def test_client_groups(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider, group: str) -> None:
    with start_s_server(openssl, pki["p256"], "-groups", group) as server:
        config = client_config(crypto, pki["p256"], groups=(GROUPS[group],))
        with connect_to(server.port, ClientConnection(config)) as peer:
            completed = peer.handshake()
            assert completed.group is GROUPS[group]
            assert not completed.hello_retry_request
            exchange_with_s_server(peer, server)


@pytest.mark.parametrize("kind", CERTIFICATE_KINDS)
def test_client_certificate_kinds(
    openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider, kind: str
) -> None:
    with (
        start_s_server(openssl, pki[kind]) as server,
        connect_to(server.port, ClientConnection(client_config(crypto, pki[kind]))) as peer,
    ):
        completed = peer.handshake()
        assert completed.peer_signature_scheme is CERTIFICATE_KINDS[kind]
        assert completed.peer_certificate_chain[0] == pki[kind].chain[0]
        exchange_with_s_server(peer, server)


def test_client_mutual_tls(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    client = pki["client"]
    with start_s_server(
        openssl,
        pki["rsa"],
        "-Verify",
        "1",
        "-verify_return_error",
        "-CAfile",
        str(client.ca_file),
        "-keymatexport",
        "EXPORTER-mtls",
        "-keymatexportlen",
        "32",
    ) as server:
        config = client_config(crypto, pki["rsa"], certificate_chain=client.chain, private_key=client.signer(crypto))
        with connect_to(server.port, ClientConnection(config)) as peer:
            completed = peer.handshake()
            assert completed.signature_scheme is SignatureScheme.ECDSA_SECP256R1_SHA256
            server.process.expect(f"subject=CN = {client.subject_common_name}".encode())
            exchange_with_s_server(peer, server)
            # RFC 8446 §7.1: the exporter secret ends at the server Finished, before our Certificate.
            expected = parse_keying_material(server.process.output)
            assert peer.connection.exporter(b"EXPORTER-mtls", b"", 32) == expected


def test_client_hello_retry(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    """s_server accepts only P-256; our first key share is X25519, so it asks again (RFC 8446 §4.1.4)."""
    with start_s_server(openssl, pki["p256"], "-groups", "P-256") as server:
        config = client_config(crypto, pki["p256"], groups=(NamedGroup.X25519, NamedGroup.SECP256R1))
        with connect_to(server.port, ClientConnection(config)) as peer:
            completed = peer.handshake()
            assert HelloRetryRequested(selected_group=NamedGroup.SECP256R1, cookie=False) in peer.events
            assert completed.hello_retry_request
            assert completed.group is NamedGroup.SECP256R1
            exchange_with_s_server(peer, server)


def test_client_key_update_both_ways(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    with (
        start_s_server(openssl, pki["p256"]) as server,
        connect_to(server.port, ClientConnection(client_config(crypto, pki["p256"]))) as peer,
    ):
        peer.handshake()
        # Ours, asking openssl to update too (RFC 8446 §4.6.3); data after it proves the new key.
        peer.key_update(request_peer_update=True)
        exchange_with_s_server(peer, server)
        assert KeyUpdated(update_requested=False) in peer.events  # openssl's answer
        # openssl's, from a "K" line on s_server's stdin: update and request ours.
        server.process.write(b"K\n")  # s_server's report of it goes to a buffered stdout: not awaited
        peer.until(lambda events: KeyUpdated(update_requested=True) in events, "openssl's KeyUpdate")
        server.process.write(b"k\n")  # not requested
        peer.until(lambda events: events.count(KeyUpdated(update_requested=False)) == 2, "second KeyUpdate")
        exchange_with_s_server(peer, server)
        peer.close()


def test_client_alpn(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    with start_s_server(openssl, pki["p256"], "-alpn", "h2,http/1.1") as server:
        config = client_config(crypto, pki["p256"], alpn_protocols=(b"spdy/1", b"http/1.1"))
        with connect_to(server.port, ClientConnection(config)) as peer:
            assert peer.handshake().alpn_protocol == b"http/1.1"
            server.process.expect(b"ALPN protocols advertised by the client")
            exchange_with_s_server(peer, server)


def test_client_exporter(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    with (
        start_s_server(
            openssl, pki["p256"], "-keymatexport", "EXPORTER-atls-interop", "-keymatexportlen", "48"
        ) as server,
        connect_to(server.port, ClientConnection(client_config(crypto, pki["p256"]))) as peer,
    ):
        peer.handshake()
        exchange_with_s_server(peer, server)  # s_server prints the exporter before the data
        expected = parse_keying_material(server.process.output)
        assert peer.connection.exporter(b"EXPORTER-atls-interop", b"", 48) == expected


# -- openssl s_client against our server ------------------------------------------------------


@contextlib.contextmanager
def run_s_client(
    openssl: str, server_credentials: OpenSSLCredentials, config: TLSConfig, *extra: str
) -> Iterator[tuple[PeerProcess, SocketPeer]]:
    with listening() as listener:
        port = listener.getsockname()[1]
        argv = [openssl, "s_client", "-connect", f"127.0.0.1:{port}", "-servername", HOSTNAME, "-tls1_3"]
        argv += ["-CAfile", str(server_credentials.ca_file), "-verify_return_error", "-verify_hostname", HOSTNAME]
        with PeerProcess([*argv, *extra]) as process, accept_one(listener, ServerConnection(config)) as peer:
            yield process, peer


def exchange_with_s_client(process: PeerProcess, peer: SocketPeer) -> None:
    process.write(b"hello from openssl\n")
    peer.read_until(b"hello from openssl\n")
    peer.send(b"hello from atls\n")
    process.expect(b"hello from atls")


def close_s_client(process: PeerProcess, peer: SocketPeer) -> None:
    peer.close()  # close_notify: s_client prints "closed" and exits
    process.expect(b"closed")
    assert process.wait() == 0


@pytest.mark.parametrize("suite", SUITES)
def test_server_suites(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider, suite: str) -> None:
    config = server_config(crypto, pki["p256"])
    with run_s_client(openssl, pki["p256"], config, "-ciphersuites", suite) as (process, peer):
        assert peer.handshake().cipher_suite is CipherSuite[suite]
        process.expect(f"Cipher is {suite}".encode())
        process.expect(b"Verify return code: 0 (ok)")
        exchange_with_s_client(process, peer)
        close_s_client(process, peer)


@pytest.mark.parametrize("group", GROUPS)
def test_server_groups(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider, group: str) -> None:
    config = server_config(crypto, pki["p256"])
    with run_s_client(openssl, pki["p256"], config, "-groups", group) as (process, peer):
        completed = peer.handshake()
        assert completed.group is GROUPS[group]
        assert not completed.hello_retry_request
        exchange_with_s_client(process, peer)


@pytest.mark.parametrize("kind", CERTIFICATE_KINDS)
def test_server_certificate_kinds(
    openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider, kind: str
) -> None:
    with run_s_client(openssl, pki[kind], server_config(crypto, pki[kind])) as (process, peer):
        assert peer.handshake().signature_scheme is CERTIFICATE_KINDS[kind]
        process.expect(b"Verify return code: 0 (ok)")
        exchange_with_s_client(process, peer)


def test_server_mutual_tls(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    client = pki["client"]
    config = server_config(
        crypto,
        pki["ed25519"],
        client_authentication=ClientAuthentication.REQUIRE,
        verify_mode=VerifyMode.CERTIFICATE,
        trust_anchors=client.anchors,
    )
    with run_s_client(
        openssl,
        pki["ed25519"],
        config,
        "-cert",
        str(client.cert_file),
        "-key",
        str(client.key_file),
        "-keymatexport",
        "EXPORTER-mtls",
        "-keymatexportlen",
        "32",
    ) as (process, peer):
        completed = peer.handshake()
        line = process.expect(b"Keying material:")
        assert peer.connection.exporter(b"EXPORTER-mtls", b"", 32) == parse_keying_material(line.decode())
        assert completed.peer_certificate_chain[0] == client.chain[0]
        assert completed.peer_signature_scheme is SignatureScheme.ECDSA_SECP256R1_SHA256
        exchange_with_s_client(process, peer)


def test_server_hello_retry(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    """s_client sends an X25519 share only (its first group); we accept P-256 only: HRR."""
    config = server_config(crypto, pki["p256"], groups=(NamedGroup.SECP256R1,))
    with run_s_client(openssl, pki["p256"], config, "-groups", "X25519:P-256") as (process, peer):
        completed = peer.handshake()
        assert completed.hello_retry_request
        assert completed.group is NamedGroup.SECP256R1
        exchange_with_s_client(process, peer)


def test_server_hello_retry_cookie(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    """RFC 8446 §4.2.2: an HRR with a cookie, which openssl must echo."""
    config = server_config(crypto, pki["p256"], hello_retry_cookie=True)
    with run_s_client(openssl, pki["p256"], config) as (process, peer):
        assert peer.handshake().hello_retry_request
        exchange_with_s_client(process, peer)


def test_server_key_update_both_ways(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    with run_s_client(openssl, pki["p256"], server_config(crypto, pki["p256"])) as (process, peer):
        peer.handshake()
        # Ours, requesting openssl's; openssl sends its KeyUpdate before its next record.
        peer.key_update(request_peer_update=True)
        exchange_with_s_client(process, peer)
        assert KeyUpdated(update_requested=False) in peer.events
        # openssl's: a "K" line on s_client's stdin (update_requested), then "k" (not requested).
        process.write(b"K\n")
        process.expect(b"KEYUPDATE")
        peer.until(lambda events: KeyUpdated(update_requested=True) in events, "openssl's KeyUpdate")
        process.write(b"k\n")
        peer.until(lambda events: events.count(KeyUpdated(update_requested=False)) == 2, "second KeyUpdate")
        peer.events.clear()
        exchange_with_s_client(process, peer)
        assert [e for e in peer.events if isinstance(e, DataReceived)]
        close_s_client(process, peer)


def test_server_alpn(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    config = server_config(crypto, pki["p256"], alpn_protocols=(b"h2", b"http/1.1"))
    with run_s_client(openssl, pki["p256"], config, "-alpn", "http/1.1,h2") as (process, peer):
        assert peer.handshake().alpn_protocol == b"h2"  # RFC 7301 §3.2: the server's preference
        process.expect(b"ALPN protocol: h2")


def test_server_exporter(openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider) -> None:
    label = "EXPORTER-atls-interop"
    config = server_config(crypto, pki["rsa"])
    with run_s_client(openssl, pki["rsa"], config, "-keymatexport", label, "-keymatexportlen", "32") as (process, peer):
        peer.handshake()
        line = process.expect(b"Keying material:")
        assert peer.connection.exporter(label.encode(), b"", 32) == parse_keying_material(line.decode())


# -- the CLI against openssl ----------------------------------------------------------------


def atls_cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "atls", *arguments]


def test_cli_serve_http_against_s_client(
    openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider
) -> None:
    credentials = pki["p256"]
    label = "EXPORTER-cli"
    serve = atls_cli(
        "serve",
        "--cert",
        str(credentials.cert_file),
        "--key",
        str(credentials.key_file),
        "--port",
        "0",
        "--http",
        "--once",
        "--keymatexport",
        label,
        "--crypto",
        crypto.name,
    )
    with PeerProcess(serve, cwd=Path(__file__).resolve().parent.parent) as server:
        port = server.expect(b"ACCEPT").split(b":")[-1].strip().decode()
        client = subprocess.run(
            [
                openssl,
                "s_client",
                "-connect",
                f"127.0.0.1:{port}",
                "-tls1_3",
                "-CAfile",
                str(credentials.ca_file),
                "-verify_return_error",
                "-ign_eof",
                "-keymatexport",
                label,
                "-keymatexportlen",
                "20",
            ],
            input=b"GET / HTTP/1.0\r\n\r\n",
            capture_output=True,
            timeout=IO_TIMEOUT,
            check=False,
        )
        output = client.stdout.decode(errors="replace")
        assert client.returncode == 0, output
        assert "HTTP/1.0 200 ok" in output
        assert "Ciphersuite: TLS_AES_128_GCM_SHA256" in output  # the page reports the session
        assert server.wait() == 0
        expected = parse_keying_material(output)
        assert f"Keying material: {expected.hex().upper()}" in server.output


def test_cli_connect_against_s_server_www(
    openssl: str, pki: dict[str, OpenSSLCredentials], crypto: CryptoProvider
) -> None:
    credentials = pki["rsa"]
    with start_s_server(openssl, credentials, "-www", "-keymatexport", "EXPORTER-cli", "-groups", "P-384") as server:
        result = subprocess.run(
            atls_cli(
                "connect",
                f"127.0.0.1:{server.port}",
                "--cafile",
                str(credentials.ca_file),
                "--servername",
                HOSTNAME,
                "--http",
                "--crypto",
                crypto.name,
                "--keymatexport",
                "EXPORTER-cli",
            ),
            capture_output=True,
            timeout=IO_TIMEOUT,
            check=False,
            cwd=Path(__file__).resolve().parent.parent,
        )
        output = result.stdout.decode(errors="replace")
        assert result.returncode == 0, output + result.stderr.decode(errors="replace")
        assert "Protocol: TLSv1.3" in output
        assert "Group: P-384" in output
        assert "Peer signature scheme: rsa_pss_rsae_sha256" in output
        assert f"Peer certificate subject: CN={HOSTNAME}" in output
        assert "HTTP/1.0 200 ok" in output
        assert "s_server -accept" in output  # openssl's -www page echoes its command line
