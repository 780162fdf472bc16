"""The configfs-tsm attester against a fake configfs tree in a temporary directory.

``FakeKernel`` plays the kernel's part of the configfs-tsm ABI
(Documentation/ABI/testing/configfs-tsm-report): mkdir populates the entry,
writing ``inblob`` bumps ``generation`` and produces an ``outblob`` with the report
data at the place the provider's format puts it.  The offsets are written here from
the vendor documents (SNP ABI Table 22: REPORT_DATA at 0x50 in a 0x4A0-byte
report; TDX DCAP quote v4: 48-byte header + REPORTDATA at body offset 520), not
taken from the code under test.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ratscore import cbor
from ratscore.attestation import cmw, tsm
from ratscore.attestation.cmw import CmwCollection, CmwRecord
from ratscore.attestation.ear import TrustTier
from ratscore.attestation.errors import MalformedEvidence, StaleNonce, UnknownMediaType, UnsupportedProfile
from ratscore.cbor import Tag

BINDER = bytes(range(32))
NOW = 1_750_000_000


def snp_report(report_data: bytes) -> bytes:
    report = bytearray(0x4A0)
    report[0:4] = (2).to_bytes(4, "little")  # VERSION
    report[0x50:0x90] = report_data
    return bytes(report)


def tdx_quote(report_data: bytes, version: int = 4) -> bytes:
    header = version.to_bytes(2, "little") + (2).to_bytes(2, "little") + (0x81).to_bytes(4, "little") + bytes(40)
    body_prefix = (2).to_bytes(2, "little") + (584).to_bytes(4, "little") if version == 5 else b""
    body = bytes(520) + report_data + bytes(584 - 520 - 64)
    return header + body_prefix + body + bytes(100)  # signature data follows the body


def cca_token(report_data: bytes) -> bytes:
    realm_claims = cbor.encode({10: report_data, 44238: bytes(32)})
    realm = cbor.encode(Tag(18, [cbor.encode({1: -7}), {}, realm_claims, bytes(64)]))
    platform = cbor.encode(Tag(18, [cbor.encode({1: -7}), {}, cbor.encode({10: bytes(32)}), bytes(64)]))
    return cbor.encode(Tag(399, {44234: platform, 44241: realm}))


OUTBLOBS = {"sev_guest": snp_report, "tdx_guest": tdx_quote, "arm_cca_guest": cca_token}


class FakeKernel(tsm.TsmFiles):
    """The kernel side of configfs-tsm, over plain files."""

    def __init__(self, provider: str, *, auxblob: bytes = b"", race_on_read: bool = False, bump: int = 1) -> None:
        self.provider = provider
        self.auxblob = auxblob
        self.race_on_read = race_on_read
        self.bump = bump
        self.inblobs: list[bytes] = []

    def make_entry(self, path: Path) -> None:
        path.mkdir()
        (path / "provider").write_text(self.provider + "\n")
        (path / "generation").write_text("0\n")
        if self.auxblob:
            (path / "auxblob").write_bytes(self.auxblob)

    def remove_entry(self, path: Path) -> None:
        for attribute in path.iterdir():  # configfs rmdir drops the attributes with the item
            attribute.unlink()
        path.rmdir()

    def _bump(self, entry: Path, by: int) -> None:
        generation = int((entry / "generation").read_text())
        (entry / "generation").write_text(f"{generation + by}\n")

    def write(self, path: Path, data: bytes) -> None:
        assert path.name == "inblob" and len(data) <= 64  # ABI: "up to 64 bytes"
        self.inblobs.append(data)
        make = OUTBLOBS.get(self.provider, lambda blob: b"opaque:" + blob)
        (path.parent / "outblob").write_bytes(make(data))
        self._bump(path.parent, self.bump)

    def read(self, path: Path) -> bytes:
        if path.name == "outblob" and self.race_on_read:
            self._bump(path.parent, 1)  # another process wrote inblob meanwhile
        return super().read(path)


def attester(tmp_path: Path, kernel: FakeKernel) -> tsm.TsmAttester:
    root = tmp_path / "tsm" / "report"
    root.mkdir(parents=True)
    return tsm.TsmAttester(root=root, files=kernel)


def test_report_data_pads_short_binders() -> None:
    assert tsm.report_data(BINDER) == BINDER + bytes(32)


def test_report_data_hashes_long_binders() -> None:
    binder = bytes(100)
    assert tsm.report_data(binder) == hashlib.sha512(binder).digest()


@pytest.mark.parametrize("provider", ["sev_guest", "tdx_guest", "arm_cca_guest"])
def test_round_trip_is_a_warning(tmp_path: Path, provider: str) -> None:
    kernel = FakeKernel(provider)
    evidence = attester(tmp_path, kernel).evidence(BINDER)
    assert kernel.inblobs == [BINDER + bytes(32)]
    decoded = cmw.decode(cmw.encode_cbor(evidence))
    result = tsm.appraise(decoded, binder=BINDER, now=NOW)
    assert result.status is TrustTier.WARNING
    (notice,) = result.failures
    assert notice.error is tsm.UnverifiedPlatformEvidence
    assert "NOT cryptographically verified" in notice.reason


def test_tdx_quote_v5(tmp_path: Path) -> None:
    outblob = tdx_quote(tsm.report_data(BINDER), version=5)
    assert tsm.extract_report_data("tdx_guest", outblob) == BINDER + bytes(32)


def test_media_type_by_provider(tmp_path: Path) -> None:
    evidence = attester(tmp_path, FakeKernel("tdx_guest")).evidence(BINDER)
    assert isinstance(evidence, CmwCollection)
    assert evidence.collection_type == "tag:attested-stack.dev,2026:tsm-report"
    outblob = evidence.entries["outblob"]
    assert isinstance(outblob, CmwRecord)
    assert outblob.type == "application/vnd.intel.tdx-quote"


def test_unknown_provider_is_generic_and_not_appraisable(tmp_path: Path) -> None:
    evidence = attester(tmp_path, FakeKernel("future_guest")).evidence(BINDER)
    assert isinstance(evidence, CmwCollection)
    outblob = evidence.entries["outblob"]
    assert isinstance(outblob, CmwRecord)
    assert outblob.type == "application/vnd.attested-stack.tsm-outblob; provider=future_guest"
    result = tsm.appraise(cmw.decode(cmw.encode_cbor(evidence)), binder=BINDER, now=NOW)
    assert result.failures[0].error is UnsupportedProfile


def test_auxblob_is_carried(tmp_path: Path) -> None:
    evidence = attester(tmp_path, FakeKernel("sev_guest", auxblob=b"cert-table")).evidence(BINDER)
    assert tsm.TsmReport.from_cmw(evidence).auxblob == b"cert-table"


def test_wrong_binder_is_stale(tmp_path: Path) -> None:
    evidence = attester(tmp_path, FakeKernel("sev_guest")).evidence(BINDER)
    result = tsm.appraise(evidence, binder=bytes(32), now=NOW)
    assert result.status is TrustTier.CONTRAINDICATED
    assert (result.failures[0].error, result.failures[0].claim) == (StaleNonce, "report_data")


def test_provider_not_accepted(tmp_path: Path) -> None:
    evidence = attester(tmp_path, FakeKernel("sev_guest")).evidence(BINDER)
    result = tsm.appraise(evidence, binder=BINDER, now=NOW, accepted_providers={"tdx_guest"})
    assert result.failures[0].error is UnsupportedProfile


def test_generation_race_while_reading(tmp_path: Path) -> None:
    with pytest.raises(tsm.TsmGenerationRace):
        attester(tmp_path, FakeKernel("sev_guest", race_on_read=True)).report(BINDER)


def test_generation_race_across_write(tmp_path: Path) -> None:
    with pytest.raises(tsm.TsmGenerationRace):
        attester(tmp_path, FakeKernel("sev_guest", bump=2)).report(BINDER)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(tsm.TsmUnavailable):
        tsm.TsmAttester(root=tmp_path / "absent", files=FakeKernel("sev_guest")).report(BINDER)


def test_entry_we_made_is_removed_afterwards(tmp_path: Path) -> None:
    chosen = attester(tmp_path, FakeKernel("sev_guest"))
    chosen.report(BINDER)
    assert list(chosen.root.iterdir()) == []


def test_existing_entry_is_reused_and_kept(tmp_path: Path) -> None:
    kernel = FakeKernel("sev_guest")
    chosen = attester(tmp_path, kernel)
    kernel.make_entry(chosen.root / "fixed")
    chosen.entry_name = "fixed"
    chosen.report(BINDER)
    assert (chosen.root / "fixed" / "generation").read_text() == "1\n"


def test_truncated_snp_report() -> None:
    with pytest.raises(MalformedEvidence):
        tsm.extract_report_data("sev_guest", snp_report(bytes(64))[:0x100])


def test_tdx_wrong_tee_type() -> None:
    quote = bytearray(tdx_quote(bytes(64)))
    quote[4] = 0x00  # SGX
    with pytest.raises(MalformedEvidence):
        tsm.extract_report_data("tdx_guest", bytes(quote))


@pytest.mark.parametrize("blob", [b"", b"\xff\xff", cbor.encode(Tag(399, {44234: b""})), cbor.encode([1, 2])])
def test_cca_garbage(blob: bytes) -> None:
    with pytest.raises(MalformedEvidence):
        tsm.extract_report_data("arm_cca_guest", blob)


def test_collection_of_other_type() -> None:
    other = CmwCollection(
        entries={"outblob": CmwRecord(type="application/vnd.amd.sev-snp-report", value=b"x")},
        collection_type="tag:example.com,2024:x",
    )
    with pytest.raises(UnknownMediaType):
        tsm.TsmReport.from_cmw(other)


def test_unknown_outblob_media_type() -> None:
    collection = CmwCollection(
        entries={"outblob": CmwRecord(type="application/octet-stream", value=b"x")},
        collection_type=tsm.TSM_COLLECTION_TYPE,
    )
    with pytest.raises(UnknownMediaType):
        tsm.TsmReport.from_cmw(collection)
