"""Crypto providers: one protocol, two backends.

``get_provider()`` returns the default provider: the ``cryptography`` backend
when that package imports, otherwise the pure-Python backend.  The environment
variable ``RATSCORE_CRYPTO=pure|cryptography`` overrides the default, and every
engine takes an explicit ``crypto=`` argument that overrides both.
"""

from __future__ import annotations

import os

from ratscore.errors import UnsupportedAlgorithm

from .types import (
    Aead,
    AeadAlgorithm,
    CryptoProvider,
    EcdsaEncoding,
    HashAlgorithm,
    HashContext,
    KeyType,
    PrivateKey,
    PublicKey,
    SignatureAlgorithm,
    Signer,
)

__all__ = [
    "BACKEND_NAMES",
    "Aead",
    "AeadAlgorithm",
    "CryptoProvider",
    "EcdsaEncoding",
    "HashAlgorithm",
    "HashContext",
    "KeyType",
    "PrivateKey",
    "PublicKey",
    "SignatureAlgorithm",
    "Signer",
    "available_backends",
    "get_provider",
    "resolve_provider",
]

BACKEND_NAMES = ("cryptography", "pure")
_ENV_VARIABLE = "RATSCORE_CRYPTO"
_cache: dict[str, CryptoProvider] = {}


def _load(name: str) -> CryptoProvider:
    if name == "pure":
        from .pure import PureProvider

        return PureProvider()
    if name == "cryptography":
        try:
            from .cryptography_backend import CryptographyProvider
        except ImportError as exc:
            raise UnsupportedAlgorithm(
                "the 'cryptography' backend needs the cryptography package (pip install 'attested-stack[fast]')"
            ) from exc
        return CryptographyProvider()
    raise UnsupportedAlgorithm(f"unknown crypto backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")


def available_backends() -> list[str]:
    """Names of the backends that load in this environment."""
    names = []
    for name in BACKEND_NAMES:
        try:
            get_provider(name)
        except UnsupportedAlgorithm:
            continue
        names.append(name)
    return names


def get_provider(name: str | None = None) -> CryptoProvider:
    """Return the provider called ``name``, or the default one (see module doc)."""
    if name is None:
        name = os.environ.get(_ENV_VARIABLE) or None
    if name is None:
        try:
            return get_provider("cryptography")
        except UnsupportedAlgorithm:
            return get_provider("pure")
    provider = _cache.get(name)
    if provider is None:
        provider = _cache[name] = _load(name)
    return provider


def resolve_provider(crypto: CryptoProvider | str | None) -> CryptoProvider:
    """What engines call with their ``crypto=`` argument."""
    if crypto is None or isinstance(crypto, str):
        return get_provider(crypto)
    return crypto
