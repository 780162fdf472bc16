"""TLS extensions: one frozen dataclass per extension form, decoded by message context.

Theory of operation: an extension's body format depends on the message that carries it
(key_share is a list in ClientHello, one entry in ServerHello, a bare group in
HelloRetryRequest).  ``decode_extensions(data, context)`` therefore takes an
``ExtensionContext`` and

* rejects a repeated extension type with illegal_parameter (RFC 8446 §4.2: "There MUST
  NOT be more than one extension of the same type in a given extension block");
* rejects an extension we recognise in a message where RFC 8446 §4.2's table does not
  allow it with illegal_parameter ("If an implementation receives an extension which it
  recognizes and which is not specified for the message in which it appears, it MUST
  abort the handshake with an illegal_parameter alert");
* keeps any other extension as ``UnknownExtension(extension_type, data)`` so a message
  re-encodes byte for byte.

Whether a response extension was actually offered (unsupported_extension) and whether a
mandatory one is missing (missing_extension) needs the handshake state: the state
machine checks those.  Code-point lists stay raw ``int`` tuples so unknown values
survive; compare them with the ``IntEnum`` members of ``atls.enums``.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from ratscore.errors import EncodeError

from .alerts import DecodeErrorAlert, IllegalParameter
from .codec import Reader, Writer
from .enums import ExtensionContext, ExtensionType, MaxFragmentLength
from .psk_extensions import (
    EarlyDataIndication,
    PreSharedKeyOffer,
    PreSharedKeySelected,
    PskKeyExchangeModes,
    decode_early_data,
    decode_pre_shared_key_offer,
)

__all__ = [
    "ApplicationLayerProtocolNegotiation",
    "CertificateAuthorities",
    "ClientCertificateTypeOffer",
    "ClientCertificateTypeSelected",
    "Cookie",
    "Extension",
    "ExtensionIndex",
    "KeyShareClientHello",
    "KeyShareEntry",
    "KeyShareHelloRetryRequest",
    "KeyShareServerHello",
    "MaxFragmentLengthExtension",
    "RecordSizeLimit",
    "SelectedVersion",
    "ServerCertificateTypeOffer",
    "ServerCertificateTypeSelected",
    "ServerName",
    "SignatureAlgorithms",
    "SignatureAlgorithmsCert",
    "StatusRequest",
    "SupportedGroups",
    "SupportedVersions",
    "UnknownExtension",
    "decode_extensions",
    "encode_extensions",
    "find_extension",
    "forget_encoding",
    "remember_encoding",
]


_E = TypeVar("_E")

_CH = ExtensionContext.CLIENT_HELLO
_SH = ExtensionContext.SERVER_HELLO
_HRR = ExtensionContext.HELLO_RETRY_REQUEST
_EE = ExtensionContext.ENCRYPTED_EXTENSIONS
_CR = ExtensionContext.CERTIFICATE_REQUEST
_CT = ExtensionContext.CERTIFICATE
_NST = ExtensionContext.NEW_SESSION_TICKET


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownExtension:
    """An extension we do not interpret, kept verbatim."""

    extension_type: int
    data: bytes

    def encode_data(self, writer: Writer) -> None:
        writer.write(self.data)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerName:
    """RFC 6066 §3 server_name.  ``host_name`` is None for the empty acknowledgement in EE."""

    extension_type: ClassVar[int] = ExtensionType.SERVER_NAME
    host_name: str | None

    def encode_data(self, writer: Writer) -> None:
        if self.host_name is None:
            return
        with writer.vector(2):
            writer.uint8(0)  # NameType host_name(0)
            writer.opaque(2, self.host_name.encode("ascii"))


def _decode_server_name(reader: Reader, context: ExtensionContext) -> ServerName:
    if context is not _CH:
        return ServerName(host_name=None)  # RFC 6066 §3: the server's extension_data is empty
    names = reader.vector(2, 1)
    host_name: str | None = None
    seen_types: set[int] = set()
    while not names.at_end():
        name_type = names.uint8()
        name = names.opaque(2, 1)
        # RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name of the same name_type."
        if name_type in seen_types:
            raise IllegalParameter("server_name lists two names of the same type")
        seen_types.add(name_type)
        if name_type == 0:
            try:
                host_name = name.decode("ascii")
            except UnicodeDecodeError:
                raise DecodeErrorAlert("server_name host_name is not ASCII") from None
    return ServerName(host_name=host_name)


@dataclass(frozen=True, slots=True, kw_only=True)
class MaxFragmentLengthExtension:
    """RFC 6066 §4 max_fragment_length (parsed only; RFC 8449 record_size_limit supersedes it)."""

    extension_type: ClassVar[int] = ExtensionType.MAX_FRAGMENT_LENGTH
    length: MaxFragmentLength

    def encode_data(self, writer: Writer) -> None:
        writer.uint8(self.length)


def _decode_max_fragment_length(reader: Reader, context: ExtensionContext) -> MaxFragmentLengthExtension:
    code = reader.uint8()
    try:
        return MaxFragmentLengthExtension(length=MaxFragmentLength(code))
    except ValueError:
        # RFC 6066 §4: a value other than the allowed values -> "illegal_parameter".
        raise IllegalParameter("max_fragment_length value not allowed") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusRequest:
    """RFC 6066 §8 status_request (OCSP stapling): recognised, kept raw, otherwise ignored."""

    extension_type: ClassVar[int] = ExtensionType.STATUS_REQUEST
    data: bytes

    def encode_data(self, writer: Writer) -> None:
        writer.write(self.data)


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportedGroups:
    """RFC 8446 §4.2.7 ``NamedGroup named_group_list<2..2^16-1>``."""

    extension_type: ClassVar[int] = ExtensionType.SUPPORTED_GROUPS
    groups: tuple[int, ...]

    def encode_data(self, writer: Writer) -> None:
        writer.uint16_list(2, self.groups)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureAlgorithms:
    """RFC 8446 §4.2.3 ``SignatureScheme supported_signature_algorithms<2..2^16-2>``."""

    extension_type: ClassVar[int] = ExtensionType.SIGNATURE_ALGORITHMS
    schemes: tuple[int, ...]

    def encode_data(self, writer: Writer) -> None:
        writer.uint16_list(2, self.schemes)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureAlgorithmsCert:
    """RFC 8446 §4.2.3 signature_algorithms_cert: same body as signature_algorithms."""

    extension_type: ClassVar[int] = ExtensionType.SIGNATURE_ALGORITHMS_CERT
    schemes: tuple[int, ...]

    def encode_data(self, writer: Writer) -> None:
        writer.uint16_list(2, self.schemes)


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportedVersions:
    """RFC 8446 §4.2.1, ClientHello form: ``ProtocolVersion versions<2..254>``."""

    extension_type: ClassVar[int] = ExtensionType.SUPPORTED_VERSIONS
    versions: tuple[int, ...]

    def encode_data(self, writer: Writer) -> None:
        writer.uint16_list(1, self.versions)


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectedVersion:
    """RFC 8446 §4.2.1, ServerHello / HelloRetryRequest form: ``ProtocolVersion selected_version``."""

    extension_type: ClassVar[int] = ExtensionType.SUPPORTED_VERSIONS
    version: int

    def encode_data(self, writer: Writer) -> None:
        writer.uint16(self.version)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyShareEntry:
    """RFC 8446 §4.2.8 ``KeyShareEntry``: group and ``opaque key_exchange<1..2^16-1>``."""

    group: int
    key_exchange: bytes

    def encode(self, writer: Writer) -> None:
        writer.uint16(self.group)
        writer.opaque(2, self.key_exchange)


def _decode_key_share_entry(reader: Reader) -> KeyShareEntry:
    return KeyShareEntry(group=reader.uint16(), key_exchange=reader.opaque(2, 1))


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyShareClientHello:
    """RFC 8446 §4.2.8 ``KeyShareEntry client_shares<0..2^16-1>``."""

    extension_type: ClassVar[int] = ExtensionType.KEY_SHARE
    client_shares: tuple[KeyShareEntry, ...]

    def encode_data(self, writer: Writer) -> None:
        with writer.vector(2):
            for entry in self.client_shares:
                entry.encode(writer)


def _decode_key_share_client_hello(reader: Reader, context: ExtensionContext) -> KeyShareClientHello:
    shares = reader.vector(2)
    entries: list[KeyShareEntry] = []
    groups: set[int] = set()
    while not shares.at_end():
        group = shares.uint16()
        # RFC 8446 §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same
        # group ... Servers MAY check for violations of these rules and abort the handshake
        # with an "illegal_parameter" alert".
        if group in groups:
            raise IllegalParameter("two key shares for the same group")
        groups.add(group)
        entries.append(KeyShareEntry(group=group, key_exchange=shares.opaque(2, 1)))
    return KeyShareClientHello(client_shares=tuple(entries))


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyShareServerHello:
    """RFC 8446 §4.2.8 ``KeyShareEntry server_share``."""

    extension_type: ClassVar[int] = ExtensionType.KEY_SHARE
    server_share: KeyShareEntry

    def encode_data(self, writer: Writer) -> None:
        self.server_share.encode(writer)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyShareHelloRetryRequest:
    """RFC 8446 §4.2.8 ``NamedGroup selected_group``."""

    extension_type: ClassVar[int] = ExtensionType.KEY_SHARE
    selected_group: int

    def encode_data(self, writer: Writer) -> None:
        writer.uint16(self.selected_group)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cookie:
    """RFC 8446 §4.2.2 ``opaque cookie<1..2^16-1>``."""

    extension_type: ClassVar[int] = ExtensionType.COOKIE
    cookie: bytes

    def encode_data(self, writer: Writer) -> None:
        writer.opaque(2, self.cookie)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationLayerProtocolNegotiation:
    """RFC 7301 §3.1 ``ProtocolName protocol_name_list<2..2^16-1>``, names ``<1..2^8-1>``.
    In EncryptedExtensions the list holds exactly one name."""

    extension_type: ClassVar[int] = ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION
    protocols: tuple[bytes, ...]

    def encode_data(self, writer: Writer) -> None:
        with writer.vector(2):
            for protocol in self.protocols:
                writer.opaque(1, protocol)


def _decode_alpn(reader: Reader, context: ExtensionContext) -> ApplicationLayerProtocolNegotiation:
    names = reader.vector(2, 2)
    protocols: list[bytes] = []
    while not names.at_end():
        protocols.append(names.opaque(1, 1))
    # RFC 7301 §3.1: the server's "ProtocolNameList MUST contain exactly one "ProtocolName"".
    if context is _EE and len(protocols) != 1:
        raise IllegalParameter("the server's ALPN extension must name exactly one protocol")
    return ApplicationLayerProtocolNegotiation(protocols=tuple(protocols))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordSizeLimit:
    """RFC 8449 §4 ``uint16 RecordSizeLimit``.  In TLS 1.3 the limit counts the whole
    TLSInnerPlaintext: content, content type byte and padding."""

    extension_type: ClassVar[int] = ExtensionType.RECORD_SIZE_LIMIT
    limit: int

    def encode_data(self, writer: Writer) -> None:
        writer.uint16(self.limit)


def _decode_record_size_limit(reader: Reader, context: ExtensionContext) -> RecordSizeLimit:
    limit = reader.uint16()
    # RFC 8449 §4: "An endpoint MUST treat receipt of a smaller value [than 64] as a fatal
    # error and generate an "illegal_parameter" alert."
    if limit < 64:
        raise IllegalParameter("record_size_limit below 64")
    return RecordSizeLimit(limit=limit)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientCertificateTypeOffer:
    """RFC 7250 §3 client_certificate_type in ClientHello: ``client_certificate_types<1..2^8-1>``."""

    extension_type: ClassVar[int] = ExtensionType.CLIENT_CERTIFICATE_TYPE
    certificate_types: tuple[int, ...]

    def encode_data(self, writer: Writer) -> None:
        writer.opaque(1, bytes(self.certificate_types))


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientCertificateTypeSelected:
    """RFC 7250 §3 client_certificate_type in EncryptedExtensions: one ``CertificateType``."""

    extension_type: ClassVar[int] = ExtensionType.CLIENT_CERTIFICATE_TYPE
    certificate_type: int

    def encode_data(self, writer: Writer) -> None:
        writer.uint8(self.certificate_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerCertificateTypeOffer:
    """RFC 7250 §3 server_certificate_type in ClientHello: ``server_certificate_types<1..2^8-1>``."""

    extension_type: ClassVar[int] = ExtensionType.SERVER_CERTIFICATE_TYPE
    certificate_types: tuple[int, ...]

    def encode_data(self, writer: Writer) -> None:
        writer.opaque(1, bytes(self.certificate_types))


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerCertificateTypeSelected:
    """RFC 7250 §3 server_certificate_type in EncryptedExtensions: one ``CertificateType``."""

    extension_type: ClassVar[int] = ExtensionType.SERVER_CERTIFICATE_TYPE
    certificate_type: int

    def encode_data(self, writer: Writer) -> None:
        writer.uint8(self.certificate_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateAuthorities:
    """RFC 8446 §4.2.4 ``DistinguishedName authorities<3..2^16-1>`` (each DER, ``<1..2^16-1>``)."""

    extension_type: ClassVar[int] = ExtensionType.CERTIFICATE_AUTHORITIES
    authorities: tuple[bytes, ...]

    def encode_data(self, writer: Writer) -> None:
        with writer.vector(2):
            for name in self.authorities:
                writer.opaque(2, name)


def _decode_certificate_authorities(reader: Reader, context: ExtensionContext) -> CertificateAuthorities:
    names = reader.vector(2, 3)
    authorities: list[bytes] = []
    while not names.at_end():
        authorities.append(names.opaque(2, 1))
    return CertificateAuthorities(authorities=tuple(authorities))


Extension = (
    UnknownExtension
    | ServerName
    | MaxFragmentLengthExtension
    | StatusRequest
    | SupportedGroups
    | SignatureAlgorithms
    | SignatureAlgorithmsCert
    | SupportedVersions
    | SelectedVersion
    | KeyShareClientHello
    | KeyShareServerHello
    | KeyShareHelloRetryRequest
    | Cookie
    | PskKeyExchangeModes
    | PreSharedKeyOffer
    | PreSharedKeySelected
    | EarlyDataIndication
    | ApplicationLayerProtocolNegotiation
    | RecordSizeLimit
    | ClientCertificateTypeOffer
    | ClientCertificateTypeSelected
    | ServerCertificateTypeOffer
    | ServerCertificateTypeSelected
    | CertificateAuthorities
)

_Decoder = Callable[[Reader, ExtensionContext], Extension]


def _decode_supported_groups(reader: Reader, context: ExtensionContext) -> SupportedGroups:
    return SupportedGroups(groups=reader.uint16_list(2, 2))


def _decode_signature_algorithms(reader: Reader, context: ExtensionContext) -> SignatureAlgorithms:
    return SignatureAlgorithms(schemes=reader.uint16_list(2, 2, 0xFFFE))


def _decode_signature_algorithms_cert(reader: Reader, context: ExtensionContext) -> SignatureAlgorithmsCert:
    return SignatureAlgorithmsCert(schemes=reader.uint16_list(2, 2, 0xFFFE))


def _bytes_list(
    build: Callable[[tuple[int, ...]], Extension],
) -> _Decoder:
    return lambda reader, context: build(tuple(reader.opaque(1, 1)))


def _single(build: Callable[[int], Extension], width: int) -> _Decoder:
    return lambda reader, context: build(reader.uint(width))


def _empty(build: Callable[[], Extension]) -> _Decoder:
    return lambda reader, context: build()


_ALL_STATUS = (_CH, _CR, _CT)
# RFC 8446 §4.2 (and RFC 6066, 7250, 7301, 8449 for theirs): which message may carry what.
_DECODERS: dict[tuple[int, ExtensionContext], _Decoder] = {
    **{(ExtensionType.SERVER_NAME, c): _decode_server_name for c in (_CH, _EE)},
    **{(ExtensionType.MAX_FRAGMENT_LENGTH, c): _decode_max_fragment_length for c in (_CH, _EE)},
    **{(ExtensionType.STATUS_REQUEST, c): (lambda r, _c: StatusRequest(data=r.read(r.remaining))) for c in _ALL_STATUS},
    **{(ExtensionType.SUPPORTED_GROUPS, c): _decode_supported_groups for c in (_CH, _EE)},
    **{(ExtensionType.SIGNATURE_ALGORITHMS, c): _decode_signature_algorithms for c in (_CH, _CR)},
    **{(ExtensionType.SIGNATURE_ALGORITHMS_CERT, c): _decode_signature_algorithms_cert for c in (_CH, _CR)},
    (ExtensionType.SUPPORTED_VERSIONS, _CH): lambda r, c: SupportedVersions(versions=r.uint16_list(1, 2, 254)),
    (ExtensionType.SUPPORTED_VERSIONS, _SH): _single(lambda v: SelectedVersion(version=v), 2),
    (ExtensionType.SUPPORTED_VERSIONS, _HRR): _single(lambda v: SelectedVersion(version=v), 2),
    (ExtensionType.KEY_SHARE, _CH): _decode_key_share_client_hello,
    (ExtensionType.KEY_SHARE, _SH): lambda r, c: KeyShareServerHello(server_share=_decode_key_share_entry(r)),
    (ExtensionType.KEY_SHARE, _HRR): _single(lambda g: KeyShareHelloRetryRequest(selected_group=g), 2),
    **{(ExtensionType.COOKIE, c): (lambda r, _c: Cookie(cookie=r.opaque(2, 1))) for c in (_CH, _HRR)},
    (ExtensionType.PSK_KEY_EXCHANGE_MODES, _CH): _bytes_list(lambda m: PskKeyExchangeModes(modes=m)),
    (ExtensionType.PRE_SHARED_KEY, _CH): decode_pre_shared_key_offer,
    (ExtensionType.PRE_SHARED_KEY, _SH): _single(lambda i: PreSharedKeySelected(selected_identity=i), 2),
    **{(ExtensionType.EARLY_DATA, c): decode_early_data for c in (_CH, _EE, _NST)},
    **{(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION, c): _decode_alpn for c in (_CH, _EE)},
    **{(ExtensionType.RECORD_SIZE_LIMIT, c): _decode_record_size_limit for c in (_CH, _EE)},
    (ExtensionType.CLIENT_CERTIFICATE_TYPE, _CH): _bytes_list(
        lambda t: ClientCertificateTypeOffer(certificate_types=t)
    ),
    (ExtensionType.CLIENT_CERTIFICATE_TYPE, _EE): _single(
        lambda t: ClientCertificateTypeSelected(certificate_type=t), 1
    ),
    (ExtensionType.SERVER_CERTIFICATE_TYPE, _CH): _bytes_list(
        lambda t: ServerCertificateTypeOffer(certificate_types=t)
    ),
    (ExtensionType.SERVER_CERTIFICATE_TYPE, _EE): _single(
        lambda t: ServerCertificateTypeSelected(certificate_type=t), 1
    ),
    **{(ExtensionType.CERTIFICATE_AUTHORITIES, c): _decode_certificate_authorities for c in (_CH, _CR)},
}
_RECOGNISED_TYPES = frozenset(extension_type for extension_type, _ in _DECODERS)
# The same table split by context: one (Python-level) enum hash per block, not per extension.
_DECODERS_BY_CONTEXT: dict[ExtensionContext, dict[int, _Decoder]] = {
    context: {extension_type: decoder for (extension_type, where), decoder in _DECODERS.items() if where is context}
    for context in ExtensionContext
}


def decode_extensions(reader: Reader, context: ExtensionContext, *, minimum: int = 0) -> tuple[Extension, ...]:
    """Decode ``Extension extensions<minimum..2^16-1>`` (RFC 8446 §4.2) from ``reader``: each
    entry is ``ExtensionType extension_type; opaque extension_data<0..2^16-1>``, cut and decoded
    in one pass."""
    data, position, end = reader.extension_block(minimum)
    if position == end:
        return ()
    extensions: list[Extension] = []
    seen: set[int] = set()
    decoders = _DECODERS_BY_CONTEXT[context]
    while position < end:
        start = position + 4
        if start > end:
            raise DecodeErrorAlert("truncated input")
        stop = start + ((data[position + 2] << 8) | data[position + 3])
        if stop > end:
            raise DecodeErrorAlert("vector length exceeds the enclosing structure")
        extension_type = (data[position] << 8) | data[position + 1]
        position = stop
        if extension_type in seen:
            raise IllegalParameter("duplicate extension in one extension block")  # RFC 8446 §4.2
        seen.add(extension_type)
        decoder = decoders.get(extension_type)
        if decoder is None:
            if extension_type in _RECOGNISED_TYPES:
                # RFC 8446 §4.2: a recognised extension in a message not specified for it.
                raise IllegalParameter("extension not allowed in this message")
            extensions.append(UnknownExtension(extension_type=extension_type, data=data[start:stop]))
        elif extension_type in _REPEATED_TYPES:
            extensions.append(_decode_repeated(extension_type, context, data[start:stop]))
        else:
            entry = Reader(data, start, stop)
            extensions.append(decoder(entry, context))
            entry.expect_end("extension")
    return tuple(extensions)


# Extensions whose data is the same on every connection from one peer configuration (its
# offers and answers, unlike key shares, PSK identities and binders, cookies or padding).  A
# decoding is a frozen value that depends only on (type, message, bytes), so it is memoised by
# them, bounded; a decoding failure raises every time (exceptions are not cached).
_REPEATED_TYPES = frozenset(
    {
        ExtensionType.SERVER_NAME,
        ExtensionType.MAX_FRAGMENT_LENGTH,
        ExtensionType.SUPPORTED_GROUPS,
        ExtensionType.SIGNATURE_ALGORITHMS,
        ExtensionType.SIGNATURE_ALGORITHMS_CERT,
        ExtensionType.SUPPORTED_VERSIONS,
        ExtensionType.PSK_KEY_EXCHANGE_MODES,
        ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
        ExtensionType.RECORD_SIZE_LIMIT,
        ExtensionType.CLIENT_CERTIFICATE_TYPE,
        ExtensionType.SERVER_CERTIFICATE_TYPE,
        ExtensionType.CERTIFICATE_AUTHORITIES,
    }
)


@functools.lru_cache(maxsize=256)
def _decode_repeated(extension_type: int, context: ExtensionContext, data: bytes) -> Extension:
    reader = Reader(data)
    extension = _DECODERS_BY_CONTEXT[context][extension_type](reader, context)
    reader.expect_end("extension")
    return extension


def encode_extensions(writer: Writer, extensions: Sequence[Extension]) -> None:
    """Encode an extension block with its 2-byte length, in the given order."""
    writer.write(extension_block(extensions))


def extension_block(extensions: Sequence[Extension]) -> bytes:
    """``Extension extensions<0..2^16-1>`` (RFC 8446 §4.2) as bytes, length included."""
    remembered = _REMEMBERED_ENCODINGS
    parts = []
    for extension in extensions:
        entry = remembered.get(id(extension))
        if entry is not None and entry[0] is extension:
            parts.append(entry[1])
            continue
        body = Writer()
        extension.encode_data(body)
        data = body.getvalue()
        extension_type = extension.extension_type
        if not 0 <= extension_type <= 0xFFFF or len(data) > 0xFFFF:
            raise EncodeError("extension type or data does not fit its field")
        parts.append(_TYPE_AND_LENGTH.pack(extension_type, len(data)) + data)
    block = b"".join(parts)
    if len(block) > 0xFFFF:
        raise EncodeError(f"extension block of {len(block)} bytes does not fit a 2-byte length")
    return len(block).to_bytes(2, "big") + block


_TYPE_AND_LENGTH = struct.Struct(">HH")


# Wire forms (type || length || data) of extension objects that are sent again and again (the
# parts of a ClientHello fixed by its configuration), keyed by ``id``; each entry holds its object,
# so the id stays valid until ``forget_encoding``.  Extensions are frozen, so the bytes stay right.
_REMEMBERED_ENCODINGS: dict[int, tuple[Extension, bytes]] = {}


def remember_encoding(extension: Extension) -> None:
    """Encode ``extension`` once; ``encode_extensions`` then copies those bytes for this object.
    The caller must ``forget_encoding`` it when it stops reusing the object."""
    writer = Writer()
    encode_extensions(writer, (extension,))
    _REMEMBERED_ENCODINGS[id(extension)] = (extension, writer.getvalue()[2:])  # minus the block length


def forget_encoding(extension: Extension) -> None:
    entry = _REMEMBERED_ENCODINGS.get(id(extension))
    if entry is not None and entry[0] is extension:
        del _REMEMBERED_ENCODINGS[id(extension)]


class ExtensionIndex:
    """A decoded extension block indexed by class, built in one pass (the decoder already
    refused duplicates, RFC 8446 §4.2, so each class maps to at most one extension)."""

    __slots__ = ("_by_class",)

    def __init__(self, extensions: Sequence[Extension]) -> None:
        # Keyed by the exact class, so the value under ``kind`` is always a ``kind``.
        self._by_class: dict[type, Any] = {type(extension): extension for extension in extensions}

    def get(self, kind: type[_E]) -> _E | None:
        found: _E | None = self._by_class.get(kind)
        return found


def find_extension(extensions: Sequence[Extension], kind: type[_E]) -> _E | None:
    """The extension of class ``kind`` in the block, or None."""
    for extension in extensions:
        if isinstance(extension, kind):
            return extension
    return None
