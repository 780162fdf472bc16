"""The fuzz harnesses (``make fuzz``) stay runnable: a short plain-driver run of each.

The plain driver feeds random inputs through the same invariant checks the atheris
campaign uses (only RemoteProtocolError subclasses may escape), so this also catches
an engine regression on malformed input in the default test run.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fuzz import edhoc_messages, tls_records


@pytest.mark.parametrize("main", [edhoc_messages.main, tls_records.main], ids=["edhoc", "tls"])
def test_plain_driver_runs_clean(main: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["harness", "--plain", "-runs=300", "--seed=20261126"]) == 0
    assert "no invariant violation" in capsys.readouterr().out
