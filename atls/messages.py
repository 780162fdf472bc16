"""TLS 1.3 handshake messages (RFC 8446 §4): frozen dataclasses, strict decoders, encoders.

``decode_<message>(body)`` takes the message body (without the 4-byte handshake header)
and returns the dataclass or raises a ``TLSAlert`` subclass (decode_error for malformed
bytes, illegal_parameter for well-formed but forbidden values).  ``<message>.encode()``
returns the full handshake message, header included, ready for the transcript and the
record layer.  ``decode_handshake_message`` dispatches on the message type.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass

from ratscore.errors import EncodeError

from .alerts import DecodeErrorAlert, IllegalParameter, UnexpectedMessage
from .codec import HandshakeMessage, Reader, Writer, encode_handshake
from .enums import HELLO_RETRY_REQUEST_RANDOM, TLS12_VERSION, ExtensionContext, HandshakeType, KeyUpdateRequest
from .extensions import Extension, decode_extensions, encode_extensions, extension_block
from .psk_extensions import PreSharedKeyOffer

__all__ = [
    "Certificate",
    "CertificateEntry",
    "CertificateRequest",
    "CertificateVerify",
    "ClientHello",
    "EncryptedExtensions",
    "EndOfEarlyData",
    "Finished",
    "HandshakeBody",
    "KeyUpdate",
    "NewSessionTicket",
    "ServerHello",
    "decode_certificate",
    "decode_certificate_memoised",
    "decode_certificate_request",
    "decode_certificate_verify",
    "decode_client_hello",
    "decode_encrypted_extensions",
    "decode_encrypted_extensions_memoised",
    "decode_end_of_early_data",
    "decode_finished",
    "decode_handshake_message",
    "decode_key_update",
    "decode_new_session_ticket",
    "decode_server_hello",
    "encode_message_hash",
]


_UINT16_PAIR = struct.Struct(">HH")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientHello:
    """RFC 8446 §4.1.2.  ``extensions`` is empty for a pre-TLS-1.2 hello without the block."""

    random: bytes
    legacy_session_id: bytes = b""
    cipher_suites: tuple[int, ...]
    legacy_compression_methods: bytes = b"\x00"
    extensions: tuple[Extension, ...] = ()
    legacy_version: int = TLS12_VERSION

    def encode(self) -> bytes:
        writer = Writer()
        writer.uint16(self.legacy_version)
        writer.write(_check_random(self.random))
        writer.opaque(1, self.legacy_session_id)
        writer.uint16_list(2, self.cipher_suites)
        writer.opaque(1, self.legacy_compression_methods)
        encode_extensions(writer, self.extensions)
        return encode_handshake(HandshakeType.CLIENT_HELLO, writer.getvalue())


def _check_random(random: bytes) -> bytes:
    if len(random) != 32:
        raise EncodeError("random must be 32 bytes")
    return random


def _hello_start(body: bytes) -> tuple[int, bytes, bytes, Reader]:
    """Both hellos begin ``ProtocolVersion legacy_version; Random random; opaque
    legacy_session_id<0..32>`` (RFC 8446 §4.1.2, §4.1.3): those three, and a reader after them."""
    if len(body) < 35:
        raise DecodeErrorAlert("truncated input")
    session_id_length = body[34]
    if session_id_length > 32:
        raise DecodeErrorAlert("vector length out of bounds")
    end = 35 + session_id_length
    if end > len(body):
        raise DecodeErrorAlert("truncated input")
    return (body[0] << 8) | body[1], body[2:34], body[35:end], Reader(body, end)


def decode_client_hello(body: bytes) -> ClientHello:
    legacy_version, random, legacy_session_id, reader = _hello_start(body)
    cipher_suites = reader.uint16_list(2, 2, 0xFFFE)  # CipherSuite cipher_suites<2..2^16-2>
    compression = reader.opaque(1, 1)  # opaque legacy_compression_methods<1..2^8-1>
    # RFC 8446 §4.1.2: a TLS 1.2-or-older ClientHello may end here (no extensions block).
    extensions = () if reader.at_end() else decode_extensions(reader, ExtensionContext.CLIENT_HELLO)
    reader.expect_end("ClientHello")
    # RFC 8446 §4.2.11: pre_shared_key "MUST be the last extension in the ClientHello ...
    # Servers MUST check that it is the last extension and otherwise fail the handshake with an
    # "illegal_parameter" alert."
    for extension in extensions[:-1]:
        if isinstance(extension, PreSharedKeyOffer):
            raise IllegalParameter("pre_shared_key is not the last ClientHello extension")
    return ClientHello(
        legacy_version=legacy_version,
        random=random,
        legacy_session_id=legacy_session_id,
        cipher_suites=cipher_suites,
        legacy_compression_methods=compression,
        extensions=extensions,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerHello:
    """RFC 8446 §4.1.3.  A HelloRetryRequest is a ServerHello whose random is the special
    value ``HELLO_RETRY_REQUEST_RANDOM``; ``is_hello_retry_request`` tells them apart."""

    random: bytes
    legacy_session_id_echo: bytes = b""
    cipher_suite: int
    legacy_compression_method: int = 0
    extensions: tuple[Extension, ...] = ()
    legacy_version: int = TLS12_VERSION

    @property
    def is_hello_retry_request(self) -> bool:
        return self.random == HELLO_RETRY_REQUEST_RANDOM

    def encode(self) -> bytes:
        writer = Writer()
        writer.uint16(self.legacy_version)
        writer.write(_check_random(self.random))
        writer.opaque(1, self.legacy_session_id_echo)
        writer.uint16(self.cipher_suite)
        writer.uint8(self.legacy_compression_method)
        encode_extensions(writer, self.extensions)
        return encode_handshake(HandshakeType.SERVER_HELLO, writer.getvalue())


def decode_server_hello(body: bytes) -> ServerHello:
    legacy_version, random, session_id_echo, reader = _hello_start(body)
    cipher_suite = reader.uint16()
    compression = reader.uint8()
    # RFC 8446 §4.1.3: the HRR extensions follow HRR rules (key_share = selected_group).
    is_hrr = random == HELLO_RETRY_REQUEST_RANDOM
    context = ExtensionContext.HELLO_RETRY_REQUEST if is_hrr else ExtensionContext.SERVER_HELLO
    # A TLS 1.2 ServerHello may omit the extensions block; the engine answers protocol_version.
    extensions = () if reader.at_end() else decode_extensions(reader, context)
    reader.expect_end("ServerHello")
    return ServerHello(
        legacy_version=legacy_version,
        random=random,
        legacy_session_id_echo=session_id_echo,
        cipher_suite=cipher_suite,
        legacy_compression_method=compression,
        extensions=extensions,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EncryptedExtensions:
    """RFC 8446 §4.3.1 ``Extension extensions<0..2^16-1>``."""

    extensions: tuple[Extension, ...] = ()

    def encode(self) -> bytes:
        return encode_handshake(HandshakeType.ENCRYPTED_EXTENSIONS, extension_block(self.extensions))


def decode_encrypted_extensions(body: bytes) -> EncryptedExtensions:
    reader = Reader(body)
    extensions = decode_extensions(reader, ExtensionContext.ENCRYPTED_EXTENSIONS)
    reader.expect_end("EncryptedExtensions")
    return EncryptedExtensions(extensions=extensions)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateRequest:
    """RFC 8446 §4.3.2: ``certificate_request_context<0..2^8-1>``, ``extensions<2..2^16-1>``."""

    certificate_request_context: bytes = b""
    extensions: tuple[Extension, ...]

    def encode(self) -> bytes:
        writer = Writer()
        writer.opaque(1, self.certificate_request_context)
        encode_extensions(writer, self.extensions)
        return encode_handshake(HandshakeType.CERTIFICATE_REQUEST, writer.getvalue())


def decode_certificate_request(body: bytes) -> CertificateRequest:
    reader = Reader(body)
    context = reader.opaque(1)
    # RFC 8446 §4.3.2: Extension extensions<2..2^16-1>.
    extensions = decode_extensions(reader, ExtensionContext.CERTIFICATE_REQUEST, minimum=2)
    reader.expect_end("CertificateRequest")
    return CertificateRequest(certificate_request_context=context, extensions=extensions)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateEntry:
    """RFC 8446 §4.4.2 ``CertificateEntry``.  ``data`` is the X.509 DER ``cert_data`` or, for
    the RFC 7250 RawPublicKey type, the DER ``ASN1_subjectPublicKeyInfo``: both are
    ``opaque <1..2^24-1>`` on the wire, so the negotiated certificate type says which."""

    data: bytes
    extensions: tuple[Extension, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Certificate:
    """RFC 8446 §4.4.2: ``certificate_request_context<0..2^8-1>``,
    ``CertificateEntry certificate_list<0..2^24-1>``.  An empty list is a client declining."""

    certificate_request_context: bytes = b""
    entries: tuple[CertificateEntry, ...] = ()

    def encode(self) -> bytes:
        writer = Writer()
        writer.opaque(1, self.certificate_request_context)
        with writer.vector(3):
            for entry in self.entries:
                if not entry.data:
                    raise EncodeError("certificate data must not be empty")
                writer.opaque(3, entry.data)
                encode_extensions(writer, entry.extensions)
        return encode_handshake(HandshakeType.CERTIFICATE, writer.getvalue())


def decode_certificate(body: bytes) -> Certificate:
    reader = Reader(body)
    context = reader.opaque(1)
    entries_reader = reader.vector(3)
    entries: list[CertificateEntry] = []
    while not entries_reader.at_end():
        data = entries_reader.opaque(3, 1)
        extensions = decode_extensions(entries_reader, ExtensionContext.CERTIFICATE)
        entries.append(CertificateEntry(data=data, extensions=extensions))
    reader.expect_end("Certificate")
    return Certificate(certificate_request_context=context, entries=tuple(entries))


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateVerify:
    """RFC 8446 §4.4.3: ``SignatureScheme algorithm; opaque signature<0..2^16-1>``."""

    algorithm: int
    signature: bytes

    def encode(self) -> bytes:
        signature = self.signature
        if not 0 <= self.algorithm <= 0xFFFF or len(signature) > 0xFFFF:
            raise EncodeError("CertificateVerify algorithm or signature does not fit its field")
        return encode_handshake(
            HandshakeType.CERTIFICATE_VERIFY, _UINT16_PAIR.pack(self.algorithm, len(signature)) + signature
        )


def decode_certificate_verify(body: bytes) -> CertificateVerify:
    reader = Reader(body)
    algorithm = reader.uint16()
    signature = reader.opaque(2)
    reader.expect_end("CertificateVerify")
    return CertificateVerify(algorithm=algorithm, signature=signature)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finished:
    """RFC 8446 §4.4.4: ``opaque verify_data[Hash.length]``."""

    verify_data: bytes

    def encode(self) -> bytes:
        return encode_handshake(HandshakeType.FINISHED, self.verify_data)


def decode_finished(body: bytes, hash_length: int) -> Finished:
    """The body must be exactly ``hash_length`` bytes (decode_error otherwise)."""
    if len(body) != hash_length:
        raise DecodeErrorAlert("Finished has the wrong length")
    return Finished(verify_data=body)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSessionTicket:
    """RFC 8446 §4.6.1.  Decoded only so a client can check and discard it: attested
    connections never resume (the server never sends one)."""

    ticket_lifetime: int
    ticket_age_add: int
    ticket_nonce: bytes
    ticket: bytes
    extensions: tuple[Extension, ...] = ()

    def encode(self) -> bytes:
        writer = Writer()
        writer.uint32(self.ticket_lifetime)
        writer.uint32(self.ticket_age_add)
        writer.opaque(1, self.ticket_nonce)
        writer.opaque(2, self.ticket)
        encode_extensions(writer, self.extensions)
        return encode_handshake(HandshakeType.NEW_SESSION_TICKET, writer.getvalue())


def decode_new_session_ticket(body: bytes) -> NewSessionTicket:
    reader = Reader(body)
    lifetime = reader.uint32()
    age_add = reader.uint32()
    nonce = reader.opaque(1)  # opaque ticket_nonce<0..255>
    ticket = reader.opaque(2, 1)  # opaque ticket<1..2^16-1>
    extensions = decode_extensions(reader, ExtensionContext.NEW_SESSION_TICKET)
    reader.expect_end("NewSessionTicket")
    return NewSessionTicket(
        ticket_lifetime=lifetime, ticket_age_add=age_add, ticket_nonce=nonce, ticket=ticket, extensions=extensions
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyUpdate:
    """RFC 8446 §4.6.3: ``KeyUpdateRequest request_update``."""

    request_update: KeyUpdateRequest

    def encode(self) -> bytes:
        return encode_handshake(HandshakeType.KEY_UPDATE, bytes([self.request_update]))


def decode_key_update(body: bytes) -> KeyUpdate:
    reader = Reader(body)
    value = reader.uint8()
    reader.expect_end("KeyUpdate")
    try:
        return KeyUpdate(request_update=KeyUpdateRequest(value))
    except ValueError:
        # RFC 8446 §4.6.3: any other request_update value -> "illegal_parameter".
        raise IllegalParameter("KeyUpdate request_update is neither 0 nor 1") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class EndOfEarlyData:
    """RFC 8446 §4.5: an empty body.  We never accept 0-RTT, so the engine rejects it."""

    def encode(self) -> bytes:
        return encode_handshake(HandshakeType.END_OF_EARLY_DATA, b"")


def decode_end_of_early_data(body: bytes) -> EndOfEarlyData:
    Reader(body).expect_end("EndOfEarlyData")
    return EndOfEarlyData()


def encode_message_hash(client_hello_1_hash: bytes) -> bytes:
    """RFC 8446 §4.4.1: the synthetic ``message_hash`` message that replaces ClientHello1 in
    the transcript after a HelloRetryRequest: ``fe 00 00 Hash.length || Hash(ClientHello1)``."""
    return encode_handshake(HandshakeType.MESSAGE_HASH, client_hello_1_hash)


HandshakeBody = (
    ClientHello
    | ServerHello
    | EncryptedExtensions
    | CertificateRequest
    | Certificate
    | CertificateVerify
    | Finished
    | NewSessionTicket
    | KeyUpdate
    | EndOfEarlyData
)


def decode_handshake_message(message: HandshakeMessage, *, hash_length: int | None = None) -> HandshakeBody:
    """Decode a message cut by ``HandshakeReassembler``.  A type that is not a TLS 1.3
    handshake message (or a Finished before the hash is known) is unexpected_message
    (RFC 8446 §6.2 / §4)."""
    msg_type = message.msg_type
    body = message.body
    if msg_type == HandshakeType.CLIENT_HELLO:
        return decode_client_hello(body)
    if msg_type == HandshakeType.SERVER_HELLO:
        return decode_server_hello(body)
    if msg_type == HandshakeType.ENCRYPTED_EXTENSIONS:
        return decode_encrypted_extensions(body)
    if msg_type == HandshakeType.CERTIFICATE_REQUEST:
        return decode_certificate_request(body)
    if msg_type == HandshakeType.CERTIFICATE:
        return decode_certificate(body)
    if msg_type == HandshakeType.CERTIFICATE_VERIFY:
        return decode_certificate_verify(body)
    if msg_type == HandshakeType.FINISHED and hash_length is not None:
        return decode_finished(body, hash_length)
    if msg_type == HandshakeType.NEW_SESSION_TICKET:
        return decode_new_session_ticket(body)
    if msg_type == HandshakeType.KEY_UPDATE:
        return decode_key_update(body)
    if msg_type == HandshakeType.END_OF_EARLY_DATA:
        return decode_end_of_early_data(body)
    raise UnexpectedMessage(f"handshake message type {msg_type} not expected")


# A server sends the same EncryptedExtensions and Certificate bytes on every connection (and a
# client the same Certificate).  A decoded message is a frozen value that depends on nothing but
# its bytes, so, like parsed certificates (certificates.py), it is memoised by the exact bytes;
# a decoding failure raises every time (exceptions are not cached).  Bounded.
decode_certificate_memoised = functools.lru_cache(maxsize=64)(decode_certificate)
decode_encrypted_extensions_memoised = functools.lru_cache(maxsize=64)(decode_encrypted_extensions)
