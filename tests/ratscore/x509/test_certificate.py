"""Certificate parsing against real-world certificates, with cryptography.x509 as the oracle.

The corpus is cryptography-vectors' x509 directory (certificates collected from the
wild plus deliberately malformed ones).  For each certificate we assert that our
parser agrees with cryptography's about whether it is well formed, except for a
listed set of disagreements, each with its reason; for the ones both accept we
compare the fields cryptography exposes.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore.crypto import der
from ratscore.errors import DecodeError
from ratscore.x509 import Certificate, KeyUsage, load_der_certificate, load_pem_certificates

cryptography_vectors = pytest.importorskip("cryptography_vectors", reason="needs the cryptography-vectors corpus")
x509 = pytest.importorskip("cryptography.x509", reason="cryptography.x509 is the parsing oracle")
serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")

VECTORS = Path(os.path.dirname(cryptography_vectors.__file__)) / "x509"

# Where we and cryptography disagree on "parses", and why.  Everything else must agree.
WE_REJECT = {
    # RFC 5280 §4.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the
    # signature field in the sequence tbsCertificate"; these four differ (cryptography reads only one).
    "custom/mismatch_inner_outer_sig_algorithm.der",
    "custom/rsa_pss_cert_invalid_mgf.der",
    "custom/rsa_pss_cert_no_sig_params.der",
    "custom/rsa_pss_cert_unsupported_mgf_hash.der",
    "v1_cert.pem",  # inner md5WithRSAEncryption, outer md5: mismatched too
    # RFC 7468 §5.1 knows "X509 CERTIFICATE" only as a legacy label; we read "CERTIFICATE" only.
    "cryptography.io.old_header.pem",
}
WE_ACCEPT = {
    # DSA keys with inherited or NULL parameters: we parse the SPKI as an unsupported key
    # (public_key None); the validator reports UNSUPPORTED_ALGORITHM.
    "PKITS_data/certs/DSAParametersInheritedCACert.crt",
    "PKITS_data/certs/ValidDSAParameterInheritanceTest5EE.crt",
    "custom/dsa_null_alg_params.pem",
    # Extensions we do not decode (SCTs, policies, name constraints, IAN, inhibitAnyPolicy),
    # which cryptography rejects lazily on access.
    "badssl-sct-anonymous-sig.der",
    "badssl-sct-none-hash.der",
    "custom/cp_invalid.pem",
    "custom/cp_invalid2.der",
    "custom/inhibit_any_policy_negative.pem",
    "custom/invalid-sct-length.der",
    "custom/invalid-sct-version.der",
    "custom/malformed-ian.pem",
    "custom/nc_invalid_ip4_netmask.der",
    "custom/nc_invalid_ip_netmask.pem",
    "custom/nc_ip_invalid_length.pem",
    # Public key algorithms neither implements: we keep the SPKI, cryptography raises on access.
    "custom/unsupported_subject_public_key_info.pem",
    "e-trust.ru.der",
    # x400Address / ediPartyName SAN entries are kept raw by us, unsupported by cryptography.
    "san_edipartyname.der",
    "san_x400address.der",
    # A name attribute whose value is not a string: we keep it (shown as "#hex", RFC 4514 §2.4).
    "custom/name_attribute_unsupported_tag.pem",
    # basicConstraints cA FALSE with a pathLen: a CA-profile violation, harmless for parsing.
    "wosign-bc-invalid.pem",
}


def _corpus() -> list[str]:
    paths = []
    for pattern in ("*.pem", "*.der", "custom/*.pem", "custom/*.der", "custom/ca/*.pem", "ed*/*.pem"):
        paths += sorted(VECTORS.glob(pattern))
    paths += sorted((VECTORS / "PKITS_data" / "certs").glob("*.crt"))
    selected = []
    for path in paths:
        data = path.read_bytes()
        if b"PRIVATE KEY" in data or b"X509 CRL" in data or b"CERTIFICATE REQUEST" in data:
            continue
        if path.name.startswith(("crl_", "invalid_signature_crl", "valid_signature_crl")):
            continue
        selected.append(str(path.relative_to(VECTORS)))
    return selected


CORPUS = _corpus()


def _oracle(data: bytes, pem: bool) -> list[object] | None:
    """cryptography's certificates, fully accessed, or None if it rejects any part."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = x509.load_pem_x509_certificates(data) if pem else [x509.load_der_x509_certificate(data)]
            for certificate in loaded:
                certificate.subject, certificate.issuer, certificate.signature_algorithm_oid  # noqa: B018
                certificate.public_key()
                list(certificate.extensions)
    except Exception:
        return None
    return list(loaded)


def _ours(data: bytes, pem: bool) -> list[Certificate] | None:
    try:
        return load_pem_certificates(data) if pem else [load_der_certificate(data)]
    except DecodeError:
        return None


def test_corpus_is_large() -> None:
    assert len(CORPUS) > 400


@pytest.mark.filterwarnings("ignore:Parsed a serial number")
@pytest.mark.parametrize("relative", CORPUS)
def test_parse_agrees_with_cryptography(relative: str) -> None:
    data = (VECTORS / relative).read_bytes()
    pem = b"-----BEGIN" in data
    theirs = _oracle(data, pem)
    ours = _ours(data, pem)
    if relative in WE_REJECT:
        assert theirs is not None and ours is None
        return
    if relative in WE_ACCEPT:
        assert theirs is None and ours is not None
        return
    assert (ours is None) == (theirs is None)
    if ours is None or theirs is None:
        return
    assert len(ours) == len(theirs)
    for mine, oracle in zip(ours, theirs, strict=True):
        _compare(mine, oracle)


def _compare(mine: Certificate, oracle: object) -> None:
    assert isinstance(oracle, x509.Certificate)
    assert mine.der == oracle.public_bytes(serialization.Encoding.DER)
    assert mine.tbs_der == oracle.tbs_certificate_bytes
    assert mine.serial == oracle.serial_number
    assert mine.version == oracle.version.value + 1
    assert mine.signature == oracle.signature
    assert mine.signature_algorithm_oid == oracle.signature_algorithm_oid.dotted_string
    assert mine.not_before == oracle.not_valid_before_utc
    assert mine.not_after == oracle.not_valid_after_utc
    if all(attribute.value is not None for attribute in (*mine.subject, *mine.issuer)):  # see test below
        assert mine.subject.rfc4514_string() == oracle.subject.rfc4514_string()
        assert mine.issuer.rfc4514_string() == oracle.issuer.rfc4514_string()
    assert mine.subject.der == oracle.subject.public_bytes()
    assert mine.issuer.der == oracle.issuer.public_bytes()
    spki = oracle.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if mine.public_key is not None:
        # cryptography re-encodes (e.g. RSA-PSS keys as rsaEncryption); compare the key itself.
        from ratscore.crypto.encoding import public_key_from_spki

        assert public_key_from_spki(spki) == mine.public_key
    extensions = {extension.oid.dotted_string: extension for extension in oracle.extensions}
    assert set(mine.extensions) == set(extensions)
    for oid, extension in extensions.items():
        assert mine.extensions[oid].critical == extension.critical
    _compare_decoded(mine, extensions)


def _compare_decoded(mine: Certificate, extensions: dict[str, object]) -> None:
    if "2.5.29.19" in extensions:
        value = extensions["2.5.29.19"].value  # type: ignore[attr-defined]
        assert mine.basic_constraints is not None
        assert (mine.basic_constraints.ca, mine.basic_constraints.path_length) == (value.ca, value.path_length)
    if "2.5.29.15" in extensions:
        value = extensions["2.5.29.15"].value  # type: ignore[attr-defined]
        assert mine.key_usage is not None
        assert (KeyUsage.DIGITAL_SIGNATURE in mine.key_usage) == value.digital_signature
        assert (KeyUsage.KEY_CERT_SIGN in mine.key_usage) == value.key_cert_sign
        assert (KeyUsage.KEY_AGREEMENT in mine.key_usage) == value.key_agreement
        if value.key_agreement:
            assert (KeyUsage.DECIPHER_ONLY in mine.key_usage) == value.decipher_only
    if "2.5.29.37" in extensions:
        value = extensions["2.5.29.37"].value  # type: ignore[attr-defined]
        assert mine.extended_key_usage == tuple(oid.dotted_string for oid in value)
    if "2.5.29.17" in extensions:
        value = extensions["2.5.29.17"].value  # type: ignore[attr-defined]
        assert mine.subject_alt_name is not None
        assert list(mine.subject_alt_name.dns_names) == value.get_values_for_type(x509.DNSName)
        assert list(mine.subject_alt_name.ip_addresses) == [
            address
            for address in value.get_values_for_type(x509.IPAddress)
            if not isinstance(address, ipaddress._BaseNetwork)
        ]
    if "2.5.29.14" in extensions:
        assert mine.subject_key_identifier == extensions["2.5.29.14"].value.digest  # type: ignore[attr-defined]
    if "2.5.29.35" in extensions:
        value = extensions["2.5.29.35"].value  # type: ignore[attr-defined]
        assert mine.authority_key_identifier is not None
        assert mine.authority_key_identifier.key_identifier == value.key_identifier


# ---------------------------------------------------------------------------
# Specific certificates


def _load(relative: str) -> Certificate:
    data = (VECTORS / relative).read_bytes()
    return load_pem_certificates(data)[0] if b"-----BEGIN" in data else load_der_certificate(data)


def test_rfc8410_example_encodes_a_default() -> None:
    # RFC 8410 §10.2's example certificate writes keyUsage's critical FALSE explicitly, which
    # DER forbids (X.690 §11.5); cryptography refuses it too (EncodedDefault).
    with pytest.raises(DecodeError, match="critical FALSE"):
        _load("ed25519/ed25519-rfc8410.pem")


def test_ed25519_certificate() -> None:
    certificate = _load("ed25519/root-ed25519.pem")
    assert certificate.signature_algorithm is not None
    assert certificate.signature_algorithm.label == "Ed25519"
    assert certificate.public_key is not None
    assert certificate.public_key.key_type.label == "Ed25519"


def test_non_string_attribute_is_shown_as_its_whole_encoding() -> None:
    # RFC 4514 §2.4: "#" and the hex of the value's BER encoding, tag and length included.
    # (cryptography prints only the content octets, so this one is checked here, not against it.)
    certificate = _load("scottishpower-bitstring-dn.pem")
    assert certificate.subject.rfc4514_string() == "2.5.4.45=#03090070b3d51f305f0001,OU=02,CN=ScottishPower"


def test_rsa_pss_signature_parameters() -> None:
    certificate = _load("custom/rsa_pss_cert.pem")
    assert certificate.signature_algorithm is not None
    assert certificate.signature_algorithm.label == "RSA-PSS-SHA256"


def test_chain_in_one_pem() -> None:
    chain = load_pem_certificates((VECTORS / "cryptography.io.chain.pem").read_bytes())
    assert len(chain) == 2
    assert chain[0].issuer.der == chain[1].subject.der


def test_pem_with_garbage_around_blocks() -> None:
    assert len(load_pem_certificates((VECTORS / "cryptography.io.chain_with_garbage.pem").read_bytes())) == 2


def test_negative_serial_is_kept() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = x509.load_pem_x509_certificate((VECTORS / "custom/negative_serial.pem").read_bytes()).serial_number
    assert expected < 0
    assert _load("custom/negative_serial.pem").serial == expected


def test_duplicate_extension_rejected() -> None:
    with pytest.raises(DecodeError, match="duplicate extension"):
        _load("custom/two_basic_constraints.pem")


def test_no_pem_block() -> None:
    with pytest.raises(DecodeError):
        load_pem_certificates("no certificates here")


# ---------------------------------------------------------------------------
# Validity encodings, RFC 5280 §4.1.2.5 (built by re-encoding a real certificate's TBS)


def _with_validity(not_before: bytes, not_after: bytes) -> bytes:
    """A certificate whose Validity is replaced (signature no longer verifies; parsing does not care)."""
    original = (VECTORS / "custom/post2000utctime.pem").read_bytes()
    certificate = load_pem_certificates(original)[0]
    reader = der.DerReader(certificate.tbs_der)
    fields = der.DerReader(reader.read(der.TAG_SEQUENCE))
    parts = []
    while not fields.at_end:
        parts.append(fields.read_element()[2])
    validity_index = 4 if parts[0][0] == 0xA0 else 3
    parts[validity_index] = der.encode_sequence(not_before, not_after)
    tbs = der.encode_sequence(*parts)
    outer = der.DerReader(der.read_single(certificate.der, der.TAG_SEQUENCE))
    outer.read_element()
    rest = [outer.read_element()[2], outer.read_element()[2]]
    return der.encode_sequence(tbs, *rest)


def _utc(text: bytes) -> bytes:
    return der.encode_tlv(0x17, text)


def _generalized(text: bytes) -> bytes:
    return der.encode_tlv(0x18, text)


def test_utc_time_century_rule() -> None:
    # §4.1.2.5.1: YY >= 50 means 19YY, YY < 50 means 20YY.
    certificate = load_der_certificate(_with_validity(_utc(b"500101000000Z"), _utc(b"491231235959Z")))
    assert certificate.not_before == datetime.datetime(1950, 1, 1, tzinfo=datetime.UTC)
    assert certificate.not_after == datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)


def test_generalized_time() -> None:
    certificate = load_der_certificate(_with_validity(_utc(b"200101000000Z"), _generalized(b"20500101000000Z")))
    assert certificate.not_after == datetime.datetime(2050, 1, 1, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "bad_time",
    [
        _utc(b"2001010000Z"),  # seconds missing
        _utc(b"200101000000"),  # no Z
        _utc(b"200101000000+0100"),  # offset instead of Z
        _utc(b"201301000000Z"),  # month 13
        _utc(b"20010100000aZ"),  # non-digit
        _utc(b"2001010000 0Z"),
        _generalized(b"20200101000000.5Z"),  # fractional seconds
        _generalized(b"202001010000Z"),
        der.encode_tlv(0x04, b"200101000000Z"),  # wrong type
    ],
)
def test_bad_validity_times(bad_time: bytes) -> None:
    with pytest.raises(DecodeError):
        load_der_certificate(_with_validity(bad_time, _utc(b"300101000000Z")))


# ---------------------------------------------------------------------------
# Malformed input never escapes as anything but DecodeError


def test_truncated_and_trailing() -> None:
    data = _load("custom/post2000utctime.pem").der
    for length in range(0, len(data), 7):
        with pytest.raises(DecodeError):
            load_der_certificate(data[:length])
    with pytest.raises(DecodeError):
        load_der_certificate(data + b"\x00")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_decode_error(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        load_der_certificate(data)


SEED = _load("custom/san_email_dns_ip_dirname_uri.pem").der


@settings(max_examples=400, deadline=None)
@given(st.integers(0, len(SEED) - 1), st.integers(0, 255))
def test_mutated_certificate_raises_only_decode_error(position: int, value: int) -> None:
    mutated = bytearray(SEED)
    mutated[position] = value
    with contextlib.suppress(DecodeError):
        load_der_certificate(bytes(mutated))
