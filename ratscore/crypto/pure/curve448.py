"""X448 (RFC 7748) and Ed448 (RFC 8032) in pure Python.

NOT CONSTANT-TIME.  Branches and memory access depend on secret scalars; use the
``cryptography`` backend where timing side channels matter.

Theory of operation
-------------------
Field elements are Python ints modulo the Goldilocks prime p = 2^448 - 2^224 - 1.

* X448 is the RFC 7748 §5 Montgomery ladder with lazy reduction.  Since
  2^448 ≡ 2^224 + 1 (mod p), a product t = lo + 2^448 * hi with hi = hh * 2^224 + hl
  folds to lo + hi + hh + (hl + hh) * 2^224, which is below ~2^480 for the
  products the ladder forms; values carried to the next step get one more cheap
  fold (lo + h + h * 2^224) and stay below 2^449.
* Ed448 runs on the untwisted Edwards curve x^2 + y^2 = 1 + d x^2 y^2 (d = -39081)
  in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, x*y = T/Z, with the
  Hisil-Wong-Carter-Dawson formulas (complete here: a = 1 is square, d is not).
  Point arithmetic uses the same folds (``_fold`` for intermediates,
  ``_fold_carried`` for coordinates handed on).  [s]B uses a cached table of
  affine points for every signed radix-2^5 digit position (~90 mixed additions,
  no doublings); [k]A uses a width-5 NAF.
* X448 public keys are [k]B on Ed448 mapped by the 4-isogeny u = y^2 / x^2
  (RFC 7748 §4.2), which sends the Ed448 base point to u = 5.
* Verification follows RFC 8032 §5.2.7 with the cofactor, [4]R = [4]([S]B - [k]A),
  checked without decoding R, and rejects an A or R with x = 0: the verdicts
  OpenSSL gives (see ``ed448_verify``).
"""

from __future__ import annotations

import functools
import hashlib

from ratscore.errors import InvalidPrivateKey, InvalidPublicKey

__all__ = [
    "ed448_public_key",
    "ed448_public_key_is_valid",
    "ed448_sign",
    "ed448_verify",
    "x448",
    "x448_public_key",
]

# RFC 7748 §4.2 / RFC 8032 §5.2: curve constants.
P = 2**448 - 2**224 - 1
MASK = 2**448 - 1
_MASK_224 = 2**224 - 1
L = 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885
D = -39081 % P
A24 = 39081  # (156326 - 2) / 4, RFC 7748 §5
BASE_X = int(
    "224580040295924300187604334099896036246789641632564134246125461686950415467406032909029192869357953282578032075146446173674602635247710"
)
BASE_Y = int(
    "298819210078481492676017930443930673437544040154080242095928241372331506189835876003536878655418784733982303233503462500531545062832660"
)

X448_KEY_SIZE = 56
ED448_KEY_SIZE = 57
SIGNATURE_SIZE = 114
_DOM4_PURE = b"SigEd448" + bytes([0, 0])  # RFC 8032 §2: dom4(0, "") for pure Ed448

_COMB_WIDTH = 5  # radix 2^5 signed digits for fixed-base multiplication
_COMB_HALF = 1 << (_COMB_WIDTH - 1)
_COMB_WINDOWS = (446 + _COMB_WIDTH - 1) // _COMB_WIDTH  # scalars are reduced mod L < 2^446

ExtendedPoint = tuple[int, int, int, int]  # (X, Y, Z, T), lazily reduced (|v| < 2^449)
AffineEntry = tuple[int, int, int]  # (x, y, d*x*y), reduced mod p
CachedPoint = tuple[int, int, int, int, int]  # (X, Y, X + Y, Z, d*T), reduced mod p

_IDENTITY: ExtendedPoint = (0, 1, 1, 0)


# ---------------------------------------------------------------------------
# X448
# ---------------------------------------------------------------------------


def _decode_x448_scalar(scalar: bytes) -> int:
    # RFC 7748 §5 decodeScalar448: clear the two low bits, set bit 447.
    return (int.from_bytes(scalar, "little") & (MASK - 3)) | (1 << 447)


def x448(scalar: bytes, u_coordinate: bytes) -> bytes:
    """RFC 7748 §5 X448(k, u).  An all-zero result is returned, not rejected."""
    if len(scalar) != X448_KEY_SIZE:
        raise InvalidPrivateKey("X448 private key must be 56 bytes")
    if len(u_coordinate) != X448_KEY_SIZE:
        raise InvalidPublicKey("X448 public key must be 56 bytes")
    k = _decode_x448_scalar(scalar)
    x_1 = int.from_bytes(u_coordinate, "little") % P  # non-canonical u taken mod p
    x_2, z_2, x_3, z_3 = 1, 0, x_1, 1
    m = MASK
    q = _MASK_224
    swap = False
    # RFC 7748 §5 ladder, bits 447 down to 0; the conditional swap is a branch here.
    # Each "h = t >> 448; l = h >> 224; ..." line is the two-level fold of the module doc.
    for bit_char in bin(k)[2:]:
        bit = bit_char == "1"
        if bit is not swap:
            x_2, x_3, z_2, z_3 = x_3, x_2, z_3, z_2
            swap = bit
        a = x_2 + z_2
        t = a * a
        h = t >> 448
        l = h >> 224
        aa = (t & m) + h + l + (((h & q) + l) << 224)
        b = x_2 - z_2
        t = b * b
        h = t >> 448
        l = h >> 224
        bb = (t & m) + h + l + (((h & q) + l) << 224)
        e = aa - bb
        t = (x_3 - z_3) * a
        h = t >> 448
        l = h >> 224
        da = (t & m) + h + l + (((h & q) + l) << 224)
        t = (x_3 + z_3) * b
        h = t >> 448
        l = h >> 224
        cb = (t & m) + h + l + (((h & q) + l) << 224)
        t = da + cb
        t = t * t
        h = t >> 448
        l = h >> 224
        t = (t & m) + h + l + (((h & q) + l) << 224)
        h = t >> 448
        x_3 = (t & m) + h + (h << 224)  # x_3 = (DA + CB)^2
        t = da - cb
        t = t * t
        h = t >> 448
        l = h >> 224
        t = x_1 * ((t & m) + h + l + (((h & q) + l) << 224))
        h = t >> 448
        l = h >> 224
        t = (t & m) + h + l + (((h & q) + l) << 224)
        h = t >> 448
        z_3 = (t & m) + h + (h << 224)  # z_3 = x_1 * (DA - CB)^2
        t = aa * bb
        h = t >> 448
        l = h >> 224
        t = (t & m) + h + l + (((h & q) + l) << 224)
        h = t >> 448
        x_2 = (t & m) + h + (h << 224)  # x_2 = AA * BB
        t = e * (aa + A24 * e)
        h = t >> 448
        l = h >> 224
        t = (t & m) + h + l + (((h & q) + l) << 224)
        h = t >> 448
        z_2 = (t & m) + h + (h << 224)  # z_2 = E * (AA + a24 * E)
    if swap:
        x_2, z_2 = x_3, z_3
    z_2 %= P
    if z_2 == 0:  # the ladder reached the point at infinity: X448 yields 0
        return bytes(X448_KEY_SIZE)
    return (x_2 * pow(z_2, -1, P) % P).to_bytes(X448_KEY_SIZE, "little")


def x448_public_key(scalar: bytes) -> bytes:
    """X448(k, 5), computed as [k]B on Ed448 and mapped through the 4-isogeny."""
    if len(scalar) != X448_KEY_SIZE:
        raise InvalidPrivateKey("X448 private key must be 56 bytes")
    x, y, _, _ = _base_multiply(_decode_x448_scalar(scalar))
    # RFC 7748 §4.2: u = y^2 / x^2 = Y^2 / X^2.
    x %= P
    if x == 0:  # [k]B is the identity (k = 4L): X448 yields 0
        return bytes(X448_KEY_SIZE)
    ratio = y * pow(x, -1, P) % P
    return (ratio * ratio % P).to_bytes(X448_KEY_SIZE, "little")


# ---------------------------------------------------------------------------
# Ed448 point arithmetic (extended coordinates, a = 1)
# ---------------------------------------------------------------------------


def _fold(t: int) -> int:
    """Lazy reduction (module doc): |result| < 2^449 + 2^(n - 447) for |t| < 2^n."""
    h = t >> 448
    l = h >> 224
    return (t & MASK) + h + l + (((h & _MASK_224) + l) << 224)


def _fold_carried(t: int) -> int:
    """Two lazy reductions: |result| < 2^449 for the products formed here (|t| < 2^910)."""
    h = t >> 448
    l = h >> 224
    t = (t & MASK) + h + l + (((h & _MASK_224) + l) << 224)
    h = t >> 448
    return (t & MASK) + h + (h << 224)


def _double(point: ExtendedPoint) -> ExtendedPoint:
    """dbl-2008-hwcd with a = 1."""
    x, y, z, _ = point
    a = _fold(x * x)
    b = _fold(y * y)
    c = 2 * _fold(z * z)
    e = x + y
    e = _fold(e * e) - a - b
    g = a + b
    f = g - c
    h = a - b
    return _fold_carried(e * f), _fold_carried(g * h), _fold_carried(f * g), _fold_carried(e * h)


def _add_cached(point: ExtendedPoint, other: CachedPoint) -> ExtendedPoint:
    """add-2008-hwcd with a = 1 (the unified law of RFC 8032 §5.2.4)."""
    x, y, z, t = point
    x2, y2, x2_plus_y2, z2, t2d = other
    a = _fold(x * x2)
    b = _fold(y * y2)
    c = _fold(t * t2d)
    d = _fold(z * z2)
    e = _fold((x + y) * x2_plus_y2) - a - b
    f = d - c
    g = d + c
    h = b - a
    return _fold_carried(e * f), _fold_carried(g * h), _fold_carried(f * g), _fold_carried(e * h)


def _to_cached(point: ExtendedPoint) -> CachedPoint:
    x, y, z, t = point
    return x % P, y % P, (x + y) % P, z % P, D * t % P


def _negate_cached(cached: CachedPoint) -> CachedPoint:
    x, y, _, z, t2d = cached
    return (P - x) % P, y, (y - x) % P, z, (P - t2d) % P


@functools.cache
def _base_table() -> tuple[tuple[AffineEntry, ...], ...]:
    """For window i: [j * 2^(5i)] B for j = 1 .. 16, as affine (x, y, d*x*y)."""
    projective: list[ExtendedPoint] = []
    window_base: ExtendedPoint = (BASE_X, BASE_Y, 1, BASE_X * BASE_Y % P)
    for _ in range(_COMB_WINDOWS):
        cached_base = _to_cached(window_base)
        current = window_base
        projective.append(current)
        for _ in range(_COMB_HALF - 1):
            current = _add_cached(current, cached_base)
            projective.append(current)
        window_base = _double(current)  # [2^5] times the previous window base
    # Montgomery's trick: one inversion for all Z coordinates.
    prefix = [1] * (len(projective) + 1)
    for index, (_, _, z, _) in enumerate(projective):
        prefix[index + 1] = prefix[index] * z % P
    inverse = pow(prefix[-1], -1, P)
    entries: list[AffineEntry] = [(0, 0, 0)] * len(projective)
    for index in range(len(projective) - 1, -1, -1):
        x, y, z, _ = projective[index]
        z_inverse = inverse * prefix[index] % P
        inverse = inverse * z % P
        x = x * z_inverse % P
        y = y * z_inverse % P
        entries[index] = (x, y, D * x % P * y % P)
    return tuple(tuple(entries[window * _COMB_HALF : (window + 1) * _COMB_HALF]) for window in range(_COMB_WINDOWS))


def _base_multiply(scalar: int, start: ExtendedPoint = _IDENTITY) -> ExtendedPoint:
    """start + [scalar]B using the fixed-base table: one mixed addition per digit."""
    table = _base_table()
    k = scalar % L
    x, y, z, t = start
    digit_mask = (1 << _COMB_WIDTH) - 1
    for window in table:
        # Signed radix-2^5 recoding: digits in [-15, 16], the carry moves up.
        digit = k & digit_mask
        k >>= _COMB_WIDTH
        if digit > _COMB_HALF:
            digit -= 1 << _COMB_WIDTH
            k += 1
        if digit == 0:
            continue
        if digit > 0:
            x2, y2, t2d = window[digit - 1]
        else:  # -(x, y) = (-x, y)
            x2, y2, t2d = window[-digit - 1]
            x2 = -x2
            t2d = -t2d
        # add-2008-hwcd with Z2 = 1.
        a = _fold(x * x2)
        b = _fold(y * y2)
        c = _fold(t * t2d)
        e = _fold((x + y) * (x2 + y2)) - a - b
        f = z - c
        g = z + c
        h = b - a
        x = _fold_carried(e * f)
        y = _fold_carried(g * h)
        z = _fold_carried(f * g)
        t = _fold_carried(e * h)
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
    """[scalar]point by a left-to-right width-5 NAF.  Variable time."""
    # lookup[d] for odd d in -15..15 (negative d index from the end of the list).
    lookup: list[CachedPoint] = [(0, 0, 0, 0, 0)] * 32
    doubled_cached = _to_cached(_double(point))
    current = point
    for digit in range(1, 16, 2):
        cached = _to_cached(current)
        lookup[digit] = cached
        lookup[-digit] = _negate_cached(cached)
        current = _add_cached(current, doubled_cached)
    x, y, z, t = _IDENTITY
    e = h = 0
    digits = _naf(scalar)
    for digit in reversed(digits):
        # Doubling (dbl-2008-hwcd, a = 1) inlined; T only when an addition follows.
        a = _fold(x * x)
        b = _fold(y * y)
        c = 2 * _fold(z * z)
        e = x + y
        e = _fold(e * e) - a - b
        g = a + b
        f = g - c
        h = a - b
        x = _fold_carried(e * f)
        y = _fold_carried(g * h)
        z = _fold_carried(f * g)
        if digit:
            x, y, z, t = _add_cached((x, y, z, _fold_carried(e * h)), lookup[digit])
    if digits and digits[0] == 0:  # the last doubling skipped T: finish it
        t = _fold_carried(e * h)
    return x, y, z, t


def _encode_affine(x: int, y: int) -> bytes:
    # RFC 8032 §5.2.2: y in 57 little-endian octets, the low bit of x in bit 455.
    return (y | ((x & 1) << 455)).to_bytes(ED448_KEY_SIZE, "little")


def _encode_point(point: ExtendedPoint) -> bytes:
    x, y, z, _ = point
    z_inverse = pow(z % P, -1, P)
    return _encode_affine(x * z_inverse % P, y * z_inverse % P)


def _decode_point(data: bytes) -> ExtendedPoint | None:
    """RFC 8032 §5.2.3 point decoding; None when decoding fails."""
    if len(data) != ED448_KEY_SIZE:
        return None
    y = int.from_bytes(data, "little")
    x_0 = y >> 455
    y &= (1 << 455) - 1
    if y >= P:  # "If the resulting value is >= p, decoding fails."
        return None
    # x^2 = (y^2 - 1) / (d y^2 - 1) = u / v; candidate x = u^3 v (u^5 v^3)^((p-3)/4).
    y2 = y * y % P
    u = (y2 - 1) % P
    v = (D * y2 - 1) % P
    u2 = u * u % P
    v2 = v * v % P
    x = u2 * u % P * v % P * pow(u2 * u2 % P * u % P * v2 % P * v % P, (P - 3) // 4, P) % P
    if v * x % P * x % P != u:  # no square root: not a point
        return None
    if x == 0 and x_0 == 1:  # "If x = 0, and x_0 = 1, decoding fails."
        return None
    if x & 1 != x_0:
        x = P - x
    return x, y, 1, x * y % P


# ---------------------------------------------------------------------------
# Ed448
# ---------------------------------------------------------------------------


def _shake256(data: bytes) -> bytes:
    return hashlib.shake_256(data).digest(SIGNATURE_SIZE)


def _expand_seed(seed: bytes) -> tuple[int, bytes]:
    # RFC 8032 §5.2.5: SHAKE256(seed, 114); prune the low half into the scalar:
    # clear the two low bits of octet 0, clear octet 56, set the top bit of octet 55.
    if len(seed) != ED448_KEY_SIZE:
        raise InvalidPrivateKey("Ed448 private key must be 57 bytes")
    digest = _shake256(bytes(seed))
    s = (int.from_bytes(digest[:56], "little") & (MASK - 3)) | (1 << 447)
    return s, digest[57:]


def ed448_public_key(seed: bytes) -> bytes:
    """RFC 8032 §5.2.5: the public key for a 57-byte private key (seed)."""
    s, _ = _expand_seed(seed)
    return _encode_point(_base_multiply(s))


def ed448_sign(seed: bytes, message: bytes, *, public_key: bytes | None = None) -> bytes:
    """RFC 8032 §5.2.6: pure Ed448 signature with an empty context, 114 bytes."""
    s, prefix = _expand_seed(seed)
    # ``public_key``, when the caller holds it, must be this seed's: it saves a
    # second fixed-base multiplication per signature.
    if public_key is None:
        public_key = _encode_point(_base_multiply(s))
    r = int.from_bytes(_shake256(_DOM4_PURE + prefix + message), "little") % L
    r_encoded = _encode_point(_base_multiply(r))
    k = int.from_bytes(_shake256(_DOM4_PURE + r_encoded + public_key + message), "little") % L
    s_value = (r + k * s) % L
    return r_encoded + s_value.to_bytes(ED448_KEY_SIZE, "little")


def ed448_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.2.7 with the cofactor, pure Ed448 with an empty context.

    Rejects wrong lengths, S >= L, and an A or R that does not decode.  Like
    OpenSSL (whose Ed448 decoder cannot represent them), it also rejects an A or R
    with x = 0, the identity and the point of order 2, which the RFC would decode.
    Accepts when [4]R = [4]([S]B - [k]A).
    """
    if len(signature) != SIGNATURE_SIZE or len(public_key) != ED448_KEY_SIZE:
        return False
    s_value = int.from_bytes(signature[57:], "little")
    if s_value >= L:  # RFC 8032 §5.2.7: "If any of the decodings fail ... invalid"
        return False
    point_a = _decode_point(public_key)
    if point_a is None or point_a[0] == 0:
        return False
    r_encoded = bytes(signature[:57])
    digest = _shake256(_DOM4_PURE + r_encoded + bytes(public_key) + message)
    k = int.from_bytes(digest, "little") % L
    x_a, y_a, z_a, t_a = point_a
    x, y, z, _ = _base_multiply(s_value, _variable_multiply(k, (P - x_a, y_a, z_a, P - t_a)))
    # [4]R = [4]Q  <=>  R = Q + T for T in the rational 4-torsion {(0, 1), (0, -1),
    # (1, 0), (-1, 0)}, and Q + T is (x, y), (-x, -y), (y, -x), (-y, x).  Comparing R's
    # bytes with these canonical encodings also rejects an R that does not decode,
    # without the square root of decoding R.
    z_inverse = pow(z % P, -1, P)
    x = x * z_inverse % P
    y = y * z_inverse % P
    candidates = ((x, y), ((P - x) % P, (P - y) % P), (y, (P - x) % P), ((P - y) % P, x))
    return any(
        candidate_x != 0 and _encode_affine(candidate_x, candidate_y) == r_encoded
        for candidate_x, candidate_y in candidates
    )


def ed448_public_key_is_valid(public_key: bytes) -> bool:
    """True when ``public_key`` decodes to a curve point (RFC 8032 §5.2.3)."""
    return _decode_point(public_key) is not None
