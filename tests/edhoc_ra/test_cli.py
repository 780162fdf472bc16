"""``python -m edhoc_ra``: demo in process, server and client as real processes on loopback."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from edhoc_ra import Credential
from ratscore.crypto import BACKEND_NAMES, KeyType, get_provider
from ratscore.crypto.encoding import pem_encode, private_key_to_pkcs8

pytest.importorskip("aiocoap", reason="aiocoap is not installed (pip install 'attested-stack[coap]')")
pytest.importorskip(
    "aiocoap.oscore", reason="aiocoap's OSCORE dependencies are missing (pip install 'aiocoap[oscore]')"
)

from edhoc_ra.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def field(output: str, label: str, name: str) -> list[str]:
    """Every value of ``name`` in the blocks printed by ``label`` ([server] / [client])."""
    blocks = re.findall(rf"\[{label}\] EDHOC session completed.*?(?=\n\[|\Z)", output, re.S)
    return [re.search(rf"{re.escape(name)}:?\s+(\S+)", block).group(1) for block in blocks]  # type: ignore[union-attr]


@pytest.mark.parametrize("backend", BACKEND_NAMES)
@pytest.mark.parametrize(
    ("options", "expected_suite"),
    [
        ([], "2"),
        (["--flow", "reverse", "--message-4"], "2"),
        (["--method", "0", "--suite", "0"], "0"),
        (["--suite", "3", "--suite", "2"], "3"),
    ],
    ids=["forward", "reverse-message-4", "method-0-suite-0", "suite-preference"],
)
def test_demo(backend: str, options: list[str], expected_suite: str) -> None:
    out = io.StringIO()
    assert main(["demo", "--crypto", backend, *options], out=out) == 0
    text = out.getvalue()
    assert field(text, "server", "OSCORE master secret") == field(text, "client", "OSCORE master secret")
    assert len(field(text, "client", "OSCORE master secret")[0]) == 32  # 16 bytes (App. A.1)
    assert field(text, "server", "OSCORE sender ID") == field(text, "client", "OSCORE recipient ID")
    assert field(text, "client", "cipher suite") == [expected_suite]
    assert "2.05 Content hello from edhoc_ra (OSCORE" in text


def test_bad_arguments() -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--key", "x.pem"], out=io.StringIO())  # --key without --cred
    with pytest.raises(SystemExit):
        main(["client", "--crypto", "none"], out=io.StringIO())


def _spawn(*arguments: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "edhoc_ra", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _run_pair(server_arguments: list[str], client_arguments: list[str]) -> tuple[int, str, int, str]:
    port = str(free_udp_port())
    server = _spawn("server", "--port", port, "--sessions", "1", *server_arguments)
    try:
        assert server.stdout is not None
        for line in server.stdout:  # wait until it is bound
            if "listening on" in line:
                break
        client = subprocess.run(
            [sys.executable, "-m", "edhoc_ra", "client", "--port", port, "--timeout", "5", *client_arguments],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        server_output, _ = server.communicate(timeout=TIMEOUT)
        return client.returncode, client.stdout + client.stderr, server.returncode, server_output
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_server_and_client_processes_with_generated_credentials() -> None:
    client_rc, client_out, server_rc, server_out = _run_pair([], ["--oscore-get", "/hello"])
    assert client_rc == 0, client_out
    assert server_rc == 0, server_out
    assert field(client_out, "client", "OSCORE master secret") == field(server_out, "server", "OSCORE master secret")
    assert "2.05 Content hello from edhoc_ra (OSCORE" in client_out


def _write_identity(directory: Path, name: str) -> tuple[Path, Path]:
    """A P-256 key as PKCS#8 PEM and its CCS credential (CBOR) with a kid."""
    crypto = get_provider()
    key = crypto.generate_private_key(KeyType.P256)
    key_path, cred_path = directory / f"{name}.pem", directory / f"{name}.ccs"
    pkcs8 = private_key_to_pkcs8(KeyType.P256, key.private_bytes(), key.public_key().data)
    key_path.write_text(pem_encode("PRIVATE KEY", pkcs8))
    kid = b"\x0a" if name == "server" else b"\x0b"
    cred_path.write_bytes(Credential.from_public_key(key.public_key(), kid=kid, subject=name).cred)
    return key_path, cred_path


def test_given_ccs_credentials_pinned_and_by_reference(tmp_path: Path) -> None:
    server_key, server_cred = _write_identity(tmp_path, "server")
    client_key, client_cred = _write_identity(tmp_path, "client")
    common = ["--by-reference", "--crypto", "pure"]
    client_rc, client_out, server_rc, server_out = _run_pair(
        ["--key", str(server_key), "--cred", str(server_cred), "--peer-cred", str(client_cred), *common],
        ["--key", str(client_key), "--cred", str(client_cred), "--peer-cred", str(server_cred), *common],
    )
    assert client_rc == 0, client_out
    assert server_rc == 0, server_out
    assert "trust on first use" not in client_out + server_out
    assert field(client_out, "client", "peer credential") == ["ccs,"]
    assert "kid 0a" in client_out
    assert "kid 0b" in server_out


def test_pinned_credential_mismatch_fails(tmp_path: Path) -> None:
    _, stranger_cred = _write_identity(tmp_path, "stranger")
    port = str(free_udp_port())
    server = _spawn("server", "--port", port, "--sessions", "1")
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "listening on" in line:
                break
        client = subprocess.run(
            [sys.executable, "-m", "edhoc_ra", "client", "--port", port, "--peer-cred", str(stranger_cred)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert client.returncode == 1
        assert "error: UnspecifiedEdhocError" in client.stderr  # the server's credential is not the pinned one
    finally:
        server.kill()
        server.wait()


def test_x509_credential(tmp_path: Path) -> None:
    x509 = pytest.importorskip("cryptography.x509", reason="the test builds a certificate with cryptography")
    import datetime

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edhoc server")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = tmp_path / "server.pem", tmp_path / "server.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    client_rc, client_out, server_rc, server_out = _run_pair(
        ["--key", str(key_path), "--cred", str(cert_path), "--by-reference"],
        ["--peer-cred", str(cert_path), "--oscore-get", "hello"],
    )
    assert client_rc == 0, client_out
    assert server_rc == 0, server_out
    assert field(client_out, "client", "peer credential") == ["x509,"]
