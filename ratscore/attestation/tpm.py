"""TPM 2.0 attester (TPM2_Quote through tpm2-tools) and our own quote verification.

Theory of operation
-------------------
*Attester.*  ``TpmAttester.provision`` creates an endorsement key and, under it, an
attestation key (AK) inside the TPM with ``tpm2_createek`` / ``tpm2_createak``
(ECC P-256 with ECDSA-SHA256 by default, or RSA with RSASSA/RSAPSS).  ``evidence``
runs ``tpm2_quote`` over the configured PCR selection with the binder as
``qualifyingData`` and packages the result.  The TCTI comes from the configuration:
``swtpm:host=127.0.0.1,port=P`` for swtpm, ``device:/dev/tpmrm0`` for a real TPM.
Without a resource manager every command that loads an object leaves it loaded,
so ``tpm2_flushcontext -t`` runs after each of them (harmless with /dev/tpmrm0).

*The binder as qualifyingData.*  TPM2B_DATA holds at most ``sizeof(TPMT_HA)``
bytes (Part 2 §10.4.3): 2 + the largest digest the TPM implements, which differs
between TPMs.  The portable bound is the digest size of the AK's signing hash, so
a binder up to that length is used as is and a longer one is replaced by its hash
under that algorithm (``qualifying_data``); the verifier applies the same rule.

*Evidence format.*  A CMW collection (RFC 9999 §3.3) whose ``__cmwc_t`` is
``TPM_COLLECTION_TYPE``, with four records (all ``ind`` = Evidence):

=============  ==========================================================  =======
label          media type                                                  content
=============  ==========================================================  =======
``attest``     ``application/vnd.attested-stack.tpms-attest``              marshalled TPMS_ATTEST
``signature``  ``application/vnd.attested-stack.tpmt-signature``           marshalled TPMT_SIGNATURE
``pcrs``       ``application/vnd.attested-stack.tpm-pcr-values+cbor``      ``{alg-id: {pcr: bstr}}``
``ak``         ``application/vnd.attested-stack.spki``                     AK public key, DER SPKI
=============  ==========================================================  =======

No registered media types exist for these TPM structures; the vendor-tree names
say exactly which structure each record holds.  The collection as a whole has the
media type ``application/cmw+cbor; cmwc_t="tag:attested-stack.dev,2026:tpm2-quote"``
(RFC 9999 §10.5 ``cmwc_t`` parameter).

*Verifier.*  ``verify_quote`` parses both structures (``tpm_structures``),
requires the AK to be one of the trusted keys, verifies the signature over the
TPMS_ATTEST bytes through the crypto provider (ECDSA as raw ``r || s``; the hash
named in the signature), checks ``extraData`` against the binder, the PCR
selection against the expected one, and ``pcrDigest`` against the hash of the
packaged PCR values concatenated in selection order (Part 3 §18.4 TPM2_Quote).
``check_pcrs`` then compares values with reference values.  The AK is trusted
because the policy lists it (enrolment happens out of band); the quote's
``qualifiedSigner`` is not checked, since the AK's TPMT_PUBLIC is not carried.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from ratscore import cbor
from ratscore.crypto import CryptoProvider, resolve_provider
from ratscore.crypto.encoding import pem_decode, public_key_from_spki
from ratscore.crypto.types import EcdsaEncoding, HashAlgorithm, KeyType, PublicKey, SignatureAlgorithm
from ratscore.errors import CryptoError, DecodeError, LocalProtocolError, UnsupportedAlgorithm

from .cmw import Cmw, CmwCollection, CmwRecord, Indicator
from .ear import TrustCategory, TrustTier
from .errors import (
    AttestationError,
    BadSignature,
    MalformedEvidence,
    MeasurementMismatch,
    StaleNonce,
    UnknownMediaType,
    UntrustedKey,
)
from .media import CMW_CBOR, MediaType
from .protocols import AttestationResult, ClaimFailure, NonceStore, epoch_seconds
from .tpm_structures import (
    DIGEST_SIZES,
    PcrSelection,
    TpmAlgorithm,
    TpmsAttest,
    TpmtSignature,
    parse_attest,
    parse_signature,
)

__all__ = [
    "AK_MEDIA_TYPE",
    "ATTEST_MEDIA_TYPE",
    "PCRS_MEDIA_TYPE",
    "SIGNATURE_MEDIA_TYPE",
    "TPM_COLLECTION_TYPE",
    "TPM_MEDIA_TYPE",
    "PcrDigestMismatch",
    "PcrSelectionMismatch",
    "TpmAttester",
    "TpmCommandError",
    "TpmConfig",
    "TpmQuoteEvidence",
    "TpmUnavailable",
    "VerifiedQuote",
    "appraise",
    "check_pcrs",
    "parse_selection",
    "qualifying_data",
    "verify_quote",
]

TPM_COLLECTION_TYPE: Final = "tag:attested-stack.dev,2026:tpm2-quote"
TPM_MEDIA_TYPE: Final = str(MediaType(CMW_CBOR, {"cmwc_t": TPM_COLLECTION_TYPE}))
ATTEST_MEDIA_TYPE: Final = "application/vnd.attested-stack.tpms-attest"
SIGNATURE_MEDIA_TYPE: Final = "application/vnd.attested-stack.tpmt-signature"
PCRS_MEDIA_TYPE: Final = "application/vnd.attested-stack.tpm-pcr-values+cbor"
AK_MEDIA_TYPE: Final = "application/vnd.attested-stack.spki"
_ENTRIES: Final = {
    "attest": ATTEST_MEDIA_TYPE,
    "signature": SIGNATURE_MEDIA_TYPE,
    "pcrs": PCRS_MEDIA_TYPE,
    "ak": AK_MEDIA_TYPE,
}
_HASHES: Final[Mapping[int, HashAlgorithm]] = {
    TpmAlgorithm.SHA256: HashAlgorithm.SHA256,
    TpmAlgorithm.SHA384: HashAlgorithm.SHA384,
    TpmAlgorithm.SHA512: HashAlgorithm.SHA512,
}
_ECDSA: Final = {
    HashAlgorithm.SHA256: SignatureAlgorithm.ECDSA_SHA256,
    HashAlgorithm.SHA384: SignatureAlgorithm.ECDSA_SHA384,
    HashAlgorithm.SHA512: SignatureAlgorithm.ECDSA_SHA512,
}
_RSASSA: Final = {
    HashAlgorithm.SHA256: SignatureAlgorithm.RSA_PKCS1_SHA256,
    HashAlgorithm.SHA384: SignatureAlgorithm.RSA_PKCS1_SHA384,
    HashAlgorithm.SHA512: SignatureAlgorithm.RSA_PKCS1_SHA512,
}
_RSAPSS: Final = {
    HashAlgorithm.SHA256: SignatureAlgorithm.RSA_PSS_SHA256,
    HashAlgorithm.SHA384: SignatureAlgorithm.RSA_PSS_SHA384,
    HashAlgorithm.SHA512: SignatureAlgorithm.RSA_PSS_SHA512,
}
_BANK_NAMES: Final = {"sha1": TpmAlgorithm.SHA1, "sha256": TpmAlgorithm.SHA256, "sha384": TpmAlgorithm.SHA384,
                      "sha512": TpmAlgorithm.SHA512, "sm3_256": TpmAlgorithm.SM3_256}  # fmt: skip


class PcrSelectionMismatch(AttestationError):
    """The quote covers other PCRs (or banks) than the verifier expects."""


class PcrDigestMismatch(AttestationError):
    """The packaged PCR values do not hash to the quote's signed ``pcrDigest``."""


class TpmCommandError(LocalProtocolError):
    """A tpm2-tools command failed (its stderr is in the message)."""


class TpmUnavailable(TpmCommandError):
    """tpm2-tools is not installed or the TPM cannot be reached."""


# ---------------------------------------------------------------------------
# Selections and the binder
# ---------------------------------------------------------------------------


def parse_selection(text: str) -> tuple[PcrSelection, ...]:
    """A tpm2-tools PCR list such as ``sha256:0,1,2,3+sha1:7`` as PCR selections."""
    selections = []
    for bank in text.split("+"):
        name, _, indices = bank.partition(":")
        algorithm = _BANK_NAMES.get(name.strip().lower())
        if algorithm is None or not indices:
            raise LocalProtocolError(f"PCR selection {bank!r} is not <bank>:<index,...> with a known bank")
        try:
            pcrs = sorted({int(index) for index in indices.split(",")})
        except ValueError:
            raise LocalProtocolError(f"PCR selection {bank!r} has a non-numeric index") from None
        if pcrs[0] < 0 or pcrs[-1] > 255:
            raise LocalProtocolError(f"PCR indices in {bank!r} must be 0..255")
        selections.append(PcrSelection(hash_algorithm=algorithm, pcrs=tuple(pcrs)))
    return tuple(selections)


def _selection_text(selections: Sequence[PcrSelection]) -> str:
    return "+".join(str(selection) for selection in selections)


def _normal_selection(selections: Sequence[PcrSelection]) -> dict[int, frozenset[int]]:
    result: dict[int, frozenset[int]] = {}
    for selection in selections:
        result[selection.hash_algorithm] = result.get(selection.hash_algorithm, frozenset()) | set(selection.pcrs)
    return {bank: pcrs for bank, pcrs in result.items() if pcrs}


def _hash_of(algorithm: int) -> HashAlgorithm:
    hash_algorithm = _HASHES.get(algorithm)
    if hash_algorithm is None:
        raise BadSignature(f"quote hash {TpmAlgorithm.name_of(algorithm)} is not acceptable", claim="hash")
    return hash_algorithm


def qualifying_data(binder: bytes, hash_algorithm: HashAlgorithm, crypto: CryptoProvider | str | None = None) -> bytes:
    """The quote's qualifyingData for ``binder``: the binder, or its hash when longer than a digest."""
    if len(binder) <= hash_algorithm.digest_size:
        return bytes(binder)
    return resolve_provider(crypto).hash(hash_algorithm, bytes(binder))


# ---------------------------------------------------------------------------
# Evidence packaging
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TpmQuoteEvidence:
    """The parts of a quote as carried in the CMW collection (see module doc)."""

    attest: bytes
    signature: bytes
    pcr_values: Mapping[tuple[int, int], bytes]
    """(TPM_ALG_ID of the bank, PCR index) -> value."""
    ak_spki: bytes

    def to_cmw(self) -> CmwCollection:
        banks: dict[int, dict[int, bytes]] = {}
        for (bank, index), value in self.pcr_values.items():
            banks.setdefault(bank, {})[index] = value
        contents = {"attest": self.attest, "signature": self.signature, "pcrs": cbor.encode(banks), "ak": self.ak_spki}
        entries: dict[str | int, Cmw] = {
            label: CmwRecord(type=_ENTRIES[label], value=value, indicator=Indicator.EVIDENCE)
            for label, value in contents.items()
        }
        return CmwCollection(entries=entries, collection_type=TPM_COLLECTION_TYPE)

    @classmethod
    def from_cmw(cls, evidence: Cmw) -> TpmQuoteEvidence:
        if not isinstance(evidence, CmwCollection) or evidence.collection_type != TPM_COLLECTION_TYPE:
            raise UnknownMediaType(f"TPM evidence is a CMW collection of type {TPM_COLLECTION_TYPE}")
        values: dict[str, bytes] = {}
        for label, media_type in _ENTRIES.items():
            entry = evidence.entries.get(label)
            if not isinstance(entry, CmwRecord):
                raise MalformedEvidence(f"TPM evidence has no {label!r} record", claim=label)
            if not isinstance(entry.type, str) or MediaType.parse(entry.type).essence != media_type:
                raise UnknownMediaType(f"TPM evidence record {label!r} is not {media_type}", claim=label)
            values[label] = entry.value
        if set(evidence.entries) != set(_ENTRIES):
            raise MalformedEvidence("TPM evidence has unexpected entries", claim="cmw")
        return cls(
            attest=values["attest"],
            signature=values["signature"],
            pcr_values=_decode_pcr_values(values["pcrs"]),
            ak_spki=values["ak"],
        )


def _decode_pcr_values(data: bytes) -> dict[tuple[int, int], bytes]:
    try:
        banks: Any = cbor.decode(data, strict=False, max_depth=4)
    except DecodeError as exc:
        raise MalformedEvidence(f"PCR values are not CBOR: {exc}", claim="pcrs") from None
    if not isinstance(banks, dict):
        raise MalformedEvidence("PCR values must be a map of banks", claim="pcrs")
    values: dict[tuple[int, int], bytes] = {}
    for bank, pcrs in banks.items():
        if type(bank) is not int or not isinstance(pcrs, dict):
            raise MalformedEvidence("PCR values are {alg-id: {index: bstr}}", claim="pcrs")
        for index, value in pcrs.items():
            if type(index) is not int or not 0 <= index <= 255 or type(value) is not bytes:
                raise MalformedEvidence("PCR values are {alg-id: {index: bstr}}", claim="pcrs")
            values[(bank, index)] = value
    return values


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedQuote:
    """A quote whose signature, binder, selection and PCR digest all checked out."""

    attest: TpmsAttest
    ak: PublicKey
    pcr_values: Mapping[tuple[int, int], bytes]


def _load_ak(spki: bytes) -> PublicKey:
    try:
        return public_key_from_spki(spki)
    except (DecodeError, CryptoError) as exc:
        raise MalformedEvidence(f"AK public key is not a usable SubjectPublicKeyInfo: {exc}", claim="ak") from None


def _verify_signature(signature: TpmtSignature, attest: bytes, ak: PublicKey, crypto: CryptoProvider) -> HashAlgorithm:
    hash_algorithm = _hash_of(signature.hash_algorithm)
    encoding = EcdsaEncoding.DER
    if signature.signature_algorithm is TpmAlgorithm.ECDSA and ak.key_type.is_ec:
        size = ak.key_type.size
        if len(signature.ecdsa_r) > size or len(signature.ecdsa_s) > size:
            raise BadSignature("ECDSA r or s is longer than the curve order", claim="signature")
        # TPM2B_ECC_PARAMETER may drop leading zeros; raw form is fixed-width r || s.
        raw = signature.ecdsa_r.rjust(size, b"\0") + signature.ecdsa_s.rjust(size, b"\0")
        algorithm, encoding = _ECDSA[hash_algorithm], EcdsaEncoding.RAW
    elif signature.signature_algorithm is TpmAlgorithm.RSASSA and ak.key_type is KeyType.RSA:
        raw, algorithm = signature.rsa_signature, _RSASSA[hash_algorithm]
    elif signature.signature_algorithm is TpmAlgorithm.RSAPSS and ak.key_type is KeyType.RSA:
        # Part 1 §B.7 / libtpms: the salt is as long as the digest when the key allows it.
        raw, algorithm = signature.rsa_signature, _RSAPSS[hash_algorithm]
    else:
        raise BadSignature(
            f"{signature.signature_algorithm.name} signature does not fit a {ak.key_type.label} AK", claim="sigAlg"
        )
    try:
        crypto.verify(ak, raw, attest, algorithm, encoding=encoding)
    except (CryptoError, UnsupportedAlgorithm):
        raise BadSignature("TPM quote signature did not verify", claim="signature") from None
    return hash_algorithm


def verify_quote(
    evidence: Cmw | TpmQuoteEvidence,
    *,
    binder: bytes,
    trusted_aks: Sequence[PublicKey],
    expected_selection: Sequence[PcrSelection] | None = None,
    crypto: CryptoProvider | str | None = None,
) -> VerifiedQuote:
    """Check a quote completely except against reference values; raise the failing check's error."""
    provider = resolve_provider(crypto)
    quote = evidence if isinstance(evidence, TpmQuoteEvidence) else TpmQuoteEvidence.from_cmw(evidence)
    attest = parse_attest(quote.attest)
    signature = parse_signature(quote.signature)
    ak = _load_ak(quote.ak_spki)
    if ak not in trusted_aks:
        raise UntrustedKey("the quote's attestation key is not trusted", claim="ak")
    hash_algorithm = _verify_signature(signature, quote.attest, ak, provider)
    # Part 3 §18.4: qualifyingData is copied into extraData of the signed TPMS_ATTEST.
    if attest.extra_data != qualifying_data(binder, hash_algorithm, provider):
        raise StaleNonce("the quote's extraData is not the binder", claim="extraData")
    if expected_selection is not None and _normal_selection(attest.pcr_selections) != _normal_selection(
        expected_selection
    ):
        raise PcrSelectionMismatch(
            f"quote covers {_selection_text(attest.pcr_selections)}, expected {_selection_text(expected_selection)}",
            claim="pcrSelect",
        )
    # Part 3 §18.4 / Part 1 §17.5: pcrDigest = H_sign(PCR values concatenated in selection order).
    concatenation = bytearray()
    quoted: set[tuple[int, int]] = set()
    for selection in attest.pcr_selections:
        size = DIGEST_SIZES.get(selection.hash_algorithm)
        for index in selection.pcrs:
            value = quote.pcr_values.get((selection.hash_algorithm, index))
            if value is None or (size is not None and len(value) != size):
                raise MalformedEvidence(
                    f"no valid value for quoted PCR {selection.hash_algorithm}:{index}", claim="pcrs"
                )
            concatenation += value
            quoted.add((selection.hash_algorithm, index))
    if set(quote.pcr_values) != quoted:
        raise MalformedEvidence("PCR values are packaged for PCRs the quote does not cover", claim="pcrs")
    if provider.hash(hash_algorithm, bytes(concatenation)) != attest.pcr_digest:
        raise PcrDigestMismatch("PCR values do not match the quote's pcrDigest", claim="pcrDigest")
    return VerifiedQuote(attest=attest, ak=ak, pcr_values=dict(quote.pcr_values))


def check_pcrs(verified: VerifiedQuote, reference: Mapping[tuple[int, int], bytes]) -> list[MeasurementMismatch]:
    """Compare quoted PCR values with reference values ((bank, index) -> value)."""
    problems = []
    for (bank, index), expected in reference.items():
        claim = f"pcr:{TpmAlgorithm.name_of(bank)}:{index}"
        value = verified.pcr_values.get((bank, index))
        if value is None:
            problems.append(MeasurementMismatch(f"{claim} has a reference value but was not quoted", claim=claim))
        elif value != expected:
            problems.append(MeasurementMismatch(f"{claim} differs from its reference value", claim=claim))
    return problems


def appraise(
    evidence: Cmw | TpmQuoteEvidence,
    *,
    binder: bytes,
    now: int | datetime,
    trusted_aks: Sequence[PublicKey],
    expected_selection: Sequence[PcrSelection] | None,
    reference_pcrs: Mapping[tuple[int, int], bytes],
    nonce_store: NonceStore | None = None,
    crypto: CryptoProvider | str | None = None,
) -> AttestationResult:
    """Full appraisal of TPM evidence into a typed result (never raises AttestationError)."""
    try:
        verified = verify_quote(
            evidence, binder=binder, trusted_aks=trusted_aks, expected_selection=expected_selection, crypto=crypto
        )
        if nonce_store is not None:
            nonce_store.consume(bytes(binder), epoch_seconds(now))
    except AttestationError as error:
        identity = 99 if isinstance(error, BadSignature | UntrustedKey) else 97
        return AttestationResult(
            status=TrustTier.CONTRAINDICATED,
            trust_vector={TrustCategory.INSTANCE_IDENTITY: identity},
            failures=(ClaimFailure.of(error),),
            media_type=TPM_MEDIA_TYPE,
        )
    problems = check_pcrs(verified, reference_pcrs)
    # AR4SI: recognized_instance 2; approved_boot 3, contraindicated_runtime 96.
    vector = {TrustCategory.INSTANCE_IDENTITY: 2, TrustCategory.EXECUTABLES: 96 if problems else 3}
    return AttestationResult(
        status=TrustTier.CONTRAINDICATED if problems else TrustTier.AFFIRMING,
        trust_vector=vector,
        failures=tuple(ClaimFailure.of(problem) for problem in problems),
        claims=verified,
        media_type=TPM_MEDIA_TYPE,
    )


# ---------------------------------------------------------------------------
# Attester: tpm2-tools driver
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TpmConfig:
    """Where the TPM is and what to quote.  ``key_algorithm`` is ``ecc`` or ``rsa``;
    ``scheme`` is ``ecdsa``, ``rsassa`` or ``rsapss``."""

    tcti: str
    work_dir: Path
    pcr_selection: str = "sha256:0,1,2,3,4,5,6,7"
    key_algorithm: str = "ecc"
    scheme: str = "ecdsa"
    hash_algorithm: str = "sha256"
    flush_transients: bool = True
    timeout: float = 30.0
    environment: Mapping[str, str] = field(default_factory=dict)


class _Tools:
    def __init__(self, config: TpmConfig) -> None:
        self._config = config

    def run(self, tool: str, *arguments: str, loads_object: bool = False) -> bytes:
        if shutil.which(tool) is None:
            raise TpmUnavailable(f"{tool} is not installed (Debian package tpm2-tools)")
        environment = {**os.environ, **self._config.environment, "TPM2TOOLS_TCTI": self._config.tcti}
        try:
            done = subprocess.run(
                [tool, *arguments],
                capture_output=True,
                env=environment,
                timeout=self._config.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TpmUnavailable(f"{tool} timed out talking to {self._config.tcti}") from None
        # tpm_swtpm_notes.md pitfall 1: without a resource manager transient objects stay loaded.
        if loads_object and self._config.flush_transients:
            subprocess.run(
                ["tpm2_flushcontext", "-t"],
                check=False,
                capture_output=True,
                env=environment,
                timeout=self._config.timeout,
            )
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[-400:]
            raise TpmCommandError(f"{tool} failed ({done.returncode}): {message}")
        return done.stdout


class TpmAttester:
    """Evidence from TPM2_Quote signed by an AK held in the TPM (see module doc)."""

    def __init__(self, config: TpmConfig, *, ak_context: str, ak_spki: bytes) -> None:
        self.config = config
        self.ak_context = ak_context
        self.ak_spki = ak_spki
        self.selection = parse_selection(config.pcr_selection)
        self._tools = _Tools(config)

    @classmethod
    def provision(cls, config: TpmConfig) -> TpmAttester:
        """Create the EK and an AK under it (tpm_swtpm_notes.md sequence); keep their contexts in ``work_dir``."""
        tools = _Tools(config)
        work = config.work_dir
        work.mkdir(parents=True, exist_ok=True)
        tools.run("tpm2_createek", "-c", str(work / "ek.ctx"), "-G", config.key_algorithm,
                  "-u", str(work / "ek.pub"), loads_object=True)  # fmt: skip
        tools.run("tpm2_createak", "-C", str(work / "ek.ctx"), "-c", str(work / "ak.ctx"),
                  "-G", config.key_algorithm, "-g", config.hash_algorithm, "-s", config.scheme,
                  "-u", str(work / "ak.pem"), "-f", "pem", "-n", str(work / "ak.name"), loads_object=True)  # fmt: skip
        spki = pem_decode((work / "ak.pem").read_bytes(), "PUBLIC KEY")[1]
        return cls(config, ak_context=str(work / "ak.ctx"), ak_spki=spki)

    @property
    def media_type(self) -> str:
        return TPM_MEDIA_TYPE

    @property
    def ak_public_key(self) -> PublicKey:
        return public_key_from_spki(self.ak_spki)

    def quote(self, binder: bytes) -> TpmQuoteEvidence:
        """Run TPM2_Quote for ``binder``; the parts as bytes."""
        hash_algorithm = _hash_of(_BANK_NAMES.get(self.config.hash_algorithm, 0))
        with tempfile.TemporaryDirectory(prefix="ratscore-quote-") as scratch:
            directory = Path(scratch)
            self._tools.run(
                "tpm2_quote", "-c", self.ak_context, "-l", _selection_text(self.selection),
                "-q", qualifying_data(binder, hash_algorithm).hex(), "-g", self.config.hash_algorithm,
                "--scheme", self.config.scheme, "-m", str(directory / "attest"), "-s", str(directory / "sig"),
                "-o", str(directory / "pcrs"), "-F", "values", loads_object=True,
            )  # fmt: skip
            attest = (directory / "attest").read_bytes()
            signature = (directory / "sig").read_bytes()
            raw_values = (directory / "pcrs").read_bytes()
        # The TPM reports what it actually quoted (an unallocated bank comes back empty):
        # split the values by the returned selection, in selection order.
        values: dict[tuple[int, int], bytes] = {}
        offset = 0
        for selection in parse_attest(attest).pcr_selections:
            size = DIGEST_SIZES.get(selection.hash_algorithm)
            if size is None:
                raise TpmCommandError(f"the TPM quoted an unknown bank {selection.hash_algorithm:#x}")
            for index in selection.pcrs:
                values[(selection.hash_algorithm, index)] = raw_values[offset : offset + size]
                offset += size
        if offset != len(raw_values):
            raise TpmCommandError("tpm2_quote returned PCR values that do not match the quoted selection")
        return TpmQuoteEvidence(attest=attest, signature=signature, pcr_values=values, ak_spki=self.ak_spki)

    def evidence(self, binder: bytes) -> Cmw:
        return self.quote(binder).to_cmw()

    def read_pcrs(self) -> dict[tuple[int, int], bytes]:
        """Current values of the configured PCRs (for provisioning reference values)."""
        return dict(self.quote(b"\0" * 8).pcr_values)
