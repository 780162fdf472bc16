"""Authentication credentials and their identifiers (RFC 9528 §3.5).

Theory of operation
-------------------
``Credential`` is CRED_x: the exact bytes that enter MACs and transcript hashes
(§3.5.2) together with the public authentication key taken from them.  Four kinds:

* CCS (CWT Claims Set): the untagged claims map, key in claim 8 'cnf' {1: COSE_Key};
* CWT: the untagged CWT (a COSE_Sign1 or COSE_Mac0 array, RFC 8392 §7) whose
  payload is such a claims set; the CWT's own signature or MAC is checked by the
  resolver against the issuer it trusts, never here (§3.5.2, RFC 8747 §3.1);
* X.509: CRED_x is the DER certificate wrapped in a CBOR bstr (RFC 9360); only the
  leaf's SubjectPublicKeyInfo is read here, path validation is the resolver's job;
* a naked public key, dressed as a CCS (§3.5.2).

``IdCred`` is ID_CRED_x, a COSE header map (§3.5.3), kept as its exact encoding
(the form that enters context_x and the COSE protected header) plus its decoded
parameters.  A lone 'kid' is sent compactly inside PLAINTEXT_2/3 (§3.5.3.2).
Credentials by value (kccs 14, kcwt 13, x5chain 33) can be turned into a candidate
``Credential``; whether to trust it is always the application's decision.  An
x5bag (32, RFC 9360 §2) is an unordered bag of certificates that helps the peer
build a path; it does not say which certificate is the end entity, so it goes
together with x5t or kid, and ``bag_certificate`` picks the certificate the x5t
names.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from ratscore import cbor
from ratscore.cbor import CborItem
from ratscore.cose import CoseKey
from ratscore.crypto import CryptoProvider, HashAlgorithm, PrivateKey, PublicKey, Signer
from ratscore.crypto import der as der_codec
from ratscore.crypto.encoding import public_key_from_spki
from ratscore.errors import CryptoError, DecodeError, EncodeError, UnsupportedAlgorithm

from .codec import encode_connection_id

__all__ = [
    "Credential",
    "CredentialKind",
    "CredentialResolver",
    "IdCred",
    "LocalCredential",
    "certificate_public_key",
]

KID: Final = 4
KCWT: Final = 13
KCCS: Final = 14
X5BAG: Final = 32
X5CHAIN: Final = 33
X5T: Final = 34
CCS_CNF: Final = 8
CNF_COSE_KEY: Final = 1

# COSE hash algorithms for x5t (RFC 9054 §2): id -> (hash, truncated length).
_X5T_HASHES: Final = {
    -15: (HashAlgorithm.SHA256, 8),  # SHA-256/64
    -16: (HashAlgorithm.SHA256, 32),
    -43: (HashAlgorithm.SHA384, 48),
    -44: (HashAlgorithm.SHA512, 64),
}


class CredentialKind(enum.Enum):
    CCS = "ccs"
    CWT = "cwt"
    X509 = "x509"


_COSE_SIGN1_ITEMS: Final = 4  # [protected, unprotected, payload, signature / tag] (RFC 9052 §4.2, §6.2)


def certificate_public_key(certificate: bytes) -> PublicKey:
    """The SubjectPublicKeyInfo of a DER certificate (RFC 5280 §4.1), unvalidated."""
    reader = der_codec.DerReader(certificate)
    body = reader.read_sequence()
    reader.finish()
    tbs = body.read_sequence()
    if tbs.peek_tag() == der_codec.context_tag(0):
        tbs.read_explicit(0)  # version
    for _ in range(5):  # serialNumber, signature, issuer, validity, subject
        tbs.read_element()
    _, _, spki = tbs.read_element()
    return public_key_from_spki(spki)


def _map_values_raw(encoded: bytes) -> dict[CborItem, bytes]:
    """The raw encoding of each value of a (valid) CBOR map, by key."""
    head = encoded[0]
    if head >> 5 != 5:
        raise DecodeError("not a CBOR map")
    info = head & 0x1F
    offset = 1
    if info < 24:
        count = info
    else:
        width = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
        if width is None:
            raise DecodeError("indefinite or reserved map length")
        count = int.from_bytes(encoded[1 : 1 + width], "big")
        offset += width
    values: dict[CborItem, bytes] = {}
    for _ in range(count):
        key, offset = cbor.decode_first(encoded, offset, require_sorted_keys=False)
        start = offset
        _, offset = cbor.decode_first(encoded, offset, require_sorted_keys=False)
        if isinstance(key, list | dict):
            raise DecodeError("unsupported header label")
        values[key] = encoded[start:offset]
    return values


@dataclass(frozen=True, slots=True, kw_only=True)
class Credential:
    """CRED_x and the authentication key it carries (see module doc)."""

    cred: bytes
    public_key: PublicKey
    kind: CredentialKind
    kid: bytes | None = None
    certificate: bytes | None = None

    @classmethod
    def from_ccs(cls, ccs: bytes, crypto: CryptoProvider) -> Credential:
        """A CCS credential; the key comes from claim 8 'cnf' (RFC 8747 §3.1)."""
        claims = cbor.decode(ccs, require_sorted_keys=False)
        if not isinstance(claims, dict):
            raise DecodeError("a CCS must be a CBOR map")
        confirmation = claims.get(CCS_CNF)
        if not isinstance(confirmation, dict) or CNF_COSE_KEY not in confirmation:
            raise DecodeError("the CCS has no 'cnf' claim with a COSE_Key")
        cose_key = CoseKey.from_map(confirmation[CNF_COSE_KEY])
        public_key = cose_key.public_key(crypto)
        return cls(cred=bytes(ccs), public_key=public_key, kind=CredentialKind.CCS, kid=cose_key.kid)

    @classmethod
    def from_cwt(cls, cwt: bytes, crypto: CryptoProvider) -> Credential:
        """A CWT credential (RFC 9528 §3.5.2: CRED_x is "the untagged CWT").

        The CWT is a COSE_Sign1 or COSE_Mac0 (four-item array, RFC 8392 §7.1) whose
        payload is a claims set with claim 8 'cnf' {1: COSE_Key} (RFC 8747 §3.1).  Its
        signature/tag is not verified here: the resolver checks it against the issuer."""
        message = cbor.decode(cwt, require_sorted_keys=False)
        if not isinstance(message, list) or len(message) != _COSE_SIGN1_ITEMS:
            raise DecodeError("a CWT credential must be an untagged COSE_Sign1 or COSE_Mac0")
        protected, unprotected, payload, _tag = message
        if not isinstance(protected, bytes) or not isinstance(unprotected, dict) or not isinstance(payload, bytes):
            raise DecodeError("malformed COSE structure in the CWT")
        claims = Credential.from_ccs(payload, crypto)  # the payload is the CWT Claims Set
        return cls(cred=bytes(cwt), public_key=claims.public_key, kind=CredentialKind.CWT, kid=claims.kid)

    @property
    def cwt_claims(self) -> bytes | None:
        """For a CWT credential, the encoded claims set (the COSE payload), else None."""
        if self.kind is not CredentialKind.CWT:
            return None
        message = cbor.decode(self.cred, require_sorted_keys=False)
        assert isinstance(message, list) and isinstance(message[2], bytes)
        return message[2]

    @classmethod
    def from_public_key(
        cls, public_key: PublicKey, *, kid: bytes | None = None, subject: str | None = None
    ) -> Credential:
        """A naked key dressed as a CCS {2: subject, 8: {1: COSE_Key}} (RFC 9528 §3.5.2)."""
        cose_key = CoseKey.from_public_key(public_key, kid=kid)
        claims: dict[int, object] = {CCS_CNF: {CNF_COSE_KEY: cose_key.to_map()}}
        if subject is not None:
            claims[2] = subject
        return cls(cred=cbor.encode(claims), public_key=public_key, kind=CredentialKind.CCS, kid=kid)

    @classmethod
    def from_x509(cls, certificate: bytes, crypto: CryptoProvider, *, kid: bytes | None = None) -> Credential:
        """An X.509 credential: CRED_x = bstr(DER) (RFC 9528 §3.5.2, RFC 9360)."""
        spki_key = certificate_public_key(certificate)
        public_key = crypto.load_public_key(spki_key.key_type, spki_key.data)
        return cls(
            cred=cbor.encode(bytes(certificate)),
            public_key=public_key,
            kind=CredentialKind.X509,
            kid=kid,
            certificate=bytes(certificate),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class IdCred:
    """ID_CRED_x: a COSE header map kept as its exact encoding (RFC 9528 §3.5.3)."""

    encoded: bytes
    parameters: Mapping[int, CborItem] = field(default_factory=dict)

    # -- construction ------------------------------------------------------------
    @classmethod
    def by_kid(cls, kid: bytes) -> IdCred:
        return cls(encoded=cbor.encode({KID: bytes(kid)}), parameters={KID: bytes(kid)})

    @classmethod
    def by_value_ccs(cls, credential: Credential) -> IdCred:
        """{14: CCS} with the CCS bytes kept exactly (RFC 9528 §3.5.3.1)."""
        if credential.kind is not CredentialKind.CCS:
            raise EncodeError("kccs carries CCS credentials only")
        return cls.decode(b"\xa1\x0e" + credential.cred)

    @classmethod
    def x5t(cls, credential: Credential, crypto: CryptoProvider, *, hash_algorithm: int = -15) -> IdCred:
        """{34: [alg, hash(DER)]} (RFC 9360 §2); default SHA-256/64 as RFC 9528 §9.3 recommends."""
        if credential.certificate is None:
            raise EncodeError("x5t identifies X.509 credentials only")
        algorithm, length = _X5T_HASHES[hash_algorithm]
        thumbprint = crypto.hash(algorithm, credential.certificate)[:length]
        return cls.decode(cbor.encode({X5T: [hash_algorithm, thumbprint]}))

    @classmethod
    def by_value_cwt(cls, credential: Credential) -> IdCred:
        """{13: CWT} with the CWT bytes kept exactly (RFC 9528 §3.5.3.1, §10.6)."""
        if credential.kind is not CredentialKind.CWT:
            raise EncodeError("kcwt carries CWT credentials only")
        return cls.decode(b"\xa1\x0d" + credential.cred)

    @classmethod
    def x5bag(
        cls, certificates: list[bytes], credential: Credential, crypto: CryptoProvider, *, hash_algorithm: int = -15
    ) -> IdCred:
        """{32: COSE_X509, 34: [alg, hash]}: a certificate bag (RFC 9360 §2) plus the x5t
        naming the end-entity certificate of ``credential`` among them."""
        if not certificates:
            raise EncodeError("x5bag needs at least one certificate")
        thumbprint = cls.x5t(credential, crypto, hash_algorithm=hash_algorithm).parameters[X5T]
        bag: CborItem = certificates[0] if len(certificates) == 1 else list(certificates)
        return cls.decode(cbor.encode({X5BAG: bag, X5T: thumbprint}))

    @classmethod
    def x5chain(cls, certificates: list[bytes]) -> IdCred:
        """{33: COSE_X509}, end-entity certificate first (RFC 9360 §2)."""
        if not certificates:
            raise EncodeError("x5chain needs at least one certificate")
        value: CborItem = certificates[0] if len(certificates) == 1 else list(certificates)
        return cls.decode(cbor.encode({X5CHAIN: value}))

    @classmethod
    def decode(cls, encoded: bytes) -> IdCred:
        item = cbor.decode(encoded, require_sorted_keys=False)
        if not isinstance(item, dict) or not item:
            raise DecodeError("ID_CRED must be a non-empty header map")
        return cls(encoded=bytes(encoded), parameters={k: v for k, v in item.items() if isinstance(k, int)})

    # -- views ----------------------------------------------------------------------
    @property
    def kid(self) -> bytes | None:
        value = self.parameters.get(KID)
        return value if isinstance(value, bytes) else None

    @property
    def is_lone_kid(self) -> bool:
        return len(self.parameters) == 1 and self.kid is not None

    @property
    def is_reference(self) -> bool:
        """True if the credential itself is not carried (kid, x5t, x5bag + x5t, ...)."""
        return not any(label in self.parameters for label in (KCCS, KCWT, X5CHAIN))

    @property
    def certificate_bag(self) -> tuple[bytes, ...]:
        """The certificates of an x5bag (RFC 9360 §2: bstr / [2* bstr]); empty if none.
        Raises ``DecodeError`` if the bag is malformed."""
        bag = self.parameters.get(X5BAG)
        if bag is None:
            return ()
        if isinstance(bag, bytes):
            return (bag,)
        if isinstance(bag, list) and len(bag) >= 2 and all(isinstance(item, bytes) for item in bag):
            return tuple(item for item in bag if isinstance(item, bytes))
        raise DecodeError("x5bag must be a bstr or an array of two or more bstr")

    def bag_certificate(self, crypto: CryptoProvider) -> Credential | None:
        """The certificate of the x5bag that the x5t names, as a candidate credential
        (untrusted: path validation is the resolver's job), or None."""
        thumbprint = self.parameters.get(X5T)
        if not isinstance(thumbprint, list) or len(thumbprint) != 2:
            return None
        algorithm_id, expected = thumbprint
        if not isinstance(algorithm_id, int) or algorithm_id not in _X5T_HASHES or not isinstance(expected, bytes):
            return None
        algorithm, length = _X5T_HASHES[algorithm_id]
        for certificate in self.certificate_bag:
            if hmac.compare_digest(crypto.hash(algorithm, certificate)[:length], expected):
                return Credential.from_x509(certificate, crypto)
        return None

    def plaintext_encoding(self) -> bytes:
        """The form in PLAINTEXT_2/3: a lone kid is compacted (RFC 9528 §3.5.3.2)."""
        kid = self.kid
        if kid is not None and len(self.parameters) == 1:
            return encode_connection_id(kid)
        return self.encoded

    def credential_by_value(self, crypto: CryptoProvider) -> Credential | None:
        """The candidate credential carried by value (kccs, kcwt, x5chain), or None.
        Raises ``DecodeError`` or ``CryptoError`` if it is malformed."""
        parameters = self.parameters
        if KCCS not in parameters and KCWT not in parameters and X5CHAIN not in parameters:
            return None
        raw_values = _map_values_raw(self.encoded)
        if KCCS in raw_values:
            return Credential.from_ccs(raw_values[KCCS], crypto)
        if KCWT in raw_values:
            return Credential.from_cwt(raw_values[KCWT], crypto)  # RFC 9528 §3.5.3.1
        chain = self.parameters.get(X5CHAIN)
        if isinstance(chain, list) and chain and all(isinstance(c, bytes) for c in chain):
            chain = chain[0]
        if isinstance(chain, bytes):
            return Credential.from_x509(chain, crypto)
        if X5CHAIN in self.parameters:
            raise DecodeError("x5chain must be a bstr or an array of bstr")
        return None

    def matches(self, credential: Credential, crypto: CryptoProvider) -> bool:
        """Whether ``credential`` is consistent with what this ID_CRED says."""
        parameters = self.parameters
        kid = parameters.get(KID)
        if isinstance(kid, bytes) and credential.kid is not None and not hmac.compare_digest(kid, credential.kid):
            return False
        if kid is not None and len(parameters) == 1:
            return True  # a lone kid: no thumbprint, nothing carried by value
        thumbprint = parameters.get(X5T)
        if thumbprint is not None:
            if credential.certificate is None or not isinstance(thumbprint, list) or len(thumbprint) != 2:
                return False
            algorithm_id, expected = thumbprint
            if not isinstance(algorithm_id, int) or algorithm_id not in _X5T_HASHES or not isinstance(expected, bytes):
                return False
            algorithm, length = _X5T_HASHES[algorithm_id]
            if not hmac.compare_digest(crypto.hash(algorithm, credential.certificate)[:length], expected):
                return False
        try:
            carried = self.credential_by_value(crypto)
        except (DecodeError, CryptoError, UnsupportedAlgorithm):
            return False
        return carried is None or carried.cred == credential.cred


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalCredential:
    """Our own authentication: CRED_x, how to identify it, and the private key
    (a signing ``Signer`` or, for static DH methods, a ``PrivateKey`` that can exchange)."""

    credential: Credential
    id_cred: IdCred
    private_key: PrivateKey | Signer


CredentialResolver = Callable[[IdCred], Credential | None]
"""Application hook: return the trusted credential for an ID_CRED, or None if unknown."""
