"""RSA in pure Python: key generation, RSASSA-PSS and RSASSA-PKCS1-v1_5 (RFC 8017).

NOT CONSTANT-TIME.  Python integers leak timing through their arithmetic, and the
private operation is not blinded.  Use the ``cryptography`` backend where side
channels matter.

Theory of operation: keys travel as DER ``RSAPrivateKey`` (parsed by
``ratscore.crypto.encoding``), callers hash the message and hand us the digest.
Signing encodes the digest into EM (EMSA-PSS or EMSA-PKCS1-v1_5), runs the
private operation with the CRT (RFC 8017 §5.1.2 2.b) and re-checks the result
with the public exponent before releasing it, so a computation fault cannot leak
a factor of n.  Verification is total: a malformed signature, a wrong-length
digest or a key outside 1024..8192 bits gives ``False`` (the provider applies the
stricter 2048..4096 policy); only an unknown hash name raises.
PKCS#1 v1.5 verification re-encodes the expected EM and compares it whole
(RFC 8017 §8.2.2 step 3-4), never parsing the padding.

Key generation follows FIPS 186-5 §A.1.3 (probable primes): p and q of exactly
nlen/2 bits with the top two bits set (so n has exactly nlen bits, and
p, q ≥ √2·2^(nlen/2-1)), |p - q| > 2^(nlen/2-100), d = e⁻¹ mod λ(n) with
d > 2^(nlen/2), and Miller-Rabin rounds from FIPS 186-5 Table B.1.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable

from ratscore.errors import CryptoError, UnsupportedAlgorithm

from ..encoding import rsa_private_key_der, rsa_private_key_numbers

__all__ = [
    "rsa_generate",
    "rsa_pkcs1v15_sign",
    "rsa_pkcs1v15_verify",
    "rsa_pss_sign",
    "rsa_pss_verify",
]

# Hashes our signature algorithms use, with their lengths.
_HASH_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}

# RFC 8017 §9.2 Note 1: DER of DigestInfo up to (not including) the digest.
_DIGEST_INFO_PREFIX = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}

_GENERATE_MIN_BITS = 1024  # < 2048 only for tests: FIPS 186-5 §A.1.1 requires nlen ≥ 2048
_GENERATE_MAX_BITS = 4096
_VERIFY_MIN_BITS = 1024
_VERIFY_MAX_BITS = 8192


def _hash_length(hash_name: str) -> int:
    if hash_name not in _HASH_LENGTHS:
        raise UnsupportedAlgorithm(f"RSA signatures with {hash_name!r} are not supported")
    return _HASH_LENGTHS[hash_name]


def _check_digest(digest: bytes, hash_name: str) -> None:
    if len(digest) != _hash_length(hash_name):
        raise CryptoError(f"digest must be {_hash_length(hash_name)} bytes for {hash_name}")


# ---------------------------------------------------------------------------
# Primitives


def _private_operation(numbers: tuple[int, ...], message: int) -> int:
    """RSASP1 with CRT and a fault check (RFC 8017 §5.2.1) on (n, e, d, p, q, dP, dQ, qInv)."""
    n, e, _d, p, q, dp, dq, qinv = numbers
    if not 0 <= message < n:  # RFC 8017 §5.2.1 step 1
        raise CryptoError("message representative out of range")
    # RFC 8017 §5.1.2 step 2.b: m_1 = c^dP mod p, m_2 = c^dQ mod q, h = (m_1 - m_2)·qInv mod p.
    m1 = pow(message, dp, p)
    m2 = pow(message, dq, q)
    h = ((m1 - m2) * qinv) % p
    signature = m2 + q * h
    if pow(signature, e, n) != message:  # fault check before anything leaves
        raise CryptoError("RSA private operation failed its consistency check")
    return signature


def _modulus_length(n: int) -> int:
    return (n.bit_length() + 7) // 8


def _public_operation(n: int, e: int, signature: bytes) -> int | None:
    """RSAVP1 on an octet string (RFC 8017 §8.1.2 step 1-2, §5.2.2), or None if out of range."""
    if len(signature) != _modulus_length(n):  # RFC 8017 §8.1.2 step 1: length check
        return None
    s = int.from_bytes(signature, "big")
    if s >= n:  # RFC 8017 §5.2.2 step 1
        return None
    return pow(s, e, n)


def _check_public_key(n: int, e: int) -> bool:
    return _VERIFY_MIN_BITS <= n.bit_length() <= _VERIFY_MAX_BITS and n % 2 == 1 and e % 2 == 1 and 3 <= e < n


def _mgf1(seed: bytes, length: int, hash_name: str) -> bytes:
    """MGF1 (RFC 8017 §B.2.1)."""
    output = bytearray()
    counter = 0
    while len(output) < length:
        output += hashlib.new(hash_name, seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return bytes(output[:length])


# ---------------------------------------------------------------------------
# RSASSA-PSS (RFC 8017 §8.1, §9.1)


def _pss_hash(hash_name: str, digest: bytes, salt: bytes) -> bytes:
    # RFC 8017 §9.1.1 steps 5-6: M' = (0x)00 00 00 00 00 00 00 00 || mHash || salt; H = Hash(M').
    return hashlib.new(hash_name, bytes(8) + digest + salt).digest()


def rsa_pss_sign(private_der: bytes, digest: bytes, hash_name: str, salt: bytes) -> bytes:
    """RSASSA-PSS-SIGN (RFC 8017 §8.1.1) of a message digest, MGF1 over the same hash."""
    _check_digest(digest, hash_name)
    numbers = rsa_private_key_numbers(private_der)
    n = numbers[0]
    hash_length = len(digest)
    em_bits = n.bit_length() - 1  # RFC 8017 §8.1.1 step 1: modBits - 1
    em_length = (em_bits + 7) // 8
    if em_length < hash_length + len(salt) + 2:  # RFC 8017 §9.1.1 step 3
        raise UnsupportedAlgorithm("RSA modulus too small for this hash and salt length")
    h = _pss_hash(hash_name, digest, salt)
    # RFC 8017 §9.1.1 steps 7-8: DB = PS || 0x01 || salt.
    db = bytes(em_length - len(salt) - hash_length - 2) + b"\x01" + salt
    # Steps 9-11: maskedDB = DB xor MGF(H, emLen - hLen - 1), leftmost 8emLen - emBits bits zeroed.
    masked = bytearray(a ^ b for a, b in zip(db, _mgf1(h, len(db), hash_name), strict=True))
    masked[0] &= 0xFF >> (8 * em_length - em_bits)
    encoded = bytes(masked) + h + b"\xbc"  # step 12: EM = maskedDB || H || 0xbc
    signature = _private_operation(numbers, int.from_bytes(encoded, "big"))
    return signature.to_bytes(_modulus_length(n), "big")  # RFC 8017 §8.1.1 step 2.c


def rsa_pss_verify(n: int, e: int, digest: bytes, signature: bytes, hash_name: str, salt_length: int) -> bool:
    """RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with a fixed salt length.  False on any failure."""
    hash_length = _hash_length(hash_name)
    if len(digest) != hash_length or salt_length < 0 or not _check_public_key(n, e):
        return False
    message = _public_operation(n, e, signature)
    if message is None:
        return False
    em_bits = n.bit_length() - 1
    em_length = (em_bits + 7) // 8
    if message >> (8 * em_length):  # RFC 8017 §8.1.2 step 2.c: I2OSP(m, emLen) must succeed
        return False
    encoded = message.to_bytes(em_length, "big")
    # RFC 8017 §9.1.2 steps 3-4.
    if em_length < hash_length + salt_length + 2 or encoded[-1] != 0xBC:
        return False
    masked_db, h = encoded[: em_length - hash_length - 1], encoded[em_length - hash_length - 1 : -1]
    zero_bits = 8 * em_length - em_bits
    if masked_db[0] >> (8 - zero_bits):  # step 6: leftmost bits of maskedDB must be zero
        return False
    db = bytearray(a ^ b for a, b in zip(masked_db, _mgf1(h, len(masked_db), hash_name), strict=True))
    db[0] &= 0xFF >> zero_bits  # step 9
    padding_length = em_length - hash_length - salt_length - 2
    # Step 10: the leftmost emLen - hLen - sLen - 2 octets are zero, the next is 0x01.
    if any(db[:padding_length]) or db[padding_length] != 0x01:
        return False
    salt = bytes(db[len(db) - salt_length :]) if salt_length else b""  # step 11
    return hmac.compare_digest(h, _pss_hash(hash_name, digest, salt))  # steps 12-14


# ---------------------------------------------------------------------------
# RSASSA-PKCS1-v1_5 (RFC 8017 §8.2, §9.2)


def _pkcs1v15_encode(digest: bytes, hash_name: str, em_length: int) -> bytes:
    """EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) from a digest."""
    t = _DIGEST_INFO_PREFIX[hash_name] + digest  # step 2: T = DigestInfo DER
    if em_length < len(t) + 11:  # step 3
        raise UnsupportedAlgorithm("RSA modulus too short for this hash")
    # Steps 4-5: EM = 0x00 || 0x01 || PS (0xff octets) || 0x00 || T.
    return b"\x00\x01" + b"\xff" * (em_length - len(t) - 3) + b"\x00" + t


def rsa_pkcs1v15_sign(private_der: bytes, digest: bytes, hash_name: str) -> bytes:
    """RSASSA-PKCS1-V1_5-SIGN (RFC 8017 §8.2.1) of a message digest."""
    _check_digest(digest, hash_name)
    numbers = rsa_private_key_numbers(private_der)
    k = _modulus_length(numbers[0])
    encoded = _pkcs1v15_encode(digest, hash_name, k)
    signature = _private_operation(numbers, int.from_bytes(encoded, "big"))
    return signature.to_bytes(k, "big")


def rsa_pkcs1v15_verify(n: int, e: int, digest: bytes, signature: bytes, hash_name: str) -> bool:
    """RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2).  False on any failure."""
    hash_length = _hash_length(hash_name)
    if len(digest) != hash_length or not _check_public_key(n, e):
        return False
    message = _public_operation(n, e, signature)
    if message is None:
        return False
    k = _modulus_length(n)
    try:
        expected = _pkcs1v15_encode(digest, hash_name, k)
    except UnsupportedAlgorithm:
        return False
    # RFC 8017 §8.2.2 step 4: compare EM with EM' as octet strings.
    return hmac.compare_digest(message.to_bytes(k, "big"), expected)


# ---------------------------------------------------------------------------
# Key generation (FIPS 186-5 §A.1.3)


def _small_primes(limit: int) -> list[int]:
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\x00\x00"
    for candidate in range(2, int(limit**0.5) + 1):
        if sieve[candidate]:
            sieve[candidate * candidate :: candidate] = bytes(len(range(candidate * candidate, limit, candidate)))
    return [value for value, flag in enumerate(sieve) if flag]


_TRIAL_PRIMES = _small_primes(2000)[1:]  # odd primes: cheap rejection before Miller-Rabin
_TRIAL_PRODUCT = 1
for _prime in _TRIAL_PRIMES:
    _TRIAL_PRODUCT *= _prime
del _prime


def _miller_rabin_rounds(nlen: int) -> int:
    # FIPS 186-5 Table B.1, probable primes p and q (error probability 2^-112 / 2^-128 / 2^-144).
    if nlen >= 3072:
        return 4
    if nlen >= 2048:
        return 5
    return 8  # test-only sizes: more rounds than any Table B.1 row asks for


def _random_below(upper: int, random_bytes: Callable[[int], bytes]) -> int:
    """Uniform integer in [0, upper) by rejection sampling."""
    length = (upper.bit_length() + 7) // 8
    excess_bits = 8 * length - upper.bit_length()
    while True:
        value = int.from_bytes(random_bytes(length), "big") >> excess_bits
        if value < upper:
            return value


def _is_probable_prime(w: int, rounds: int, random_bytes: Callable[[int], bytes]) -> bool:
    """Miller-Rabin (FIPS 186-5 §B.3.1) with random bases in [2, w - 2]."""
    if w < 5 or w % 2 == 0:
        return w in (2, 3)
    a = 0
    m = w - 1
    while m % 2 == 0:  # step 1-2: w - 1 = 2^a · m, m odd
        m //= 2
        a += 1
    for _ in range(rounds):
        base = 2 + _random_below(w - 3, random_bytes)  # step 4.1-4.2
        z = pow(base, m, w)
        if z in (1, w - 1):
            continue
        for _ in range(a - 1):
            z = pow(z, 2, w)
            if z == w - 1:
                break
            if z == 1:
                return False
        else:
            return False
    return True


def _generate_prime(bits: int, e: int, rounds: int, random_bytes: Callable[[int], bytes]) -> int:
    """A probable prime of exactly ``bits`` bits, top two bits set, with gcd(p - 1, e) = 1."""
    length = (bits + 7) // 8
    excess_bits = 8 * length - bits
    top_two = 0b11 << (bits - 2)
    while True:  # FIPS 186-5 §A.1.3 steps 4.2-4.7 (fresh candidate per attempt)
        candidate = (int.from_bytes(random_bytes(length), "big") >> excess_bits) | top_two | 1
        if math.gcd(candidate, _TRIAL_PRODUCT) != 1:
            continue
        if math.gcd(candidate - 1, e) != 1:  # step 4.5
            continue
        if _is_probable_prime(candidate, rounds, random_bytes):
            return candidate


def rsa_generate(bits: int, random_bytes: Callable[[int], bytes], e: int = 65537) -> bytes:
    """A new two-prime RSA key of exactly ``bits`` bits, as DER RSAPrivateKey.

    ``bits`` must be even and in 1024..4096; sizes below 2048 are for tests only
    (FIPS 186-5 §A.1.1 requires 2048 or more).  ``e`` must be odd with
    2^16 < e < 2^256 (FIPS 186-5 §A.1.1).
    """
    if not _GENERATE_MIN_BITS <= bits <= _GENERATE_MAX_BITS or bits % 2:
        raise UnsupportedAlgorithm(f"cannot generate a {bits}-bit RSA key (even sizes 1024..4096)")
    if not (1 << 16) < e < (1 << 256) or e % 2 == 0:
        raise UnsupportedAlgorithm("RSA public exponent must be odd and in (2^16, 2^256)")
    half = bits // 2
    rounds = _miller_rabin_rounds(bits)
    while True:
        p = _generate_prime(half, e, rounds, random_bytes)
        q = _generate_prime(half, e, rounds, random_bytes)
        if abs(p - q) <= 1 << (half - 100):  # FIPS 186-5 §A.1.3 step 5.4
            continue
        n = p * q
        lam = math.lcm(p - 1, q - 1)  # λ(n)
        d = pow(e, -1, lam)
        if d <= 1 << half:  # FIPS 186-5 §A.1.1: 2^(nlen/2) < d < λ(n)
            continue
        if p < q:  # conventional p > q; CRT works either way
            p, q = q, p
        der = rsa_private_key_der(n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))
        rsa_private_key_numbers(der)  # self-check: a consistent key or an exception
        return der
