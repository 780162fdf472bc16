"""X.509 certificates: parsing, path validation, pinned and raw public keys.

``validate`` is the front door: it uses ``cryptography``'s verifier when the
provider is the cryptography backend, the package imports, the verifier can
express the request (a server check with a hostname, or a client check) and no
certificate uses EdDSA (which its web-PKI profile forbids); the pure validator of
``verify.py`` otherwise, with signatures checked through ``crypto``.  Both raise ``CertificateError`` with
the same reasons; the profile differences are listed in ``cryptography_verify``.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from types import ModuleType

from ratscore.crypto.types import CryptoProvider

from .certificate import Certificate, Extension, load_der_certificate, load_pem_certificates
from .errors import CertificateError, CertificateErrorReason, Purpose
from .extensions import AuthorityKeyIdentifier, BasicConstraints, GeneralNames, KeyUsage
from .hostname import hostname_matches
from .names import Name, NameAttribute, names_match
from .pinning import PinnedKeyVerifier
from .verify import DEFAULT_MAX_DEPTH, validate_chain

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "AuthorityKeyIdentifier",
    "BasicConstraints",
    "Certificate",
    "CertificateError",
    "CertificateErrorReason",
    "Extension",
    "GeneralNames",
    "KeyUsage",
    "Name",
    "NameAttribute",
    "PinnedKeyVerifier",
    "Purpose",
    "hostname_matches",
    "load_der_certificate",
    "load_pem_certificates",
    "names_match",
    "validate",
    "validate_chain",
]


@functools.cache
def _library_validator() -> ModuleType | None:
    """``cryptography_verify`` when ``cryptography`` imports, else None (looked up once)."""
    try:
        from . import cryptography_verify
    except ImportError:
        return None
    return cryptography_verify


def validate(
    leaf: Certificate,
    intermediates: Sequence[Certificate],
    trust_anchors: Sequence[Certificate],
    *,
    now: datetime.datetime,
    crypto: CryptoProvider,
    hostname: str | None,
    purpose: Purpose = Purpose.SERVER_AUTH,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> list[Certificate]:
    """Validate ``leaf`` to a trust anchor with the best validator available (see module doc)."""
    library = _library_validator() if crypto.name == "cryptography" else None
    if (
        library is not None
        and library.can_express(purpose=purpose, hostname=hostname)
        and library.profile_allows((leaf, *intermediates, *trust_anchors))
    ):
        chain: list[Certificate] = library.validate_chain(
            leaf,
            intermediates,
            trust_anchors,
            now=now,
            crypto=crypto,
            hostname=hostname,
            purpose=purpose,
            max_depth=max_depth,
        )
        return chain
    return validate_chain(
        leaf,
        intermediates,
        trust_anchors,
        now=now,
        crypto=crypto,
        hostname=hostname,
        purpose=purpose,
        max_depth=max_depth,
    )
