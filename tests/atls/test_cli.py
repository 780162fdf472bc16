"""``python -m atls``: credential loading, argument errors, and serve <-> connect over loopback.

Subprocesses are bounded by timeouts and killed in ``finally``.  Certificates and keys are
written by ``cryptography`` (tests/ratscore/x509/pki.py), in the PEM forms openssl uses.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from cryptography.hazmat.primitives import serialization

from atls.cli import build_parser, load_private_key, main
from ratscore.crypto.types import CryptoProvider

from .connection_helpers import HOSTNAME, Credentials, credentials

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0


def write_files(directory: Path, creds: Credentials, name: str, key_format: str = "PKCS8") -> dict[str, str]:
    chain = creds.issued
    paths = {kind: directory / f"{name}-{kind}.pem" for kind in ("cert", "key", "ca")}
    paths["cert"].write_text(chain.leaf.pem + chain.intermediate.pem)
    paths["key"].write_bytes(
        chain.leaf.private_key.private_bytes(
            serialization.Encoding.PEM, getattr(serialization.PrivateFormat, key_format), serialization.NoEncryption()
        )
    )
    paths["ca"].write_text(chain.root.pem)
    return {kind: str(path) for kind, path in paths.items()}


@pytest.mark.parametrize(
    ("kind", "key_format", "label"),
    [
        ("p256", "PKCS8", "PRIVATE KEY"),
        ("p256", "TraditionalOpenSSL", "EC PRIVATE KEY"),
        ("p384", "TraditionalOpenSSL", "EC PRIVATE KEY"),
        ("rsa2048", "TraditionalOpenSSL", "RSA PRIVATE KEY"),
        ("ed25519", "PKCS8", "PRIVATE KEY"),
    ],
)
def test_load_private_key_formats(
    crypto: CryptoProvider, tmp_path: Path, kind: str, key_format: str, label: str
) -> None:
    creds = credentials(crypto, kind)
    files = write_files(tmp_path, creds, kind, key_format)
    assert f"-----BEGIN {label}-----" in Path(files["key"]).read_text()  # the format under test
    signer = load_private_key(files["key"], crypto)
    assert signer.public_key() == creds.issued.leaf.certificate.public_key


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connect", "127.0.0.1:1"]) == 2  # no --cafile and no --insecure
    assert "--cafile" in capsys.readouterr().err
    assert main(["connect", "no-port", "--insecure"]) == 2
    assert "HOST:PORT" in capsys.readouterr().err
    assert main(["serve", "--cert", str(tmp_path / "missing.pem"), "--key", "k"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["serve"]) == 2
    assert main(["connect", "127.0.0.1:1", "--insecure", "--groups", "P-521"]) == 2
    assert "unknown group" in capsys.readouterr().err
    (tmp_path / "garbage.pem").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    assert main(["serve", "--cert", str(tmp_path / "garbage.pem"), "--key", str(tmp_path / "garbage.pem")]) == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bogus"])


def _start_server(*arguments: str) -> tuple[subprocess.Popen[bytes], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "atls", "serve", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # "ACCEPT host:port" (the server is listening)
    assert first.startswith(b"ACCEPT "), first + (process.stderr.read() if process.stderr else b"")
    return process, int(first.split(b":")[-1])


def _connect(port: int, *arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "atls", "connect", f"127.0.0.1:{port}", *arguments],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        cwd=ROOT,
        check=False,
    )


def _lines(output: bytes) -> dict[str, str]:
    pairs = (line.strip().split(": ", 1) for line in output.decode(errors="replace").splitlines() if ": " in line)
    return {pair[0]: pair[1] for pair in pairs}


def test_serve_and_connect_echo_with_mutual_tls(crypto: CryptoProvider, tmp_path: Path) -> None:
    server_files = write_files(tmp_path, credentials(crypto, "p256"), "server")
    client_files = write_files(tmp_path, credentials(crypto, "ed25519", client=True), "client")
    server, port = _start_server(
        "--cert", server_files["cert"], "--key", server_files["key"], "--cafile", client_files["ca"],
        "--verify-client", "--echo", "--once", "--alpn", "h2", "--keymatexport", "EXPORTER-cli",
        "--keymatexportlen", "24", "--crypto", crypto.name, "--groups", "P-256",
    )  # fmt: skip
    try:
        result = _connect(
            port, "--cafile", server_files["ca"], "--servername", HOSTNAME, "--cert", client_files["cert"],
            "--key", client_files["key"], "--alpn", "http/1.1,h2", "--keymatexport", "EXPORTER-cli",
            "--keymatexportlen", "24", "--crypto", crypto.name, "--key-share-groups", "X25519",
            stdin=b"first line\nsecond line\n",
        )  # fmt: skip
        server_out, server_err = server.communicate(timeout=TIMEOUT)
    finally:
        server.kill()
    assert result.returncode == 0, result.stderr
    assert server.returncode == 0, server_err
    client = _lines(result.stdout)
    served = _lines(server_out)
    assert client["Protocol"] == served["Protocol"] == "TLSv1.3"
    assert client["Ciphersuite"] == served["Ciphersuite"] == "TLS_AES_128_GCM_SHA256"
    assert client["Group"] == served["Group"] == "P-256"  # the client shares X25519 only: HRR (RFC 8446 §4.1.4)
    assert client["Peer signature scheme"] == "ecdsa_secp256r1_sha256"
    assert served["Peer signature scheme"] == "ed25519"
    assert client["Peer certificate subject"].startswith(f"CN={HOSTNAME}")
    assert served["Peer certificate subject"].startswith("CN=client.example")
    assert client["ALPN protocol"] == served["ALPN protocol"] == "h2"
    assert len(client["Keying material"]) == 48
    assert client["Keying material"] == served["Keying material"]
    assert result.stdout.endswith(b"first line\nsecond line\n")  # echoed back
    assert b"first line\nsecond line\n" in server_out


def test_connect_quit_after_handshake_and_http(crypto: CryptoProvider, tmp_path: Path) -> None:
    files = write_files(tmp_path, credentials(crypto, "rsa2048"), "server")
    server, port = _start_server("--cert", files["cert"], "--key", files["key"], "--http", "--crypto", crypto.name)
    try:
        quick = _connect(port, "--insecure", "--quit-after-handshake", "--ciphersuites", "TLS_AES_256_GCM_SHA384")
        assert quick.returncode == 0, quick.stderr
        assert _lines(quick.stdout)["Ciphersuite"] == "TLS_AES_256_GCM_SHA384"
        assert _lines(quick.stdout)["Peer signature scheme"].startswith("rsa_pss_rsae_")
        page = _connect(port, "--cafile", files["ca"], "--servername", HOSTNAME, "--http")
        assert page.returncode == 0, page.stderr
        assert b"HTTP/1.0 200 ok\r\n" in page.stdout
        assert b"atls TLS 1.3 server" in page.stdout
    finally:
        server.kill()
        server.communicate(timeout=TIMEOUT)


def test_connect_reports_the_alert(crypto: CryptoProvider, tmp_path: Path) -> None:
    files = write_files(tmp_path, credentials(crypto, "p256"), "server")
    other = write_files(tmp_path, credentials(crypto, "p256", label="other-root"), "other")
    server, port = _start_server("--cert", files["cert"], "--key", files["key"], "--once")
    try:
        result = _connect(port, "--cafile", other["ca"], "--servername", HOSTNAME)
    finally:
        server.kill()
        server.communicate(timeout=TIMEOUT)
    assert result.returncode == 1
    assert b"unknown_ca" in result.stderr  # RFC 8446 §6.2: our client's alert for an untrusted chain
