"""Interleaved A/B of two versions of ``atls`` in one process: is a change to the engine faster?

Separate benchmark runs drift by a few per cent on these machines, more than most single
changes to the engine gain.  This runs the working tree's ``atls`` and an earlier copy as two
candidates of ``timing.run_group`` (the same workload as ``tls_handshakes.py``'s ours/crypto:
X25519, ECDSA-P256 under one CA, AES-128-GCM, the chain validated on every handshake:
``remember_validations=False`` where the version has it, the validated-chain cache emptied
before each handshake where it does not), so drift hits both alike.  ``ratscore`` is shared: the comparison covers what
differs under ``atls/``.

    git worktree add /tmp/atls-base HEAD~3
    python benchmarks/tls_ab.py /tmp/atls-base/atls [--rounds 15]

The earlier package is copied to a temporary directory as ``atls_base`` (its imports are
relative, so it loads as a package of its own).  Not part of ``make bench``: it has no target.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from types import ModuleType
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.timing import Candidate, run_group
from benchmarks.tls_handshakes import HOSTNAME, Pki, mint_pki
from ratscore.crypto import CryptoProvider, KeyType, get_provider
from ratscore.x509 import load_der_certificate


def _load_base(path: str) -> ModuleType:
    if not os.path.isfile(os.path.join(path, "__init__.py")):
        raise SystemExit(f"{path} is not an atls package directory")
    directory = tempfile.mkdtemp(prefix="atls-ab-")
    shutil.copytree(path, os.path.join(directory, "atls_base"), ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, directory)
    return importlib.import_module("atls_base")


def _handshake(package: Any, pki: Pki, crypto: CryptoProvider) -> Callable[[], object]:
    """One full handshake with ``package``'s classes (each version has its own config type)."""
    certificates = importlib.import_module(package.__name__ + ".certificates")
    suites, groups = (package.CipherSuite.TLS_AES_128_GCM_SHA256,), (package.NamedGroup.X25519,)
    server_config = package.TLSConfig(
        cipher_suites=suites,
        groups=groups,
        certificate_chain=(pki.leaf_der,),
        private_key=crypto.load_private_key(KeyType.P256, pki.leaf_key_raw),
        verify_mode=package.VerifyMode.NONE,
        crypto=crypto,
    )
    # Versions before ``remember_validations`` validate every chain only with the cache emptied.
    remembers = "remember_validations" not in {field.name for field in dataclasses.fields(package.TLSConfig)}
    client_config = package.TLSConfig(
        cipher_suites=suites,
        groups=groups,
        trust_anchors=(load_der_certificate(pki.ca_der),),
        server_name=HOSTNAME,
        crypto=crypto,
        **({} if remembers else {"remember_validations": False}),
    )
    completed = package.HandshakeCompleted

    def run() -> object:
        if remembers:
            certificates.forget_validations()
        client, server = package.ClientConnection(client_config), package.ServerConnection(server_config)
        done = 0
        while True:
            to_server = client.data_to_send()
            if to_server:
                done += sum(isinstance(event, completed) for event in server.receive_data(to_server))
            to_client = server.data_to_send()
            if to_client:
                done += sum(isinstance(event, completed) for event in client.receive_data(to_client))
            if not to_server and not to_client:
                break
        assert done == 2
        return client

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="directory of the earlier atls package (e.g. a git worktree's atls/)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch-seconds", type=float, default=0.15)
    args = parser.parse_args(argv)
    base = _load_base(args.base)
    current = importlib.import_module("atls")
    pki, crypto = mint_pki(), get_provider("cryptography")
    result = run_group(
        "atls A/B",
        [Candidate("base", _handshake(base, pki, crypto)), Candidate("current", _handshake(current, pki, crypto))],
        rounds=args.rounds,
        batch_seconds=args.batch_seconds,
    )
    seconds = result.seconds_per_op
    for name, value in seconds.items():
        print(f"  {name:<8} {value * 1e6:8.1f} µs per handshake")
    print(f"  current is {seconds['base'] / seconds['current']:.3f}x the base's speed (>1: faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
