"""RFC 9529 §4: every invalid message is rejected with the right error.

message_1 cases go to a Responder; message_2 / PLAINTEXT_2 cases go to an Initiator
put into Trace 2's WAIT_M2 state (so TH_2 and PRK_2e are the RFC's).  Each
rejection must queue an EDHOC error message with ERR_CODE 1 and leave the engine
in ERROR.
"""

from __future__ import annotations

import pytest

from edhoc_ra import (
    Credential,
    EdhocConfig,
    EdhocDecodeError,
    EdhocError,
    IdCred,
    Initiator,
    InvalidPeerKey,
    LocalCredential,
    Method,
    Responder,
    State,
)
from ratscore import cbor
from ratscore.crypto import CryptoProvider, KeyType
from ratscore.crypto.scripted import ScriptedProvider

from .rfc9529_vectors import TRACE_2


def _t2(name: str) -> bytes:
    return bytes.fromhex(TRACE_2[name])


# RFC 9529 §4: (section, invalid message_1, suites the Responder supports, expected error)
_INVALID_MESSAGE_1 = [
    (
        "4.1.1 surplus array encoding of message",
        "8403025820741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa90e",
        (2,),
        EdhocDecodeError,
    ),
    (
        "4.1.2 surplus bstr encoding of connection identifier",
        "03025820741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa9410e",
        (2,),
        EdhocDecodeError,
    ),
    (
        "4.1.3 surplus array encoding of ciphersuite",
        "0381025820741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa90e",
        (2,),
        EdhocDecodeError,
    ),
    (
        "4.1.4 text string encoding of ephemeral key",
        "0302782020616972207370656564206F66206120756E6C6164656E207377616C6C6F77200e",
        (2,),
        EdhocDecodeError,
    ),
    (
        "4.2.1 error in length of ephemeral key",
        "038202181858 20741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa90e",
        (24,),
        EdhocDecodeError,
    ),
    (
        "4.2.2 error in elliptic curve representation",
        "03025820ffffffff00000001000000000000000000000000ffffffffffffffffffffffff0e",
        (2,),
        InvalidPeerKey,
    ),
    (
        "4.2.3 error in elliptic curve point",
        "03025820a04e73601df544a70ba7ea1e57030f7d4b4eb7f673924e58d54ca77a5e7d4d4a0e",
        (2,),
        InvalidPeerKey,
    ),
    (
        "4.2.4 curve point of low order",
        "03005820edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f0e",
        (0,),
        InvalidPeerKey,
    ),
    (
        "4.2.6 error in elliptic curve encoding",
        "0302581fd9697725d23a688b12d1c7e0108a08c9f71a85a09c20814976ab21122248fc0e",
        (2,),
        EdhocDecodeError,
    ),
    (
        "4.3.1 unnecessary long encoding",
        "1900030258 20741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa90e",
        (2,),
        EdhocDecodeError,
    ),
    (
        "4.3.2 indefinite-length array encoding",
        "039f0602ff5820741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa90e",
        (2,),
        EdhocDecodeError,
    ),
]


def _responder(crypto: CryptoProvider, suites: tuple[int, ...]) -> Responder:
    curve = KeyType.X25519 if suites == (0,) else KeyType.P384 if suites == (24,) else KeyType.P256
    key = crypto.generate_private_key(curve)
    credential = Credential.from_public_key(key.public_key(), kid=b"\x32")
    local = LocalCredential(credential=credential, id_cred=IdCred.by_kid(b"\x32"), private_key=key)
    return Responder(EdhocConfig(method=Method.STAT_STAT, suites=suites, credential=local), crypto=crypto)


def _assert_error_1_sent(engine: Initiator | Responder) -> None:
    (error,) = engine.messages_to_send()
    items = cbor.decode_sequence(error)
    assert items[0] == 1 and isinstance(items[1], str)
    assert engine.state is State.ERROR


@pytest.mark.parametrize(
    ("section", "hex_message", "suites", "error"), _INVALID_MESSAGE_1, ids=[c[0].split()[0] for c in _INVALID_MESSAGE_1]
)
def test_invalid_message_1_rejected(
    crypto: CryptoProvider, section: str, hex_message: str, suites: tuple[int, ...], error: type[EdhocError]
) -> None:
    responder = _responder(crypto, suites)
    with pytest.raises(error):
        responder.receive_message(bytes.fromhex(hex_message.replace(" ", "")))
    _assert_error_1_sent(responder)


def _trace_2_initiator_waiting_for_message_2(crypto: CryptoProvider) -> Initiator:
    """An Initiator in Trace 2's state after sending the second message_1."""
    cred_i = Credential.from_ccs(_t2("CRED_I (CCS, CBOR)"), crypto)
    initiator = Initiator(
        EdhocConfig(
            method=Method.STAT_STAT,
            suites=(6, 2),
            credential=LocalCredential(
                credential=cred_i,
                id_cred=IdCred.by_kid(b"\x2b"),
                private_key=crypto.load_private_key(KeyType.P256, _t2("SK_I (I static DH priv)")),
            ),
        ),
        crypto=ScriptedProvider(
            crypto,
            private_keys={
                KeyType.X25519: [_t2("first X (I ephemeral priv)")],
                KeyType.P256: [_t2("X (I ephemeral priv, P-256)")],
            },
        ),
    )
    initiator.start(connection_id=b"\x0e")
    initiator.messages_to_send()
    initiator.receive_message(_t2("error (ERR_CODE 2, SUITES_R 2)"))
    initiator.start(connection_id=_t2("C_I (raw; wire 0x37 = int -24)"))
    assert initiator.messages_to_send() == [_t2("message_1")]
    return initiator


def test_4_1_5_wrong_number_of_sequence_elements(crypto: CryptoProvider) -> None:
    initiator = _trace_2_initiator_waiting_for_message_2(crypto)
    invalid = bytes.fromhex(
        "58204197 01d7f00a26c2dc587a36dd752549f33763c893422c8ea0f955a13a4ff5d5 4b9862a11de42a95d785386a".replace(
            " ", ""
        )
    )
    with pytest.raises(EdhocDecodeError):
        initiator.receive_message(invalid)
    _assert_error_1_sent(initiator)


def _message_2_carrying(crypto: CryptoProvider, plaintext_2: bytes) -> bytes:
    """Encrypt an invalid PLAINTEXT_2 under Trace 2's PRK_2e / TH_2 (RFC values) so the
    Initiator decrypts exactly the RFC's invalid plaintext."""
    from edhoc_ra.keyschedule import KeySchedule
    from edhoc_ra.suites import get_suite

    schedule = KeySchedule(get_suite(2), crypto)
    keystream = schedule.keystream_2(_t2("PRK_2e"), _t2("TH_2"), len(plaintext_2))
    ciphertext = bytes(p ^ k for p, k in zip(plaintext_2, keystream, strict=True))
    return cbor.encode(_t2("G_Y (x-coord)") + ciphertext)


@pytest.mark.parametrize(
    ("section", "hex_plaintext"),
    [
        ("4.1.6 surplus map encoding of ID_CRED field", "27a10442321048fa5efa2ebf920bf3"),
        ("4.1.7 surplus bstr encoding of ID_CRED field", "27413248fa5efa2ebf920bf3"),
        ("4.2.5 error in length of MAC", "273244fa5efa2e"),
    ],
    ids=["4.1.6", "4.1.7", "4.2.5"],
)
def test_invalid_plaintext_2_rejected(crypto: CryptoProvider, section: str, hex_plaintext: str) -> None:
    initiator = _trace_2_initiator_waiting_for_message_2(crypto)
    with pytest.raises(EdhocDecodeError):
        initiator.receive_message(_message_2_carrying(crypto, bytes.fromhex(hex_plaintext)))
    _assert_error_1_sent(initiator)


def test_valid_trace_2_plaintext_through_the_same_path_is_accepted(crypto: CryptoProvider) -> None:
    # Control for the three tests above: the RFC's valid PLAINTEXT_2 passes the same route.
    initiator = _trace_2_initiator_waiting_for_message_2(crypto)
    message_2 = _message_2_carrying(crypto, _t2("PLAINTEXT_2"))
    assert message_2 == _t2("message_2")
    events = initiator.receive_message(message_2)
    assert initiator.state is State.WAIT_CREDENTIAL_R
    assert events
