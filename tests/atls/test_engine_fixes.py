"""Engine fixes: events carried on a raised alert, 0-RTT skipping, rsa_pss_pss keys, max_fragment_length.

* ``receive_data`` that raises hands over the events it produced before the violation on
  ``alert.events`` (STYLE: the alert must be raised, so the call cannot return them).
* RFC 8446 §4.2.10: a server that rejects early data skips records that do not deprotect
  under the handshake key (after a HelloRetryRequest: every application_data record), up
  to a byte budget; beyond it the record is an ordinary bad_record_mac.
* An id-RSASSA-PSS SubjectPublicKeyInfo (RFC 4055 §1.2) selects rsa_pss_pss_* (RFC 8446 §4.2.3).
* RFC 6066 §4 max_fragment_length caps protected records at 2^(8+code) bytes of content.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from atls import client as client_module
from atls.alerts import BadRecordMac, IllegalParameter, UnexpectedMessage
from atls.config import TLSConfig
from atls.connection import ClientConnection, ServerConnection
from atls.enums import MaxFragmentLength, NamedGroup, SignatureScheme
from atls.events import DataReceived, HandshakeCompleted
from atls.messages import ClientHello
from atls.psk_extensions import EarlyDataIndication
from atls.server import EARLY_DATA_SKIP_LIMIT
from ratscore.crypto import CryptoProvider
from ratscore.crypto.encoding import private_key_from_pkcs8
from ratscore.x509 import load_der_certificate

from .connection_helpers import client_config, credentials, handshake, pump, server_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _connected(crypto: CryptoProvider) -> tuple[ClientConnection, ServerConnection]:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(client_config(crypto, creds.anchors), server_config(crypto, creds))
    assert client.handshake_complete and server.handshake_complete
    return client, server


def _records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """RFC 8446 §5.1 framing, read independently of the engine: (type, fragment) pairs."""
    position = 0
    while position < len(data):
        length = int.from_bytes(data[position + 3 : position + 5], "big")
        yield data[position], data[position + 5 : position + 5 + length]
        position += 5 + length
    assert position == len(data)


# -- events produced before a violation ------------------------------------------------------
def test_events_before_a_bad_record_travel_on_the_exception(crypto: CryptoProvider) -> None:
    client, server = _connected(crypto)
    client.send_data(b"first")
    client.send_data(b"second")
    wire = bytearray(client.data_to_send())
    wire[-1] ^= 0x01  # corrupt the tag of the second record
    with pytest.raises(BadRecordMac) as raised:
        server.receive_data(bytes(wire))
    assert raised.value.events == (DataReceived(data=b"first"),)


def test_exception_without_earlier_events_has_none(crypto: CryptoProvider) -> None:
    _, server = _connected(crypto)
    with pytest.raises(UnexpectedMessage) as raised:
        server.receive_data(b"\x63garbage")
    assert raised.value.events == ()


def test_events_are_not_returned_twice(crypto: CryptoProvider) -> None:
    client, server = _connected(crypto)
    client.send_data(b"only")
    wire = client.data_to_send() + b"\x17\x03\x03\x00\x11" + bytes(17)
    with pytest.raises(BadRecordMac) as raised:
        server.receive_data(wire)
    assert raised.value.events == (DataReceived(data=b"only"),)
    assert server.data_to_send()[:1] == b"\x17"  # the fatal alert is still handed out (protected)


# -- RFC 8446 §4.2.10: skipping rejected early data ------------------------------------------
@pytest.fixture
def offer_early_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make our client put an (empty) early_data extension in its first ClientHello, as a
    resuming client attempting 0-RTT would (its transcript includes it, so the handshake can
    still complete)."""
    original = client_module._client_hello

    def with_early_data(ctx: Any, cookie: bytes | None) -> ClientHello:
        hello = original(ctx, cookie)
        if cookie is not None or ctx.hello_retry_request:
            return hello  # RFC 8446 §4.1.2: not in ClientHello2
        return dataclasses.replace(hello, extensions=(EarlyDataIndication(), *hello.extensions))

    monkeypatch.setattr(client_module, "_client_hello", with_early_data)
    # ClientHello1 normally comes from the template fast path: send it through the objects.
    monkeypatch.setattr(client_module, "_encode_first_client_hello", lambda ctx, _: with_early_data(ctx, None).encode())


def _early_data_records(total: int, size: int = 1000) -> bytes:
    """Records the server cannot deprotect: what 0-RTT data under an unknown key looks like."""
    out = bytearray()
    while total > 0:
        length = min(size, total)
        out += b"\x17\x03\x03" + length.to_bytes(2, "big") + os.urandom(length)
        total -= length
    return bytes(out)


def _handshake_with_injected(
    crypto: CryptoProvider, injected: bytes, **server_changes: Any
) -> tuple[ClientConnection, ServerConnection, list[Any]]:
    creds = credentials(crypto, "p256")
    client = ClientConnection(client_config(crypto, creds.anchors))
    server = ServerConnection(server_config(crypto, creds, **server_changes))
    server_events = server.receive_data(client.data_to_send() + injected)
    client_events, more = pump(client, server)
    return client, server, client_events + server_events + more


@pytest.mark.usefixtures("offer_early_data")
def test_rejected_early_data_is_skipped(crypto: CryptoProvider) -> None:
    client, server, events = _handshake_with_injected(crypto, _early_data_records(3000))
    assert sum(isinstance(event, HandshakeCompleted) for event in events) == 2
    client.send_data(b"after")
    assert server.receive_data(client.data_to_send()) == [DataReceived(data=b"after")]


@pytest.mark.usefixtures("offer_early_data")
def test_early_data_skipped_after_hello_retry_request(crypto: CryptoProvider) -> None:
    # RFC 8446 §4.2.10: after a HelloRetryRequest every application_data record is skipped.
    _, _, events = _handshake_with_injected(crypto, _early_data_records(2500), hello_retry_cookie=True)
    assert sum(isinstance(event, HandshakeCompleted) for event in events) == 2


@pytest.mark.usefixtures("offer_early_data")
def test_early_data_beyond_the_budget_is_bad_record_mac(crypto: CryptoProvider) -> None:
    with pytest.raises(BadRecordMac):
        _handshake_with_injected(crypto, _early_data_records(EARLY_DATA_SKIP_LIMIT + 1000, size=16000))


def test_undecryptable_records_without_an_early_data_offer_fail(crypto: CryptoProvider) -> None:
    with pytest.raises(BadRecordMac):
        _handshake_with_injected(crypto, _early_data_records(100))


@pytest.mark.usefixtures("offer_early_data")
def test_early_data_in_the_second_client_hello_is_illegal(
    crypto: CryptoProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = client_module._client_hello

    def always(ctx: Any, cookie: bytes | None) -> ClientHello:
        hello = original(ctx, cookie)
        return dataclasses.replace(hello, extensions=(EarlyDataIndication(), *hello.extensions))

    monkeypatch.setattr(client_module, "_client_hello", always)
    monkeypatch.setattr(client_module, "_encode_first_client_hello", lambda ctx, _: always(ctx, None).encode())
    creds = credentials(crypto, "p256")
    with pytest.raises(IllegalParameter):
        handshake(client_config(crypto, creds.anchors), server_config(crypto, creds, hello_retry_cookie=True))


# -- rsa_pss_pss: a certificate whose key is id-RSASSA-PSS -----------------------------------
def _rsassa_pss_spki_certificate() -> tuple[bytes, bytes, bytes]:
    """(leaf DER with an id-RSASSA-PSS SPKI, its RSA key as PKCS#8, CA DER), built with
    asn1crypto and cryptography (outside implementations)."""
    asn1_x509 = pytest.importorskip("asn1crypto.x509")
    asn1_keys = pytest.importorskip("asn1crypto.keys")
    from cryptography import x509 as cx509

    from tests.ratscore.x509 import pki

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = pki.issue(
        "PSS test CA", key=ca_key, issuer=None, ca=True, key_usage=("key_cert_sign",), extended_key_usage=None
    )
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    template = pki.issue("server.example", key=leaf_key, issuer=ca, dns_names=("server.example",))
    certificate = asn1_x509.Certificate.load(template.x509.public_bytes(serialization.Encoding.DER))
    tbs = certificate["tbs_certificate"]
    spki = tbs["subject_public_key_info"]
    # RFC 4055 §1.2: id-RSASSA-PSS with absent parameters (any hash / salt may be used).
    tbs["subject_public_key_info"] = asn1_keys.PublicKeyInfo(
        {"algorithm": {"algorithm": "rsassa_pss"}, "public_key": spki["public_key"].parsed}
    )
    tbs_der = tbs.dump(force=True)
    signature = ca_key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))
    rebuilt = asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": certificate["signature_algorithm"],
            "signature_value": signature,
        }
    ).dump()
    assert cx509.load_der_x509_certificate(rebuilt).signature == signature
    pkcs8 = leaf_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return rebuilt, pkcs8, ca.x509.public_bytes(serialization.Encoding.DER)


def test_rsassa_pss_key_negotiates_rsa_pss_pss(crypto: CryptoProvider) -> None:
    leaf_der, pkcs8, ca_der = _rsassa_pss_spki_certificate()
    assert load_der_certificate(leaf_der).spki_der[4:17] == bytes.fromhex("300b06092a864886f70d01010a")
    key_type, raw = private_key_from_pkcs8(pkcs8)
    server_cfg = dataclasses.replace(
        server_config(crypto, credentials(crypto, "p256")),
        certificate_chain=(leaf_der,),
        private_key=crypto.load_private_key(key_type, raw),
    )
    client_cfg = client_config(crypto, (load_der_certificate(ca_der),))
    _, _, client_events, _ = handshake(client_cfg, server_cfg)
    completed = [event for event in client_events if isinstance(event, HandshakeCompleted)]
    assert completed[0].peer_signature_scheme is SignatureScheme.RSA_PSS_PSS_SHA256


def test_rsassa_pss_key_without_pss_schemes_fails(crypto: CryptoProvider) -> None:
    leaf_der, pkcs8, ca_der = _rsassa_pss_spki_certificate()
    key_type, raw = private_key_from_pkcs8(pkcs8)
    server_cfg = dataclasses.replace(
        server_config(crypto, credentials(crypto, "p256")),
        certificate_chain=(leaf_der,),
        private_key=crypto.load_private_key(key_type, raw),
    )
    # RFC 8446 §4.2.3: an id-RSASSA-PSS key signs only with rsa_pss_pss_*.
    client_cfg = client_config(
        crypto,
        (load_der_certificate(ca_der),),
        signature_schemes=(SignatureScheme.RSA_PSS_RSAE_SHA256, SignatureScheme.ECDSA_SECP256R1_SHA256),
    )
    from atls.alerts import HandshakeFailure

    with pytest.raises(HandshakeFailure):
        handshake(client_cfg, server_cfg)


# -- RFC 6066 §4 max_fragment_length ---------------------------------------------------------
@pytest.mark.parametrize("code", list(MaxFragmentLength))
def test_max_fragment_length_caps_records_both_ways(crypto: CryptoProvider, code: MaxFragmentLength) -> None:
    limit = 1 << (8 + int(code))  # RFC 6066 §4: 2^9, 2^10, 2^11, 2^12
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(
        client_config(crypto, creds.anchors, max_fragment_length=code, groups=(NamedGroup.X25519,)),
        server_config(crypto, creds),
    )
    payload = os.urandom(3 * limit + 7)
    for sender, receiver in ((client, server), (server, client)):
        sender.send_data(payload)
        wire = sender.data_to_send()
        records = list(_records(wire))
        # content + inner type byte + 16-byte AES-GCM tag per record (RFC 8446 §5.2)
        assert all(len(fragment) <= limit + 1 + 16 for _, fragment in records)
        assert len(records) == 4
        received = receiver.receive_data(wire)
        assert b"".join(event.data for event in received if isinstance(event, DataReceived)) == payload


def test_max_fragment_length_is_enforced_on_receive(crypto: CryptoProvider) -> None:
    creds = credentials(crypto, "p256")
    client, server, _, _ = handshake(
        client_config(crypto, creds.anchors, max_fragment_length=MaxFragmentLength.LENGTH_512),
        server_config(crypto, creds),
    )
    # Force a larger record out of the server by lifting its send limit behind its back.
    server._ctx.record_layer.set_send_record_size_limit(2048)
    server.send_data(bytes(1500))
    from atls.alerts import RecordOverflow

    with pytest.raises(RecordOverflow):
        client.receive_data(server.data_to_send())


def test_config_accepts_each_code() -> None:
    for code in MaxFragmentLength:
        assert TLSConfig(max_fragment_length=code).max_fragment_length is code
