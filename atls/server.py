"""Server handshake handlers (RFC 8446 §2, §4; state machine of §A.2).

The server answers a ClientHello with one flight: ServerHello (plaintext), then
EncryptedExtensions, [CertificateRequest], Certificate, CertificateVerify and Finished
under the handshake key, coalesced into as few records as the size limits allow.  A
ClientHello without a usable key share (or any first ClientHello when
``TLSConfig.hello_retry_cookie`` is set) gets a HelloRetryRequest instead.

No resumption and no 0-RTT (draft-fossati-seat-expat): a pre_shared_key offer is
ignored and the handshake is a full one; early_data is never accepted; no
NewSessionTicket is ever sent.
"""

from __future__ import annotations

import struct

from ratscore.x509 import Purpose

from .alerts import (
    CertificateRequired,
    HandshakeFailure,
    IllegalParameter,
    InternalError,
    MissingExtension,
    NoApplicationProtocol,
    ProtocolVersion,
)
from .codec import HandshakeMessage, encode_handshake
from .config import ClientAuthentication
from .enums import (
    HELLO_RETRY_REQUEST_RANDOM,
    TLS12_VERSION,
    TLS13_VERSION,
    CertificateType,
    CipherSuite,
    ExtensionType,
    HandshakeType,
    NamedGroup,
)
from .events import HandshakeCompleted
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
    remember_encoding,
)
from .handshake_common import HandshakeContext, State
from .handshake_post import handle_key_update
from .messages import (
    CertificateRequest,
    ClientHello,
    ServerHello,
    decode_certificate_memoised,
    decode_certificate_verify,
    decode_client_hello,
)
from .psk_extensions import EarlyDataIndication
from .record import MAX_INNER_PLAINTEXT_LENGTH

__all__ = [
    "handle_certificate",
    "handle_certificate_verify",
    "handle_client_hello",
    "handle_client_hello_after_retry",
    "handle_finished",
    "handle_key_update",
]


def _negotiate_suite(ctx: HandshakeContext, hello: ClientHello) -> CipherSuite:
    # RFC 8446 §4.1.1: the server picks; we prefer our own order.  None in common -> handshake_failure.
    for suite in ctx.config.cipher_suites:
        if suite in hello.cipher_suites:
            return suite
    raise HandshakeFailure("no cipher suite in common")


def _negotiate_alpn(ctx: HandshakeContext, offered: ExtensionIndex) -> bytes | None:
    offer = offered.get(ApplicationLayerProtocolNegotiation)
    if offer is None or not ctx.config.alpn_protocols:
        return None
    for protocol in ctx.config.alpn_protocols:
        if protocol in offer.protocols:
            return protocol
    # RFC 7301 §3.2: no overlap -> "no_application_protocol".
    raise NoApplicationProtocol("no ALPN protocol in common")


# Extensions every connection sends the same way: built and encoded once (``remember_encoding``).
_SELECTED_TLS13 = SelectedVersion(version=TLS13_VERSION)
_SERVER_NAME_ACKNOWLEDGED = ServerName(host_name=None)
remember_encoding(_SELECTED_TLS13)
remember_encoding(_SERVER_NAME_ACKNOWLEDGED)

# RFC 8446 §4.2.10: how much rejected 0-RTT data we skip (our "configured max_early_data_size";
# we never accept early data, so this only bounds the work spent discarding it).
EARLY_DATA_SKIP_LIMIT = 1 << 16


def handle_client_hello(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    ctx.record_layer.accept_change_cipher_spec = True  # RFC 8446 §5: after the first ClientHello
    return _process_client_hello(ctx, decode_client_hello(message.body), message, retry=False)


def handle_client_hello_after_retry(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    return _process_client_hello(ctx, decode_client_hello(message.body), message, retry=True)


def _process_client_hello(
    ctx: HandshakeContext, hello: ClientHello, message: HandshakeMessage, *, retry: bool
) -> State:
    config = ctx.config
    offered = ExtensionIndex(hello.extensions)
    versions = offered.get(SupportedVersions)
    # RFC 8446 §4.2.1: without supported_versions the client speaks TLS 1.2 or older; we speak
    # only TLS 1.3 -> "protocol_version" (§4.1.2 / §6.2).
    if versions is None or TLS13_VERSION not in versions.versions:
        raise ProtocolVersion("the client does not offer TLS 1.3")
    # RFC 8446 §4.1.2: legacy_compression_methods MUST be exactly one zero byte, else illegal_parameter.
    if hello.legacy_compression_methods != b"\x00":
        raise IllegalParameter("legacy_compression_methods is not the single null method")
    suite = _negotiate_suite(ctx, hello)
    algorithms = offered.get(SignatureAlgorithms)
    groups = offered.get(SupportedGroups)
    key_share = offered.get(KeyShareClientHello)
    # RFC 8446 §9.2: certificate authentication needs signature_algorithms; (EC)DHE needs
    # supported_groups and key_share, each requiring the other -> "missing_extension".
    if algorithms is None or groups is None or key_share is None:
        raise MissingExtension("ClientHello lacks signature_algorithms, supported_groups or key_share")
    shares = {share.group: share for share in key_share.client_shares}
    # RFC 8446 §4.2.8: "Clients MUST NOT offer any KeyShareEntry values for groups not listed in
    # the client's "supported_groups" extension" (servers MAY check: illegal_parameter).
    offered_groups = groups.groups
    if any([group not in offered_groups for group in shares]):
        raise IllegalParameter("key share for a group not in supported_groups")
    chosen: NamedGroup | None = None
    for group in config.groups:  # our preference order
        if group in shares:
            chosen = group
            break

    # RFC 8446 §4.2.10: we reject any 0-RTT offer and skip the early data the client may send.
    offers_early_data = offered.get(EarlyDataIndication) is not None
    ctx.record_layer.early_data_skip_budget = EARLY_DATA_SKIP_LIMIT if offers_early_data else 0
    if retry:
        # RFC 8446 §4.1.2: ClientHello2 removes early_data: "Early data is not permitted after a
        # HelloRetryRequest."
        if offers_early_data:
            raise IllegalParameter("early_data offered again after a HelloRetryRequest")
        _check_second_client_hello(ctx, hello, offered, suite, shares)
    else:
        ctx.first_client_hello = hello
        if chosen is None or config.hello_retry_cookie:
            retry_group = None
            if chosen is None:
                retry_group = next((group for group in config.groups if group in groups.groups), None)
                if retry_group is None:
                    raise HandshakeFailure("no group in common")
            return _send_hello_retry_request(ctx, hello, message, suite, retry_group)
    if chosen is None:
        raise IllegalParameter("second ClientHello without a usable key share")

    _negotiate_certificate_types(ctx, offered)
    scheme = ctx.select_signature_scheme(algorithms.schemes)
    if scheme is None:
        raise HandshakeFailure("no signature scheme in common with our certificate")  # RFC 8446 §4.4.3
    ctx.peer_signature_algorithms = algorithms.schemes
    ctx.client_hello = hello
    ctx.alpn_protocol = _negotiate_alpn(ctx, offered)
    sni = offered.get(ServerName)
    ctx.server_name = None if sni is None else sni.host_name

    group = chosen
    peer = ctx.load_peer_share(group, shares[chosen].key_exchange)
    key_type = group.key_type
    assert key_type is not None
    private_key = ctx.crypto.generate_private_key(key_type)
    shared = ctx.shared_secret(private_key, peer)
    ctx.group = group
    if ctx.key_schedule is None:
        ctx.start_key_schedule(suite)
    ctx.transcript.add(message.raw)

    # RFC 8446 §4.1.3: echo the client's legacy_session_id.
    server_hello = encode_server_hello(
        ctx.crypto.random_bytes(32), hello.legacy_session_id, suite, group, private_key.public_key().data
    )
    ctx.queue_handshake(server_hello)
    ctx.flush_flight()
    # RFC 8446 §D.4: a server answering a non-empty legacy_session_id sends a dummy CCS right
    # after its first handshake message.
    if hello.legacy_session_id:
        ctx.send_change_cipher_spec_once()
    ctx.derive_handshake_keys(shared)
    ctx.reassembler.ensure_aligned()  # RFC 8446 §5.1
    ctx.record_layer.set_write_key(suite, ctx.server_handshake_traffic_secret)
    ctx.record_layer.set_read_key(suite, ctx.client_handshake_traffic_secret)

    ctx.queue_handshake(_encrypted_extensions(ctx, offered))
    if config.client_authentication is not ClientAuthentication.NONE:
        ctx.queue_handshake(_certificate_request(ctx))
    ctx.queue_certificate(b"", send_chain=True)
    ctx.queue_certificate_verify(scheme)
    ctx.queue_finished()
    ctx.flush_flight()
    ctx.derive_application_keys()
    ctx.record_layer.set_write_key(suite, ctx.server_application_traffic_secret)
    if config.client_authentication is not ClientAuthentication.NONE:
        return State.SERVER_WAIT_CERTIFICATE
    return State.SERVER_WAIT_FINISHED


def encode_server_hello(
    random: bytes, legacy_session_id_echo: bytes, suite: CipherSuite, group: NamedGroup, key_exchange: bytes
) -> bytes:
    """The ServerHello of a full handshake (RFC 8446 §4.1.3) with its two extensions, key_share
    then supported_versions: the bytes ``ServerHello(...).encode()`` gives for the same values
    (a test compares them), joined directly because every connection sends one."""
    if len(random) != 32 or len(legacy_session_id_echo) > 32 or not 0 < len(key_exchange) <= 0xFFFF:
        raise InternalError("ServerHello field out of range")
    key_share = _KEY_SHARE_HEAD.pack(ExtensionType.KEY_SHARE, 4 + len(key_exchange), group, len(key_exchange))
    extensions_length = len(key_share) + len(key_exchange) + len(_SUPPORTED_VERSIONS_TLS13)
    body = b"".join(
        (
            _LEGACY_VERSION,
            random,
            bytes((len(legacy_session_id_echo),)),
            legacy_session_id_echo,
            _SUITE_COMPRESSION_EXTENSIONS.pack(suite, 0, extensions_length),
            key_share,
            key_exchange,
            _SUPPORTED_VERSIONS_TLS13,
        )
    )
    return encode_handshake(HandshakeType.SERVER_HELLO, body)


_LEGACY_VERSION = TLS12_VERSION.to_bytes(2, "big")  # RFC 8446 §4.1.3: legacy_version = 0x0303
_SUITE_COMPRESSION_EXTENSIONS = struct.Struct(">HBH")  # cipher_suite, compression 0, extensions length
_KEY_SHARE_HEAD = struct.Struct(">HHHH")  # type, data length, KeyShareEntry.group, key_exchange length
_SUPPORTED_VERSIONS_TLS13 = struct.pack(">HHH", ExtensionType.SUPPORTED_VERSIONS, 2, TLS13_VERSION)


def _negotiate_certificate_types(ctx: HandshakeContext, offered: ExtensionIndex) -> None:
    """RFC 7250 §4.2: pick what we present from the client's server_certificate_type list and,
    when we will ask for a certificate, what it presents from its client_certificate_type list."""
    config = ctx.config
    server_offer = offered.get(ServerCertificateTypeOffer)
    if server_offer is None and config.certificate_chain and CertificateType.X509 in config.certificate_types:
        ctx.local_certificate_type = CertificateType.X509  # no offer means X.509, and we have a chain
    else:
        ours = tuple(
            certificate_type
            for certificate_type in config.certificate_types
            if certificate_type is not CertificateType.X509 or config.certificate_chain
        )
        ctx.local_certificate_type = ctx.choose_certificate_type(
            None if server_offer is None else server_offer.certificate_types, ours
        )
    if config.client_authentication is not ClientAuthentication.NONE:
        client_offer = offered.get(ClientCertificateTypeOffer)
        ctx.peer_certificate_type = ctx.choose_certificate_type(
            None if client_offer is None else client_offer.certificate_types, config.peer_certificate_types
        )


def _check_second_client_hello(
    ctx: HandshakeContext,
    hello: ClientHello,
    offered: ExtensionIndex,
    suite: CipherSuite,
    shares: dict[int, KeyShareEntry],
) -> None:
    """RFC 8446 §4.1.2: ClientHello2 repeats ClientHello1 except for the listed changes."""
    first = ctx.first_client_hello
    assert first is not None
    if hello.legacy_session_id != first.legacy_session_id or hello.cipher_suites != first.cipher_suites:
        raise IllegalParameter("second ClientHello differs from the first")
    # RFC 8446 §4.1.4: the suite chosen must stay the one of the HelloRetryRequest.
    if suite is not ctx.cipher_suite:
        raise IllegalParameter("second ClientHello changes the cipher suite choice")
    if ctx.group is not None and (len(shares) != 1 or ctx.group not in shares):
        # RFC 8446 §4.2.8: the new share MUST be for the group the HelloRetryRequest selected.
        raise IllegalParameter("second ClientHello does not answer the selected group")
    cookie = offered.get(Cookie)
    if (cookie.cookie if cookie is not None else None) != ctx.cookie:
        raise IllegalParameter("second ClientHello does not echo our cookie")  # RFC 8446 §4.2.2


def _make_cookie(ctx: HandshakeContext, first_hello_hash: bytes) -> bytes:
    factory = ctx.config.hello_retry_cookie_factory
    cookie = ctx.crypto.random_bytes(32) if factory is None else bytes(factory(first_hello_hash))
    if not 1 <= len(cookie) <= 0xFFFF:  # RFC 8446 §4.2.2: opaque cookie<1..2^16-1>
        raise InternalError("hello_retry_cookie_factory returned a cookie of the wrong length")
    return cookie


def _send_hello_retry_request(
    ctx: HandshakeContext, hello: ClientHello, message: HandshakeMessage, suite: CipherSuite, group: NamedGroup | None
) -> State:
    """RFC 8446 §4.1.4: ask for a share of ``group`` and/or echo a cookie."""
    ctx.start_key_schedule(suite)
    ctx.transcript.add(message.raw)
    first_hello_hash = ctx.transcript.digest()
    # RFC 8446 §4.4.1: ClientHello1 becomes message_hash(Hash(ClientHello1)).
    ctx.transcript.replace_client_hello_with_message_hash()
    # Extension order as in RFC 8448 §5: key_share, cookie, supported_versions.
    extensions: list[Extension] = []
    if group is not None:
        extensions.append(KeyShareHelloRetryRequest(selected_group=group))
    if ctx.config.hello_retry_cookie:
        ctx.cookie = _make_cookie(ctx, first_hello_hash)
        extensions.append(Cookie(cookie=ctx.cookie))
    extensions.append(_SELECTED_TLS13)
    retry = ServerHello(
        random=HELLO_RETRY_REQUEST_RANDOM,
        legacy_session_id_echo=hello.legacy_session_id,
        cipher_suite=suite,
        extensions=tuple(extensions),
    )
    ctx.queue_handshake(retry.encode())
    ctx.flush_flight()
    if hello.legacy_session_id:
        ctx.send_change_cipher_spec_once()  # RFC 8446 §D.4: may follow a HelloRetryRequest
    ctx.group = group
    ctx.hello_retry_request = True
    return State.SERVER_WAIT_CLIENT_HELLO_AFTER_RETRY


def _encrypted_extensions(ctx: HandshakeContext, offered: ExtensionIndex) -> bytes:
    config = ctx.config
    extensions: list[Extension] = []
    if config.advertised_groups is not None:
        extensions.append(SupportedGroups(groups=config.advertised_groups))  # RFC 8446 §4.2.7
    client_limit = offered.get(RecordSizeLimit)
    fragment = offered.get(MaxFragmentLengthExtension)
    if client_limit is not None:
        # RFC 8449 §4: answer with our limit and never send larger records than the client's.
        own_limit = config.record_size_limit or MAX_INNER_PLAINTEXT_LENGTH
        extensions.append(RecordSizeLimit(limit=own_limit))
        ctx.record_layer.set_send_record_size_limit(client_limit.limit)
        ctx.record_layer.set_receive_record_size_limit(own_limit)
    elif fragment is not None:
        # RFC 6066 §4 (RFC 8449 §5: ignored when record_size_limit is also present).
        extensions.append(MaxFragmentLengthExtension(length=fragment.length))
        ctx.record_layer.set_send_record_size_limit(fragment.length.size + 1)
        ctx.record_layer.set_receive_record_size_limit(fragment.length.size + 1)
    if ctx.server_name is not None:
        extensions.append(_SERVER_NAME_ACKNOWLEDGED)  # RFC 6066 §3: empty acknowledgement
    if ctx.alpn_protocol is not None:
        extensions.append(ApplicationLayerProtocolNegotiation(protocols=(ctx.alpn_protocol,)))
    # RFC 7250 §4.2: answer each certificate type extension the client sent with the chosen type;
    # client_certificate_type only together with a CertificateRequest.
    if offered.get(ServerCertificateTypeOffer) is not None:
        extensions.append(ServerCertificateTypeSelected(certificate_type=ctx.local_certificate_type))
    requests_certificate = config.client_authentication is not ClientAuthentication.NONE
    if requests_certificate and offered.get(ClientCertificateTypeOffer) is not None:
        extensions.append(ClientCertificateTypeSelected(certificate_type=ctx.peer_certificate_type))
    # = EncryptedExtensions(extensions=...).encode(), framed directly (one per connection)
    return encode_handshake(HandshakeType.ENCRYPTED_EXTENSIONS, extension_block(extensions))


def _certificate_request(ctx: HandshakeContext) -> bytes:
    """RFC 8446 §4.3.2: empty context in the main handshake; signature_algorithms is required."""
    config = ctx.config
    extensions: list[Extension] = [SignatureAlgorithms(schemes=tuple(config.signature_schemes))]
    if config.certificate_signature_schemes is not None:
        extensions.append(SignatureAlgorithmsCert(schemes=tuple(config.certificate_signature_schemes)))
    ctx.offered_signature_algorithms = tuple(config.signature_schemes)
    return CertificateRequest(certificate_request_context=b"", extensions=tuple(extensions)).encode()


def handle_certificate(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    certificate = decode_certificate_memoised(message.body)
    if certificate.certificate_request_context != ctx.certificate_request_context:
        raise IllegalParameter("client Certificate context differs from the request's")  # RFC 8446 §4.4.2
    if not certificate.entries:
        # RFC 8446 §4.4.2.4: a server that requires client authentication "MAY abort the
        # handshake with a "certificate_required" alert" on an empty Certificate.
        if ctx.config.client_authentication is ClientAuthentication.REQUIRE:
            raise CertificateRequired("the client sent no certificate")
        ctx.transcript.add(message.raw)
        return State.SERVER_WAIT_FINISHED
    ctx.accept_peer_certificate(certificate, Purpose.CLIENT_AUTH)
    ctx.transcript.add(message.raw)
    return State.SERVER_WAIT_CERTIFICATE_VERIFY


def handle_certificate_verify(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    ctx.verify_peer_certificate_verify(decode_certificate_verify(message.body), ctx.offered_signature_algorithms)
    ctx.transcript.add(message.raw)
    return State.SERVER_WAIT_FINISHED


def handle_finished(ctx: HandshakeContext, message: HandshakeMessage) -> State:
    suite = ctx.cipher_suite
    assert suite is not None and ctx.group is not None
    ctx.verify_peer_finished(message)
    ctx.transcript.add(message.raw)
    ctx.reassembler.ensure_aligned()  # RFC 8446 §5.1
    ctx.record_layer.set_read_key(suite, ctx.client_application_traffic_secret)
    ctx.record_layer.accept_change_cipher_spec = False  # RFC 8446 §5: the peer's Finished arrived
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
