"""COSE (RFC 9052 / RFC 9053) on the crypto provider: COSE_Sign1, COSE_Mac0,
COSE_Encrypt0 and COSE_Key.

Theory of operation
-------------------
``headers`` holds the labels, the algorithm table and the header-bucket rules of
RFC 9052 §3, and builds the structures that get protected (Sig_structure,
MAC_structure, Enc_structure); EDHOC uses ``enc_structure`` directly.  ``messages``
encodes, decodes, signs, MACs, encrypts and verifies the three single-recipient
messages; ``key`` converts COSE_Key maps to and from our ``PublicKey`` values.

Messages are parsed with the strict CBOR decoder in the form RFC 9052 §9 asks for
(definite lengths, shortest arguments, no duplicate labels; map key order is not
enforced).  Messages we produce are deterministically encoded.

Algorithms: EdDSA (-8, Ed25519 and Ed448 keys), ES256 (-7, P-256 only), ES384 (-35,
P-384 only), HMAC 256/64, 256/256, 384/384, 512/512 (4-7), A128GCM (1), A256GCM (3),
AES-CCM-16-64-128 (10), AES-CCM-16-128-128 (30), ChaCha20/Poly1305 (24).  ECDSA
signatures are raw ``r || s`` (RFC 9053 §2.1).
"""

from __future__ import annotations

from .headers import CoseAlgorithm, Header, HeaderMap, Label, enc_structure, mac_structure, sig_structure
from .key import CoseKey, Curve, KeyParam, Kty
from .messages import (
    Encrypt0Message,
    Mac0Message,
    Sign1Message,
    decode_encrypt0,
    decode_mac0,
    decode_sign1,
    decrypt0,
    encrypt0,
    mac0,
    partial_iv_nonce,
    sign1,
    verify_mac0,
    verify_sign1,
)

__all__ = [
    "CoseAlgorithm",
    "CoseKey",
    "Curve",
    "Encrypt0Message",
    "Header",
    "HeaderMap",
    "KeyParam",
    "Kty",
    "Label",
    "Mac0Message",
    "Sign1Message",
    "decode_encrypt0",
    "decode_mac0",
    "decode_sign1",
    "decrypt0",
    "enc_structure",
    "encrypt0",
    "mac0",
    "mac_structure",
    "partial_iv_nonce",
    "sig_structure",
    "sign1",
    "verify_mac0",
    "verify_sign1",
]
