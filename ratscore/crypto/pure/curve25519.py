"""X25519 (RFC 7748) and Ed25519 (RFC 8032) in pure Python.

NOT CONSTANT-TIME.  Branches and memory access depend on secret scalars; use the
``cryptography`` backend where timing side channels matter.

Theory of operation
-------------------
Field elements are plain Python ints modulo p = 2^255 - 19.  A full ``% p`` costs
about twice a multiplication, so most arithmetic is *lazily reduced*: because
2^255 ≡ 19 (mod p), the fold ``(x & MASK) + 19 * (x >> 255)`` keeps x's residue
class and shrinks any |x| < 2^540 to below 2^290; a second fold brings it below
2^256.  Folded values may be negative or slightly above p; only results leaving a
function are reduced with ``% p``.  The bounds used throughout:

* values carried from one loop iteration (or point operation) to the next are
  folded twice (|v| < 2^256);
* a product that is only added to others and multiplied once more is folded once
  (|v| < 2^270), so no product exceeds 2^540 and two folds always suffice.

X25519 is the RFC 7748 §5 Montgomery ladder on these lazy values.  Everything
else runs on the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 in extended
coordinates (X : Y : Z : T) with x = X/Z, y = Y/Z, x*y = T/Z (Hisil-Wong-Carter-
Dawson 2008, the formulas RFC 8032 §5.1.4 gives):

* fixed-base multiples [s]B use a table of affine points (y+x, y-x, 2d*x*y) for
  every signed radix-2^6 digit position, so [s]B is ~43 mixed additions and no
  doublings.  The table is built on first use and cached for the process;
* a variable-base multiple [k]A (verification) uses a width-5 NAF of k;
* X25519 public keys are [k]B on Edwards mapped by u = (1 + y) / (1 - y)
  (RFC 7748 §4.1), which equals X25519(k, 9).

Inversion is ``pow(z, -1, p)`` (extended Euclid in C, far faster than Fermat).
"""

from __future__ import annotations

import functools
import hashlib

from ratscore.errors import InvalidPrivateKey, InvalidPublicKey

__all__ = [
    "ed25519_public_key",
    "ed25519_public_key_is_valid",
    "ed25519_sign",
    "ed25519_verify",
    "x25519",
    "x25519_public_key",
]

# RFC 7748 §4.1 / RFC 8032 §5.1: curve constants.
P = 2**255 - 19
MASK = 2**255 - 1
L = 2**252 + 27742317777372353535851937790883648493  # order of the base point
D = -121665 * pow(121666, -1, P) % P
D2 = 2 * D % P
SQRT_M1 = pow(2, (P - 1) // 4, P)  # a square root of -1 (RFC 8032 §5.1.3)
A24 = 121665  # (486662 - 2) / 4, RFC 7748 §5
BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202
BASE_Y = 46316835694926478169428394003475163141307993866256225615783033603165251855960

KEY_SIZE = 32
SIGNATURE_SIZE = 64

_COMB_WIDTH = 6  # radix 2^6 signed digits for fixed-base multiplication
_COMB_HALF = 1 << (_COMB_WIDTH - 1)
_COMB_WINDOWS = (253 + _COMB_WIDTH - 1) // _COMB_WIDTH  # scalars are reduced mod L < 2^253
_NAF_WIDTH = 5

ExtendedPoint = tuple[int, int, int, int]  # (X, Y, Z, T), lazily reduced
NielsPoint = tuple[int, int, int]  # affine (y + x, y - x, 2*d*x*y), reduced
CachedPoint = tuple[int, int, int, int]  # (Y + X, Y - X, 2*Z, 2*d*T), reduced

_IDENTITY: ExtendedPoint = (0, 1, 1, 0)


# ---------------------------------------------------------------------------
# X25519
# ---------------------------------------------------------------------------


def _decode_scalar(scalar: bytes) -> int:
    # RFC 7748 §5 decodeScalar25519: clear bits 0-2 and 255, set bit 254.
    k = int.from_bytes(scalar, "little")
    return (k & (MASK - 7)) | (1 << 254)


def x25519(scalar: bytes, u_coordinate: bytes) -> bytes:
    """RFC 7748 §5 X25519(k, u).  An all-zero result is returned, not rejected."""
    if len(scalar) != KEY_SIZE:
        raise InvalidPrivateKey("X25519 private key must be 32 bytes")
    if len(u_coordinate) != KEY_SIZE:
        raise InvalidPublicKey("X25519 public key must be 32 bytes")
    k = _decode_scalar(scalar)
    # RFC 7748 §5: "implementations of X25519 ... MUST mask the most significant bit
    # in the final byte"; non-canonical values are accepted and taken mod p.
    x_1 = (int.from_bytes(u_coordinate, "little") & MASK) % P
    x_2, z_2, x_3, z_3 = 1, 0, x_1, 1
    m = MASK
    swap = False
    # RFC 7748 §5 ladder, bits 254 down to 0; the conditional swap is a branch here.
    for bit_char in bin(k)[2:]:
        bit = bit_char == "1"
        if bit is not swap:
            x_2, x_3, z_2, z_3 = x_3, x_2, z_3, z_2
            swap = bit
        a = x_2 + z_2
        aa = a * a
        aa = (aa & m) + 19 * (aa >> 255)
        b = x_2 - z_2
        bb = b * b
        bb = (bb & m) + 19 * (bb >> 255)
        e = aa - bb
        da = (x_3 - z_3) * a
        cb = (x_3 + z_3) * b
        t = da + cb
        t = (t & m) + 19 * (t >> 255)
        t = t * t
        t = (t & m) + 19 * (t >> 255)
        x_3 = (t & m) + 19 * (t >> 255)  # x_3 = (DA + CB)^2
        t = da - cb
        t = (t & m) + 19 * (t >> 255)
        t = t * t
        t = (t & m) + 19 * (t >> 255)
        t = x_1 * t
        t = (t & m) + 19 * (t >> 255)
        z_3 = (t & m) + 19 * (t >> 255)  # z_3 = x_1 * (DA - CB)^2
        t = aa * bb
        t = (t & m) + 19 * (t >> 255)
        x_2 = (t & m) + 19 * (t >> 255)  # x_2 = AA * BB
        t = e * (aa + A24 * e)
        t = (t & m) + 19 * (t >> 255)
        z_2 = (t & m) + 19 * (t >> 255)  # z_2 = E * (AA + a24 * E)
    if swap:
        x_2, z_2 = x_3, z_3
    z_2 %= P
    if z_2 == 0:  # the ladder reached the point at infinity: X25519 yields 0
        return bytes(KEY_SIZE)
    return (x_2 * pow(z_2, -1, P) % P).to_bytes(KEY_SIZE, "little")


def x25519_public_key(scalar: bytes) -> bytes:
    """X25519(k, 9), computed as [k]B on Edwards25519 and mapped to Montgomery u."""
    if len(scalar) != KEY_SIZE:
        raise InvalidPrivateKey("X25519 private key must be 32 bytes")
    _, y, z, _ = _base_multiply(_decode_scalar(scalar))
    # RFC 7748 §4.1: u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y).
    denominator = (z - y) % P
    if denominator == 0:  # identity; impossible for clamped scalars, kept for safety
        return bytes(KEY_SIZE)
    return ((z + y) * pow(denominator, -1, P) % P).to_bytes(KEY_SIZE, "little")


# ---------------------------------------------------------------------------
# Edwards25519 point arithmetic (extended coordinates, a = -1)
# ---------------------------------------------------------------------------


def _fold2(x: int) -> int:
    """Two lazy folds: |result| < 2^256 for |x| < 2^530."""
    x = (x & MASK) + 19 * (x >> 255)
    return (x & MASK) + 19 * (x >> 255)


def _double(point: ExtendedPoint) -> ExtendedPoint:
    """dbl-2008-hwcd with a = -1 (RFC 8032 §5.1.4 doubling)."""
    x, y, z, _ = point
    m = MASK
    a = x * x
    a = (a & m) + 19 * (a >> 255)
    b = y * y
    b = (b & m) + 19 * (b >> 255)
    c = z * z
    c = 2 * ((c & m) + 19 * (c >> 255))
    h = a + b
    e = x + y
    e = e * e
    e = h - ((e & m) + 19 * (e >> 255))
    g = a - b
    f = c + g
    return _fold2(e * f), _fold2(g * h), _fold2(f * g), _fold2(e * h)


def _add_cached(point: ExtendedPoint, other: CachedPoint) -> ExtendedPoint:
    """add-2008-hwcd-3 (RFC 8032 §5.1.4 addition) with ``other`` pre-processed."""
    x, y, z, t = point
    y_plus_x, y_minus_x, z2, t2d = other
    m = MASK
    a = (y - x) * y_minus_x
    a = (a & m) + 19 * (a >> 255)
    b = (y + x) * y_plus_x
    b = (b & m) + 19 * (b >> 255)
    c = t * t2d
    c = (c & m) + 19 * (c >> 255)
    d = z * z2
    d = (d & m) + 19 * (d >> 255)
    e = b - a
    f = d - c
    g = d + c
    h = b + a
    return _fold2(e * f), _fold2(g * h), _fold2(f * g), _fold2(e * h)


def _to_cached(point: ExtendedPoint) -> CachedPoint:
    x, y, z, t = point
    return (y + x) % P, (y - x) % P, 2 * z % P, D2 * t % P


def _negate_cached(cached: CachedPoint) -> CachedPoint:
    y_plus_x, y_minus_x, z2, t2d = cached
    return y_minus_x, y_plus_x, z2, P - t2d


@functools.cache
def _base_table() -> tuple[tuple[NielsPoint, ...], ...]:
    """For window i: [j * 2^(6i)] B for j = 1 .. 32, as affine Niels points."""
    projective: list[ExtendedPoint] = []
    window_base: ExtendedPoint = (BASE_X, BASE_Y, 1, BASE_X * BASE_Y % P)
    for _ in range(_COMB_WINDOWS):
        cached_base = _to_cached(window_base)
        current = window_base
        projective.append(current)
        for _ in range(_COMB_HALF - 1):
            current = _add_cached(current, cached_base)
            projective.append(current)
        window_base = _double(current)  # [2^6] times the previous window base
    # Montgomery's trick: one inversion for all Z coordinates.
    prefix = [1] * (len(projective) + 1)
    for index, (_, _, z, _) in enumerate(projective):
        prefix[index + 1] = prefix[index] * z % P
    inverse = pow(prefix[-1], -1, P)
    niels: list[NielsPoint] = [(0, 0, 0)] * len(projective)
    for index in range(len(projective) - 1, -1, -1):
        x, y, z, _ = projective[index]
        z_inverse = inverse * prefix[index] % P
        inverse = inverse * z % P
        x = x * z_inverse % P
        y = y * z_inverse % P
        niels[index] = ((y + x) % P, (y - x) % P, D2 * x * y % P)
    return tuple(tuple(niels[window * _COMB_HALF : (window + 1) * _COMB_HALF]) for window in range(_COMB_WINDOWS))


def _base_multiply(scalar: int, start: ExtendedPoint = _IDENTITY) -> ExtendedPoint:
    """start + [scalar]B using the fixed-base table: one mixed addition per digit."""
    table = _base_table()
    k = scalar % L
    x, y, z, t = start
    m = MASK
    digit_mask = (1 << _COMB_WIDTH) - 1
    for window in table:
        # Signed radix-2^6 recoding: digits in [-31, 32], the carry moves up.
        digit = k & digit_mask
        k >>= _COMB_WIDTH
        if digit > _COMB_HALF:
            digit -= 1 << _COMB_WIDTH
            k += 1
        if digit == 0:
            continue
        if digit > 0:
            y_plus_x, y_minus_x, xy2d = window[digit - 1]
        else:  # -(x, y) = (-x, y): swap y+x and y-x, negate 2dxy
            y_minus_x, y_plus_x, xy2d = window[-digit - 1]
            xy2d = -xy2d
        # madd-2008-hwcd-3: add-2008-hwcd-3 with Z2 = 1.
        a = (y - x) * y_minus_x
        a = (a & m) + 19 * (a >> 255)
        b = (y + x) * y_plus_x
        b = (b & m) + 19 * (b >> 255)
        c = t * xy2d
        c = (c & m) + 19 * (c >> 255)
        d = z + z
        e = b - a
        f = d - c
        g = d + c
        h = b + a
        x = e * f
        x = (x & m) + 19 * (x >> 255)
        x = (x & m) + 19 * (x >> 255)
        y = g * h
        y = (y & m) + 19 * (y >> 255)
        y = (y & m) + 19 * (y >> 255)
        z = f * g
        z = (z & m) + 19 * (z >> 255)
        z = (z & m) + 19 * (z >> 255)
        t = e * h
        t = (t & m) + 19 * (t >> 255)
        t = (t & m) + 19 * (t >> 255)
    return x, y, z, t


def _naf(k: int) -> list[int]:
    """Width-5 non-adjacent form of k >= 0, least significant digit first."""
    digits: list[int] = []
    while k:
        zeros = (k & -k).bit_length() - 1
        if zeros:
            digits.extend([0] * zeros)
            k >>= zeros
        digit = k & 31  # k is odd here: take the signed residue mod 2^5
        if digit >= 16:
            digit -= 32
        digits.append(digit)
        k = (k - digit) >> 1
    return digits


def _variable_multiply(scalar: int, point: ExtendedPoint) -> ExtendedPoint:
    """[scalar]point by a left-to-right width-5 NAF.  Variable time.

    The doubling (dbl-2008-hwcd) and addition (add-2008-hwcd-3) are inlined;
    T is computed only before an addition, the only consumer of T.
    """
    # lookup[d] for odd d in -15..15 (negative d index from the end of the list).
    lookup: list[CachedPoint] = [(0, 0, 0, 0)] * 32
    doubled_cached = _to_cached(_double(point))
    current = point
    for digit in range(1, 16, 2):
        cached = _to_cached(current)
        lookup[digit] = cached
        lookup[-digit] = _negate_cached(cached)
        current = _add_cached(current, doubled_cached)
    x, y, z, t = _IDENTITY
    e = h = 0
    m = MASK
    digits = _naf(scalar)
    for digit in reversed(digits):
        # Doubling, a = -1 (RFC 8032 §5.1.4), with the signs of E, F, G, H flipped.
        a = x * x
        a = (a & m) + 19 * (a >> 255)
        b = y * y
        b = (b & m) + 19 * (b >> 255)
        c = z * z
        c = 2 * ((c & m) + 19 * (c >> 255))
        h = a + b
        e = x + y
        e = e * e
        e = h - ((e & m) + 19 * (e >> 255))
        g = a - b
        f = c + g
        x = e * f
        x = (x & m) + 19 * (x >> 255)
        x = (x & m) + 19 * (x >> 255)
        y = g * h
        y = (y & m) + 19 * (y >> 255)
        y = (y & m) + 19 * (y >> 255)
        z = f * g
        z = (z & m) + 19 * (z >> 255)
        z = (z & m) + 19 * (z >> 255)
        if not digit:
            continue
        t = e * h
        t = (t & m) + 19 * (t >> 255)
        t = (t & m) + 19 * (t >> 255)
        # Addition of the cached odd multiple (RFC 8032 §5.1.4).
        y_plus_x, y_minus_x, z2, t2d = lookup[digit]
        a = (y - x) * y_minus_x
        a = (a & m) + 19 * (a >> 255)
        b = (y + x) * y_plus_x
        b = (b & m) + 19 * (b >> 255)
        c = t * t2d
        c = (c & m) + 19 * (c >> 255)
        d = z * z2
        d = (d & m) + 19 * (d >> 255)
        e = b - a
        f = d - c
        g = d + c
        h = b + a
        x = e * f
        x = (x & m) + 19 * (x >> 255)
        x = (x & m) + 19 * (x >> 255)
        y = g * h
        y = (y & m) + 19 * (y >> 255)
        y = (y & m) + 19 * (y >> 255)
        z = f * g
        z = (z & m) + 19 * (z >> 255)
        z = (z & m) + 19 * (z >> 255)
        t = e * h
        t = (t & m) + 19 * (t >> 255)
        t = (t & m) + 19 * (t >> 255)
    if digits and digits[0] == 0:  # the last doubling skipped T: finish it
        t = _fold2(e * h)
    return x, y, z, t


def _encode_point(point: ExtendedPoint) -> bytes:
    # RFC 8032 §5.1.2: y in little endian, the low bit of x in bit 255.
    x, y, z, _ = point
    z_inverse = pow(z % P, -1, P)
    x = x * z_inverse % P
    y = y * z_inverse % P
    return (y | ((x & 1) << 255)).to_bytes(KEY_SIZE, "little")


def _decode_point(data: bytes) -> ExtendedPoint | None:
    """RFC 8032 §5.1.3 point decoding; None when decoding fails."""
    if len(data) != KEY_SIZE:
        return None
    y = int.from_bytes(data, "little")
    x_0 = y >> 255
    y &= MASK
    if y >= P:  # "If the resulting value is >= p, decoding fails."
        return None
    # x^2 = (y^2 - 1) / (d y^2 + 1) = u / v; candidate x = u v^3 (u v^7)^((p-5)/8).
    y2 = y * y % P
    u = (y2 - 1) % P
    v = (D * y2 + 1) % P
    v3 = v * v % P * v % P
    x = u * v3 % P * pow(u * v3 % P * v3 % P * v % P, (P - 5) // 8, P) % P
    v_x2 = v * x % P * x % P
    if v_x2 != u:
        if v_x2 == P - u:  # v x^2 = -u: multiply x by sqrt(-1)
            x = x * SQRT_M1 % P
        else:  # no square root: not a point
            return None
    if x == 0 and x_0 == 1:  # "If x = 0, and x_0 = 1, decoding fails."
        return None
    if x & 1 != x_0:
        x = P - x
    return x, y, 1, x * y % P


# ---------------------------------------------------------------------------
# Ed25519
# ---------------------------------------------------------------------------


def _expand_seed(seed: bytes) -> tuple[int, bytes]:
    # RFC 8032 §5.1.5: hash the seed; the low half, pruned, is the secret scalar.
    if len(seed) != KEY_SIZE:
        raise InvalidPrivateKey("Ed25519 private key must be 32 bytes")
    digest = hashlib.sha512(seed).digest()
    s = int.from_bytes(digest[:32], "little")
    s = (s & (MASK - 7)) | (1 << 254)
    return s, digest[32:]


def ed25519_public_key(seed: bytes) -> bytes:
    """RFC 8032 §5.1.5: the public key for a 32-byte private key (seed)."""
    s, _ = _expand_seed(seed)
    return _encode_point(_base_multiply(s))


def ed25519_sign(seed: bytes, message: bytes, *, public_key: bytes | None = None) -> bytes:
    """RFC 8032 §5.1.6: pure Ed25519 signature (no context), 64 bytes."""
    s, prefix = _expand_seed(seed)
    # ``public_key``, when the caller holds it, must be this seed's: it saves a
    # second fixed-base multiplication per signature.
    if public_key is None:
        public_key = _encode_point(_base_multiply(s))
    r = int.from_bytes(hashlib.sha512(prefix + message).digest(), "little") % L
    r_encoded = _encode_point(_base_multiply(r))
    k = int.from_bytes(hashlib.sha512(r_encoded + public_key + message).digest(), "little") % L
    s_value = (r + k * s) % L
    return r_encoded + s_value.to_bytes(32, "little")


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.1.7, cofactorless, with OpenSSL's verdicts.

    Rejects S >= L and a public key that does not decode, then checks that the
    encoding of [S]B - [k]A equals the R bytes, so a non-canonical or undecodable R
    fails.  Small-order and mixed-order public keys are accepted.
    """
    if len(signature) != SIGNATURE_SIZE or len(public_key) != KEY_SIZE:
        return False
    s_value = int.from_bytes(signature[32:], "little")
    if s_value >= L:  # RFC 8032 §5.1.7: "If any of the decodings fail ... invalid"
        return False
    point_a = _decode_point(public_key)
    if point_a is None:
        return False
    r_encoded = bytes(signature[:32])
    k = int.from_bytes(hashlib.sha512(r_encoded + bytes(public_key) + message).digest(), "little") % L
    x, y, z, t = point_a
    negated_a: ExtendedPoint = (P - x, y, z, P - t)
    candidate = _base_multiply(s_value, _variable_multiply(k, negated_a))
    return _encode_point(candidate) == r_encoded


def ed25519_public_key_is_valid(public_key: bytes) -> bool:
    """True when ``public_key`` decodes to a curve point (RFC 8032 §5.1.3)."""
    return _decode_point(public_key) is not None
