"""The TLS 1.3 record layer (RFC 8446 §5), sans-I/O.

Theory of operation: bytes from the transport go into ``RecordLayer.receive_data``; the
caller then pulls one record at a time with ``next_record`` and may change keys between
pulls (the handshake installs a new read key right after the message that triggers it).
Pulling one at a time means a fatal error in record N never loses records before it.

Receiving a record:

1. ``RecordReader`` cuts ``type(1) || legacy_record_version(2) || length(2) || fragment``
   from the stream however it was split.  An unknown type is unexpected_message, a
   length above 2^14 + 256 is record_overflow (§5.1, §5.2).  The version is ignored (§5.1).
2. A change_cipher_spec record holding the single byte 0x01 is dropped while the
   handshake allows it; any other CCS is unexpected_message (§5).  This runs before
   deprotection, as the RFC says.
3. Without a read key the record must be handshake or alert and at most 2^14 bytes.
   With one it must be opaque_type application_data; it is opened with AEAD (failure:
   bad_record_mac, §5.2), the padding stripped (all zeros: unexpected_message, §5.4),
   the inner type checked, and the inner plaintext held to 2^14 + 1 bytes and to the
   RFC 8449 limit we advertised (record_overflow).
4. Zero-length handshake or alert content is unexpected_message (§5.1, §5.4).

Sending: ``send`` fragments data into records; once protected, each record's
TLSInnerPlaintext (content + type + padding) stays within 2^14 + 1 and the peer's
record_size_limit (RFC 8449 §4; unprotected records are not subject to it).
Padding comes from a ``PaddingPolicy``.  Nonce = iv XOR seq (§5.3); sequence numbers
restart at 0 with every key and never wrap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ratscore.crypto.types import Aead, CryptoProvider
from ratscore.errors import CryptoError, EncodeError, LocalProtocolError

from .alerts import BadRecordMac, RecordOverflow, UnexpectedMessage
from .enums import TLS12_VERSION, CipherSuite, ContentType
from .key_schedule import traffic_key_and_iv

__all__ = [
    "MAX_CIPHERTEXT_LENGTH",
    "MAX_INNER_PLAINTEXT_LENGTH",
    "MAX_PLAINTEXT_LENGTH",
    "RECORD_HEADER_LENGTH",
    "PaddingPolicy",
    "ReceivedRecord",
    "Record",
    "RecordLayer",
    "RecordProtection",
    "RecordReader",
    "no_padding",
    "pad_to_multiple",
]

RECORD_HEADER_LENGTH = 5
MAX_PLAINTEXT_LENGTH = 1 << 14  # RFC 8446 §5.1
MAX_INNER_PLAINTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 1  # RFC 8446 §5.2: content + type + padding
MAX_CIPHERTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 256  # RFC 8446 §5.2
_SEQUENCE_LIMIT = 1 << 64  # RFC 8446 §5.3: "Sequence numbers MUST NOT wrap"
_KNOWN_TYPES = frozenset(ContentType) - {ContentType.INVALID}
_TYPE_BYTES = {content_type: bytes((content_type,)) for content_type in ContentType}
# ContentType by code point: a dict lookup instead of the (much slower) enum call.
_CONTENT_TYPES: dict[int, ContentType] = {content_type.value: content_type for content_type in ContentType}
_PLAINTEXT_TYPES = frozenset({ContentType.HANDSHAKE, ContentType.ALERT})
_PROTECTED_INNER_TYPES = frozenset({ContentType.HANDSHAKE, ContentType.ALERT, ContentType.APPLICATION_DATA})
_PROTECTED_HEADER_PREFIX = bytes((ContentType.APPLICATION_DATA,)) + TLS12_VERSION.to_bytes(2, "big")

# RFC 8446 §D.4: the dummy change_cipher_spec record, type 20, legacy version, length 1, 0x01.
_CHANGE_CIPHER_SPEC_RECORD = bytes((ContentType.CHANGE_CIPHER_SPEC,)) + TLS12_VERSION.to_bytes(2, "big") + b"\0\1\1"

PaddingPolicy = Callable[[ContentType, int, int], int]
"""``policy(content_type, content_length, max_padding) -> padding_length`` (RFC 8446 §5.4).
The result is clipped to ``0..max_padding``, so a policy can never break a size limit."""


def no_padding(content_type: ContentType, content_length: int, max_padding: int) -> int:
    """Send records unpadded (as in every RFC 8448 trace)."""
    return 0


def pad_to_multiple(block: int) -> PaddingPolicy:
    """Pad each TLSInnerPlaintext (content + type byte) up to a multiple of ``block`` bytes."""
    if block < 1:
        raise LocalProtocolError("padding block must be positive")

    def policy(content_type: ContentType, content_length: int, max_padding: int) -> int:
        return -(content_length + 1) % block

    return policy


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """A record as on the wire: TLSPlaintext (§5.1) or TLSCiphertext (§5.2)."""

    content_type: int
    legacy_record_version: int = TLS12_VERSION
    fragment: bytes

    @property
    def header(self) -> bytes:
        return (
            bytes([self.content_type])
            + self.legacy_record_version.to_bytes(2, "big")
            + len(self.fragment).to_bytes(2, "big")
        )

    def encode(self) -> bytes:
        return self.header + self.fragment


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceivedRecord:
    """A record's content after deprotection: what the connection acts on."""

    content_type: ContentType
    data: bytes
    protected: bool


class RecordReader:
    """Cuts whole records from a byte stream delivered in pieces of any size.

    The unread input is kept as one ``bytes`` object and an offset into it, so a feed that
    holds whole records is cut without first copying it into a buffer."""

    __slots__ = ("_data", "_offset")

    def __init__(self) -> None:
        self._data = b""
        self._offset = 0

    @property
    def buffered(self) -> int:
        return len(self._data) - self._offset

    def feed(self, data: bytes) -> None:
        if self._offset >= len(self._data):
            self._data = bytes(data)
        else:
            self._data = self._data[self._offset :] + data
        self._offset = 0

    def next_fields(self) -> tuple[int, bytes, bytes] | None:
        """The next whole record as (content type, 5-byte header as received, fragment)."""
        data, offset = self._data, self._offset
        available = len(data) - offset
        if not available:
            return None
        # RFC 8446 §5: "If a TLS implementation receives an unexpected record type, it MUST
        # terminate the connection with an "unexpected_message" alert."  Checked on the first
        # byte so garbage (e.g. plaintext HTTP) fails at once.
        content_type = data[offset]
        if content_type not in _KNOWN_TYPES:
            raise UnexpectedMessage(f"unknown record content type {content_type}")
        if available < RECORD_HEADER_LENGTH:
            return None
        length = (data[offset + 3] << 8) | data[offset + 4]
        # RFC 8446 §5.2: TLSCiphertext.length larger than 2^14 + 256 -> "record_overflow".
        if length > MAX_CIPHERTEXT_LENGTH:
            raise RecordOverflow("record longer than 2^14 + 256")
        body = offset + RECORD_HEADER_LENGTH
        end = body + length
        if len(data) < end:
            return None
        self._offset = end
        return content_type, data[offset:body], data[body:end]

    def next_record(self) -> Record | None:
        fields = self.next_fields()
        if fields is None:
            return None
        content_type, header, fragment = fields
        version = (header[1] << 8) | header[2]
        return Record(content_type=content_type, legacy_record_version=version, fragment=fragment)


class RecordProtection:
    """AEAD protection of one direction under one traffic key (RFC 8446 §5.2, §5.3)."""

    __slots__ = ("_aead", "_iv", "_iv_length", "_tag_length", "sequence_number", "suite")

    def __init__(self, crypto: CryptoProvider, suite: CipherSuite, key: bytes, iv: bytes) -> None:
        aead_algorithm = suite.aead_algorithm
        self.suite = suite
        self._aead: Aead = crypto.aead(aead_algorithm, key)
        self._iv = int.from_bytes(iv, "big")
        self._iv_length = len(iv)
        self._tag_length = aead_algorithm.tag_size
        self.sequence_number = 0

    @classmethod
    def from_traffic_secret(cls, crypto: CryptoProvider, suite: CipherSuite, traffic_secret: bytes) -> RecordProtection:
        key, iv = traffic_key_and_iv(crypto, suite, traffic_secret)
        return cls(crypto, suite, key, iv)

    def __repr__(self) -> str:
        return f"RecordProtection({self.suite.name}, seq={self.sequence_number})"

    def _next_nonce(self) -> bytes:
        # RFC 8446 §5.3: the 64-bit sequence number, left-padded to iv_length, XOR the IV.
        if self.sequence_number >= _SEQUENCE_LIMIT:
            raise LocalProtocolError("record sequence number exhausted; a KeyUpdate is required")
        nonce = (self._iv ^ self.sequence_number).to_bytes(self._iv_length, "big")
        self.sequence_number += 1
        return nonce

    def seal(self, content_type: ContentType, content: bytes, padding_length: int = 0) -> bytes:
        """Return the complete TLSCiphertext record for ``content``."""
        out = bytearray()
        self.seal_into(out, content_type, content, padding_length)
        return bytes(out)

    def seal_into(self, out: bytearray, content_type: ContentType, content: bytes, padding_length: int = 0) -> None:
        """Append the complete TLSCiphertext record for ``content`` to ``out``."""
        # RFC 8446 §5.2: TLSInnerPlaintext = content || ContentType type || zeros[padding].
        inner = content + _TYPE_BYTES[content_type]
        if padding_length:
            inner += bytes(padding_length)
        if len(inner) > MAX_INNER_PLAINTEXT_LENGTH:
            raise EncodeError("TLSInnerPlaintext longer than 2^14 + 1")
        length = len(inner) + self._tag_length
        # RFC 8446 §5.2: additional_data = opaque_type || legacy_record_version || length.
        header = _PROTECTED_HEADER_PREFIX + length.to_bytes(2, "big")
        out += header
        out += self._aead.encrypt(self._next_nonce(), inner, header)

    def open(self, record: Record) -> tuple[int, bytes, int]:
        """Decrypt a TLSCiphertext; return (inner content type, content, inner plaintext length)."""
        return self.open_fragment(record.header, record.fragment)

    def open_fragment(self, header: bytes, fragment: bytes) -> tuple[int, bytes, int]:
        """``open`` for a record given as its 5-byte header (the additional data) and fragment."""
        try:
            inner = self._aead.decrypt(self._next_nonce(), fragment, header)
        except CryptoError:
            # RFC 8446 §5.2: "If the decryption fails, the receiver MUST terminate the
            # connection with a "bad_record_mac" alert."
            raise BadRecordMac("record authentication failed") from None
        # RFC 8446 §5.4: scan from the end for the first non-zero octet, the content type.
        stripped = inner if inner and inner[-1] else inner.rstrip(b"\x00")
        if not stripped:
            raise UnexpectedMessage("protected record has no non-zero content type")
        return stripped[-1], stripped[:-1], len(inner)


class RecordLayer:
    """Both directions of the record layer.  See the module docstring for the rules."""

    def __init__(self, crypto: CryptoProvider, *, padding_policy: PaddingPolicy = no_padding) -> None:
        self._crypto = crypto
        self._reader = RecordReader()
        self._read: RecordProtection | None = None
        self._write: RecordProtection | None = None
        self.padding_policy = padding_policy
        # RFC 8446 §5: CCS 0x01 is dropped "at any time after the first ClientHello message has
        # been sent or received and before the peer's Finished message has been received".
        # The handshake sets this True after the first ClientHello and False after the peer's
        # Finished.
        self.accept_change_cipher_spec = False
        # RFC 8449 §4: the largest TLSInnerPlaintext the peer accepts (its record_size_limit)
        # and the one we advertised and enforce.  Both apply to protected records only.
        self._send_inner_limit = MAX_INNER_PLAINTEXT_LENGTH
        self._receive_inner_limit = MAX_INNER_PLAINTEXT_LENGTH
        # RFC 8446 §4.2.10: a server rejecting 0-RTT "skips past early data by attempting to
        # deprotect received records using the handshake traffic key, discarding records which
        # fail deprotection (up to the configured max_early_data_size)"; after a
        # HelloRetryRequest it skips "all records with an external content type of
        # "application_data"".  The handshake sets this byte budget; 0 disables skipping.
        self.early_data_skip_budget = 0

    # -- keys -------------------------------------------------------------------------------
    @property
    def read_protected(self) -> bool:
        return self._read is not None

    @property
    def write_protected(self) -> bool:
        return self._write is not None

    def set_read_key(self, suite: CipherSuite, traffic_secret: bytes) -> None:
        """Install a new read key (sequence number restarts at 0, RFC 8446 §5.3)."""
        self._read = RecordProtection.from_traffic_secret(self._crypto, suite, traffic_secret)

    def set_write_key(self, suite: CipherSuite, traffic_secret: bytes) -> None:
        self._write = RecordProtection.from_traffic_secret(self._crypto, suite, traffic_secret)

    # -- RFC 8449 limits --------------------------------------------------------------------
    def set_send_record_size_limit(self, limit: int) -> None:
        """Apply the peer's record_size_limit (RFC 8449 §4: counts the TLSInnerPlaintext)."""
        if limit < 64:
            raise LocalProtocolError("record_size_limit below 64")
        self._send_inner_limit = min(limit, MAX_INNER_PLAINTEXT_LENGTH)

    def set_receive_record_size_limit(self, limit: int) -> None:
        """Enforce the record_size_limit we advertised (RFC 8449 §4)."""
        if limit < 64:
            raise LocalProtocolError("record_size_limit below 64")
        self._receive_inner_limit = min(limit, MAX_INNER_PLAINTEXT_LENGTH)

    # -- receiving --------------------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        self._reader.feed(data)

    @property
    def buffered(self) -> int:
        """Bytes received but not yet returned as records."""
        return self._reader.buffered

    def next_record(self) -> ReceivedRecord | None:
        """The next complete record's content, or None when more bytes are needed."""
        content = self.next_content()
        if content is None:
            return None
        content_type, data, protected = content
        return ReceivedRecord(content_type=content_type, data=data, protected=protected)

    def next_content(self) -> tuple[ContentType, bytes, bool] | None:
        """``next_record`` as a tuple (content type, content, protected): the connection's hot path."""
        next_fields = self._reader.next_fields
        while (fields := next_fields()) is not None:
            content_type, header, fragment = fields
            if content_type == ContentType.CHANGE_CIPHER_SPEC:
                # RFC 8446 §5: drop a CCS of the single byte 0x01 inside the window; "An
                # implementation which receives any other change_cipher_spec value or which
                # receives a protected change_cipher_spec record MUST abort the handshake with
                # an "unexpected_message" alert."  Outside the window it is an unexpected type.
                if self.accept_change_cipher_spec and fragment == b"\x01":
                    continue
                raise UnexpectedMessage("unexpected change_cipher_spec record")
            if self.early_data_skip_budget:
                version = (header[1] << 8) | header[2]
                record = Record(content_type=content_type, legacy_record_version=version, fragment=fragment)
                if self._skip_early_data(record):
                    continue
            return self._open(content_type, header, fragment)
        return None

    def _skip_early_data(self, record: Record) -> bool:
        """RFC 8446 §4.2.10: True when ``record`` is rejected 0-RTT data to discard."""
        size = len(record.fragment)
        if record.content_type != ContentType.APPLICATION_DATA or size > self.early_data_skip_budget:
            return False
        if self._read is not None:
            try:
                self._read.open(record)
            except BadRecordMac:
                self._read.sequence_number -= 1  # the skipped record did not consume a number
            else:
                self._read.sequence_number -= 1  # deprotects: the client's second flight starts here
                self.early_data_skip_budget = 0
                return False
        self.early_data_skip_budget -= size
        return True

    def _open(self, outer_type: int, header: bytes, fragment: bytes) -> tuple[ContentType, bytes, bool]:
        if self._read is None:
            # RFC 8446 §5.1: plaintext records carry handshake or alert data, at most 2^14 bytes;
            # "Application Data messages are always protected".
            if outer_type not in _PLAINTEXT_TYPES:
                raise UnexpectedMessage("unprotected record of a type that must be protected")
            if len(fragment) > MAX_PLAINTEXT_LENGTH:
                raise RecordOverflow("plaintext record longer than 2^14")
            content_type, content, protected = _CONTENT_TYPES[outer_type], fragment, False
        else:
            # RFC 8446 §5.2: "The outer opaque_type field of a TLSCiphertext record is always
            # set to the value 23 (application_data)".
            if outer_type != ContentType.APPLICATION_DATA:
                raise UnexpectedMessage("unprotected record after record protection started")
            inner_type, content, inner_length = self._read.open_fragment(header, fragment)
            # RFC 8446 §5.2/§5.4: TLSInnerPlaintext at most 2^14 + 1; RFC 8449 §4: a record
            # larger than the advertised limit -> "record_overflow".
            if inner_length > self._receive_inner_limit:
                raise RecordOverflow("protected record exceeds the record size limit")
            if inner_type not in _PROTECTED_INNER_TYPES:
                raise UnexpectedMessage("protected record with a forbidden inner content type")
            content_type, protected = _CONTENT_TYPES[inner_type], True
        # RFC 8446 §5.1 / §5.4: no zero-length handshake or alert content ("unexpected_message").
        if not content and content_type is not ContentType.APPLICATION_DATA:
            raise UnexpectedMessage("zero-length handshake or alert record")
        return content_type, content, protected

    # -- sending ----------------------------------------------------------------------------
    def send(self, content_type: ContentType, data: bytes, *, legacy_record_version: int = TLS12_VERSION) -> bytes:
        """Frame (and, once a write key is set, protect) ``data`` into records.

        ``legacy_record_version`` matters only for unprotected records: RFC 8446 §5.1 lets the
        initial ClientHello use 0x0301.  Each call ends on a record boundary, which is what
        §5.1 requires before a key change.
        """
        if not data and content_type is not ContentType.APPLICATION_DATA:
            raise EncodeError("handshake and alert records must not be empty")  # RFC 8446 §5.1
        if content_type is ContentType.CHANGE_CIPHER_SPEC:
            raise EncodeError("use send_change_cipher_spec()")
        if self._write is None:
            if content_type is ContentType.APPLICATION_DATA:
                raise LocalProtocolError("application data needs record protection")
            prefix = _TYPE_BYTES[content_type] + legacy_record_version.to_bytes(2, "big")
            if len(data) <= MAX_PLAINTEXT_LENGTH:
                return prefix + len(data).to_bytes(2, "big") + data
            chunks = [data[i : i + MAX_PLAINTEXT_LENGTH] for i in range(0, len(data), MAX_PLAINTEXT_LENGTH)]
            return b"".join([prefix + len(chunk).to_bytes(2, "big") + chunk for chunk in chunks])
        out = bytearray()
        self.send_into(out, content_type, data)
        return bytes(out)

    def send_into(self, out: bytearray, content_type: ContentType, data: bytes) -> None:
        """``send`` for protected records, appending to ``out`` (the connection's output buffer)."""
        if self._write is None:
            out += self.send(content_type, data)
            return
        if not data and content_type is not ContentType.APPLICATION_DATA:
            raise EncodeError("handshake and alert records must not be empty")  # RFC 8446 §5.1
        if content_type is ContentType.CHANGE_CIPHER_SPEC:
            raise EncodeError("use send_change_cipher_spec()")
        max_content = self._send_inner_limit - 1
        policy = self.padding_policy
        seal_into = self._write.seal_into
        for start in range(0, max(len(data), 1), max_content):
            chunk = data[start : start + max_content]
            max_padding = max_content - len(chunk)
            padding = (
                0 if policy is no_padding else min(max(policy(content_type, len(chunk), max_padding), 0), max_padding)
            )
            seal_into(out, content_type, chunk, padding)

    @staticmethod
    def send_change_cipher_spec() -> bytes:
        """RFC 8446 §D.4: the middlebox-compatibility dummy record ``14 03 03 00 01 01``."""
        return _CHANGE_CIPHER_SPEC_RECORD
