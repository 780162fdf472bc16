"""``python -m ratscore``: show the crypto backends and run known-answer tests on each.

This is what ``make demo`` runs until the protocol demos exist.  Every expected
value below is copied from the RFC named beside it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from ratscore import cbor
from ratscore.crypto import (
    BACKEND_NAMES,
    AeadAlgorithm,
    CryptoProvider,
    HashAlgorithm,
    KeyType,
    SignatureAlgorithm,
    get_provider,
)
from ratscore.errors import CryptoError, UnsupportedAlgorithm

_h = bytes.fromhex


def _hkdf(crypto: CryptoProvider) -> bool:
    # RFC 5869 §A.1, test case 1
    prk = crypto.hkdf_extract(HashAlgorithm.SHA256, _h("000102030405060708090a0b0c"), bytes([0x0B] * 22))
    okm = crypto.hkdf_expand(HashAlgorithm.SHA256, prk, _h("f0f1f2f3f4f5f6f7f8f9"), 42)
    return okm == _h("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")


def _x25519(crypto: CryptoProvider) -> bool:
    # RFC 7748 §6.1
    alice = crypto.load_private_key(
        KeyType.X25519, _h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    )
    bob_public = crypto.load_public_key(
        KeyType.X25519, _h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    )
    expected_alice_public = _h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    shared = _h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    return alice.public_key().data == expected_alice_public and alice.exchange(bob_public) == shared


def _ed25519(crypto: CryptoProvider) -> bool:
    # RFC 8032 §7.1, TEST 1 (empty message)
    key = crypto.load_private_key(
        KeyType.ED25519, _h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    signature = _h(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    if key.public_key().data != _h("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"):
        return False
    if key.sign(b"", SignatureAlgorithm.ED25519) != signature:
        return False
    crypto.verify(key.public_key(), signature, b"", SignatureAlgorithm.ED25519)
    return True


def _chacha20_poly1305(crypto: CryptoProvider) -> bool:
    # RFC 8439 §2.8.2
    aead = crypto.aead(AeadAlgorithm.CHACHA20_POLY1305, bytes(range(0x80, 0xA0)))
    plaintext = (
        b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
        b"sunscreen would be it."
    )
    nonce, aad = _h("070000004041424344454647"), _h("50515253c0c1c2c3c4c5c6c7")
    sealed = aead.encrypt(nonce, plaintext, aad)
    return (
        sealed[:4] == _h("d31a8d34")
        and sealed[-16:] == _h("1ae10b594f09e26a7e902ecbd0600691")
        and (aead.decrypt(nonce, sealed, aad) == plaintext)
    )


def _cbor() -> bool:
    # RFC 8949 Appendix A
    return cbor.encode([1, [2, 3], [4, 5]]) == _h("8301820203820405") and cbor.decode(_h("a26161016162820203")) == {
        "a": 1,
        "b": [2, 3],
    }


_CHECKS: list[tuple[str, Callable[[CryptoProvider], bool]]] = [
    ("HKDF-SHA256 (RFC 5869 A.1)", _hkdf),
    ("X25519 (RFC 7748 6.1)", _x25519),
    ("Ed25519 (RFC 8032 7.1 TEST 1)", _ed25519),
    ("ChaCha20-Poly1305 (RFC 8439 2.8.2)", _chacha20_poly1305),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ratscore", description=__doc__)
    parser.add_argument("--crypto", choices=BACKEND_NAMES, help="check one backend only")
    args = parser.parse_args(argv)

    print(f"attested-stack ratscore self-check, Python {sys.version.split()[0]}")
    env = os.environ.get("RATSCORE_CRYPTO")
    print(f"default backend: {get_provider().name}" + (f" (RATSCORE_CRYPTO={env})" if env else ""))
    failures = 0
    names = [args.crypto] if args.crypto else list(BACKEND_NAMES)
    for name in names:
        try:
            crypto = get_provider(name)
        except UnsupportedAlgorithm as exc:
            print(f"backend {name}: not available ({exc})")
            continue
        print(f"backend {name}:")
        for label, check in _CHECKS:
            start = time.perf_counter()
            detail = ""
            try:
                ok = check(crypto)
            except CryptoError as exc:
                ok = False
                detail = f" raised {type(exc).__name__}: {exc}"
            elapsed = (time.perf_counter() - start) * 1000
            failures += not ok
            print(f"  {'ok  ' if ok else 'FAIL'} {label}{detail}  [{elapsed:.1f} ms]")
    ok = _cbor()
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} strict CBOR (RFC 8949 App. A)")
    print("all known-answer tests passed" if not failures else f"{failures} known-answer test(s) FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
