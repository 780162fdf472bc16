"""Shared test helpers: credentials for any method and suite, and a handshake driver."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from edhoc_ra import (
    Credential,
    CredentialRequested,
    EdhocConfig,
    Event,
    IdCred,
    Initiator,
    LocalCredential,
    Method,
    Responder,
    Role,
    get_suite,
)
from ratscore.crypto import CryptoProvider, KeyType


def authentication_key_type(method: Method, role: Role, suite_value: int) -> KeyType:
    suite = get_suite(suite_value)
    if method.uses_static_dh(role):
        return suite.dh_curve
    if suite.signature_algorithm == -7:
        return KeyType.P256
    if suite.signature_algorithm == -35:
        return KeyType.P384
    return KeyType.ED448 if suite.dh_curve is KeyType.X448 else KeyType.ED25519


def make_local(
    crypto: CryptoProvider, method: Method, role: Role, suite: int, kid: bytes, *, by_value: bool = False
) -> LocalCredential:
    key = crypto.generate_private_key(authentication_key_type(method, role, suite))
    credential = Credential.from_public_key(key.public_key(), kid=kid, subject=role.value)
    id_cred = IdCred.by_value_ccs(credential) if by_value else IdCred.by_kid(kid)
    return LocalCredential(credential=credential, id_cred=id_cred, private_key=key)


@dataclass
class Pair:
    initiator: Initiator
    responder: Responder
    initiator_local: LocalCredential
    responder_local: LocalCredential
    initiator_events: list[Event] = field(default_factory=list)
    responder_events: list[Event] = field(default_factory=list)


def make_pair(
    crypto: CryptoProvider,
    method: Method = Method.STAT_STAT,
    suite: int = 2,
    *,
    use_message_4: bool = False,
    initiator_suites: Sequence[int] | None = None,
    responder_suites: Sequence[int] | None = None,
    resolver: bool = True,
    by_value: bool = False,
    initiator_overrides: dict[str, object] | None = None,
    responder_overrides: dict[str, object] | None = None,
) -> Pair:
    i_local = make_local(crypto, method, Role.INITIATOR, suite, b"\x2b", by_value=by_value)
    r_local = make_local(crypto, method, Role.RESPONDER, suite, b"\x32", by_value=by_value)
    known = {b"\x2b": i_local.credential, b"\x32": r_local.credential}

    def resolve(id_cred: IdCred) -> Credential | None:
        if id_cred.kid is not None:
            return known.get(id_cred.kid)
        return id_cred.credential_by_value(crypto)

    base_i = EdhocConfig(
        method=method,
        credential=i_local,
        suites=tuple(initiator_suites or (suite,)),
        use_message_4=use_message_4,
        credential_resolver=resolve if resolver else None,
    )
    base_r = EdhocConfig(
        method=method,
        credential=r_local,
        suites=tuple(responder_suites or (suite,)),
        use_message_4=use_message_4,
        credential_resolver=resolve if resolver else None,
    )
    config_i = replace(base_i, **(initiator_overrides or {}))  # type: ignore[arg-type]
    config_r = replace(base_r, **(responder_overrides or {}))  # type: ignore[arg-type]
    return Pair(Initiator(config_i, crypto=crypto), Responder(config_r, crypto=crypto), i_local, r_local)


def one(messages: list[bytes]) -> bytes:
    assert len(messages) == 1, messages
    return messages[0]


def run_handshake(pair: Pair) -> Pair:
    """Drive a full handshake; answers credential requests from the other side's local credential."""
    initiator, responder = pair.initiator, pair.responder
    initiator.start()
    pair.responder_events += responder.receive_message(one(initiator.messages_to_send()))
    pair.responder_events += responder.send_message_2()
    events = initiator.receive_message(one(responder.messages_to_send()))
    pair.initiator_events += events
    if any(isinstance(e, CredentialRequested) for e in events):
        pair.initiator_events += initiator.provide_credential(pair.responder_local.credential)
    pair.initiator_events += initiator.send_message_3()
    events = responder.receive_message(one(initiator.messages_to_send()))
    pair.responder_events += events
    if any(isinstance(e, CredentialRequested) for e in events):
        pair.responder_events += responder.provide_credential(pair.initiator_local.credential)
    if responder.config.use_message_4:
        pair.responder_events += responder.send_message_4()
        pair.initiator_events += initiator.receive_message(one(responder.messages_to_send()))
    return pair
