"""configfs-tsm attester (Linux TSM reports: Intel TDX, AMD SEV-SNP, Arm CCA) and its
structural appraisal.

Theory of operation
-------------------
The kernel ABI (Documentation/ABI/testing/configfs-tsm-report, Linux ≥ 6.7) exposes
``/sys/kernel/config/tsm/report/<name>/`` once a directory is made there:

* ``inblob`` (write-only): up to 64 bytes of user data, the report data;
* ``outblob`` (read-only): the report, in the format ``provider`` names;
* ``auxblob`` (read-only, optional): supplemental data (e.g. the SEV-SNP certificate table);
* ``provider`` (read-only): ``tdx_guest``, ``sev_guest``, ``arm_cca_guest``, ...;
* ``generation`` (read-only): incremented on every write to ``inblob`` or an option.
  The ABI tells user space to detect concurrent writers by comparing it before the
  write and after reading ``outblob``; ``TsmAttester`` requires exactly one increment
  for its own write and none while it reads, else ``TsmGenerationRace``.

*The binder as report data.*  Report data is 64 bytes (TDX REPORTDATA, SNP
REPORT_DATA, CCA realm challenge).  A binder of up to 64 bytes is written
zero-padded to 64 (the Trustee/KBS convention, ``regularize_data``); a longer one is
replaced by its SHA-512 digest (``report_data``).  Binders come in fixed lengths per
protocol, so padding is unambiguous in use.

*Evidence format.*  A CMW collection with ``__cmwc_t`` = ``TSM_COLLECTION_TYPE``:
``outblob`` a record whose media type depends on the provider, and ``auxblob``
(``application/vnd.attested-stack.tsm-auxblob``) when the kernel returned one.
There are no IANA registrations for the raw TDX quote or SNP report, so:

* ``tdx_guest`` → ``application/vnd.intel.tdx-quote`` (Intel TDX DCAP quote v4/v5);
* ``sev_guest`` → ``application/vnd.amd.sev-snp-report`` (SNP ABI ATTESTATION_REPORT);
* ``arm_cca_guest`` → ``application/eat-collection; profile="http://arm.com/CCA-SSD/1.0.0"``,
  the type Veraison already accepts for the CCA token;
* anything else → ``application/vnd.attested-stack.tsm-outblob; provider=<name>``.

*Appraisal* (``appraise``) checks only structure and the binder in the report data:
no TDX/SNP/CCA signature chain is verified here (that needs vendor collateral), so
the best result is ``warning`` tier with an ``UnverifiedPlatformEvidence`` entry
saying exactly that.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from ratscore import cbor
from ratscore.cbor import Tag
from ratscore.errors import DecodeError, LocalProtocolError

from .cmw import Cmw, CmwCollection, CmwRecord, Indicator
from .ear import TrustCategory, TrustTier
from .errors import AttestationError, MalformedEvidence, StaleNonce, UnknownMediaType, UnsupportedProfile
from .media import CMW_CBOR, MediaType
from .protocols import AttestationResult, ClaimFailure, NonceStore, epoch_seconds

__all__ = [
    "AUXBLOB_MEDIA_TYPE",
    "GENERIC_OUTBLOB_MEDIA_TYPE",
    "PROVIDER_MEDIA_TYPES",
    "REPORT_DATA_SIZE",
    "TSM_COLLECTION_TYPE",
    "TSM_MEDIA_TYPE",
    "TSM_REPORT_ROOT",
    "TsmAttester",
    "TsmError",
    "TsmFiles",
    "TsmGenerationRace",
    "TsmReport",
    "TsmUnavailable",
    "UnverifiedPlatformEvidence",
    "appraise",
    "extract_report_data",
    "report_data",
]

TSM_REPORT_ROOT: Final = Path("/sys/kernel/config/tsm/report")
TSM_COLLECTION_TYPE: Final = "tag:attested-stack.dev,2026:tsm-report"
TSM_MEDIA_TYPE: Final = str(MediaType(CMW_CBOR, {"cmwc_t": TSM_COLLECTION_TYPE}))
REPORT_DATA_SIZE: Final = 64  # configfs-tsm ABI: inblob holds "up to 64 bytes"
PROVIDER_MEDIA_TYPES: Final = {
    "tdx_guest": "application/vnd.intel.tdx-quote",
    "sev_guest": "application/vnd.amd.sev-snp-report",
    "arm_cca_guest": str(MediaType("application/eat-collection", {"profile": "http://arm.com/CCA-SSD/1.0.0"})),
}
GENERIC_OUTBLOB_MEDIA_TYPE: Final = "application/vnd.attested-stack.tsm-outblob"
AUXBLOB_MEDIA_TYPE: Final = "application/vnd.attested-stack.tsm-auxblob"
_PROVIDER_BY_ESSENCE: Final = {MediaType.parse(text).essence: name for name, text in PROVIDER_MEDIA_TYPES.items()}

# AMD SEV-SNP Firmware ABI (56860) Table 22 ATTESTATION_REPORT: 0x4A0 bytes, REPORT_DATA at 0x50..0x8F.
_SNP_REPORT_SIZE: Final = 0x4A0
_SNP_REPORT_DATA: Final = 0x50
# Intel TDX DCAP Quote (v4 Appendix A.3/A.4): 48-byte header; TD quote body with REPORTDATA at
# body offset 520; v5 inserts a 2-byte body type and 4-byte body size before the body.
_TDX_HEADER: Final = 48
_TDX_REPORT_DATA_IN_BODY: Final = 520
_TDX_TEE_TYPE: Final = 0x00000081
# Arm CCA token: tag 399 collection {44234: platform token, 44241: realm token}; realm challenge key 10.
_CCA_TAG: Final = 399
_CCA_REALM: Final = 44241
_CCA_CHALLENGE: Final = 10
_COSE_SIGN1_TAG: Final = 18


class TsmError(LocalProtocolError):
    """The configfs-tsm interface could not produce a report."""


class TsmUnavailable(TsmError):
    """No configfs-tsm report directory (not a confidential VM, configfs not mounted, kernel < 6.7)."""


class TsmGenerationRace(TsmError):
    """``generation`` moved under us: another writer used the report entry concurrently."""


class UnverifiedPlatformEvidence(AttestationError):
    """Structure and binder check out, but the platform signature was not verified (no vendor collateral)."""


def report_data(binder: bytes) -> bytes:
    """The 64 bytes written to inblob for ``binder`` (see module doc)."""
    if len(binder) <= REPORT_DATA_SIZE:
        return bytes(binder).ljust(REPORT_DATA_SIZE, b"\0")
    return hashlib.sha512(binder).digest()


class TsmFiles:
    """File access to the configfs tree; tests substitute a fake kernel by subclassing."""

    def make_entry(self, path: Path) -> None:
        path.mkdir()  # configfs populates the attributes on mkdir

    def remove_entry(self, path: Path) -> None:
        path.rmdir()

    def read(self, path: Path) -> bytes:
        return path.read_bytes()

    def write(self, path: Path, data: bytes) -> None:
        with path.open("wb", buffering=0) as handle:  # one write(2): configfs takes the blob whole
            handle.write(data)


@dataclass(frozen=True, slots=True, kw_only=True)
class TsmReport:
    """One configfs-tsm report."""

    provider: str
    outblob: bytes
    auxblob: bytes = b""

    @property
    def outblob_media_type(self) -> str:
        known = PROVIDER_MEDIA_TYPES.get(self.provider)
        return known or str(MediaType(GENERIC_OUTBLOB_MEDIA_TYPE, {"provider": self.provider}))

    def to_cmw(self) -> CmwCollection:
        entries: dict[str | int, Cmw] = {
            "outblob": CmwRecord(type=self.outblob_media_type, value=self.outblob, indicator=Indicator.EVIDENCE)
        }
        if self.auxblob:
            entries["auxblob"] = CmwRecord(type=AUXBLOB_MEDIA_TYPE, value=self.auxblob, indicator=Indicator.EVIDENCE)
        return CmwCollection(entries=entries, collection_type=TSM_COLLECTION_TYPE)

    @classmethod
    def from_cmw(cls, evidence: Cmw) -> TsmReport:
        if not isinstance(evidence, CmwCollection) or evidence.collection_type != TSM_COLLECTION_TYPE:
            raise UnknownMediaType(f"TSM evidence is a CMW collection of type {TSM_COLLECTION_TYPE}")
        outblob = evidence.entries.get("outblob")
        if not isinstance(outblob, CmwRecord) or not isinstance(outblob.type, str):
            raise MalformedEvidence("TSM evidence has no outblob record", claim="outblob")
        media_type = MediaType.parse(outblob.type)
        provider = _PROVIDER_BY_ESSENCE.get(media_type.essence)
        if provider is None:
            if media_type.essence != GENERIC_OUTBLOB_MEDIA_TYPE or "provider" not in media_type.parameters:
                raise UnknownMediaType(f"outblob media type {outblob.type!r} is not a TSM report", claim="outblob")
            provider = media_type.parameters["provider"]
        auxblob = evidence.entries.get("auxblob")
        if auxblob is not None and not (isinstance(auxblob, CmwRecord) and auxblob.type == AUXBLOB_MEDIA_TYPE):
            raise MalformedEvidence("TSM auxblob entry is not an auxblob record", claim="auxblob")
        if set(evidence.entries) - {"outblob", "auxblob"}:
            raise MalformedEvidence("TSM evidence has unexpected entries", claim="cmw")
        return cls(provider=provider, outblob=outblob.value, auxblob=auxblob.value if auxblob else b"")


class TsmAttester:
    """Evidence from a configfs-tsm report for a binder (see module doc)."""

    def __init__(self, *, root: Path = TSM_REPORT_ROOT, entry_name: str | None = None, files: TsmFiles | None = None):
        self.root = root
        self.entry_name = entry_name
        self.files = files or TsmFiles()

    @property
    def media_type(self) -> str:
        return TSM_MEDIA_TYPE

    def _generation(self, entry: Path) -> int:
        try:
            return int(self.files.read(entry / "generation").strip())
        except ValueError:
            raise TsmError("generation is not a number") from None

    def report(self, binder: bytes) -> TsmReport:
        if not self.root.is_dir():
            raise TsmUnavailable(f"{self.root} does not exist: no configfs-tsm here (needs Linux ≥ 6.7 in a CVM)")
        name = self.entry_name or f"ratscore-{os.getpid()}-{os.urandom(6).hex()}"
        entry = self.root / name
        created = not entry.exists()
        try:
            if created:
                self.files.make_entry(entry)
            before = self._generation(entry)
            self.files.write(entry / "inblob", report_data(binder))
            written = self._generation(entry)
            # configfs-tsm ABI, generation: compare before the write and after reading outblob.
            if written != before + 1:
                raise TsmGenerationRace(f"generation went {before} -> {written} across our inblob write")
            outblob = self.files.read(entry / "outblob")
            provider = self.files.read(entry / "provider").decode("ascii", "replace").strip()
            try:
                auxblob = self.files.read(entry / "auxblob")
            except FileNotFoundError:
                auxblob = b""
            after = self._generation(entry)
            if after != written:
                raise TsmGenerationRace(f"generation went {written} -> {after} while reading the report")
        except FileNotFoundError as exc:
            raise TsmUnavailable(f"configfs-tsm entry is incomplete: {exc.filename}") from None
        except OSError as exc:  # EINVAL, EIO, ... from the provider
            raise TsmError(f"configfs-tsm report failed: {exc}") from None
        finally:
            if created and entry.exists():
                with contextlib.suppress(OSError):  # leave a stale entry rather than mask the real error
                    self.files.remove_entry(entry)
        if not outblob:
            raise TsmError("configfs-tsm returned an empty outblob")
        return TsmReport(provider=provider, outblob=outblob, auxblob=auxblob)

    def evidence(self, binder: bytes) -> Cmw:
        return self.report(binder).to_cmw()


# ---------------------------------------------------------------------------
# Structural appraisal
# ---------------------------------------------------------------------------


def _cca_challenge(outblob: bytes) -> bytes:
    try:
        token: Any = cbor.decode(outblob, strict=False, max_depth=8)
        if not (isinstance(token, Tag) and token.tag == _CCA_TAG and isinstance(token.value, dict)):
            raise MalformedEvidence("CCA token is not a tag-399 collection", claim="outblob")
        realm: Any = token.value.get(_CCA_REALM)
        if type(realm) is not bytes:
            raise MalformedEvidence("CCA token has no realm token", claim="outblob")
        sign1: Any = cbor.decode(realm, strict=False, max_depth=8)
        if isinstance(sign1, Tag) and sign1.tag == _COSE_SIGN1_TAG:
            sign1 = sign1.value
        if not (isinstance(sign1, list) and len(sign1) == 4 and type(sign1[2]) is bytes):  # RFC 9052 §4.2
            raise MalformedEvidence("CCA realm token is not a COSE_Sign1 with a payload", claim="outblob")
        claims: Any = cbor.decode(sign1[2], strict=False, max_depth=8)
    except DecodeError as exc:
        raise MalformedEvidence(f"CCA token is not well-formed CBOR: {exc}", claim="outblob") from None
    challenge = claims.get(_CCA_CHALLENGE) if isinstance(claims, dict) else None
    if type(challenge) is not bytes or len(challenge) != REPORT_DATA_SIZE:
        raise MalformedEvidence("CCA realm token has no 64-byte challenge", claim="report_data")
    return challenge


def extract_report_data(provider: str, outblob: bytes) -> bytes:
    """The 64 report-data bytes inside a provider's outblob; ``UnsupportedProfile`` for unknown providers."""
    if provider == "sev_guest":
        if len(outblob) < _SNP_REPORT_SIZE:
            raise MalformedEvidence(f"SEV-SNP report is {len(outblob)} bytes, expected {_SNP_REPORT_SIZE}")
        return outblob[_SNP_REPORT_DATA : _SNP_REPORT_DATA + REPORT_DATA_SIZE]
    if provider == "tdx_guest":
        if len(outblob) < _TDX_HEADER:
            raise MalformedEvidence("TDX quote is shorter than its header", claim="outblob")
        version = int.from_bytes(outblob[0:2], "little")
        tee_type = int.from_bytes(outblob[4:8], "little")
        if version not in (4, 5) or tee_type != _TDX_TEE_TYPE:
            raise MalformedEvidence(f"not a TDX quote (version {version}, TEE type {tee_type:#x})", claim="outblob")
        start = _TDX_HEADER + (6 if version == 5 else 0) + _TDX_REPORT_DATA_IN_BODY
        if len(outblob) < start + REPORT_DATA_SIZE:
            raise MalformedEvidence("TDX quote is truncated before REPORTDATA", claim="outblob")
        return outblob[start : start + REPORT_DATA_SIZE]
    if provider == "arm_cca_guest":
        return _cca_challenge(outblob)
    raise UnsupportedProfile(f"cannot locate the report data of TSM provider {provider!r}", claim="provider")


def appraise(
    evidence: Cmw,
    *,
    binder: bytes,
    now: int | datetime,
    accepted_providers: Collection[str] | None = None,
    nonce_store: NonceStore | None = None,
) -> AttestationResult:
    """Structure and binder only; at best a ``warning`` result (platform signature not verified)."""
    try:
        report = TsmReport.from_cmw(evidence)
        if accepted_providers is not None and report.provider not in accepted_providers:
            raise UnsupportedProfile(f"TSM provider {report.provider!r} is not accepted", claim="provider")
        if extract_report_data(report.provider, report.outblob) != report_data(binder):
            raise StaleNonce("the report data is not the binder", claim="report_data")
        if nonce_store is not None:
            nonce_store.consume(bytes(binder), epoch_seconds(now))
    except AttestationError as error:
        return AttestationResult(
            status=TrustTier.CONTRAINDICATED,
            trust_vector={TrustCategory.INSTANCE_IDENTITY: 97},
            failures=(ClaimFailure.of(error),),
            media_type=TSM_MEDIA_TYPE,
        )
    notice = UnverifiedPlatformEvidence(
        f"{report.provider} evidence is NOT cryptographically verified: its structure and binder were checked, "
        "but no platform signature or certificate chain was (no vendor collateral here)",
        claim="outblob",
    )
    return AttestationResult(
        status=TrustTier.WARNING,
        # AR4SI hardware 32 ("unsafe_hardware", warning tier): the hardware is unverified, not known good.
        trust_vector={TrustCategory.HARDWARE: 32},
        failures=(ClaimFailure.of(notice),),
        claims=report,
        media_type=TSM_MEDIA_TYPE,
    )
