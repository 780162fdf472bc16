"""Complete handshakes: every method x suite on every backend, plus the flow variants."""

from __future__ import annotations

import pytest

from edhoc_ra import (
    SUITES,
    CredentialRequested,
    EadItem,
    EadReceived,
    EadVerified,
    ErrorReceived,
    HandshakeCompleted,
    Message1Received,
    Message2Verified,
    Message3Verified,
    Method,
    Role,
    State,
    WrongSelectedCipherSuite,
)
from ratscore.crypto import CryptoProvider

from .helpers import make_pair, one, run_handshake


@pytest.mark.parametrize("suite", sorted(SUITES))
@pytest.mark.parametrize("method", list(Method), ids=[m.name for m in Method])
def test_every_method_and_suite(crypto: CryptoProvider, method: Method, suite: int) -> None:
    pair = run_handshake(make_pair(crypto, method, suite))
    assert pair.initiator.handshake_complete and pair.responder.handshake_complete
    assert pair.initiator.exporter(0, b"", 16) == pair.responder.exporter(0, b"", 16)
    assert pair.initiator.exporter(40000, b"ctx", 33) == pair.responder.exporter(40000, b"ctx", 33)
    assert pair.initiator.exporter(0, b"", 16) != pair.initiator.exporter(1, b"", 16)
    (done_i,) = [e for e in pair.initiator_events if isinstance(e, HandshakeCompleted)]
    (done_r,) = [e for e in pair.responder_events if isinstance(e, HandshakeCompleted)]
    assert done_i.selected_suite == done_r.selected_suite == suite
    assert done_i.peer_credential == pair.responder_local.credential
    assert done_r.peer_credential == pair.initiator_local.credential


@pytest.mark.parametrize("method", list(Method), ids=[m.name for m in Method])
def test_message_4_and_oscore_contexts_mirror(crypto: CryptoProvider, method: Method) -> None:
    pair = run_handshake(make_pair(crypto, method, 3, use_message_4=True))
    assert isinstance(pair.initiator_events[-1], HandshakeCompleted)
    client, server = pair.initiator.oscore_context(), pair.responder.oscore_context()
    assert client.master_secret == server.master_secret and len(client.master_secret) == 16
    assert client.master_salt == server.master_salt and len(client.master_salt) == 8
    # RFC 9528 App. A.1: Initiator Sender ID = C_R, Responder Sender ID = C_I
    assert client.sender_id == server.recipient_id == pair.responder.connection_id_responder
    assert client.recipient_id == server.sender_id == pair.initiator.connection_id_initiator


def test_key_update_keeps_both_sides_equal(crypto: CryptoProvider) -> None:
    pair = run_handshake(make_pair(crypto))
    before = pair.initiator.exporter(0, b"", 16)
    pair.initiator.key_update(b"\x01\x02")
    pair.responder.key_update(b"\x01\x02")
    after = pair.initiator.exporter(0, b"", 16)
    assert after == pair.responder.exporter(0, b"", 16)
    assert after != before


def test_credential_requested_path_and_event_order(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, Method.SIG_STAT, 2, resolver=False, use_message_4=True)
    initiator, responder = pair.initiator, pair.responder
    initiator.start(ead=[EadItem(label=300, value=b"one")])
    events = responder.receive_message(one(initiator.messages_to_send()))
    assert isinstance(events[0], Message1Received)
    assert events[1] == EadReceived(message_number=1, items=(EadItem(label=300, value=b"one"),), verified=False)
    responder.send_message_2(ead=[EadItem(label=301)])
    events = initiator.receive_message(one(responder.messages_to_send()))
    assert [type(e) for e in events] == [EadReceived, CredentialRequested]
    assert initiator.state is State.WAIT_CREDENTIAL_R
    request = events[1]
    assert isinstance(request, CredentialRequested) and request.id_cred.kid == b"\x32" and request.offered is None
    events = initiator.provide_credential(pair.responder_local.credential)
    assert [type(e) for e in events] == [Message2Verified, EadVerified]
    assert initiator.send_message_3(ead=[EadItem(label=302, value=b"three")]) == []
    events = responder.receive_message(one(initiator.messages_to_send()))
    assert [type(e) for e in events] == [EadReceived, CredentialRequested]
    events = responder.provide_credential(pair.initiator_local.credential)
    assert [type(e) for e in events] == [Message3Verified, EadVerified, EadVerified]
    assert {e.message_number for e in events if isinstance(e, EadVerified)} == {1, 3}
    assert responder.state is State.VERIFIED_M3
    assert isinstance(responder.send_message_4(ead=[EadItem(label=304, value=b"four")])[0], HandshakeCompleted)
    events = initiator.receive_message(one(responder.messages_to_send()))
    assert events[0] == EadReceived(message_number=4, items=(EadItem(label=304, value=b"four"),), verified=True)
    assert isinstance(events[1], HandshakeCompleted)


def test_credentials_by_value(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, Method.STAT_STAT, 2, resolver=False, by_value=True)
    initiator, responder = pair.initiator, pair.responder
    initiator.start()
    responder.receive_message(one(initiator.messages_to_send()))
    responder.send_message_2()
    (request,) = initiator.receive_message(one(responder.messages_to_send()))
    assert isinstance(request, CredentialRequested)
    assert request.offered == pair.responder_local.credential  # kccs carries the CCS bytes exactly
    initiator.provide_credential(request.offered)
    initiator.send_message_3()
    (request,) = responder.receive_message(one(initiator.messages_to_send()))
    assert isinstance(request, CredentialRequested) and request.offered is not None
    events = responder.provide_credential(request.offered)
    assert isinstance(events[-1], HandshakeCompleted)


def test_suite_negotiation_retry(crypto: CryptoProvider) -> None:
    # RFC 9528 §6.3.2 Example 2 shape: I prefers 25, 24, 6, 2; R supports 2 and 6.
    pair = make_pair(crypto, Method.STAT_STAT, 6, initiator_suites=(25, 24, 6, 2), responder_suites=(2, 6))
    initiator, responder = pair.initiator, pair.responder
    initiator.start()
    first = one(initiator.messages_to_send())
    with pytest.raises(WrongSelectedCipherSuite):
        responder.receive_message(first)
    (event,) = initiator.receive_message(one(responder.messages_to_send()))
    assert isinstance(event, ErrorReceived) and event.err_code == 2 and set(event.suites_r or ()) == {2, 6}
    # §5.2.2: keep the preference order, select the most preferred supported (6)
    pair.responder = type(responder)(responder.config, crypto=crypto)
    pair = run_handshake(pair)
    assert pair.initiator.selected_suite is not None and pair.initiator.selected_suite.value == 6
    assert pair.initiator.exporter(0, b"", 16) == pair.responder.exporter(0, b"", 16)


def test_generated_connection_ids_are_one_byte_and_distinct(crypto: CryptoProvider) -> None:
    for _ in range(5):
        pair = run_handshake(make_pair(crypto))
        c_i, c_r = pair.initiator.connection_id_initiator, pair.initiator.connection_id_responder
        assert c_i is not None and c_r is not None
        assert len(c_i) == len(c_r) == 1 and c_i != c_r
        assert pair.responder.role is Role.RESPONDER
