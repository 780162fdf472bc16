"""Fuzz the TLS 1.3 record layer, codecs and engines: arbitrary bytes raise only RemoteProtocolError.

Targets, for every input:

* the record layer: ``RecordReader`` cutting records from the stream, a ``RecordLayer``
  without keys and one with a read key (any suite), whose records are either the input
  as is or the input sealed as TLSInnerPlaintext under that key, so AEAD-valid records
  reach the padding, inner-type and size-limit checks (RFC 8446 §5, RFC 8449 §4);
* every handshake message decoder of ``atls.messages`` (RFC 8446 §4), the extension
  decoders in every ``ExtensionContext`` (§4.2), the PSK extension decoders, alerts
  (§6), handshake framing and reassembly;
* one engine per input, picked by the second input byte, in a reachable state: a
  server waiting for ClientHello, a client waiting for ServerHello, both after a
  HelloRetryRequest, a client with handshake keys (after ServerHello), a server with
  handshake keys waiting for the client's Certificate (mutual authentication), and a
  connected client and server.

Invariant (house style, STYLE.md "Errors"): a decoder returns or raises a
``RemoteProtocolError``; an engine returns events or raises a ``TLSAlert`` (a
``RemoteProtocolError`` subclass), and then it is in ERROR, has queued its alert, and
refuses further input with ``LocalProtocolError``.  Anything else (IndexError,
struct.error, KeyError, CryptoError, a LocalProtocolError from a receive path, ...) is a
finding and propagates.

The first input byte picks how the rest reaches the engine: raw bytes; a recorded
plaintext handshake record (ClientHello, ServerHello, HelloRetryRequest, ClientHello2)
with the input spliced or XORed into it; the input framed as one handshake message in
one record; or, for an engine holding a read key, the input sealed under that key after
a prefix of the genuine encrypted flight (k messages, k from the input), so mutations
reach every post-decryption handler (EncryptedExtensions, Certificate,
CertificateVerify, Finished, KeyUpdate, NewSessionTicket, alerts, application data).

Credentials: an X.509 chain minted by the test PKI when ``cryptography`` is installed
(tests/ratscore/x509/pki.py), else Ed25519 raw public keys (RFC 7250) from the provider.

Run with atheris (libFuzzer options pass through)::

    python fuzz/tls_records.py -runs=20000 [corpus_dir]

Without atheris the same file runs a plain random driver::

    python fuzz/tls_records.py --plain -runs=2000 [--seed=N]

Importing this module needs neither atheris nor a fuzzing run.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from atls.alerts import TLSAlert
from atls.codec import (
    HandshakeMessage,
    HandshakeReassembler,
    Reader,
    decode_alert,
    encode_handshake,
    split_handshake_messages,
)
from atls.config import ClientAuthentication, TLSConfig, VerifyMode
from atls.connection import ClientConnection, ServerConnection, TLSConnection
from atls.enums import CertificateType, CipherSuite, ContentType, ExtensionContext, HandshakeType
from atls.extensions import decode_extensions
from atls.messages import (
    decode_certificate,
    decode_certificate_request,
    decode_certificate_verify,
    decode_client_hello,
    decode_encrypted_extensions,
    decode_end_of_early_data,
    decode_finished,
    decode_handshake_message,
    decode_key_update,
    decode_new_session_ticket,
    decode_server_hello,
)
from atls.psk_extensions import decode_early_data, decode_pre_shared_key_offer
from atls.record import RecordLayer, RecordProtection, RecordReader
from atls.states import State
from fuzz.driver import fuzz_main
from ratscore.crypto import CryptoProvider, KeyType
from ratscore.crypto.encoding import public_key_to_spki
from ratscore.errors import LocalProtocolError, RemoteProtocolError
from ratscore.x509 import PinnedKeyVerifier

__all__ = ["ENGINE_TARGETS", "Scenario", "check_input", "main"]


def _in_context(decoder: Callable[[Reader, ExtensionContext], object]) -> list[Callable[[bytes], object]]:
    def bind(context: ExtensionContext) -> Callable[[bytes], object]:
        return lambda data: decoder(Reader(data), context)

    return [bind(context) for context in ExtensionContext]


DECODERS: tuple[Callable[[bytes], object], ...] = (
    decode_client_hello,
    decode_server_hello,
    decode_encrypted_extensions,
    decode_certificate_request,
    decode_certificate,
    decode_certificate_verify,
    lambda data: decode_finished(data, 32),
    lambda data: decode_finished(data, 48),
    decode_new_session_ticket,
    decode_key_update,
    decode_end_of_early_data,
    decode_alert,
    split_handshake_messages,
    lambda data: decode_handshake_message(
        HandshakeMessage(msg_type=data[0] if data else 0, body=data[1:], raw=data), hash_length=32
    ),
    *_in_context(decode_extensions),
    *_in_context(decode_pre_shared_key_offer),
    *_in_context(decode_early_data),
)

# -- credentials and configurations ------------------------------------------------------------


def _x509_configs(crypto: CryptoProvider) -> tuple[TLSConfig, TLSConfig] | None:
    """Client and server configs with test-PKI chains and mutual authentication, or None."""
    try:
        from tests.atls.connection_helpers import client_config, credentials, mutual_server_config
    except ImportError:  # the test PKI is minted with the cryptography package
        return None
    server_creds = credentials(crypto)
    client_creds = credentials(crypto, client=True)
    client = client_config(
        crypto,
        server_creds.anchors,
        certificate_chain=client_creds.chain,
        private_key=client_creds.signer,
        middlebox_compatibility=False,  # an empty session id, so recorded ServerHellos stay valid
    )
    return client, mutual_server_config(crypto, server_creds, client_creds.anchors)


def _raw_public_key_configs(crypto: CryptoProvider) -> tuple[TLSConfig, TLSConfig]:
    """RFC 7250 raw Ed25519 keys both ways, each pinned by the other side."""
    client_key = crypto.generate_private_key(KeyType.ED25519)
    server_key = crypto.generate_private_key(KeyType.ED25519)

    def config(own: object, peer_spki: bytes, **changes: object) -> TLSConfig:
        base = TLSConfig(
            private_key=own,  # type: ignore[arg-type]  # a PrivateKey is a Signer
            certificate_types=(CertificateType.RAW_PUBLIC_KEY,),
            peer_certificate_types=(CertificateType.RAW_PUBLIC_KEY,),
            pinned_keys=PinnedKeyVerifier(spkis=[peer_spki]),
            verify_mode=VerifyMode.PINNED,
            crypto=crypto,
        )
        return dataclasses.replace(base, **changes)  # type: ignore[arg-type]  # keyword changes

    client = config(client_key, public_key_to_spki(server_key.public_key()), middlebox_compatibility=False)
    server = config(
        server_key,
        public_key_to_spki(client_key.public_key()),
        client_authentication=ClientAuthentication.REQUIRE,
    )
    return client, server


def _records(data: bytes) -> list[bytes]:
    """Cut a byte stream into whole records (header included)."""
    reader = RecordReader()
    reader.feed(data)
    records = []
    while (record := reader.next_record()) is not None:
        records.append(record.encode())
    return records


def _read_protection(engine: TLSConnection) -> RecordProtection | None:
    """A copy of the engine's current read protection: sealing with it gives the next record it
    accepts (same key, IV and sequence number).  Reaches into private state: fuzzing only."""
    protection = engine._ctx.record_layer._read
    return None if protection is None else copy.copy(protection)


@dataclass(slots=True)
class LiveEngine:
    """An engine in some state, with what the genuine peer would send it next."""

    engine: TLSConnection
    template: bytes  # a genuine plaintext record for this state (b"" if none)
    prefix_messages: tuple[bytes, ...]  # genuine handshake messages due next, decrypted


@dataclass(slots=True)
class Scenario:
    """Configurations and one recorded HelloRetryRequest handshake (plaintext records)."""

    crypto: CryptoProvider
    client_config: TLSConfig
    server_config: TLSConfig
    retry_server_config: TLSConfig
    client_hello: bytes
    server_hello: bytes
    hello_retry_request: bytes
    client_hello_2: bytes
    server_hello_after_retry: bytes

    @classmethod
    def record(cls, crypto: CryptoProvider) -> Scenario:
        configs = _x509_configs(crypto) or _raw_public_key_configs(crypto)
        client_config, server_config = configs
        # A fixed cookie function: the recorded ClientHello2 then echoes what any fresh server expects.
        retry_server_config = dataclasses.replace(
            server_config,
            hello_retry_cookie=True,
            hello_retry_cookie_factory=lambda first_client_hello_hash: b"fuzz" + first_client_hello_hash,
        )
        client = ClientConnection(client_config)
        client_hello = client.data_to_send()
        server = ServerConnection(server_config)
        server.receive_data(client_hello)
        server_hello = _records(server.data_to_send())[0]
        retry_server = ServerConnection(retry_server_config)
        retry_server.receive_data(client_hello)
        hello_retry_request = retry_server.data_to_send()
        client.receive_data(hello_retry_request)
        client_hello_2 = client.data_to_send()
        retry_server.receive_data(client_hello_2)
        server_hello_after_retry = _records(retry_server.data_to_send())[0]
        return cls(
            crypto,
            client_config,
            server_config,
            retry_server_config,
            client_hello,
            server_hello,
            hello_retry_request,
            client_hello_2,
            server_hello_after_retry,
        )

    # -- engines in each receiving state ---------------------------------------------------
    def server_start(self) -> LiveEngine:
        return LiveEngine(ServerConnection(self.server_config), self.client_hello, ())

    def client_start(self) -> LiveEngine:
        return LiveEngine(ClientConnection(self.client_config), self.server_hello, ())

    def server_after_retry(self) -> LiveEngine:
        server = ServerConnection(self.retry_server_config)
        server.receive_data(self.client_hello)
        assert server.state is State.SERVER_WAIT_CLIENT_HELLO_AFTER_RETRY
        return LiveEngine(server, self.client_hello_2, ())

    def client_after_retry(self) -> LiveEngine:
        client = ClientConnection(self.client_config)
        client.receive_data(self.hello_retry_request)
        assert client.state is State.CLIENT_WAIT_SERVER_HELLO_AFTER_RETRY
        return LiveEngine(client, self.server_hello_after_retry, ())

    def _server_flight(self) -> tuple[ClientConnection, ServerConnection, list[bytes]]:
        client = ClientConnection(self.client_config)
        server = ServerConnection(self.server_config)
        server.receive_data(client.data_to_send())
        return client, server, _records(server.data_to_send())

    def client_with_handshake_keys(self) -> LiveEngine:
        client, _, records = self._server_flight()
        client.receive_data(records[0])  # ServerHello: the client now reads under the handshake key
        assert client.state is State.CLIENT_WAIT_ENCRYPTED_EXTENSIONS
        return LiveEngine(client, b"", _decrypt_flight(client, records[1:]))

    def server_with_handshake_keys(self) -> LiveEngine:
        client, server, records = self._server_flight()
        client.receive_data(b"".join(records))
        assert server.state is State.SERVER_WAIT_CERTIFICATE
        return LiveEngine(server, b"", _decrypt_flight(server, _records(client.data_to_send())))

    def _connected(self) -> tuple[ClientConnection, ServerConnection]:
        client, server, records = self._server_flight()
        client.receive_data(b"".join(records))
        server.receive_data(client.data_to_send())
        assert client.state is State.CONNECTED and server.state is State.CONNECTED
        return client, server

    def client_connected(self) -> LiveEngine:
        return LiveEngine(self._connected()[0], b"", ())

    def server_connected(self) -> LiveEngine:
        return LiveEngine(self._connected()[1], b"", ())


def _decrypt_flight(receiver: TLSConnection, records: list[bytes]) -> tuple[bytes, ...]:
    """The handshake messages inside ``records`` (encrypted for ``receiver``), not consuming them."""
    protection = _read_protection(receiver)
    assert protection is not None
    reader = RecordReader()
    reader.feed(b"".join(records))
    content = b""
    while (record := reader.next_record()) is not None:
        _, data, _ = protection.open(record)
        content += data
    return tuple(message.raw for message in split_handshake_messages(content))


ENGINE_TARGETS: tuple[Callable[[Scenario], LiveEngine], ...] = (
    Scenario.server_start,
    Scenario.client_start,
    Scenario.server_after_retry,
    Scenario.client_after_retry,
    Scenario.client_with_handshake_keys,
    Scenario.server_with_handshake_keys,
    Scenario.client_connected,
    Scenario.server_connected,
)

# -- building the bytes an engine receives --------------------------------------------------------
_SEALED_TYPES = tuple(ContentType)
_HANDSHAKE_TYPES = tuple(HandshakeType)


def _mutate(template: bytes, payload: bytes) -> bytes:
    """Splice ``payload`` into ``template`` or XOR it in, chosen by its first byte."""
    if not payload or not template:
        return template or payload
    selector, body = payload[0], payload[1:]
    position = (selector * 7) % (len(template) + 1)
    if selector & 1:
        return template[:position] + body + template[position + len(body) // 2 :]
    mask = body.ljust(len(template), b"\x00")[: len(template)]
    return bytes(a ^ b for a, b in zip(template, mask, strict=True)) + body[len(template) :]


def _handshake_content(payload: bytes) -> bytes:
    """Either ``payload[1:]`` as is or, when ``payload[0]`` is odd, one well-framed handshake
    message (RFC 8446 §4) of a type picked by ``payload[0]`` with ``payload[1:]`` as its body,
    so each message handler is a byte away."""
    if not payload or not payload[0] & 1:
        return payload[1:]
    return encode_handshake(_HANDSHAKE_TYPES[(payload[0] >> 1) % len(_HANDSHAKE_TYPES)], payload[1:])


def _framed(payload: bytes) -> bytes:
    """The input as one plaintext handshake record (RFC 8446 §5.1) with a correct length."""
    body = _handshake_content(payload)[: 1 << 14]
    return bytes((ContentType.HANDSHAKE, 3, 3)) + len(body).to_bytes(2, "big") + body


def _sealed(live: LiveEngine, payload: bytes) -> bytes | None:
    """The genuine next messages (a prefix), then the input, sealed for the engine's read key."""
    protection = _read_protection(live.engine)
    if protection is None or len(payload) < 3:
        return None
    count, type_selector, padding = payload[0], payload[1], payload[2]
    prefix = b"".join(live.prefix_messages[: count % (len(live.prefix_messages) + 1)])
    content_type = _SEALED_TYPES[type_selector % len(_SEALED_TYPES)] if type_selector & 0x80 else ContentType.HANDSHAKE
    body = _handshake_content(payload[3:]) if content_type is ContentType.HANDSHAKE else payload[3:]
    content = (prefix + body)[: 1 << 14]
    padding_length = min(padding if padding & 1 else 0, (1 << 14) - len(content))
    return protection.seal(content_type, content, padding_length)


def _sealed_record_layer(crypto: CryptoProvider, payload: bytes) -> None:
    """A RecordLayer with a read key: the input as records, or sealed as TLSInnerPlaintext."""
    if len(payload) < 2:
        return
    suites = tuple(CipherSuite.__members__.values())
    suite = suites[payload[0] % len(suites)]
    secret = bytes(suite.hash_algorithm.digest_size)
    layer = RecordLayer(crypto)
    layer.set_read_key(suite, secret)
    layer.set_receive_record_size_limit(64 + payload[1] * 64)
    layer.accept_change_cipher_spec = bool(payload[1] & 1)
    layer.early_data_skip_budget = 300 if payload[1] & 2 else 0
    body = payload[2:]
    if payload[1] & 4:
        protection = RecordProtection.from_traffic_secret(crypto, suite, secret)
        content_type = _SEALED_TYPES[payload[1] % len(_SEALED_TYPES)]
        body = protection.seal(content_type, body[: 1 << 14], 0)
    layer.receive_data(body)
    with contextlib.suppress(RemoteProtocolError):
        while layer.next_record() is not None:
            pass


def _check_record_layer(crypto: CryptoProvider, payload: bytes) -> None:
    reader = RecordReader()
    with contextlib.suppress(RemoteProtocolError):
        reader.feed(payload)
        while reader.next_record() is not None:
            pass
    layer = RecordLayer(crypto)
    layer.accept_change_cipher_spec = bool(payload[:1] and payload[0] & 1)
    with contextlib.suppress(RemoteProtocolError):
        layer.receive_data(payload)
        while layer.next_record() is not None:
            pass
    reassembler = HandshakeReassembler()
    with contextlib.suppress(RemoteProtocolError):
        reassembler.feed(payload)
        while reassembler.next_message() is not None:
            pass
    _sealed_record_layer(crypto, payload)


def _ends_with_alert(output: bytes) -> bool:
    """The last record is an alert: plaintext (2 bytes) or protected (2 + type + 8- or 16-byte tag)."""
    records = _records(output)
    if not records:
        return False
    last = records[-1]
    return (last[0] == ContentType.ALERT and len(last) == 7) or (
        last[0] == ContentType.APPLICATION_DATA and len(last) - 5 in (3 + 8, 3 + 16)
    )


def _check_engine(live: LiveEngine, data: bytes) -> None:
    engine = live.engine
    try:
        engine.receive_data(data)
    except TLSAlert:
        # STYLE.md "Errors": the alert is queued, the engine is in ERROR and refuses more input.
        assert engine.state is State.ERROR, engine.state
        assert _ends_with_alert(engine.data_to_send()), "no alert record queued"
        try:
            engine.receive_data(b"")
        except LocalProtocolError:
            return
        raise AssertionError("an engine in ERROR accepted input") from None
    engine.data_to_send()


def check_input(scenario: Scenario, data: bytes) -> None:
    """Run every target on ``data`` (see module doc); raise on an invariant violation."""
    mode, selector, payload = (data[0], data[1], data[2:]) if len(data) >= 2 else (0, 0, data)

    for decoder in DECODERS:
        with contextlib.suppress(RemoteProtocolError):
            decoder(payload)
    _check_record_layer(scenario.crypto, payload)

    live = ENGINE_TARGETS[selector % len(ENGINE_TARGETS)](scenario)
    message: bytes | None
    if mode % 4 == 0:
        message = payload
    elif mode % 4 == 1:
        message = _mutate(live.template, payload)
    elif mode % 4 == 2:
        message = _framed(payload)
    else:
        message = _sealed(live, payload)
    if message is None:  # no read key to seal under: raw bytes instead
        message = payload
    _check_engine(live, message)


# -- drivers -------------------------------------------------------------------------------------
def _setup(crypto: CryptoProvider) -> Callable[[bytes], None]:
    recorded = Scenario.record(crypto)
    return lambda data: check_input(recorded, data)


def _plain_input(rng: random.Random, run: int) -> bytes:
    """The plain driver's inputs: a mode/selector prefix, then random bytes."""
    return bytes([run % 256, (run // 4) % 256]) + rng.randbytes(rng.choice((0, 1, 2, 4, 8, 16, 40, 80, 200, 600)))


def main(argv: list[str]) -> int:
    return fuzz_main(argv, setup=_setup, plain_input=_plain_input)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
