"""Error roots shared by every engine and codec of attested-stack.

Theory of operation: two families.

* ``ProtocolError`` — something about a protocol exchange is wrong.  Raised as
  ``LocalProtocolError`` when *our* caller misused an API, and as
  ``RemoteProtocolError`` when the *peer* (or any outside input) broke the rules.
  Decoders raise ``DecodeError``, a ``RemoteProtocolError``: arbitrary bytes fed to
  any parser raise only ``RemoteProtocolError`` subclasses (the fuzz invariant).
* ``CryptoError`` — the only exceptions a crypto provider raises.

Error texts never carry key material, and a MAC or tag failure never says why.
"""

from __future__ import annotations

__all__ = [
    "CryptoError",
    "DecodeError",
    "DecryptError",
    "EncodeError",
    "InvalidKey",
    "InvalidPrivateKey",
    "InvalidPublicKey",
    "InvalidSignature",
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
    "UnsupportedAlgorithm",
]


class ProtocolError(Exception):
    """Root of every protocol-level error."""


class LocalProtocolError(ProtocolError):
    """The caller misused the API (wrong state, bad argument)."""


class RemoteProtocolError(ProtocolError):
    """The peer, or other outside input, violated the protocol."""


class DecodeError(RemoteProtocolError, ValueError):
    """Input could not be decoded: malformed, non-canonical, truncated or trailing data."""


class EncodeError(LocalProtocolError, ValueError):
    """A value handed to an encoder cannot be represented."""


class CryptoError(Exception):
    """Root of the only exceptions crypto providers raise."""


class DecryptError(CryptoError):
    """AEAD authentication failed.  Deliberately says nothing about the cause."""

    def __init__(self, message: str = "authentication tag check failed") -> None:
        super().__init__(message)


class InvalidSignature(CryptoError):
    """A signature did not verify."""

    def __init__(self, message: str = "signature verification failed") -> None:
        super().__init__(message)


class InvalidKey(CryptoError, ValueError):
    """Key material is malformed or unusable."""


class InvalidPublicKey(InvalidKey):
    """A public key or peer share is malformed, off-curve, of low order, or yields an all-zero secret."""


class InvalidPrivateKey(InvalidKey):
    """A private key encoding is malformed or out of range."""


class UnsupportedAlgorithm(CryptoError):
    """The backend does not implement the requested algorithm or parameter."""
