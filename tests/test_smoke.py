"""Whole-stack smoke test: every package imports and a short end-to-end flow runs.

`make test` also runs this in a venv without `cryptography`, where it proves the
pure path stands alone: the default provider there must be the pure one.
"""

from __future__ import annotations

import importlib
import importlib.util

import pytest

from ratscore import cbor, cose
from ratscore.crypto import AeadAlgorithm, CryptoProvider, HashAlgorithm, KeyType, get_provider

PACKAGES = [
    "ratscore",
    "ratscore.crypto",
    "ratscore.crypto.pure",
    "ratscore.cbor",
    "ratscore.cose",
    "ratscore.x509",
    "atls",
    "edhoc_ra",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_imports(name: str) -> None:
    importlib.import_module(name)


def test_default_backend_matches_environment() -> None:
    expected = "cryptography" if importlib.util.find_spec("cryptography") else "pure"
    assert get_provider().name == expected


def test_signed_evidence_round_trip(crypto: CryptoProvider) -> None:
    # What the attestation layer will do: CBOR claims in a COSE_Sign1, sealed to a peer.
    claims = cbor.encode({10: b"nonce-0123456789", 256: b"\x01" * 16, 273: [[1, b"\x00" * 32]]})
    for key_type, alg in ((KeyType.ED25519, cose.CoseAlgorithm.EDDSA), (KeyType.P256, cose.CoseAlgorithm.ES256)):
        signer = crypto.generate_private_key(key_type)
        token = cose.sign1(claims, signer, alg, external_aad=b"binder")
        message = cose.verify_sign1(token, signer.public_key(), external_aad=b"binder", crypto=crypto)
        assert cbor.decode(message.payload or b"") == cbor.decode(claims)

    ours, theirs = crypto.generate_private_key(KeyType.X25519), crypto.generate_private_key(KeyType.X25519)
    secret = ours.exchange(theirs.public_key())
    assert secret == theirs.exchange(ours.public_key())
    key = crypto.hkdf_expand(HashAlgorithm.SHA256, crypto.hkdf_extract(HashAlgorithm.SHA256, b"", secret), b"smoke", 16)
    sealed = cose.encrypt0(claims, key, cose.CoseAlgorithm.AES_CCM_16_64_128, crypto=crypto)
    assert cose.decrypt0(sealed, key, crypto=crypto).plaintext == claims
    aead = crypto.aead(AeadAlgorithm.AES_128_GCM, key)
    assert aead.decrypt(bytes(12), aead.encrypt(bytes(12), b"x", b""), b"") == b"x"

