"""TLS alerts: the wire enums and one exception class per alert we send.

Theory of operation: every receive path of the TLS engine raises a subclass of
``TLSAlert`` (itself a ``RemoteProtocolError``) when the peer breaks the
protocol.  The class carries the alert it maps to as the ``description`` class
attribute, so the connection can queue the fatal alert without a lookup table:
``except TLSAlert as exc: send_alert(exc.description)``.

Naming: a class is the alert name in CamelCase (``illegal_parameter`` ->
``IllegalParameter``).  Two names take an ``Alert`` suffix because the plain name
is taken by a ``ratscore.errors`` class with a different meaning:
``DecodeErrorAlert`` (decode_error) and ``DecryptErrorAlert`` (decrypt_error).
``DecodeErrorAlert`` also subclasses ``ratscore.errors.DecodeError`` so generic
"this input is malformed" handlers catch it.

What the *peer* sends us is never an exception: the engine turns a received alert
into an event.  ``AlertDescription`` therefore lists every registered code so a
received alert can be named; ``decode_alert`` keeps unknown codes as plain ints.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, ClassVar

from ratscore.errors import DecodeError, RemoteProtocolError

if TYPE_CHECKING:
    from .events import Event

__all__ = [
    "ALERT_CLASSES",
    "AccessDenied",
    "AlertDescription",
    "AlertLevel",
    "BadCertificate",
    "BadRecordMac",
    "CertificateExpired",
    "CertificateRequired",
    "DecodeErrorAlert",
    "DecryptErrorAlert",
    "HandshakeFailure",
    "IllegalParameter",
    "InsufficientSecurity",
    "InternalError",
    "MissingExtension",
    "NoApplicationProtocol",
    "ProtocolVersion",
    "RecordOverflow",
    "TLSAlert",
    "UnexpectedMessage",
    "UnknownCA",
    "UnrecognizedName",
    "UnsupportedCertificate",
    "UnsupportedExtension",
]


class AlertLevel(enum.IntEnum):
    """RFC 8446 §6: the level byte.  In TLS 1.3 the level is implicit in the description and
    receivers ignore it, except that close_notify and user_canceled are sent as warnings."""

    WARNING = 1
    FATAL = 2


class AlertDescription(enum.IntEnum):
    """RFC 8446 §6 ``AlertDescription`` (including the reserved TLS 1.2 codes, so a received
    one can be named).  RFC 8449 (record_size_limit) defines no new alert: it uses
    record_overflow for an oversized record and illegal_parameter for a bad limit value."""

    CLOSE_NOTIFY = 0
    UNEXPECTED_MESSAGE = 10
    BAD_RECORD_MAC = 20
    DECRYPTION_FAILED_RESERVED = 21
    RECORD_OVERFLOW = 22
    DECOMPRESSION_FAILURE_RESERVED = 30
    HANDSHAKE_FAILURE = 40
    NO_CERTIFICATE_RESERVED = 41
    BAD_CERTIFICATE = 42
    UNSUPPORTED_CERTIFICATE = 43
    CERTIFICATE_REVOKED = 44
    CERTIFICATE_EXPIRED = 45
    CERTIFICATE_UNKNOWN = 46
    ILLEGAL_PARAMETER = 47
    UNKNOWN_CA = 48
    ACCESS_DENIED = 49
    DECODE_ERROR = 50
    DECRYPT_ERROR = 51
    EXPORT_RESTRICTION_RESERVED = 60
    PROTOCOL_VERSION = 70
    INSUFFICIENT_SECURITY = 71
    INTERNAL_ERROR = 80
    INAPPROPRIATE_FALLBACK = 86
    USER_CANCELED = 90
    NO_RENEGOTIATION_RESERVED = 100
    MISSING_EXTENSION = 109
    UNSUPPORTED_EXTENSION = 110
    CERTIFICATE_UNOBTAINABLE_RESERVED = 111
    UNRECOGNIZED_NAME = 112
    BAD_CERTIFICATE_STATUS_RESPONSE = 113
    BAD_CERTIFICATE_HASH_VALUE_RESERVED = 114
    UNKNOWN_PSK_IDENTITY = 115
    CERTIFICATE_REQUIRED = 116
    NO_APPLICATION_PROTOCOL = 120


class TLSAlert(RemoteProtocolError):
    """The peer broke the protocol; the connection answers with the fatal alert ``description``."""

    description: ClassVar[AlertDescription] = AlertDescription.INTERNAL_ERROR
    # Set by ``TLSConnection.receive_data`` when it raises: the events that the same call
    # produced before the violation (e.g. DataReceived from earlier records), in order.  They
    # are delivered nowhere else.
    events: tuple[Event, ...] = ()


class UnexpectedMessage(TLSAlert):
    """unexpected_message: a message or record arrived that is not allowed here (RFC 8446 §6.2)."""

    description = AlertDescription.UNEXPECTED_MESSAGE


class BadRecordMac(TLSAlert):
    """bad_record_mac: a record failed AEAD authentication (RFC 8446 §5.2).  Never says why."""

    description = AlertDescription.BAD_RECORD_MAC


class RecordOverflow(TLSAlert):
    """record_overflow: a record exceeded the protocol or negotiated size limit (RFC 8446 §5.1, §5.2; RFC 8449)."""

    description = AlertDescription.RECORD_OVERFLOW


class HandshakeFailure(TLSAlert):
    """handshake_failure: no acceptable set of security parameters (RFC 8446 §6.2)."""

    description = AlertDescription.HANDSHAKE_FAILURE


class BadCertificate(TLSAlert):
    """bad_certificate: a certificate was corrupt or its signature did not verify (RFC 8446 §6.2)."""

    description = AlertDescription.BAD_CERTIFICATE


class UnsupportedCertificate(TLSAlert):
    """unsupported_certificate: a certificate of an unsupported type (RFC 8446 §6.2)."""

    description = AlertDescription.UNSUPPORTED_CERTIFICATE


class CertificateExpired(TLSAlert):
    """certificate_expired: a certificate has expired or is not yet valid (RFC 8446 §6.2)."""

    description = AlertDescription.CERTIFICATE_EXPIRED


class IllegalParameter(TLSAlert):
    """illegal_parameter: a field was out of range or inconsistent with other fields (RFC 8446 §6.2)."""

    description = AlertDescription.ILLEGAL_PARAMETER


class UnknownCA(TLSAlert):
    """unknown_ca: the chain did not lead to a trust anchor (RFC 8446 §6.2)."""

    description = AlertDescription.UNKNOWN_CA


class AccessDenied(TLSAlert):
    """access_denied: valid credentials, but access refused by policy (RFC 8446 §6.2)."""

    description = AlertDescription.ACCESS_DENIED


class DecodeErrorAlert(TLSAlert, DecodeError):
    """decode_error: a message could not be decoded (a field out of range, a bad length) (RFC 8446 §6.2).

    Raised by every decoder of this package for truncated, trailing or malformed input."""

    description = AlertDescription.DECODE_ERROR


class DecryptErrorAlert(TLSAlert):
    """decrypt_error: a handshake cryptographic operation failed: a signature that does not
    verify, a wrong Finished (RFC 8446 §6.2)."""

    description = AlertDescription.DECRYPT_ERROR


class ProtocolVersion(TLSAlert):
    """protocol_version: the peer offers no version we support (RFC 8446 §4.2.1, §6.2)."""

    description = AlertDescription.PROTOCOL_VERSION


class InsufficientSecurity(TLSAlert):
    """insufficient_security: the peer's parameters are weaker than we require (RFC 8446 §6.2)."""

    description = AlertDescription.INSUFFICIENT_SECURITY


class InternalError(TLSAlert):
    """internal_error: our own failure, unrelated to the peer (RFC 8446 §6.2)."""

    description = AlertDescription.INTERNAL_ERROR


class MissingExtension(TLSAlert):
    """missing_extension: a mandatory extension was absent (RFC 8446 §9.2, §6.2)."""

    description = AlertDescription.MISSING_EXTENSION


class UnsupportedExtension(TLSAlert):
    """unsupported_extension: an extension response we did not offer, or one forbidden in the
    message (RFC 8446 §4.2, §6.2)."""

    description = AlertDescription.UNSUPPORTED_EXTENSION


class UnrecognizedName(TLSAlert):
    """unrecognized_name: no server for the requested SNI name (RFC 6066 §3, RFC 8446 §6.2)."""

    description = AlertDescription.UNRECOGNIZED_NAME


class CertificateRequired(TLSAlert):
    """certificate_required: the client sent no certificate where one is required (RFC 8446 §4.4.2.4)."""

    description = AlertDescription.CERTIFICATE_REQUIRED


class NoApplicationProtocol(TLSAlert):
    """no_application_protocol: no ALPN protocol in common (RFC 7301 §3.2)."""

    description = AlertDescription.NO_APPLICATION_PROTOCOL


ALERT_CLASSES: dict[AlertDescription, type[TLSAlert]] = {
    cls.description: cls
    for cls in (
        UnexpectedMessage,
        BadRecordMac,
        RecordOverflow,
        HandshakeFailure,
        BadCertificate,
        UnsupportedCertificate,
        CertificateExpired,
        IllegalParameter,
        UnknownCA,
        AccessDenied,
        DecodeErrorAlert,
        DecryptErrorAlert,
        ProtocolVersion,
        InsufficientSecurity,
        InternalError,
        MissingExtension,
        UnsupportedExtension,
        UnrecognizedName,
        CertificateRequired,
        NoApplicationProtocol,
    )
}
"""The exception class for each alert we send, keyed by its description."""
