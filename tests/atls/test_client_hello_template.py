"""ClientHello1 comes from a per-configuration template of pre-encoded bytes
(``client._encode_first_client_hello``).  It must be byte for byte what the message objects
encode (``client._client_hello(ctx, None).encode()``), whatever the configuration offers.
The RFC 8448 traces check the default case against the RFC's own bytes."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("cryptography")

from atls import client as client_module  # noqa: E402
from atls.config import TLSConfig  # noqa: E402
from atls.connection import ClientConnection  # noqa: E402
from atls.enums import CertificateType, CipherSuite, MaxFragmentLength, NamedGroup, SignatureScheme  # noqa: E402
from ratscore.crypto import CryptoProvider  # noqa: E402
from ratscore.x509 import PinnedKeyVerifier  # noqa: E402
from tests.atls.connection_helpers import client_config, credentials  # noqa: E402

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
