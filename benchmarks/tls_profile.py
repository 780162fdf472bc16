"""Where one TLS handshake's time goes: library calls versus the Python engine.

Not a target benchmark (``make bench`` does not run it); the numbers behind the
"Where a TLS handshake's time goes" paragraph of docs/architecture.md.  Same workload as
``tls_handshakes.py`` (ours/crypto: the client remembers no validation, so it validates every chain).

1. Each provider call the handshake makes (key generation, exchange, signature, HMAC, AEAD
   set-up and use, chain verification) is timed inside the handshake loop, and the same calls
   alone in a tight loop for comparison: the difference is what the engine's Python costs
   the library calls around it (caches).  The timer's own cost is in both columns.
2. The Python bytecodes executed per handshake, counted with ``sys.settrace`` opcode events,
   by module.

Run: ``python benchmarks/tls_profile.py [--handshakes N]``.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.tls_handshakes import mint_pki, our_configs, our_handshake
from ratscore.crypto import HashAlgorithm, KeyType, SignatureAlgorithm, cryptography_backend, get_provider
from ratscore.crypto import _hashing as hashing
from ratscore.x509 import cryptography_verify, load_der_certificate

_TIMED = (
    (cryptography_backend.CryptographyProvider, "generate_private_key", "key generation"),
    (cryptography_backend._LibPrivateKey, "exchange", "key exchange"),
    (cryptography_backend._LibPrivateKey, "sign", "signature"),
    (cryptography_backend.CryptographyProvider, "verify", "CertificateVerify check"),
    (cryptography_verify, "validate_chain", "chain verification"),
    (hashing.StdlibHashing, "hmac", "HMAC"),
    (cryptography_backend.CryptographyProvider, "aead", "AEAD key set-up"),
    (cryptography_backend._LibAead, "encrypt", "AEAD seal"),
    (cryptography_backend._LibAead, "decrypt", "AEAD open"),
)


def _time_calls(run: Callable[[], object], handshakes: int) -> tuple[float, dict[str, tuple[float, float]]]:
    """Run ``handshakes`` handshakes with every call of ``_TIMED`` timed; return the mean handshake
    time and, per label, (mean seconds per call, calls per handshake)."""
    totals: collections.defaultdict[str, float] = collections.defaultdict(float)
    counts: collections.Counter[str] = collections.Counter()
    originals: list[tuple[Any, str, Any]] = []
    clock = time.perf_counter

    def timed(function: Any, label: str) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return function(*args, **kwargs)
            finally:
                totals[label] += clock() - start
                counts[label] += 1

        return wrapper

    for owner, name, label in _TIMED:
        original = getattr(owner, name)
        originals.append((owner, name, original))
        setattr(owner, name, timed(original, label))
    try:
        start = clock()
        for _ in range(handshakes):
            run()
        elapsed = (clock() - start) / handshakes
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    return elapsed, {label: (totals[label] / counts[label], counts[label] / handshakes) for label in totals}


def _alone(label: str, pki: Any, repeat: int = 2000) -> float | None:
    """The same call in a tight loop (None where a stand-alone call is not meaningful)."""
    crypto = get_provider("cryptography")
    key = crypto.generate_private_key(KeyType.X25519)
    peer = crypto.generate_private_key(KeyType.X25519).public_key()
    signer = crypto.load_private_key(KeyType.P256, pki.leaf_key_raw)
    message = bytes(130)
    signature = signer.sign(message, SignatureAlgorithm.ECDSA_SHA256)
    leaf, anchor = load_der_certificate(pki.leaf_der), load_der_certificate(pki.ca_der)
    now = leaf.not_before.replace(microsecond=0) + (leaf.not_after - leaf.not_before) / 2
    operations: dict[str, Callable[[], object]] = {
        "key generation": lambda: crypto.generate_private_key(KeyType.X25519),
        "key exchange": lambda: key.exchange(peer),
        "signature": lambda: signer.sign(message, SignatureAlgorithm.ECDSA_SHA256),
        "CertificateVerify check": lambda: crypto.verify(
            signer.public_key(), signature, message, SignatureAlgorithm.ECDSA_SHA256
        ),
        "chain verification": lambda: cryptography_verify.validate_chain(
            leaf, [], [anchor], now=now, crypto=crypto, hostname="server.example"
        ),
        "HMAC": lambda: crypto.hmac(HashAlgorithm.SHA256, bytes(32), message),
    }
    operation = operations.get(label)
    if operation is None:
        return None
    operation()
    start = time.perf_counter()
    for _ in range(repeat):
        operation()
    return (time.perf_counter() - start) / repeat


def _count_bytecodes(run: Callable[[], object], handshakes: int) -> tuple[float, list[tuple[str, float]]]:
    by_file: collections.Counter[str] = collections.Counter()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        if event == "opcode":
            by_file[frame.f_code.co_filename.replace(root, "")] += 1
        return tracer

    sys.settrace(tracer)
    try:
        for _ in range(handshakes):
            run()
    finally:
        sys.settrace(None)
    total = sum(by_file.values()) / handshakes
    return total, [(name, count / handshakes) for name, count in by_file.most_common(12)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--handshakes", type=int, default=2000)
    args = parser.parse_args(argv)
    pki = mint_pki()
    client, server = our_configs(pki, get_provider("cryptography"), remember_validations=False)
    run = our_handshake(client, server)
    for _ in range(200):
        run()
    elapsed, calls = _time_calls(run, args.handshakes)
    print(f"one handshake (both ends, timers included): {elapsed * 1e6:.1f} µs")
    print(f"{'provider call':<26}{'per hs':>7}{'inside':>11}{'alone':>11}{'µs per hs':>11}")
    library = 0.0
    for _, _, label in _TIMED:
        if label not in calls:
            continue
        seconds, per_handshake = calls[label]
        alone = _alone(label, pki)
        library += seconds * per_handshake
        alone_text = "-" if alone is None else f"{alone * 1e6:.1f}"
        row = f"{label:<26}{per_handshake:>7.0f}{seconds * 1e6:>11.1f}{alone_text:>11}"
        print(f"{row}{seconds * per_handshake * 1e6:>11.1f}")
    rest = elapsed - library
    print(f"library calls: {library * 1e6:.1f} µs ({library / elapsed:.0%}); the rest: {rest * 1e6:.1f} µs")
    total, files = _count_bytecodes(run, max(1, args.handshakes // 100))
    print(f"\nPython bytecodes per handshake: {total:,.0f}")
    for name, count in files:
        print(f"  {count:>7,.0f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
