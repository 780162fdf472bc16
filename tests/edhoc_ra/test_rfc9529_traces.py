"""RFC 9529 Trace 1 and Trace 2, byte for byte, on both crypto backends.

Each trace runs once per backend (cached); every intermediate value the RFC prints
is then one test, reading the value from the engine's ``debug_log`` on the side(s)
that compute it.  Expected values come only from ``rfc9529_vectors`` (RFC text).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pytest

from edhoc_ra import (
    Credential,
    CredentialRequested,
    EdhocConfig,
    ErrorReceived,
    HandshakeCompleted,
    IdCred,
    Initiator,
    LocalCredential,
    Message1Received,
    Message2Verified,
    Message3Verified,
    Method,
    Responder,
    State,
    WrongSelectedCipherSuite,
)
from ratscore.crypto import CryptoProvider, KeyType, get_provider
from ratscore.crypto.scripted import ScriptedProvider

from .rfc9529_vectors import TRACE_1, TRACE_2


def _t1(name: str) -> bytes:
    return bytes.fromhex(TRACE_1[name])


def _t2(name: str) -> bytes:
    return bytes.fromhex(TRACE_2[name])


@dataclass
class TraceRun:
    initiator_log: dict[str, bytes] = field(default_factory=dict)
    responder_log: dict[str, bytes] = field(default_factory=dict)
    wire: dict[str, bytes] = field(default_factory=dict)
    initiator: Initiator | None = None
    responder: Responder | None = None


# ---------------------------------------------------------------------------
# Trace 1: method 0, suite 0, X.509 by x5t (RFC 9529 §2)


@functools.cache
def trace_1(backend: str) -> TraceRun:
    crypto = get_provider(backend)
    run = TraceRun()
    cred_r = Credential.from_x509(_t1("CRED_R (DER cert, raw; CBOR = 58f1 || raw)"), crypto)
    cred_i = Credential.from_x509(_t1("CRED_I (DER cert, raw)"), crypto)
    responder_local = LocalCredential(
        credential=cred_r,
        id_cred=IdCred.x5t(cred_r, crypto),
        private_key=crypto.load_private_key(KeyType.ED25519, _t1("SK_R (Ed25519 priv)")),
    )
    initiator_local = LocalCredential(
        credential=cred_i,
        id_cred=IdCred.x5t(cred_i, crypto),
        private_key=crypto.load_private_key(KeyType.ED25519, _t1("SK_I (Ed25519 priv)")),
    )
    known = {responder_local.id_cred.encoded: cred_r, initiator_local.id_cred.encoded: cred_i}
    initiator = Initiator(
        EdhocConfig(
            method=Method.SIG_SIG,
            suites=(0,),
            credential=initiator_local,
            connection_id=_t1("C_I (raw; wire 0x2d = int -14)"),
            use_message_4=True,
            credential_resolver=lambda id_cred: known.get(id_cred.encoded),
            debug_log=run.initiator_log.__setitem__,
        ),
        crypto=ScriptedProvider(crypto, private_keys={KeyType.X25519: [_t1("X (I ephemeral priv, X25519)")]}),
    )
    responder = Responder(
        EdhocConfig(
            method=Method.SIG_SIG,
            suites=(0,),
            credential=responder_local,
            connection_id=_t1("C_R (raw; wire 0x4118)"),
            use_message_4=True,
            credential_resolver=lambda id_cred: known.get(id_cred.encoded),
            debug_log=run.responder_log.__setitem__,
        ),
        crypto=ScriptedProvider(crypto, private_keys={KeyType.X25519: [_t1("Y (R ephemeral priv)")]}),
    )
    initiator.start()
    (run.wire["message_1"],) = initiator.messages_to_send()
    events = responder.receive_message(run.wire["message_1"])
    assert isinstance(events[0], Message1Received)
    responder.send_message_2()
    (run.wire["message_2"],) = responder.messages_to_send()
    events = initiator.receive_message(run.wire["message_2"])
    assert isinstance(events[-1], Message2Verified)
    initiator.send_message_3()
    (run.wire["message_3"],) = initiator.messages_to_send()
    events = responder.receive_message(run.wire["message_3"])
    assert isinstance(events[-1], Message3Verified)
    assert isinstance(responder.send_message_4()[-1], HandshakeCompleted)
    (run.wire["message_4"],) = responder.messages_to_send()
    assert isinstance(initiator.receive_message(run.wire["message_4"])[-1], HandshakeCompleted)
    run.initiator, run.responder = initiator, responder
    return run


# (RFC 9529 name, debug-log name, sides that compute it: "I", "R")
_TRACE_1_VALUES = [
    ("G_X", "G_X", "I"),
    ("message_1", "message_1", "I"),
    ("H(message_1)", "H(message_1)", "IR"),
    ("G_XY", "G_XY", "IR"),
    ("TH_2", "TH_2", "IR"),
    ("PRK_2e (= PRK_3e2m)", "PRK_2e", "IR"),
    ("PRK_2e (= PRK_3e2m)", "PRK_3e2m", "IR"),
    ("context_2 (CBOR seq)", "context_2", "IR"),
    ("MAC_2 (32 B, method 0)", "MAC_2", "IR"),
    ("Signature_or_MAC_2", "Signature_or_MAC_2", "R"),
    ("PLAINTEXT_2", "PLAINTEXT_2", "IR"),
    ("KEYSTREAM_2", "KEYSTREAM_2", "IR"),
    ("CIPHERTEXT_2", "CIPHERTEXT_2", "R"),
    ("message_2", "message_2", "R"),
    ("TH_3", "TH_3", "IR"),
    ("PRK_4e3m (= PRK_3e2m)", "PRK_4e3m", "IR"),
    ("MAC_3", "MAC_3", "IR"),
    ("Signature_or_MAC_3", "Signature_or_MAC_3", "I"),
    ("PLAINTEXT_3", "PLAINTEXT_3", "IR"),
    ("A_3 (Enc_structure)", "A_3", "I"),
    ("K_3", "K_3", "IR"),
    ("IV_3", "IV_3", "IR"),
    ("CIPHERTEXT_3", "CIPHERTEXT_3", "I"),
    ("message_3", "message_3", "I"),
    ("TH_4", "TH_4", "IR"),
    ("K_4", "K_4", "IR"),
    ("IV_4", "IV_4", "IR"),
    ("message_4", "message_4", "R"),
]


def _log_of(run: TraceRun, side: str) -> dict[str, bytes]:
    return run.initiator_log if side == "I" else run.responder_log


@pytest.mark.parametrize(("rfc_name", "log_name", "sides"), _TRACE_1_VALUES, ids=[v[1] for v in _TRACE_1_VALUES])
def test_trace_1_intermediate(crypto: CryptoProvider, rfc_name: str, log_name: str, sides: str) -> None:
    run = trace_1(crypto.name)
    for side in sides:
        assert _log_of(run, side)[log_name].hex() == TRACE_1[rfc_name], f"{log_name} on side {side}"


@pytest.mark.parametrize("message", ["message_1", "message_2", "message_3", "message_4"])
def test_trace_1_wire_messages(crypto: CryptoProvider, message: str) -> None:
    assert trace_1(crypto.name).wire[message].hex() == TRACE_1[message]


def test_trace_1_id_cred_x5t(crypto: CryptoProvider) -> None:
    cred_r = Credential.from_x509(_t1("CRED_R (DER cert, raw; CBOR = 58f1 || raw)"), crypto)
    cred_i = Credential.from_x509(_t1("CRED_I (DER cert, raw)"), crypto)
    assert IdCred.x5t(cred_r, crypto).encoded.hex() == TRACE_1["ID_CRED_R (CBOR)"]
    assert IdCred.x5t(cred_i, crypto).encoded.hex() == TRACE_1["ID_CRED_I (CBOR)"]
    assert cred_r.public_key.data.hex() == TRACE_1["PK_R"]
    assert cred_i.public_key.data.hex() == TRACE_1["PK_I"]


@pytest.mark.parametrize("side", ["initiator", "responder"])
def test_trace_1_outputs(crypto: CryptoProvider, side: str) -> None:
    run = trace_1(crypto.name)
    log = run.initiator_log if side == "initiator" else run.responder_log
    engine = run.initiator if side == "initiator" else run.responder
    assert engine is not None
    assert log["PRK_out"].hex() == TRACE_1["PRK_out"]
    assert log["PRK_exporter"].hex() == TRACE_1["PRK_exporter"]
    oscore = engine.oscore_context()
    assert oscore.master_secret.hex() == TRACE_1["OSCORE Master Secret"]
    assert oscore.master_salt.hex() == TRACE_1["OSCORE Master Salt"]
    # RFC 9529 §2.6: client (I) Sender ID 0x18 = C_R, server Sender ID 0x2d = C_I
    expected_sender = "18" if side == "initiator" else "2d"
    assert oscore.sender_id.hex() == expected_sender


def test_trace_1_key_update(crypto: CryptoProvider) -> None:
    run = trace_1.__wrapped__(crypto.name)  # a fresh run: key_update mutates the engines
    for engine, log in ((run.initiator, run.initiator_log), (run.responder, run.responder_log)):
        assert engine is not None
        engine.key_update(_t1("KeyUpdate context"))
        assert log["PRK_out"].hex() == TRACE_1["PRK_out after KeyUpdate"]
        oscore = engine.oscore_context()
        assert oscore.master_secret.hex() == TRACE_1["OSCORE Master Secret after KeyUpdate"]
        assert oscore.master_salt.hex() == TRACE_1["OSCORE Master Salt after KeyUpdate"]


# ---------------------------------------------------------------------------
# Trace 2: method 3, suites [6, 2] -> 2 after an error 2, CCS by kid (RFC 9529 §3)


@functools.cache
def trace_2(backend: str) -> TraceRun:
    crypto = get_provider(backend)
    run = TraceRun()
    cred_r = Credential.from_ccs(_t2("CRED_R (CCS, CBOR)"), crypto)
    cred_i = Credential.from_ccs(_t2("CRED_I (CCS, CBOR)"), crypto)
    assert cred_r.kid is not None and cred_i.kid is not None
    initiator = Initiator(
        EdhocConfig(
            method=Method.STAT_STAT,
            suites=(6, 2),
            credential=LocalCredential(
                credential=cred_i,
                id_cred=IdCred.by_kid(cred_i.kid),
                private_key=crypto.load_private_key(KeyType.P256, _t2("SK_I (I static DH priv)")),
            ),
            use_message_4=True,
            debug_log=run.initiator_log.__setitem__,
        ),
        crypto=ScriptedProvider(
            crypto,
            private_keys={
                KeyType.X25519: [_t2("first X (I ephemeral priv)")],
                KeyType.P256: [_t2("X (I ephemeral priv, P-256)")],
            },
        ),
    )
    responder_config = EdhocConfig(
        method=Method.STAT_STAT,
        suites=(2,),
        credential=LocalCredential(
            credential=cred_r,
            id_cred=IdCred.by_kid(cred_r.kid),
            private_key=crypto.load_private_key(KeyType.P256, _t2("SK_R (R static DH priv)")),
        ),
        connection_id=_t2("C_R (raw; wire 0x27 = int -8)"),
        use_message_4=True,
        debug_log=run.responder_log.__setitem__,
    )
    # §3.1-3.2: the first message_1 offers suite 6 only and is rejected with error 2.
    initiator.start(connection_id=b"\x0e")
    (run.wire["first message_1"],) = initiator.messages_to_send()
    # RFC 9529 §3.1 prints a P-256 G_X for suite 6 (see rfc9529_vectors); the Responder is
    # fed the RFC's exact bytes, and our own first message_1 is compared field by field.
    rejecting = Responder(responder_config, crypto=ScriptedProvider(crypto))
    with pytest.raises(WrongSelectedCipherSuite):
        rejecting.receive_message(_t2("first message_1 (SUITES_I=6)"))
    (run.wire["error"],) = rejecting.messages_to_send()
    (error_event,) = initiator.receive_message(run.wire["error"])
    assert isinstance(error_event, ErrorReceived)
    assert error_event.suites_r == (2,)
    assert initiator.state is State.START
    # §3.3: the retry with SUITES_I = [6, 2] and a fresh ephemeral key.
    initiator.start(connection_id=_t2("C_I (raw; wire 0x37 = int -24)"))
    (run.wire["message_1"],) = initiator.messages_to_send()
    responder = Responder(
        responder_config, crypto=ScriptedProvider(crypto, private_keys={KeyType.P256: [_t2("Y (R ephemeral priv)")]})
    )
    responder.receive_message(run.wire["message_1"])
    responder.send_message_2()
    (run.wire["message_2"],) = responder.messages_to_send()
    (request,) = initiator.receive_message(run.wire["message_2"])
    assert isinstance(request, CredentialRequested)
    assert request.id_cred.encoded.hex() == TRACE_2["ID_CRED_R (CBOR; compact on wire: 0x32)"]
    initiator.provide_credential(cred_r)
    initiator.send_message_3()
    (run.wire["message_3"],) = initiator.messages_to_send()
    (request,) = responder.receive_message(run.wire["message_3"])
    assert isinstance(request, CredentialRequested)
    assert request.id_cred.encoded.hex() == TRACE_2["ID_CRED_I (CBOR; compact on wire: 0x2b)"]
    responder.provide_credential(cred_i)
    responder.send_message_4()
    (run.wire["message_4"],) = responder.messages_to_send()
    assert isinstance(initiator.receive_message(run.wire["message_4"])[-1], HandshakeCompleted)
    run.initiator, run.responder = initiator, responder
    return run


_TRACE_2_VALUES = [
    ("G_X (x-coord)", "G_X", "I"),
    ("message_1", "message_1", "I"),
    ("H(message_1)", "H(message_1)", "IR"),
    ("G_XY", "G_XY", "IR"),
    ("TH_2", "TH_2", "IR"),
    ("PRK_2e", "PRK_2e", "IR"),
    ("SALT_3e2m", "SALT_3e2m", "IR"),
    ("G_RX", "G_RX", "IR"),
    ("PRK_3e2m", "PRK_3e2m", "IR"),
    ("context_2", "context_2", "IR"),
    ("MAC_2 (8 B) = Signature_or_MAC_2", "MAC_2", "IR"),
    ("MAC_2 (8 B) = Signature_or_MAC_2", "Signature_or_MAC_2", "R"),
    ("PLAINTEXT_2", "PLAINTEXT_2", "IR"),
    ("KEYSTREAM_2", "KEYSTREAM_2", "IR"),
    ("CIPHERTEXT_2", "CIPHERTEXT_2", "R"),
    ("message_2", "message_2", "R"),
    ("TH_3", "TH_3", "IR"),
    ("SALT_4e3m", "SALT_4e3m", "IR"),
    ("G_IY", "G_IY", "IR"),
    ("PRK_4e3m", "PRK_4e3m", "IR"),
    ("context_3", "context_3", "IR"),
    ("MAC_3 (8 B) = Signature_or_MAC_3", "MAC_3", "IR"),
    ("MAC_3 (8 B) = Signature_or_MAC_3", "Signature_or_MAC_3", "I"),
    ("PLAINTEXT_3", "PLAINTEXT_3", "IR"),
    ("A_3", "A_3", "I"),
    ("K_3", "K_3", "IR"),
    ("IV_3", "IV_3", "IR"),
    ("CIPHERTEXT_3", "CIPHERTEXT_3", "I"),
    ("message_3", "message_3", "I"),
    ("TH_4", "TH_4", "IR"),
    ("K_4", "K_4", "IR"),
    ("IV_4", "IV_4", "IR"),
    ("message_4", "message_4", "R"),
    ("PRK_out", "PRK_out", "IR"),
    ("PRK_exporter", "PRK_exporter", "IR"),
]


@pytest.mark.parametrize(("rfc_name", "log_name", "sides"), _TRACE_2_VALUES, ids=[v[1] for v in _TRACE_2_VALUES])
def test_trace_2_intermediate(crypto: CryptoProvider, rfc_name: str, log_name: str, sides: str) -> None:
    run = trace_2(crypto.name)
    for side in sides:
        assert _log_of(run, side)[log_name].hex() == TRACE_2[rfc_name], f"{log_name} on side {side}"


def test_trace_2_first_message_1_fields(crypto: CryptoProvider) -> None:
    ours = trace_2(crypto.name).wire["first message_1"]
    rfc = _t2("first message_1 (SUITES_I=6)")
    # METHOD 3, SUITES_I 6, bstr(32) header; then G_X; then C_I 0x0e (RFC 9529 §3.1)
    assert ours[:4].hex() == rfc[:4].hex() == "03065820"
    assert ours[-1:].hex() == rfc[-1:].hex() == "0e"
    assert len(ours) == len(rfc) == 37
    # Our G_X is the X25519 public key of X, as suite 6 requires (RFC 9528 §10.2).
    x25519 = crypto.load_private_key(KeyType.X25519, _t2("first X (I ephemeral priv)")).public_key().data
    assert ours[4:36] == x25519


@pytest.mark.parametrize(
    ("wire_name", "rfc_name"),
    [
        ("error", "error (ERR_CODE 2, SUITES_R 2)"),
        ("message_1", "message_1"),
        ("message_2", "message_2"),
        ("message_3", "message_3"),
        ("message_4", "message_4"),
    ],
)
def test_trace_2_wire_messages(crypto: CryptoProvider, wire_name: str, rfc_name: str) -> None:
    assert trace_2(crypto.name).wire[wire_name].hex() == TRACE_2[rfc_name]


@pytest.mark.parametrize("side", ["initiator", "responder"])
def test_trace_2_outputs(crypto: CryptoProvider, side: str) -> None:
    run = trace_2(crypto.name)
    engine = run.initiator if side == "initiator" else run.responder
    assert engine is not None
    oscore = engine.oscore_context()
    assert oscore.master_secret.hex() == TRACE_2["OSCORE Master Secret"]
    assert oscore.master_salt.hex() == TRACE_2["OSCORE Master Salt"]
    assert oscore.aead_algorithm == 10  # AES-CCM-16-64-128, the application AEAD of suite 2
    assert oscore.hkdf_algorithm == -16  # SHA-256


def test_trace_2_key_update(crypto: CryptoProvider) -> None:
    run = trace_2.__wrapped__(crypto.name)
    for engine, log in ((run.initiator, run.initiator_log), (run.responder, run.responder_log)):
        assert engine is not None
        engine.key_update(_t2("KeyUpdate context"))
        assert log["PRK_out"].hex() == TRACE_2["PRK_out after KeyUpdate"]
        oscore = engine.oscore_context()
        assert oscore.master_secret.hex() == TRACE_2["OSCORE Master Secret after KeyUpdate"]
        assert oscore.master_salt.hex() == TRACE_2["OSCORE Master Salt after KeyUpdate"]


def test_trace_2_credential_values(crypto: CryptoProvider) -> None:
    cred_r = Credential.from_ccs(_t2("CRED_R (CCS, CBOR)"), crypto)
    cred_i = Credential.from_ccs(_t2("CRED_I (CCS, CBOR)"), crypto)
    assert cred_r.public_key.data.hex() == "04" + TRACE_2["G_R x"] + TRACE_2["G_R y"]
    assert cred_i.public_key.data.hex() == "04" + TRACE_2["G_I x"] + TRACE_2["G_I y"]
    assert IdCred.by_kid(b"\x32").plaintext_encoding().hex() == "32"  # compact kid (RFC 9528 §3.5.3.2)
