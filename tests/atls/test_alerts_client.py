"""The client's alerts, each for the cause RFC 8446 names, from crafted or tampered server messages.

Plaintext alerts are checked byte for byte (RFC 8446 §5.1, §6: ``15 03 03 00 02 02 code``);
encrypted ones by delivering them to the server, which must report the same alert.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from atls import alerts
from atls.codec import split_handshake_messages
from atls.config import VerifyMode
from atls.connection import ClientConnection, ServerConnection, TLSConnection
from atls.enums import (
    DOWNGRADE_TLS11,
    DOWNGRADE_TLS12,
    HELLO_RETRY_REQUEST_RANDOM,
    NamedGroup,
    Role,
    SignatureScheme,
)
from atls.events import AlertReceived
from atls.extensions import (
    Cookie,
    Extension,
    KeyShareEntry,
    KeyShareHelloRetryRequest,
    KeyShareServerHello,
    SelectedVersion,
    UnknownExtension,
)
from atls.handshake_common import HandshakeContext
from atls.messages import ClientHello, ServerHello, decode_client_hello
from atls.psk_extensions import PreSharedKeySelected
from atls.record import Record
from ratscore.crypto.types import CryptoProvider, EcdsaEncoding, KeyType, PublicKey, SignatureAlgorithm, Signer
from ratscore.errors import LocalProtocolError
from ratscore.x509 import PinnedKeyVerifier

from .connection_helpers import NOW, client_config, credentials, pump, server_config


def plaintext_alert(code: int) -> bytes:
    return bytes([21, 3, 3, 0, 2, 2, code])  # RFC 8446 §5.1 record carrying a fatal alert (§6)


def handshake_record(body: bytes, version: int = 0x0303) -> bytes:
    return Record(content_type=22, legacy_record_version=version, fragment=body).encode()


def _client(crypto: CryptoProvider, **changes: Any) -> tuple[ClientConnection, ClientHello]:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors, **changes))
    wire = client.data_to_send()
    (message,) = split_handshake_messages(wire[5:])
    return client, decode_client_hello(message.body)


def _share(crypto: CryptoProvider, group: NamedGroup = NamedGroup.X25519) -> KeyShareEntry:
    key_type = group.key_type
    assert key_type is not None
    return KeyShareEntry(group=group, key_exchange=crypto.generate_private_key(key_type).public_key().data)


def _server_hello(hello: ClientHello, crypto: CryptoProvider, **changes: Any) -> bytes:
    base = ServerHello(
        random=b"\x42" * 32,
        legacy_session_id_echo=hello.legacy_session_id,
        cipher_suite=0x1301,
        extensions=(KeyShareServerHello(server_share=_share(crypto)), SelectedVersion(version=0x0304)),
    )
    return handshake_record(dataclasses.replace(base, **changes).encode())


def _expect_plaintext_alert(client: TLSConnection, wire: bytes, alert: type[alerts.TLSAlert]) -> None:
    with pytest.raises(alert):
        client.receive_data(wire)
    assert client.data_to_send().endswith(plaintext_alert(alert.description))
    with pytest.raises(LocalProtocolError):
        client.receive_data(b"")


SH_CASES: list[tuple[str, Callable[[ClientHello, CryptoProvider], dict[str, Any]], type[alerts.TLSAlert]]] = [
    # RFC 8446 §4.1.3: downgrade sentinels -> illegal_parameter.
    (
        "sentinel_tls12",
        lambda h, c: {"random": b"\x42" * 24 + DOWNGRADE_TLS12, "extensions": ()},
        alerts.IllegalParameter,
    ),
    (
        "sentinel_tls11",
        lambda h, c: {"random": b"\x42" * 24 + DOWNGRADE_TLS11, "extensions": ()},
        alerts.IllegalParameter,
    ),
    # RFC 8446 §4.2.1 / §6.2: a TLS 1.2 server -> protocol_version.
    ("tls12_server", lambda h, c: {"extensions": ()}, alerts.ProtocolVersion),
    (
        "selected_tls12",
        lambda h, c: {"extensions": (KeyShareServerHello(server_share=_share(c)), SelectedVersion(version=0x0303))},
        alerts.IllegalParameter,
    ),
    ("session_id_echo", lambda h, c: {"legacy_session_id_echo": b"\x00" * 32}, alerts.IllegalParameter),
    ("suite_not_offered", lambda h, c: {"cipher_suite": 0x1305}, alerts.IllegalParameter),
    ("compression", lambda h, c: {"legacy_compression_method": 1}, alerts.IllegalParameter),
    (
        "group_not_offered",
        lambda h, c: {
            "extensions": (
                KeyShareServerHello(server_share=_share(c, NamedGroup.SECP256R1)),
                SelectedVersion(version=0x0304),
            )
        },
        alerts.IllegalParameter,
    ),
    (
        "low_order_x25519_share",
        lambda h, c: {
            "extensions": (
                KeyShareServerHello(server_share=KeyShareEntry(group=NamedGroup.X25519, key_exchange=bytes(32))),
                SelectedVersion(version=0x0304),
            )
        },
        alerts.IllegalParameter,
    ),
    (
        "short_share",
        lambda h, c: {
            "extensions": (
                KeyShareServerHello(server_share=KeyShareEntry(group=NamedGroup.X25519, key_exchange=bytes(31))),
                SelectedVersion(version=0x0304),
            )
        },
        alerts.IllegalParameter,
    ),
    ("missing_key_share", lambda h, c: {"extensions": (SelectedVersion(version=0x0304),)}, alerts.MissingExtension),
    (
        "unsolicited_extension",
        lambda h, c: {
            "extensions": (
                KeyShareServerHello(server_share=_share(c)),
                SelectedVersion(version=0x0304),
                UnknownExtension(extension_type=0xFAFA, data=b""),
            )
        },
        alerts.UnsupportedExtension,
    ),
    (
        "unsolicited_pre_shared_key",
        lambda h, c: {
            "extensions": (
                KeyShareServerHello(server_share=_share(c)),
                SelectedVersion(version=0x0304),
                PreSharedKeySelected(selected_identity=0),
            )
        },
        alerts.UnsupportedExtension,
    ),
    (
        "duplicate_extension",
        lambda h, c: {
            "extensions": (
                KeyShareServerHello(server_share=_share(c)),
                SelectedVersion(version=0x0304),
                SelectedVersion(version=0x0304),
            )
        },
        alerts.IllegalParameter,
    ),
]


@pytest.mark.parametrize(("name", "changes", "alert"), SH_CASES, ids=[case[0] for case in SH_CASES])
def test_bad_server_hello(
    crypto: CryptoProvider,
    name: str,
    changes: Callable[[ClientHello, CryptoProvider], dict[str, Any]],
    alert: type[alerts.TLSAlert],
) -> None:
    client, hello = _client(crypto)
    _expect_plaintext_alert(client, _server_hello(hello, crypto, **changes(hello, crypto)), alert)


def test_invalid_p256_share(crypto: CryptoProvider) -> None:
    client, hello = _client(crypto, key_share_groups=(NamedGroup.SECP256R1,))
    off_curve = KeyShareEntry(group=NamedGroup.SECP256R1, key_exchange=b"\x04" + b"\x01" * 64)
    wire = _server_hello(
        hello, crypto, extensions=(KeyShareServerHello(server_share=off_curve), SelectedVersion(version=0x0304))
    )
    _expect_plaintext_alert(client, wire, alerts.IllegalParameter)


def _hello_retry(hello: ClientHello, *extensions: Extension, suite: int = 0x1301) -> bytes:
    retry = ServerHello(
        random=HELLO_RETRY_REQUEST_RANDOM,
        legacy_session_id_echo=hello.legacy_session_id,
        cipher_suite=suite,
        extensions=(SelectedVersion(version=0x0304), *extensions),
    )
    return handshake_record(retry.encode())


def test_hello_retry_request_that_changes_nothing(crypto: CryptoProvider) -> None:
    client, hello = _client(crypto)
    _expect_plaintext_alert(client, _hello_retry(hello), alerts.IllegalParameter)  # RFC 8446 §4.1.4


def test_hello_retry_request_for_a_group_already_shared(crypto: CryptoProvider) -> None:
    client, hello = _client(crypto)
    wire = _hello_retry(hello, KeyShareHelloRetryRequest(selected_group=NamedGroup.X25519))
    _expect_plaintext_alert(client, wire, alerts.IllegalParameter)  # RFC 8446 §4.2.8


def test_hello_retry_request_for_a_group_not_offered(crypto: CryptoProvider) -> None:
    client, hello = _client(crypto, groups=(NamedGroup.X25519, NamedGroup.X448))
    wire = _hello_retry(hello, KeyShareHelloRetryRequest(selected_group=NamedGroup.SECP256R1))
    _expect_plaintext_alert(client, wire, alerts.IllegalParameter)  # RFC 8446 §4.2.8


def test_hello_retry_request_with_unsolicited_extension(crypto: CryptoProvider) -> None:
    client, hello = _client(crypto)
    wire = _hello_retry(
        hello,
        KeyShareHelloRetryRequest(selected_group=NamedGroup.SECP256R1),
        UnknownExtension(extension_type=0xFAFA, data=b""),
    )
    _expect_plaintext_alert(client, wire, alerts.UnsupportedExtension)  # RFC 8446 §4.1.4


def test_second_hello_retry_request(crypto: CryptoProvider) -> None:
    client, hello = _client(crypto)
    client.receive_data(_hello_retry(hello, Cookie(cookie=b"c")))
    second = client.data_to_send()
    assert b"\x00\x2c" in second  # the cookie extension is echoed (RFC 8446 §4.2.2)
    # RFC 8446 §4.1.4: a second HelloRetryRequest -> unexpected_message.
    _expect_plaintext_alert(client, _hello_retry(hello, Cookie(cookie=b"d")), alerts.UnexpectedMessage)


def test_server_hello_changing_the_retry_suite(crypto: CryptoProvider) -> None:
    client, hello = _client(crypto)
    client.receive_data(_hello_retry(hello, Cookie(cookie=b"c")))
    client.data_to_send()
    _expect_plaintext_alert(client, _server_hello(hello, crypto, cipher_suite=0x1302), alerts.IllegalParameter)


@pytest.mark.parametrize(
    ("wire", "alert"),
    [
        (bytes([0x99, 3, 3, 0, 1, 0]), alerts.UnexpectedMessage),  # RFC 8446 §5: unknown record type
        (bytes([23, 3, 3, 0, 1, 0]), alerts.UnexpectedMessage),  # unprotected application data
        (bytes([20, 3, 3, 0, 1, 2]), alerts.UnexpectedMessage),  # RFC 8446 §5: CCS other than 0x01
        (handshake_record(bytes([8, 0, 0, 2, 0, 0])), alerts.UnexpectedMessage),  # EE instead of ServerHello
        (handshake_record(bytes([2, 0, 0, 1, 0])), alerts.DecodeErrorAlert),  # truncated ServerHello
    ],
    ids=["unknown_type", "plaintext_app_data", "bad_ccs", "wrong_message", "truncated"],
)
def test_garbage_before_server_hello(crypto: CryptoProvider, wire: bytes, alert: type[alerts.TLSAlert]) -> None:
    client, _ = _client(crypto)
    _expect_plaintext_alert(client, wire, alert)


# -- tampered servers: the client's alert is encrypted, so the server reports it -------------


def _run_until_client_fails(
    client: ClientConnection, server: ServerConnection, alert: type[alerts.TLSAlert]
) -> list[object]:
    server.receive_data(client.data_to_send())
    with pytest.raises(alert):
        client.receive_data(server.data_to_send())
    return list(server.receive_data(client.data_to_send()))


def _pair(
    crypto: CryptoProvider, kind: str = "p256", **client_changes: Any
) -> tuple[ClientConnection, ServerConnection]:
    creds = credentials(crypto, kind)
    return ClientConnection(client_config(crypto, creds.anchors, **client_changes)), ServerConnection(
        server_config(crypto, creds)
    )


def test_unsolicited_encrypted_extension(crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    from atls import server as server_module
    from atls.messages import EncryptedExtensions

    monkeypatch.setattr(
        server_module,
        "_encrypted_extensions",
        lambda ctx, hello: EncryptedExtensions(
            extensions=(UnknownExtension(extension_type=0xFAFA, data=b""),)
        ).encode(),
    )
    client, server = _pair(crypto)
    events = _run_until_client_fails(client, server, alerts.UnsupportedExtension)
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.UNSUPPORTED_EXTENSION)]


def test_bad_server_finished(crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    original = HandshakeContext.queue_finished

    def corrupt(ctx: HandshakeContext) -> None:
        if ctx.role is Role.CLIENT:
            return original(ctx)
        verify_data = bytearray(
            ctx.schedule.finished_verify_data(ctx.server_handshake_traffic_secret, ctx.transcript.digest())
        )
        verify_data[0] ^= 1
        ctx.queue_handshake(bytes([20, 0, 0, len(verify_data)]) + bytes(verify_data))
        return None

    monkeypatch.setattr(HandshakeContext, "queue_finished", corrupt)
    client, server = _pair(crypto)
    events = _run_until_client_fails(client, server, alerts.DecryptErrorAlert)  # RFC 8446 §4.4.4
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.DECRYPT_ERROR)]


def test_long_server_finished_is_decode_error(crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    # RFC 8446 §4.4.4: verify_data is Hash.length bytes; a longer Finished is malformed.
    original = HandshakeContext.queue_finished

    def extended(ctx: HandshakeContext) -> None:
        if ctx.role is Role.CLIENT:
            return original(ctx)
        data = ctx.schedule.finished_verify_data(ctx.server_handshake_traffic_secret, ctx.transcript.digest()) + b"\0"
        ctx.queue_handshake(bytes([20, 0, 0, len(data)]) + data)
        return None

    monkeypatch.setattr(HandshakeContext, "queue_finished", extended)
    client, server = _pair(crypto)
    events = _run_until_client_fails(client, server, alerts.DecodeErrorAlert)
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.DECODE_ERROR)]


@dataclasses.dataclass
class CorruptingSigner:
    inner: Signer

    @property
    def key_type(self) -> KeyType:
        return self.inner.key_type

    def public_key(self) -> PublicKey:
        return self.inner.public_key()

    def sign(self, data: bytes, algorithm: SignatureAlgorithm, *, encoding: EcdsaEncoding = EcdsaEncoding.DER) -> bytes:
        signature = bytearray(self.inner.sign(data, algorithm, encoding=encoding))
        signature[-1] ^= 0x01
        return bytes(signature)


def test_bad_certificate_verify_signature(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "ed25519")
    client = ClientConnection(client_config(crypto, creds.anchors))
    server = ServerConnection(server_config(crypto, creds, private_key=CorruptingSigner(creds.signer)))
    events = _run_until_client_fails(client, server, alerts.DecryptErrorAlert)  # RFC 8446 §4.4.3
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.DECRYPT_ERROR)]


def test_rsa_pkcs1_in_certificate_verify_is_rejected(crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 8446 §4.2.3: rsa_pkcs1_* "are not defined for use in signed TLS handshake messages"."""
    monkeypatch.setattr(
        HandshakeContext,
        "select_signature_scheme",
        lambda ctx, offered: SignatureScheme.RSA_PKCS1_SHA256,
    )
    client, server = _pair(crypto, "rsa2048")
    events = _run_until_client_fails(client, server, alerts.IllegalParameter)
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.ILLEGAL_PARAMETER)]


def test_empty_server_certificate(crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    original = HandshakeContext.queue_certificate
    monkeypatch.setattr(
        HandshakeContext, "queue_certificate", lambda ctx, context, send_chain: original(ctx, context, send_chain=False)
    )
    client, server = _pair(crypto)
    events = _run_until_client_fails(client, server, alerts.DecodeErrorAlert)  # RFC 8446 §4.4.2.4
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.DECODE_ERROR)]


def test_garbage_server_certificate(crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    from atls.messages import Certificate, CertificateEntry

    monkeypatch.setattr(
        HandshakeContext,
        "queue_certificate",
        lambda ctx, context, send_chain: ctx.queue_handshake(
            Certificate(entries=(CertificateEntry(data=b"\x30\x03\x02\x01\x00"),)).encode()
        ),
    )
    client, server = _pair(crypto)
    events = _run_until_client_fails(client, server, alerts.BadCertificate)
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.BAD_CERTIFICATE)]


CERTIFICATE_CASES: list[tuple[str, dict[str, Any], type[alerts.TLSAlert]]] = [
    ("hostname_mismatch", {"server_name": "other.example"}, alerts.BadCertificate),
    ("expired", {"now": lambda: NOW + datetime.timedelta(days=365 * 20)}, alerts.CertificateExpired),
    ("not_yet_valid", {"now": lambda: NOW - datetime.timedelta(days=365 * 20)}, alerts.CertificateExpired),
]


@pytest.mark.parametrize(("name", "changes", "alert"), CERTIFICATE_CASES, ids=[c[0] for c in CERTIFICATE_CASES])
def test_certificate_rejections(
    crypto: CryptoProvider, name: str, changes: dict[str, Any], alert: type[alerts.TLSAlert]
) -> None:
    client, server = _pair(crypto, **changes)
    events = _run_until_client_fails(client, server, alert)
    assert events == [AlertReceived(level=2, description=alert.description)]


def test_unknown_ca(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    other = credentials(crypto, "p256", label="other-pki")
    client = ClientConnection(client_config(crypto, other.anchors))
    server = ServerConnection(server_config(crypto, creds))
    events = _run_until_client_fails(client, server, alerts.UnknownCA)
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.UNKNOWN_CA)]


def test_client_certificate_as_server_certificate(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256", client=True)  # EKU clientAuth only
    client = ClientConnection(client_config(crypto, creds.anchors, server_name="client.example"))
    server = ServerConnection(server_config(crypto, creds))
    events = _run_until_client_fails(client, server, alerts.UnsupportedCertificate)
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.UNSUPPORTED_CERTIFICATE)]


def test_pinned_keys(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "ed25519")
    pinned = PinnedKeyVerifier(spkis=[creds.issued.leaf.certificate.spki_der])
    client = ClientConnection(
        client_config(crypto, (), verify_mode=VerifyMode.PINNED, pinned_keys=pinned, now=lambda: NOW)
    )
    server = ServerConnection(server_config(crypto, creds))
    client_events, _ = pump(client, server)
    assert client.handshake_complete and client.peer_public_key == creds.signer.public_key()
    assert client_events

    other = credentials(crypto, "ed25519", label="other-pin")
    wrong = PinnedKeyVerifier(spkis=[other.issued.leaf.certificate.spki_der])
    client = ClientConnection(client_config(crypto, (), verify_mode=VerifyMode.PINNED, pinned_keys=wrong))
    server = ServerConnection(server_config(crypto, creds))
    events = _run_until_client_fails(client, server, alerts.UnknownCA)
    assert events == [AlertReceived(level=2, description=alerts.AlertDescription.UNKNOWN_CA)]


def test_verify_mode_none_accepts_any_certificate(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, (), verify_mode=VerifyMode.NONE, server_name="any.example"))
    server = ServerConnection(server_config(crypto, creds))
    pump(client, server)
    assert client.handshake_complete and server.handshake_complete
