"""Shared helpers for interop tests.

Every interop test is marked ``interop``.  A peer that is not installed makes its
tests skip with the reason printed in the summary (``-ra``), never silently;
``make test`` installs every peer that PyPI or Debian provides, so on CI nothing
here skips.
"""

from __future__ import annotations

import shutil
import socket
from types import ModuleType

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/interop/" in str(item.fspath):
            item.add_marker(pytest.mark.interop)


def require_module(name: str, install_hint: str) -> ModuleType:
    """Import a peer's Python package or skip with a printed reason."""
    module: ModuleType = pytest.importorskip(name, reason=f"interop peer {name!r} is not installed ({install_hint})")
    return module


def require_binary(name: str, install_hint: str) -> str:
    """Find a peer's executable or skip with a printed reason."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"interop peer binary {name!r} not found on PATH ({install_hint})")
    return path


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (loopback only: tests never reach other hosts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
