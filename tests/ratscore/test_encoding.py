"""SPKI / PKCS#8 / RSA key / PEM encodings.

Truth: the RFC 8410 §10 example keys, the key files of cryptography-vectors (fixed
files produced by OpenSSL), the compressed points of cryptography-vectors'
``EC/compressed_points.txt``, and pyca/cryptography as an oracle.
"""

from __future__ import annotations

import contextlib
from typing import Any

import cryptography_vectors  # the main vectors: a test dependency, never skipped
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore.crypto import der
from ratscore.crypto.encoding import (
    pem_decode,
    pem_encode,
    private_key_from_pkcs8,
    private_key_to_pkcs8,
    public_key_from_spki,
    public_key_to_spki,
    rsa_private_key_der,
    rsa_private_key_numbers,
    rsa_public_key_der,
    rsa_public_key_numbers,
)
from ratscore.crypto.types import KeyType, PublicKey
from ratscore.errors import (
    DecodeError,
    EncodeError,
    InvalidPrivateKey,
    InvalidPublicKey,
    UnsupportedAlgorithm,
)

PARSE_ERRORS = (DecodeError, UnsupportedAlgorithm, InvalidPublicKey, InvalidPrivateKey)


def vector(path: str) -> bytes:
    with cryptography_vectors.open_vector_file(f"asymmetric/{path}", "rb") as handle:
        data: bytes = handle.read()
    return data


def vector_der(path: str) -> bytes:
    """A key file's DER: the file itself, or its first PEM block."""
    data = vector(path)
    return pem_decode(data)[1] if path.endswith(".pem") else data


# ---------------------------------------------------------------------------
# RFC 8410 §10 examples

RFC8410_PUBLIC_PEM = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PUBLIC KEY-----
"""
RFC8410_PRIVATE_PEM = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
-----END PRIVATE KEY-----
"""
RFC8410_PUBLIC = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1"
RFC8410_PRIVATE = "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842"


def test_rfc8410_public_key_example() -> None:
    label, spki = pem_decode(RFC8410_PUBLIC_PEM)
    assert label == "PUBLIC KEY"
    key = public_key_from_spki(spki)
    assert key.key_type is KeyType.ED25519
    assert key.data.hex() == RFC8410_PUBLIC
    assert public_key_to_spki(key) == spki
    assert pem_encode("PUBLIC KEY", spki) == RFC8410_PUBLIC_PEM


def test_rfc8410_private_key_example() -> None:
    label, pkcs8 = pem_decode(RFC8410_PRIVATE_PEM, "PRIVATE KEY")
    assert label == "PRIVATE KEY"
    assert private_key_from_pkcs8(pkcs8) == (KeyType.ED25519, bytes.fromhex(RFC8410_PRIVATE))
    assert private_key_to_pkcs8(KeyType.ED25519, bytes.fromhex(RFC8410_PRIVATE)) == pkcs8
    assert pem_encode("PRIVATE KEY", pkcs8) == RFC8410_PRIVATE_PEM


# ---------------------------------------------------------------------------
# cryptography-vectors key files: parse, re-encode to the identical bytes

OKP_FILES = [
    (KeyType.X25519, "X25519/x25519-pkcs8", "X25519/x25519-pub"),
    (KeyType.X448, "X448/x448-pkcs8", "X448/x448-pub"),
    (KeyType.ED25519, "Ed25519/ed25519-pkcs8", "Ed25519/ed25519-pub"),
    (KeyType.ED448, "Ed448/ed448-pkcs8", "Ed448/ed448-pub"),
]


@pytest.mark.parametrize(("key_type", "private_path", "public_path"), OKP_FILES)
def test_okp_vector_files(key_type: KeyType, private_path: str, public_path: str) -> None:
    private_der = vector(private_path + ".der")
    public_der = vector(public_path + ".der")
    assert pem_decode(vector(private_path + ".pem"), "PRIVATE KEY")[1] == private_der
    assert pem_decode(vector(public_path + ".pem"), "PUBLIC KEY")[1] == public_der

    parsed_type, raw_private = private_key_from_pkcs8(private_der)
    assert parsed_type is key_type
    assert private_key_to_pkcs8(key_type, raw_private) == private_der
    public = public_key_from_spki(public_der)
    assert public.key_type is key_type
    assert len(public.data) == key_type.size
    assert public_key_to_spki(public) == public_der

    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    oracle_private: Any = serialization.load_der_private_key(private_der, password=None)
    assert raw_private == oracle_private.private_bytes_raw()
    assert public.data == serialization.load_der_public_key(public_der).public_bytes_raw()


# Scalar and point of the P-256 key in PKCS8/ec_private_key.pem, read off the file.
EC_SCALAR = "622ad3652c7ee4ef18ead9467246ba5ba6ed262a1c76b76895f72e912a13124f"
EC_POINT = (
    "0424bcf36eecf6b519cb16538bfba6d35fa82255abc0b1ce8d0c5153d0830277689b4d"
    "33540c39051ac82ad1c1f92583e0ffac5494c0452ab5987b7c90e216acf7"
)


def test_ec_vector_files() -> None:
    pkcs8 = vector_der("PKCS8/ec_private_key.pem")
    assert private_key_from_pkcs8(pkcs8) == (KeyType.P256, bytes.fromhex(EC_SCALAR))
    # OpenSSL's layout: ECPrivateKey v1 without [0] parameters, with [1] publicKey.
    assert private_key_to_pkcs8(KeyType.P256, bytes.fromhex(EC_SCALAR), bytes.fromhex(EC_POINT)) == pkcs8
    # [0] parameters naming the same curve are accepted.
    assert private_key_from_pkcs8(vector_der("PKCS8/ec-consistent-curve.pem")) == (
        KeyType.P256,
        bytes.fromhex(EC_SCALAR),
    )
    other_type, other_scalar = private_key_from_pkcs8(vector_der("PKCS8/ecc_private_with_rfc5915_ext.pem"))
    assert other_type is KeyType.P256
    assert other_scalar.hex() == "7ca043c5c3fcf0e11f238bfa93c245210aae5b36a9d3e1c75c4ecde83ceebda9"

    spki = vector("DER_Serialization/ec_public_key.der")
    assert public_key_from_spki(spki) == PublicKey(key_type=KeyType.P256, data=bytes.fromhex(EC_POINT))
    assert public_key_to_spki(PublicKey(key_type=KeyType.P256, data=bytes.fromhex(EC_POINT))) == spki
    assert pem_decode(vector("PEM_Serialization/ec_public_key.pem"), "PUBLIC KEY")[1] == spki


RSA_FILES = [
    ("DER_Serialization/unenc-rsa-pkcs8.der", "DER_Serialization/unenc-rsa-pkcs8.pub.der"),
    ("PKCS8/unenc-rsa-pkcs8.pem", "PKCS8/unenc-rsa-pkcs8.pub.pem"),
]


@pytest.mark.parametrize(("private_path", "public_path"), RSA_FILES)
def test_rsa_vector_files(private_path: str, public_path: str) -> None:
    pkcs8 = vector_der(private_path)
    spki = vector_der(public_path)
    key_type, raw_private = private_key_from_pkcs8(pkcs8)
    assert key_type is KeyType.RSA
    assert private_key_to_pkcs8(KeyType.RSA, raw_private) == pkcs8
    public = public_key_from_spki(spki)
    assert public.key_type is KeyType.RSA
    assert public_key_to_spki(public) == spki
    n, e, d, p, q, dp, dq, qinv = rsa_private_key_numbers(raw_private)
    assert rsa_public_key_numbers(public.data) == (n, e)

    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    oracle: Any = serialization.load_der_private_key(pkcs8, password=None).private_numbers()
    assert (n, e) == (oracle.public_numbers.n, oracle.public_numbers.e)
    assert (d, p, q, dp, dq, qinv) == (oracle.d, oracle.p, oracle.q, oracle.dmp1, oracle.dmq1, oracle.iqmp)


@pytest.mark.parametrize(
    "path",
    ["PKCS8/rsa_pss_2048.pem", "PKCS8/rsa_pss_2048_hash.pem", "PKCS8/rsa_pss_2048_hash_mask_salt.pem"],
)
def test_rsa_pss_pkcs8_files_load_as_rsa(path: str) -> None:
    key_type, raw_private = private_key_from_pkcs8(vector_der(path))
    assert key_type is KeyType.RSA
    n = rsa_private_key_numbers(raw_private)[0]
    assert n.bit_length() == 2048


def test_rsa_pss_spki_file_loads_as_rsa() -> None:
    spki = vector("PKCS8/rsa_pss_2048_pub.der")
    public = public_key_from_spki(spki)
    assert public.key_type is KeyType.RSA
    # Our canonical SPKI for it is rsaEncryption, so it differs from the file.
    assert public_key_to_spki(public) != spki
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    oracle: Any = serialization.load_der_public_key(spki).public_numbers()
    assert rsa_public_key_numbers(public.data) == (oracle.n, oracle.e)


REJECTED_FILES = [
    # (path, parser, exception)
    ("Ed25519/ed25519-pub-non-zero-unused-bits.der", "spki", DecodeError),
    ("EC/sect163k1-spki.pem", "spki", UnsupportedAlgorithm),
    ("EC/secp256r1-pub-explicit-seed.pem", "spki", UnsupportedAlgorithm),
    ("DER_Serialization/dsa_public_key.der", "spki", UnsupportedAlgorithm),
    ("PKCS8/unknown-oid.der", "pkcs8", UnsupportedAlgorithm),
    ("PKCS8/invalid-version.der", "pkcs8", DecodeError),  # v2 without publicKey
    ("PKCS8/ec-invalid-version.pem", "pkcs8", DecodeError),  # ECPrivateKey version 17
    ("PKCS8/ec-inconsistent-curve.pem", "pkcs8", InvalidPrivateKey),
    ("PKCS8/ec-inconsistent-curve2.pem", "pkcs8", InvalidPrivateKey),
    ("PKCS8/ec-invalid-private-scalar.pem", "pkcs8", InvalidPrivateKey),
    ("PKCS8/private.pem", "pkcs8", UnsupportedAlgorithm),  # explicit curve parameters
    ("PKCS8/nodompar_private.pkcs8.pem", "pkcs8", UnsupportedAlgorithm),
    ("PKCS8/unenc-dsa-pkcs8.pem", "pkcs8", UnsupportedAlgorithm),
    ("X25519/x25519-pkcs8-enc.der", "pkcs8", DecodeError),  # EncryptedPrivateKeyInfo
    ("DER_Serialization/ec_private_key.der", "pkcs8", DecodeError),  # SEC 1, not PKCS#8
]


@pytest.mark.parametrize(("path", "parser", "error"), REJECTED_FILES)
def test_rejected_vector_files(path: str, parser: str, error: type[Exception]) -> None:
    data = vector_der(path)
    with pytest.raises(error):
        if parser == "spki":
            public_key_from_spki(data)
        else:
            private_key_from_pkcs8(data)


# ---------------------------------------------------------------------------
# Compressed EC points (RFC 5480 §2.2 allows them; we return the uncompressed form)

P256_SPKI_PREFIX = "3039301306072a8648ce3d020106082a8648ce3d030107032200"  # RFC 5480 §2, 33-byte point
P384_SPKI_PREFIX = "3046301006072a8648ce3d020106052b81040022033200"  # 49-byte point


def compressed_p256_vectors() -> list[tuple[str, str, str]]:
    entries: list[dict[str, str]] = []
    for line in vector("EC/compressed_points.txt").decode().splitlines():
        if line.startswith("COUNT"):
            entries.append({})
        elif " = " in line and entries:
            name, value = line.split(" = ")
            entries[-1][name] = value
    return [(item["POINT"], item["X"], item["Y"]) for item in entries if item["CURVE"] == "SECP256R1"]


def test_compressed_p256_points_from_vectors() -> None:
    cases = compressed_p256_vectors()
    assert cases
    for point, x, y in cases:
        key = public_key_from_spki(bytes.fromhex(P256_SPKI_PREFIX + point))
        assert key.key_type is KeyType.P256
        assert key.data.hex() == "04" + x.rjust(64, "0") + y.rjust(64, "0")


def test_compressed_points_against_oracle() -> None:
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    for curve, prefix, key_type in (
        (ec.SECP256R1(), P256_SPKI_PREFIX, KeyType.P256),
        (ec.SECP384R1(), P384_SPKI_PREFIX, KeyType.P384),
    ):
        for _ in range(4):
            public = ec.generate_private_key(curve).public_key()
            compressed = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
            uncompressed = public.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
            assert public_key_from_spki(bytes.fromhex(prefix) + compressed) == PublicKey(
                key_type=key_type, data=uncompressed
            )
    # An x with no point on the curve: find one the oracle rejects, then ours must too.
    for x in range(1, 100):
        candidate = b"\x02" + x.to_bytes(32, "big")
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), candidate)
        except ValueError:
            break
    else:
        pytest.fail("no off-curve x found")
    with pytest.raises(InvalidPublicKey):
        public_key_from_spki(bytes.fromhex(P256_SPKI_PREFIX) + candidate)


# ---------------------------------------------------------------------------
# Oracle round trips: cryptography's encodings parse to the same raw bytes, and ours
# are byte-identical to (and load in) cryptography.


def _oracle_keys() -> list[tuple[KeyType, Any]]:
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    ed25519 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
    ed448 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed448")
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    x25519 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.x25519")
    x448 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.x448")
    return [
        (KeyType.X25519, x25519.X25519PrivateKey.generate()),
        (KeyType.X448, x448.X448PrivateKey.generate()),
        (KeyType.ED25519, ed25519.Ed25519PrivateKey.generate()),
        (KeyType.ED448, ed448.Ed448PrivateKey.generate()),
        (KeyType.P256, ec.generate_private_key(ec.SECP256R1())),
        (KeyType.P384, ec.generate_private_key(ec.SECP384R1())),
        (KeyType.RSA, rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    ]


def _oracle_raw(key_type: KeyType, key: Any) -> tuple[bytes, bytes]:
    """(raw private, raw public) in our types.py forms, computed by the oracle."""
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    public = key.public_key()
    if key_type.is_ec:
        scalar = key.private_numbers().private_value.to_bytes(key_type.size, "big")
        point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return scalar, point
    if key_type is KeyType.RSA:
        private = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        return private, public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return key.private_bytes_raw(), public.public_bytes_raw()


def test_round_trips_against_cryptography() -> None:
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    for key_type, key in _oracle_keys():
        raw_private, raw_public = _oracle_raw(key_type, key)
        oracle_spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        oracle_pkcs8 = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Theirs -> ours.
        assert public_key_from_spki(oracle_spki) == PublicKey(key_type=key_type, data=raw_public), key_type
        assert private_key_from_pkcs8(oracle_pkcs8) == (key_type, raw_private), key_type
        # Ours -> theirs: identical bytes, and they load.
        ours_spki = public_key_to_spki(PublicKey(key_type=key_type, data=raw_public))
        ours_pkcs8 = private_key_to_pkcs8(key_type, raw_private, raw_public if key_type.is_ec else None)
        assert ours_spki == oracle_spki, key_type
        assert ours_pkcs8 == oracle_pkcs8, key_type
        assert serialization.load_der_public_key(ours_spki) == key.public_key()
        loaded: Any = serialization.load_der_private_key(ours_pkcs8, password=None)
        assert loaded.public_key() == key.public_key()
        # EC without the optional public key also loads.
        if key_type.is_ec:
            bare: Any = serialization.load_der_private_key(private_key_to_pkcs8(key_type, raw_private), None)
            assert bare.public_key() == key.public_key()


def test_rsa_key_der_against_cryptography() -> None:
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.private_numbers()
    public_numbers = numbers.public_numbers
    fields = (
        public_numbers.n,
        public_numbers.e,
        numbers.d,
        numbers.p,
        numbers.q,
        numbers.dmp1,
        numbers.dmq1,
        numbers.iqmp,
    )
    traditional = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    assert rsa_private_key_der(*fields) == traditional
    assert rsa_private_key_numbers(traditional) == fields
    pkcs1_public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    assert rsa_public_key_der(public_numbers.n, public_numbers.e) == pkcs1_public
    assert rsa_public_key_numbers(pkcs1_public) == (public_numbers.n, public_numbers.e)


# ---------------------------------------------------------------------------
# Hand-built malformed inputs (the DER writer only assembles the input)

ED25519_ALG = der.encode_sequence(der.encode_oid("1.3.101.112"))
EC_P256_ALG = der.encode_sequence(der.encode_oid("1.2.840.10045.2.1"), der.encode_oid("1.2.840.10045.3.1.7"))
RSA_ALG = der.encode_sequence(der.encode_oid("1.2.840.113549.1.1.1"), der.encode_null())
PSS_OID = der.encode_oid("1.2.840.113549.1.1.10")
SMALL_RSA = rsa_public_key_der((1 << 1023) + 1155, 65537)  # odd: structure only, never used to verify


def spki(algorithm: bytes, key: bytes) -> bytes:
    return der.encode_sequence(algorithm, der.encode_bit_string(key))


SPKI_REJECTS = {
    "Ed25519 with NULL params": (
        spki(der.encode_sequence(der.encode_oid("1.3.101.112"), der.encode_null()), bytes(32)),
        DecodeError,
    ),
    "Ed25519 short key": (spki(ED25519_ALG, bytes(31)), InvalidPublicKey),
    "P-256 point of 64 bytes": (spki(EC_P256_ALG, bytes(64)), InvalidPublicKey),
    "P-256 point with prefix 05": (spki(EC_P256_ALG, b"\x05" + bytes(64)), InvalidPublicKey),
    "P-256 point at infinity": (spki(EC_P256_ALG, b"\x00"), InvalidPublicKey),
    "EC without params": (spki(der.encode_sequence(der.encode_oid("1.2.840.10045.2.1")), b"\x04"), DecodeError),
    "EC on secp521r1": (
        spki(der.encode_sequence(der.encode_oid("1.2.840.10045.2.1"), der.encode_oid("1.3.132.0.35")), b"\x04"),
        UnsupportedAlgorithm,
    ),
    "rsaEncryption without params": (
        spki(der.encode_sequence(der.encode_oid("1.2.840.113549.1.1.1")), SMALL_RSA),
        DecodeError,
    ),
    "RSA with even modulus": (spki(RSA_ALG, rsa_public_key_der(1 << 1023, 65537)), InvalidPublicKey),
    "RSA with e = 1": (spki(RSA_ALG, rsa_public_key_der((1 << 1023) + 1155, 1)), InvalidPublicKey),
    "RSA key with trailing data": (spki(RSA_ALG, SMALL_RSA + b"\x00"), DecodeError),
    "PSS params trailerField 2": (
        spki(
            der.encode_sequence(
                PSS_OID, der.encode_sequence(der.encode_tlv(der.context_tag(3), der.encode_integer(2)))
            ),
            SMALL_RSA,
        ),
        DecodeError,
    ),
    "PSS params not a SEQUENCE": (spki(der.encode_sequence(PSS_OID, der.encode_null()), SMALL_RSA), DecodeError),
    "DSA": (spki(der.encode_sequence(der.encode_oid("1.2.840.10040.4.1")), b"\x00"), UnsupportedAlgorithm),
    "BIT STRING with unused bits": (
        der.encode_sequence(ED25519_ALG, der.encode_bit_string(bytes(31) + b"\x80", 7)),
        DecodeError,
    ),
    "trailing data": (spki(ED25519_ALG, bytes(32)) + b"\x00", DecodeError),
    "extra field": (der.encode_sequence(ED25519_ALG, der.encode_bit_string(bytes(32)), der.encode_null()), DecodeError),
}


@pytest.mark.parametrize("name", sorted(SPKI_REJECTS))
def test_spki_rejects(name: str) -> None:
    data, error = SPKI_REJECTS[name]
    with pytest.raises(error):
        public_key_from_spki(data)


def test_pss_spki_with_parameters_is_rsa() -> None:
    # RFC 4055 §3.1 RSASSA-PSS-params: SHA-256, MGF1-SHA-256, salt 32, trailer 1.
    sha256 = der.encode_sequence(der.encode_oid("2.16.840.1.101.3.4.2.1"), der.encode_null())
    params = der.encode_sequence(
        der.encode_tlv(der.context_tag(0), sha256),
        der.encode_tlv(der.context_tag(1), der.encode_sequence(der.encode_oid("1.2.840.113549.1.1.8"), sha256)),
        der.encode_tlv(der.context_tag(2), der.encode_integer(32)),
        der.encode_tlv(der.context_tag(3), der.encode_integer(1)),
    )
    for algorithm in (der.encode_sequence(PSS_OID, params), der.encode_sequence(PSS_OID)):
        assert public_key_from_spki(spki(algorithm, SMALL_RSA)) == PublicKey(key_type=KeyType.RSA, data=SMALL_RSA)


def pkcs8(version: int, algorithm: bytes, private_key: bytes, *extra: bytes) -> bytes:
    return der.encode_sequence(der.encode_integer(version), algorithm, der.encode_octet_string(private_key), *extra)


ED25519_PRIVATE = der.encode_octet_string(bytes(range(32)))
PUBLIC_FIELD = der.encode_tlv(der.context_tag(1, constructed=False), b"\x00" + bytes(32))
ATTRIBUTES = der.encode_tlv(
    der.context_tag(0), der.encode_sequence(der.encode_oid("1.2.3"), der.encode_tlv(der.TAG_SET, b""))
)
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # SEC 2 §2.4.2


def ec_private(scalar: bytes, version: int = 1) -> bytes:
    return der.encode_sequence(der.encode_integer(version), der.encode_octet_string(scalar))


PKCS8_REJECTS = {
    "version 2": (pkcs8(2, ED25519_ALG, ED25519_PRIVATE), DecodeError),
    "v1 with publicKey": (pkcs8(0, ED25519_ALG, ED25519_PRIVATE, PUBLIC_FIELD), DecodeError),
    "Ed25519 key not wrapped": (pkcs8(0, ED25519_ALG, bytes(32)), DecodeError),
    "Ed25519 short key": (pkcs8(0, ED25519_ALG, der.encode_octet_string(bytes(31))), InvalidPrivateKey),
    "EC zero scalar": (pkcs8(0, EC_P256_ALG, ec_private(bytes(32))), InvalidPrivateKey),
    "EC scalar = n": (pkcs8(0, EC_P256_ALG, ec_private(P256_ORDER.to_bytes(32, "big"))), InvalidPrivateKey),
    "EC short scalar": (pkcs8(0, EC_P256_ALG, ec_private(b"\x01")), InvalidPrivateKey),
    "EC version 0": (pkcs8(0, EC_P256_ALG, ec_private(b"\x01" * 32, version=0)), DecodeError),
    "RSA multi-prime": (
        pkcs8(0, RSA_ALG, der.encode_sequence(*(der.encode_integer(v) for v in (1, 15, 3, 3, 3, 5, 1, 1, 2)))),
        UnsupportedAlgorithm,
    ),
    "RSA p*q != n": (pkcs8(0, RSA_ALG, rsa_private_key_der(35, 5, 5, 7, 3, 5, 1, 1)), InvalidPrivateKey),
    "trailing data": (pkcs8(0, ED25519_ALG, ED25519_PRIVATE) + b"\x00", DecodeError),
}


@pytest.mark.parametrize("name", sorted(PKCS8_REJECTS))
def test_pkcs8_rejects(name: str) -> None:
    data, error = PKCS8_REJECTS[name]
    with pytest.raises(error):
        private_key_from_pkcs8(data)


def test_ec_public_key_with_unused_bits_rejected() -> None:
    # The file is a SEC 1 ECPrivateKey whose [1] publicKey BIT STRING has unused bits;
    # wrapped into PKCS#8 it must be refused.
    sec1 = vector("EC/ec_private_key_non_zero_unused_bits.der")
    with pytest.raises(DecodeError, match="unused bits"):
        private_key_from_pkcs8(pkcs8(0, EC_P256_ALG, sec1))
    # The same wrapping of a well-formed SEC 1 key is accepted (control).
    assert private_key_from_pkcs8(pkcs8(0, EC_P256_ALG, vector("DER_Serialization/ec_private_key.der"))) == (
        KeyType.P256,
        bytes.fromhex(EC_SCALAR),
    )


def test_pkcs8_v2_and_attributes_accepted() -> None:
    # RFC 5958 §2: v2 carries [1] publicKey; [0] attributes may appear in either version.
    assert private_key_from_pkcs8(pkcs8(1, ED25519_ALG, ED25519_PRIVATE, PUBLIC_FIELD)) == (
        KeyType.ED25519,
        bytes(range(32)),
    )
    assert private_key_from_pkcs8(pkcs8(0, ED25519_ALG, ED25519_PRIVATE, ATTRIBUTES)) == (
        KeyType.ED25519,
        bytes(range(32)),
    )


def test_small_rsa_private_key_consistency() -> None:
    # The textbook key p = 61, q = 53, e = 17, d = 413 (λ(n) = 780); CRT values by hand.
    good = rsa_private_key_der(3233, 17, 413, 61, 53, 53, 49, 38)
    assert rsa_private_key_numbers(good) == (3233, 17, 413, 61, 53, 53, 49, 38)
    for bad in (
        (3233, 17, 413, 61, 53, 52, 49, 38),  # dP wrong
        (3233, 17, 413, 61, 53, 53, 48, 38),  # dQ wrong
        (3233, 17, 413, 61, 53, 53, 49, 37),  # qInv wrong
        (3233, 19, 413, 61, 53, 53, 49, 38),  # e does not match d
    ):
        with pytest.raises(InvalidPrivateKey):
            rsa_private_key_numbers(rsa_private_key_der(*bad))


def test_encoders_reject_bad_keys() -> None:
    with pytest.raises(InvalidPublicKey):
        public_key_to_spki(PublicKey(key_type=KeyType.X448, data=bytes(32)))
    with pytest.raises(InvalidPublicKey):
        public_key_to_spki(PublicKey(key_type=KeyType.P384, data=b"\x02" + bytes(48)))
    with pytest.raises(InvalidPublicKey):
        public_key_to_spki(PublicKey(key_type=KeyType.RSA, data=b"\x30\x00"))
    with pytest.raises(InvalidPrivateKey):
        private_key_to_pkcs8(KeyType.ED448, bytes(56))
    with pytest.raises(InvalidPrivateKey):
        private_key_to_pkcs8(KeyType.P256, bytes(32))
    with pytest.raises(InvalidPublicKey):
        private_key_to_pkcs8(KeyType.P256, b"\x01" * 32, b"\x02" + bytes(32))
    with pytest.raises(InvalidPrivateKey):
        private_key_to_pkcs8(KeyType.RSA, b"\x30\x00")


# ---------------------------------------------------------------------------
# PEM (RFC 7468)


def test_pem_layout_and_round_trip() -> None:
    data = bytes(range(256)) * 3
    text = pem_encode("CERTIFICATE", data)
    lines = text.splitlines()
    assert lines[0] == "-----BEGIN CERTIFICATE-----"
    assert lines[-1] == "-----END CERTIFICATE-----"
    assert all(len(line) == 64 for line in lines[1:-2])  # RFC 7468 §2: 64 characters a line
    assert 0 < len(lines[-2]) <= 64
    assert pem_decode(text) == ("CERTIFICATE", data)
    assert pem_decode(text.encode()) == ("CERTIFICATE", data)
    assert pem_encode("EMPTY", b"") == "-----BEGIN EMPTY-----\n-----END EMPTY-----\n"
    assert pem_decode("-----BEGIN EMPTY-----\n-----END EMPTY-----\n") == ("EMPTY", b"")


def test_pem_lax_whitespace_and_explanatory_text() -> None:
    text = "Subject: test\r\n\r\n-----BEGIN X-----\r\n  AAEC\r\n AwQ=\t\r\n-----END X-----\r\ntrailing words\n"
    assert pem_decode(text) == ("X", bytes([0, 1, 2, 3, 4]))


def test_pem_label_selection() -> None:
    text = pem_encode("A", b"a") + pem_encode("B", b"b")
    assert pem_decode(text) == ("A", b"a")
    assert pem_decode(text, "B") == ("B", b"b")
    with pytest.raises(DecodeError, match="no PEM 'C' block"):
        pem_decode(text, "C")
    with pytest.raises(DecodeError):
        pem_decode(vector("PEM_Serialization/ec_public_key_rsa_delimiter.pem"), "PUBLIC KEY")


@pytest.mark.parametrize(
    "text",
    [
        "no block here",
        "-----BEGIN A-----\nAAAA\n-----END B-----\n",  # labels differ
        "-----BEGIN A-----\nAA!A\n-----END A-----\n",  # not base64
        "-----BEGIN A-----\nAAA\n-----END A-----\n",  # bad padding
        "-----BEGIN A-----\nAB==\n-----END A-----\n",  # non-zero padding bits
        "-----BEGIN A-----\nAA==AA==\n-----END A-----\n",  # data after padding
        "-----BEGIN A-----\nÄA==\n-----END A-----\n",  # not ASCII
        "-----BEGIN A-----\nAAAA\n",  # no END line
    ],
)
def test_pem_rejects(text: str) -> None:
    with pytest.raises(DecodeError):
        pem_decode(text)


def test_pem_hostile_input_is_fast() -> None:
    # Many BEGIN lines and no END: one scan, not one per BEGIN line.
    with pytest.raises(DecodeError, match="END"):
        pem_decode("-----BEGIN A-----\n" * 200_000)


def test_pem_rejects_encrypted_legacy_headers() -> None:
    with pytest.raises(DecodeError, match="headers"):
        pem_decode(vector("PEM_Serialization/rsa_private_key.pem"))


@pytest.mark.parametrize("label", ["-LEADING", "TRAILING ", "TWO  SPACES", "A\nB"])
def test_pem_encode_rejects_bad_labels(label: str) -> None:
    with pytest.raises(EncodeError):
        pem_encode(label, b"")


# ---------------------------------------------------------------------------
# Fuzz: arbitrary and mutated input raise only the documented errors


def test_truncations_raise_decode_error() -> None:
    spki_data = vector("DER_Serialization/ec_public_key.der")
    pkcs8_data = vector("X25519/x25519-pkcs8.der")
    for cut in range(len(spki_data)):
        with pytest.raises(DecodeError):
            public_key_from_spki(spki_data[:cut])
    for cut in range(len(pkcs8_data)):
        with pytest.raises(DecodeError):
            private_key_from_pkcs8(pkcs8_data[:cut])


@given(st.binary(max_size=300))
@settings(max_examples=300)
def test_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(*PARSE_ERRORS):
        public_key_from_spki(data)
    with contextlib.suppress(*PARSE_ERRORS):
        private_key_from_pkcs8(data)
    with contextlib.suppress(*PARSE_ERRORS):
        rsa_private_key_numbers(data)


SEEDS = [
    spki(ED25519_ALG, bytes(32)),
    spki(EC_P256_ALG, bytes.fromhex(EC_POINT)),
    spki(RSA_ALG, SMALL_RSA),
    pkcs8(0, EC_P256_ALG, ec_private(bytes.fromhex(EC_SCALAR))),
    pkcs8(1, ED25519_ALG, ED25519_PRIVATE, ATTRIBUTES, PUBLIC_FIELD),
]


@given(st.sampled_from(SEEDS), st.integers(min_value=0), st.binary(min_size=1, max_size=4))
@settings(max_examples=300)
def test_mutated_encodings(seed: bytes, position: int, patch: bytes) -> None:
    position %= len(seed)
    data = seed[:position] + patch + seed[position + len(patch) :]
    with contextlib.suppress(*PARSE_ERRORS):
        public_key_from_spki(data)
    with contextlib.suppress(*PARSE_ERRORS):
        private_key_from_pkcs8(data)
