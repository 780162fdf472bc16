"""The TLS 1.3 key schedule (RFC 8446 §7.1-§7.5) and the handshake transcript (§4.4.1).

Theory of operation::

             0 (or PSK)
             |
   0 -> HKDF-Extract = Early Secret
             |
       Derive-Secret(., "derived", "")
             |
   (EC)DHE -> HKDF-Extract = Handshake Secret --> "c hs traffic", "s hs traffic"
             |                                     (transcript ClientHello..ServerHello)
       Derive-Secret(., "derived", "")
             |
   0 -> HKDF-Extract = Master Secret --> "c ap traffic", "s ap traffic", "exp master"
                                         (transcript ClientHello..server Finished)
                                     --> "res master" (..client Finished; unused here)

``KeySchedule`` walks that ladder once, in order; each step takes the transcript hash
it needs.  ``Transcript`` is the running hash of the handshake messages: it buffers
messages until the cipher suite (and therefore the hash) is known, and replaces
ClientHello1 with the synthetic message_hash after a HelloRetryRequest.  Everything
goes through the ``CryptoProvider`` (hash_context, hmac, hkdf_extract, hkdf_expand).

The same primitives serve Exported Authenticators (RFC 9261): ``Exporter`` is the
TLS-Exporter of §7.5 over ``exporter_master_secret``; ``Transcript.digest`` gives the
transcript hash at any point; ``KeySchedule.hash_algorithm`` the negotiated hash.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ratscore.crypto.types import CryptoProvider, HashAlgorithm, HashContext
from ratscore.errors import EncodeError, LocalProtocolError

from .enums import CipherSuite, HandshakeType, Role
from .messages import encode_message_hash

__all__ = [
    "ApplicationSecrets",
    "Exporter",
    "HandshakeSecrets",
    "KeySchedule",
    "TrafficKeys",
    "Transcript",
    "certificate_verify_content",
    "derive_secret",
    "encode_hkdf_label",
    "finished_key",
    "finished_verify_data",
    "hkdf_expand_label",
    "next_traffic_secret",
    "tls_exporter",
    "traffic_key_and_iv",
    "traffic_keys",
]


def encode_hkdf_label(label: bytes, context: bytes, length: int) -> bytes:
    """RFC 8446 §7.1 ``HkdfLabel``: uint16 length || opaque label<7..255> = "tls13 " + Label ||
    opaque context<0..255>."""
    if len(context) > 255:
        raise EncodeError("HKDF-Expand-Label label, context or length out of range")
    return _hkdf_label_prefix(label, length) + bytes((len(context),)) + context


@functools.lru_cache(maxsize=128)
def _hkdf_label_prefix(label: bytes, length: int) -> bytes:
    full_label = b"tls13 " + label
    if len(full_label) > 255 or not 0 <= length < 1 << 16:
        raise EncodeError("HKDF-Expand-Label label, context or length out of range")
    return length.to_bytes(2, "big") + bytes([len(full_label)]) + full_label


@functools.lru_cache(maxsize=128)
def _hash_context_label_prefix(label: bytes, hash_length: int) -> bytes:
    """``HkdfLabel`` up to its context, for a context of ``hash_length`` bytes (a transcript
    hash) and an output of the same length: Derive-Secret's label, encoded once."""
    return _hkdf_label_prefix(label, hash_length) + bytes((hash_length,))


def hkdf_expand_label(
    crypto: CryptoProvider, hash_algorithm: HashAlgorithm, secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    """RFC 8446 §7.1: HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length)."""
    if len(context) > 255:
        raise EncodeError("HKDF-Expand-Label label, context or length out of range")
    info = _hkdf_label_prefix(label, length) + bytes((len(context),)) + context  # encode_hkdf_label
    digest_size = hash_algorithm.digest_size
    if length <= digest_size and len(secret) >= digest_size:
        # RFC 5869 §2.3: for L <= HashLen the output is T(1) = HMAC-Hash(PRK, info | 0x01), truncated
        # (every TLS 1.3 label but long exporter outputs): one provider HMAC instead of the loop.
        output = crypto.hmac(hash_algorithm, secret, info + b"\x01")
        return output if length == digest_size else output[:length]
    return crypto.hkdf_expand(hash_algorithm, secret, info, length)


def derive_secret(
    crypto: CryptoProvider, hash_algorithm: HashAlgorithm, secret: bytes, label: bytes, transcript_hash: bytes
) -> bytes:
    """RFC 8446 §7.1: Derive-Secret(Secret, Label, Messages) =
    HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length).
    Takes the transcript hash itself, not the messages."""
    return hkdf_expand_label(crypto, hash_algorithm, secret, label, transcript_hash, hash_algorithm.digest_size)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrafficKeys:
    """RFC 8446 §7.3 write key and IV for one direction and epoch."""

    key: bytes
    iv: bytes

    def __repr__(self) -> str:
        return "TrafficKeys(<secret>)"


def traffic_keys(crypto: CryptoProvider, suite: CipherSuite, traffic_secret: bytes) -> TrafficKeys:
    """RFC 8446 §7.3: key = HKDF-Expand-Label(Secret, "key", "", key_length),
    iv = HKDF-Expand-Label(Secret, "iv", "", iv_length)."""
    key, iv = traffic_key_and_iv(crypto, suite, traffic_secret)
    return TrafficKeys(key=key, iv=iv)


# Per suite: (hash, HkdfLabel("key", "", key_length) || 0x01, key_length, HkdfLabel("iv", ...) ||
# 0x01, iv_length).  Both lengths are below Hash.length, so each output is the single block
# T(1) = HMAC(Secret, HkdfLabel || 0x01) of RFC 5869 §2.3, truncated.
_TRAFFIC_KEY_INFO: dict[CipherSuite, tuple[HashAlgorithm, bytes, int, bytes, int]] = {}


def traffic_key_and_iv(crypto: CryptoProvider, suite: CipherSuite, traffic_secret: bytes) -> tuple[bytes, bytes]:
    """``traffic_keys`` as a (key, iv) pair, with the labels encoded once per suite."""
    info = _TRAFFIC_KEY_INFO.get(suite)
    if info is None:
        key_length, iv_length = suite.key_length, suite.iv_length
        info = _TRAFFIC_KEY_INFO[suite] = (
            suite.hash_algorithm,
            encode_hkdf_label(b"key", b"", key_length) + b"\x01",
            key_length,
            encode_hkdf_label(b"iv", b"", iv_length) + b"\x01",
            iv_length,
        )
    hash_algorithm, key_info, key_length, iv_info, iv_length = info
    if len(traffic_secret) < hash_algorithm.digest_size:  # not a secret of this schedule: the generic path
        return (
            hkdf_expand_label(crypto, hash_algorithm, traffic_secret, b"key", b"", key_length),
            hkdf_expand_label(crypto, hash_algorithm, traffic_secret, b"iv", b"", iv_length),
        )
    hmac = crypto.hmac
    return (
        hmac(hash_algorithm, traffic_secret, key_info)[:key_length],
        hmac(hash_algorithm, traffic_secret, iv_info)[:iv_length],
    )


def next_traffic_secret(crypto: CryptoProvider, hash_algorithm: HashAlgorithm, traffic_secret: bytes) -> bytes:
    """RFC 8446 §7.2: application_traffic_secret_N+1 =
    HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)."""
    return hkdf_expand_label(crypto, hash_algorithm, traffic_secret, b"traffic upd", b"", hash_algorithm.digest_size)


def finished_key(crypto: CryptoProvider, hash_algorithm: HashAlgorithm, base_key: bytes) -> bytes:
    """RFC 8446 §4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length).
    BaseKey is the sender's handshake traffic secret (or, post-handshake, application secret)."""
    return hkdf_expand_label(crypto, hash_algorithm, base_key, b"finished", b"", hash_algorithm.digest_size)


def finished_verify_data(
    crypto: CryptoProvider, hash_algorithm: HashAlgorithm, base_key: bytes, transcript_hash: bytes
) -> bytes:
    """RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
    Certificate*, CertificateVerify*)).  Compare with ``hmac.compare_digest``."""
    return crypto.hmac(hash_algorithm, finished_key(crypto, hash_algorithm, base_key), transcript_hash)


# RFC 8446 §4.4.3: 64 x 0x20 || context string || 0x00, by the role of the signer.
_CERTIFICATE_VERIFY_PREFIX = {
    Role.SERVER: b"\x20" * 64 + b"TLS 1.3, server CertificateVerify" + b"\x00",
    Role.CLIENT: b"\x20" * 64 + b"TLS 1.3, client CertificateVerify" + b"\x00",
}


def certificate_verify_content(signer: Role, transcript_hash: bytes) -> bytes:
    """RFC 8446 §4.4.3: the signed content: 64 x 0x20 || context string || 0x00 || Transcript-Hash.
    ``signer`` is the role of the endpoint that signs (the sender of the CertificateVerify)."""
    return _CERTIFICATE_VERIFY_PREFIX[signer] + transcript_hash


def tls_exporter(
    crypto: CryptoProvider,
    hash_algorithm: HashAlgorithm,
    exporter_master_secret: bytes,
    label: bytes,
    context: bytes,
    length: int,
) -> bytes:
    """RFC 8446 §7.5: TLS-Exporter(label, context_value, key_length) =
    HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length).
    No context and an empty context give the same output in TLS 1.3."""
    empty_hash = crypto.hash(hash_algorithm, b"")
    secret = derive_secret(crypto, hash_algorithm, exporter_master_secret, label, empty_hash)
    return hkdf_expand_label(crypto, hash_algorithm, secret, b"exporter", crypto.hash(hash_algorithm, context), length)


class Exporter:
    """TLS-Exporter bound to one connection's exporter_master_secret (RFC 8446 §7.5).
    This is what RFC 9261 Exported Authenticators and attestation binders call."""

    __slots__ = ("_crypto", "_secret", "hash_algorithm")

    def __init__(self, crypto: CryptoProvider, hash_algorithm: HashAlgorithm, exporter_master_secret: bytes) -> None:
        self._crypto = crypto
        self._secret = exporter_master_secret
        self.hash_algorithm = hash_algorithm

    def export(self, label: bytes, context: bytes = b"", length: int | None = None) -> bytes:
        """Export ``length`` bytes (default Hash.length) for ``label`` and ``context``."""
        if length is None:
            length = self.hash_algorithm.digest_size
        if not 0 < length <= 255 * self.hash_algorithm.digest_size:
            raise LocalProtocolError("exporter length out of range for HKDF-Expand")
        return tls_exporter(self._crypto, self.hash_algorithm, self._secret, label, context, length)

    def __repr__(self) -> str:
        return f"Exporter({self.hash_algorithm.name}, <secret>)"


# The message types after which the handshake needs the Transcript-Hash (key derivation,
# CertificateVerify, Finished; RFC 8446 §4.4.1, §7.1) and records it for RFC 9261; after the
# others (ClientHello, EncryptedExtensions, CertificateRequest) the hash is only updated.
# Keyed by code point: a dict lookup instead of the (much slower) enum call.
RECORDED_TRANSCRIPT_TYPES: dict[int, HandshakeType] = {
    member.value: member
    for member in (
        HandshakeType.SERVER_HELLO,
        HandshakeType.CERTIFICATE,
        HandshakeType.CERTIFICATE_VERIFY,
        HandshakeType.FINISHED,
    )
}


class Transcript:
    """The running Transcript-Hash of RFC 8446 §4.4.1.

    Feed each handshake message's raw encoding (header included) with ``add`` (alias
    ``update``), which also records the hash after the ``RECORDED_TRANSCRIPT_TYPES`` in
    ``recorded``.  Until
    ``set_hash_algorithm`` is called the messages are buffered (a client does not know the
    hash before ServerHello).  After a HelloRetryRequest, call
    ``replace_client_hello_with_message_hash`` *before* adding the HRR: the transcript then
    restarts as message_hash(Hash(ClientHello1)).
    """

    def __init__(self, crypto: CryptoProvider) -> None:
        self._crypto = crypto
        self._buffered: list[bytes] | None = []
        self._context: HashContext | None = None
        self._message_count = 0
        # The digest of the messages so far, kept until the next update: a handshake reads the
        # same Transcript-Hash several times (key derivation, CertificateVerify, Finished).
        self._digest: bytes | None = None
        # Transcript-Hash after each recorded message type (the last message of each type).
        self.recorded: dict[HandshakeType, bytes] = {}

    @property
    def hash_algorithm(self) -> HashAlgorithm | None:
        return None if self._context is None else self._context.algorithm

    def set_hash_algorithm(self, hash_algorithm: HashAlgorithm) -> None:
        if self._context is not None:
            if self._context.algorithm is not hash_algorithm:
                raise LocalProtocolError("the transcript hash is already fixed to another algorithm")
            return
        context = self._crypto.hash_context(hash_algorithm)
        for message in self._buffered or ():
            context.update(message)
        self._buffered = None
        self._context = context

    def add(self, raw_message: bytes) -> None:
        """Add one handshake message; after a message of a ``RECORDED_TRANSCRIPT_TYPES`` type
        (once the hash is known) also take the new Transcript-Hash and record it in ``recorded``."""
        self._message_count += 1
        context = self._context
        if context is None:
            assert self._buffered is not None
            self._buffered.append(raw_message)
            return
        context.update(raw_message)
        recorded_type = RECORDED_TRANSCRIPT_TYPES.get(raw_message[0])
        if recorded_type is None:
            self._digest = None
        else:
            self.recorded[recorded_type] = self._digest = context.digest()

    update = add  # the hash-object name for the same operation

    def digest(self) -> bytes:
        """Transcript-Hash of every message so far (the context is not finalised)."""
        digest = self._digest
        if digest is not None:
            return digest
        if self._context is None:
            raise LocalProtocolError("the transcript hash algorithm is not known yet")
        digest = self._digest = self._context.digest()
        return digest

    def replace_client_hello_with_message_hash(self) -> None:
        """RFC 8446 §4.4.1: "the value of ClientHello1 is replaced with a special synthetic
        handshake message of handshake type "message_hash" containing Hash(ClientHello1)"."""
        if self._message_count != 1:
            raise LocalProtocolError("message_hash replaces exactly one ClientHello")
        client_hello_hash = self.digest()
        assert self._context is not None
        context = self._crypto.hash_context(self._context.algorithm)
        context.update(encode_message_hash(client_hello_hash))
        self._context = context
        self._digest = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeSecrets:
    """RFC 8446 §7.1 handshake traffic secrets."""

    client_handshake_traffic_secret: bytes
    server_handshake_traffic_secret: bytes

    def __repr__(self) -> str:
        return "HandshakeSecrets(<secret>)"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationSecrets:
    """RFC 8446 §7.1 first application traffic secrets and the exporter master secret."""

    client_application_traffic_secret: bytes
    server_application_traffic_secret: bytes
    exporter_master_secret: bytes

    def __repr__(self) -> str:
        return "ApplicationSecrets(<secret>)"


_CONSTANTS: dict[HashAlgorithm, tuple[bytes, bytes, bytes]] = {}


def _constants(crypto: CryptoProvider, hash_algorithm: HashAlgorithm) -> tuple[bytes, bytes, bytes]:
    """Without a PSK the start of the ladder is the same for every connection (RFC 8446 §7.1):
    (Early Secret, Derive-Secret(Early Secret, "derived", ""), Hash("")), computed once per hash
    through the first provider that asks."""
    constants = _CONSTANTS.get(hash_algorithm)
    if constants is None:
        zeros = bytes(hash_algorithm.digest_size)
        # RFC 8446 §7.1: Early Secret = HKDF-Extract(salt 0, IKM = PSK or Hash.length zeros).
        early_secret = crypto.hkdf_extract(hash_algorithm, zeros, zeros)
        empty_hash = crypto.hash(hash_algorithm, b"")
        derived = derive_secret(crypto, hash_algorithm, early_secret, b"derived", empty_hash)
        constants = _CONSTANTS[hash_algorithm] = (early_secret, derived, empty_hash)
    return constants


class KeySchedule:
    """One connection's secret ladder (RFC 8446 §7.1).  Steps run once, in order:
    ``derive_handshake_secrets`` then ``derive_application_secrets``.  No PSK: attested
    connections never resume, so the early secret always extracts from zeros."""

    def __init__(self, crypto: CryptoProvider, suite: CipherSuite) -> None:
        self._crypto = crypto
        self.suite = suite
        self.hash_algorithm = suite.hash_algorithm
        self.hash_length = self.hash_algorithm.digest_size
        self.early_secret, self._derived_from_early, self._empty_hash = _constants(crypto, self.hash_algorithm)
        self.handshake_secret: bytes | None = None
        self.master_secret: bytes | None = None

    def __repr__(self) -> str:
        return f"KeySchedule({self.suite.name}, <secrets>)"

    def _derived(self, secret: bytes) -> bytes:
        # RFC 8446 §7.1: Derive-Secret(., "derived", "") between the extract steps.
        if secret is self.early_secret:
            return self._derived_from_early
        return self.derive_secret(secret, b"derived", self._empty_hash)

    def derive_secret(self, secret: bytes, label: bytes, transcript_hash: bytes) -> bytes:
        """``derive_secret`` for this schedule's own secrets (Hash.length bytes each), whose output
        is the single HKDF-Expand block T(1) = HMAC(Secret, HkdfLabel || 0x01) (RFC 5869 §2.3)."""
        hash_length = self.hash_length
        if len(secret) != hash_length or len(transcript_hash) != hash_length:
            return derive_secret(self._crypto, self.hash_algorithm, secret, label, transcript_hash)
        # HkdfLabel = length || "tls13 " + label || context (a Hash.length transcript hash).
        info = _hash_context_label_prefix(label, hash_length) + transcript_hash + b"\x01"
        return self._crypto.hmac(self.hash_algorithm, secret, info)

    def derive_handshake_secrets(self, shared_secret: bytes, transcript_hash: bytes) -> HandshakeSecrets:
        """``shared_secret``: the (EC)DHE output; ``transcript_hash``: ClientHello..ServerHello."""
        if self.handshake_secret is not None:
            raise LocalProtocolError("handshake secrets already derived")
        # RFC 8446 §7.1: Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), (EC)DHE).
        self.handshake_secret = self._crypto.hkdf_extract(
            self.hash_algorithm, self._derived(self.early_secret), shared_secret
        )
        return HandshakeSecrets(
            client_handshake_traffic_secret=self.derive_secret(self.handshake_secret, b"c hs traffic", transcript_hash),
            server_handshake_traffic_secret=self.derive_secret(self.handshake_secret, b"s hs traffic", transcript_hash),
        )

    def derive_application_secrets(self, transcript_hash: bytes) -> ApplicationSecrets:
        """``transcript_hash``: ClientHello..server Finished."""
        if self.handshake_secret is None or self.master_secret is not None:
            raise LocalProtocolError("application secrets derived out of order")
        # RFC 8446 §7.1: Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0).
        self.master_secret = self._crypto.hkdf_extract(
            self.hash_algorithm, self._derived(self.handshake_secret), bytes(self.hash_length)
        )
        return ApplicationSecrets(
            client_application_traffic_secret=self.derive_secret(self.master_secret, b"c ap traffic", transcript_hash),
            server_application_traffic_secret=self.derive_secret(self.master_secret, b"s ap traffic", transcript_hash),
            exporter_master_secret=self.derive_secret(self.master_secret, b"exp master", transcript_hash),
        )

    def derive_resumption_master_secret(self, transcript_hash: bytes) -> bytes:
        """RFC 8446 §7.1 "res master" over ClientHello..client Finished (for completeness; unused)."""
        if self.master_secret is None:
            raise LocalProtocolError("resumption master secret needs the master secret")
        return self.derive_secret(self.master_secret, b"res master", transcript_hash)

    def traffic_keys(self, traffic_secret: bytes) -> TrafficKeys:
        return traffic_keys(self._crypto, self.suite, traffic_secret)

    def finished_verify_data(self, base_key: bytes, transcript_hash: bytes) -> bytes:
        if len(base_key) != self.hash_length:
            return finished_verify_data(self._crypto, self.hash_algorithm, base_key, transcript_hash)
        # RFC 8446 §4.4.4 with the finished_key expansion as one HMAC block (RFC 5869 §2.3).
        hmac, hash_algorithm = self._crypto.hmac, self.hash_algorithm
        key = hmac(hash_algorithm, base_key, _hkdf_label_prefix(b"finished", self.hash_length) + b"\x00\x01")
        return hmac(hash_algorithm, key, transcript_hash)

    def next_traffic_secret(self, traffic_secret: bytes) -> bytes:
        return next_traffic_secret(self._crypto, self.hash_algorithm, traffic_secret)

    def exporter(self, exporter_master_secret: bytes) -> Exporter:
        return Exporter(self._crypto, self.hash_algorithm, exporter_master_secret)
