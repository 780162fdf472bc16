"""Pure-Python backend vs ``cryptography``: ratio table, measured in one process.

For each primitive three candidates run interleaved (see ``timing.py``):

* ``pure``: our pure provider, called through the provider interface;
* ``cryptography``: the ``cryptography`` package called directly, the way a
  protocol calls it (peer public keys parsed from bytes inside the timed call,
  AEAD objects pre-built);
* ``ours/crypto``: our ``cryptography`` provider, to show its translation overhead.

The ratio is pure / cryptography (raw library), the stricter denominator; a
target of 35x means "pure may be at most 35 times slower".  Run: ``make bench``
or ``python benchmarks/crypto_ratios.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.timing import Candidate, GroupResult, run_group
from ratscore.crypto import (
    AeadAlgorithm,
    CryptoProvider,
    EcdsaEncoding,
    KeyType,
    PublicKey,
    SignatureAlgorithm,
    get_provider,
)

MESSAGE = bytes(range(130))  # the size of a TLS 1.3 CertificateVerify input
KIB = bytes(1024)
AAD = bytes(20)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    target: float | None  # maximum allowed pure/cryptography ratio, None = report only
    make: Callable[[CryptoProvider], Callable[[], object]]
    make_raw: Callable[[], Callable[[], object]]


def _x25519_exchange(crypto: CryptoProvider) -> Callable[[], object]:
    key = crypto.generate_private_key(KeyType.X25519)
    peer = crypto.generate_private_key(KeyType.X25519).public_key().data
    return lambda: key.exchange(PublicKey(key_type=KeyType.X25519, data=peer))


def _raw_x25519_exchange() -> Callable[[], object]:
    from cryptography.hazmat.primitives.asymmetric import x25519

    key = x25519.X25519PrivateKey.generate()
    peer = x25519.X25519PrivateKey.generate().public_key().public_bytes_raw()
    return lambda: key.exchange(x25519.X25519PublicKey.from_public_bytes(peer))


def _keygen(key_type: KeyType) -> Callable[[CryptoProvider], Callable[[], object]]:
    return lambda crypto: lambda: crypto.generate_private_key(key_type).public_key()


def _raw_x25519_keygen() -> Callable[[], object]:
    from cryptography.hazmat.primitives.asymmetric import x25519

    return lambda: x25519.X25519PrivateKey.generate().public_key().public_bytes_raw()


def _raw_p256_keygen() -> Callable[[], object]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    return lambda: ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(*point)


def _sign(key_type: KeyType, algorithm: SignatureAlgorithm) -> Callable[[CryptoProvider], Callable[[], object]]:
    def make(crypto: CryptoProvider) -> Callable[[], object]:
        key = crypto.generate_private_key(key_type)
        return lambda: key.sign(MESSAGE, algorithm)

    return make


def _verify(
    key_type: KeyType, algorithm: SignatureAlgorithm, encoding: EcdsaEncoding = EcdsaEncoding.DER
) -> Callable[[CryptoProvider], Callable[[], object]]:
    def make(crypto: CryptoProvider) -> Callable[[], object]:
        key = crypto.generate_private_key(key_type)
        signature = key.sign(MESSAGE, algorithm, encoding=encoding)
        public = key.public_key()
        # A fresh PublicKey value per call defeats any per-key cache, as for a new peer.
        return lambda: crypto.verify(
            PublicKey(key_type=key_type, data=public.data), signature, MESSAGE, algorithm, encoding=encoding
        )

    return make


def _raw_ed25519_sign() -> Callable[[], object]:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    return lambda: key.sign(MESSAGE)


def _raw_ed25519_verify() -> Callable[[], object]:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    signature, public = key.sign(MESSAGE), key.public_key().public_bytes_raw()
    return lambda: ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, MESSAGE)


def _p256_exchange(crypto: CryptoProvider) -> Callable[[], object]:
    key = crypto.generate_private_key(KeyType.P256)
    peer = crypto.generate_private_key(KeyType.P256).public_key().data
    return lambda: key.exchange(crypto.load_public_key(KeyType.P256, peer))


def _raw_p256_exchange() -> Callable[[], object]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    curve = ec.SECP256R1()
    key = ec.generate_private_key(curve)
    peer = (
        ec.generate_private_key(curve)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return lambda: key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(curve, peer))


def _raw_ecdsa_verify() -> Callable[[], object]:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    curve = ec.SECP256R1()
    key = ec.generate_private_key(curve)
    signature = key.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return lambda: ec.EllipticCurvePublicKey.from_encoded_point(curve, point).verify(
        signature, MESSAGE, ec.ECDSA(hashes.SHA256())
    )


def _aead(algorithm: AeadAlgorithm) -> Callable[[CryptoProvider], Callable[[], object]]:
    def make(crypto: CryptoProvider) -> Callable[[], object]:
        aead = crypto.aead(algorithm, bytes(range(algorithm.key_size)))
        nonce = bytes(algorithm.nonce_size)
        return lambda: aead.encrypt(nonce, KIB, AAD)

    return make


def _raw_aead(algorithm: AeadAlgorithm) -> Callable[[], Callable[[], object]]:
    def make() -> Callable[[], object]:
        from cryptography.hazmat.primitives.ciphers import aead

        key = bytes(range(algorithm.key_size))
        impl: aead.AESGCM | aead.AESCCM | aead.ChaCha20Poly1305
        if algorithm is AeadAlgorithm.CHACHA20_POLY1305:
            impl = aead.ChaCha20Poly1305(key)
        elif algorithm.is_ccm:
            impl = aead.AESCCM(key, tag_length=algorithm.tag_size)
        else:
            impl = aead.AESGCM(key)
        nonce = bytes(algorithm.nonce_size)
        return lambda: impl.encrypt(nonce, KIB, AAD)

    return make


# Targets from the foundation issue: the best pure-Python figures seen on this machine.
ROWS = [
    Row("X25519 shared secret", 35, _x25519_exchange, _raw_x25519_exchange),
    Row("X25519 key generation", 8, _keygen(KeyType.X25519), _raw_x25519_keygen),
    Row("Ed25519 sign (130 B)", 8, _sign(KeyType.ED25519, SignatureAlgorithm.ED25519), _raw_ed25519_sign),
    Row("Ed25519 verify (130 B)", 16, _verify(KeyType.ED25519, SignatureAlgorithm.ED25519), _raw_ed25519_verify),
    Row("P-256 ECDH", 20, _p256_exchange, _raw_p256_exchange),
    Row(
        "ECDSA-P256 verify (130 B)",
        22,
        _verify(KeyType.P256, SignatureAlgorithm.ECDSA_SHA256),
        _raw_ecdsa_verify,
    ),
    Row("P-256 key generation", None, _keygen(KeyType.P256), _raw_p256_keygen),
    Row("AES-128-GCM encrypt 1 KiB", 400, _aead(AeadAlgorithm.AES_128_GCM), _raw_aead(AeadAlgorithm.AES_128_GCM)),
    Row(
        "AES-CCM-16-64-128 encrypt 1 KiB",
        600,
        _aead(AeadAlgorithm.AES_CCM_16_64_128),
        _raw_aead(AeadAlgorithm.AES_CCM_16_64_128),
    ),
    Row(
        "ChaCha20-Poly1305 encrypt 1 KiB",
        120,
        _aead(AeadAlgorithm.CHACHA20_POLY1305),
        _raw_aead(AeadAlgorithm.CHACHA20_POLY1305),
    ),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds per primitive (default 9)")
    parser.add_argument("--only", help="run rows whose label contains this text")
    args = parser.parse_args(argv)

    pure, ours = get_provider("pure"), get_provider("cryptography")
    rows = [row for row in ROWS if not args.only or args.only.lower() in row.label.lower()]
    header = (
        f"{'primitive':34} {'pure µs':>10} {'crypto µs':>10} {'ratio':>8} {'target':>8}  "
        f"{'verdict':7} {'ours/crypto µs':>14}"
    )
    print(f"pure backend vs cryptography, median of {args.rounds} interleaved rounds (ratio = pure / crypto)")
    print(header)
    print("-" * len(header))
    misses = 0
    for row in rows:
        result: GroupResult = run_group(
            row.label,
            [
                Candidate("pure", row.make(pure)),
                Candidate("cryptography", row.make_raw()),
                Candidate("ours", row.make(ours)),
            ],
            rounds=args.rounds,
        )
        ratio = result.ratio("pure", "cryptography")
        if row.target is None:
            verdict, target = "info", "-"
        else:
            verdict, target = ("ok" if ratio <= row.target else "MISS"), f"{row.target:g}x"
            misses += verdict == "MISS"
        times = result.seconds_per_op
        print(
            f"{row.label:34} {times['pure'] * 1e6:10.1f} {times['cryptography'] * 1e6:10.2f} "
            f"{ratio:7.1f}x {target:>8}  {verdict:7} {times['ours'] * 1e6:14.2f}",
            flush=True,
        )
    print(f"{misses} target(s) missed" if misses else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
