"""NIST prime curves P-256 and P-384 in pure Python: SEC1 points, ECDH, ECDSA.

NOT CONSTANT-TIME.  Branches and table look-ups depend on secret scalars, so this
module leaks timing; it exists so the stack runs where no compiled library does.

Theory of operation
-------------------
Both curves are ``y² = x³ - 3x + b`` over a prime field (FIPS 186-4 §D.1.2.3,
§D.1.2.4) of prime order ``n`` (cofactor 1).  Field elements are plain ``int``
values kept reduced to ``[0, p)``; inversion is ``pow(x, -1, p)``.

* Points inside the arithmetic are Jacobian triples ``(X, Y, Z)`` standing for the
  affine ``(X/Z², Y/Z³)``; ``Z == 0`` is the point at infinity.  Doubling uses the
  a = -3 formula (3M + 5S, "dbl-2001-b"), addition is mixed (Jacobian + affine,
  "madd") and handles the exceptional cases (equal points, opposite points,
  infinity) so adversarial ECDSA inputs stay correct.
* Fixed base (key generation, signing, the ``u1·G`` half of verification): the
  scalar is recoded into signed radix-2^w digits ``d_i`` in ``[-2^(w-1), 2^(w-1)]``
  and ``k·G = Σ d_i·(2^(wi)·G)``.  A table of affine points ``j·2^(wi)·G`` for
  every window ``i`` and ``j = 1 .. 2^(w-1)`` is built lazily at first use and
  cached per curve, so a fixed-base multiplication is one mixed addition per
  window and no doublings at all.
* Variable base (ECDH, the ``u2·Q`` half of verification): width-5 NAF with the
  odd multiples ``Q, 3Q, .., 15Q`` converted to affine in one batch (Montgomery's
  simultaneous-inversion trick), doublings inlined in the main loop.
* Verification accumulates ``u2·Q`` first and then adds the fixed-base table
  entries for ``u1`` into the same accumulator, so there is no separate final
  point addition.
* ECDSA nonces follow RFC 6979 §3.2 with the caller's extra entropy as the
  §3.6 additional data (hedged signatures); ``extra_entropy=b""`` reproduces the
  deterministic RFC 6979 values.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ratscore.errors import (
    EncodeError,
    InvalidPrivateKey,
    InvalidPublicKey,
    InvalidSignature,
    UnsupportedAlgorithm,
)

__all__ = [
    "P256",
    "P384",
    "Curve",
    "decode_der_signature",
    "decode_point",
    "decode_raw_signature",
    "ecdh",
    "ecdsa_sign",
    "ecdsa_verify",
    "encode_der_signature",
    "encode_point",
    "encode_raw_signature",
    "point_from_x",
    "public_key",
    "validate_scalar",
]

Jacobian = tuple[int, int, int]
Affine = tuple[int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Curve:
    """Short Weierstrass curve ``y² = x³ + ax + b`` over GF(p) with a base point of prime order ``n``."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int
    byte_length: int


# FIPS 186-4 §D.1.2.3 / SEC 2 §2.4.2 (secp256r1)
P256 = Curve(
    name="P-256",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    byte_length=32,
)

# FIPS 186-4 §D.1.2.4 / SEC 2 §2.5.1 (secp384r1)
P384 = Curve(
    name="P-384",
    p=int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF", 16),
    a=int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC", 16),
    b=int("B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF", 16),
    gx=int("AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7", 16),
    gy=int("3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F", 16),
    n=int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16),
    byte_length=48,
)

# The doubling formula below hard-codes a = -3; both curves qualify, and so does
# the square root shortcut (p ≡ 3 mod 4).
for _curve in (P256, P384):
    assert _curve.a == _curve.p - 3 and _curve.p % 4 == 3

_FIXED_BASE_WINDOW = 7  # signed radix-2^7 digits: 64 table points per window
_NAF_WIDTH = 5  # variable base: odd multiples 1Q .. 15Q

_INFINITY: Jacobian = (1, 1, 0)


# -- field and point arithmetic ------------------------------------------------


def _double(p: int, X: int, Y: int, Z: int) -> Jacobian:
    """2·(X, Y, Z) for a = -3 (dbl-2001-b; 2YZ replaces (Y+Z)² - Y² - Z²)."""
    zz = Z * Z % p
    yy = Y * Y % p
    xyy4 = 4 * X * yy % p
    m = 3 * (X - zz) * (X + zz) % p
    Z = 2 * Y * Z % p
    X = (m * m - 2 * xyy4) % p
    Y = (m * (xyy4 - X) - 8 * yy * yy) % p
    return X, Y, Z


def _add_affine(p: int, X: int, Y: int, Z: int, x2: int, y2: int) -> Jacobian:
    """(X, Y, Z) + (x2, y2): mixed Jacobian-affine addition with the exceptional cases."""
    if not Z:
        return x2, y2, 1
    zz = Z * Z % p
    h = (x2 * zz - X) % p  # U2 - U1
    r = (y2 * (zz * Z % p) - Y) % p  # S2 - S1
    if not h:
        if not r:
            return _double(p, X, Y, Z)  # same point
        return _INFINITY  # opposite points
    hh = h * h % p
    hhh = h * hh % p
    v = X * hh % p
    X3 = (r * r - hhh - 2 * v) % p
    return X3, (r * (v - X3) - Y * hhh) % p, Z * h % p


def _to_affine(p: int, point: Jacobian) -> Affine | None:
    X, Y, Z = point
    if not Z:
        return None
    z_inv = pow(Z, -1, p)
    zz_inv = z_inv * z_inv % p
    return X * zz_inv % p, Y * zz_inv * z_inv % p


def _batch_to_affine(p: int, points: list[Jacobian]) -> list[Affine]:
    """Normalise many finite points with one inversion (Montgomery's trick)."""
    prefix: list[int] = []
    product = 1
    for _, _, Z in points:
        prefix.append(product)
        product = product * Z % p
    inverse = pow(product, -1, p)
    affine: list[Affine] = [(0, 0)] * len(points)
    for index in range(len(points) - 1, -1, -1):
        X, Y, Z = points[index]
        z_inv = inverse * prefix[index] % p
        inverse = inverse * Z % p
        zz_inv = z_inv * z_inv % p
        affine[index] = (X * zz_inv % p, Y * zz_inv * z_inv % p)
    return affine


def _is_on_curve(curve: Curve, x: int, y: int) -> bool:
    p = curve.p
    return 0 <= x < p and 0 <= y < p and (y * y - (x * x * x + curve.a * x + curve.b)) % p == 0


def _sqrt(p: int, value: int) -> int | None:
    """A square root of ``value`` mod p for p ≡ 3 (mod 4), or None for a non-residue."""
    root = pow(value, (p + 1) >> 2, p)
    return root if root * root % p == value % p else None


# -- scalar multiplication -----------------------------------------------------

_fixed_base_tables: dict[str, list[list[Affine]]] = {}


def _fixed_base_table(curve: Curve) -> list[list[Affine]]:
    """``table[i][j-1] = j·2^(wi)·G`` for j = 1 .. 2^(w-1): built at first use, then cached."""
    table = _fixed_base_tables.get(curve.name)
    if table is not None:
        return table
    p, width = curve.p, _FIXED_BASE_WINDOW
    half = 1 << (width - 1)
    windows = _fixed_base_window_count(curve)
    base: Affine = (curve.gx, curve.gy)
    jacobian_rows: list[Jacobian] = []
    for _ in range(windows):
        multiple: Jacobian = (base[0], base[1], 1)
        jacobian_rows.append(multiple)
        for _ in range(half - 1):
            multiple = _add_affine(p, *multiple, *base)
            jacobian_rows.append(multiple)
        next_base = _to_affine(p, _double(p, *multiple))  # 2·2^(w-1)·B = 2^w·B
        assert next_base is not None  # 2^(wi)·G is never infinity: n is prime and odd
        base = next_base
    flat = _batch_to_affine(p, jacobian_rows)
    table = [flat[row * half : (row + 1) * half] for row in range(windows)]
    _fixed_base_tables[curve.name] = table
    return table


def _fixed_base_window_count(curve: Curve) -> int:
    # one extra bit for the carry out of the top signed digit
    return (curve.n.bit_length() + _FIXED_BASE_WINDOW) // _FIXED_BASE_WINDOW


def _add_fixed_base(curve: Curve, scalar: int, accumulator: Jacobian) -> Jacobian:
    """accumulator + scalar·G for 0 <= scalar < n, using the fixed-base table."""
    table = _fixed_base_table(curve)
    p, width = curve.p, _FIXED_BASE_WINDOW
    mask, full, half = (1 << width) - 1, 1 << width, 1 << (width - 1)
    X, Y, Z = accumulator
    for row in table:
        if not scalar:
            break
        digit = scalar & mask
        scalar >>= width
        if digit > half:  # signed recoding: digit - 2^w, carry one into the next window
            digit -= full
            scalar += 1
        if digit > 0:
            x, y = row[digit - 1]
            X, Y, Z = _add_affine(p, X, Y, Z, x, y)
        elif digit < 0:
            x, y = row[-digit - 1]
            X, Y, Z = _add_affine(p, X, Y, Z, x, p - y)
    return X, Y, Z


def _naf(scalar: int, width: int) -> list[tuple[int, int]]:
    """Width-w NAF of a positive scalar as (bit position, odd digit) pairs, lowest first."""
    full, half, mask = 1 << width, 1 << (width - 1), (1 << width) - 1
    digits: list[tuple[int, int]] = []
    position = 0
    while scalar:
        zeros = (scalar & -scalar).bit_length() - 1
        scalar >>= zeros
        position += zeros
        digit = scalar & mask
        if digit >= half:
            digit -= full
        digits.append((position, digit))
        scalar = (scalar - digit) >> width  # the low w bits are now zero
        position += width
    return digits


def _multiply(curve: Curve, point: Affine, scalar: int) -> Jacobian:
    """scalar·point for an affine point of order n and 0 < scalar < n (width-5 NAF)."""
    p = curve.p
    x, y = point
    doubled = _to_affine(p, _double(p, x, y, 1))
    assert doubled is not None  # no 2-torsion on a prime-order curve
    odd: list[Jacobian] = [(x, y, 1)]
    for _ in range((1 << (_NAF_WIDTH - 2)) - 1):
        odd.append(_add_affine(p, *odd[-1], *doubled))
    table = _batch_to_affine(p, odd)  # table[j] = (2j+1)·point

    digits = _naf(scalar, _NAF_WIDTH)
    position, digit = digits.pop()
    tx, ty = table[digit >> 1] if digit > 0 else table[-digit >> 1]
    X, Y, Z = tx, ty if digit > 0 else p - ty, 1
    for next_position, digit in reversed(digits):
        for _ in range(position - next_position):
            # a = -3 doubling, inlined from _double for speed
            zz = Z * Z % p
            yy = Y * Y % p
            xyy4 = 4 * X * yy % p
            m = 3 * (X - zz) * (X + zz) % p
            Z = 2 * Y * Z % p
            X = (m * m - 2 * xyy4) % p
            Y = (m * (xyy4 - X) - 8 * yy * yy) % p
        position = next_position
        if digit > 0:
            tx, ty = table[digit >> 1]
        else:
            tx, ty = table[-digit >> 1]
            ty = p - ty
        X, Y, Z = _add_affine(p, X, Y, Z, tx, ty)
    for _ in range(position):
        X, Y, Z = _double(p, X, Y, Z)
    return X, Y, Z


# -- SEC1 point encoding -------------------------------------------------------


def decode_point(curve: Curve, data: bytes) -> tuple[int, int]:
    """Decode and validate a SEC1 point (SEC1 §2.3.4): ``04||x||y`` or ``02/03||x``."""
    length = curve.byte_length
    p = curve.p
    if len(data) == 1 + 2 * length and data[0] == 0x04:
        x = int.from_bytes(data[1 : 1 + length], "big")
        y = int.from_bytes(data[1 + length :], "big")
        if x >= p or y >= p:  # SEC1 §2.3.4 step 3: x, y must be field elements
            raise InvalidPublicKey(f"{curve.name} point coordinate is not below the field prime")
        if not _is_on_curve(curve, x, y):
            raise InvalidPublicKey(f"{curve.name} point is not on the curve")
        return x, y
    if len(data) == 1 + length and data[0] in (0x02, 0x03):
        x = int.from_bytes(data[1:], "big")
        if x >= p:
            raise InvalidPublicKey(f"{curve.name} point x coordinate is not below the field prime")
        root = _recover_y(curve, x)
        if root is None:
            raise InvalidPublicKey(f"{curve.name} compressed point is not on the curve")
        if (root & 1) != (data[0] & 1):  # SEC1 §2.3.4 step 2.4.2: ~y_P selects the root
            root = (p - root) % p
        return x, root
    if data == b"\x00":
        raise InvalidPublicKey("the point at infinity is not a valid public key")
    raise InvalidPublicKey(f"malformed SEC1 encoding of a {curve.name} point")


def _recover_y(curve: Curve, x: int) -> int | None:
    p = curve.p
    return _sqrt(p, (x * x * x + curve.a * x + curve.b) % p)


def encode_point(curve: Curve, point: tuple[int, int], *, compressed: bool = False) -> bytes:
    """SEC1 §2.3.3 encoding of a finite point: uncompressed ``04||x||y`` or compressed ``02/03||x``."""
    x, y = point
    if not _is_on_curve(curve, x, y):
        raise InvalidPublicKey(f"cannot encode a point that is not on {curve.name}")
    length = curve.byte_length
    if compressed:
        return bytes([0x02 | (y & 1)]) + x.to_bytes(length, "big")
    return b"\x04" + x.to_bytes(length, "big") + y.to_bytes(length, "big")


def point_from_x(curve: Curve, x: int) -> tuple[int, int]:
    """The curve point with this x and an even y (RFC 9528 §3.7, RFC 6090 compact representation)."""
    if not 0 <= x < curve.p:
        raise InvalidPublicKey(f"{curve.name} x coordinate is out of range")
    y = _recover_y(curve, x)
    if y is None:
        raise InvalidPublicKey(f"no {curve.name} point has this x coordinate")
    return x, (curve.p - y) % curve.p if y & 1 else y


# -- keys and ECDH -------------------------------------------------------------


def validate_scalar(curve: Curve, data: bytes) -> int:
    """A private key from its fixed-width big-endian bytes; must lie in [1, n-1] (SEC1 §3.2.1)."""
    if len(data) != curve.byte_length:
        raise InvalidPrivateKey(f"{curve.name} private key must be {curve.byte_length} bytes")
    scalar = int.from_bytes(data, "big")
    if not 0 < scalar < curve.n:
        raise InvalidPrivateKey(f"{curve.name} private key is out of range [1, n-1]")
    return scalar


def _check_scalar(curve: Curve, scalar: int) -> None:
    if not 0 < scalar < curve.n:
        raise InvalidPrivateKey(f"{curve.name} private key is out of range [1, n-1]")


def public_key(curve: Curve, scalar: int) -> bytes:
    """Uncompressed SEC1 encoding of scalar·G (SEC1 §3.2.1)."""
    _check_scalar(curve, scalar)
    point = _to_affine(curve.p, _add_fixed_base(curve, scalar, _INFINITY))
    assert point is not None  # 0 < scalar < n
    length = curve.byte_length
    return b"\x04" + point[0].to_bytes(length, "big") + point[1].to_bytes(length, "big")


def ecdh(curve: Curve, scalar: int, peer: bytes) -> bytes:
    """Elliptic Curve Diffie-Hellman primitive (SEC1 §3.3.1): x(scalar·peer), fixed width."""
    _check_scalar(curve, scalar)
    peer_point = decode_point(curve, peer)  # SEC1 §3.2.2.1 full public key validation
    shared = _to_affine(curve.p, _multiply(curve, peer_point, scalar))
    if shared is None:  # SEC1 §3.3.1 step 2: "If P = O, output invalid"
        raise InvalidPublicKey(f"{curve.name} ECDH produced the point at infinity")
    return shared[0].to_bytes(curve.byte_length, "big")


# -- ECDSA ---------------------------------------------------------------------

_RFC6979_HASHES = {32: "sha256", 48: "sha384", 64: "sha512"}


def _digest_to_integer(curve: Curve, digest: bytes) -> int:
    """SEC1 §4.1.3 step 5 / RFC 6979 §2.3.2 bits2int: keep the leftmost qlen bits."""
    value = int.from_bytes(digest, "big")
    excess = 8 * len(digest) - curve.n.bit_length()
    return value >> excess if excess > 0 else value


def _rfc6979_nonces(curve: Curve, scalar: int, digest: bytes, extra_entropy: bytes) -> _NonceStream:
    hash_name = _RFC6979_HASHES.get(len(digest))
    if hash_name is None:
        raise UnsupportedAlgorithm(f"no RFC 6979 hash for a {len(digest)}-byte digest")
    return _NonceStream(curve, scalar, digest, extra_entropy, hash_name)


class _NonceStream:
    """HMAC_DRBG nonce generator of RFC 6979 §3.2 (steps b-h) with §3.6 additional data."""

    def __init__(self, curve: Curve, scalar: int, digest: bytes, extra_entropy: bytes, hash_name: str):
        self._n = curve.n
        self._qlen = curve.n.bit_length()
        self._rlen_bytes = (self._qlen + 7) // 8
        self._hash = hash_name
        size = len(digest)
        reduced = _digest_to_integer(curve, digest) % self._n  # §2.3.4 bits2octets
        seed = (
            scalar.to_bytes(self._rlen_bytes, "big")  # §2.3.3 int2octets(x)
            + reduced.to_bytes(self._rlen_bytes, "big")
            + extra_entropy  # §3.6: k' appended after bits2octets(h1)
        )
        self._v = b"\x01" * size  # step b
        self._k = b"\x00" * size  # step c
        self._k = self._mac(self._v + b"\x00" + seed)  # step d
        self._v = self._mac(self._v)  # step e
        self._k = self._mac(self._v + b"\x01" + seed)  # step f
        self._v = self._mac(self._v)  # step g

    def _mac(self, data: bytes) -> bytes:
        return hmac.digest(self._k, data, self._hash)

    def next(self) -> int:
        """Step h: the next candidate k in [1, q-1]."""
        while True:
            output = b""
            while len(output) * 8 < self._qlen:  # step h.2
                self._v = self._mac(self._v)
                output += self._v
            candidate = int.from_bytes(output, "big") >> (len(output) * 8 - self._qlen)  # bits2int
            # step h.3: whether k is accepted or not, prepare the state for a retry
            accept = 0 < candidate < self._n
            self._k = self._mac(self._v + b"\x00")
            self._v = self._mac(self._v)
            if accept:
                return candidate


def ecdsa_sign(curve: Curve, scalar: int, digest: bytes, extra_entropy: bytes) -> tuple[int, int]:
    """ECDSA signing (SEC1 §4.1.3) with an RFC 6979 nonce hedged by ``extra_entropy``."""
    _check_scalar(curve, scalar)
    n, p = curve.n, curve.p
    e = _digest_to_integer(curve, digest)  # SEC1 §4.1.3 step 5
    nonces = _rfc6979_nonces(curve, scalar, digest, extra_entropy)
    while True:
        k = nonces.next()
        point = _to_affine(p, _add_fixed_base(curve, k, _INFINITY))  # SEC1 §4.1.3 step 1
        assert point is not None  # 0 < k < n
        r = point[0] % n  # step 3
        if not r:
            continue  # RFC 6979 §3.4: on r = 0 take the next k
        s = pow(k, -1, n) * (e + r * scalar) % n  # step 6
        if s:
            return r, s


def ecdsa_verify(curve: Curve, point: tuple[int, int], digest: bytes, r: int, s: int) -> bool:
    """ECDSA verification (SEC1 §4.1.4).  Raises InvalidPublicKey for a point not on the curve."""
    if not _is_on_curve(curve, *point):
        raise InvalidPublicKey(f"{curve.name} verification key is not on the curve")
    n = curve.n
    if not (0 < r < n and 0 < s < n):  # SEC1 §4.1.4 step 1
        return False
    e = _digest_to_integer(curve, digest)  # step 3
    w = pow(s, -1, n)  # step 4
    u1 = e * w % n
    u2 = r * w % n  # never 0: r and w are units mod n
    accumulator = _multiply(curve, point, u2)
    accumulator = _add_fixed_base(curve, u1, accumulator)  # step 5: R = u1·G + u2·Q
    result = _to_affine(curve.p, accumulator)
    if result is None:  # step 5: "If R = O, output invalid"
        return False
    return result[0] % n == r  # steps 6-8


# -- signature encodings -------------------------------------------------------


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _der_integer(value: int) -> bytes:
    if value < 0:
        raise EncodeError("ECDSA signature integers must be non-negative")
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")  # room for a 0 sign byte
    if len(body) > 1 and body[0] == 0 and not body[1] & 0x80:
        body = body[1:]
    return b"\x02" + _der_length(len(body)) + body


def encode_der_signature(r: int, s: int) -> bytes:
    """``Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`` (RFC 3279 §2.2.3) in DER."""
    content = _der_integer(r) + _der_integer(s)
    return b"\x30" + _der_length(len(content)) + content


_MALFORMED = "malformed ECDSA signature"


def _read_der_header(data: bytes, offset: int, tag: int) -> tuple[int, int]:
    """Check the tag at ``offset`` and read a minimal DER length (X.690 §10.1); return (start, end)."""
    if offset + 2 > len(data) or data[offset] != tag:
        raise InvalidSignature(_MALFORMED)
    first = data[offset + 1]
    offset += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or offset + count > len(data):  # 0x80: indefinite, not DER
            raise InvalidSignature(_MALFORMED)
        length = int.from_bytes(data[offset : offset + count], "big")
        if length < 0x80 or data[offset] == 0:  # X.690 §10.1: the shortest form is required
            raise InvalidSignature(_MALFORMED)
        offset += count
    end = offset + length
    if end > len(data):
        raise InvalidSignature(_MALFORMED)
    return offset, end


def _read_der_integer(data: bytes, offset: int) -> tuple[int, int]:
    start, end = _read_der_header(data, offset, 0x02)
    body = data[start:end]
    if not body or body[0] & 0x80:  # empty or negative
        raise InvalidSignature(_MALFORMED)
    if len(body) > 1 and body[0] == 0 and not body[1] & 0x80:  # X.690 §8.3.2: minimal octets
        raise InvalidSignature(_MALFORMED)
    return int.from_bytes(body, "big"), end


def decode_der_signature(data: bytes) -> tuple[int, int]:
    """Strict DER ``SEQUENCE { r INTEGER, s INTEGER }``; anything else raises InvalidSignature."""
    start, end = _read_der_header(data, 0, 0x30)
    if end != len(data):
        raise InvalidSignature(_MALFORMED)  # trailing bytes after the SEQUENCE
    r, offset = _read_der_integer(data, start)
    s, offset = _read_der_integer(data, offset)
    if offset != end:
        raise InvalidSignature(_MALFORMED)  # extra content inside the SEQUENCE
    return r, s


def encode_raw_signature(curve: Curve, r: int, s: int) -> bytes:
    """IEEE P1363 / RFC 9053 §2.1 fixed-width ``r || s``."""
    length = curve.byte_length
    limit = 1 << (8 * length)
    if not (0 <= r < limit and 0 <= s < limit):
        raise EncodeError(f"ECDSA signature integers do not fit {length} bytes")
    return r.to_bytes(length, "big") + s.to_bytes(length, "big")


def decode_raw_signature(curve: Curve, data: bytes) -> tuple[int, int]:
    """Split a fixed-width ``r || s``; the length must be exactly twice the field size."""
    length = curve.byte_length
    if len(data) != 2 * length:
        raise InvalidSignature(_MALFORMED)
    return int.from_bytes(data[:length], "big"), int.from_bytes(data[length:], "big")
