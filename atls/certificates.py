"""Judging certificates fast: a parse cache and a cache of successful path validations.

Theory of operation.  A server parses its own leaf for every connection and a client
sees the same server chain again and again, so both caches are keyed by exact DER bytes:

* ``parse_certificate`` memoises ``ratscore.x509.load_der_certificate``.  A parsed
  ``Certificate`` is a frozen value that depends on nothing but its bytes, so sharing it
  between connections is safe.  Parse failures are not cached (they raise every time).
* ``validate_cached`` remembers only *successful* path validations, keyed by everything
  the result depends on except the time: the chain DER, the trust anchors' DER, the
  hostname, the purpose and the validator (crypto backend name).  With the validated
  path it stores the intersection of the path's validity periods (RFC 5280 §4.1.2.5);
  the only time-dependent check of path validation (RFC 5280 §6.1.3 (a)(2)), so a hit
  is answered without re-validating only while ``now`` lies inside that window.  No
  revocation checking is done anywhere, so nothing else can change the answer.  Both
  caches are bounded LRUs.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from ratscore.crypto.types import CryptoProvider
from ratscore.x509 import Certificate, Purpose, load_der_certificate, validate

__all__ = ["clear_caches", "forget_validations", "parse_certificate", "validate_cached"]

_VALIDATION_CACHE_SIZE = 256


@functools.lru_cache(maxsize=256)
def parse_certificate(der: bytes) -> Certificate:
    """``load_der_certificate`` memoised by the exact DER bytes (``DecodeError`` if malformed)."""
    return load_der_certificate(der)


@dataclass(frozen=True, slots=True)
class _Validated:
    not_before: datetime.datetime
    not_after: datetime.datetime


_ValidationKey = tuple[tuple[bytes, ...], tuple[bytes, ...], str | None, Purpose, str]
_validated: OrderedDict[_ValidationKey, _Validated] = OrderedDict()
_lock = threading.Lock()


def validate_cached(
    certificates: Sequence[Certificate],
    trust_anchors: Sequence[Certificate],
    *,
    now: datetime.datetime,
    crypto: CryptoProvider,
    hostname: str | None,
    purpose: Purpose,
) -> None:
    """``ratscore.x509.validate(leaf, intermediates, anchors, ...)`` with a cache of successes
    (see the module docstring).  Raises ``CertificateError`` exactly as ``validate`` does."""
    key: _ValidationKey = (
        tuple([certificate.der for certificate in certificates]),
        tuple([anchor.der for anchor in trust_anchors]),
        hostname,
        purpose,
        crypto.name,
    )
    with _lock:
        hit = _validated.get(key)
        if hit is not None:
            _validated.move_to_end(key)
    # RFC 5280 §6.1.3 (a)(2): the current time must be in every path certificate's validity.
    if hit is not None and hit.not_before <= now <= hit.not_after:
        return
    path = validate(
        certificates[0],
        certificates[1:],
        trust_anchors,
        now=now,
        crypto=crypto,
        hostname=hostname,
        purpose=purpose,
    )
    window = _Validated(
        not_before=max([certificate.not_before for certificate in path]),
        not_after=min([certificate.not_after for certificate in path]),
    )
    with _lock:
        _validated[key] = window
        _validated.move_to_end(key)
        while len(_validated) > _VALIDATION_CACHE_SIZE:
            _validated.popitem(last=False)


def forget_validations() -> None:
    """Forget every remembered validation, keeping parsed certificates: the next handshake
    re-checks signatures, validity, constraints and hostname from scratch."""
    with _lock:
        _validated.clear()


def clear_caches() -> None:
    """Forget every parsed certificate and every remembered validation (tests use this)."""
    parse_certificate.cache_clear()
    with _lock:
        _validated.clear()
