"""Client handshake handlers (RFC 8446 §2, §4; state machine of §A.1).

Each handler takes the ``HandshakeContext`` and one reassembled handshake message and
returns the next ``State``; ``states.CLIENT_TRANSITIONS`` says which handler runs in
which state.  ``start_client`` builds and queues the first ClientHello.
"""

from __future__ import annotations

import ipaddress
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ratscore.x509 import Purpose

from .alerts import (
    DecodeErrorAlert,
    IllegalParameter,
    MissingExtension,
    ProtocolVersion,
    UnexpectedMessage,
    UnsupportedCertificate,
)
from .codec import HandshakeMessage, Writer, encode_handshake
from .config import TLSConfig
from .enums import (
    CIPHER_SUITES_BY_CODE,
    DOWNGRADE_TLS11,
    DOWNGRADE_TLS12,
    NAMED_GROUPS_BY_CODE,
    TLS12_VERSION,
    TLS13_VERSION,
    CertificateType,
    CipherSuite,
    ExtensionType,
    HandshakeType,
    NamedGroup,
)
from .events import HandshakeCompleted, HelloRetryRequested
from .extensions import (
    ApplicationLayerProtocolNegotiation,
    ClientCertificateTypeOffer,
    ClientCertificateTypeSelected,
    Cookie,
    Extension,
    ExtensionIndex,
    KeyShareClientHello,
    KeyShareEntry,
    KeyShareHelloRetryRequest,
    KeyShareServerHello,
    MaxFragmentLengthExtension,
    RecordSizeLimit,
    SelectedVersion,
    ServerCertificateTypeOffer,
    ServerCertificateTypeSelected,
    ServerName,
    SignatureAlgorithms,
    SignatureAlgorithmsCert,
    SupportedGroups,
    SupportedVersions,
    extension_block,
    find_extension,
    forget_encoding,
    remember_encoding,
)
from .handshake_common import HandshakeContext, State
from .handshake_post import handle_key_update
from .messages import (
    ClientHello,
    ServerHello,
    decode_certificate_memoised,
    decode_certificate_request,
    decode_certificate_verify,
    decode_encrypted_extensions_memoised,
    decode_new_session_ticket,
    decode_server_hello,
)

__all__ = [
    "handle_certificate",
    "handle_certificate_request",
    "handle_certificate_verify",
    "handle_encrypted_extensions",
    "handle_finished",
    "handle_key_update",
    "handle_new_session_ticket",
    "handle_server_hello",
    "handle_server_hello_after_retry",
    "start_client",
]


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class _ClientHelloTemplate:
    """What a configuration fixes in every ClientHello it sends: the extensions before the
    cookie and the key shares (encoded once, see ``remember_encoding``) and the offers."""

    config: TLSConfig  # held so that ``id(config)``, the cache key, cannot be reused
    fixed_extensions: tuple[Extension, ...]
    offered_extension_types: frozenset[int]
    cipher_suites: tuple[int, ...]
    signature_schemes: tuple[int, ...]
    # The same, encoded: ``cipher_suites<2..2^16-2> || legacy_compression_methods`` and the
    # fixed extensions' wire forms, for ``_encode_first_client_hello``.
    suites_and_compression: bytes
    fixed_extension_bytes: bytes


_TEMPLATE_CACHE_SIZE = 64
_templates: OrderedDict[int, _ClientHelloTemplate] = OrderedDict()
_templates_lock = threading.Lock()


def _template(ctx: HandshakeContext) -> _ClientHelloTemplate:
    config = ctx.config
    template = _templates.get(id(config))
    if template is not None and template.config is config:
        return template
    template = _build_template(ctx)
    with _templates_lock:
        _templates[id(config)] = template
        while len(_templates) > _TEMPLATE_CACHE_SIZE:
            _, evicted = _templates.popitem(last=False)
            for extension in evicted.fixed_extensions:
                forget_encoding(extension)
    for extension in template.fixed_extensions:
        remember_encoding(extension)
    return template


def _build_template(ctx: HandshakeContext) -> _ClientHelloTemplate:
    config = ctx.config
    extensions: list[Extension] = []
    # RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"."
    if config.server_name is not None and not _is_ip_literal(config.server_name):
        extensions.append(ServerName(host_name=config.server_name))
    extensions.append(SupportedGroups(groups=tuple(config.groups)))
    extensions.append(SignatureAlgorithms(schemes=tuple(config.signature_schemes)))
    if config.certificate_signature_schemes is not None:
        extensions.append(SignatureAlgorithmsCert(schemes=tuple(config.certificate_signature_schemes)))
    if config.alpn_protocols:
        extensions.append(ApplicationLayerProtocolNegotiation(protocols=config.alpn_protocols))
    if config.record_size_limit is not None:
        extensions.append(RecordSizeLimit(limit=config.record_size_limit))
    if config.max_fragment_length is not None:
        extensions.append(MaxFragmentLengthExtension(length=config.max_fragment_length))
    # RFC 7250 §4.1: offer non-X.509 certificate types only when configured.
    if not config.accepts_x509_only:
        extensions.append(ServerCertificateTypeOffer(certificate_types=tuple(config.peer_certificate_types)))
    own_types = _presentable_types(ctx)
    if own_types and own_types != (CertificateType.X509,):
        extensions.append(ClientCertificateTypeOffer(certificate_types=own_types))
    # RFC 8446 §4.2.1: supported_versions MUST be sent; we offer TLS 1.3 only.
    extensions.append(SupportedVersions(versions=(TLS13_VERSION,)))
    offered = frozenset(extension.extension_type for extension in extensions) | {ExtensionType.KEY_SHARE}
    suites = Writer()
    suites.uint16_list(2, tuple(config.cipher_suites))
    suites.opaque(1, b"\x00")  # RFC 8446 §4.1.2: legacy_compression_methods, the null method only
    return _ClientHelloTemplate(
        config=config,
        fixed_extensions=tuple(extensions),
        offered_extension_types=offered,
        cipher_suites=tuple(config.cipher_suites),
        signature_schemes=tuple(config.signature_schemes),
        suites_and_compression=suites.getvalue(),
        fixed_extension_bytes=extension_block(extensions)[2:],
    )


def _encode_first_client_hello(ctx: HandshakeContext, template: _ClientHelloTemplate) -> bytes:
    """ClientHello1 (RFC 8446 §4.1.2) as bytes: the template's constant parts around this
    connection's random, legacy_session_id and key shares.  The same bytes as encoding the
    ``ClientHello`` of ``_client_hello(ctx, None)`` (tests compare the two), without building
    the message objects for every connection."""
    shares = b"".join(
        [
            _KEY_SHARE_ENTRY_HEAD.pack(group, len(key.public_key().data)) + key.public_key().data
            for group, key in ctx.key_share_private_keys.items()
        ]
    )
    key_share = _KEY_SHARE_HEAD.pack(ExtensionType.KEY_SHARE, len(shares) + 2, len(shares)) + shares
    extensions = template.fixed_extension_bytes + key_share
    session_id = ctx.legacy_session_id
    body = b"".join(
        (
            _LEGACY_VERSION,
            ctx.client_random,
            bytes((len(session_id),)),
            session_id,
            template.suites_and_compression,
            len(extensions).to_bytes(2, "big"),
            extensions,
        )
    )
    return encode_handshake(HandshakeType.CLIENT_HELLO, body)


_LEGACY_VERSION = TLS12_VERSION.to_bytes(2, "big")  # RFC 8446 §4.1.2: legacy_version = 0x0303
_KEY_SHARE_HEAD = struct.Struct(">HHH")  # extension_type, extension_data length, client_shares length
_KEY_SHARE_ENTRY_HEAD = struct.Struct(">HH")  # KeyShareEntry: group, key_exchange length


def _client_hello(ctx: HandshakeContext, cookie: bytes | None) -> ClientHello:
    template = _template(ctx)
    shares = KeyShareClientHello(
        client_shares=tuple(
            KeyShareEntry(group=group, key_exchange=private_key.public_key().data)
            for group, private_key in ctx.key_share_private_keys.items()
        )
    )
    if cookie is None:
        extensions = (*template.fixed_extensions, shares)
        ctx.offered_extension_types = template.offered_extension_types
    else:
        # RFC 8446 §4.2.2: echo the HelloRetryRequest's cookie.
        extensions = (*template.fixed_extensions, Cookie(cookie=cookie), shares)
        ctx.offered_extension_types = template.offered_extension_types | {ExtensionType.COOKIE}
    ctx.offered_signature_algorithms = template.signature_schemes
    return ClientHello(
        random=ctx.client_random,
        legacy_session_id=ctx.legacy_session_id,
        cipher_suites=template.cipher_suites,
        extensions=extensions,
    )


def _presentable_types(ctx: HandshakeContext) -> tuple[CertificateType, ...]:
    """The certificate types we can present: X.509 needs a chain, a raw key only the key."""
    config = ctx.config
    if config.private_key is None:
        return ()
    return tuple(
        certificate_type
        for certificate_type in config.certificate_types
        if certificate_type is not CertificateType.X509 or config.certificate_chain
    )


def _selected_certificate_type(selected: int | None, acceptable: tuple[CertificateType, ...]) -> CertificateType:
    """RFC 7250 §4.2: the server's choice (absent: X.509) must be one we offered."""
    if selected is None:
        if CertificateType.X509 not in acceptable:
            # RFC 7250 §4.2: without the extension the server uses X.509, which we cannot accept.
            raise UnsupportedCertificate("the server did not agree to a raw public key")
        return CertificateType.X509
    if selected not in acceptable:
        raise IllegalParameter("the server selected a certificate type we did not offer")
    return CertificateType(selected)


def _generate_share(ctx: HandshakeContext, group: NamedGroup) -> None:
    key_type = group.key_type
    assert key_type is not None  # TLSConfig admits implemented groups only
    ctx.key_share_private_keys[group] = ctx.crypto.generate_private_key(key_type)


def start_client(ctx: HandshakeContext) -> State:
    """Queue ClientHello1 (RFC 8446 §4.1.2)."""
    ctx.client_random = ctx.crypto.random_bytes(32)
    # RFC 8446 §D.4: in compatibility mode the client sets a 32-byte legacy_session_id.
    if ctx.config.middlebox_compatibility:
        ctx.legacy_session_id = ctx.crypto.random_bytes(32)
    for group in ctx.config.offered_key_share_groups:
        _generate_share(ctx, group)
    template = _template(ctx)
    ctx.offered_extension_types = template.offered_extension_types
    ctx.offered_signature_algorithms = template.signature_schemes
    ctx.queue_handshake(_encode_first_client_hello(ctx, template))
    # RFC 8446 §5.1: the initial ClientHello MAY use legacy_record_version 0x0301.
    ctx.flush_flight(legacy_record_version=0x0301)
    ctx.record_layer.accept_change_cipher_spec = True  # RFC 8446 §5
    return State.CLIENT_WAIT_SERVER_HELLO


def _check_common_server_hello(ctx: HandshakeContext, hello: ServerHello) -> CipherSuite:
    """Checks shared by ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4)."""
    selected = find_extension(hello.extensions, SelectedVersion)
    if selected is None:
        # RFC 8446 §4.1.3: a TLS 1.3 client seeing TLS 1.2 or below "MUST check that the last 8
        # bytes are not equal to either of these values ... [else] "illegal_parameter""
        if hello.random[-8:] in (DOWNGRADE_TLS12, DOWNGRADE_TLS11):
            raise IllegalParameter("downgrade sentinel in ServerHello.random")
        raise ProtocolVersion("the server does not speak TLS 1.3")
    # RFC 8446 §4.2.1: a version not offered or prior to TLS 1.3 -> "illegal_parameter".
    if selected.version != TLS13_VERSION or hello.legacy_version != TLS12_VERSION:
        raise IllegalParameter("the server selected a version we did not offer")
    # RFC 8446 §4.1.3: a session id echo that does not match -> "illegal_parameter".
    if hello.legacy_session_id_echo != ctx.legacy_session_id:
        raise IllegalParameter("legacy_session_id_echo does not match")
    # RFC 8446 §4.1.3: "legacy_compression_method: A single byte which MUST have the value 0."
    if hello.legacy_compression_method != 0:
        raise IllegalParameter("non-zero compression method")
    # RFC 8446 §4.1.3: "A client which receives a cipher suite that was not offered MUST abort".
    if hello.cipher_suite not in ctx.config.cipher_suites:
        raise IllegalParameter("the server selected a cipher suite we did not offer")
    return CIPHER_SUITES_BY_CODE[hello.cipher_suite]


def handle_server_hello(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    hello = decode_server_hello(message.body)
    if hello.is_hello_retry_request:
        return _handle_hello_retry_request(ctx, hello, message)
    return _handle_real_server_hello(ctx, hello, message)


def handle_server_hello_after_retry(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    hello = decode_server_hello(message.body)
    if hello.is_hello_retry_request:
        # RFC 8446 §4.1.4: a second HelloRetryRequest -> "unexpected_message".
        raise UnexpectedMessage("second HelloRetryRequest")
    return _handle_real_server_hello(ctx, hello, message)


def _handle_hello_retry_request(ctx: HandshakeContext, hello: ServerHello, message: HandshakeMessage) -> State:
    suite = _check_common_server_hello(ctx, hello)
    # RFC 8446 §4.1.4: HRR extensions not offered in ClientHello (cookie excepted) -> unsupported_extension.
    allowed = frozenset({ExtensionType.SUPPORTED_VERSIONS, ExtensionType.KEY_SHARE, ExtensionType.COOKIE})
    ctx.reject_unoffered([extension.extension_type for extension in hello.extensions], allowed)
    key_share = find_extension(hello.extensions, KeyShareHelloRetryRequest)
    cookie = find_extension(hello.extensions, Cookie)
    selected_group: NamedGroup | None = None
    if key_share is not None:
        # RFC 8446 §4.2.8: selected_group MUST be in supported_groups and MUST NOT already have
        # had a key share; otherwise "illegal_parameter".
        if key_share.selected_group not in ctx.config.groups:
            raise IllegalParameter("HelloRetryRequest selected a group we did not offer")
        selected_group = NamedGroup(key_share.selected_group)
        if selected_group in ctx.key_share_private_keys:
            raise IllegalParameter("HelloRetryRequest selected a group we already sent a share for")
    if key_share is None and cookie is None:
        # RFC 8446 §4.1.4: an HRR that "would not result in any change in the ClientHello" -> illegal_parameter.
        raise IllegalParameter("HelloRetryRequest changes nothing")
    ctx.start_key_schedule(suite)
    # RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash(Hash(ClientHello1)).
    ctx.transcript.replace_client_hello_with_message_hash()
    ctx.transcript.add(message.raw)
    ctx.hello_retry_request = True
    if selected_group is not None:
        ctx.key_share_private_keys.clear()
        _generate_share(ctx, selected_group)
    # RFC 8446 §D.4: the dummy CCS goes before the second flight (here: before ClientHello2).
    if ctx.config.middlebox_compatibility:
        ctx.send_change_cipher_spec_once()
    ctx.queue_handshake(_client_hello(ctx, None if cookie is None else cookie.cookie).encode())
    ctx.flush_flight()
    ctx.events.append(HelloRetryRequested(selected_group=selected_group, cookie=cookie is not None))
    return State.CLIENT_WAIT_SERVER_HELLO_AFTER_RETRY


# RFC 8446 §4.1.3: what a ServerHello may carry (pre_shared_key too, but we never offer it).
_SERVER_HELLO_EXTENSIONS = frozenset({ExtensionType.SUPPORTED_VERSIONS, ExtensionType.KEY_SHARE})


def _handle_real_server_hello(ctx: HandshakeContext, hello: ServerHello, message: HandshakeMessage) -> State:
    suite = _check_common_server_hello(ctx, hello)
    # RFC 8446 §4.1.4: the ServerHello suite must equal the HelloRetryRequest's.
    if ctx.cipher_suite is not None and suite is not ctx.cipher_suite:
        raise IllegalParameter("ServerHello cipher suite differs from the HelloRetryRequest's")
    # RFC 8446 §4.2: only supported_versions and key_share answer what we offered (no PSK).
    ctx.reject_unoffered([extension.extension_type for extension in hello.extensions], _SERVER_HELLO_EXTENSIONS)
    key_share = find_extension(hello.extensions, KeyShareServerHello)
    if key_share is None:
        raise MissingExtension("ServerHello without key_share")  # RFC 8446 §9.2
    share = key_share.server_share
    # RFC 8446 §4.2.8: the server's share MUST be in a group we sent a share for.
    if share.group not in ctx.key_share_private_keys:
        raise IllegalParameter("ServerHello key share for a group we did not offer")
    group = NAMED_GROUPS_BY_CODE[share.group]
    peer = ctx.load_peer_share(group, share.key_exchange)
    shared = ctx.shared_secret(ctx.key_share_private_keys[group], peer)
    ctx.key_share_private_keys.clear()
    if ctx.cipher_suite is None:
        ctx.start_key_schedule(suite)
    ctx.group = group
    ctx.transcript.add(message.raw)
    ctx.derive_handshake_keys(shared)
    # RFC 8446 §5.1: handshake messages MUST NOT span a key change.
    ctx.reassembler.ensure_aligned()
    ctx.record_layer.set_read_key(suite, ctx.server_handshake_traffic_secret)
    ctx.record_layer.set_write_key(suite, ctx.client_handshake_traffic_secret)
    return State.CLIENT_WAIT_ENCRYPTED_EXTENSIONS


# RFC 8446 §4.2: extensions of the ClientHello that EncryptedExtensions must not answer.
_NOT_ANSWERED_IN_ENCRYPTED_EXTENSIONS = frozenset(
    {
        ExtensionType.SUPPORTED_VERSIONS,
        ExtensionType.KEY_SHARE,
        ExtensionType.SIGNATURE_ALGORITHMS,
        ExtensionType.SIGNATURE_ALGORITHMS_CERT,
        ExtensionType.COOKIE,
    }
)


def handle_encrypted_extensions(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    extensions = decode_encrypted_extensions_memoised(message.body).extensions
    if extensions:
        # RFC 8446 §4.2: responses only to what we offered; supported_groups may always come (§4.2.7).
        allowed = ctx.offered_extension_types - _NOT_ANSWERED_IN_ENCRYPTED_EXTENSIONS
        ctx.reject_unoffered(
            [extension.extension_type for extension in extensions], allowed | {ExtensionType.SUPPORTED_GROUPS}
        )
    ctx.transcript.add(message.raw)
    answered = ExtensionIndex(extensions)
    if answered.get(ServerName) is not None:
        ctx.server_name = ctx.config.server_name
    alpn = answered.get(ApplicationLayerProtocolNegotiation)
    if alpn is not None:
        # RFC 7301 §3.2: the server's choice must be one the client offered.
        if alpn.protocols[0] not in ctx.config.alpn_protocols:
            raise IllegalParameter("the server selected an ALPN protocol we did not offer")
        ctx.alpn_protocol = alpn.protocols[0]
    limit = answered.get(RecordSizeLimit)
    if limit is not None:
        # RFC 8449 §4: never send a record larger than the peer's limit; enforce ours now that
        # the server has shown it understands the extension.
        ctx.record_layer.set_send_record_size_limit(limit.limit)
        if ctx.config.record_size_limit is not None:
            ctx.record_layer.set_receive_record_size_limit(ctx.config.record_size_limit)
    server_type = answered.get(ServerCertificateTypeSelected)
    ctx.peer_certificate_type = _selected_certificate_type(
        None if server_type is None else server_type.certificate_type, tuple(ctx.config.peer_certificate_types)
    )
    client_type = answered.get(ClientCertificateTypeSelected)
    if client_type is not None:
        ctx.local_certificate_type = _selected_certificate_type(client_type.certificate_type, _presentable_types(ctx))
    fragment = answered.get(MaxFragmentLengthExtension)
    if fragment is not None:
        # RFC 6066 §4: the echoed value must equal the requested one, else illegal_parameter.
        if fragment.length != ctx.config.max_fragment_length:
            raise IllegalParameter("max_fragment_length echo differs from the request")
        if limit is None:
            ctx.record_layer.set_send_record_size_limit(fragment.length.size + 1)
            ctx.record_layer.set_receive_record_size_limit(fragment.length.size + 1)
    return State.CLIENT_WAIT_CERTIFICATE_OR_REQUEST


def handle_certificate_request(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    request = decode_certificate_request(message.body)
    # RFC 8446 §4.3.2: in the main handshake the context "SHALL be zero length".
    if request.certificate_request_context:
        raise IllegalParameter("non-empty certificate_request_context in the handshake")
    algorithms = find_extension(request.extensions, SignatureAlgorithms)
    if algorithms is None:
        raise MissingExtension("CertificateRequest without signature_algorithms")  # RFC 8446 §4.3.2
    ctx.transcript.add(message.raw)
    ctx.certificate_requested = True
    ctx.peer_signature_algorithms = algorithms.schemes
    return State.CLIENT_WAIT_CERTIFICATE


def handle_certificate(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    certificate = decode_certificate_memoised(message.body)
    if certificate.certificate_request_context:
        raise IllegalParameter("non-empty certificate_request_context from the server")
    # RFC 8446 §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST
    # abort the handshake with a "decode_error" alert."
    if not certificate.entries:
        raise DecodeErrorAlert("empty server Certificate")
    ctx.accept_peer_certificate(certificate, Purpose.SERVER_AUTH)
    ctx.transcript.add(message.raw)
    return State.CLIENT_WAIT_CERTIFICATE_VERIFY


def handle_certificate_verify(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    ctx.verify_peer_certificate_verify(decode_certificate_verify(message.body), ctx.offered_signature_algorithms)
    ctx.transcript.add(message.raw)
    return State.CLIENT_WAIT_FINISHED


def handle_finished(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    suite = ctx.cipher_suite
    assert suite is not None and ctx.group is not None
    ctx.verify_peer_finished(message)
    ctx.transcript.add(message.raw)
    ctx.derive_application_keys()
    ctx.reassembler.ensure_aligned()  # RFC 8446 §5.1
    ctx.record_layer.set_read_key(suite, ctx.server_application_traffic_secret)
    ctx.record_layer.accept_change_cipher_spec = False  # RFC 8446 §5: the peer's Finished arrived
    # RFC 8446 §D.4: the dummy CCS before the second flight, unless sent before ClientHello2.
    if ctx.config.middlebox_compatibility:
        ctx.send_change_cipher_spec_once()
    if ctx.certificate_requested:
        scheme = ctx.select_signature_scheme(ctx.peer_signature_algorithms)
        # RFC 8446 §4.4.2: with no suitable certificate the client sends an empty Certificate.
        ctx.queue_certificate(ctx.certificate_request_context, send_chain=scheme is not None)
        if scheme is not None:
            ctx.queue_certificate_verify(scheme)
    ctx.queue_finished()
    ctx.flush_flight()
    ctx.record_layer.set_write_key(suite, ctx.client_application_traffic_secret)
    ctx.events.append(
        HandshakeCompleted(
            version=TLS13_VERSION,
            cipher_suite=suite,
            group=ctx.group,
            peer_signature_scheme=ctx.peer_signature_scheme,
            signature_scheme=ctx.signature_scheme,
            peer_certificate_chain=ctx.peer_certificate_chain,
            alpn_protocol=ctx.alpn_protocol,
            server_name=ctx.server_name,
            hello_retry_request=ctx.hello_retry_request,
        )
    )
    return State.CONNECTED


def handle_new_session_ticket(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    """Attested connections never resume (draft-fossati-seat-expat): check and discard."""
    decode_new_session_ticket(message.body)
    return State.CONNECTED
