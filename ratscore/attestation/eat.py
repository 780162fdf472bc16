"""Entity Attestation Tokens (EAT, RFC 9711): typed claims sets, CWT in COSE_Sign1 /
COSE_Mac0, and JWT.

Theory of operation
-------------------
``EatClaims`` is the typed view of one Claims-Set.  ``EatClaims.from_cbor`` reads a
CBOR map with integer keys (RFC 9711 §4: CBOR tokens use only the integer
labels), ``from_json`` a JSON object with the claim names; both check every
claim they know (sizes and types from the RFC 9711 CDDL), reject a floating-point
``iat``/``exp``/``nbf`` (§4.3.1), and keep unknown claims in ``extra`` (§4: unknown
claims "MUST be ignored", but a verifier may still want to see them).
``to_cbor`` / ``to_json`` write the same claims back.

Token framing: ``sign_cwt`` produces a COSE_Sign1 (tag 18), wrapped in the CWT tag
61 only when asked (RFC 8392 §6; RFC 9711 §6.3.5 leaves the choice to the profile:
PSA (RFC 9783 §5.1) forbids tag 61, and our software-attester profile does not use
it).  ``verify_cwt`` accepts 61(18(...)), 18(...) and untagged COSE_Sign1.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

from ratscore import cbor
from ratscore.cbor import CborItem
from ratscore.cose import CoseAlgorithm, CoseKey, Header, sign1, verify_mac0, verify_sign1
from ratscore.cose.messages import Sign1Message
from ratscore.crypto import CryptoProvider
from ratscore.crypto.types import PublicKey, Signer
from ratscore.errors import CryptoError, DecodeError, EncodeError, UnsupportedAlgorithm

from ._codec import b64url_decode, b64url_encode, json_dumps, json_loads
from .errors import DEFAULT_MAX_SIZE, BadSignature, InvalidClaim, MalformedEvidence, check_size
from .jose import JwsAlgorithm, sign_jws, verify_jws

__all__ = [
    "CWT_TAG",
    "Claim",
    "DebugStatus",
    "EatClaims",
    "IntendedUse",
    "Measurement",
    "SubmoduleDigest",
    "VerifiedCwt",
    "check_ueid",
    "decode_claims_cbor",
    "sign_cwt",
    "sign_jwt",
    "verify_cwt",
    "verify_cwt_mac",
    "verify_cwt_payload",
    "verify_jwt",
]

CWT_TAG: Final = 61  # RFC 8392 §6


class Claim(enum.IntEnum):
    """Claim keys: CWT (RFC 8392 §3.1, RFC 8747 §3.1) and EAT (RFC 9711 §10.2, final values)."""

    ISS = 1
    SUB = 2
    AUD = 3
    EXP = 4
    NBF = 5
    IAT = 6
    CTI = 7
    CNF = 8
    EAT_NONCE = 10
    UEID = 256
    SUEIDS = 257
    OEMID = 258
    HWMODEL = 259
    HWVERSION = 260
    UPTIME = 261
    OEMBOOT = 262
    DBGSTAT = 263
    LOCATION = 264
    EAT_PROFILE = 265
    SUBMODS = 266
    BOOTCOUNT = 267
    BOOTSEED = 268
    DLOAS = 269
    SWNAME = 270
    SWVERSION = 271
    MANIFESTS = 272
    MEASUREMENTS = 273
    MEASRES = 274
    INTUSE = 275

    @property
    def json_name(self) -> str:
        """The JWT claim name (RFC 9711 §10.2; RFC 7519 §4.1)."""
        return _JSON_NAMES[self]


_JSON_NAMES: Final = {claim: claim.name.lower() for claim in Claim}
_BY_JSON_NAME: Final = {name: claim for claim, name in _JSON_NAMES.items()}


class DebugStatus(enum.IntEnum):
    """dbgstat values (RFC 9711 §4.2.9)."""

    ENABLED = 0
    DISABLED = 1
    DISABLED_SINCE_BOOT = 2
    DISABLED_PERMANENTLY = 3
    DISABLED_FULLY_AND_PERMANENTLY = 4

    @property
    def json_name(self) -> str:
        return self.name.lower().replace("_", "-")


class IntendedUse(enum.IntEnum):
    """intuse registry (RFC 9711 §10.5)."""

    GENERIC = 1
    REGISTRATION = 2
    PROVISIONING = 3
    CERTIFICATE_ISSUANCE = 4
    PROOF_OF_POSSESSION = 5


@dataclass(frozen=True, slots=True)
class Measurement:
    """One entry of manifests/measurements: ``[content-format, body]`` (RFC 9711 §4.2.15-16)."""

    content_format: int
    body: bytes | str  # bytes in CBOR; base64url/JSON text in JSON tokens


@dataclass(frozen=True, slots=True)
class SubmoduleDigest:
    """A Detached-Submodule-Digest ``[hash-alg, digest]`` (RFC 9711 §4.2.18.2)."""

    algorithm: int | str
    digest: bytes


def check_ueid(ueid: bytes) -> None:
    """Creation rules for a UEID (RFC 9711 §4.2.1.1, table 'UEID Composition Types').

    Consumers must treat a UEID as opaque (§4.2.1.2), so decoders only check its size;
    this is for producers.  Raises ``EncodeError``.
    """
    if not 7 <= len(ueid) <= 33:
        raise EncodeError("a UEID is 7..33 bytes")
    kind, body = ueid[0], ueid[1:]
    if kind == 0x01 and len(body) not in (16, 24, 32):  # RAND: 128, 192 or 256 bits
        raise EncodeError("a RAND UEID carries 128, 192 or 256 random bits")
    if kind == 0x02 and len(body) not in (6, 8):  # IEEE EUI-48, EUI-60/EUI-64
        raise EncodeError("an IEEE EUI UEID carries an EUI-48 or EUI-64")
    if kind == 0x03 and (len(body) != 14 or any(digit > 9 for digit in body)):
        raise EncodeError("an IMEI UEID is 14 digit values 0..9, not ASCII")
    if kind not in (0x01, 0x02, 0x03):
        raise EncodeError(f"UEID type byte {kind:#04x} is not defined")


# ---------------------------------------------------------------------------
# Claim checks.  Each returns the typed value or raises InvalidClaim(claim=name).
# ---------------------------------------------------------------------------


def _bad(name: str, message: str) -> InvalidClaim:
    return InvalidClaim(f"claim {name}: {message}", claim=name)


def _int(name: str, value: Any, *, minimum: int | None = None) -> int:
    if type(value) is float:  # RFC 9711 §4.3.1: a floating-point iat "MUST" be an error
        raise _bad(name, "floating-point value not allowed")
    if type(value) is not int or (minimum is not None and value < minimum):
        raise _bad(name, "expected an integer" + (f" >= {minimum}" if minimum is not None else ""))
    return value


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(name, "expected a text string")
    return value


def _bytes(name: str, value: Any, json_form: bool, low: int = 0, high: int = 1 << 32) -> bytes:
    # RFC 9711 §7.2.2: binary data is base64url text in JSON.
    raw = b64url_decode(value, f"claim {name}", lenient=True, claim=name) if json_form else value
    if type(raw) is not bytes or not low <= len(raw) <= high:
        raise _bad(name, f"expected {low}..{high} bytes")
    return raw


def _nonce(value: Any, json_form: bool) -> tuple[bytes | str, ...]:
    # RFC 9711 §4.1: nonce-type = JC< tstr .size (8..88), bstr .size (8..64)>, or [2* nonce-type].
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list) and len(value) < 2:
        raise _bad("eat_nonce", "an array of nonces holds at least two")
    result: list[bytes | str] = []
    for item in items:
        if json_form:
            if not isinstance(item, str) or not 8 <= len(item.encode("utf-8")) <= 88:
                raise _bad("eat_nonce", "a JSON nonce is a text string of 8..88 bytes")
        elif type(item) is not bytes or not 8 <= len(item) <= 64:
            raise _bad("eat_nonce", "a CBOR nonce is a byte string of 8..64 bytes")
        result.append(item)
    return tuple(result)


def _version(name: str, value: Any) -> tuple[str, int | None]:
    # RFC 9711 §4.2.5 / §4.2.7: [ version: tstr, ? scheme: $version-scheme ]
    if not isinstance(value, list) or len(value) not in (1, 2) or not isinstance(value[0], str):
        raise _bad(name, "expected [version, ?scheme]")
    return value[0], (_int(name, value[1]) if len(value) == 2 else None)


def _measurements(name: str, value: Any, json_form: bool) -> tuple[Measurement, ...]:
    # RFC 9711 §4.2.15-16: [+ [content-type: uint .le 65535, content-format]]
    if not isinstance(value, list) or not value:
        raise _bad(name, "expected a non-empty array")
    result = []
    for entry in value:
        if not isinstance(entry, list) or len(entry) != 2:
            raise _bad(name, "each entry is [content-format, body]")
        content_format = _int(name, entry[0], minimum=0)
        if content_format > 0xFFFF or not isinstance(entry[1], str if json_form else bytes):
            raise _bad(name, "bad content format or body type")
        result.append(Measurement(content_format, entry[1]))
    return tuple(result)


def _submods(value: Any, json_form: bool, depth: int) -> dict[str, Any]:
    # RFC 9711 §4.2.18: { + text => Claims-Set / digest / nested token }
    if not isinstance(value, dict) or not value:
        raise _bad("submods", "expected a non-empty map")
    result: dict[str, Any] = {}
    for label, item in value.items():
        if not isinstance(label, str):
            raise _bad("submods", "submodule names are text")
        if isinstance(item, dict):
            result[label] = EatClaims._parse(item, json_form, depth + 1)
        elif not json_form and isinstance(item, list) and len(item) == 2:
            algorithm, digest = item
            if not isinstance(algorithm, int | str) or type(digest) is not bytes:
                raise _bad("submods", f"submodule {label!r}: digest is [alg, bytes]")
            result[label] = SubmoduleDigest(algorithm, digest)
        elif not json_form and type(item) is bytes:
            result[label] = item  # a nested CBOR token (§4.2.18.3), verified by whoever trusts its signer
        elif json_form and isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item):
            result[label] = (item[0], item[1])  # JSON-Selector: ["JWT" | "CBOR" | ..., token]
        else:
            raise _bad("submods", f"submodule {label!r} has an unsupported form")
    return result


_MAX_SUBMOD_DEPTH: Final = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class EatClaims:
    """A typed EAT Claims-Set.  Absent claims are None (``nonce``: empty tuple)."""

    issuer: str | None = None
    subject: str | None = None
    audience: str | tuple[str, ...] | None = None
    expires: int | None = None
    not_before: int | None = None
    issued_at: int | None = None
    cwt_id: bytes | None = None
    confirmation: Mapping[Any, Any] | None = None
    nonce: tuple[bytes | str, ...] = ()
    ueid: bytes | None = None
    sueids: Mapping[str, bytes] | None = None
    oemid: int | bytes | None = None
    hwmodel: bytes | None = None
    hwversion: tuple[str, int | None] | None = None
    uptime: int | None = None
    oemboot: bool | None = None
    dbgstat: DebugStatus | None = None
    location: Mapping[Any, Any] | None = None
    profile: str | bytes | None = None
    submods: Mapping[str, Any] | None = None
    bootcount: int | None = None
    bootseed: bytes | None = None
    dloas: tuple[Any, ...] | None = None
    swname: str | None = None
    swversion: tuple[str, int | None] | None = None
    manifests: tuple[Measurement, ...] | None = None
    measurements: tuple[Measurement, ...] | None = None
    measres: tuple[Any, ...] | None = None
    intuse: int | str | None = None
    extra: Mapping[int | str, Any] = field(default_factory=dict)
    """Claims this module does not interpret, keyed as on the wire."""

    # -- decoding ---------------------------------------------------------------
    @classmethod
    def from_cbor(cls, claims: Any) -> EatClaims:
        """Typed claims from a decoded CBOR Claims-Set (integer keys)."""
        return cls._parse(claims, False, 0)

    @classmethod
    def from_json(cls, claims: Any) -> EatClaims:
        """Typed claims from a decoded JSON Claims-Set (claim names)."""
        return cls._parse(claims, True, 0)

    @classmethod
    def _parse(cls, claims: Any, json_form: bool, depth: int) -> EatClaims:
        if not isinstance(claims, dict):
            raise MalformedEvidence("an EAT Claims-Set must be a map")
        if depth > _MAX_SUBMOD_DEPTH:
            raise MalformedEvidence("EAT submodules nest too deeply")
        values: dict[str, Any] = {}
        extra: dict[int | str, Any] = {}
        for key, value in claims.items():
            # RFC 9711 §4: CBOR tokens use only integer labels, JSON only names.
            claim = _claim_of(key, json_form)
            if claim is None:
                if not isinstance(key, int | str) or isinstance(key, bool):
                    raise MalformedEvidence(f"claim key {key!r} is neither int nor text")
                extra[key] = value
                continue
            attribute, parse = _PARSERS[claim]
            values[attribute] = parse(value, json_form, depth)
        return cls(**values, extra=extra)

    # -- encoding ---------------------------------------------------------------
    def to_cbor(self) -> dict[int | str, Any]:
        """The CBOR Claims-Set (integer keys), ready for ``cbor.encode``."""
        return self._serialize(json_form=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON Claims-Set (claim names)."""
        return self._serialize(json_form=True)

    def _serialize(self, *, json_form: bool) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for claim, (attribute, _) in _PARSERS.items():
            value = getattr(self, attribute)
            if value is None or value == ():
                continue
            result[claim.json_name if json_form else int(claim)] = _serialize_value(claim, value, json_form)
        result.update(self.extra)
        return result

    def replace(self, **changes: Any) -> EatClaims:
        return replace(self, **changes)


def _serialize_value(claim: Claim, value: Any, json_form: bool) -> Any:
    if claim is Claim.EAT_NONCE:
        return list(value) if len(value) > 1 else value[0]
    if claim is Claim.DBGSTAT:
        return value.json_name if json_form else int(value)
    if claim in (Claim.HWVERSION, Claim.SWVERSION):
        return [value[0]] if value[1] is None else [value[0], value[1]]
    if claim in (Claim.MANIFESTS, Claim.MEASUREMENTS):
        return [[entry.content_format, entry.body] for entry in value]
    if claim is Claim.SUBMODS:
        return {
            label: item._serialize(json_form=json_form)
            if isinstance(item, EatClaims)
            else [item.algorithm, item.digest]
            if isinstance(item, SubmoduleDigest)
            else list(item)
            if isinstance(item, tuple)
            else item
            for label, item in value.items()
        }
    if claim is Claim.SUEIDS and json_form:
        return {name: b64url_encode(ueid) for name, ueid in value.items()}
    if claim in (Claim.DLOAS, Claim.MEASRES, Claim.AUD) and isinstance(value, tuple):
        return list(value)
    if claim is Claim.INTUSE and isinstance(value, IntendedUse):
        return int(value)
    if json_form and isinstance(value, bytes):
        return b64url_encode(value)
    return value


def _audience(value: Any, json_form: bool, depth: int) -> str | tuple[str, ...]:
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    return _text("aud", value)


def _dbgstat(value: Any, json_form: bool, depth: int) -> DebugStatus:
    if json_form:
        for status in DebugStatus:
            if status.json_name == value:
                return status
        raise _bad("dbgstat", f"unknown debug status {value!r}")
    try:
        return DebugStatus(_int("dbgstat", value))
    except ValueError:
        raise _bad("dbgstat", f"unknown debug status {value!r}") from None


def _oemid(value: Any, json_form: bool, depth: int) -> int | bytes:
    # RFC 9711 §4.2.3: PEN (int), IEEE (3 bytes) or random (16 bytes).
    if type(value) is int:
        return value
    raw = _bytes("oemid", value, json_form)
    if len(raw) not in (3, 16):
        raise _bad("oemid", "an OEM ID is a PEN, 3 IEEE bytes or 16 random bytes")
    return raw


def _profile(value: Any, json_form: bool, depth: int) -> str | bytes:
    # RFC 9711 §4.3.2: general-uri / general-oid (text in JSON; ~uri text or ~oid bytes in CBOR).
    if isinstance(value, str) or (not json_form and type(value) is bytes):
        return value
    raise _bad("eat_profile", "expected a URI or OID")


def _map(name: str) -> Any:
    def parse(value: Any, json_form: bool, depth: int) -> Mapping[Any, Any]:
        if not isinstance(value, dict):
            raise _bad(name, "expected a map")
        return value

    return parse


def _array(name: str) -> Any:
    def parse(value: Any, json_form: bool, depth: int) -> tuple[Any, ...]:
        if not isinstance(value, list) or not value:
            raise _bad(name, "expected a non-empty array")
        return tuple(value)

    return parse


def _sueids(value: Any, json_form: bool, depth: int) -> dict[str, bytes]:
    if not isinstance(value, dict) or not value or not all(isinstance(k, str) for k in value):
        raise _bad("sueids", "expected { + tstr => ueid }")
    return {name: _bytes("sueids", item, json_form, 7, 33) for name, item in value.items()}


_PARSERS: Final[dict[Claim, tuple[str, Any]]] = {
    Claim.ISS: ("issuer", lambda v, j, d: _text("iss", v)),
    Claim.SUB: ("subject", lambda v, j, d: _text("sub", v)),
    Claim.AUD: ("audience", _audience),
    Claim.EXP: ("expires", lambda v, j, d: _int("exp", v)),
    Claim.NBF: ("not_before", lambda v, j, d: _int("nbf", v)),
    Claim.IAT: ("issued_at", lambda v, j, d: _int("iat", v)),
    Claim.CTI: ("cwt_id", lambda v, j, d: _bytes("cti", v, j)),
    Claim.CNF: ("confirmation", _map("cnf")),
    Claim.EAT_NONCE: ("nonce", lambda v, j, d: _nonce(v, j)),
    Claim.UEID: ("ueid", lambda v, j, d: _bytes("ueid", v, j, 7, 33)),  # RFC 9711 §4.2.1 ueid-type
    Claim.SUEIDS: ("sueids", _sueids),
    Claim.OEMID: ("oemid", _oemid),
    Claim.HWMODEL: ("hwmodel", lambda v, j, d: _bytes("hwmodel", v, j, 1, 32)),  # §4.2.4
    Claim.HWVERSION: ("hwversion", lambda v, j, d: _version("hwversion", v)),
    Claim.UPTIME: ("uptime", lambda v, j, d: _int("uptime", v, minimum=0)),
    Claim.OEMBOOT: ("oemboot", lambda v, j, d: v if isinstance(v, bool) else _bad_raise("oemboot", "expected bool")),
    Claim.DBGSTAT: ("dbgstat", _dbgstat),
    Claim.LOCATION: ("location", _map("location")),
    Claim.EAT_PROFILE: ("profile", _profile),
    Claim.SUBMODS: ("submods", _submods),
    Claim.BOOTCOUNT: ("bootcount", lambda v, j, d: _int("bootcount", v, minimum=0)),
    Claim.BOOTSEED: ("bootseed", lambda v, j, d: _bytes("bootseed", v, j)),
    Claim.DLOAS: ("dloas", _array("dloas")),
    Claim.SWNAME: ("swname", lambda v, j, d: _text("swname", v)),
    Claim.SWVERSION: ("swversion", lambda v, j, d: _version("swversion", v)),
    Claim.MANIFESTS: ("manifests", lambda v, j, d: _measurements("manifests", v, j)),
    Claim.MEASUREMENTS: ("measurements", lambda v, j, d: _measurements("measurements", v, j)),
    Claim.MEASRES: ("measres", _array("measres")),
    Claim.INTUSE: ("intuse", lambda v, j, d: v if isinstance(v, int | str) else _bad_raise("intuse", "int or text")),
}
_CLAIMS: Final = frozenset(int(claim) for claim in Claim)
assert {attribute for attribute, _ in _PARSERS.values()} == {f.name for f in fields(EatClaims)} - {"extra"}


def _claim_of(key: Any, json_form: bool) -> Claim | None:
    if json_form:
        return _BY_JSON_NAME.get(key) if isinstance(key, str) else None
    return Claim(key) if type(key) is int and key in _CLAIMS else None


def _bad_raise(name: str, message: str) -> Any:
    raise _bad(name, message)


# ---------------------------------------------------------------------------
# CWT (RFC 8392) in COSE_Sign1 / COSE_Mac0
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedCwt:
    """A verified CWT: its claims and the COSE message (headers, kid)."""

    claims: EatClaims
    message: Sign1Message


def decode_claims_cbor(payload: bytes, *, max_size: int = DEFAULT_MAX_SIZE) -> EatClaims:
    """Decode a CBOR Claims-Set.  Any well-formed serialization is accepted (RFC 9783
    §5.1 asks verifiers to tolerate variant encodings); duplicate keys never are."""
    check_size(payload, max_size, "EAT claims")
    try:
        claims = cbor.decode(payload, strict=False)
    except DecodeError as exc:
        raise MalformedEvidence(f"EAT claims are not well-formed CBOR: {exc}") from None
    return EatClaims.from_cbor(claims)


def _strip_cwt_tag(token: bytes) -> bytes:
    # RFC 8392 §6: the CWT tag 61 (head d8 3d) may precede the COSE tag; RFC 9711
    # §6.3.5 notes RFC 8392 requires the COSE message inside it to be tagged.
    if token[:2] == b"\xd8\x3d":
        inner = token[2:]
        if inner[:1] not in (b"\xd2", b"\xd1"):
            raise MalformedEvidence("CWT tag 61 must wrap a tagged COSE message")
        return inner
    return token


def sign_cwt(
    claims: EatClaims,
    signer: Signer,
    alg: CoseAlgorithm,
    *,
    external_aad: bytes = b"",
    kid: bytes | None = None,
    cwt_tag: bool = False,
) -> bytes:
    """Sign ``claims`` as a CWT: COSE_Sign1 (tag 18), inside tag 61 when ``cwt_tag``."""
    payload = cbor.encode(claims.to_cbor())
    unprotected: dict[int | str, CborItem] | None = {Header.KID: kid} if kid is not None else None
    token = sign1(payload, signer, alg, unprotected=unprotected, external_aad=external_aad)
    return b"\xd8\x3d" + token if cwt_tag else token


def verify_cwt(
    token: bytes,
    public_key: PublicKey | CoseKey,
    *,
    external_aad: bytes = b"",
    expected_alg: CoseAlgorithm | None = None,
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> VerifiedCwt:
    """Verify a CWT signed with COSE_Sign1 and return its typed claims."""
    check_size(token, max_size, "CWT")
    message = _verify_sign1(token, public_key, external_aad, expected_alg, crypto)
    assert message.payload is not None  # _verify_sign1 rejects detached payloads
    return VerifiedCwt(claims=decode_claims_cbor(message.payload, max_size=max_size), message=message)


def verify_cwt_payload(
    token: bytes,
    public_key: PublicKey | CoseKey,
    *,
    external_aad: bytes = b"",
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Any:
    """Verify a COSE_Sign1 CWT and return its payload decoded as CBOR, uninterpreted
    (for profiles such as EAR whose claims are not EAT claims)."""
    check_size(token, max_size, "CWT")
    message = _verify_sign1(token, public_key, external_aad, None, crypto)
    try:
        return cbor.decode(message.payload or b"", strict=False)
    except DecodeError as exc:
        raise MalformedEvidence(f"CWT payload is not well-formed CBOR: {exc}") from None


def _verify_sign1(
    token: bytes,
    public_key: PublicKey | CoseKey,
    external_aad: bytes,
    expected_alg: CoseAlgorithm | None,
    crypto: CryptoProvider | str | None,
) -> Sign1Message:
    try:
        message = verify_sign1(
            _strip_cwt_tag(bytes(token)),
            public_key,
            external_aad=external_aad,
            expected_alg=expected_alg,
            crypto=crypto,
        )
    except DecodeError as exc:
        raise MalformedEvidence(f"CWT is not a COSE_Sign1: {exc}") from None
    except (CryptoError, UnsupportedAlgorithm) as exc:
        raise BadSignature(f"CWT signature did not verify ({type(exc).__name__})") from None
    if message.payload is None:
        raise MalformedEvidence("CWT has a detached payload")
    return message


def verify_cwt_mac(
    token: bytes,
    key: bytes | CoseKey,
    *,
    external_aad: bytes = b"",
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> EatClaims:
    """Verify a CWT protected with COSE_Mac0 (e.g. PSA, RFC 9783 §5.2) and return its claims."""
    check_size(token, max_size, "CWT")
    try:
        message = verify_mac0(_strip_cwt_tag(bytes(token)), key, external_aad=external_aad, crypto=crypto)
    except DecodeError as exc:
        raise MalformedEvidence(f"CWT is not a COSE_Mac0: {exc}") from None
    except (CryptoError, UnsupportedAlgorithm) as exc:
        raise BadSignature(f"CWT MAC did not verify ({type(exc).__name__})") from None
    if message.payload is None:
        raise MalformedEvidence("CWT has a detached payload")
    return decode_claims_cbor(message.payload, max_size=max_size)


# ---------------------------------------------------------------------------
# JWT (RFC 7519) — JWS compact, for profiles that need JSON
# ---------------------------------------------------------------------------


def sign_jwt(claims: EatClaims, signer: Signer, alg: JwsAlgorithm = JwsAlgorithm.ES256) -> str:
    """Sign ``claims`` as a JWT (JWS compact, ``typ: JWT``, RFC 7519 §5.1)."""
    return sign_jws(json_dumps(claims.to_json()).encode("utf-8"), signer, alg, header={"typ": "JWT"})


def verify_jwt(
    token: str | bytes,
    public_key: PublicKey,
    *,
    algorithms: Collection[JwsAlgorithm] = (JwsAlgorithm.ES256, JwsAlgorithm.ES384, JwsAlgorithm.EDDSA),
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> EatClaims:
    """Verify a JWT and return its typed claims."""
    message = verify_jws(token, public_key, algorithms=algorithms, crypto=crypto, max_size=max_size)
    return EatClaims.from_json(json_loads(message.payload, "JWT claims"))
