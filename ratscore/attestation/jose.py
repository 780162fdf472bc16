"""Minimal JWS compact serialization (RFC 7515) and JWK public keys (RFC 7517), on
our crypto provider.  Enough for EAR and EAT JWTs (RFC 7519): ES256, ES384 and
EdDSA, nothing symmetric and never ``none``.

Theory of operation: ``decode_jws`` splits the three base64url parts, parses the
protected header (strict JSON, ``alg`` required, ``crit`` refused: RFC 7515
§4.1.11 lets a recipient reject what it does not understand) and keeps the exact
signing input.  ``verify_jws`` checks the algorithm against the caller's
allow-list and the key type, then the signature: ECDSA as raw ``r || s`` (RFC 7518
§3.4), EdDSA per RFC 8037 §3.1.  A ``jwk`` in the header is exposed but never
trusted: the caller passes the key.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ratscore.crypto import CryptoProvider, resolve_provider
from ratscore.crypto.types import EcdsaEncoding, KeyType, PublicKey, SignatureAlgorithm, Signer
from ratscore.errors import CryptoError, EncodeError, LocalProtocolError

from ._codec import b64url_decode, b64url_encode, json_dumps, json_loads
from .errors import DEFAULT_MAX_SIZE, BadSignature, MalformedEvidence, check_size

__all__ = [
    "JwsAlgorithm",
    "JwsMessage",
    "decode_jws",
    "jwk_from_public_key",
    "public_key_from_jwk",
    "sign_jws",
    "verify_jws",
]


class JwsAlgorithm(enum.Enum):
    """JWS ``alg`` values we implement (RFC 7518 §3.1, RFC 8037 §3.1)."""

    ES256 = "ES256"
    ES384 = "ES384"
    EDDSA = "EdDSA"


# RFC 7518 §3.4: ES256 is P-256 + SHA-256, ES384 is P-384 + SHA-384; RFC 8037 §3.1: EdDSA.
_SCHEMES: Final[dict[tuple[JwsAlgorithm, KeyType], SignatureAlgorithm]] = {
    (JwsAlgorithm.ES256, KeyType.P256): SignatureAlgorithm.ECDSA_SHA256,
    (JwsAlgorithm.ES384, KeyType.P384): SignatureAlgorithm.ECDSA_SHA384,
    (JwsAlgorithm.EDDSA, KeyType.ED25519): SignatureAlgorithm.ED25519,
    (JwsAlgorithm.EDDSA, KeyType.ED448): SignatureAlgorithm.ED448,
}
_EC_CURVES: Final = {"P-256": KeyType.P256, "P-384": KeyType.P384}
_OKP_CURVES: Final = {"Ed25519": KeyType.ED25519, "Ed448": KeyType.ED448}


@dataclass(frozen=True, slots=True, kw_only=True)
class JwsMessage:
    """A decoded, not yet verified, JWS in compact serialization."""

    header: Mapping[str, Any]
    payload: bytes
    signature: bytes
    signing_input: bytes

    @property
    def algorithm(self) -> str:
        value = self.header["alg"]
        return str(value)


def decode_jws(token: str | bytes, *, max_size: int = DEFAULT_MAX_SIZE) -> JwsMessage:
    """Split and decode a compact JWS (RFC 7515 §7.1).  ``MalformedEvidence`` on any flaw."""
    check_size(token, max_size, "JWS")
    if isinstance(token, bytes | bytearray):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedEvidence("JWS compact serialization must be ASCII") from None
    parts = token.split(".")
    if len(parts) != 3:  # RFC 7515 §7.1: exactly three parts
        raise MalformedEvidence(f"JWS compact serialization has {len(parts)} parts, expected 3")
    header_b64, payload_b64, signature_b64 = parts
    header = json_loads(b64url_decode(header_b64, "JWS protected header"), "JWS protected header")
    if not isinstance(header, dict):
        raise MalformedEvidence("JWS protected header is not a JSON object")
    if not isinstance(header.get("alg"), str):  # RFC 7515 §4.1.1: alg is REQUIRED
        raise MalformedEvidence("JWS protected header has no alg")
    if "crit" in header:  # RFC 7515 §4.1.11: we understand no extension header
        raise MalformedEvidence("JWS crit header parameters are not supported")
    return JwsMessage(
        header=header,
        payload=b64url_decode(payload_b64, "JWS payload"),
        signature=b64url_decode(signature_b64, "JWS signature"),
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
    )


def _scheme(alg: JwsAlgorithm, key_type: KeyType) -> SignatureAlgorithm:
    scheme = _SCHEMES.get((alg, key_type))
    if scheme is None:
        raise BadSignature(f"a {key_type.label} key cannot be used with JWS alg {alg.value}")
    return scheme


def verify_jws(
    token: str | bytes,
    public_key: PublicKey,
    *,
    algorithms: Collection[JwsAlgorithm] = (JwsAlgorithm.ES256, JwsAlgorithm.ES384, JwsAlgorithm.EDDSA),
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> JwsMessage:
    """Decode and verify a compact JWS; ``BadSignature`` unless ``alg`` is allowed and the signature holds."""
    message = decode_jws(token, max_size=max_size)
    try:
        alg = JwsAlgorithm(message.algorithm)
    except ValueError:
        raise BadSignature(f"JWS alg {message.algorithm!r} is not accepted") from None
    if alg not in algorithms:
        raise BadSignature(f"JWS alg {alg.value} is not accepted here")
    scheme = _scheme(alg, public_key.key_type)
    try:
        resolve_provider(crypto).verify(
            public_key, message.signature, message.signing_input, scheme, encoding=EcdsaEncoding.RAW
        )
    except CryptoError as exc:  # InvalidSignature, or a key the provider rejects
        raise BadSignature(f"JWS signature did not verify ({type(exc).__name__})") from None
    return message


def sign_jws(
    payload: bytes,
    signer: Signer,
    alg: JwsAlgorithm,
    *,
    header: Mapping[str, Any] | None = None,
) -> str:
    """Compact JWS over ``payload`` (RFC 7515 §5.1); ``alg`` goes into the protected header first."""
    if header is not None and "alg" in header:
        raise EncodeError("pass the algorithm as alg=, not in header")
    try:
        scheme = _scheme(alg, signer.key_type)
    except BadSignature as exc:
        raise LocalProtocolError(str(exc)) from None
    protected = {"alg": alg.value, **(header or {})}
    signing_input = f"{b64url_encode(json_dumps(protected).encode())}.{b64url_encode(payload)}"
    signature = signer.sign(signing_input.encode("ascii"), scheme, encoding=EcdsaEncoding.RAW)
    return f"{signing_input}.{b64url_encode(signature)}"


def public_key_from_jwk(jwk: Mapping[str, Any], *, crypto: CryptoProvider | str | None = None) -> PublicKey:
    """The public key of an EC (RFC 7518 §6.2) or OKP (RFC 8037 §2) JWK; private members are ignored."""
    kty = jwk.get("kty")
    crv = jwk.get("crv")
    provider = resolve_provider(crypto)
    try:
        if kty == "EC" and crv in _EC_CURVES:
            key_type = _EC_CURVES[crv]
            x = b64url_decode(jwk.get("x"), "JWK x")
            y = b64url_decode(jwk.get("y"), "JWK y")
            # RFC 7518 §6.2.1.2-3: x and y are the full field width.
            if len(x) != key_type.size or len(y) != key_type.size:
                raise MalformedEvidence(f"JWK {crv} coordinates must be {key_type.size} bytes")
            return provider.load_public_key(key_type, b"\x04" + x + y)
        if kty == "OKP" and crv in _OKP_CURVES:
            return provider.load_public_key(_OKP_CURVES[crv], b64url_decode(jwk.get("x"), "JWK x"))
    except CryptoError as exc:
        raise MalformedEvidence(f"JWK does not hold a valid public key ({type(exc).__name__})") from None
    raise MalformedEvidence(f"unsupported JWK kty/crv {kty!r}/{crv!r}")


def jwk_from_public_key(public_key: PublicKey) -> dict[str, str]:
    """The JWK of an EC or EdDSA public key."""
    for name, key_type in _EC_CURVES.items():
        if public_key.key_type is key_type:
            size = key_type.size
            point = public_key.data
            x, y = point[1 : 1 + size], point[1 + size :]
            return {"kty": "EC", "crv": name, "x": b64url_encode(x), "y": b64url_encode(y)}
    for name, key_type in _OKP_CURVES.items():
        if public_key.key_type is key_type:
            return {"kty": "OKP", "crv": name, "x": b64url_encode(public_key.data)}
    raise EncodeError(f"no JWK form for {public_key.key_type.label} keys here")
