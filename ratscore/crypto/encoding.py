"""Key encodings that need no crypto backend: SPKI, PKCS#8, PKCS#1 RSA keys and PEM.

Theory of operation: every key type maps to one AlgorithmIdentifier; the key
bytes inside are the raw encodings of ``ratscore.crypto.types`` (module doc),
wrapped as the RFCs say:

===========  ===============================  ===================================
key type     SubjectPublicKeyInfo             PKCS#8 privateKey OCTET STRING
===========  ===============================  ===================================
X25519/X448  RFC 8410 §3-4, params absent     OCTET STRING(raw) (RFC 8410 §7)
Ed25519/448  RFC 8410 §3-4, params absent     OCTET STRING(raw) (RFC 8410 §7)
P-256/P-384  RFC 5480 §2, namedCurve only     ECPrivateKey (RFC 5915 §3)
RSA          RFC 8017 §A.1, params NULL       RSAPrivateKey (RFC 8017 §A.1.2)
===========  ===============================  ===================================

Decoding is strict DER (``ratscore.crypto.der``) and canonicalising: a key we
return re-encodes to the bytes we were given when those were in our canonical
form (what OpenSSL writes); compressed EC points, id-RSASSA-PSS keys, PKCS#8 v2
and attributes are accepted but come back in the canonical form.  Errors: ``DecodeError``
for malformed DER or structure, ``UnsupportedAlgorithm`` for an algorithm or
curve we do not implement, ``InvalidPublicKey`` / ``InvalidPrivateKey`` for key
bytes of the wrong size or range.  EC points are checked for form and length
only; whether a point lies on the curve is the provider's ``load_public_key``
check.
"""

from __future__ import annotations

import base64
import binascii
import re

from ratscore.errors import (
    DecodeError,
    EncodeError,
    InvalidPrivateKey,
    InvalidPublicKey,
    UnsupportedAlgorithm,
)

from . import der
from .policy import ec_scalar_from_bytes
from .types import KeyType, PublicKey

__all__ = [
    "OID_EC_PUBLIC_KEY",
    "OID_ED448",
    "OID_ED25519",
    "OID_PRIME256V1",
    "OID_RSASSA_PSS",
    "OID_RSA_ENCRYPTION",
    "OID_SECP384R1",
    "OID_X448",
    "OID_X25519",
    "pem_decode",
    "pem_encode",
    "private_key_from_pkcs8",
    "private_key_to_pkcs8",
    "public_key_from_spki",
    "public_key_to_spki",
    "rsa_private_key_der",
    "rsa_private_key_numbers",
    "rsa_public_key_der",
    "rsa_public_key_numbers",
]

# RFC 8410 §3
OID_X25519 = "1.3.101.110"
OID_X448 = "1.3.101.111"
OID_ED25519 = "1.3.101.112"
OID_ED448 = "1.3.101.113"
# RFC 5480 §2.1.1 and §2.1.1.1
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_PRIME256V1 = "1.2.840.10045.3.1.7"
OID_SECP384R1 = "1.3.132.0.34"
# RFC 8017 §A.1, RFC 4055 §3.1
OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
OID_RSASSA_PSS = "1.2.840.113549.1.1.10"

_OKP_OIDS = {
    KeyType.X25519: OID_X25519,
    KeyType.X448: OID_X448,
    KeyType.ED25519: OID_ED25519,
    KeyType.ED448: OID_ED448,
}
_OKP_BY_OID = {oid: key_type for key_type, oid in _OKP_OIDS.items()}
# RFC 7748 §5 / RFC 8032 §5.1.5, §5.2.5: private key sizes (Ed448's is 57, X448's 56).
_OKP_PRIVATE_SIZE = {KeyType.X25519: 32, KeyType.X448: 56, KeyType.ED25519: 32, KeyType.ED448: 57}
_CURVE_OIDS = {KeyType.P256: OID_PRIME256V1, KeyType.P384: OID_SECP384R1}
_CURVE_BY_OID = {oid: key_type for key_type, oid in _CURVE_OIDS.items()}

_TAG_ATTRIBUTES = der.context_tag(0)  # RFC 5958 §2: [0] IMPLICIT Attributes (a SET)
_TAG_PKCS8_PUBLIC_KEY = der.context_tag(1, constructed=False)  # RFC 5958 §2: [1] IMPLICIT BIT STRING


# ---------------------------------------------------------------------------
# SubjectPublicKeyInfo (RFC 5280 §4.1.2.7)


def public_key_to_spki(key: PublicKey) -> bytes:
    """DER SubjectPublicKeyInfo of ``key``."""
    key_type = key.key_type
    data = key.data
    if key_type in _OKP_OIDS:
        if len(data) != key_type.size:
            raise InvalidPublicKey(f"{key_type.label} public key must be {key_type.size} bytes")
        algorithm = der.encode_sequence(der.encode_oid(_OKP_OIDS[key_type]))  # RFC 8410 §3: no params
    elif key_type.is_ec:
        _check_uncompressed_point(key_type, data)
        # RFC 5480 §2.1.1: id-ecPublicKey with namedCurve parameters.
        algorithm = der.encode_sequence(der.encode_oid(OID_EC_PUBLIC_KEY), der.encode_oid(_CURVE_OIDS[key_type]))
    elif key_type is KeyType.RSA:
        try:
            n, e = rsa_public_key_numbers(data)
        except DecodeError as exc:
            raise InvalidPublicKey("malformed RSAPublicKey") from exc
        data = rsa_public_key_der(n, e)
        # RFC 8017 §A.1: rsaEncryption "parameters field ... SHALL have a value of type NULL".
        algorithm = der.encode_sequence(der.encode_oid(OID_RSA_ENCRYPTION), der.encode_null())
    else:
        raise UnsupportedAlgorithm(f"no SPKI encoding for {key_type.label}")
    return der.encode_sequence(algorithm, der.encode_bit_string(data))


def public_key_from_spki(data: bytes) -> PublicKey:
    """Parse a DER SubjectPublicKeyInfo into a canonical ``PublicKey``."""
    reader = der.DerReader(data)
    spki = reader.read_sequence()
    reader.finish()
    oid, parameters = _read_algorithm_identifier(spki)
    key_bytes = spki.read_bit_string()
    spki.finish()

    if oid in _OKP_BY_OID:
        key_type = _OKP_BY_OID[oid]
        if parameters is not None:  # RFC 8410 §3: "the parameters MUST be absent"
            raise DecodeError(f"{key_type.label} AlgorithmIdentifier must not carry parameters")
        if len(key_bytes) != key_type.size:
            raise InvalidPublicKey(f"{key_type.label} public key must be {key_type.size} bytes")
        return PublicKey(key_type=key_type, data=key_bytes)
    if oid == OID_EC_PUBLIC_KEY:
        key_type = _named_curve(parameters)
        return PublicKey(key_type=key_type, data=_canonical_point(key_type, key_bytes))
    if oid == OID_RSA_ENCRYPTION:
        if parameters != der.encode_null():  # RFC 8017 §A.1
            raise DecodeError("rsaEncryption parameters must be NULL")
    elif oid == OID_RSASSA_PSS:
        # RFC 4055 §3.1: parameters absent or RSASSA-PSS-params.  The key is an RSA key
        # whatever the parameters say; which PSS hash is used is the signature's business.
        if parameters is not None:
            _check_pss_parameters(parameters)
    else:
        raise UnsupportedAlgorithm(f"unsupported public key algorithm {oid}")
    n, e = rsa_public_key_numbers(key_bytes)
    return PublicKey(key_type=KeyType.RSA, data=rsa_public_key_der(n, e))


def _read_algorithm_identifier(reader: der.DerReader) -> tuple[str, bytes | None]:
    """RFC 5280 §4.1.1.2 AlgorithmIdentifier: (OID, the whole parameters TLV or None)."""
    algorithm = reader.read_sequence()
    oid = algorithm.read_oid()
    parameters = None if algorithm.at_end else algorithm.read_element()[2]
    algorithm.finish()
    return oid, parameters


def _named_curve(parameters: bytes | None) -> KeyType:
    # RFC 5480 §2.1.1: "implicitCurve and specifiedCurve MUST NOT be used".
    if parameters is None:
        raise DecodeError("id-ecPublicKey needs namedCurve parameters")
    if parameters[0] != der.TAG_OID:
        raise UnsupportedAlgorithm("EC keys with explicit or implicit curve parameters are not supported")
    curve_oid = der.decode_oid(der.read_single(parameters, der.TAG_OID))
    if curve_oid not in _CURVE_BY_OID:
        raise UnsupportedAlgorithm(f"unsupported elliptic curve {curve_oid}")
    return _CURVE_BY_OID[curve_oid]


def _check_uncompressed_point(key_type: KeyType, point: bytes) -> None:
    # SEC 1 v2 §2.3.3: 04 || X || Y, each coordinate field-size bytes.
    if len(point) != 1 + 2 * key_type.size or point[0] != 0x04:
        raise InvalidPublicKey(f"{key_type.label} public key must be an uncompressed point")


def _canonical_point(key_type: KeyType, point: bytes) -> bytes:
    """Uncompressed SEC 1 point; a compressed one is decompressed (RFC 5480 §2.2)."""
    if len(point) == 1 + key_type.size and point[:1] in (b"\x02", b"\x03"):
        # Lazy: the pure curve arithmetic is needed only for this rare form.
        from .pure import weierstrass

        curve = weierstrass.P256 if key_type is KeyType.P256 else weierstrass.P384
        try:
            return bytes(weierstrass.encode_point(curve, weierstrass.decode_point(curve, point)))
        except ValueError as exc:  # InvalidPublicKey is a ValueError; normalise the class
            raise InvalidPublicKey(f"{key_type.label} compressed point is not on the curve") from exc
    _check_uncompressed_point(key_type, point)
    return point


def _check_pss_parameters(parameters: bytes) -> None:
    """Structural check of RSASSA-PSS-params (RFC 4055 §3.1): four optional explicit fields.

    Lenient on purpose in one point: fields equal to their DEFAULT are tolerated
    (common in the wild), though DER would omit them."""
    if parameters[0] != der.TAG_SEQUENCE:
        raise DecodeError("id-RSASSA-PSS parameters must be a SEQUENCE")
    fields = der.DerReader(der.read_single(parameters, der.TAG_SEQUENCE))
    for number in range(4):
        if fields.peek_tag() != der.context_tag(number):
            continue
        field = fields.read_explicit(number)
        if number < 2:  # hashAlgorithm [0], maskGenAlgorithm [1]
            _read_algorithm_identifier(field)
        elif number == 2:  # saltLength [2] INTEGER
            if field.read_integer() < 0:
                raise DecodeError("RSASSA-PSS saltLength must not be negative")
        elif field.read_integer() != 1:  # trailerField [3]: "trailerFieldBC(1)" is the only value
            raise DecodeError("RSASSA-PSS trailerField must be 1")
        field.finish()
    fields.finish()


# ---------------------------------------------------------------------------
# PKCS#8 OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2)


def private_key_to_pkcs8(key_type: KeyType, raw_private: bytes, public: bytes | None = None) -> bytes:
    """DER PKCS#8 (OneAsymmetricKey v1) of a raw private key.

    ``public`` is used only for P-256/P-384, where it becomes ECPrivateKey's
    ``[1] publicKey`` (RFC 5915 §3) and must be the uncompressed point.  OKP and
    RSA keys are written as v1, which has no field for the public key.
    """
    if key_type in _OKP_OIDS:
        size = _OKP_PRIVATE_SIZE[key_type]
        if len(raw_private) != size:
            raise InvalidPrivateKey(f"{key_type.label} private key must be {size} bytes")
        algorithm = der.encode_sequence(der.encode_oid(_OKP_OIDS[key_type]))
        private_key = der.encode_octet_string(raw_private)  # RFC 8410 §7: CurvePrivateKey
    elif key_type.is_ec:
        ec_scalar_from_bytes(key_type, raw_private)
        algorithm = der.encode_sequence(der.encode_oid(OID_EC_PUBLIC_KEY), der.encode_oid(_CURVE_OIDS[key_type]))
        # RFC 5915 §3: version ecPrivkeyVer1(1); parameters omitted (they are in the
        # PKCS#8 AlgorithmIdentifier, RFC 5915 §3 "SHOULD"); publicKey when known.
        fields = [der.encode_integer(1), der.encode_octet_string(raw_private)]
        if public is not None:
            _check_uncompressed_point(key_type, public)
            fields.append(der.encode_tlv(der.context_tag(1), der.encode_bit_string(public)))
        private_key = der.encode_sequence(*fields)
    elif key_type is KeyType.RSA:
        try:
            private_key = rsa_private_key_der(*rsa_private_key_numbers(raw_private))
        except DecodeError as exc:
            raise InvalidPrivateKey("malformed RSAPrivateKey") from exc
        algorithm = der.encode_sequence(der.encode_oid(OID_RSA_ENCRYPTION), der.encode_null())
    else:
        raise UnsupportedAlgorithm(f"no PKCS#8 encoding for {key_type.label}")
    # RFC 5958 §2: version v1(0), privateKeyAlgorithm, privateKey OCTET STRING.
    return der.encode_sequence(der.encode_integer(0), algorithm, der.encode_octet_string(private_key))


def private_key_from_pkcs8(data: bytes) -> tuple[KeyType, bytes]:
    """Parse unencrypted DER PKCS#8 into (key type, raw private key per types.py)."""
    reader = der.DerReader(data)
    info = reader.read_sequence()
    reader.finish()
    version = info.read_integer()
    if version not in (0, 1):  # RFC 5958 §2: v1(0), v2(1)
        raise DecodeError(f"unsupported PKCS#8 version {version}")
    oid, parameters = _read_algorithm_identifier(info)
    private_key = info.read_octet_string()
    if info.peek_tag() == _TAG_ATTRIBUTES:
        info.read(_TAG_ATTRIBUTES)  # attributes carry nothing we use
    public_key = info.read_optional(_TAG_PKCS8_PUBLIC_KEY)
    info.finish()
    # RFC 5958 §2: "When v1, publicKey MUST NOT be present" and v2 is what carries it.
    if (public_key is not None) != (version == 1):
        raise DecodeError("PKCS#8 version does not match the presence of publicKey")
    if public_key is not None:
        der.decode_bit_string(public_key)

    if oid in _OKP_BY_OID:
        key_type = _OKP_BY_OID[oid]
        if parameters is not None:  # RFC 8410 §3
            raise DecodeError(f"{key_type.label} AlgorithmIdentifier must not carry parameters")
        raw = der.read_single(private_key, der.TAG_OCTET_STRING)  # RFC 8410 §7
        if len(raw) != _OKP_PRIVATE_SIZE[key_type]:
            raise InvalidPrivateKey(f"{key_type.label} private key must be {_OKP_PRIVATE_SIZE[key_type]} bytes")
        return key_type, raw
    if oid == OID_EC_PUBLIC_KEY:
        key_type = _named_curve(parameters)
        return key_type, _parse_ec_private_key(key_type, private_key)
    if oid == OID_RSA_ENCRYPTION:
        if parameters != der.encode_null():
            raise DecodeError("rsaEncryption parameters must be NULL")
    elif oid == OID_RSASSA_PSS:
        if parameters is not None:
            _check_pss_parameters(parameters)
    else:
        raise UnsupportedAlgorithm(f"unsupported private key algorithm {oid}")
    return KeyType.RSA, rsa_private_key_der(*rsa_private_key_numbers(private_key))


def _parse_ec_private_key(key_type: KeyType, data: bytes) -> bytes:
    """RFC 5915 §3 ECPrivateKey inside PKCS#8: the fixed-width scalar."""
    reader = der.DerReader(data)
    fields = reader.read_sequence()
    reader.finish()
    if fields.read_integer() != 1:  # ecPrivkeyVer1
        raise DecodeError("ECPrivateKey version must be 1")
    scalar = fields.read_octet_string()
    if fields.peek_tag() == der.context_tag(0):
        curve = fields.read_explicit(0)
        # RFC 5915 §3: parameters, when present, name the same curve as the AlgorithmIdentifier.
        if _named_curve(curve.read_element()[2]) is not key_type:
            raise InvalidPrivateKey("ECPrivateKey parameters name a different curve")
        curve.finish()
    if fields.peek_tag() == der.context_tag(1):
        public = fields.read_explicit(1)
        public.read_bit_string()
        public.finish()
    fields.finish()
    # RFC 5915 §3: "an octet string of length ceiling (log2(n)/8)"; 1 <= d < n.
    ec_scalar_from_bytes(key_type, scalar)
    return scalar


# ---------------------------------------------------------------------------
# RSA keys (RFC 8017 §A.1)


def rsa_public_key_der(n: int, e: int) -> bytes:
    """RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1)."""
    return der.encode_sequence(der.encode_integer(n), der.encode_integer(e))


def rsa_public_key_numbers(data: bytes) -> tuple[int, int]:
    """RSAPublicKey DER to (n, e).  ``DecodeError`` if malformed, ``InvalidPublicKey`` if unusable."""
    reader = der.DerReader(data)
    fields = reader.read_sequence()
    reader.finish()
    n = fields.read_integer()
    e = fields.read_integer()
    fields.finish()
    if n < 3 or n % 2 == 0:
        raise InvalidPublicKey("RSA modulus must be odd and positive")
    if not 3 <= e < n or e % 2 == 0:
        raise InvalidPublicKey("RSA public exponent must be odd and in 3..n-1")
    return n, e


def rsa_private_key_der(n: int, e: int, d: int, p: int, q: int, dp: int, dq: int, qinv: int) -> bytes:
    """RSAPrivateKey, two-prime version 0 (RFC 8017 §A.1.2)."""
    return der.encode_sequence(*(der.encode_integer(value) for value in (0, n, e, d, p, q, dp, dq, qinv)))


def rsa_private_key_numbers(data: bytes) -> tuple[int, int, int, int, int, int, int, int]:
    """RSAPrivateKey DER to (n, e, d, p, q, dp, dq, qinv).

    ``DecodeError`` if malformed; ``InvalidPrivateKey`` if the numbers do not form a
    consistent two-prime key (cheap checks: n = pq, the CRT values, e·d ≡ 1 mod λ(n)
    via e·dP ≡ 1 mod p-1 and e·dQ ≡ 1 mod q-1).
    """
    reader = der.DerReader(data)
    fields = reader.read_sequence()
    reader.finish()
    version = fields.read_integer()
    if version == 1:  # RFC 8017 §A.1.2: multi-prime
        raise UnsupportedAlgorithm("multi-prime RSA private keys are not supported")
    if version != 0:
        raise DecodeError(f"unsupported RSAPrivateKey version {version}")
    n, e, d, p, q, dp, dq, qinv = (fields.read_integer() for _ in range(8))
    fields.finish()
    if min(d, dp, dq, qinv) < 1 or min(p, q) < 3 or p * q != n or n % 2 == 0 or e < 3 or e % 2 == 0:
        raise InvalidPrivateKey("RSA private key numbers are out of range")
    if (
        dp != d % (p - 1)
        or dq != d % (q - 1)
        or qinv >= p
        or (qinv * q) % p != 1
        or (e * dp) % (p - 1) != 1
        or (e * dq) % (q - 1) != 1
    ):
        raise InvalidPrivateKey("RSA private key numbers are inconsistent")
    return n, e, d, p, q, dp, dq, qinv


# ---------------------------------------------------------------------------
# PEM (RFC 7468)

# RFC 7468 §3: label = [ labelchar *( ["-" / SP] labelchar ) ], labelchar = %x21-2C / %x2E-7E.
_LABEL = r"[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*"
_PEM_BEGIN = re.compile(rb"-----BEGIN (" + _LABEL.encode() + rb"|)-----")
_PEM_END = re.compile(rb"-----END (" + _LABEL.encode() + rb"|)-----")
_PEM_WHITESPACE = re.compile(rb"[ \t\r\n]+")


def pem_encode(label: str, der_bytes: bytes) -> str:
    """RFC 7468 §2 textual encoding: base64 in 64-character lines."""
    if re.fullmatch(_LABEL, label) is None:
        raise EncodeError(f"invalid PEM label {label!r}")
    text = base64.b64encode(der_bytes).decode("ascii")
    lines = [text[start : start + 64] for start in range(0, len(text), 64)]
    return "".join(f"{line}\n" for line in [f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


def pem_decode(text: str | bytes, label: str | None = None) -> tuple[str, bytes]:
    """The first PEM block in ``text`` (of ``label``, if given): (label, DER bytes).

    Explanatory text around blocks is ignored (RFC 7468 §2).  The base64 body must be
    strict (RFC 7468 §3 "stricttextualmsg" apart from line length), and RFC 1421
    encapsulated headers (legacy encrypted PEM) are rejected.
    """
    if isinstance(text, str):
        try:
            data = text.encode("ascii")
        except UnicodeEncodeError:
            raise DecodeError("PEM text must be ASCII") from None
    else:
        data = bytes(text)
    position = 0
    while (begin_match := _PEM_BEGIN.search(data, position)) is not None:
        # One forward scan per block, so hostile input costs linear time.
        end_match = _PEM_END.search(data, begin_match.end())
        if end_match is None:
            raise DecodeError("PEM BEGIN line without an END line")
        position = end_match.end()
        begin, end = begin_match.group(1).decode("ascii"), end_match.group(1).decode("ascii")
        if label is not None and begin != label:
            continue
        if begin != end:  # RFC 7468 §2: "the labels MUST match"
            raise DecodeError(f"PEM END label {end!r} does not match BEGIN label {begin!r}")
        body = data[begin_match.end() : end_match.start()]
        if b":" in body:
            raise DecodeError("PEM encapsulated headers (RFC 1421) are not supported")
        compact = _PEM_WHITESPACE.sub(b"", body)
        try:
            decoded = binascii.a2b_base64(compact, strict_mode=True)
        except binascii.Error:
            raise DecodeError(f"PEM {begin!r} block is not valid base64") from None
        if base64.b64encode(decoded) != compact:  # non-zero padding bits: not canonical
            raise DecodeError(f"PEM {begin!r} block is not canonical base64")
        return begin, decoded
    wanted = f" {label!r}" if label is not None else ""
    raise DecodeError(f"no PEM{wanted} block found")
