"""COSE_Sign1, COSE_Mac0 and COSE_Encrypt0 (RFC 9052 §4.2, §6.2, §5.2).

Producing: ``sign1``, ``mac0`` and ``encrypt0`` put ``alg`` in the protected
bucket, build the to-be-protected structure with the caller's external_aad, and
return the encoded message (tagged by default).  Signing goes through the ``Signer``
protocol, so a TPM or HSM key can sign.

Consuming: ``decode_*`` check the structure and the header rules and raise
``DecodeError``; ``verify_sign1``, ``verify_mac0`` and ``decrypt0`` then check the
algorithm against the key (RFC 9052 §7.1) and the cryptography.  Failures:
``InvalidSignature`` (signature or MAC, or an algorithm the key cannot verify),
``DecryptError`` (AEAD), ``UnsupportedAlgorithm`` (an alg we do not implement).
"""

from __future__ import annotations

import hmac
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

from ratscore import cbor
from ratscore.cbor import CborItem, Tag
from ratscore.crypto import CryptoProvider, resolve_provider
from ratscore.crypto.types import EcdsaEncoding, HashAlgorithm, KeyType, PublicKey, SignatureAlgorithm, Signer
from ratscore.errors import (
    CryptoError,
    DecodeError,
    DecryptError,
    EncodeError,
    InvalidKey,
    InvalidSignature,
    LocalProtocolError,
    UnsupportedAlgorithm,
)

from .headers import (
    AEAD_ALGORITHMS,
    MAC_ALGORITHMS,
    SIGNATURE_ALGORITHMS,
    SIGNING,
    CoseAlgorithm,
    Header,
    HeaderMap,
    Label,
    check_headers,
    decode_message_cbor,
    decode_protected,
    enc_structure,
    encode_protected,
    lookup_algorithm,
    mac_structure,
    sig_structure,
)
from .key import CoseKey, Kty

__all__ = [
    "Encrypt0Message",
    "Mac0Message",
    "Sign1Message",
    "decode_encrypt0",
    "decode_mac0",
    "decode_sign1",
    "decrypt0",
    "encrypt0",
    "mac0",
    "partial_iv_nonce",
    "sign1",
    "verify_mac0",
    "verify_sign1",
]

# RFC 9052 §2, table 1: CBOR tags of the single-recipient messages.
SIGN1_TAG: Final = 18
MAC0_TAG: Final = 17
ENCRYPT0_TAG: Final = 16

_ALWAYS_UNDERSTOOD: Final = frozenset({Header.ALG})
_ENCRYPT0_UNDERSTOOD: Final = frozenset({Header.ALG, Header.IV, Header.PARTIAL_IV})


@dataclass(frozen=True, slots=True, kw_only=True)
class _Layer:
    protected: HeaderMap
    unprotected: HeaderMap
    protected_bytes: bytes
    """The protected bucket exactly as received: what signatures and MACs cover."""

    def header(self, label: Label, default: CborItem = None) -> CborItem:
        """A header parameter, from the protected bucket first (RFC 9052 §3)."""
        if label in self.protected:
            return self.protected[label]
        return self.unprotected.get(label, default)

    @property
    def algorithm(self) -> CoseAlgorithm:
        """The ``alg`` parameter.  ``DecodeError`` if absent, ``UnsupportedAlgorithm``
        if it is not one we implement."""
        value = self.header(Header.ALG)
        if value is None:
            raise DecodeError("the alg header parameter is missing")
        return lookup_algorithm(value)

    @property
    def kid(self) -> bytes | None:
        value = self.header(Header.KID)
        return value if isinstance(value, bytes) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Sign1Message(_Layer):
    """A decoded COSE_Sign1.  ``payload`` is None when it is detached."""

    payload: bytes | None
    signature: bytes

    def encode(self, *, tagged: bool = True) -> bytes:
        body = [self.protected_bytes, dict(self.unprotected), self.payload, self.signature]
        return cbor.encode(Tag(SIGN1_TAG, body) if tagged else body)


@dataclass(frozen=True, slots=True, kw_only=True)
class Mac0Message(_Layer):
    """A decoded COSE_Mac0.  ``payload`` is None when it is detached."""

    payload: bytes | None
    tag: bytes

    def encode(self, *, tagged: bool = True) -> bytes:
        body = [self.protected_bytes, dict(self.unprotected), self.payload, self.tag]
        return cbor.encode(Tag(MAC0_TAG, body) if tagged else body)


@dataclass(frozen=True, slots=True, kw_only=True)
class Encrypt0Message(_Layer):
    """A COSE_Encrypt0; ``plaintext`` is filled in by ``decrypt0`` only."""

    ciphertext: bytes | None
    plaintext: bytes | None = None

    def __repr__(self) -> str:  # keep decrypted content out of logs
        return f"Encrypt0Message(protected={self.protected!r}, unprotected={self.unprotected!r}, ...)"

    def encode(self, *, tagged: bool = True) -> bytes:
        body = [self.protected_bytes, dict(self.unprotected), self.ciphertext]
        return cbor.encode(Tag(ENCRYPT0_TAG, body) if tagged else body)


# ---------------------------------------------------------------------------
# Shared plumbing
# ---------------------------------------------------------------------------


def _decode_layer(
    data: bytes,
    *,
    name: str,
    tag_number: int,
    field_count: int,
    tagged: bool | None,
    understood_critical: Collection[Label],
) -> tuple[dict[Label, CborItem], dict[Label, CborItem], bytes, list[CborItem]]:
    item = decode_message_cbor(data)
    if isinstance(item, Tag):
        if item.tag != tag_number:
            raise DecodeError(f"expected {name} (tag {tag_number}), found tag {item.tag}")
        if tagged is False:
            raise DecodeError(f"{name} must be untagged here")
        body = item.value
    elif tagged:
        raise DecodeError(f"{name} tag {tag_number} is missing")
    else:
        body = item
    # RFC 9052 §4.2 / §5.2 / §6.2: [protected, unprotected, ...]
    if not isinstance(body, list) or len(body) != field_count:
        raise DecodeError(f"{name} must be an array of {field_count} elements")
    protected_bytes, unprotected = body[0], body[1]
    if type(protected_bytes) is not bytes:
        raise DecodeError(f"{name} protected header must be a byte string")
    protected = decode_protected(protected_bytes)
    if not isinstance(unprotected, dict):
        raise DecodeError(f"{name} unprotected header must be a map")
    check_headers(protected, unprotected, understood_critical=understood_critical, error=DecodeError)
    return protected, unprotected, protected_bytes, body


def _byte_field(value: CborItem, name: str, *, nil_allowed: bool) -> bytes | None:
    if type(value) is bytes or (value is None and nil_allowed):
        return value
    raise DecodeError(f"{name} must be a byte string{' or nil' if nil_allowed else ''}")


def _prepare_headers(
    alg: CoseAlgorithm,
    protected: Mapping[Label, CborItem] | None,
    unprotected: Mapping[Label, CborItem] | None,
    understood_critical: Collection[Label],
) -> tuple[dict[Label, CborItem], bytes]:
    """Put ``alg`` in the protected bucket (or check the caller's copy), apply the
    header rules, and return the unprotected map and the protected bytes."""
    protected_map = dict(protected or {})
    unprotected_map = dict(unprotected or {})
    bucket = unprotected_map if Header.ALG in unprotected_map else protected_map
    existing = bucket.get(Header.ALG, int(alg))
    if existing != int(alg) or type(existing) is bool:
        raise EncodeError(f"the alg header parameter {existing!r} contradicts alg={alg.name}")
    bucket[Header.ALG] = int(alg)
    check_headers(protected_map, unprotected_map, understood_critical=understood_critical, error=EncodeError)
    return unprotected_map, encode_protected(protected_map)


def _encode_layer(tag_number: int, tagged: bool, body: list[object]) -> bytes:
    return cbor.encode(Tag(tag_number, body) if tagged else body)


def _as_algorithm(alg: CoseAlgorithm | int) -> CoseAlgorithm:
    return lookup_algorithm(int(alg))


def _check_expected(alg: CoseAlgorithm, expected: CoseAlgorithm | None, error: type[CryptoError]) -> None:
    if expected is not None and alg != expected:
        raise error(f"message uses {alg.name}, expected {CoseAlgorithm(expected).name}")


def _check_key_restriction(key: CoseKey, alg: CoseAlgorithm, error: type[CryptoError]) -> None:
    # RFC 9052 §7.1: "If the algorithms do not match, then this key object MUST NOT
    # be used to perform the cryptographic operation."
    if key.alg is not None and key.alg != int(alg):
        raise error(f"the key is restricted to alg {key.alg!r}, the message uses {alg.name}")


def _resolve_payload(payload: bytes | None, detached_payload: bytes | None) -> bytes:
    if payload is None:
        if detached_payload is None:
            raise DecodeError("the payload is detached (nil) but no detached_payload was given")
        return detached_payload
    if detached_payload is not None:
        raise DecodeError("a detached payload was expected but the message carries one")
    return payload


def _symmetric_key(key: bytes | CoseKey, alg: CoseAlgorithm, error: type[CryptoError]) -> bytes:
    if isinstance(key, CoseKey):
        if key.kty is not Kty.SYMMETRIC or key.k is None:
            raise error(f"{alg.name} needs a symmetric key")
        _check_key_restriction(key, alg, error)
        return key.k
    return bytes(key)


# ---------------------------------------------------------------------------
# COSE_Sign1 (RFC 9052 §4.2, §4.4)
# ---------------------------------------------------------------------------


def sign1(
    payload: bytes,
    signer: Signer,
    alg: CoseAlgorithm,
    *,
    protected: Mapping[Label, CborItem] | None = None,
    unprotected: Mapping[Label, CborItem] | None = None,
    external_aad: bytes = b"",
    detached: bool = False,
    tagged: bool = True,
) -> bytes:
    """Sign ``payload`` into a COSE_Sign1 (tag 18 unless ``tagged=False``).

    ``alg`` goes into the protected bucket.  ``detached=True`` sends nil in place
    of the payload (RFC 9052 §2).  Raises ``InvalidKey`` when the signer's key type
    does not fit ``alg``, ``EncodeError`` for header mistakes.
    """
    alg = _as_algorithm(alg)
    signature_algorithm = _signature_algorithm(alg, signer.key_type, InvalidKey)
    unprotected_map, protected_bytes = _prepare_headers(alg, protected, unprotected, _ALWAYS_UNDERSTOOD)
    to_be_signed = sig_structure(protected_bytes, external_aad, payload)
    signature = signer.sign(to_be_signed, signature_algorithm, encoding=EcdsaEncoding.RAW)
    return _encode_layer(
        SIGN1_TAG, tagged, [protected_bytes, unprotected_map, None if detached else payload, signature]
    )


def _signature_algorithm(alg: CoseAlgorithm, key_type: KeyType, error: type[CryptoError]) -> SignatureAlgorithm:
    found = SIGNATURE_ALGORITHMS.get((alg, key_type))
    if found is not None:
        return found
    if alg not in SIGNING:
        raise UnsupportedAlgorithm(f"{alg.name} is not a signature algorithm")
    # RFC 9052 §7.1: "Implementations MUST verify that the key type is appropriate
    # for the algorithm being processed."
    raise error(f"a {key_type.label} key cannot be used with {alg.name}")


def decode_sign1(
    data: bytes, *, tagged: bool | None = None, understood_critical: Collection[Label] = ()
) -> Sign1Message:
    """Decode a COSE_Sign1 without verifying it.

    ``tagged``: None accepts both forms, True requires tag 18, False forbids it.
    ``understood_critical`` lists crit labels the caller processes (alg is always
    understood); any other critical label is rejected (RFC 9052 §3.1).
    """
    protected, unprotected, protected_bytes, body = _decode_layer(
        data,
        name="COSE_Sign1",
        tag_number=SIGN1_TAG,
        field_count=4,
        tagged=tagged,
        understood_critical=_ALWAYS_UNDERSTOOD | frozenset(understood_critical),
    )
    return Sign1Message(
        protected=protected,
        unprotected=unprotected,
        protected_bytes=protected_bytes,
        payload=_byte_field(body[2], "COSE_Sign1 payload", nil_allowed=True),
        signature=_byte_field(body[3], "COSE_Sign1 signature", nil_allowed=False),  # type: ignore[arg-type]
    )


def verify_sign1(
    data: bytes,
    public_key: PublicKey | CoseKey,
    *,
    external_aad: bytes = b"",
    detached_payload: bytes | None = None,
    expected_alg: CoseAlgorithm | None = None,
    tagged: bool | None = None,
    understood_critical: Collection[Label] = (),
    crypto: CryptoProvider | str | None = None,
) -> Sign1Message:
    """Decode and verify a COSE_Sign1; return it.

    Raises ``DecodeError`` (malformed), ``UnsupportedAlgorithm`` (alg unknown to us),
    ``InvalidSignature`` (bad signature, alg other than ``expected_alg``, or a key
    that does not fit the alg), ``InvalidPublicKey`` (the provider rejects the key).
    """
    message = decode_sign1(data, tagged=tagged, understood_critical=understood_critical)
    alg = message.algorithm
    _check_expected(alg, expected_alg, InvalidSignature)
    provider = resolve_provider(crypto)
    if isinstance(public_key, CoseKey):
        _check_key_restriction(public_key, alg, InvalidSignature)
        public_key = public_key.public_key(provider)
    signature_algorithm = _signature_algorithm(alg, public_key.key_type, InvalidSignature)
    payload = _resolve_payload(message.payload, detached_payload)
    to_be_signed = sig_structure(message.protected_bytes, external_aad, payload)
    provider.verify(public_key, message.signature, to_be_signed, signature_algorithm, encoding=EcdsaEncoding.RAW)
    return message


# ---------------------------------------------------------------------------
# COSE_Mac0 (RFC 9052 §6.2, §6.3)
# ---------------------------------------------------------------------------


def mac0(
    payload: bytes,
    key: bytes,
    alg: CoseAlgorithm,
    *,
    protected: Mapping[Label, CborItem] | None = None,
    unprotected: Mapping[Label, CborItem] | None = None,
    external_aad: bytes = b"",
    detached: bool = False,
    tagged: bool = True,
    crypto: CryptoProvider | str | None = None,
) -> bytes:
    """MAC ``payload`` into a COSE_Mac0 (tag 17 unless ``tagged=False``)."""
    alg = _as_algorithm(alg)
    hash_algorithm, tag_length = _mac_parameters(alg)
    if not key:
        raise InvalidKey("HMAC key is empty")
    unprotected_map, protected_bytes = _prepare_headers(alg, protected, unprotected, _ALWAYS_UNDERSTOOD)
    to_be_maced = mac_structure(protected_bytes, external_aad, payload)
    # RFC 9053 §3.1: the HMAC output truncated to the algorithm's tag length.
    tag = resolve_provider(crypto).hmac(hash_algorithm, key, to_be_maced)[:tag_length]
    return _encode_layer(MAC0_TAG, tagged, [protected_bytes, unprotected_map, None if detached else payload, tag])


def _mac_parameters(alg: CoseAlgorithm) -> tuple[HashAlgorithm, int]:
    parameters = MAC_ALGORITHMS.get(alg)
    if parameters is None:
        raise UnsupportedAlgorithm(f"{alg.name} is not a MAC algorithm")
    return parameters


def decode_mac0(data: bytes, *, tagged: bool | None = None, understood_critical: Collection[Label] = ()) -> Mac0Message:
    """Decode a COSE_Mac0 without checking its tag (see ``decode_sign1``)."""
    protected, unprotected, protected_bytes, body = _decode_layer(
        data,
        name="COSE_Mac0",
        tag_number=MAC0_TAG,
        field_count=4,
        tagged=tagged,
        understood_critical=_ALWAYS_UNDERSTOOD | frozenset(understood_critical),
    )
    return Mac0Message(
        protected=protected,
        unprotected=unprotected,
        protected_bytes=protected_bytes,
        payload=_byte_field(body[2], "COSE_Mac0 payload", nil_allowed=True),
        tag=_byte_field(body[3], "COSE_Mac0 tag", nil_allowed=False),  # type: ignore[arg-type]
    )


def verify_mac0(
    data: bytes,
    key: bytes | CoseKey,
    *,
    external_aad: bytes = b"",
    detached_payload: bytes | None = None,
    expected_alg: CoseAlgorithm | None = None,
    tagged: bool | None = None,
    understood_critical: Collection[Label] = (),
    crypto: CryptoProvider | str | None = None,
) -> Mac0Message:
    """Decode a COSE_Mac0 and check its tag; ``InvalidSignature`` if it is wrong."""
    message = decode_mac0(data, tagged=tagged, understood_critical=understood_critical)
    alg = message.algorithm
    _check_expected(alg, expected_alg, InvalidSignature)
    hash_algorithm, tag_length = _mac_parameters(alg)
    secret = _symmetric_key(key, alg, InvalidSignature)
    payload = _resolve_payload(message.payload, detached_payload)
    to_be_maced = mac_structure(message.protected_bytes, external_aad, payload)
    expected = resolve_provider(crypto).hmac(hash_algorithm, secret, to_be_maced)[:tag_length]
    if not hmac.compare_digest(expected, message.tag):
        raise InvalidSignature("MAC verification failed")
    return message


# ---------------------------------------------------------------------------
# COSE_Encrypt0 (RFC 9052 §5.2, §5.3)
# ---------------------------------------------------------------------------


def encrypt0(
    plaintext: bytes,
    key: bytes,
    alg: CoseAlgorithm,
    *,
    nonce: bytes | None = None,
    protected: Mapping[Label, CborItem] | None = None,
    unprotected: Mapping[Label, CborItem] | None = None,
    external_aad: bytes = b"",
    include_iv: bool = True,
    tagged: bool = True,
    crypto: CryptoProvider | str | None = None,
) -> bytes:
    """Encrypt ``plaintext`` into a COSE_Encrypt0 (tag 16 unless ``tagged=False``).

    ``nonce`` defaults to fresh random bytes from the provider.  With ``include_iv``
    it travels in the unprotected IV parameter; without it the recipient must know
    it (pass it to ``decrypt0``).  The caller guarantees a key/nonce pair is never
    reused (RFC 9053 §4.1.1).  Raises ``InvalidKey`` for a key of the wrong size.
    """
    alg = _as_algorithm(alg)
    aead_algorithm = AEAD_ALGORITHMS.get(alg)
    if aead_algorithm is None:
        raise UnsupportedAlgorithm(f"{alg.name} is not a content encryption algorithm")
    if len(key) != aead_algorithm.key_size:
        raise InvalidKey(f"{alg.name} needs a {aead_algorithm.key_size}-byte key, got {len(key)}")
    provider = resolve_provider(crypto)
    if nonce is None:
        nonce = provider.random_bytes(aead_algorithm.nonce_size)
    if len(nonce) != aead_algorithm.nonce_size:
        raise LocalProtocolError(f"{alg.name} needs a {aead_algorithm.nonce_size}-byte nonce, got {len(nonce)}")
    unprotected_map = dict(unprotected or {})
    if include_iv:
        if Header.IV in unprotected_map or (protected and Header.IV in protected):
            raise EncodeError("the IV header parameter is already set; pass include_iv=False")
        unprotected_map[Header.IV] = bytes(nonce)
    unprotected_map, protected_bytes = _prepare_headers(alg, protected, unprotected_map, _ENCRYPT0_UNDERSTOOD)
    associated_data = enc_structure(protected_bytes, external_aad)
    ciphertext = provider.aead(aead_algorithm, key).encrypt(nonce, plaintext, associated_data)
    return _encode_layer(ENCRYPT0_TAG, tagged, [protected_bytes, unprotected_map, ciphertext])


def decode_encrypt0(
    data: bytes, *, tagged: bool | None = None, understood_critical: Collection[Label] = ()
) -> Encrypt0Message:
    """Decode a COSE_Encrypt0 without decrypting it (see ``decode_sign1``)."""
    protected, unprotected, protected_bytes, body = _decode_layer(
        data,
        name="COSE_Encrypt0",
        tag_number=ENCRYPT0_TAG,
        field_count=3,
        tagged=tagged,
        understood_critical=_ENCRYPT0_UNDERSTOOD | frozenset(understood_critical),
    )
    return Encrypt0Message(
        protected=protected,
        unprotected=unprotected,
        protected_bytes=protected_bytes,
        ciphertext=_byte_field(body[2], "COSE_Encrypt0 ciphertext", nil_allowed=True),
    )


def decrypt0(
    data: bytes,
    key: bytes | CoseKey,
    *,
    external_aad: bytes = b"",
    nonce: bytes | None = None,
    context_iv: bytes | None = None,
    expected_alg: CoseAlgorithm | None = None,
    tagged: bool | None = None,
    understood_critical: Collection[Label] = (),
    crypto: CryptoProvider | str | None = None,
) -> Encrypt0Message:
    """Decode and decrypt a COSE_Encrypt0; the result carries ``plaintext``.

    The nonce is ``nonce`` if given, else the IV header parameter, else the Partial
    IV header parameter combined with ``context_iv`` (``partial_iv_nonce``).  Raises
    ``DecryptError`` when authentication fails or the key does not fit the alg.
    """
    message = decode_encrypt0(data, tagged=tagged, understood_critical=understood_critical)
    alg = message.algorithm
    _check_expected(alg, expected_alg, DecryptError)
    aead_algorithm = AEAD_ALGORITHMS.get(alg)
    if aead_algorithm is None:
        raise UnsupportedAlgorithm(f"{alg.name} is not a content encryption algorithm")
    secret = _symmetric_key(key, alg, DecryptError)
    if len(secret) != aead_algorithm.key_size:
        raise DecryptError(f"{alg.name} needs a {aead_algorithm.key_size}-byte key")
    if nonce is None:
        iv = message.header(Header.IV)
        partial_iv = message.header(Header.PARTIAL_IV)
        if isinstance(iv, bytes):
            nonce = iv
        elif isinstance(partial_iv, bytes) and context_iv is not None:
            nonce = partial_iv_nonce(context_iv, partial_iv, aead_algorithm.nonce_size)
        else:
            raise DecodeError("COSE_Encrypt0 has no IV (or Partial IV with a context IV) and no nonce was given")
    if len(nonce) != aead_algorithm.nonce_size:
        raise DecodeError(f"{alg.name} needs a {aead_algorithm.nonce_size}-byte IV, got {len(nonce)}")
    if message.ciphertext is None:
        raise DecodeError("COSE_Encrypt0 with a detached (nil) ciphertext is not supported")
    associated_data = enc_structure(message.protected_bytes, external_aad)
    plaintext = (
        resolve_provider(crypto).aead(aead_algorithm, secret).decrypt(nonce, message.ciphertext, associated_data)
    )
    return Encrypt0Message(
        protected=message.protected,
        unprotected=message.unprotected,
        protected_bytes=message.protected_bytes,
        ciphertext=message.ciphertext,
        plaintext=plaintext,
    )


def partial_iv_nonce(context_iv: bytes, partial_iv: bytes, nonce_size: int) -> bytes:
    """The nonce for a Partial IV (RFC 9052 §3.1): "Left-pad the Partial IV with zeros
    to the length of IV" and XOR it with the context IV.  A shorter context IV, such
    as a COSE_Key Base IV, is right-padded with zeros (RFC 9052 Appendix C.4.2)."""
    if len(partial_iv) > nonce_size or len(context_iv) > nonce_size:
        raise DecodeError(f"Partial IV or context IV longer than the {nonce_size}-byte nonce")
    padded_partial = int.from_bytes(partial_iv, "big")
    padded_context = int.from_bytes(context_iv.ljust(nonce_size, b"\0"), "big")
    return (padded_context ^ padded_partial).to_bytes(nonce_size, "big")
