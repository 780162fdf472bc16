"""``TLSConfig.remember_validations``: with it (the default) a repeated chain is validated once
and then answered from ``atls.certificates``; without it every handshake path-validates the
peer's chain and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("cryptography", reason="the test PKI is minted with the cryptography package")

import atls.certificates
import atls.handshake_common
from atls import alerts
from atls.events import HandshakeCompleted
from ratscore.crypto import CryptoProvider
from ratscore.x509 import validate
from tests.atls.connection_helpers import client_config, credentials, handshake, server_config


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every path validation the engine asks for, by the module that asked."""
    calls: list[str] = []

    def counting(module: str) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            calls.append(module)
            return validate(*args, **kwargs)

        return run

    monkeypatch.setattr(atls.certificates, "validate", counting("cache"))
    monkeypatch.setattr(atls.handshake_common, "validate", counting("direct"))
    atls.certificates.clear_caches()
    yield calls
    atls.certificates.clear_caches()


def _completed(events: list[Any]) -> bool:
    return any(isinstance(event, HandshakeCompleted) for event in events)


def test_by_default_a_repeated_chain_is_validated_once(crypto: CryptoProvider, validations: list[str]) -> None:
    creds = credentials(crypto)
    server, client = server_config(crypto, creds), client_config(crypto, creds.anchors)
    for _ in range(3):
        _, _, client_events, _ = handshake(client, server)
        assert _completed(client_events)
    assert validations == ["cache"]


def test_without_remembering_every_handshake_validates_and_nothing_is_stored(
    crypto: CryptoProvider, validations: list[str]
) -> None:
    creds = credentials(crypto)
    server = server_config(crypto, creds)
    client = client_config(crypto, creds.anchors, remember_validations=False)
    for _ in range(3):
        _, _, client_events, _ = handshake(client, server)
        assert _completed(client_events)
    assert validations == ["direct"] * 3
    # Nothing was remembered: a remembering client validates the same chain afresh.
    _, _, client_events, _ = handshake(client_config(crypto, creds.anchors), server)
    assert _completed(client_events)
    assert validations == ["direct"] * 3 + ["cache"]


def test_without_remembering_a_bad_chain_is_still_refused(crypto: CryptoProvider) -> None:
    creds, other = credentials(crypto), credentials(crypto, label="-other")
    client = client_config(crypto, other.anchors, remember_validations=False)  # anchors of another PKI
    with pytest.raises(alerts.UnknownCA):
        handshake(client, server_config(crypto, creds))
