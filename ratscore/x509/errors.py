"""The one exception certificate validation raises, with a machine-readable reason.

TLS maps ``reason`` to an alert (RFC 8446 §6.2); the suggested mapping is in each
member's comment.  EDHOC maps every reason to its generic error.
"""

from __future__ import annotations

import enum

from ratscore.errors import RemoteProtocolError

__all__ = ["CertificateError", "CertificateErrorReason", "Purpose"]


class CertificateErrorReason(enum.Enum):
    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    BAD_SIGNATURE = "bad signature"  # bad_certificate (42)
    EXPIRED = "expired"  # certificate_expired (45)
    NOT_YET_VALID = "not yet valid"  # certificate_expired (45): "expired or not currently valid"
    UNKNOWN_ISSUER = "unknown issuer"  # unknown_ca (48)
    NOT_A_CA = "issuer is not a CA"  # bad_certificate (42)
    PATH_TOO_LONG = "path too long"  # bad_certificate (42)
    HOSTNAME_MISMATCH = "hostname mismatch"  # bad_certificate (42)
    KEY_USAGE = "key usage"  # unsupported_certificate (43)
    EXTENDED_KEY_USAGE = "extended key usage"  # unsupported_certificate (43)
    UNSUPPORTED_CRITICAL_EXTENSION = "unsupported critical extension"  # unsupported_certificate (43)
    UNSUPPORTED_ALGORITHM = "unsupported algorithm"  # unsupported_certificate (43)
    MALFORMED = "malformed"  # bad_certificate (42) / decode_error (50)


class Purpose(enum.Enum):
    """What the leaf certificate is to be used for (its EKU, RFC 5280 §4.2.1.12)."""

    __hash__ = object.__hash__  # identity hashing in C (members are singletons); Enum.__hash__ is Python

    SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
    CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
    ANY = "2.5.29.37.0"


class CertificateError(RemoteProtocolError):
    """The peer's certificate (chain) was rejected; ``reason`` says why."""

    def __init__(self, reason: CertificateErrorReason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
