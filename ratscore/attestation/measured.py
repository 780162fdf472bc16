"""EAT Measured Component (draft-ietf-rats-eat-measured-component §4): one measured
software or firmware component, for the EAT ``measurements`` claim.

A component has a name and optional version (``component-id``), and either a
digested measurement ``[alg, value]`` (label 2) or a raw one (label 5), plus
optional authorities (3) and profile-defined 8-byte flags (4).  In CBOR the labels
are integers and it travels in ``measurements`` as ``[cf, bytes .cbor mc]``
(§4.4 "homogeneous"); in JSON the labels are the names.

The draft's CoAP Content-Formats are still TBD1/TBD2 (§7.2).  Until IANA assigns
them we use 65000/65001 from the Experimental Use range (RFC 7252 §12.3), the
values the draft's own repository renders its examples with; both are constants
callers can override.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ratscore import cbor
from ratscore.errors import DecodeError, EncodeError

from ._codec import b64url_decode, b64url_encode
from .errors import InvalidClaim, MalformedEvidence

__all__ = [
    "CF_MEASURED_COMPONENT_CBOR",
    "CF_MEASURED_COMPONENT_JSON",
    "HASH_SHA256",
    "HASH_SHA384",
    "HASH_SHA512",
    "MeasuredComponent",
]

CF_MEASURED_COMPONENT_CBOR: Final = 65000  # TBD1, experimental-use placeholder
CF_MEASURED_COMPONENT_JSON: Final = 65001  # TBD2, experimental-use placeholder
# IANA "Named Information Hash Algorithm Registry" IDs (draft §4.2; RFC 6920 §9.4).
HASH_SHA256: Final = 1
HASH_SHA384: Final = 7
HASH_SHA512: Final = 8

# draft §4.1 labels: component-id 1, digested-measurement 2, authorities 3, flags 4, raw 5.
_ID, _DIGEST, _AUTHORITIES, _FLAGS, _RAW = 1, 2, 3, 4, 5
_JSON_LABELS: Final = {
    _ID: "id",
    _DIGEST: "digested-measurement",
    _AUTHORITIES: "authorities",
    _FLAGS: "flags",
    _RAW: "raw-measurement",
}


def _bad(message: str) -> InvalidClaim:
    return InvalidClaim(f"measured component: {message}", claim="measurements")


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasuredComponent:
    """A measured component.  Exactly one of ``digest`` and ``raw`` is set."""

    name: str
    version: str | None = None
    version_scheme: int | None = None
    digest_algorithm: int | str | None = None
    digest: bytes | None = None
    raw: bytes | None = None
    authorities: tuple[bytes, ...] = ()
    flags: bytes | None = None

    def __post_init__(self) -> None:
        if (self.digest is None) == (self.raw is None):
            raise EncodeError("a measured component has exactly one of a digest or a raw value")
        if (self.digest is None) != (self.digest_algorithm is None):
            raise EncodeError("a digest needs its algorithm")
        if self.flags is not None and len(self.flags) != 8:  # draft §4.3.3: bytes8
            raise EncodeError("flags are exactly 8 bytes")
        if self.version_scheme is not None and self.version is None:
            raise EncodeError("a version scheme needs a version")

    # -- CBOR -------------------------------------------------------------------
    def to_cbor_map(self) -> dict[int, Any]:
        component_id: list[Any] = [self.name]
        if self.version is not None:
            component_id.append([self.version] if self.version_scheme is None else [self.version, self.version_scheme])
        result: dict[int, Any] = {_ID: component_id}
        if self.digest is not None:
            result[_DIGEST] = [self.digest_algorithm, self.digest]
        else:
            result[_RAW] = self.raw
        if self.authorities:
            result[_AUTHORITIES] = list(self.authorities)
        if self.flags is not None:
            result[_FLAGS] = self.flags
        return result

    def encode(self) -> bytes:
        """``bytes .cbor measured-component`` (draft §4.4 mc-cbor)."""
        return cbor.encode(self.to_cbor_map())

    @classmethod
    def decode(cls, data: bytes) -> MeasuredComponent:
        try:
            value = cbor.decode(data, strict=False)
        except DecodeError as exc:
            raise MalformedEvidence(f"measured component is not CBOR: {exc}", claim="measurements") from None
        return cls.from_map(value, json_form=False)

    # -- JSON -------------------------------------------------------------------
    def to_json_object(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for label, value in self.to_cbor_map().items():
            encoded = value
            if label == _DIGEST:
                encoded = [value[0], b64url_encode(value[1])]
            elif label == _AUTHORITIES:
                encoded = [b64url_encode(item) for item in value]
            elif isinstance(value, bytes):
                encoded = b64url_encode(value)
            result[_JSON_LABELS[label]] = encoded
        return result

    @classmethod
    def from_map(cls, value: Any, *, json_form: bool) -> MeasuredComponent:
        """Parse a measured-component map (integer labels, or names when ``json_form``)."""
        if not isinstance(value, dict):
            raise _bad("expected a map")
        labels = {name: label for label, name in _JSON_LABELS.items()} if json_form else None
        fields: dict[int, Any] = {}
        for key, item in value.items():
            label = labels.get(key) if labels is not None else key
            if label not in _JSON_LABELS:
                raise _bad(f"unknown label {key!r}")
            fields[label] = item

        def binary(item: Any, what: str) -> bytes:
            raw = b64url_decode(item, what, claim="measurements") if json_form else item
            if type(raw) is not bytes:
                raise _bad(f"{what} must be bytes")
            return raw

        component_id = fields.get(_ID)
        if not (isinstance(component_id, list) and len(component_id) in (1, 2) and isinstance(component_id[0], str)):
            raise _bad("id is [name, ?version]")
        version = scheme = None
        if len(component_id) == 2:
            pair = component_id[1]
            if not isinstance(pair, list) or len(pair) not in (1, 2) or not isinstance(pair[0], str):
                raise _bad("version is [val, ?scheme]")
            version = pair[0]
            if len(pair) == 2:
                if type(pair[1]) is not int:
                    raise _bad("version scheme is an integer")
                scheme = pair[1]
        digest_algorithm = digest = raw = None
        if (_DIGEST in fields) == (_RAW in fields):  # draft §4.1: one measurement
            raise _bad("exactly one of digested-measurement and raw-measurement")
        if _DIGEST in fields:
            pair = fields[_DIGEST]
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], int | str):
                raise _bad("digest is [alg, value]")
            digest_algorithm, digest = pair[0], binary(pair[1], "digest value")
        else:
            raw = binary(fields[_RAW], "raw measurement")
        authorities = fields.get(_AUTHORITIES, [])
        if not isinstance(authorities, list) or (_AUTHORITIES in fields and not authorities):
            raise _bad("authorities is a non-empty array")
        flags = binary(fields[_FLAGS], "flags") if _FLAGS in fields else None
        if flags is not None and len(flags) != 8:
            raise _bad("flags are exactly 8 bytes")
        return cls(
            name=component_id[0],
            version=version,
            version_scheme=scheme,
            digest_algorithm=digest_algorithm,
            digest=digest,
            raw=raw,
            authorities=tuple(binary(item, "authority") for item in authorities),
            flags=flags,
        )
