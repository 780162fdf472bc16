"""NIST CAVS 11.0 AES-CCM vectors (SP 800-38C) against the pure-Python ``AesCcm``.

The ``.rsp`` files come from the ``cryptography-vectors`` package, imported directly so a missing
package fails the run.  VTT/VNT/VPT/VADT vary the tag, nonce, payload and AAD lengths and give
the expected ciphertext || tag; DVPT gives ciphertexts to decrypt with Result = Pass or Fail.
We run every section whose parameters ``AesCcm`` accepts: AES-128 and AES-256 keys, all nonce
sizes 7-13 and tag sizes 4-16 (AES-192 keys are refused by design and tested elsewhere).

VTT128's ``[Tlen = 8]`` section with ``Nlen = 13`` is exactly COSE/EDHOC's AES-CCM-16-64-128.
"""

from __future__ import annotations

import cryptography_vectors
import pytest

from ratscore.crypto.pure.ccm import AesCcm
from ratscore.errors import DecryptError


def _load(name: str) -> list[dict[str, str]]:
    """Parse a CAVS ``.rsp`` file: file-level and ``[section]`` parameters, per-section Key and
    Nonce lines, then ``Count = n`` blocks.  Each vector carries every parameter in force."""
    with cryptography_vectors.open_vector_file(f"ciphers/AES/CCM/{name}", "r") as handle:
        text: str = handle.read()
    context: dict[str, str] = {}
    vectors: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = None
            for part in line[1:-1].split(","):
                key, _, value = part.partition("=")
                context[key.strip()] = value.strip()
            continue
        key, separator, value = line.partition("=")
        assert separator, f"{name}: unexpected line {line!r}"
        key, value = key.strip(), value.strip()
        if key == "Count":
            current = {**context, "Count": value, "_file": name}
            vectors.append(current)
        elif current is None:
            context[key] = value
        else:
            current[key] = value
    assert vectors, f"no vectors parsed from {name}"
    return vectors


def _field(vector: dict[str, str], name: str, length_name: str) -> bytes:
    """A hex field cut to its declared length: CAVS writes "00" for an empty Adata or Payload."""
    return bytes.fromhex(vector[name])[: int(vector[length_name])]


def _where(vector: dict[str, str]) -> str:
    return f"{vector['_file']} Nlen={vector['Nlen']} Tlen={vector['Tlen']} Count={vector['Count']}"


def _check_encryption(vectors: list[dict[str, str]]) -> int:
    failures = []
    for vector in vectors:
        key = bytes.fromhex(vector["Key"])
        nonce = bytes.fromhex(vector["Nonce"])
        aad = _field(vector, "Adata", "Alen")
        payload = _field(vector, "Payload", "Plen")
        expected = bytes.fromhex(vector["CT"])
        assert len(expected) == int(vector["Plen"]) + int(vector["Tlen"]), _where(vector)
        aead = AesCcm(key, int(vector["Nlen"]), int(vector["Tlen"]))
        if aead.encrypt(nonce, payload, aad) != expected:
            failures.append(f"{_where(vector)}: wrong ciphertext || tag")
        elif aead.decrypt(nonce, expected, aad) != payload:
            failures.append(f"{_where(vector)}: wrong plaintext")
    assert not failures, "\n".join(failures)
    return len(vectors)


ENCRYPTION_FILES = [f"{kind}{bits}.rsp" for bits in (128, 256) for kind in ("VTT", "VNT", "VPT", "VADT")]


@pytest.mark.parametrize("name", ENCRYPTION_FILES)
def test_nist_ccm_encryption(name: str) -> None:
    vectors = _load(name)
    checked = _check_encryption(vectors)
    print(f"{name}: {checked} vectors")
    assert checked > 0


def test_nist_ccm_edhoc_suite_section() -> None:
    """VTT128 [Tlen = 8] with Nlen = 13: AES-CCM-16-64-128 as EDHOC cipher suites 0 and 2 use it."""
    section = [v for v in _load("VTT128.rsp") if v["Tlen"] == "8" and v["Nlen"] == "13"]
    assert section, "VTT128.rsp lost its Tlen = 8 section"
    assert _check_encryption(section) == len(section)


def test_nist_ccm_covers_our_variants() -> None:
    """Sections with 12- or 13-byte nonces and 8- or 16-byte tags are all present and checked."""
    combos = {
        (v["Nlen"], v["Tlen"])
        for name in ENCRYPTION_FILES
        if name.endswith("128.rsp")
        for v in _load(name)
        if v["Nlen"] in ("12", "13") and v["Tlen"] in ("8", "16")
    }
    assert {("13", "8"), ("13", "16"), ("12", "16")} <= combos


@pytest.mark.parametrize("name", ["DVPT128.rsp", "DVPT256.rsp"])
def test_nist_ccm_decryption_verification(name: str) -> None:
    vectors = _load(name)
    counts = {"Pass": 0, "Fail": 0}
    failures = []
    for vector in vectors:
        result = vector["Result"]
        counts[result] += 1
        aead = AesCcm(bytes.fromhex(vector["Key"]), int(vector["Nlen"]), int(vector["Tlen"]))
        nonce = bytes.fromhex(vector["Nonce"])
        aad = _field(vector, "Adata", "Alen")
        sealed = bytes.fromhex(vector["CT"])
        if result == "Pass":
            if aead.decrypt(nonce, sealed, aad) != _field(vector, "Payload", "Plen"):
                failures.append(f"{_where(vector)}: wrong plaintext")
        else:
            with pytest.raises(DecryptError):
                aead.decrypt(nonce, sealed, aad)
    print(f"{name}: {counts['Pass']} pass, {counts['Fail']} fail vectors")
    assert counts["Pass"] > 0 and counts["Fail"] > 0
    assert not failures, "\n".join(failures)
