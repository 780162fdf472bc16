"""COSE header parameters, algorithm identifiers and the to-be-protected structures.

Header buckets follow RFC 9052 §3: the protected bucket travels as a byte string
wrapping a map (the empty map as the empty byte string), the unprotected bucket as a
plain map, and a label may appear in only one of them.  The same checks serve the
encoder (raising ``EncodeError``, the caller's mistake) and the decoder (raising
``DecodeError``, the peer's).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from typing import Any, Final, TypeAlias

from ratscore import cbor
from ratscore.cbor import CborItem
from ratscore.crypto.types import AeadAlgorithm, HashAlgorithm, KeyType, SignatureAlgorithm
from ratscore.errors import DecodeError, EncodeError, UnsupportedAlgorithm

__all__ = [
    "CoseAlgorithm",
    "Header",
    "HeaderMap",
    "Label",
    "enc_structure",
    "mac_structure",
    "sig_structure",
]

Label: TypeAlias = int | str
HeaderMap: TypeAlias = Mapping[Label, CborItem]


class Header:
    """Header parameter labels (RFC 9052 §3.1, RFC 9360 §2, RFC 9528 §3.5.3)."""

    ALG: Final = 1
    CRIT: Final = 2
    CONTENT_TYPE: Final = 3
    KID: Final = 4
    IV: Final = 5
    PARTIAL_IV: Final = 6
    KCWT: Final = 13
    KCCS: Final = 14
    X5BAG: Final = 32
    X5CHAIN: Final = 33
    X5T: Final = 34
    X5U: Final = 35


class CoseAlgorithm(enum.IntEnum):
    """COSE algorithm identifiers implemented here (RFC 9053 tables 1-9)."""

    EDDSA = -8
    ES256 = -7
    ES384 = -35
    A128GCM = 1
    A256GCM = 3
    HMAC_256_64 = 4
    HMAC_256_256 = 5
    HMAC_384_384 = 6
    HMAC_512_512 = 7
    AES_CCM_16_64_128 = 10
    CHACHA20_POLY1305 = 24
    AES_CCM_16_128_128 = 30


# RFC 9053 §2.1-2.2: the signature scheme follows from the algorithm and the key.
# ECDSA is bound to the curve of the same size (RFC 9053 §2.1 suggests exactly this
# pairing; RFC 9052 §7.1 makes checking the key type a MUST).
SIGNATURE_ALGORITHMS: Final[dict[tuple[CoseAlgorithm, KeyType], SignatureAlgorithm]] = {
    (CoseAlgorithm.EDDSA, KeyType.ED25519): SignatureAlgorithm.ED25519,
    (CoseAlgorithm.EDDSA, KeyType.ED448): SignatureAlgorithm.ED448,
    (CoseAlgorithm.ES256, KeyType.P256): SignatureAlgorithm.ECDSA_SHA256,
    (CoseAlgorithm.ES384, KeyType.P384): SignatureAlgorithm.ECDSA_SHA384,
}
SIGNING: Final = frozenset(alg for alg, _ in SIGNATURE_ALGORITHMS)

# RFC 9053 §3.1: HMAC with the hash and the length the tag is truncated to.
MAC_ALGORITHMS: Final[dict[CoseAlgorithm, tuple[HashAlgorithm, int]]] = {
    CoseAlgorithm.HMAC_256_64: (HashAlgorithm.SHA256, 8),
    CoseAlgorithm.HMAC_256_256: (HashAlgorithm.SHA256, 32),
    CoseAlgorithm.HMAC_384_384: (HashAlgorithm.SHA384, 48),
    CoseAlgorithm.HMAC_512_512: (HashAlgorithm.SHA512, 64),
}

# RFC 9053 §4.1 (AES-GCM), §4.2 (AES-CCM), §4.3 (ChaCha20/Poly1305).
AEAD_ALGORITHMS: Final[dict[CoseAlgorithm, AeadAlgorithm]] = {
    CoseAlgorithm.A128GCM: AeadAlgorithm.AES_128_GCM,
    CoseAlgorithm.A256GCM: AeadAlgorithm.AES_256_GCM,
    CoseAlgorithm.AES_CCM_16_64_128: AeadAlgorithm.AES_CCM_16_64_128,
    CoseAlgorithm.AES_CCM_16_128_128: AeadAlgorithm.AES_CCM_16_128_128,
    CoseAlgorithm.CHACHA20_POLY1305: AeadAlgorithm.CHACHA20_POLY1305,
}


def lookup_algorithm(value: CborItem) -> CoseAlgorithm:
    """The ``CoseAlgorithm`` for an ``alg`` header value, or ``UnsupportedAlgorithm``."""
    if type(value) is int:
        try:
            return CoseAlgorithm(value)
        except ValueError:
            pass
    raise UnsupportedAlgorithm(f"COSE algorithm {value!r} is not supported")


# ---------------------------------------------------------------------------
# Header checks
# ---------------------------------------------------------------------------


def _is_label(value: object) -> bool:
    return type(value) is int or type(value) is str


def _is_cose_x509(value: object) -> bool:
    # RFC 9360 §2: COSE_X509 = bstr / [ 2*certs: bstr ]
    if type(value) is bytes:
        return True
    return isinstance(value, list) and len(value) >= 2 and all(type(cert) is bytes for cert in value)


def _is_x5t(value: object) -> bool:
    # RFC 9360 §2: COSE_CertHash = [ hashAlg: (int / tstr), hashValue: bstr ]
    return isinstance(value, list) and len(value) == 2 and _is_label(value[0]) and type(value[1]) is bytes


_VALUE_CHECKS: Final = {
    # RFC 9052 §3.1, table 3: value types of the common header parameters.
    Header.ALG: ("an int or tstr", _is_label),
    Header.CRIT: (
        "a non-empty array of labels",
        lambda value: isinstance(value, list) and len(value) > 0 and all(map(_is_label, value)),
    ),
    Header.CONTENT_TYPE: ("a uint or tstr", lambda value: type(value) is str or (type(value) is int and value >= 0)),
    Header.KID: ("a bstr", lambda value: type(value) is bytes),
    Header.IV: ("a bstr", lambda value: type(value) is bytes),
    Header.PARTIAL_IV: ("a bstr", lambda value: type(value) is bytes),
    Header.X5BAG: ("a COSE_X509 (bstr or array of 2+ bstr)", _is_cose_x509),
    Header.X5CHAIN: ("a COSE_X509 (bstr or array of 2+ bstr)", _is_cose_x509),
    Header.X5T: ("a COSE_CertHash [alg, bstr]", _is_x5t),
    Header.KCCS: ("a map", lambda value: isinstance(value, dict)),
}


def check_headers(
    protected: Mapping[Any, object],
    unprotected: Mapping[Any, object],
    *,
    understood_critical: Collection[Label],
    error: type[DecodeError] | type[EncodeError],
) -> None:
    """Apply the RFC 9052 §3 / §3.1 rules to both buckets; raise ``error`` on a breach."""
    for bucket_name, bucket in (("protected", protected), ("unprotected", unprotected)):
        for label, value in bucket.items():
            if not _is_label(label):
                # RFC 9052 §1.5: label = int / tstr
                raise error(f"{bucket_name} header label {label!r} is neither an int nor a text string")
            check = _VALUE_CHECKS.get(label)
            if check is not None and not check[1](value):
                raise error(f"{bucket_name} header parameter {label!r} must be {check[0]}")
    # RFC 9052 §3: a label may not appear in both buckets.
    for label in protected:
        if label in unprotected:
            raise error(f"header parameter {label!r} appears in both the protected and unprotected buckets")
    # RFC 9052 §3.1: "The 'Initialization Vector' and 'Partial Initialization Vector'
    # header parameters MUST NOT both be present in the same security layer."
    labels = protected.keys() | unprotected.keys()
    if Header.IV in labels and Header.PARTIAL_IV in labels:
        raise error("both IV and Partial IV header parameters are present")
    # RFC 9052 §3.1: crit lives in the protected bucket and lists labels that
    # must be understood; we reject any we do not process.
    if Header.CRIT in unprotected:
        raise error("crit header parameter must be in the protected bucket")
    critical = protected.get(Header.CRIT)
    if isinstance(critical, list):
        for label in critical:
            if label not in protected:
                raise error(f"critical header parameter {label!r} is not in the protected bucket")
            if label not in understood_critical:
                raise error(f"critical header parameter {label!r} is not understood")


def encode_protected(protected: Mapping[Label, object]) -> bytes:
    """The protected bucket's byte string: the empty map becomes b"" (RFC 9052 §3)."""
    return cbor.encode(dict(protected)) if protected else b""


def decode_protected(data: bytes) -> dict[Label, CborItem]:
    """Decode a protected bucket; both b"" and an encoded empty map are the empty map
    (RFC 9052 §3: "Recipients MUST accept both")."""
    if not data:
        return {}
    try:
        headers = decode_message_cbor(data)
    except DecodeError as exc:
        raise DecodeError(f"protected header: {exc}") from None
    if not isinstance(headers, dict):
        raise DecodeError("protected header is not a map")
    return headers  # type: ignore[return-value]  # labels are checked by check_headers


def decode_message_cbor(data: bytes) -> CborItem:
    """RFC 9052 §9: definite lengths, shortest arguments, no duplicate labels; key
    order is not part of COSE's rules, so it is not enforced."""
    return cbor.decode(data, strict=True, require_sorted_keys=False)


# ---------------------------------------------------------------------------
# The structures that get signed, MACed or used as AEAD associated data
# ---------------------------------------------------------------------------


def sig_structure(
    body_protected: bytes, external_aad: bytes, payload: bytes, *, sign_protected: bytes | None = None
) -> bytes:
    """Sig_structure (RFC 9052 §4.4): the bytes a COSE signature covers.

    Without ``sign_protected`` this is the COSE_Sign1 form ``["Signature1",
    body_protected, external_aad, payload]``; with it, the COSE_Sign form.
    """
    if sign_protected is None:
        return cbor.encode(["Signature1", body_protected, external_aad, payload])
    return cbor.encode(["Signature", body_protected, sign_protected, external_aad, payload])


def mac_structure(protected: bytes, external_aad: bytes, payload: bytes, *, context: str = "MAC0") -> bytes:
    """MAC_structure (RFC 9052 §6.3): ``[context, protected, external_aad, payload]``."""
    if context not in ("MAC0", "MAC"):
        raise EncodeError(f"MAC_structure context must be 'MAC0' or 'MAC', not {context!r}")
    return cbor.encode([context, protected, external_aad, payload])


_ENC_CONTEXTS: Final = ("Encrypt0", "Encrypt", "Enc_Recipient", "Mac_Recipient", "Rec_Recipient")


def enc_structure(protected: bytes, external_aad: bytes, *, context: str = "Encrypt0") -> bytes:
    """Enc_structure (RFC 9052 §5.3): ``[context, protected, external_aad]``, the AEAD's
    associated data.  EDHOC (RFC 9528 §5.3.2) uses it with context "Encrypt0"."""
    if context not in _ENC_CONTEXTS:
        raise EncodeError(f"Enc_structure context must be one of {', '.join(_ENC_CONTEXTS)}, not {context!r}")
    return cbor.encode([context, protected, external_aad])
