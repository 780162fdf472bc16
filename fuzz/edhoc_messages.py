"""Fuzz the EDHOC parsers and engines: arbitrary bytes raise only RemoteProtocolError.

Targets, for every input:

* the message parsers of ``edhoc_ra.codec`` (message_1, the single-bstr messages
  message_2/3/4, PLAINTEXT_2/3/4, the error message; RFC 9528 §5, §6, App. C.2);
* a Responder in START and in WAIT_M3, an Initiator in WAIT_M2 and in WAIT_M4, and
  a completed Initiator, each fed the input with ``receive_message``.

Invariant (house style, STYLE.md "Errors"): a parser returns or raises
``EdhocDecodeError``; an engine returns events or raises a ``RemoteProtocolError``
subclass.  Anything else (IndexError, struct.error, KeyError, a LocalProtocolError
from a receive path, ...) is a finding and propagates.

The first input byte picks a mode: raw bytes, or a valid message of the handshake
with the rest of the input spliced or XORed into it, so mutations reach past the
outer CBOR checks into decryption and MAC verification.

Run with atheris (libFuzzer options pass through)::

    python fuzz/edhoc_messages.py -runs=10000 [corpus_dir]

Without atheris the same file runs a plain random driver::

    python fuzz/edhoc_messages.py --plain -runs=2000 [--seed N]

Importing this module needs neither atheris nor a fuzzing run.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from edhoc_ra import (
    Credential,
    EdhocConfig,
    IdCred,
    Initiator,
    LocalCredential,
    Method,
    Responder,
    State,
    codec,
)
from edhoc_ra.errors import EdhocDecodeError
from fuzz.driver import fuzz_main
from ratscore.crypto import CryptoProvider, KeyType
from ratscore.errors import RemoteProtocolError

__all__ = ["Handshake", "check_input", "main"]

PARSERS: tuple[tuple[str, Callable[[bytes], object]], ...] = (
    ("message_1", codec.decode_message_1),
    ("single-bstr message", lambda data: codec.decode_ciphertext_message(data, "message")),
    ("PLAINTEXT_2", codec.decode_plaintext_2),
    ("PLAINTEXT_3", codec.decode_plaintext_3),
    ("PLAINTEXT_4", codec.decode_plaintext_4),
    ("error", codec.decode_error),
)


@dataclass(frozen=True, slots=True)
class Handshake:
    """Configurations and one recorded handshake (method 3, suite 2, message_4 on)."""

    crypto: CryptoProvider
    initiator_config: EdhocConfig
    responder_config: EdhocConfig
    message_1: bytes
    message_2: bytes
    message_3: bytes
    message_4: bytes

    @classmethod
    def record(cls, crypto: CryptoProvider) -> Handshake:
        def local(kid: bytes) -> LocalCredential:
            key = crypto.generate_private_key(KeyType.P256)
            credential = Credential.from_public_key(key.public_key(), kid=kid)
            return LocalCredential(credential=credential, id_cred=IdCred.by_kid(kid), private_key=key)

        initiator_local, responder_local = local(b"\x2b"), local(b"\x32")
        known = {b"\x2b": initiator_local.credential, b"\x32": responder_local.credential}

        def resolve(id_cred: IdCred) -> Credential | None:
            return known.get(id_cred.kid) if id_cred.kid is not None else id_cred.credential_by_value(crypto)

        def config(mine: LocalCredential, connection_id: bytes) -> EdhocConfig:
            return EdhocConfig(
                method=Method.STAT_STAT,
                credential=mine,
                suites=(2,),
                connection_id=connection_id,
                use_message_4=True,
                credential_resolver=resolve,
            )

        initiator_config, responder_config = config(initiator_local, b"\x0e"), config(responder_local, b"\x27")
        initiator = Initiator(initiator_config, crypto=crypto)
        responder = Responder(responder_config, crypto=crypto)
        initiator.start()
        (message_1,) = initiator.messages_to_send()
        responder.receive_message(message_1)
        responder.send_message_2()
        (message_2,) = responder.messages_to_send()
        initiator.receive_message(message_2)
        initiator.send_message_3()
        (message_3,) = initiator.messages_to_send()
        responder.receive_message(message_3)
        responder.send_message_4()
        (message_4,) = responder.messages_to_send()
        return cls(crypto, initiator_config, responder_config, message_1, message_2, message_3, message_4)

    # -- engines in each state that receives messages ---------------------------------
    def responder_start(self) -> Responder:
        return Responder(self.responder_config, crypto=self.crypto)

    def responder_wait_m3(self) -> Responder:
        responder = Responder(self.responder_config, crypto=self.crypto)
        responder.receive_message(self.message_1)
        responder.send_message_2()
        responder.messages_to_send()
        return responder

    def initiator_wait_m2(self) -> Initiator:
        initiator = Initiator(self.initiator_config, crypto=self.crypto)
        initiator.start()
        initiator.messages_to_send()
        return initiator

    def _live_pair(self) -> tuple[Initiator, Responder, bytes]:
        """A fresh pair up to message_3 (sent by the Initiator, not yet delivered)."""
        initiator = Initiator(self.initiator_config, crypto=self.crypto)
        initiator.start()
        responder = self.responder_start()
        responder.receive_message(initiator.messages_to_send()[0])
        responder.send_message_2()
        initiator.receive_message(responder.messages_to_send()[0])
        initiator.send_message_3()
        return initiator, responder, initiator.messages_to_send()[0]

    def initiator_wait_m4(self) -> Initiator:
        initiator, _, _ = self._live_pair()
        assert initiator.state is State.WAIT_M4
        return initiator

    def initiator_completed(self) -> Initiator:
        initiator, responder, message_3 = self._live_pair()
        responder.receive_message(message_3)
        responder.send_message_4()
        initiator.receive_message(responder.messages_to_send()[0])
        assert initiator.state is State.COMPLETED
        return initiator


def _mutate(template: bytes, payload: bytes) -> bytes:
    """Splice ``payload`` into ``template`` or XOR it in, chosen by its first byte."""
    if not payload:
        return template
    selector, body = payload[0], payload[1:]
    position = (selector * 7) % (len(template) + 1)
    if selector & 1:
        return template[:position] + body + template[position + len(body) // 2 :]
    mask = body.ljust(len(template), b"\x00")[: len(template)]
    return codec.xor_bytes(template, mask) + body[len(template) :]


def check_input(handshake: Handshake, data: bytes) -> None:
    """Run every target on ``data`` (see module doc); raise on an invariant violation."""
    mode, payload = (data[0], data[1:]) if data else (0, b"")
    templates = (handshake.message_1, handshake.message_2, handshake.message_3, handshake.message_4)
    message = payload if mode % 5 == 0 else _mutate(templates[mode % 5 - 1], payload)

    for _name, parser in PARSERS:
        with contextlib.suppress(EdhocDecodeError):
            parser(message)

    engines: list[Callable[[], Initiator | Responder]] = [handshake.responder_start, handshake.initiator_wait_m2]
    # The deeper states cost a partial handshake each: spend it on mutated templates.
    if mode % 5:
        engines += [handshake.responder_wait_m3, handshake.initiator_wait_m4, handshake.initiator_completed]
    for make in engines:
        engine = make()
        with contextlib.suppress(RemoteProtocolError):
            engine.receive_message(message)


# -- drivers -------------------------------------------------------------------------------
def _setup(crypto: CryptoProvider) -> Callable[[bytes], None]:
    recorded = Handshake.record(crypto)
    return lambda data: check_input(recorded, data)


def _plain_input(rng: random.Random, run: int) -> bytes:
    """The plain driver's inputs: a mode/selector prefix, then random bytes."""
    return bytes([run % 256]) + rng.randbytes(rng.choice((0, 1, 2, 4, 8, 16, 40, 80, 200)))


def main(argv: list[str]) -> int:
    return fuzz_main(argv, setup=_setup, plain_input=_plain_input)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
