"""The command line every harness shares: atheris when installed, else a plain random driver.

``python fuzz/<harness>.py -runs=N`` runs atheris (libFuzzer flags pass through);
``--plain [-runs=N] [--seed=S]`` runs the plain driver: random inputs, no coverage
guidance, the same invariant checks.  Without atheris the plain driver runs and says so.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ratscore.crypto import CryptoProvider, available_backends, get_provider

__all__ = ["fuzz_main"]

# A harness builds its checker once per process (recorded handshakes, keys, ...).
Setup = Callable[[CryptoProvider], Callable[[bytes], None]]
PlainInput = Callable[[random.Random, int], bytes]


def _backend() -> CryptoProvider:
    return get_provider("cryptography" if "cryptography" in available_backends() else "pure")


def _plain(setup: Setup, plain_input: PlainInput, runs: int, seed: int | None) -> int:
    rng = random.Random(seed)
    crypto = _backend()
    check = setup(crypto)
    for run in range(runs):
        check(plain_input(rng, run))
    print(f"plain driver: {runs} inputs on the {crypto.name} backend, no invariant violation")
    return 0


def fuzz_main(argv: list[str], *, setup: Setup, plain_input: PlainInput) -> int:
    if "--plain" in argv:
        runs, seed = 1000, None
        for arg in argv:
            if arg.startswith("-runs="):
                runs = int(arg.split("=", 1)[1])
            elif arg.startswith("--seed="):
                seed = int(arg.split("=", 1)[1])
        return _plain(setup, plain_input, runs, seed)
    try:
        import atheris  # type: ignore[import-untyped,import-not-found,unused-ignore]  # no stubs
    except ImportError:
        print("atheris is not installed (pip install atheris); running the plain driver instead")
        return fuzz_main([*argv, "--plain"], setup=setup, plain_input=plain_input)
    atheris.instrument_all()  # coverage feedback for the already imported project code
    check = setup(_backend())
    atheris.Setup([argv[0], *[arg for arg in argv[1:] if not arg.startswith("--seed=")]], check)
    atheris.Fuzz()
    return 0
