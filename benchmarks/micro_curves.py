"""Pure curve primitives vs ``cryptography``, called directly (no provider layer).

A quick check for the authors of ``ratscore/crypto/pure/curve25519.py`` and
``curve448.py``; ``crypto_ratios.py`` is the benchmark of record.  Candidates run
interleaved (see ``timing.py``); the ratio is pure / cryptography.
Run: ``python benchmarks/micro_curves.py [--rounds N] [--448]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.timing import Candidate, run_group
from ratscore.crypto.pure import curve448, curve25519

MESSAGE = bytes(range(130))

Operation = Callable[[], object]


def _rows_25519() -> list[tuple[str, float | None, Operation, Operation]]:
    from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

    scalar = os.urandom(32)
    peer = x25519.X25519PrivateKey.generate().public_key().public_bytes_raw()
    seed = os.urandom(32)
    public = curve25519.ed25519_public_key(seed)
    signature = curve25519.ed25519_sign(seed, MESSAGE)
    return [
        (
            "X25519 shared secret",
            35,
            lambda: curve25519.x25519(scalar, peer),
            lambda: x25519.X25519PrivateKey.from_private_bytes(scalar).exchange(
                x25519.X25519PublicKey.from_public_bytes(peer)
            ),
        ),
        (
            "X25519 key generation",
            8,
            lambda: curve25519.x25519_public_key(os.urandom(32)),
            lambda: x25519.X25519PrivateKey.generate().public_key().public_bytes_raw(),
        ),
        (
            "Ed25519 sign (130 B)",
            8,
            lambda: curve25519.ed25519_sign(seed, MESSAGE),
            lambda: ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(MESSAGE),
        ),
        (
            "Ed25519 verify (130 B)",
            16,
            lambda: curve25519.ed25519_verify(public, MESSAGE, signature),
            lambda: ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, MESSAGE),
        ),
    ]


def _rows_448() -> list[tuple[str, float | None, Operation, Operation]]:
    from cryptography.hazmat.primitives.asymmetric import ed448, x448

    scalar = os.urandom(56)
    peer = x448.X448PrivateKey.generate().public_key().public_bytes_raw()
    seed = os.urandom(57)
    public = curve448.ed448_public_key(seed)
    signature = curve448.ed448_sign(seed, MESSAGE)
    return [
        (
            "X448 shared secret",
            None,
            lambda: curve448.x448(scalar, peer),
            lambda: x448.X448PrivateKey.from_private_bytes(scalar).exchange(x448.X448PublicKey.from_public_bytes(peer)),
        ),
        (
            "X448 key generation",
            None,
            lambda: curve448.x448_public_key(os.urandom(56)),
            lambda: x448.X448PrivateKey.generate().public_key().public_bytes_raw(),
        ),
        (
            "Ed448 sign (130 B)",
            None,
            lambda: curve448.ed448_sign(seed, MESSAGE),
            lambda: ed448.Ed448PrivateKey.from_private_bytes(seed).sign(MESSAGE),
        ),
        (
            "Ed448 verify (130 B)",
            None,
            lambda: curve448.ed448_verify(public, MESSAGE, signature),
            lambda: ed448.Ed448PublicKey.from_public_bytes(public).verify(signature, MESSAGE),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--448", dest="with_448", action="store_true", help="also time X448 / Ed448")
    arguments = parser.parse_args()
    rows = _rows_25519() + (_rows_448() if arguments.with_448 else [])
    print(f"{'operation':26s} {'pure':>10s} {'crypto':>10s} {'ratio':>7s} {'target':>7s}")
    for label, target, pure, raw in rows:
        result = run_group(label, [Candidate("pure", pure), Candidate("cryptography", raw)], rounds=arguments.rounds)
        ratio = result.ratio("pure", "cryptography")
        verdict = "" if target is None else ("ok" if ratio <= target else "SLOW")
        print(
            f"{label:26s} {result.seconds_per_op['pure'] * 1e6:8.1f}us "
            f"{result.seconds_per_op['cryptography'] * 1e6:8.1f}us {ratio:6.1f}x "
            f"{'' if target is None else f'{target:5.0f}x'} {verdict}"
        )


if __name__ == "__main__":
    main()
