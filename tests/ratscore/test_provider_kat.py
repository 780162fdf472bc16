"""RFC known-answer tests through the provider interface, on every backend.

RFC 5869 (HKDF), RFC 7748 (X25519/X448, with the 1,000-iteration case),
RFC 8032 (Ed25519 via the SUPERCOP/RFC input file, Ed448), RFC 8439
(ChaCha20-Poly1305).  Expected values come from the ``cryptography-vectors``
package or are copied from the RFC text where the package lacks them.
"""

from __future__ import annotations

import pytest

from ratscore.crypto import (
    AeadAlgorithm,
    CryptoProvider,
    HashAlgorithm,
    KeyType,
    PublicKey,
    SignatureAlgorithm,
)
from ratscore.errors import CryptoError, DecryptError, InvalidSignature
from tests.vectors import nist_blocks, open_cryptography_vector

_h = bytes.fromhex


def _unquote(value: str) -> bytes:
    """boringssl-style vector fields: hex, or a "quoted" ASCII string."""
    if value.startswith('"') and value.endswith('"'):
        return value[1:-1].encode()
    return _h(value)


# -- RFC 5869 -----------------------------------------------------------------


def test_rfc5869_hkdf_sha256(crypto: CryptoProvider) -> None:
    blocks = list(nist_blocks(open_cryptography_vector("KDF/rfc-5869-HKDF-SHA256.txt")))
    assert len(blocks) == 3
    for block in blocks:
        salt = _h(block["salt"]) if block["salt"] else b""
        prk = crypto.hkdf_extract(HashAlgorithm.SHA256, salt, _h(block["IKM"]))
        assert prk == _h(block["PRK"]), f"PRK, case {block['COUNT']}"
        okm = crypto.hkdf_expand(HashAlgorithm.SHA256, prk, _h(block["info"]), int(block["L"]))
        assert okm == _h(block["OKM"]), f"OKM, case {block['COUNT']}"


def test_hkdf_expand_rejects_oversized_output(crypto: CryptoProvider) -> None:
    # RFC 5869 §2.3: L <= 255*HashLen
    prk = bytes(32)
    assert len(crypto.hkdf_expand(HashAlgorithm.SHA256, prk, b"", 255 * 32)) == 255 * 32
    with pytest.raises(CryptoError):
        crypto.hkdf_expand(HashAlgorithm.SHA256, prk, b"", 255 * 32 + 1)


# -- RFC 7748 -----------------------------------------------------------------

_XDH = {
    KeyType.X25519: ("asymmetric/X25519/rfc7748.txt", 9),
    KeyType.X448: ("asymmetric/X448/rfc7748.txt", 5),
}
# RFC 7748 §5.2: the iterated function after 1,000 iterations.
_ITERATED_1000 = {
    KeyType.X25519: "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51",
    KeyType.X448: (
        "aa3b4749d55b9daf1e5b00288826c467274ce3ebbdd5c17b975e09d4af6c67cf"
        "10d087202db88286e2b79fceea3ec353ef54faa26e219f38"
    ),
}


def _xdh(crypto: CryptoProvider, key_type: KeyType, scalar: bytes, u: bytes) -> bytes:
    return crypto.load_private_key(key_type, scalar).exchange(PublicKey(key_type=key_type, data=u))


@pytest.mark.parametrize("key_type", [KeyType.X25519, KeyType.X448], ids=lambda k: k.label)
def test_rfc7748_scalar_multiplication(crypto: CryptoProvider, key_type: KeyType) -> None:
    path, _ = _XDH[key_type]
    blocks = list(nist_blocks(open_cryptography_vector(path)))
    assert len(blocks) == 3
    for block in blocks:
        out = _xdh(crypto, key_type, _h(block["INPUT_SCALAR"]), _h(block["INPUT_U"]))
        assert out == _h(block["OUTPUT_U"]), f"case {block['COUNT']}"


@pytest.mark.parametrize("key_type", [KeyType.X25519, KeyType.X448], ids=lambda k: k.label)
def test_rfc7748_iterated_1000(crypto: CryptoProvider, key_type: KeyType) -> None:
    # RFC 7748 §5.2: k = u = encoded base point; k, u = X(k, u), k.
    _, base = _XDH[key_type]
    k = u = base.to_bytes(key_type.size, "little")
    for _ in range(1000):
        k, u = _xdh(crypto, key_type, k, u), k
    assert k == _h(_ITERATED_1000[key_type])


def test_rfc7748_x25519_diffie_hellman(crypto: CryptoProvider) -> None:
    # RFC 7748 §6.1
    alice = crypto.load_private_key(
        KeyType.X25519, _h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    )
    bob = crypto.load_private_key(
        KeyType.X25519, _h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    )
    assert alice.public_key().data == _h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    assert bob.public_key().data == _h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    shared = _h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    assert alice.exchange(bob.public_key()) == shared
    assert bob.exchange(alice.public_key()) == shared


@pytest.mark.parametrize("key_type", [KeyType.X25519, KeyType.X448], ids=lambda k: k.label)
def test_xdh_rejects_all_zero_shared_secret(crypto: CryptoProvider, key_type: KeyType) -> None:
    # RFC 7748 §6.1 / RFC 8446 §7.4.2: u = 0 is of low order; the result is all zero.
    key = crypto.generate_private_key(key_type)
    with pytest.raises(CryptoError):
        key.exchange(PublicKey(key_type=key_type, data=bytes(key_type.size)))


# -- RFC 8032 -----------------------------------------------------------------


def test_rfc8032_ed25519(crypto: CryptoProvider) -> None:
    # sign.input lines: sk||pk : pk : msg : sig||msg  (RFC 8032 §7.1 TEST 1-3 are its first lines)
    lines = open_cryptography_vector("asymmetric/Ed25519/sign.input").splitlines()
    if crypto.name == "pure":
        lines = lines[::8]  # every 8th line keeps the pure run short; the first three are TEST 1-3
    assert lines
    for number, line in enumerate(lines):
        secret_public, public, message, signature_message = (_h(field) for field in line.split(":")[:4])
        seed, signature = secret_public[:32], signature_message[:64]
        key = crypto.load_private_key(KeyType.ED25519, seed)
        assert key.public_key().data == public, f"public key, line {number}"
        assert key.sign(message, SignatureAlgorithm.ED25519) == signature, f"signature, line {number}"
        crypto.verify(key.public_key(), signature, message, SignatureAlgorithm.ED25519)
        tampered = signature[:-1] + bytes([signature[-1] ^ 0x01])
        with pytest.raises(InvalidSignature):
            crypto.verify(key.public_key(), tampered, message, SignatureAlgorithm.ED25519)


def test_rfc8032_ed448(crypto: CryptoProvider) -> None:
    blocks = [b for b in nist_blocks(open_cryptography_vector("asymmetric/Ed448/rfc8032.txt"))]
    # Pure Ed448 only: the CONTEXT vectors are Ed448 with a context, which no protocol here uses.
    pure_blocks = [b for b in blocks if "CONTEXT" not in b]
    assert len(pure_blocks) >= 8
    for block in pure_blocks:
        key = crypto.load_private_key(KeyType.ED448, _h(block["SECRET"]))
        message = _h(block["MESSAGE"]) if block["MESSAGE"] else b""
        assert key.public_key().data == _h(block["PUBLIC"]), f"public key, case {block['COUNT']}"
        signature = key.sign(message, SignatureAlgorithm.ED448)
        assert signature == _h(block["SIGNATURE"]), f"signature, case {block['COUNT']}"
        crypto.verify(key.public_key(), signature, message, SignatureAlgorithm.ED448)


# -- RFC 8439 -----------------------------------------------------------------


def test_rfc8439_chacha20_poly1305(crypto: CryptoProvider) -> None:
    # boringssl.txt opens with RFC 8439 §2.8.2 (then RFC 7539) and adds padding edge cases.
    blocks = list(nist_blocks(open_cryptography_vector("ciphers/ChaCha20Poly1305/boringssl.txt")))
    assert blocks
    checked = 0
    for block in blocks:
        key, nonce = _h(block["KEY"]), _h(block["NONCE"])
        if len(nonce) != 12:
            continue  # the file also has 8-byte-nonce (original ChaCha) cases, not RFC 8439's AEAD
        plaintext, aad = _unquote(block["IN"]), _unquote(block["AD"])
        sealed = _unquote(block["CT"]) + _h(block["TAG"])
        aead = crypto.aead(AeadAlgorithm.CHACHA20_POLY1305, key)
        assert aead.encrypt(nonce, plaintext, aad) == sealed, f"case {block['COUNT']}"
        assert aead.decrypt(nonce, sealed, aad) == plaintext, f"case {block['COUNT']}"
        checked += 1
    assert checked > 0


def test_rfc8439_appendix_a5_decryption(crypto: CryptoProvider) -> None:
    # RFC 8439 §A.5 is OpenSSL's first vector; the second is the same with a bad tag.
    blocks = list(nist_blocks(open_cryptography_vector("ciphers/ChaCha20Poly1305/openssl.txt")))
    assert blocks
    for block in blocks:
        aead = crypto.aead(AeadAlgorithm.CHACHA20_POLY1305, _h(block["Key"]))
        sealed = _h(block["Ciphertext"]) + _h(block["Tag"])
        if block.get("Result") == "CIPHERFINAL_ERROR":
            with pytest.raises(DecryptError):
                aead.decrypt(_h(block["IV"]), sealed, _h(block["AAD"]))
        else:
            assert aead.decrypt(_h(block["IV"]), sealed, _h(block["AAD"])) == _h(block["Plaintext"])
