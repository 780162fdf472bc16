"""EDHOC over CoAP (RFC 9528 App. A.2): the sans-I/O binding and our client/server over UDP loopback.

Wire facts checked against the RFC text: the ``true`` prefix 0xF5 of message_1, the
§3.3.2 prefix encodings (RFC 9529 Trace 1 C_R = h'18' travels as the bstr 41 18, Trace 2
C_R = h'27' as the int -8, byte 27), Content-Formats 64/65 (§10.9), 2.04 / 4.00 / 5.00
(App. A.2.3) and the RFC 9668 §3.4 combined-request payload.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any, TypeVar

import pytest

from edhoc_ra import (
    AuthenticationFailed,
    Credential,
    EdhocConfig,
    EdhocDecodeError,
    ErrorReceived,
    HandshakeCompleted,
    IdCred,
    Initiator,
    LocalCredential,
    Method,
    Responder,
    Role,
    UnknownCredentialReferenced,
    WrongSelectedCipherSuite,
)
from edhoc_ra.coap import (
    CONTENT_FORMAT_CID_EDHOC,
    CONTENT_FORMAT_EDHOC,
    CoapTransportError,
    ForwardClient,
    ForwardServer,
    HandshakeRejected,
    ResponseCode,
    ReverseClient,
    ReverseServer,
    prefix_payload,
    split_combined_payload,
    split_prefix,
)
from ratscore.crypto import CryptoProvider, KeyType, get_provider
from ratscore.errors import LocalProtocolError

from .helpers import make_local

pytest.importorskip("aiocoap", reason="aiocoap is not installed (pip install 'attested-stack[coap]')")
pytest.importorskip(
    "aiocoap.oscore", reason="aiocoap's OSCORE dependencies are missing (pip install 'aiocoap[oscore]')"
)

import aiocoap

from edhoc_ra.asyncio import EdhocServer, Flow, OscoreOnlyResource, oscore_request, run_client

T = TypeVar("T")
TIMEOUT = 10.0
CLIENT_KID = b"\x2b"
SERVER_KID = b"\x32"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one test coroutine, bounded in time."""
    return asyncio.run(asyncio.wait_for(coroutine, TIMEOUT))


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def configs(
    crypto: CryptoProvider,
    *,
    method: Method = Method.STAT_STAT,
    suite: int = 2,
    use_message_4: bool = False,
    initiator_suites: tuple[int, ...] | None = None,
    responder_suites: tuple[int, ...] | None = None,
) -> tuple[EdhocConfig, EdhocConfig]:
    """(initiator config, responder config), each trusting the other's credential by kid."""
    initiator = make_local(crypto, method, Role.INITIATOR, suite, CLIENT_KID)
    responder = make_local(crypto, method, Role.RESPONDER, suite, SERVER_KID)
    trusted = {CLIENT_KID: initiator.credential, SERVER_KID: responder.credential}

    def resolve(id_cred: IdCred) -> Credential | None:
        return trusted.get(id_cred.kid) if id_cred.kid is not None else None

    common: dict[str, Any] = {"method": method, "use_message_4": use_message_4, "credential_resolver": resolve}
    config_i = EdhocConfig(credential=initiator, suites=initiator_suites or (suite,), **common)
    config_r = EdhocConfig(credential=responder, suites=responder_suites or (suite,), **common)
    return config_i, config_r


# ---------------------------------------------------------------------------
# Prefixes and payloads (App. A.2, RFC 9668 §3.4)


def test_message_1_prefix_is_cbor_true() -> None:
    assert prefix_payload(None, b"\x03\x02") == b"\xf5\x03\x02"
    assert split_prefix(b"\xf5\x03\x02") == (None, b"\x03\x02")


def test_prefix_uses_the_connection_identifier_encoding() -> None:
    # RFC 9529 Trace 1: C_R = h'18' is sent as a bstr; Trace 2: C_R = h'27' as the int -8
    assert prefix_payload(b"\x18", b"\x58") == b"\x41\x18\x58"
    assert prefix_payload(b"\x27", b"\x58") == b"\x27\x58"
    assert split_prefix(b"\x41\x18\x58") == (b"\x18", b"\x58")
    assert split_prefix(b"\x27\x58") == (b"\x27", b"\x58")


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x41\x27\x58", b"\x18\x30\x58", b"\xf4\x58", b"\x5f", b"\x80"],
    ids=["empty", "non-canonical-bstr", "int-out-of-range", "false", "truncated", "array"],
)
def test_bad_prefix_is_a_decode_error(payload: bytes) -> None:
    with pytest.raises(EdhocDecodeError):
        split_prefix(payload)


def test_combined_payload_example_of_rfc_9668() -> None:
    # RFC 9668 §3.4: EDHOC_MSG_3 then the OSCORE ciphertext
    message_3 = bytes.fromhex("52d5535f3147e85f1cfacd9e78abf9e0a81bbf")
    oscore_payload = bytes.fromhex("612f1092f1776f1c1668b3825e")
    assert split_combined_payload(message_3 + oscore_payload) == (message_3, oscore_payload)
    with pytest.raises(EdhocDecodeError):
        split_combined_payload(message_3)  # no OSCORE payload
    with pytest.raises(EdhocDecodeError):
        split_combined_payload(b"\x01" + oscore_payload)  # message_3 is a bstr


# ---------------------------------------------------------------------------
# The sans-I/O binding, without a network


def test_forward_flow_wire_format(crypto: CryptoProvider) -> None:
    config_i, config_r = configs(crypto, use_message_4=True)
    server = ForwardServer(config_r, crypto=crypto)
    client = ForwardClient(Initiator(config_i, crypto=crypto))
    request_1 = client.next_request()
    assert request_1 is not None
    assert request_1.payload[0] == 0xF5
    assert request_1.content_format == CONTENT_FORMAT_CID_EDHOC
    reply_2 = server.handle_request(request_1.payload, request_1.content_format)
    assert reply_2.code == ResponseCode.CHANGED
    assert reply_2.content_format == CONTENT_FORMAT_EDHOC
    assert reply_2.payload[0] >> 5 == 2  # message_2 is one bstr (§5.3.1), no prefix
    assert reply_2.awaiting_combined_request is None  # message_4 profile: no RFC 9668 shortcut
    client.receive_response(reply_2.code, reply_2.payload, reply_2.content_format)
    request_3 = client.next_request()
    assert request_3 is not None
    c_r = client.connection.connection_id_responder
    assert c_r is not None
    assert split_prefix(request_3.payload)[0] == c_r
    assert server.pending_sessions == 1
    reply_4 = server.handle_request(request_3.payload, request_3.content_format)
    assert reply_4.code == ResponseCode.CHANGED
    assert reply_4.content_format == CONTENT_FORMAT_EDHOC
    assert reply_4.completed is not None
    assert server.pending_sessions == 0
    client.receive_response(reply_4.code, reply_4.payload, reply_4.content_format)
    assert client.next_request() is None
    session = client.result()
    assert session.oscore_context().master_secret == reply_4.completed.oscore_context().master_secret
    assert session.oscore_context().sender_id == reply_4.completed.oscore_context().recipient_id == c_r


def test_forward_flow_without_message_4_ends_with_empty_changed(crypto: CryptoProvider) -> None:
    config_i, config_r = configs(crypto)
    server = ForwardServer(config_r, crypto=crypto)
    client = ForwardClient(Initiator(config_i, crypto=crypto))
    replies = []
    while (request := client.next_request()) is not None:
        reply = server.handle_request(request.payload, request.content_format)
        replies.append(reply)
        client.receive_response(reply.code, reply.payload, reply.content_format)
    assert replies[0].awaiting_combined_request == client.connection.connection_id_responder
    assert (replies[1].code, replies[1].payload, replies[1].content_format) == (ResponseCode.CHANGED, b"", None)
    assert client.result().handshake.selected_suite == 2


def test_reverse_flow_wire_format(crypto: CryptoProvider) -> None:
    config_i, config_r = configs(crypto)
    server = ReverseServer(config_i, crypto=crypto)
    client = ReverseClient(Responder(config_r, crypto=crypto))
    trigger = client.next_request()
    assert trigger is not None
    assert (trigger.payload, trigger.content_format) == (b"", None)  # App. A.2.2: an empty POST
    reply_1 = server.handle_request(trigger.payload, trigger.content_format)
    assert (reply_1.code, reply_1.content_format) == (ResponseCode.CHANGED, CONTENT_FORMAT_EDHOC)
    assert reply_1.payload[0] == 0x03  # message_1 starts with METHOD = 3, no prefix
    client.receive_response(reply_1.code, reply_1.payload, reply_1.content_format)
    request_2 = client.next_request()
    assert request_2 is not None
    assert split_prefix(request_2.payload)[0] == client.connection.connection_id_initiator  # C_I ‖ message_2
    reply_3 = server.handle_request(request_2.payload, request_2.content_format)
    assert (reply_3.code, reply_3.content_format) == (ResponseCode.CHANGED, CONTENT_FORMAT_EDHOC)
    assert reply_3.completed is not None
    client.receive_response(reply_3.code, reply_3.payload, reply_3.content_format)
    assert client.next_request() is None
    assert client.result().oscore_context().master_salt == reply_3.completed.oscore_context().master_salt


def test_wrong_suite_is_error_2_in_a_4_00_and_the_client_retries(crypto: CryptoProvider) -> None:
    config_i, config_r = configs(crypto, initiator_suites=(3, 2), responder_suites=(2,))
    server = ForwardServer(config_r, crypto=crypto)
    client = ForwardClient(Initiator(config_i, crypto=crypto))
    first = client.next_request()
    assert first is not None
    rejected = server.handle_request(first.payload, first.content_format)
    assert rejected.code == ResponseCode.BAD_REQUEST  # App. A.2.3
    assert rejected.content_format == CONTENT_FORMAT_EDHOC
    assert rejected.payload == b"\x02\x02"  # ERR_CODE 2, SUITES_R = 2 (RFC 9528 §6.3)
    assert isinstance(rejected.failure, WrongSelectedCipherSuite)
    events = client.receive_response(rejected.code, rejected.payload, rejected.content_format)
    assert events == [ErrorReceived(err_code=2, err_info=2, suites_r=(2,))]
    while (request := client.next_request()) is not None:
        reply = server.handle_request(request.payload, request.content_format)
        client.receive_response(reply.code, reply.payload, reply.content_format)
    assert client.result().handshake.selected_suite == 2


def test_no_common_suite_rejects_without_retry(crypto: CryptoProvider) -> None:
    config_i, config_r = configs(crypto, suite=2, initiator_suites=(3,), responder_suites=(2,))
    server = ForwardServer(config_r, crypto=crypto)
    client = ForwardClient(Initiator(config_i, crypto=crypto))
    request = client.next_request()
    assert request is not None
    reply = server.handle_request(request.payload, request.content_format)
    client.receive_response(reply.code, reply.payload, reply.content_format)
    assert client.next_request() is None
    with pytest.raises(HandshakeRejected) as caught:
        client.result()
    assert caught.value.error.err_code == 2


@pytest.mark.parametrize(
    "payload",
    [b"\xf5", b"\xf5\x03\x02", b"\xf5\x03\x02\x41"],
    ids=["no-message", "truncated", "bad-g_x"],
)
def test_bad_message_1_is_answered_with_error_1(crypto: CryptoProvider, payload: bytes) -> None:
    _, config_r = configs(crypto)
    reply = ForwardServer(config_r, crypto=crypto).handle_request(payload, CONTENT_FORMAT_CID_EDHOC)
    assert reply.code == ResponseCode.BAD_REQUEST
    assert reply.content_format == CONTENT_FORMAT_EDHOC
    assert reply.payload[0] == 0x01  # ERR_CODE 1
    assert isinstance(reply.failure, EdhocDecodeError)


def test_unknown_connection_identifier_and_wrong_content_format(crypto: CryptoProvider) -> None:
    _, config_r = configs(crypto)
    server = ForwardServer(config_r, crypto=crypto)
    unknown = server.handle_request(b"\x27\x41\x00", CONTENT_FORMAT_CID_EDHOC)
    assert (unknown.code, unknown.content_format, unknown.payload[0]) == (
        ResponseCode.BAD_REQUEST,
        CONTENT_FORMAT_EDHOC,
        0x01,
    )
    assert server.handle_request(b"\xf5\x03", 60).code == ResponseCode.UNSUPPORTED_CONTENT_FORMAT


def test_reverse_server_refuses_a_forward_message_1(crypto: CryptoProvider) -> None:
    config_i, _ = configs(crypto)
    reply = ReverseServer(config_i, crypto=crypto).handle_request(b"\xf5\x03", CONTENT_FORMAT_CID_EDHOC)
    assert (reply.code, reply.payload[0]) == (ResponseCode.BAD_REQUEST, 0x01)


def test_server_side_failure_is_a_5_00(crypto: CryptoProvider) -> None:
    # Method 3 needs a static DH key; an Ed25519 key cannot do ECDH on P-256: our fault, not the client's
    config_i, config_r = configs(crypto)
    signing_key = crypto.generate_private_key(KeyType.ED25519)
    wrong = LocalCredential(
        credential=Credential.from_public_key(signing_key.public_key(), kid=SERVER_KID),
        id_cred=IdCred.by_kid(SERVER_KID),
        private_key=signing_key,
    )
    server = ForwardServer(replace(config_r, credential=wrong), crypto=crypto)
    request = ForwardClient(Initiator(config_i, crypto=crypto)).next_request()
    assert request is not None
    reply = server.handle_request(request.payload, request.content_format)
    assert (reply.code, reply.content_format) == (ResponseCode.INTERNAL_SERVER_ERROR, CONTENT_FORMAT_EDHOC)
    assert reply.payload == b'\x01\x6einternal error'  # ERR_CODE 1, no detail for the peer
    assert server.pending_sessions == 0


def test_a_resolver_is_required(crypto: CryptoProvider) -> None:
    config_i, config_r = configs(crypto)
    with pytest.raises(LocalProtocolError):
        ForwardServer(replace(config_r, credential_resolver=None), crypto=crypto)
    with pytest.raises(LocalProtocolError):
        ForwardClient(Initiator(replace(config_i, credential_resolver=None), crypto=crypto))
    with pytest.raises(LocalProtocolError):
        ForwardServer(replace(config_r, connection_id=b"\x01"), crypto=crypto)


def test_server_allocates_distinct_one_byte_identifiers(crypto: CryptoProvider) -> None:
    config_i, config_r = configs(crypto)
    server = ForwardServer(config_r, crypto=crypto)
    allocated = []
    for _ in range(5):
        request = ForwardClient(Initiator(config_i, crypto=crypto)).next_request()
        assert request is not None
        allocated.append(server.handle_request(request.payload, request.content_format).awaiting_combined_request)
    assert len(set(allocated)) == 5
    assert all(c_r is not None and len(c_r) == 1 for c_r in allocated)  # §3.3.2: one-byte ids first
    assert server.pending_sessions == 5


# ---------------------------------------------------------------------------
# Over UDP loopback with aiocoap


async def _session_and_oscore(
    crypto: CryptoProvider, flow: Flow, use_message_4: bool
) -> tuple[Any, Any, Any, Any, Any]:
    config_i, config_r = configs(crypto, use_message_4=use_message_4)
    server_config, client_config = (config_r, config_i) if flow is Flow.FORWARD else (config_i, config_r)
    port = free_udp_port()
    resources: dict[tuple[str, ...], Any] = {("hello",): OscoreOnlyResource("hello")}
    server = await EdhocServer.create(server_config, port=port, flow=flow, crypto=crypto, resources=resources)
    context = await aiocoap.Context.create_client_context()
    try:
        client_session = await run_client(client_config, server.uri, flow=flow, crypto=crypto, context=context)
        server_session = await server.next_session()
        hello = f"coap://127.0.0.1:{port}/hello"
        protected = await oscore_request(context, client_session, hello)
        again = await context.request(aiocoap.Message(code=aiocoap.GET, uri=hello)).response  # sequence number 1
        other = await aiocoap.Context.create_client_context()
        try:
            unprotected = await other.request(aiocoap.Message(code=aiocoap.GET, uri=hello)).response
        finally:
            await other.shutdown()
        return client_session, server_session, protected, again, unprotected
    finally:
        await context.shutdown()
        await server.close()


@pytest.mark.parametrize("use_message_4", [False, True], ids=["no-message-4", "message-4"])
@pytest.mark.parametrize("flow", list(Flow), ids=[f.value for f in Flow])
def test_handshake_and_oscore_over_udp(crypto: CryptoProvider, flow: Flow, use_message_4: bool) -> None:
    client, server, protected, again, unprotected = run(_session_and_oscore(crypto, flow, use_message_4))
    exported_c, exported_s = client.oscore_context(), server.oscore_context()
    assert exported_c.master_secret == exported_s.master_secret
    assert exported_c.master_salt == exported_s.master_salt
    assert exported_c.sender_id == exported_s.recipient_id
    assert exported_c.recipient_id == exported_s.sender_id
    # App. A.1: the Initiator's Sender ID is C_R
    initiator = client if flow is Flow.FORWARD else server
    assert initiator.oscore_context().sender_id == initiator.handshake.connection_id_responder
    assert isinstance(client.handshake, HandshakeCompleted)
    client_kid = exported_c.sender_id.hex()
    assert protected.code == aiocoap.CONTENT
    assert protected.payload == f"hello (OSCORE, client kid {client_kid})".encode()
    assert again.code == aiocoap.CONTENT
    assert unprotected.code == aiocoap.UNAUTHORIZED


async def _wrong_suite_over_udp(crypto: CryptoProvider) -> tuple[Any, list[Exception]]:
    config_i, config_r = configs(crypto, initiator_suites=(3, 2), responder_suites=(2,))
    server = await EdhocServer.create(config_r, port=free_udp_port(), crypto=crypto)
    try:
        session = await run_client(config_i, server.uri, crypto=crypto)
        return session, list(server.failures)
    finally:
        await server.close()


def test_wrong_suite_round_trip_with_retry_over_udp(crypto: CryptoProvider) -> None:
    session, failures = run(_wrong_suite_over_udp(crypto))
    assert [type(f) for f in failures] == [WrongSelectedCipherSuite]
    assert ErrorReceived(err_code=2, err_info=2, suites_r=(2,)) in session.events
    assert session.handshake.selected_suite == 2


async def _client_failure(crypto: CryptoProvider, case: str) -> tuple[Exception, EdhocServer]:
    config_i, config_r = configs(crypto)
    if case == "client-distrusts-server":
        impostor = make_local(crypto, Method.STAT_STAT, Role.RESPONDER, 2, SERVER_KID).credential
        config_i = replace(config_i, credential_resolver=lambda id_cred: impostor)
    elif case == "server-does-not-know-client":
        config_r = replace(config_r, credential_resolver=lambda id_cred: None)
    server = await EdhocServer.create(config_r, port=free_udp_port(), crypto=crypto)
    uri = server.uri if case != "no-edhoc-resource" else server.uri.replace("edhoc", "nothing")
    try:
        with pytest.raises(Exception) as caught:
            await run_client(config_i, uri, crypto=crypto)
        await asyncio.sleep(0)
        return caught.value, server
    finally:
        await server.close()


def test_client_rejects_message_2_and_tells_the_server(crypto: CryptoProvider) -> None:
    failure, server = run(_client_failure(crypto, "client-distrusts-server"))
    assert isinstance(failure, AuthenticationFailed)
    assert server.core.pending_sessions == 0  # the C_R ‖ error POST ended the server's session
    assert server.sessions.empty()


def test_server_rejects_message_3_with_error_3(crypto: CryptoProvider) -> None:
    failure, server = run(_client_failure(crypto, "server-does-not-know-client"))
    assert isinstance(failure, HandshakeRejected)
    assert failure.error.err_code == 3  # unknown credential referenced (RFC 9528 §6.4)
    assert [type(f) for f in server.failures] == [UnknownCredentialReferenced]


def test_coap_error_without_edhoc_payload(crypto: CryptoProvider) -> None:
    failure, _ = run(_client_failure(crypto, "no-edhoc-resource"))
    assert isinstance(failure, CoapTransportError)
    assert failure.code == 0x84  # 4.04


async def _raw_post(payload: bytes) -> Any:
    _, config_r = configs(get_provider())
    server = await EdhocServer.create(config_r, port=free_udp_port())
    context = await aiocoap.Context.create_client_context()
    try:
        request = aiocoap.Message(
            code=aiocoap.POST, uri=server.uri, payload=payload, content_format=CONTENT_FORMAT_CID_EDHOC
        )
        return await context.request(request).response
    finally:
        await context.shutdown()
        await server.close()


def test_bad_message_over_udp_is_a_4_00_with_an_edhoc_error() -> None:
    response = run(_raw_post(b"\xf5\x03\x02"))
    assert response.code == aiocoap.BAD_REQUEST
    assert int(response.opt.content_format) == CONTENT_FORMAT_EDHOC
    assert response.payload[0] == 0x01  # ERR_CODE 1 then a text string ERR_INFO
