"""Attestation throughput: evidence generation and appraisal per second, and the cost target.

Per crypto backend, interleaved (see ``timing.py``):

* software attester: evidence generation (an EAT signed in COSE_Sign1) and appraisal
  by ``LocalVerifier`` (decode, dispatch, kid lookup, signature, binder, reference
  measurements; ``freshness = "none"`` so one piece of evidence can be appraised
  repeatedly — the nonce store adds a dict operation);
* one ES256 signature verification on the same backend.

Target (issue #5): appraisal of a software EAT costs no more than two signature
verifications on the same backend: ``appraisal / (2 x verify) <= 1.0``.

With swtpm and tpm2-tools installed, the TPM attester runs against a swtpm started
here: quote generation (tpm2-tools subprocesses) and appraisal per backend.

Run: ``python benchmarks/attestation.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.timing import Candidate, run_group
from ratscore.attestation import cmw, tpm
from ratscore.attestation.policy import Policy
from ratscore.attestation.software import SoftwareAttester
from ratscore.attestation.verifier import LocalVerifier
from ratscore.crypto import EcdsaEncoding, KeyType, SignatureAlgorithm, available_backends, get_provider
from ratscore.crypto.encoding import pem_encode, public_key_to_spki

BINDER = bytes(range(32))
TARGET = 1.0


def software_group(backend: str, directory: Path, rounds: int) -> float:
    crypto = get_provider(backend)
    measured = directory / "app.conf"
    measured.write_bytes(b"mode = strict\n")
    attester = SoftwareAttester.create(directory / f"{backend}.pem", measured_files=[measured], crypto=crypto)
    policy = Policy.from_mapping(
        {
            "freshness": "none",
            "software": {
                "trusted_keys": [pem_encode("PUBLIC KEY", public_key_to_spki(attester.key.public_key()))],
                "reference_values": {name: digest.hex() for name, digest in attester.reference_values().items()},
            },
        }
    )
    verifier = LocalVerifier(policy, crypto=crypto)
    wire = cmw.encode_cbor(attester.evidence(BINDER))
    assert verifier.appraise(wire, binder=BINDER, now=0).affirming
    key = crypto.generate_private_key(KeyType.P256)
    public = key.public_key()
    message = wire[:200]
    signature = key.sign(message, SignatureAlgorithm.ECDSA_SHA256, encoding=EcdsaEncoding.RAW)

    def verify() -> None:
        crypto.verify(public, signature, message, SignatureAlgorithm.ECDSA_SHA256, encoding=EcdsaEncoding.RAW)

    result = run_group(
        f"software/{backend}",
        [
            Candidate("evidence", lambda: attester.evidence(BINDER)),
            Candidate("appraise", lambda: verifier.appraise(wire, binder=BINDER, now=0)),
            Candidate("verify", verify),
        ],
        rounds=rounds,
    )
    ratio = result.seconds_per_op["appraise"] / (2 * result.seconds_per_op["verify"])
    print(
        f"software attester [{backend:12}] evidence {1 / result.seconds_per_op['evidence']:8.0f}/s  "
        f"appraisal {1 / result.seconds_per_op['appraise']:8.0f}/s  "
        f"ES256 verify {1 / result.seconds_per_op['verify']:8.0f}/s  "
        f"appraisal/(2 x verify) = {ratio:.2f} (target <= {TARGET}) {'ok' if ratio <= TARGET else 'MISSED'}"
    )
    print(f"  appraisal components: {len(attester.components)} measured components")
    return ratio


def _appraisal(verifier: LocalVerifier, wire: bytes) -> Callable[[], object]:
    return lambda: verifier.appraise(wire, binder=BINDER, now=0)


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
    raise RuntimeError("no free port pair")


def tpm_group(directory: Path, rounds: int) -> None:
    missing = [tool for tool in ("swtpm", "tpm2_quote", "tpm2_createak") if shutil.which(tool) is None]
    if missing:
        print(f"TPM attester: skipped ({', '.join(missing)} not installed)")
        return
    state = directory / "swtpm"
    state.mkdir()
    port = _free_port_pair()
    process = subprocess.Popen(
        ["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={state}",
         "--server", f"type=tcp,port={port},bindaddr=127.0.0.1",
         "--ctrl", f"type=tcp,port={port + 1},bindaddr=127.0.0.1", "--flags", "not-need-init,startup-clear"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(0.3)
        config = tpm.TpmConfig(
            tcti=f"swtpm:host=127.0.0.1,port={port}", work_dir=directory / "tpm", pcr_selection="sha256:0,1,2,3,4,5,6,7"
        )
        attester = tpm.TpmAttester.provision(config)
        samples = []
        for _ in range(max(5, rounds)):
            start = time.perf_counter()
            quote = attester.quote(BINDER)
            samples.append(time.perf_counter() - start)
        samples.sort()
        print(f"TPM attester [swtpm, tpm2-tools] quote generation {1 / samples[len(samples) // 2]:8.1f}/s (median)")
        wire = cmw.encode_cbor(quote.to_cmw())
        reference = {f"sha256:{index}": value.hex() for (_, index), value in quote.pcr_values.items()}
        spki = pem_encode("PUBLIC KEY", attester.ak_spki)
        policy = Policy.from_mapping(
            {
                "freshness": "none",
                "tpm": {"trusted_aks": [spki], "pcr_selection": config.pcr_selection, "reference_pcrs": reference},
            }
        )
        for backend in available_backends():
            verifier = LocalVerifier(policy, crypto=backend)
            assert verifier.appraise(wire, binder=BINDER, now=0).affirming
            result = run_group(f"tpm/{backend}", [Candidate("appraise", _appraisal(verifier, wire))])
            print(f"TPM attester [{backend:12}] appraisal {1 / result.seconds_per_op['appraise']:8.0f}/s")
    finally:
        process.terminate()
        process.wait(timeout=5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    arguments = parser.parse_args()
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="ratscore-bench-") as scratch:
        directory = Path(scratch)
        for backend in available_backends():
            worst = max(worst, software_group(backend, directory, arguments.rounds))
        tpm_group(directory, arguments.rounds)
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
