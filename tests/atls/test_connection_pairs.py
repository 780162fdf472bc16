"""Client <-> server pairs in memory, on both crypto backends.

Certificates are minted by ``cryptography`` (tests/ratscore/x509/pki.py), an outside
implementation; expected negotiation results come from the RFC rules (RFC 8446 §4.2.3
scheme per key, §4.1.1 server choice, RFC 7301 server preference), never from our code.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from atls.config import ALL_CIPHER_SUITES, ClientAuthentication
from atls.connection import ClientConnection, ServerConnection
from atls.enums import TLS13_VERSION, CipherSuite, HandshakeType, NamedGroup, SignatureScheme
from atls.events import (
    ConnectionClosed,
    DataReceived,
    HandshakeCompleted,
    HelloRetryRequested,
    KeyUpdated,
)
from atls.record import pad_to_multiple
from ratscore.crypto.types import CryptoProvider
from ratscore.errors import LocalProtocolError

from .connection_helpers import (
    client_config,
    credentials,
    handshake,
    mutual_server_config,
    pump,
    server_config,
)

IMPLEMENTED_GROUPS = (NamedGroup.X25519, NamedGroup.X448, NamedGroup.SECP256R1, NamedGroup.SECP384R1)


def _records(wire: bytes) -> list[tuple[int, bytes]]:
    """Split a byte stream into (content type, fragment) per RFC 8446 §5.1 framing."""
    records = []
    while wire:
        length = int.from_bytes(wire[3:5], "big")
        records.append((wire[0], wire[5 : 5 + length]))
        wire = wire[5 + length :]
    return records


def _completed(events: Sequence[object]) -> HandshakeCompleted:
    found = [event for event in events if isinstance(event, HandshakeCompleted)]
    assert len(found) == 1, events
    return found[0]


@pytest.mark.parametrize("suite", ALL_CIPHER_SUITES, ids=lambda suite: suite.name)
@pytest.mark.parametrize("group", IMPLEMENTED_GROUPS, ids=lambda group: group.name)
def test_every_suite_and_group(crypto: CryptoProvider, suite: CipherSuite, group: NamedGroup) -> None:
    creds = credentials(crypto, "p256")
    client, server, client_events, server_events = handshake(
        client_config(crypto, creds.anchors, cipher_suites=(suite,), groups=(group,)),
        server_config(crypto, creds, cipher_suites=ALL_CIPHER_SUITES),
    )
    for completed in (_completed(client_events), _completed(server_events)):
        assert completed.version == TLS13_VERSION
        assert completed.cipher_suite is suite
        assert completed.group is group
        assert not completed.hello_retry_request
    client.send_data(b"ping")
    server.send_data(b"pong")
    client_events, server_events = pump(client, server)
    assert server_events == [DataReceived(data=b"ping")]
    assert client_events == [DataReceived(data=b"pong")]
    assert client.exporter(b"EXPORTER-test", b"ctx", 32) == server.exporter(b"EXPORTER-test", b"ctx", 32)


# RFC 8446 §4.2.3: the CertificateVerify scheme each key type signs with.
KEY_SCHEMES = [
    ("p256", SignatureScheme.ECDSA_SECP256R1_SHA256),
    ("p384", SignatureScheme.ECDSA_SECP384R1_SHA384),
    ("ed25519", SignatureScheme.ED25519),
    ("ed448", SignatureScheme.ED448),
    ("rsa2048", SignatureScheme.RSA_PSS_RSAE_SHA256),
]


@pytest.mark.parametrize(("kind", "scheme"), KEY_SCHEMES, ids=[kind for kind, _ in KEY_SCHEMES])
def test_server_certificate_kinds(crypto: CryptoProvider, kind: str, scheme: SignatureScheme) -> None:
    creds = credentials(crypto, kind)
    _, _, client_events, server_events = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    assert _completed(client_events).peer_signature_scheme is scheme
    assert _completed(server_events).signature_scheme is scheme
    assert _completed(client_events).peer_certificate_chain == creds.chain


def test_rsa_pkcs1_signed_chain(crypto: CryptoProvider) -> None:
    """An RSA CA signs the chain with PKCS#1 v1.5 (allowed in certificates, RFC 8446 §4.2.3);
    the handshake signature itself is RSA-PSS."""
    creds = credentials(crypto, "rsa2048", ca_kind="rsa2048", label="pkcs1")
    assert creds.issued.leaf.x509.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.11"
    _, _, client_events, _ = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    assert _completed(client_events).peer_signature_scheme is SignatureScheme.RSA_PSS_RSAE_SHA256


def test_rsa_pss_signed_certificate(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "rsa2048", ca_kind="rsa2048", label="pss", rsa_pss_leaf=True)
    assert creds.issued.leaf.x509.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.10"
    _, _, client_events, _ = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    assert _completed(client_events).peer_signature_scheme is SignatureScheme.RSA_PSS_RSAE_SHA256


def test_hello_retry_request_on_group_mismatch(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, client_events, server_events = handshake(
        client_config(crypto, creds.anchors, key_share_groups=(NamedGroup.X25519,)),
        server_config(crypto, creds, groups=(NamedGroup.SECP256R1,)),
    )
    assert client_events[0] == HelloRetryRequested(selected_group=NamedGroup.SECP256R1, cookie=False)
    assert _completed(client_events).group is NamedGroup.SECP256R1
    assert _completed(client_events).hello_retry_request
    assert _completed(server_events).hello_retry_request
    assert client.exporter(b"label") == server.exporter(b"label")


def test_hello_retry_request_with_cookie(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, client_events, _ = handshake(
        client_config(crypto, creds.anchors), server_config(crypto, creds, hello_retry_cookie=True)
    )
    assert client_events[0] == HelloRetryRequested(selected_group=None, cookie=True)
    assert _completed(client_events).group is NamedGroup.X25519
    assert client.exporter(b"label") == server.exporter(b"label")


def test_hello_retry_request_with_cookie_and_group(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    _, _, client_events, _ = handshake(
        client_config(crypto, creds.anchors),
        server_config(crypto, creds, hello_retry_cookie=True, groups=(NamedGroup.X448,)),
    )
    assert client_events[0] == HelloRetryRequested(selected_group=NamedGroup.X448, cookie=True)
    assert _completed(client_events).group is NamedGroup.X448


def test_two_key_shares_avoid_a_retry(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    _, _, client_events, _ = handshake(
        client_config(crypto, creds.anchors, key_share_groups=(NamedGroup.X25519, NamedGroup.SECP384R1)),
        server_config(crypto, creds, groups=(NamedGroup.SECP384R1,)),
    )
    assert not any(isinstance(event, HelloRetryRequested) for event in client_events)
    assert _completed(client_events).group is NamedGroup.SECP384R1


@pytest.mark.parametrize("client_kind", ["ed25519", "rsa2048"])
def test_mutual_tls(crypto: CryptoProvider, client_kind: str) -> None:
    server_creds = credentials(crypto, "p256")
    client_creds = credentials(crypto, client_kind, client=True)
    client, server, client_events, server_events = handshake(
        client_config(
            crypto, server_creds.anchors, certificate_chain=client_creds.chain, private_key=client_creds.signer
        ),
        mutual_server_config(crypto, server_creds, client_creds.anchors),
    )
    completed = _completed(server_events)
    assert completed.peer_certificate_chain == client_creds.chain
    expected = SignatureScheme.ED25519 if client_kind == "ed25519" else SignatureScheme.RSA_PSS_RSAE_SHA256
    assert completed.peer_signature_scheme is expected
    assert _completed(client_events).signature_scheme is expected
    assert server.peer_certificate_chain == client_creds.chain
    assert client.certificate_chain == client_creds.chain
    assert client.exporter(b"mtls") == server.exporter(b"mtls")


def test_requested_client_certificate_may_be_absent(crypto: CryptoProvider) -> None:
    server_creds = credentials(crypto, "p256")
    client_creds = credentials(crypto, "p256", client=True)
    client, server, client_events, server_events = handshake(
        client_config(crypto, server_creds.anchors),
        mutual_server_config(crypto, server_creds, client_creds.anchors, ClientAuthentication.REQUEST),
    )
    assert _completed(server_events).peer_certificate_chain == ()
    assert _completed(client_events).signature_scheme is None
    client.send_data(b"anonymous")
    assert pump(client, server)[1] == [DataReceived(data=b"anonymous")]


def test_alpn_server_preference(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    _, _, client_events, server_events = handshake(
        client_config(crypto, creds.anchors, alpn_protocols=(b"http/1.1", b"h2")),
        server_config(crypto, creds, alpn_protocols=(b"h2", b"http/1.1")),
    )
    # RFC 7301 §3.2: the server selects by its own preference among the client's offer.
    assert _completed(client_events).alpn_protocol == b"h2"
    assert _completed(server_events).alpn_protocol == b"h2"


def test_alpn_ignored_by_a_server_without_protocols(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    _, _, client_events, _ = handshake(
        client_config(crypto, creds.anchors, alpn_protocols=(b"h2",)), server_config(crypto, creds)
    )
    assert _completed(client_events).alpn_protocol is None


def test_sni_reaches_the_server(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    _client, server, client_events, server_events = handshake(
        client_config(crypto, creds.anchors), server_config(crypto, creds)
    )
    assert _completed(server_events).server_name == "server.example"
    assert server.server_name == "server.example"
    assert _completed(client_events).server_name == "server.example"  # acknowledged (RFC 6066 §3)


def test_no_sni_without_server_name(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    _, _, _, server_events = handshake(
        client_config(crypto, creds.anchors, server_name=None, check_hostname=False), server_config(crypto, creds)
    )
    assert _completed(server_events).server_name is None


@pytest.mark.parametrize("requested", [False, True])
def test_key_update_from_client(crypto: CryptoProvider, requested: bool) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    client.key_update(request_peer_update=requested)
    client.send_data(b"after update")
    client_events, server_events = pump(client, server)
    assert server_events == [KeyUpdated(update_requested=requested), DataReceived(data=b"after update")]
    # RFC 8446 §4.6.3: a requested update is answered with update_not_requested.
    assert client_events == ([KeyUpdated(update_requested=False)] if requested else [])
    server.send_data(b"reply")
    assert pump(client, server)[0] == [DataReceived(data=b"reply")]


def test_key_update_from_server_repeatedly(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    for round_number in range(3):
        server.key_update(request_peer_update=True)
        server.send_data(b"round %d" % round_number)
        client_events, server_events = pump(client, server)
        assert client_events == [KeyUpdated(update_requested=True), DataReceived(data=b"round %d" % round_number)]
        assert server_events == [KeyUpdated(update_requested=False)]
    client.send_data(b"still in sync")
    assert pump(client, server)[1] == [DataReceived(data=b"still in sync")]


def test_exporter_equal_on_both_sides_and_label_bound(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(
        client_config(crypto, creds.anchors, cipher_suites=(CipherSuite.TLS_AES_256_GCM_SHA384,)),
        server_config(crypto, creds),
    )
    assert client.exporter(b"EXPORTER-a", b"", 48) == server.exporter(b"EXPORTER-a", b"", 48)
    assert len(client.exporter(b"EXPORTER-a")) == 48  # default: Hash.length of SHA-384
    assert client.exporter(b"EXPORTER-a") != client.exporter(b"EXPORTER-b")
    assert client.exporter(b"EXPORTER-a", b"x") != client.exporter(b"EXPORTER-a", b"y")
    assert client.hash_algorithm is server.hash_algorithm is CipherSuite.TLS_AES_256_GCM_SHA384.hash_algorithm


def test_transcript_hash_through_finished_agrees(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    assert client.transcript_hash_through(HandshakeType.FINISHED) == server.transcript_hash_through(
        HandshakeType.FINISHED
    )
    assert client.transcript_hash_through(HandshakeType.CERTIFICATE_VERIFY) == server.transcript_hash_through(
        HandshakeType.CERTIFICATE_VERIFY
    )


def test_close_and_half_close(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    client.close()
    client_events, server_events = pump(client, server)
    assert server_events == [ConnectionClosed()]
    assert server.peer_closed and client.local_closed
    with pytest.raises(LocalProtocolError):
        client.send_data(b"after close")
    # RFC 8446 §6.1: the other side may keep sending until it closes too.
    server.send_data(b"last words")
    client_events, _ = pump(client, server)
    assert client_events == [DataReceived(data=b"last words")]
    server.close()
    client_events, _ = pump(client, server)
    assert client_events == [ConnectionClosed()]
    assert client.peer_closed and server.local_closed


def test_record_size_limit(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(
        client_config(crypto, creds.anchors, record_size_limit=64), server_config(crypto, creds, record_size_limit=100)
    )
    server.send_data(bytes(1000))
    wire = server.data_to_send()
    tag = 16
    # RFC 8449 §4: every protected record's TLSInnerPlaintext stays within the client's 64.
    records = _records(wire)
    assert all(len(fragment) - tag <= 64 for _, fragment in records)
    assert len(records) == -(-1000 // 63)
    assert client.receive_data(wire) == [DataReceived(data=chunk) for chunk in _split(bytes(1000), 63)]
    client.send_data(bytes(500))
    wire = client.data_to_send()
    assert all(len(fragment) - tag <= 100 for _, fragment in _records(wire))
    assert b"".join(event.data for event in server.receive_data(wire) if isinstance(event, DataReceived)) == bytes(500)


def _split(data: bytes, size: int) -> list[bytes]:
    return [data[index : index + size] for index in range(0, len(data), size)]


def test_padding_policy(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(
        client_config(crypto, creds.anchors, padding_policy=pad_to_multiple(256)), server_config(crypto, creds)
    )
    client.send_data(b"short")
    wire = client.data_to_send()
    (record,) = _records(wire)
    # RFC 8446 §5.4: inner plaintext = content || type || zeros, here padded to 256, plus a 16-byte tag.
    assert len(record[1]) == 256 + 16
    assert server.receive_data(wire) == [DataReceived(data=b"short")]


def test_middlebox_compatibility_on_the_wire(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    ccs = bytes.fromhex("140303000101")  # RFC 8446 §D.4 / §5: the dummy change_cipher_spec record
    client = ClientConnection(client_config(crypto, creds.anchors))
    server = ServerConnection(server_config(crypto, creds))
    client_hello = client.data_to_send()
    assert client_hello[43] == 32  # legacy_session_id length (record 5 + header 4 + version 2 + random 32)
    server.receive_data(client_hello)
    server_flight = server.data_to_send()
    records = _records(server_flight)
    assert records[1] == (20, b"\x01")  # the server's CCS right after ServerHello
    client.receive_data(server_flight)
    assert client.data_to_send().startswith(ccs)


def test_compatibility_mode_off(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors, middlebox_compatibility=False))
    server = ServerConnection(server_config(crypto, creds))
    client_hello = client.data_to_send()
    assert client_hello[43] == 0
    server.receive_data(client_hello)
    server_flight = server.data_to_send()
    assert all(content_type != 20 for content_type, _ in _records(server_flight))
    client.receive_data(server_flight)
    assert all(content_type != 20 for content_type, _ in _records(client.data_to_send()))


def test_large_application_data_is_fragmented(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    payload = bytes(range(256)) * 200  # 51,200 bytes > 2^14
    client.send_data(payload)
    wire = client.data_to_send()
    assert all(len(fragment) <= (1 << 14) + 256 for _, fragment in _records(wire))  # RFC 8446 §5.2
    received = b"".join(event.data for event in server.receive_data(wire) if isinstance(event, DataReceived))
    assert received == payload
