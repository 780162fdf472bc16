"""NIST PKITS (Public Key Interoperability Test Suite, 2011 edition) through the pure validator.

Outside truth: each PKITS test names its expected outcome (``Valid...`` /
``Invalid...``) and section of the PKITS document.  We run the sections our
profile covers — signatures (4.1), validity periods (4.2), name chaining (4.3),
self-issued certificates (4.5, the CRL-free ones), basic constraints (4.6), key
usage (4.7, keyCertSign) and private extensions (4.16) — and pin the reason for
the invalid ones.  The certificates come from cryptography-vectors.  Every CA
certificate of the suite is handed to the validator as an intermediate, so path
building has to find the right issuer among ~200 candidates.

Tests whose expected PKITS verdict we do not reproduce are listed separately with
the reason: DSA (unsupported algorithm) and name constraints (rejected as an
unsupported critical extension by design).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from ratscore.crypto.types import CryptoProvider
from ratscore.x509 import Certificate, CertificateError, CertificateErrorReason, Purpose, validate_chain
from ratscore.x509 import load_der_certificate as load

cryptography_vectors = pytest.importorskip("cryptography_vectors", reason="PKITS comes from cryptography-vectors")

CERTS = Path(os.path.dirname(cryptography_vectors.__file__)) / "x509" / "PKITS_data" / "certs"
NOW = datetime.datetime(2020, 6, 1, tzinfo=datetime.UTC)  # inside the suite's 2010-2030 window
Reason = CertificateErrorReason

EXPECTED: dict[str, Reason | None] = {
    # 4.1 Signature verification
    "ValidCertificatePathTest1": None,
    "InvalidCASignatureTest2": Reason.BAD_SIGNATURE,
    "InvalidEESignatureTest3": Reason.BAD_SIGNATURE,
    # 4.2 Validity periods
    "InvalidCAnotBeforeDateTest1": Reason.NOT_YET_VALID,
    "InvalidEEnotBeforeDateTest2": Reason.NOT_YET_VALID,
    "Validpre2000UTCnotBeforeDateTest3": None,
    "ValidGeneralizedTimenotBeforeDateTest4": None,
    "InvalidCAnotAfterDateTest5": Reason.EXPIRED,
    "InvalidEEnotAfterDateTest6": Reason.EXPIRED,
    "Invalidpre2000UTCEEnotAfterDateTest7": Reason.EXPIRED,
    "ValidGeneralizedTimenotAfterDateTest8": None,
    # 4.3 Verifying name chaining
    "InvalidNameChainingTest1": Reason.UNKNOWN_ISSUER,
    "InvalidNameChainingOrderTest2": Reason.UNKNOWN_ISSUER,
    "ValidNameChainingWhitespaceTest3": None,
    "ValidNameChainingWhitespaceTest4": None,
    "ValidNameChainingCapitalizationTest5": None,
    "ValidNameUIDsTest6": None,
    "ValidRFC3280MandatoryAttributeTypesTest7": None,
    "ValidRFC3280OptionalAttributeTypesTest8": None,
    "ValidUTF8StringEncodedNamesTest9": None,
    "ValidRolloverfromPrintableStringtoUTF8StringTest10": None,
    "ValidUTF8StringCaseInsensitiveMatchTest11": None,
    # 4.5 Verifying paths with self-issued certificates (those not decided by a CRL)
    "ValidBasicSelfIssuedOldWithNewTest1": None,
    "ValidBasicSelfIssuedNewWithOldTest3": None,
    "ValidBasicSelfIssuedNewWithOldTest4": None,
    # 4.6 Verifying basic constraints
    "InvalidMissingbasicConstraintsTest1": Reason.NOT_A_CA,
    "InvalidcAFalseTest2": Reason.NOT_A_CA,
    "InvalidcAFalseTest3": Reason.NOT_A_CA,
    "ValidbasicConstraintsNotCriticalTest4": None,
    "InvalidpathLenConstraintTest5": Reason.PATH_TOO_LONG,
    "InvalidpathLenConstraintTest6": Reason.PATH_TOO_LONG,
    "ValidpathLenConstraintTest7": None,
    "ValidpathLenConstraintTest8": None,
    "InvalidpathLenConstraintTest9": Reason.PATH_TOO_LONG,
    "InvalidpathLenConstraintTest10": Reason.PATH_TOO_LONG,
    "InvalidpathLenConstraintTest11": Reason.PATH_TOO_LONG,
    "InvalidpathLenConstraintTest12": Reason.PATH_TOO_LONG,
    "ValidpathLenConstraintTest13": None,
    "ValidpathLenConstraintTest14": None,
    "ValidSelfIssuedpathLenConstraintTest15": None,
    "InvalidSelfIssuedpathLenConstraintTest16": Reason.PATH_TOO_LONG,
    "ValidSelfIssuedpathLenConstraintTest17": None,
    # 4.7 Key usage (keyCertSign; the cRLSign tests need revocation checking)
    "InvalidkeyUsageCriticalkeyCertSignFalseTest1": Reason.KEY_USAGE,
    "InvalidkeyUsageNotCriticalkeyCertSignFalseTest2": Reason.KEY_USAGE,
    "ValidkeyUsageNotCriticalTest3": None,
    # 4.16 Private certificate extensions
    "ValidUnknownNotCriticalCertificateExtensionTest1": None,
    "InvalidUnknownCriticalCertificateExtensionTest2": Reason.UNSUPPORTED_CRITICAL_EXTENSION,
}

# PKITS says valid; our profile rejects, by design.
DIFFERENT_BY_DESIGN: dict[str, Reason] = {
    "ValidDSASignaturesTest4": Reason.UNSUPPORTED_ALGORITHM,  # 4.1.4: no DSA
    "ValidDNnameConstraintsTest1": Reason.UNSUPPORTED_CRITICAL_EXTENSION,  # 4.13.1: no name constraints
    "ValidDNSnameConstraintsTest30": Reason.UNSUPPORTED_CRITICAL_EXTENSION,  # 4.13.30
}


def _pool() -> tuple[list[Certificate], list[Certificate]]:
    anchor = load((CERTS / "TrustAnchorRootCertificate.crt").read_bytes())
    intermediates = [
        load(path.read_bytes())
        for path in sorted(CERTS.glob("*.crt"))
        if not path.name.endswith("EE.crt") and path.name != "TrustAnchorRootCertificate.crt"
    ]
    return [anchor], intermediates


ANCHORS, INTERMEDIATES = _pool()


def _verdict(name: str, crypto: CryptoProvider) -> Reason | None:
    leaf = load((CERTS / f"{name}EE.crt").read_bytes())
    try:
        validate_chain(
            leaf, INTERMEDIATES, ANCHORS, now=NOW, crypto=crypto, hostname=None, purpose=Purpose.ANY, max_depth=8
        )
    except CertificateError as error:
        return error.reason
    return None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pkits(name: str, crypto: CryptoProvider) -> None:
    assert name.startswith("Valid") == (EXPECTED[name] is None)
    assert _verdict(name, crypto) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(DIFFERENT_BY_DESIGN))
def test_pkits_outside_our_profile(name: str, crypto: CryptoProvider) -> None:
    assert _verdict(name, crypto) == DIFFERENT_BY_DESIGN[name]
