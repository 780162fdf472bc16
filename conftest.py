"""Shared fixtures for tests/ and interop/: the ``crypto`` fixture runs a test once per crypto backend.

``pytest --crypto=pure`` (or ``--crypto=cryptography``) runs the whole suite on one
backend; the default runs every test on both.  A backend that cannot load is
skipped with its reason printed, never silently.
"""

from __future__ import annotations

import pytest

from ratscore.crypto import BACKEND_NAMES, CryptoProvider, get_provider
from ratscore.errors import UnsupportedAlgorithm


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--crypto",
        action="store",
        default=None,
        choices=BACKEND_NAMES,
        help="run the suite on this crypto backend only (default: every backend)",
    )


def selected_backends(config: pytest.Config) -> list[str]:
    chosen = config.getoption("--crypto")
    return [chosen] if chosen else list(BACKEND_NAMES)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "crypto" in metafunc.fixturenames:
        metafunc.parametrize("crypto", selected_backends(metafunc.config), indirect=True)


@pytest.fixture
def crypto(request: pytest.FixtureRequest) -> CryptoProvider:
    name: str = request.param
    try:
        return get_provider(name)
    except UnsupportedAlgorithm as exc:
        pytest.skip(f"crypto backend {name!r} unavailable: {exc}")
