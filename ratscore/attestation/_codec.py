"""Shared low-level codecs: strict base64url and strict JSON.

base64url is RFC 4648 §5 without padding, as JOSE (RFC 7515 §2) and CMW (RFC 9999
§3.1) require; decoding rejects padding, other alphabets and non-zero trailing
bits, so every value has exactly one encoding.  ``lenient`` decoding, for the EAT
examples that use padded standard base64 (RFC 9711 App. A.1.7), accepts either
alphabet and optional padding.

JSON is RFC 8259 text read with the standard library, but strictly: duplicate
member names, NaN/Infinity and nesting deeper than ``max_depth`` are errors, and
every failure is a ``MalformedEvidence``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Final

from .errors import MalformedEvidence

__all__ = ["b64url_decode", "b64url_encode", "json_dumps", "json_loads"]

_B64URL: Final = re.compile(r"[A-Za-z0-9_-]*")
_B64_ANY: Final = re.compile(r"[A-Za-z0-9_+/-]*={0,2}")
JSON_MAX_DEPTH: Final = 32


def b64url_encode(data: bytes) -> str:
    """RFC 4648 §5 base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object, what: str, *, lenient: bool = False, claim: str | None = None) -> bytes:
    """Decode unpadded base64url; ``MalformedEvidence`` (naming ``what``) on any deviation."""
    if not isinstance(text, str):
        raise MalformedEvidence(f"{what} must be a base64url text string", claim=claim)
    if lenient:
        if _B64_ANY.fullmatch(text) is None:
            raise MalformedEvidence(f"{what} is not base64 text", claim=claim)
        text = text.rstrip("=").replace("+", "-").replace("/", "_")
    elif _B64URL.fullmatch(text) is None:
        raise MalformedEvidence(f"{what} is not unpadded base64url (RFC 4648 §5)", claim=claim)
    if len(text) % 4 == 1:
        raise MalformedEvidence(f"{what} has an impossible base64url length", claim=claim)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise MalformedEvidence(f"{what} is not valid base64url", claim=claim) from None
    if not lenient and b64url_encode(data) != text:  # non-zero trailing bits
        raise MalformedEvidence(f"{what} is not canonical base64url", claim=claim)
    return data


def _reject_constant(name: str) -> Any:
    raise MalformedEvidence(f"JSON constant {name} is not allowed")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedEvidence(f"duplicate JSON member name {key!r}")
        result[key] = value
    return result


def _depth(value: Any, limit: int) -> None:
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            raise MalformedEvidence(f"JSON nesting deeper than {limit}")
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)


def json_loads(data: bytes | str, what: str, *, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """Parse JSON text strictly (see module doc)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
        value = json.loads(text, object_pairs_hook=_unique_object, parse_constant=_reject_constant)
    except MalformedEvidence:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedEvidence(f"{what} is not valid JSON: {type(exc).__name__}") from None
    _depth(value, max_depth)
    return value


def json_dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text: compact (no spaces) by default, or pretty-printed with ``indent``."""
    if indent is None:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
