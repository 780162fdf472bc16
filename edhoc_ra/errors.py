"""EDHOC error classes, one per ERR_CODE (RFC 9528 §6).

Each class that the engine raises after a peer violation carries the ERR_CODE it
sent (``err_code``) so the application can log it; the EDHOC error message itself
is already queued in ``messages_to_send()`` when the exception surfaces.
"""

from __future__ import annotations

from typing import ClassVar

from ratscore.cbor import CborItem
from ratscore.errors import DecodeError, RemoteProtocolError

__all__ = [
    "AuthenticationFailed",
    "EdhocDecodeError",
    "EdhocError",
    "InvalidPeerKey",
    "UnknownCredentialReferenced",
    "UnspecifiedEdhocError",
    "WrongSelectedCipherSuite",
]


class EdhocError(RemoteProtocolError):
    """Root of the EDHOC errors raised from receive paths.  ``err_info`` is the
    ERR_INFO sent with the error message (None: the exception text for ERR_CODE 1)."""

    err_code: ClassVar[int] = 1

    def __init__(self, message: str, *, err_info: CborItem = None) -> None:
        super().__init__(message)
        self.err_info = err_info


class UnspecifiedEdhocError(EdhocError):
    """ERR_CODE 1: any failure without a specific code (RFC 9528 §6.2)."""

    err_code: ClassVar[int] = 1


class EdhocDecodeError(UnspecifiedEdhocError, DecodeError):
    """A message or plaintext that does not match its CDDL, is not deterministic
    CBOR, or has a field of the wrong length (RFC 9528 §9.8); answered with ERR_CODE 1."""


class AuthenticationFailed(UnspecifiedEdhocError):
    """MAC, signature or AEAD verification failed, or the peer's public key is
    invalid.  Deliberately says nothing more (RFC 9528 §9.2)."""


class InvalidPeerKey(UnspecifiedEdhocError):
    """An ephemeral or static public key failed validation, or the ECDH result was
    all zero (RFC 9528 §9.2, RFC 7748 §6)."""


class WrongSelectedCipherSuite(EdhocError):
    """ERR_CODE 2: the selected suite is not the first one we support (RFC 9528 §6.3)."""

    err_code: ClassVar[int] = 2


class UnknownCredentialReferenced(EdhocError):
    """ERR_CODE 3: ID_CRED references a credential we cannot resolve (RFC 9528 §6.4)."""

    err_code: ClassVar[int] = 3
