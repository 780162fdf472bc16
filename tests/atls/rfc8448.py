"""RFC 8448 trace values, read from ``data/rfc8448_vectors.md``.

That file is a mechanical copy of the hex fields of RFC 8448 §2-§6 (see its provenance
section); values whose name contains ``.selfcomputed.`` are NOT printed in the RFC and
were cross-checked by independent implementations.  Lines look like
``s3.early_secret = 33ad...``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["rfc8448"]

_PATH = Path(__file__).parent / "data" / "rfc8448_vectors.md"
_LINE = re.compile(r"^([a-z0-9_.]+) = ([0-9a-f]*)$")


@cache
def _values() -> dict[str, bytes]:
    values: dict[str, bytes] = {}
    for line in _PATH.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if match:
            assert match.group(1) not in values, match.group(1)
            values[match.group(1)] = bytes.fromhex(match.group(2))
    assert len(values) > 400
    return values


def rfc8448(name: str) -> bytes:
    """The value named ``name`` (e.g. ``s3.client_hello``); KeyError if absent."""
    return _values()[name]
