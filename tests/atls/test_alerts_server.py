"""The server's alerts from crafted ClientHellos, client-side tampering and bad records.

Crafted ClientHellos start from our client's own ClientHello, decoded and re-encoded with
one change.  Plaintext alerts are checked byte for byte (RFC 8446 §5.1, §6).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from atls import alerts
from atls.codec import split_handshake_messages
from atls.connection import ClientConnection, ServerConnection
from atls.enums import CipherSuite, ContentType, NamedGroup, Role
from atls.events import AlertReceived, ConnectionClosed, DataReceived, HandshakeCompleted
from atls.extensions import (
    Extension,
    KeyShareClientHello,
    KeyShareEntry,
    SignatureAlgorithms,
    SupportedGroups,
    SupportedVersions,
    UnknownExtension,
)
from atls.handshake_common import HandshakeContext
from atls.messages import ClientHello, decode_client_hello, decode_server_hello
from atls.psk_extensions import PreSharedKeyOffer, PskIdentity, PskKeyExchangeModes
from atls.record import Record
from ratscore.crypto.types import CryptoProvider
from ratscore.errors import LocalProtocolError

from .connection_helpers import client_config, credentials, mutual_server_config, pump, server_config


def plaintext_alert(code: int) -> bytes:
    return bytes([21, 3, 3, 0, 2, 2, code])


def handshake_record(body: bytes) -> bytes:
    return Record(content_type=22, legacy_record_version=0x0301, fragment=body).encode()


def _our_client_hello(crypto: CryptoProvider, **changes: Any) -> ClientHello:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors, **changes))
    (message,) = split_handshake_messages(client.data_to_send()[5:])
    return decode_client_hello(message.body)


def _server(crypto: CryptoProvider, **changes: Any) -> ServerConnection:
    return ServerConnection(server_config(crypto, credentials(crypto, "p256"), **changes))


def _without(extension_type: int) -> Callable[[tuple[Extension, ...]], tuple[Extension, ...]]:
    return lambda extensions: tuple(e for e in extensions if e.extension_type != extension_type)


CH_CASES: list[tuple[str, Callable[[ClientHello], ClientHello], type[alerts.TLSAlert]]] = [
    # RFC 8446 §4.2.1: a ClientHello without supported_versions is TLS 1.2 -> protocol_version.
    (
        "tls12_client_hello",
        lambda h: dataclasses.replace(h, extensions=_without(43)(h.extensions)),
        alerts.ProtocolVersion,
    ),
    (
        "tls12_only_versions",
        lambda h: dataclasses.replace(
            h, extensions=(*_without(43)(h.extensions)[:-1], SupportedVersions(versions=(0x0303,)), h.extensions[-1])
        ),
        alerts.ProtocolVersion,
    ),
    ("tls12_no_extensions", lambda h: dataclasses.replace(h, extensions=()), alerts.ProtocolVersion),
    # RFC 8446 §9.2 -> missing_extension.
    (
        "no_signature_algorithms",
        lambda h: dataclasses.replace(h, extensions=_without(13)(h.extensions)),
        alerts.MissingExtension,
    ),
    ("no_key_share", lambda h: dataclasses.replace(h, extensions=_without(51)(h.extensions)), alerts.MissingExtension),
    (
        "no_supported_groups",
        lambda h: dataclasses.replace(h, extensions=_without(10)(h.extensions)),
        alerts.MissingExtension,
    ),
    # RFC 8446 §4.2: duplicate extension -> illegal_parameter.
    (
        "duplicate_extension",
        lambda h: dataclasses.replace(h, extensions=(h.extensions[0], *h.extensions)),
        alerts.IllegalParameter,
    ),
    # RFC 8446 §4.1.2: compression methods other than the single null -> illegal_parameter.
    ("compression", lambda h: dataclasses.replace(h, legacy_compression_methods=b"\x01\x00"), alerts.IllegalParameter),
    # RFC 8446 §4.1.1: no common cipher suite -> handshake_failure.
    ("no_common_suite", lambda h: dataclasses.replace(h, cipher_suites=(0x00FF, 0xC02F)), alerts.HandshakeFailure),
    (
        "no_common_group",
        lambda h: dataclasses.replace(
            h,
            extensions=tuple(
                SupportedGroups(groups=(0x0100,))
                if isinstance(e, SupportedGroups)
                else KeyShareClientHello(client_shares=())
                if isinstance(e, KeyShareClientHello)
                else e
                for e in h.extensions
            ),
        ),
        alerts.HandshakeFailure,
    ),
    (
        "share_outside_supported_groups",
        lambda h: dataclasses.replace(
            h,
            extensions=tuple(
                SupportedGroups(groups=(NamedGroup.SECP256R1,)) if isinstance(e, SupportedGroups) else e
                for e in h.extensions
            ),
        ),
        alerts.IllegalParameter,
    ),
    (
        "short_share",
        lambda h: dataclasses.replace(
            h,
            extensions=tuple(
                KeyShareClientHello(client_shares=(KeyShareEntry(group=NamedGroup.X25519, key_exchange=bytes(31)),))
                if isinstance(e, KeyShareClientHello)
                else e
                for e in h.extensions
            ),
        ),
        alerts.IllegalParameter,
    ),
    (
        "low_order_share",
        lambda h: dataclasses.replace(
            h,
            extensions=tuple(
                KeyShareClientHello(client_shares=(KeyShareEntry(group=NamedGroup.X25519, key_exchange=bytes(32)),))
                if isinstance(e, KeyShareClientHello)
                else e
                for e in h.extensions
            ),
        ),
        alerts.IllegalParameter,
    ),
    (
        "only_pkcs1_signatures",
        lambda h: dataclasses.replace(
            h,
            extensions=tuple(
                SignatureAlgorithms(schemes=(0x0401, 0x0501)) if isinstance(e, SignatureAlgorithms) else e
                for e in h.extensions
            ),
        ),
        alerts.HandshakeFailure,
    ),
]


@pytest.mark.parametrize(("name", "change", "alert"), CH_CASES, ids=[case[0] for case in CH_CASES])
def test_bad_client_hello(
    crypto: CryptoProvider, name: str, change: Callable[[ClientHello], ClientHello], alert: type[alerts.TLSAlert]
) -> None:
    server = _server(crypto)
    wire = handshake_record(change(_our_client_hello(crypto)).encode())
    with pytest.raises(alert):
        server.receive_data(wire)
    assert server.data_to_send() == plaintext_alert(alert.description)
    with pytest.raises(LocalProtocolError):
        server.receive_data(b"")


def _server_answers(crypto: CryptoProvider, hello: ClientHello) -> bytes:
    server = _server(crypto)
    server.receive_data(handshake_record(hello.encode()))
    wire = server.data_to_send()
    assert wire[0] == 22  # a ServerHello record, not an alert
    (message,) = split_handshake_messages(wire[5 : 5 + int.from_bytes(wire[3:5], "big")])
    return message.body


def test_unknown_extension_is_tolerated(crypto: CryptoProvider) -> None:
    hello = _our_client_hello(crypto)
    hello = dataclasses.replace(
        hello, extensions=(UnknownExtension(extension_type=0xFAFA, data=b"grease"), *hello.extensions)
    )
    server_hello = decode_server_hello(_server_answers(crypto, hello))
    assert not server_hello.is_hello_retry_request


def test_pre_shared_key_offer_is_ignored(crypto: CryptoProvider) -> None:
    """No resumption: a PSK offer gets a full handshake (no pre_shared_key in ServerHello)."""
    hello = _our_client_hello(crypto)
    offer = PreSharedKeyOffer(
        identities=(PskIdentity(identity=b"ticket", obfuscated_ticket_age=7),), binders=(bytes(32),)
    )
    hello = dataclasses.replace(hello, extensions=(*hello.extensions, PskKeyExchangeModes(modes=(1,)), offer))
    server_hello = decode_server_hello(_server_answers(crypto, hello))
    assert {extension.extension_type for extension in server_hello.extensions} == {43, 51}


def test_second_client_hello_without_the_cookie(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    server = ServerConnection(server_config(crypto, creds, hello_retry_cookie=True))
    first = client.data_to_send()
    server.receive_data(first)
    server.data_to_send()
    # The first ClientHello again instead of one echoing the cookie: RFC 8446 §4.2.2 -> illegal_parameter.
    (message,) = split_handshake_messages(first[5:])
    with pytest.raises(alerts.IllegalParameter):
        server.receive_data(handshake_record(message.raw))


def test_second_client_hello_with_the_wrong_group(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    server = ServerConnection(server_config(crypto, creds, groups=(NamedGroup.SECP256R1,)))
    first = client.data_to_send()
    server.receive_data(first)
    server.data_to_send()
    (message,) = split_handshake_messages(first[5:])
    with pytest.raises(alerts.IllegalParameter):  # RFC 8446 §4.2.8: share must be for the selected group
        server.receive_data(handshake_record(message.raw))


@pytest.mark.parametrize(
    ("wire", "alert"),
    [
        (handshake_record(bytes([24, 0, 0, 1, 0])), alerts.UnexpectedMessage),  # KeyUpdate before the handshake
        (handshake_record(bytes([5, 0, 0, 0])), alerts.UnexpectedMessage),  # EndOfEarlyData: never 0-RTT
        (handshake_record(bytes([2, 0, 0, 0])), alerts.UnexpectedMessage),  # a ServerHello to a server
        (handshake_record(bytes([99, 0, 0, 0])), alerts.UnexpectedMessage),  # unknown handshake type
        (handshake_record(bytes([1, 0, 0, 3, 3, 3, 0])), alerts.DecodeErrorAlert),  # truncated ClientHello
        (bytes([20, 3, 3, 0, 1, 1]), alerts.UnexpectedMessage),  # CCS before any ClientHello (RFC 8446 §5)
        (b"GET / HTTP/1.1\r\n\r\n", alerts.UnexpectedMessage),  # not TLS at all
        (bytes([22, 3, 3, 0x48, 0x01]) + bytes(0x4801), alerts.RecordOverflow),  # RFC 8446 §5.1: > 2^14
    ],
    ids=[
        "key_update",
        "end_of_early_data",
        "server_hello",
        "unknown_type",
        "truncated",
        "early_ccs",
        "http",
        "overflow",
    ],
)
def test_garbage_to_a_fresh_server(crypto: CryptoProvider, wire: bytes, alert: type[alerts.TLSAlert]) -> None:
    server = _server(crypto)
    with pytest.raises(alert):
        server.receive_data(wire)
    assert server.data_to_send() == plaintext_alert(alert.description)


# -- client authentication -------------------------------------------------------------------


def test_certificate_required(crypto: CryptoProvider) -> None:
    server_creds = credentials(crypto, "p256")
    client_creds = credentials(crypto, "p256", client=True)
    client = ClientConnection(client_config(crypto, server_creds.anchors))
    server = ServerConnection(mutual_server_config(crypto, server_creds, client_creds.anchors))
    server.receive_data(client.data_to_send())
    client_events = client.receive_data(server.data_to_send())
    assert isinstance(client_events[0], HandshakeCompleted)  # the client has sent its (empty) Certificate
    with pytest.raises(alerts.CertificateRequired):  # RFC 8446 §4.4.2.4
        server.receive_data(client.data_to_send())
    assert client.receive_data(server.data_to_send()) == [
        AlertReceived(level=2, description=alerts.AlertDescription.CERTIFICATE_REQUIRED)
    ]
    with pytest.raises(LocalProtocolError):
        client.send_data(b"after a fatal alert")


def test_untrusted_client_certificate(crypto: CryptoProvider) -> None:
    server_creds = credentials(crypto, "p256")
    client_creds = credentials(crypto, "p256", client=True)
    other = credentials(crypto, "p256", client=True, label="other-client-pki")
    client = ClientConnection(
        client_config(
            crypto, server_creds.anchors, certificate_chain=client_creds.chain, private_key=client_creds.signer
        )
    )
    server = ServerConnection(mutual_server_config(crypto, server_creds, other.anchors))
    server.receive_data(client.data_to_send())
    client.receive_data(server.data_to_send())
    with pytest.raises(alerts.UnknownCA):
        server.receive_data(client.data_to_send())
    assert client.receive_data(server.data_to_send()) == [
        AlertReceived(level=2, description=alerts.AlertDescription.UNKNOWN_CA)
    ]


def test_bad_client_finished(crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    original = HandshakeContext.queue_finished

    def corrupt(ctx: HandshakeContext) -> None:
        if ctx.role is Role.SERVER:
            return original(ctx)
        data = bytearray(
            ctx.schedule.finished_verify_data(ctx.client_handshake_traffic_secret, ctx.transcript.digest())
        )
        data[-1] ^= 0x80
        ctx.queue_handshake(bytes([20, 0, 0, len(data)]) + bytes(data))
        return None

    monkeypatch.setattr(HandshakeContext, "queue_finished", corrupt)
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    server = ServerConnection(server_config(crypto, creds))
    server.receive_data(client.data_to_send())
    client.receive_data(server.data_to_send())
    with pytest.raises(alerts.DecryptErrorAlert):  # RFC 8446 §4.4.4
        server.receive_data(client.data_to_send())
    assert client.receive_data(server.data_to_send()) == [
        AlertReceived(level=2, description=alerts.AlertDescription.DECRYPT_ERROR)
    ]


def test_short_client_finished_is_decode_error(crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    # RFC 8446 §4.4.4: verify_data is Hash.length bytes; a shorter Finished is malformed.
    original = HandshakeContext.queue_finished

    def truncated(ctx: HandshakeContext) -> None:
        if ctx.role is Role.SERVER:
            return original(ctx)
        data = ctx.schedule.finished_verify_data(ctx.client_handshake_traffic_secret, ctx.transcript.digest())[:-1]
        ctx.queue_handshake(bytes([20, 0, 0, len(data)]) + data)
        return None

    monkeypatch.setattr(HandshakeContext, "queue_finished", truncated)
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    server = ServerConnection(server_config(crypto, creds))
    server.receive_data(client.data_to_send())
    client.receive_data(server.data_to_send())
    with pytest.raises(alerts.DecodeErrorAlert):
        server.receive_data(client.data_to_send())
    assert client.receive_data(server.data_to_send()) == [
        AlertReceived(level=2, description=alerts.AlertDescription.DECODE_ERROR)
    ]


def test_no_application_protocol(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors, alpn_protocols=(b"h2",)))
    server = ServerConnection(server_config(crypto, creds, alpn_protocols=(b"http/1.1",)))
    with pytest.raises(alerts.NoApplicationProtocol):  # RFC 7301 §3.2
        server.receive_data(client.data_to_send())
    assert client.receive_data(server.data_to_send()) == [
        AlertReceived(level=2, description=alerts.AlertDescription.NO_APPLICATION_PROTOCOL)
    ]


# -- records after the handshake -------------------------------------------------------------


def _connected(crypto: CryptoProvider) -> tuple[ClientConnection, ServerConnection]:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    server = ServerConnection(server_config(crypto, creds))
    pump(client, server)
    return client, server


def _two_records(client: ClientConnection) -> tuple[bytes, bytes]:
    client.send_data(b"first")
    first = client.data_to_send()
    client.send_data(b"second")
    return first, client.data_to_send()


def test_reordered_records(crypto: CryptoProvider) -> None:
    client, server = _connected(crypto)
    first, second = _two_records(client)
    with pytest.raises(alerts.BadRecordMac):  # RFC 8446 §5.2/§5.3: wrong sequence number -> bad_record_mac
        server.receive_data(second + first)


def test_duplicated_record(crypto: CryptoProvider) -> None:
    client, server = _connected(crypto)
    first, _ = _two_records(client)
    assert server.receive_data(first) == [DataReceived(data=b"first")]
    with pytest.raises(alerts.BadRecordMac):
        server.receive_data(first)


def test_tampered_record(crypto: CryptoProvider) -> None:
    client, server = _connected(crypto)
    first, _ = _two_records(client)
    tampered = first[:-1] + bytes([first[-1] ^ 1])
    with pytest.raises(alerts.BadRecordMac):
        server.receive_data(tampered)
    assert server.data_to_send()  # the encrypted bad_record_mac alert
    with pytest.raises(LocalProtocolError):
        server.send_data(b"x")


def test_change_cipher_spec_after_the_handshake(crypto: CryptoProvider) -> None:
    _client, server = _connected(crypto)
    with pytest.raises(alerts.UnexpectedMessage):  # RFC 8446 §5: outside the window
        server.receive_data(bytes.fromhex("140303000101"))


def test_plaintext_handshake_after_keys(crypto: CryptoProvider) -> None:
    _client, server = _connected(crypto)
    with pytest.raises(alerts.UnexpectedMessage):
        server.receive_data(handshake_record(bytes([24, 0, 0, 1, 0])))


def test_data_after_close_notify_is_ignored(crypto: CryptoProvider) -> None:
    client, server = _connected(crypto)
    client.close()
    close_notify = client.data_to_send()
    # A misbehaving peer keeps sending after its close_notify (sealed with the live key).
    late = client._ctx.record_layer.send(ContentType.APPLICATION_DATA, b"late")
    # RFC 8446 §6.1: "Any data received after a closure alert has been received MUST be ignored."
    assert server.receive_data(close_notify + late) == [ConnectionClosed()]
    assert server.receive_data(late) == []


def test_peer_alert_is_an_event(crypto: CryptoProvider) -> None:
    client, server = _connected(crypto)
    # A client-side failure: garbage makes the client send an encrypted unexpected_message.
    with pytest.raises(alerts.UnexpectedMessage):
        client.receive_data(bytes([0x99, 3, 3, 0, 0]))
    events = server.receive_data(client.data_to_send())
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.UNEXPECTED_MESSAGE)]
    assert server.receive_data(b"anything") == []
    with pytest.raises(LocalProtocolError):
        server.key_update()


def test_key_update_with_bad_request_value(crypto: CryptoProvider) -> None:
    client, server = _connected(crypto)
    ctx = client._ctx  # the record layer seals a hand-made KeyUpdate with the live key
    client_wire = ctx.record_layer.send(ContentType.HANDSHAKE, bytes([24, 0, 0, 1, 7]))
    with pytest.raises(alerts.IllegalParameter):  # RFC 8446 §4.6.3
        server.receive_data(client_wire)


def test_suite_choice_is_the_servers(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(
        client_config(
            crypto,
            creds.anchors,
            cipher_suites=(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384),
        )
    )
    server = ServerConnection(server_config(crypto, creds))
    pump(client, server)
    assert server.cipher_suite is CipherSuite.TLS_AES_256_GCM_SHA384  # our default order ranks AES-256 first
