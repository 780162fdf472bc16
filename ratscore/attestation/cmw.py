"""RATS Conceptual Message Wrapper (CMW, RFC 9999): records, tags and collections
in CBOR and JSON, the conceptual-message indicator, first-byte demultiplexing and
signed CMWs (COSE_Sign1 and JWS).

Theory of operation
-------------------
A CMW is a tree (RFC 9999 §3).  Leaves are ``CmwRecord`` (``[type, value, ind?]``,
§3.1) or ``CmwTag`` (a TN-derived CBOR tag around a byte string, §3.2); inner nodes
are ``CmwCollection`` (a labelled map of CMWs with an optional ``__cmwc_t`` type,
§3.3).  The same values serialize to CBOR (``encode_cbor``) or JSON
(``encode_json``; tags have no JSON form).  Decoders check the structure fully
and raise ``MalformedEvidence`` (``UnknownMediaType`` for a tag outside the TN
range), after a size check (``OversizedObject``) and with a nesting limit (§3.3
lets implementations bound recursion).

CBOR input may use any valid serialization (the RFC does not require the
deterministic one; its §5.5 example lists map keys out of order).  ``encode_cbor``
writes the deterministic encoding (RFC 8949 §4.2.1) by default; with
``deterministic=False`` it keeps the collection's entry order, which reproduces an
input such as §5.5 byte for byte.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from ratscore import cbor
from ratscore.cbor import Tag
from ratscore.cose import CoseAlgorithm, CoseKey, Header, sign1, verify_sign1
from ratscore.crypto import CryptoProvider
from ratscore.crypto.types import PublicKey, Signer
from ratscore.errors import CryptoError, DecodeError, EncodeError, UnsupportedAlgorithm

from ._codec import b64url_decode, b64url_encode, json_dumps, json_loads
from .errors import DEFAULT_MAX_SIZE, BadSignature, MalformedEvidence, UnknownMediaType, check_size
from .jose import JwsAlgorithm, sign_jws, verify_jws
from .media import CF_CMW_CBOR, CMW_CBOR, CMW_JSON, MediaType, content_format_from_tag, is_tn_tag

__all__ = [
    "COLLECTION_TYPE_KEY",
    "DEFAULT_MAX_DEPTH",
    "Cmw",
    "CmwCollection",
    "CmwRecord",
    "CmwSerialization",
    "CmwTag",
    "Indicator",
    "decode",
    "decode_cbor",
    "decode_json",
    "encode_cbor",
    "encode_json",
    "sign_cbor_cmw",
    "sign_json_cmw",
    "sniff",
    "verify_cbor_cmw",
    "verify_json_cmw",
]

COLLECTION_TYPE_KEY: Final = "__cmwc_t"  # RFC 9999 §3.3: reserved for the collection type
DEFAULT_MAX_DEPTH: Final = 8
"""Collections that may nest inside one another (RFC 9999 §3.3 "max-cmw-depth")."""

_IND_MAX: Final = 31  # RFC 9999 §3.1: "the acceptable values are currently limited to 1 to 31"
_CF_MAX: Final = 0xFFFF  # coap-content-format-type = uint .size 2
_BASE64URL_STRING: Final = re.compile(r"[A-Za-z0-9_-]+")  # RFC 9999 §3.1, base64url-string
_OID: Final = re.compile(r"([0-2])((\.0)|(\.[1-9][0-9]*))*")  # RFC 9999 §6, oid
_ABSOLUTE_URI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^#\s]*")  # RFC 3986 §4.3 absolute-URI (no fragment)
_JSON_WHITESPACE: Final = b" \t\r\n"  # RFC 8259 §2


class Indicator(enum.IntFlag):
    """Conceptual-message indicator bits (RFC 9999 §3.1.1 cm-type, §10.4 registry)."""

    REFERENCE_VALUES = 1 << 0
    ENDORSEMENTS = 1 << 1
    EVIDENCE = 1 << 2
    ATTESTATION_RESULTS = 1 << 3
    APPRAISAL_POLICY = 1 << 4


@dataclass(frozen=True, slots=True, kw_only=True)
class CmwRecord:
    """A Record CMW (RFC 9999 §3.1): a media type or CoAP Content-Format, the message, and ``ind``."""

    type: str | int
    value: bytes
    indicator: Indicator | None = None

    def __post_init__(self) -> None:
        _check_record(self.type, self.value, self.indicator, EncodeError)

    @property
    def media_type(self) -> MediaType | None:
        """The parsed Content-Type, or None when ``type`` is a Content-Format number."""
        return MediaType.parse(self.type) if isinstance(self.type, str) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class CmwTag:
    """A Tag CMW (RFC 9999 §3.2): ``#6.<TN(cf)>(bytes)``."""

    tag_number: int
    value: bytes

    def __post_init__(self) -> None:
        if not is_tn_tag(self.tag_number):
            raise EncodeError(f"tag {self.tag_number} is not in the TN range (RFC 9277)")
        if type(self.value) is not bytes:
            raise EncodeError("a Tag CMW wraps a byte string")

    @property
    def content_format(self) -> int:
        return content_format_from_tag(self.tag_number)


@dataclass(frozen=True, slots=True, kw_only=True)
class CmwCollection:
    """A Collection CMW (RFC 9999 §3.3).  Labels are text, or int in CBOR only."""

    entries: Mapping[str | int, Cmw]
    collection_type: str | None = None

    def __post_init__(self) -> None:
        if not self.entries:  # RFC 9999 §3.3: "A Collection MUST have at least one CMW entry."
            raise EncodeError("a CMW collection needs at least one entry")
        for label, entry in self.entries.items():
            if label == COLLECTION_TYPE_KEY or type(label) not in (str, int):
                raise EncodeError(f"invalid CMW collection label {label!r}")
            if not isinstance(entry, CmwRecord | CmwTag | CmwCollection):
                raise EncodeError(f"collection entry {label!r} is not a CMW")
        if self.collection_type is not None:
            _check_collection_type(self.collection_type, EncodeError)


Cmw: TypeAlias = CmwRecord | CmwTag | CmwCollection


class CmwSerialization(enum.Enum):
    """What the first byte says a buffer holds (RFC 9999 §3.4)."""

    CBOR_RECORD = "cbor-record"
    CBOR_TAG = "cbor-tag"
    CBOR_COLLECTION = "cbor-collection"
    JSON_RECORD = "json-record"
    JSON_COLLECTION = "json-collection"
    UNKNOWN = "unknown"

    @property
    def is_json(self) -> bool:
        return self in (CmwSerialization.JSON_RECORD, CmwSerialization.JSON_COLLECTION)


# ---------------------------------------------------------------------------
# Validation shared by constructors (EncodeError) and decoders (MalformedEvidence)
# ---------------------------------------------------------------------------


def _check_record(type_: object, value: object, indicator: object, error: type[Exception]) -> None:
    if type(type_) is int:
        if not 0 <= type_ <= _CF_MAX:
            raise error(f"CoAP Content-Format {type_} is outside 0..65535")
    elif isinstance(type_, str):
        try:
            MediaType.parse(type_)
        except UnknownMediaType as exc:
            raise error(f"CMW record type: {exc}") from None
    else:
        raise error("CMW record type must be a media type string or a Content-Format number")
    if type(value) is not bytes:
        raise error("CMW record value must be a byte string")
    # RFC 9999 §3.1: ind "MUST be non-zero"; only bits 0-4 are registered.
    if indicator is not None and (
        not isinstance(indicator, int) or isinstance(indicator, bool) or not 1 <= indicator <= _IND_MAX
    ):
        raise error(f"CMW indicator {indicator!r} is not in 1..{_IND_MAX}")


def _check_collection_type(value: object, error: type[Exception]) -> None:
    # RFC 9999 §3.3: an absolute URI (RFC 3986 §4.3) or an absolute OID in dotted form.
    if not isinstance(value, str) or not (_OID.fullmatch(value) or _ABSOLUTE_URI.fullmatch(value)):
        raise error(f"{COLLECTION_TYPE_KEY} must be an absolute URI or OID, not {value!r}")


def _indicator(value: int | None) -> Indicator | None:
    return None if value is None else Indicator(value)


# ---------------------------------------------------------------------------
# Demultiplexing (RFC 9999 §3.4)
# ---------------------------------------------------------------------------


def sniff(data: bytes) -> CmwSerialization:
    """Classify a buffer by its first byte, as RFC 9999 §3.4's pseudocode does.

    Leading JSON whitespace is skipped first (it is never a valid CBOR CMW start).
    0x5b is ``[`` and also a CBOR byte-string head: a CBOR CMW never starts with it,
    so the table is unambiguous for CMWs.
    """
    stripped = data.lstrip(_JSON_WHITESPACE)
    if not stripped:
        return CmwSerialization.UNKNOWN
    first = stripped[0]
    if first in (0x82, 0x83, 0x9F):
        return CmwSerialization.CBOR_RECORD
    if first == 0xDA:  # tag with a 4-byte number: the whole TN range
        return CmwSerialization.CBOR_TAG
    if first == 0x5B:
        return CmwSerialization.JSON_RECORD
    if first == 0x7B:
        return CmwSerialization.JSON_COLLECTION
    if 0xA0 <= first <= 0xBB or first == 0xBF:
        return CmwSerialization.CBOR_COLLECTION
    return CmwSerialization.UNKNOWN


def decode(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE, max_depth: int = DEFAULT_MAX_DEPTH) -> Cmw:
    """Decode a CMW of either serialization, chosen by ``sniff``."""
    check_size(data, max_size, "CMW")
    kind = sniff(data)
    if kind is CmwSerialization.UNKNOWN and data[:1] and 0xC0 <= data[0] <= 0xDB:
        kind = CmwSerialization.CBOR_TAG  # some other CBOR tag: decode_cbor names it (UnknownMediaType)
    if kind is CmwSerialization.UNKNOWN:
        raise MalformedEvidence("not a CMW: unrecognised first byte (RFC 9999 §3.4)")
    if kind.is_json:
        return decode_json(data, max_size=max_size, max_depth=max_depth)
    return decode_cbor(data, max_size=max_size, max_depth=max_depth)


# ---------------------------------------------------------------------------
# CBOR
# ---------------------------------------------------------------------------


def decode_cbor(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE, max_depth: int = DEFAULT_MAX_DEPTH) -> Cmw:
    """Decode a cbor-cmw (RFC 9999 §3): record, tag or collection."""
    check_size(data, max_size, "CMW")
    try:
        # Any well-formed serialization is accepted (RFC 9999 mandates none); nesting
        # is bounded: each collection level costs a map and a record array.
        item = cbor.decode(bytes(data), strict=False, max_depth=2 * max_depth + 4)
    except DecodeError as exc:
        raise MalformedEvidence(f"CMW is not well-formed CBOR: {exc}") from None
    return _from_cbor_item(item, max_depth)


def _from_cbor_item(item: Any, depth_left: int) -> Cmw:
    if isinstance(item, list):
        if len(item) not in (2, 3):  # RFC 9999 §3.1: two or three members
            raise MalformedEvidence(f"CMW record has {len(item)} members, expected 2 or 3")
        indicator = item[2] if len(item) == 3 else None
        _check_record(item[0], item[1], indicator, MalformedEvidence)
        return CmwRecord(type=item[0], value=item[1], indicator=_indicator(indicator))
    if isinstance(item, Tag):
        if not is_tn_tag(item.tag):  # RFC 9999 §3.2: tag numbers come from TN()
            raise UnknownMediaType(f"CBOR tag {item.tag} is not a TN-derived CMW tag")
        if type(item.value) is not bytes:
            raise MalformedEvidence("a Tag CMW must wrap a byte string (RFC 9999 §3.2)")
        return CmwTag(tag_number=item.tag, value=item.value)
    if isinstance(item, dict):
        return _collection_from_items(item, depth_left, json_form=False)
    raise MalformedEvidence(f"CBOR {type(item).__name__} is not a CMW")


def _collection_from_items(item: dict[Any, Any], depth_left: int, *, json_form: bool) -> CmwCollection:
    if depth_left <= 0:
        raise MalformedEvidence("CMW collections nest too deeply")
    collection_type = item.get(COLLECTION_TYPE_KEY)
    if collection_type is not None or COLLECTION_TYPE_KEY in item:
        _check_collection_type(collection_type, MalformedEvidence)
    entries: dict[str | int, Cmw] = {}
    for label, value in item.items():
        if label == COLLECTION_TYPE_KEY:
            continue
        # RFC 9999 §3.3: labels are text, or int in the CBOR serialization.
        if not (type(label) is str or (type(label) is int and not json_form)):
            raise MalformedEvidence(f"CMW collection label {label!r} is not allowed")
        decode_entry = _from_json_value if json_form else _from_cbor_item
        entries[label] = decode_entry(value, depth_left - 1)
    if not entries:
        raise MalformedEvidence("a CMW collection must have at least one entry (RFC 9999 §3.3)")
    return CmwCollection(entries=entries, collection_type=collection_type)


def _to_cbor_item(cmw: Cmw) -> object:
    if isinstance(cmw, CmwRecord):
        body: list[object] = [cmw.type, cmw.value]
        if cmw.indicator is not None:
            body.append(int(cmw.indicator))
        return body
    if isinstance(cmw, CmwTag):
        return Tag(cmw.tag_number, cmw.value)
    result: dict[object, object] = {}
    if cmw.collection_type is not None:
        result[COLLECTION_TYPE_KEY] = cmw.collection_type
    for label in cmw.entries:
        result[label] = _to_cbor_item(cmw.entries[label])
    return result


def _head(major: int, argument: int) -> bytes:
    # RFC 8949 §3: the shortest head for ``argument``.
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise EncodeError("argument too large")


def _encode_in_order(cmw: Cmw) -> bytes:
    if not isinstance(cmw, CmwCollection):
        return cbor.encode(_to_cbor_item(cmw))
    labels: list[object] = list(cmw.entries)
    if cmw.collection_type is not None:
        labels.insert(0, COLLECTION_TYPE_KEY)
    out = bytearray(_head(5, len(labels)))
    for label in labels:
        out += cbor.encode(label)
        if label == COLLECTION_TYPE_KEY:
            out += cbor.encode(cmw.collection_type)
        else:
            out += _encode_in_order(cmw.entries[label])  # type: ignore[index]
    return bytes(out)


def encode_cbor(cmw: Cmw, *, deterministic: bool = True) -> bytes:
    """The CBOR serialization.  ``deterministic=False`` keeps collection entry order
    (``__cmwc_t`` first), and is otherwise the same preferred serialization."""
    return cbor.encode(_to_cbor_item(cmw)) if deterministic else _encode_in_order(cmw)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def decode_json(data: bytes | str, *, max_size: int = DEFAULT_MAX_SIZE, max_depth: int = DEFAULT_MAX_DEPTH) -> Cmw:
    """Decode a json-cmw (RFC 9999 §3): record or collection."""
    check_size(data, max_size, "CMW")
    value = json_loads(data, "CMW", max_depth=2 * max_depth + 4)
    return _from_json_value(value, max_depth)


def _from_json_value(value: Any, depth_left: int) -> Cmw:
    if isinstance(value, list):
        if len(value) not in (2, 3):
            raise MalformedEvidence(f"CMW record has {len(value)} members, expected 2 or 3")
        type_, text = value[0], value[1]
        # RFC 9999 §3.1: in JSON the type is a media type ("not used in the JSON
        # serialization" for Content-Formats) and the value is base64url-string.
        if not isinstance(type_, str):
            raise MalformedEvidence("JSON CMW record type must be a media type string")
        if not isinstance(text, str) or _BASE64URL_STRING.fullmatch(text) is None:
            raise MalformedEvidence("JSON CMW record value must be unpadded base64url (RFC 9999 §3.1)")
        raw = b64url_decode(text, "JSON CMW record value")
        indicator = value[2] if len(value) == 3 else None
        _check_record(type_, raw, indicator, MalformedEvidence)
        return CmwRecord(type=type_, value=raw, indicator=_indicator(indicator))
    if isinstance(value, dict):
        return _collection_from_items(value, depth_left, json_form=True)
    raise MalformedEvidence(f"JSON {type(value).__name__} is not a CMW")


def _to_json_value(cmw: Cmw) -> Any:
    if isinstance(cmw, CmwRecord):
        if not isinstance(cmw.type, str):
            raise EncodeError("a Content-Format type has no JSON serialization (RFC 9999 §3.1)")
        if not cmw.value:
            raise EncodeError("an empty value has no JSON serialization (base64url-string is non-empty)")
        body: list[Any] = [cmw.type, b64url_encode(cmw.value)]
        if cmw.indicator is not None:
            body.append(int(cmw.indicator))
        return body
    if isinstance(cmw, CmwTag):
        raise EncodeError("a Tag CMW has no JSON serialization (RFC 9999 §3)")
    result: dict[str, Any] = {}
    if cmw.collection_type is not None:
        result[COLLECTION_TYPE_KEY] = cmw.collection_type
    for label, entry in cmw.entries.items():
        if not isinstance(label, str):
            raise EncodeError("JSON collection labels must be text (RFC 9999 §3.3)")
        result[label] = _to_json_value(entry)
    return result


def encode_json(cmw: Cmw, *, indent: int | None = None) -> str:
    """The JSON serialization: compact, or laid out with ``indent`` spaces per level."""
    return json_dumps(_to_json_value(cmw), indent=indent)


# ---------------------------------------------------------------------------
# Signed CMW (RFC 9999 §4.1 COSE_Sign1, §4.2 JWS)
# ---------------------------------------------------------------------------


def sign_cbor_cmw(cmw: Cmw, signer: Signer, alg: CoseAlgorithm, *, kid: bytes | None = None) -> bytes:
    """A signed-cbor-cmw: COSE_Sign1 whose protected header carries alg and
    ``cty: "application/cmw+cbor"`` (RFC 9999 §4.1 "MUST include")."""
    protected: dict[int | str, Any] = {Header.CONTENT_TYPE: CMW_CBOR}
    return sign1(encode_cbor(cmw), signer, alg, protected=protected, unprotected={Header.KID: kid} if kid else None)


def verify_cbor_cmw(
    data: bytes,
    public_key: PublicKey | CoseKey,
    *,
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Cmw:
    """Verify a signed-cbor-cmw and decode its payload."""
    check_size(data, max_size, "signed CMW")
    try:
        message = verify_sign1(data, public_key, crypto=crypto)
    except DecodeError as exc:
        raise MalformedEvidence(f"signed CMW is not a COSE_Sign1: {exc}") from None
    except (CryptoError, UnsupportedAlgorithm) as exc:
        raise BadSignature(f"signed CMW signature did not verify ({type(exc).__name__})") from None
    # RFC 9999 §4.1: cty is "application/cmw+cbor" or its Content-Format, in the protected bucket.
    if message.protected.get(Header.CONTENT_TYPE) not in (CMW_CBOR, CF_CMW_CBOR):
        raise MalformedEvidence("signed CMW protected header lacks cty application/cmw+cbor")
    if message.payload is None:
        raise MalformedEvidence("signed CMW has a detached payload")
    return decode_cbor(message.payload, max_size=max_size)


def sign_json_cmw(cmw: Cmw, signer: Signer, alg: JwsAlgorithm = JwsAlgorithm.ES256) -> str:
    """A signed-json-cmw in JWS compact form with ``cty: application/cmw+json`` (RFC 9999 §4.2)."""
    return sign_jws(encode_json(cmw).encode("utf-8"), signer, alg, header={"cty": CMW_JSON})


def verify_json_cmw(
    token: str | bytes,
    public_key: PublicKey,
    *,
    algorithms: Collection[JwsAlgorithm] = (JwsAlgorithm.ES256, JwsAlgorithm.ES384, JwsAlgorithm.EDDSA),
    crypto: CryptoProvider | str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Cmw:
    """Verify a compact signed-json-cmw and decode its payload."""
    message = verify_jws(token, public_key, algorithms=algorithms, crypto=crypto, max_size=max_size)
    if message.header.get("cty") != CMW_JSON:  # RFC 9999 §4.2: cty MUST be application/cmw+json
        raise MalformedEvidence("signed JSON CMW protected header lacks cty application/cmw+json")
    return decode_json(message.payload, max_size=max_size)
