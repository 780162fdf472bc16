"""One test per MUST check on peer input (RFC 9528 §5, §6, §9.8), and API misuse."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pytest

from edhoc_ra import (
    AuthenticationFailed,
    Credential,
    CredentialRequested,
    EadItem,
    EadProcessingError,
    EdhocDecodeError,
    ErrorReceived,
    Initiator,
    Method,
    Responder,
    SessionContext,
    State,
    UnknownCredentialReferenced,
    UnspecifiedEdhocError,
    WrongSelectedCipherSuite,
)
from ratscore import cbor
from ratscore.crypto import CryptoProvider, KeyType
from ratscore.errors import LocalProtocolError, RemoteProtocolError

from .helpers import Pair, make_pair, one, run_handshake


def _error_sent(engine: Initiator | Responder) -> tuple[int, object]:
    items = cbor.decode_sequence(one(engine.messages_to_send()))
    assert len(items) == 2 and engine.state is State.ERROR
    code = items[0]
    assert isinstance(code, int)
    return code, items[1]


def _to_message_2(pair: Pair) -> bytes:
    pair.initiator.start()
    pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    pair.responder.send_message_2()
    return one(pair.responder.messages_to_send())


def _to_message_3(pair: Pair) -> bytes:
    pair.initiator.receive_message(_to_message_2(pair))
    pair.initiator.send_message_3()
    return one(pair.initiator.messages_to_send())


# -- message_1 (§5.2.3) -------------------------------------------------------------


def test_wrong_method_gets_error_1(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, Method.STAT_STAT, responder_overrides={"method": Method.SIG_SIG})
    pair.initiator.start()
    with pytest.raises(UnspecifiedEdhocError, match="Method not supported"):
        pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    assert _error_sent(pair.responder) == (1, "Method not supported")


def test_unsupported_selected_suite_gets_error_2_with_all_our_suites(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, initiator_suites=(0,), responder_suites=(2, 3))
    pair.initiator.start()
    with pytest.raises(WrongSelectedCipherSuite):
        pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    assert _error_sent(pair.responder) == (2, [2, 3])


def test_more_preferred_supported_suite_gets_error_2(crypto: CryptoProvider) -> None:
    # §6.3: R supports suite 3, which I listed before the selected 2 -> SUITES_R = 3
    pair = make_pair(crypto, initiator_suites=(3, 2), responder_suites=(2, 3))
    pair.initiator._suites_r = (2,)  # pretend a (forged) error made I select 2
    pair.initiator.start()
    with pytest.raises(WrongSelectedCipherSuite):
        pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    assert _error_sent(pair.responder) == (2, 3)


def test_truncated_message_1(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    pair.initiator.start()
    message_1 = one(pair.initiator.messages_to_send())
    for cut in (1, 3, len(message_1) - 1):
        responder = Responder(pair.responder.config, crypto=crypto)
        with pytest.raises(EdhocDecodeError):
            responder.receive_message(message_1[:cut])
        assert _error_sent(responder)[0] == 1


def test_bad_ephemeral_key_in_message_2(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    message_2 = cbor.decode(_to_message_2(pair))
    assert isinstance(message_2, bytes)
    bad = cbor.encode(b"\xff" * 32 + message_2[32:])  # x >= p is not a P-256 coordinate
    with pytest.raises(RemoteProtocolError):
        pair.initiator.receive_message(bad)
    assert _error_sent(pair.initiator)[0] == 1


# -- message_2 / message_3 verification -------------------------------------------------


def test_tampered_mac_2_is_authentication_failure(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    message_2 = bytearray(_to_message_2(pair))
    message_2[-1] ^= 0x01  # last byte of CIPHERTEXT_2 = last byte of MAC_2
    with pytest.raises(AuthenticationFailed):
        pair.initiator.receive_message(bytes(message_2))
    assert _error_sent(pair.initiator) == (1, "authentication failed")


def test_signature_with_the_wrong_key_fails(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, Method.SIG_SIG, 0, resolver=False)
    pair.initiator.receive_message(_to_message_2(pair))
    impostor_key = crypto.generate_private_key(KeyType.ED25519)
    impostor = Credential.from_public_key(impostor_key.public_key(), kid=b"\x32")
    with pytest.raises(AuthenticationFailed):
        pair.initiator.provide_credential(impostor)
    assert _error_sent(pair.initiator)[0] == 1


def test_tampered_message_3_fails_aead(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    message_3 = bytearray(_to_message_3(pair))
    message_3[3] ^= 0x80
    with pytest.raises(AuthenticationFailed):
        pair.responder.receive_message(bytes(message_3))
    assert _error_sent(pair.responder)[0] == 1


def test_tampered_message_4_fails_aead(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, use_message_4=True)
    pair.responder.receive_message(_to_message_3(pair))
    pair.responder.send_message_4()
    message_4 = bytearray(one(pair.responder.messages_to_send()))
    message_4[-1] ^= 0x01
    with pytest.raises(AuthenticationFailed):
        pair.initiator.receive_message(bytes(message_4))


def test_initiator_rejects_c_r_equal_to_c_i(crypto: CryptoProvider) -> None:
    pair = make_pair(
        crypto,
        initiator_overrides={"connection_id": b"\x05"},
        responder_overrides={"connection_id": b"\x05", "require_distinct_connection_ids": False},
    )
    with pytest.raises(UnspecifiedEdhocError, match="C_R equals C_I"):
        pair.initiator.receive_message(_to_message_2(pair))
    assert _error_sent(pair.initiator)[0] == 1


def test_responder_refuses_to_choose_c_r_equal_to_c_i(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, initiator_overrides={"connection_id": b"\x05"})
    pair.initiator.start()
    pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    with pytest.raises(LocalProtocolError):
        pair.responder.send_message_2(connection_id=b"\x05")


def test_unknown_credential_referenced_gets_error_3(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, initiator_overrides={"credential_resolver": lambda id_cred: None})
    with pytest.raises(UnknownCredentialReferenced):
        pair.initiator.receive_message(_to_message_2(pair))
    assert _error_sent(pair.initiator) == (3, True)


def test_mismatching_credential_is_a_local_error(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, resolver=False, by_value=True)
    events = pair.initiator.receive_message(_to_message_2(pair))
    assert isinstance(events[-1], CredentialRequested)
    with pytest.raises(LocalProtocolError):
        pair.initiator.provide_credential(pair.initiator_local.credential)  # not what ID_CRED_R carries
    assert pair.initiator.state is State.WAIT_CREDENTIAL_R


# -- replay, order, duplicates (§5.1, §7) ---------------------------------------------


def test_duplicate_message_is_not_processed_twice(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    pair.initiator.start()
    message_1 = one(pair.initiator.messages_to_send())
    pair.responder.receive_message(message_1)
    assert pair.responder.receive_message(message_1) == []
    assert pair.responder.state is State.RECEIVED_M1


def test_replayed_old_message_1_after_message_2_is_rejected(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    other = make_pair(crypto)
    other.initiator.start()
    foreign_message_1 = one(other.initiator.messages_to_send())
    _to_message_2(pair)
    with pytest.raises(UnspecifiedEdhocError, match="unexpected message_1"):
        pair.responder.receive_message(foreign_message_1)
    assert _error_sent(pair.responder)[0] == 1


def test_message_3_before_message_2_is_rejected(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    message_3 = _to_message_3(pair)
    fresh = make_pair(crypto)
    fresh.initiator.start()
    fresh.initiator.messages_to_send()
    with pytest.raises(RemoteProtocolError):
        fresh.initiator.receive_message(message_3)  # processed as message_2: does not parse
    assert _error_sent(fresh.initiator)[0] == 1


def test_no_error_message_after_completion(crypto: CryptoProvider) -> None:
    pair = run_handshake(make_pair(crypto))
    with pytest.raises(UnspecifiedEdhocError):
        pair.responder.receive_message(cbor.encode(b"late"))
    assert pair.responder.messages_to_send() == []
    assert pair.responder.state is State.COMPLETED  # the session output is kept (§5.1)
    assert pair.responder.exporter(0, b"", 16) == pair.initiator.exporter(0, b"", 16)


# -- EAD (§3.8) -------------------------------------------------------------------------


def test_unknown_critical_ead_is_rejected(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    pair.initiator.start(ead=[EadItem(label=4000, critical=True, value=b"x")])
    with pytest.raises(UnspecifiedEdhocError, match="critical EAD item 4000"):
        pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    assert _error_sent(pair.responder)[0] == 1


def test_unknown_non_critical_ead_and_padding_are_accepted(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    pair.initiator.start(ead=[EadItem.padding(), EadItem(label=4000, value=b"x"), EadItem.padding(b"\xe9")])
    events = pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    (ead_event,) = [e for e in events if hasattr(e, "items")]
    assert ead_event.items == (EadItem(label=4000, value=b"x"),)  # padding discarded (§3.8.1)


def test_oversized_ead_is_rejected(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, responder_overrides={"max_ead_size": 100})
    pair.initiator.start(ead=[EadItem(label=4000, value=bytes(200))])
    with pytest.raises(UnspecifiedEdhocError, match="exceeds"):
        pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    assert _error_sent(pair.responder)[0] == 1


class _Rejecting:
    labels: Collection[int] = frozenset({7})

    def produce(self, context: SessionContext) -> Sequence[EadItem]:
        return ()

    def consume(self, items: Sequence[EadItem], context: SessionContext) -> None:
        raise EadProcessingError("evidence type not supported")

    def message_verified(self, items: Sequence[EadItem], context: SessionContext) -> None:
        raise AssertionError("never verified")


def test_handler_rejecting_an_item_aborts_with_its_text(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, responder_overrides={"ead_handlers": (_Rejecting(),)})
    pair.initiator.start(ead=[EadItem(label=7, critical=True)])
    with pytest.raises(UnspecifiedEdhocError):
        pair.responder.receive_message(one(pair.initiator.messages_to_send()))
    assert _error_sent(pair.responder) == (1, "evidence type not supported")


# -- error messages received (§6) --------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code"), [(b"\x01\x64oops", 1), (b"\x03\xf5", 3), (b"\x00\x00", 0), (b"\x38\x63\xf6", -100)]
)
def test_error_messages_are_events(crypto: CryptoProvider, error: bytes, code: int) -> None:
    pair = make_pair(crypto)
    pair.initiator.start()
    pair.initiator.messages_to_send()
    (event,) = pair.initiator.receive_message(error)
    assert isinstance(event, ErrorReceived) and event.err_code == code
    assert pair.initiator.state is State.ABORTED
    assert pair.initiator.messages_to_send() == []  # never an error in reply to an error
    with pytest.raises(LocalProtocolError):
        pair.initiator.start()


def test_malformed_error_message_is_not_answered(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    pair.initiator.start()
    pair.initiator.messages_to_send()
    with pytest.raises(EdhocDecodeError):
        pair.initiator.receive_message(b"\x01\x02")  # ERR_INFO of code 1 must be text
    assert pair.initiator.messages_to_send() == []
    assert pair.initiator.state is State.ERROR


# -- API misuse --------------------------------------------------------------------------


def test_misuse_raises_local_errors(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    with pytest.raises(LocalProtocolError):
        pair.initiator.send_message_3()
    with pytest.raises(LocalProtocolError):
        pair.initiator.exporter(0, b"", 16)
    with pytest.raises(LocalProtocolError):
        pair.responder.send_message_2()
    pair.initiator.start()
    with pytest.raises(LocalProtocolError):
        pair.initiator.start()
    with pytest.raises(LocalProtocolError):
        pair.initiator.provide_credential(pair.responder_local.credential)


def test_every_call_after_error_is_a_local_error(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto)
    with pytest.raises(EdhocDecodeError):
        pair.responder.receive_message(b"\xff")
    assert pair.responder.state is State.ERROR
    for call in (
        lambda: pair.responder.receive_message(b"\x00"),
        pair.responder.send_message_2,
        lambda: pair.responder.exporter(0, b"", 1),
        lambda: pair.responder.key_update(b""),
    ):
        with pytest.raises(LocalProtocolError):
            call()


def test_application_abort_sends_error(crypto: CryptoProvider) -> None:
    pair = make_pair(crypto, resolver=False)
    pair.initiator.receive_message(_to_message_2(pair))
    pair.initiator.abort(unknown_credential=True)
    assert _error_sent(pair.initiator) == (3, True)
