"""Cross-checks against pycose (test-only oracle), in both directions.

What we sign, MAC or encrypt, pycose verifies or decrypts; what pycose produces,
we verify or decrypt.  Every case carries external_aad.  pycose 1.1 has no
ChaCha20/Poly1305; test_cose.py checks that one against pyca/cryptography's AEAD.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from ratscore import cose
from ratscore.cose import CoseAlgorithm, CoseKey, Header, Kty
from ratscore.crypto import CryptoProvider, KeyType, PrivateKey
from ratscore.errors import DecryptError, InvalidSignature

pycose_algorithms = pytest.importorskip("pycose.algorithms", reason="pycose is a test-only oracle")
pycose_headers = pytest.importorskip("pycose.headers")
pycose_keys = pytest.importorskip("pycose.keys")
pycose_messages = pytest.importorskip("pycose.messages")

PAYLOAD = b"attestation evidence goes here"
EXTERNAL_AAD = b"\x01channel binding\x02"

SIGNATURE_CASES = [
    pytest.param(CoseAlgorithm.EDDSA, KeyType.ED25519, "EdDSA", id="EdDSA-Ed25519"),
    pytest.param(CoseAlgorithm.EDDSA, KeyType.ED448, "EdDSA", id="EdDSA-Ed448"),
    pytest.param(CoseAlgorithm.ES256, KeyType.P256, "Es256", id="ES256"),
    pytest.param(CoseAlgorithm.ES384, KeyType.P384, "Es384", id="ES384"),
]
AEAD_CASES = [
    pytest.param(CoseAlgorithm.AES_CCM_16_64_128, 16, 13, "AESCCM1664128", id="AES-CCM-16-64-128"),
    pytest.param(CoseAlgorithm.AES_CCM_16_128_128, 16, 13, "AESCCM16128128", id="AES-CCM-16-128-128"),
    pytest.param(CoseAlgorithm.A128GCM, 16, 12, "A128GCM", id="A128GCM"),
    pytest.param(CoseAlgorithm.A256GCM, 32, 12, "A256GCM", id="A256GCM"),
]
MAC_CASES = [
    pytest.param(CoseAlgorithm.HMAC_256_256, "HMAC256", id="HMAC-256-256"),
    pytest.param(CoseAlgorithm.HMAC_256_64, "HMAC25664", id="HMAC-256-64"),
    pytest.param(CoseAlgorithm.HMAC_384_384, "HMAC384", id="HMAC-384-384"),
]


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_thaw(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    return value


def pycose_decode(message_class: Any, data: bytes) -> Any:
    """``CoseMessage.decode`` without its cbor2 6 incompatibility: cbor2 6 decodes what
    is inside a tag immutably (tuples, frozen maps), which pycose 1.1 rejects ("Bytes
    cannot be decoded as COSE message").  Unwrap the tag here with cbor2 and hand
    pycose plain lists and dicts."""
    cbor2 = pytest.importorskip("cbor2")
    item = cbor2.loads(data)
    assert item.tag == message_class.cbor_tag
    return message_class.from_cose_obj(_thaw(item.value), True)


def pycose_key(private: PrivateKey) -> Any:
    """The pycose key object for one of our private keys, built from raw bytes."""
    cose_key = CoseKey.from_private_key(private)
    if cose_key.kty is Kty.OKP:
        assert cose_key.crv is not None
        return pycose_keys.OKPKey(crv=int(cose_key.crv), x=cose_key.x, d=cose_key.d)
    assert cose_key.crv is not None
    return pycose_keys.EC2Key(crv=int(cose_key.crv), x=cose_key.x, y=cose_key.y, d=cose_key.d)


@pytest.mark.parametrize(("alg", "key_type", "pycose_name"), SIGNATURE_CASES)
def test_sign1_ours_verified_by_pycose(
    crypto: CryptoProvider, alg: CoseAlgorithm, key_type: KeyType, pycose_name: str
) -> None:
    signer = crypto.generate_private_key(key_type)
    data = cose.sign1(
        PAYLOAD,
        signer,
        alg,
        protected={Header.CONTENT_TYPE: 60},
        unprotected={Header.KID: b"attester"},
        external_aad=EXTERNAL_AAD,
    )
    message = pycose_decode(pycose_messages.Sign1Message, data)
    message.key = pycose_key(signer)
    message.external_aad = EXTERNAL_AAD
    assert message.verify_signature()
    assert message.payload == PAYLOAD
    message.external_aad = b""
    assert not message.verify_signature()


@pytest.mark.parametrize(("alg", "key_type", "pycose_name"), SIGNATURE_CASES)
def test_sign1_pycose_verified_by_us(
    crypto: CryptoProvider, alg: CoseAlgorithm, key_type: KeyType, pycose_name: str
) -> None:
    signer = crypto.generate_private_key(key_type)
    message = pycose_messages.Sign1Message(
        phdr={pycose_headers.Algorithm: getattr(pycose_algorithms, pycose_name)},
        uhdr={pycose_headers.KID: b"attester"},
        payload=PAYLOAD,
        external_aad=EXTERNAL_AAD,
    )
    message.key = pycose_key(signer)
    data = message.encode()
    verified = cose.verify_sign1(data, signer.public_key(), external_aad=EXTERNAL_AAD, crypto=crypto)
    assert verified.payload == PAYLOAD
    assert verified.kid == b"attester"
    assert verified.algorithm is alg
    with pytest.raises(InvalidSignature):
        cose.verify_sign1(data, signer.public_key(), crypto=crypto)


@pytest.mark.parametrize(("alg", "key_size", "nonce_size", "pycose_name"), AEAD_CASES)
def test_encrypt0_ours_decrypted_by_pycose(
    crypto: CryptoProvider, alg: CoseAlgorithm, key_size: int, nonce_size: int, pycose_name: str
) -> None:
    key = crypto.random_bytes(key_size)
    data = cose.encrypt0(PAYLOAD, key, alg, external_aad=EXTERNAL_AAD, crypto=crypto)
    message = pycose_decode(pycose_messages.Enc0Message, data)
    message.key = pycose_keys.SymmetricKey(k=key)
    message.external_aad = EXTERNAL_AAD
    assert message.decrypt() == PAYLOAD


@pytest.mark.parametrize(("alg", "key_size", "nonce_size", "pycose_name"), AEAD_CASES)
def test_encrypt0_pycose_decrypted_by_us(
    crypto: CryptoProvider, alg: CoseAlgorithm, key_size: int, nonce_size: int, pycose_name: str
) -> None:
    key = crypto.random_bytes(key_size)
    nonce = crypto.random_bytes(nonce_size)
    message = pycose_messages.Enc0Message(
        phdr={pycose_headers.Algorithm: getattr(pycose_algorithms, pycose_name)},
        uhdr={pycose_headers.IV: nonce},
        payload=PAYLOAD,
        external_aad=EXTERNAL_AAD,
    )
    message.key = pycose_keys.SymmetricKey(k=key)
    data = message.encode()
    decrypted = cose.decrypt0(data, key, external_aad=EXTERNAL_AAD, crypto=crypto)
    assert decrypted.plaintext == PAYLOAD
    assert decrypted.algorithm is alg
    with pytest.raises(DecryptError):
        cose.decrypt0(data, key, external_aad=b"", crypto=crypto)
    # the same nonce and key give the same bytes on our side
    ours = cose.encrypt0(PAYLOAD, key, alg, nonce=nonce, external_aad=EXTERNAL_AAD, crypto=crypto)
    assert ours == data


@pytest.mark.parametrize(("alg", "pycose_name"), MAC_CASES)
def test_mac0_both_ways(crypto: CryptoProvider, alg: CoseAlgorithm, pycose_name: str) -> None:
    key = crypto.random_bytes(32)
    ours = cose.mac0(PAYLOAD, key, alg, external_aad=EXTERNAL_AAD, crypto=crypto)
    message = pycose_decode(pycose_messages.Mac0Message, ours)
    message.key = pycose_keys.SymmetricKey(k=key)
    message.external_aad = EXTERNAL_AAD
    assert message.verify_tag()

    theirs = pycose_messages.Mac0Message(
        phdr={pycose_headers.Algorithm: getattr(pycose_algorithms, pycose_name)},
        payload=PAYLOAD,
        external_aad=EXTERNAL_AAD,
    )
    theirs.key = pycose_keys.SymmetricKey(k=key)
    data = theirs.encode()
    assert cose.verify_mac0(data, key, external_aad=EXTERNAL_AAD, crypto=crypto).payload == PAYLOAD
    assert data == ours  # HMAC is deterministic: identical messages
    with pytest.raises(InvalidSignature):
        cose.verify_mac0(data, key, crypto=crypto)


@pytest.mark.parametrize(
    "key_type", [KeyType.ED25519, KeyType.ED448, KeyType.X25519, KeyType.X448, KeyType.P256, KeyType.P384]
)
def test_cose_key_both_ways(crypto: CryptoProvider, key_type: KeyType) -> None:
    private = crypto.generate_private_key(key_type)
    ours = CoseKey.from_private_key(private, kid=b"key-1")
    theirs = pycose_keys.CoseKey.decode(ours.encode())
    assert theirs.kid == b"key-1"
    assert theirs.d == private.private_bytes()
    assert CoseKey.decode(theirs.encode()) == ours
    public_only = CoseKey.from_public_key(private.public_key())
    assert CoseKey.decode(pycose_keys.CoseKey.decode(public_only.encode()).encode()).public_key(crypto) == (
        private.public_key()
    )


def test_symmetric_cose_key_both_ways() -> None:
    ours = CoseKey.symmetric(b"\x01" * 16, kid=b"k", alg=int(CoseAlgorithm.A128GCM))
    theirs = pycose_keys.CoseKey.decode(ours.encode())
    assert theirs.k == b"\x01" * 16
    assert CoseKey.decode(theirs.encode()) == ours
    assert ours.kty is Kty.SYMMETRIC
    assert CoseKey.decode(ours.encode()).crv is None
