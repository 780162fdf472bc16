from __future__ import annotations

import pytest

from ratscore.crypto import CryptoProvider, KeyType
from ratscore.crypto.scripted import ScriptedProvider
from ratscore.errors import CryptoError

_h = bytes.fromhex


def test_replays_keys_and_random_in_order(crypto: CryptoProvider) -> None:
    # RFC 7748 §6.1 Alice and Bob private keys, with their published public keys.
    scripted = ScriptedProvider(
        crypto,
        private_keys={
            KeyType.X25519: [
                _h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
                _h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
            ]
        },
        random=[b"\x01" * 32, b"\x02" * 4],
    )
    alice = scripted.generate_private_key(KeyType.X25519)
    bob = scripted.generate_private_key(KeyType.X25519)
    assert alice.public_key().data == _h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    assert bob.public_key().data == _h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    assert scripted.random_bytes(32) == b"\x01" * 32
    with pytest.raises(CryptoError, match="asked for 3"):
        scripted.random_bytes(3)
    assert scripted.random_bytes(4) == b"\x02" * 4
    assert scripted.exhausted


def test_running_out_is_an_error_not_real_randomness(crypto: CryptoProvider) -> None:
    scripted = ScriptedProvider(crypto)
    with pytest.raises(CryptoError):
        scripted.random_bytes(16)
    with pytest.raises(CryptoError):
        scripted.generate_private_key(KeyType.P256)
