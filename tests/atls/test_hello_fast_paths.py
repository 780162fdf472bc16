"""The hello messages every connection sends are joined from bytes, not built as objects:
ClientHello1 from a per-configuration template (``client._encode_first_client_hello``) and
the ServerHello by ``server.encode_server_hello``.  Each must be byte for byte what the
message objects encode, whatever is negotiated.  The RFC 8448 traces check the default
cases against the RFC's own bytes."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("cryptography")

from atls import client as client_module
from atls.config import TLSConfig
from atls.connection import ClientConnection, ServerConnection
from atls.enums import (
    TLS13_VERSION,
    CertificateType,
    CipherSuite,
    MaxFragmentLength,
    NamedGroup,
    SignatureScheme,
)
from atls.extensions import KeyShareEntry, KeyShareServerHello, SelectedVersion
from atls.messages import ServerHello, decode_client_hello
from atls.server import encode_server_hello
from ratscore.crypto import CryptoProvider
from ratscore.x509 import PinnedKeyVerifier
from tests.atls.connection_helpers import client_config, credentials, pump, server_config

VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "no sni": {"server_name": None, "check_hostname": False},
    "ip literal": {"server_name": "192.0.2.1", "check_hostname": False},
    "alpn": {"alpn_protocols": (b"h2", b"http/1.1")},
    "record size limit": {"record_size_limit": 512},
    "max fragment length": {"max_fragment_length": MaxFragmentLength.LENGTH_1024},
    "two key shares": {"key_share_groups": (NamedGroup.X25519, NamedGroup.SECP256R1)},
    "p384 and x448 shares": {
        "groups": (NamedGroup.SECP384R1, NamedGroup.X448),
        "key_share_groups": (NamedGroup.SECP384R1, NamedGroup.X448),
    },
    "one suite": {"cipher_suites": (CipherSuite.TLS_AES_128_CCM_8_SHA256,)},
    "signature_algorithms_cert": {"certificate_signature_schemes": (SignatureScheme.ED25519,)},
    "no middlebox compatibility": {"middlebox_compatibility": False},
}


def _first_client_hello_both_ways(config: TLSConfig) -> tuple[bytes, bytes]:
    connection = ClientConnection(config)
    ctx = connection._ctx
    template = client_module._template(ctx)
    return client_module._encode_first_client_hello(ctx, template), client_module._client_hello(ctx, None).encode()


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_template_bytes_equal_the_encoded_message(crypto: CryptoProvider, variant: str) -> None:
    creds = credentials(crypto, "p256")
    fast, objects = _first_client_hello_both_ways(client_config(crypto, creds.anchors, **VARIANTS[variant]))
    assert fast == objects


def test_template_bytes_with_raw_public_key_offers(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "ed25519")
    config = client_config(
        crypto,
        creds.anchors,
        certificate_types=(CertificateType.RAW_PUBLIC_KEY,),
        peer_certificate_types=(CertificateType.RAW_PUBLIC_KEY, CertificateType.X509),
        pinned_keys=PinnedKeyVerifier(spkis=[creds.issued.leaf.certificate.spki_der]),
        private_key=creds.signer,
    )
    fast, objects = _first_client_hello_both_ways(config)
    assert fast == objects


def test_the_connection_sends_the_template_bytes(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    connection = ClientConnection(client_config(crypto, creds.anchors, alpn_protocols=(b"h2",)))
    record = connection.data_to_send()
    expected = client_module._client_hello(connection._ctx, None).encode()
    assert record[5:] == expected  # after the 5-byte record header


@pytest.mark.parametrize(
    ("suite", "group", "key_length"),
    [
        (CipherSuite.TLS_AES_128_GCM_SHA256, NamedGroup.X25519, 32),
        (CipherSuite.TLS_AES_256_GCM_SHA384, NamedGroup.SECP384R1, 97),
        (CipherSuite.TLS_CHACHA20_POLY1305_SHA256, NamedGroup.X448, 56),
        (CipherSuite.TLS_AES_128_CCM_8_SHA256, NamedGroup.SECP256R1, 65),
    ],
)
@pytest.mark.parametrize("session_id", [b"", bytes(range(32))])
def test_server_hello_bytes_equal_the_encoded_message(
    suite: CipherSuite, group: NamedGroup, key_length: int, session_id: bytes
) -> None:
    random, key_exchange = bytes(range(100, 132)), bytes(range(key_length))
    expected = ServerHello(
        random=random,
        legacy_session_id_echo=session_id,
        cipher_suite=suite,
        extensions=(
            KeyShareServerHello(server_share=KeyShareEntry(group=group, key_exchange=key_exchange)),
            SelectedVersion(version=TLS13_VERSION),
        ),
    ).encode()
    assert encode_server_hello(random, session_id, suite, group, key_exchange) == expected


def test_server_reports_the_client_hello_extension_types(crypto: CryptoProvider) -> None:
    # RFC 9261 §5.2.1 needs the ClientHello's extension types on the server; an empty tuple before it.
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors, alpn_protocols=(b"h2",)))
    server = ServerConnection(server_config(crypto, creds, alpn_protocols=(b"h2",)))
    assert server.client_hello_extension_types == ()
    first_flight = client.data_to_send()
    sent = decode_client_hello(first_flight[9:])  # after the record and handshake headers
    server.receive_data(first_flight)
    client.receive_data(server.data_to_send())
    pump(client, server)
    assert server.client_hello_extension_types == tuple(extension.extension_type for extension in sent.extensions)
    assert 16 in server.client_hello_extension_types  # application_layer_protocol_negotiation
