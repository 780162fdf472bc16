"""Media types, CoAP Content-Formats and the RFC 9277 tag-number transform.

Media types are RFC 9193 Content-Type strings: a type/subtype and parameters such
as ``eat_profile`` (RFC 9782).  ``MediaType.parse`` follows the Content-Type ABNF
that RFC 9999 §6 quotes; ``str()`` writes the canonical form back.

TN() maps a CoAP Content-Format ``cf`` in 0..65024 to a CBOR tag number
(RFC 9277 §4.3, referenced as its Appendix B by RFC 9999 §3.2):
``TN(cf) = 1668546817 + (cf // 255) * 256 + cf % 255``.  The image is
[1668546817, 1668612095]; its two low bytes are ``cf // 255 + 1`` and
``cf % 255 + 1``, so a tag whose low byte is 0x00 is not a TN image.
RFC 9999 §5 checks the formula: TN(64999) = 1668612070 (wire ``da 6374ffe6``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from ratscore.errors import EncodeError

from .errors import UnknownMediaType

__all__ = [
    "CF_CMW_CBOR",
    "CF_CMW_COSE",
    "CF_CMW_JSON",
    "CF_CMW_JWS",
    "CMW_CBOR",
    "CMW_COSE",
    "CMW_JSON",
    "CMW_JWS",
    "EAT_CWT",
    "EAT_JWT",
    "EAT_UCS_CBOR",
    "EAT_UCS_JSON",
    "TN_MAX",
    "TN_MIN",
    "MediaType",
    "content_format_from_tag",
    "is_tn_tag",
    "tn",
]

# RFC 9999 §10.5: the four CMW media types.
CMW_CBOR: Final = "application/cmw+cbor"
CMW_JSON: Final = "application/cmw+json"
CMW_COSE: Final = "application/cmw+cose"
CMW_JWS: Final = "application/cmw+jws"
# RFC 9999 §10.6 leaves the Content-Format IDs as TBD1..TBD4, but its Table 4 lists the
# TN-derived tags 1668547091..1668547094, which are exactly TN(273)..TN(276): the IANA
# assignment (registry entry "RFC-ietf-rats-msg-wrap-22") in the same order.
CF_CMW_CBOR: Final = 273
CF_CMW_JSON: Final = 274
CF_CMW_COSE: Final = 275
CF_CMW_JWS: Final = 276
# RFC 9782 (EAT media types), as used by RFC 9999 §5 and RFC 9783 §7.3.
EAT_CWT: Final = "application/eat+cwt"
EAT_JWT: Final = "application/eat+jwt"
EAT_UCS_CBOR: Final = "application/eat-ucs+cbor"
EAT_UCS_JSON: Final = "application/eat-ucs+json"

TN_MIN: Final = 1668546817  # RFC 9277 §4.3: TN(0)
TN_MAX: Final = 1668612095  # TN(65024)
_CF_MAX_TAGGED: Final = 65024  # content formats 65025..65535 have no TN tag

# RFC 9999 §6, Content-Type-ABNF (from RFC 9193 / RFC 6838 §4.2).
_RESTRICTED_NAME: Final = r"[A-Za-z0-9][A-Za-z0-9!#$&\-^_.+]{0,126}"
_TOKEN: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED: Final = r'"(?:[ !#-\[\]-~]|\\[ -~])*"'
_PARAMETER: Final = re.compile(rf" *; *({_TOKEN})=({_TOKEN}|{_QUOTED})")
_CONTENT_TYPE: Final = re.compile(
    rf"({_RESTRICTED_NAME})/({_RESTRICTED_NAME})((?: *; *{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))*)"
)
_PLAIN_TOKEN: Final = re.compile(_TOKEN)


def tn(content_format: int) -> int:
    """The CBOR tag number for a CoAP Content-Format (RFC 9277 §4.3)."""
    if type(content_format) is not int or not 0 <= content_format <= _CF_MAX_TAGGED:
        raise EncodeError(f"content format {content_format!r} has no TN tag (0..{_CF_MAX_TAGGED})")
    return TN_MIN + (content_format // 255) * 256 + content_format % 255


def is_tn_tag(tag_number: int) -> bool:
    """Whether ``tag_number`` is the image of some content format under TN()."""
    return TN_MIN <= tag_number <= TN_MAX and (tag_number - TN_MIN) % 256 != 255


def content_format_from_tag(tag_number: int) -> int:
    """Inverse of ``tn``; ``UnknownMediaType`` for a tag outside TN's image."""
    if not is_tn_tag(tag_number):
        raise UnknownMediaType(f"CBOR tag {tag_number} is not a TN-derived content-format tag (RFC 9277)")
    offset = tag_number - TN_MIN
    return (offset // 256) * 255 + offset % 256


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _quote(value: str) -> str:
    if _PLAIN_TOKEN.fullmatch(value):
        return value
    if any(not (" " <= char <= "~") for char in value):
        raise EncodeError("media type parameter values must be printable ASCII")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@dataclass(frozen=True, slots=True)
class MediaType:
    """A Content-Type: lower-cased ``type/subtype`` and its parameters (names lower-cased)."""

    essence: str
    parameters: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> MediaType:
        """Parse a Content-Type string; ``UnknownMediaType`` if it does not match the ABNF."""
        if not isinstance(text, str):
            raise UnknownMediaType("a media type must be a text string")
        match = _CONTENT_TYPE.fullmatch(text)
        if match is None:
            raise UnknownMediaType(f"{text[:80]!r} is not a Content-Type (RFC 9999 §6 ABNF)")
        parameters: dict[str, str] = {}
        for name, value in _PARAMETER.findall(match.group(3)):
            key = name.lower()  # RFC 6838 §4.3: parameter names are case-insensitive
            if key in parameters:
                raise UnknownMediaType(f"media type parameter {key!r} appears twice")
            parameters[key] = _unquote(value)
        # RFC 6838 §4.2: type and subtype names are case-insensitive.
        return cls(f"{match.group(1)}/{match.group(2)}".lower(), parameters)

    @property
    def profile(self) -> str | None:
        """The ``eat_profile`` parameter (RFC 9782), or the older ``profile`` spelling."""
        return self.parameters.get("eat_profile", self.parameters.get("profile"))

    def __str__(self) -> str:
        return self.essence + "".join(f"; {name}={_quote(value)}" for name, value in self.parameters.items())
