"""The TPM attester against a real software TPM (swtpm) driven by tpm2-tools.

One swtpm per test session, on a free loopback port, with one ECC AK; it is
stopped afterwards.  tpm2-tools' own ``tpm2_checkquote``, ``tpm2_pcrread`` and
``tpm2_print`` serve as independent oracles.  Without swtpm or tpm2-tools every
test here skips, and the reason is printed (a warning plus the skip reason).
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from ratscore.attestation import cmw, tpm
from ratscore.attestation.errors import BadSignature, StaleNonce
from ratscore.attestation.tpm_structures import TpmAlgorithm, parse_attest
from ratscore.crypto import CryptoProvider

TOOLS = ("swtpm", "tpm2_createek", "tpm2_createak", "tpm2_quote", "tpm2_checkquote", "tpm2_flushcontext")
SELECTION = "sha256:0,1,2,16"
SHA256 = int(TpmAlgorithm.SHA256)
EXTEND_VALUE = bytes(range(32))


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port pair")


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def swtpm_tcti(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"swtpm/tpm2-tools not installed ({', '.join(missing)} missing): TPM tests skipped"
        warnings.warn(reason, stacklevel=1)
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("swtpm-state")
    for _ in range(3):
        port = _free_port_pair()
        process = subprocess.Popen(
            ["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={state}",
             "--server", f"type=tcp,port={port},bindaddr=127.0.0.1",
             "--ctrl", f"type=tcp,port={port + 1},bindaddr=127.0.0.1",
             "--flags", "not-need-init,startup-clear"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        if _wait_for(port, process):
            break
        process.kill()
        process.wait()
    else:
        pytest.fail("swtpm did not start")
    try:
        yield f"swtpm:host=127.0.0.1,port={port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def attester(swtpm_tcti: str, tmp_path_factory: pytest.TempPathFactory) -> tpm.TpmAttester:
    work = tmp_path_factory.mktemp("tpm-keys")
    config = tpm.TpmConfig(tcti=swtpm_tcti, work_dir=work, pcr_selection=SELECTION)
    attester = tpm.TpmAttester.provision(config)
    # Give PCR 16 (the resettable debug PCR) a known non-zero value.
    run(swtpm_tcti, "tpm2_pcrextend", f"16:sha256={EXTEND_VALUE.hex()}")
    return attester


def run(tcti: str, *command: str) -> subprocess.CompletedProcess[bytes]:
    import os

    return subprocess.run(command, capture_output=True, env={**os.environ, "TPM2TOOLS_TCTI": tcti}, check=False)


def pcr16() -> bytes:
    # TPM 2.0 Part 1 §17.2 (PCR extend): new = H(old || data); PCR 16 starts at zero after reset.
    return hashlib.sha256(bytes(32) + EXTEND_VALUE).digest()


def test_quote_round_trip_verifies(attester: tpm.TpmAttester, crypto: CryptoProvider) -> None:
    binder = b"session-binder-0123456789abcdef"
    wire = cmw.encode_cbor(attester.evidence(binder))
    verified = tpm.verify_quote(
        cmw.decode(wire),
        binder=binder,
        trusted_aks=[attester.ak_public_key],
        expected_selection=tpm.parse_selection(SELECTION),
        crypto=crypto,
    )
    assert verified.pcr_values[(SHA256, 16)] == pcr16()
    assert verified.pcr_values[(SHA256, 0)] == bytes(32)


def test_pcr_values_match_pcrread(attester: tpm.TpmAttester, swtpm_tcti: str) -> None:
    done = run(swtpm_tcti, "tpm2_pcrread", SELECTION, "-o", "/dev/stdout")
    assert done.returncode == 0, done.stderr
    values = attester.quote(bytes(8)).pcr_values
    assert done.stdout.endswith(b"".join(values[(SHA256, index)] for index in (0, 1, 2, 16)))


def test_parser_agrees_with_tpm2_print(attester: tpm.TpmAttester, tmp_path: Path) -> None:
    quote = attester.quote(b"print-check-123")
    (tmp_path / "attest").write_bytes(quote.attest)
    printed = subprocess.run(["tpm2_print", "-t", "TPMS_ATTEST", str(tmp_path / "attest")],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    attest = parse_attest(quote.attest)
    assert f"extraData: {attest.extra_data.hex()}" in printed
    assert f"pcrDigest: {attest.pcr_digest.hex()}" in printed
    assert f"clock: {attest.clock_info.clock}" in printed


def write_quote(directory: Path, quote: tpm.TpmQuoteEvidence) -> None:
    (directory / "attest").write_bytes(quote.attest)
    (directory / "sig").write_bytes(quote.signature)
    (directory / "ak.der").write_bytes(quote.ak_spki)
    subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", str(directory / "ak.der"),
                    "-out", str(directory / "ak.pem")], check=True, capture_output=True)  # fmt: skip
    values = b"".join(quote.pcr_values[(SHA256, index)] for index in (0, 1, 2, 16))
    (directory / "pcrs").write_bytes(values)


def checkquote(tcti: str, directory: Path, qualification: bytes) -> int:
    done = run(tcti, "tpm2_checkquote", "-u", str(directory / "ak.pem"), "-m", str(directory / "attest"),
               "-s", str(directory / "sig"), "-f", str(directory / "pcrs"), "-l", SELECTION,
               "-g", "sha256", "-q", qualification.hex())  # fmt: skip
    return done.returncode


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI needed to hand tpm2_checkquote a PEM")
def test_tpm2_checkquote_agrees(attester: tpm.TpmAttester, swtpm_tcti: str, tmp_path: Path) -> None:
    binder = b"checkquote-binder"
    quote = attester.quote(binder)
    write_quote(tmp_path, quote)
    assert checkquote(swtpm_tcti, tmp_path, binder) == 0
    tpm.verify_quote(quote, binder=binder, trusted_aks=[attester.ak_public_key])


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI needed to hand tpm2_checkquote a PEM")
def test_both_reject_flipped_signature(
    attester: tpm.TpmAttester, swtpm_tcti: str, tmp_path: Path, crypto: CryptoProvider
) -> None:
    binder = b"flip-binder-0001"
    quote = attester.quote(binder)
    signature = bytearray(quote.signature)
    signature[-1] ^= 0x80
    broken = dataclasses.replace(quote, signature=bytes(signature))
    write_quote(tmp_path, broken)
    assert checkquote(swtpm_tcti, tmp_path, binder) != 0
    with pytest.raises(BadSignature):
        tpm.verify_quote(broken, binder=binder, trusted_aks=[attester.ak_public_key], crypto=crypto)


def test_long_binder_goes_in_hashed(attester: tpm.TpmAttester) -> None:
    binder = bytes(range(64))
    quote = attester.quote(binder)
    assert parse_attest(quote.attest).extra_data == hashlib.sha256(binder).digest()
    tpm.verify_quote(quote, binder=binder, trusted_aks=[attester.ak_public_key])
    with pytest.raises(StaleNonce):
        tpm.verify_quote(quote, binder=binder[:-1] + b"\0", trusted_aks=[attester.ak_public_key])


def test_quote_of_other_pcrs_is_rejected(attester: tpm.TpmAttester) -> None:
    narrower = tpm.TpmAttester(
        dataclasses.replace(attester.config, pcr_selection="sha256:0,1"),
        ak_context=attester.ak_context,
        ak_spki=attester.ak_spki,
    )
    quote = narrower.quote(b"narrow-binder")
    with pytest.raises(tpm.PcrSelectionMismatch):
        tpm.verify_quote(
            quote,
            binder=b"narrow-binder",
            trusted_aks=[attester.ak_public_key],
            expected_selection=tpm.parse_selection(SELECTION),
        )
