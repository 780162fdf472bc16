"""TPM 2.0 structures a quote verifier reads: TPMS_ATTEST and TPMT_SIGNATURE.

Theory of operation
-------------------
TPM structures are big-endian and length-prefixed (TPM 2.0 Library Part 1 §18
"marshaling"; sizes in bytes).  ``_Reader`` walks a buffer with bounds checks and
raises ``TpmStructureError`` (a ``MalformedEvidence``, hence a ``DecodeError``)
for anything short, long or out of range: arbitrary bytes fed to ``parse_attest``
or ``parse_signature`` raise nothing else.  Only what a quote needs is parsed:
TPMS_ATTEST with ``type`` = TPM_ST_ATTEST_QUOTE and its TPMS_QUOTE_INFO, and the
TPMT_SIGNATURE schemes ECDSA, RSASSA and RSAPSS.

Size limits are those of a TPM that implements SHA-512 and 4096-bit RSA (the
largest values the Part 2 tables allow in practice): TPM2B_DATA and TPM2B_NAME
carry at most ``sizeof(TPMT_HA)`` = 66 bytes (Part 2 §10.4.3, §10.5.3).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .errors import MalformedEvidence

__all__ = [
    "DIGEST_SIZES",
    "TPM_GENERATED_VALUE",
    "TPM_ST_ATTEST_QUOTE",
    "ClockInfo",
    "PcrSelection",
    "TpmAlgorithm",
    "TpmStructureError",
    "TpmsAttest",
    "TpmtSignature",
    "parse_attest",
    "parse_signature",
]

TPM_GENERATED_VALUE: Final = 0xFF544347  # Part 2 §6.2 TPM_GENERATED: "\xffTCG"
TPM_ST_ATTEST_QUOTE: Final = 0x8018  # Part 2 §6.9 TPM_ST
_TPMT_HA_SIZE: Final = 2 + 64  # Part 2 §10.3.2 TPMT_HA with SHA-512 as the largest digest
_MAX_DIGEST: Final = 64
_MAX_ECC_PARAMETER: Final = 66  # MAX_ECC_KEY_BYTES for P-521
_MAX_RSA_BYTES: Final = 512  # MAX_RSA_KEY_BYTES for 4096-bit keys
_MAX_BANKS: Final = 16  # HASH_COUNT bound for TPML_PCR_SELECTION.count
_MAX_SELECT: Final = 32  # PCR_SELECT_MAX bound: up to 256 PCRs


class TpmStructureError(MalformedEvidence):
    """A TPM structure is truncated, too long or carries an out-of-range value."""


class TpmAlgorithm(enum.IntEnum):
    """TPM_ALG_ID values (TCG Algorithm Registry, Part 2 §6.3) that quotes use."""

    SHA1 = 0x0004
    HMAC = 0x0005
    NULL = 0x0010
    SHA256 = 0x000B
    SHA384 = 0x000C
    SHA512 = 0x000D
    SM3_256 = 0x0012
    RSASSA = 0x0014
    RSAPSS = 0x0016
    ECDSA = 0x0018
    ECDAA = 0x001A
    SM2 = 0x001B
    ECSCHNORR = 0x001C

    @classmethod
    def name_of(cls, value: int) -> str:
        try:
            return cls(value).name.lower()
        except ValueError:
            return f"alg 0x{value:04x}"


DIGEST_SIZES: Final[Mapping[int, int]] = {
    TpmAlgorithm.SHA1: 20,
    TpmAlgorithm.SHA256: 32,
    TpmAlgorithm.SHA384: 48,
    TpmAlgorithm.SHA512: 64,
    TpmAlgorithm.SM3_256: 32,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PcrSelection:
    """One TPMS_PCR_SELECTION (Part 2 §10.6.2): a bank and the PCR indices selected in it."""

    hash_algorithm: int
    pcrs: tuple[int, ...]
    """Ascending, the order in which the TPM concatenates PCR values (Part 1 §17.5, PCR selection order)."""

    def __str__(self) -> str:
        return f"{TpmAlgorithm.name_of(self.hash_algorithm)}:{','.join(map(str, self.pcrs))}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockInfo:
    """TPMS_CLOCK_INFO (Part 2 §10.11.1)."""

    clock: int
    reset_count: int
    restart_count: int
    safe: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TpmsAttest:
    """A TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE (Part 2 §10.12.12) with its TPMS_QUOTE_INFO (§10.12.4)."""

    qualified_signer: bytes
    extra_data: bytes
    clock_info: ClockInfo
    firmware_version: int
    pcr_selections: tuple[PcrSelection, ...]
    pcr_digest: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class TpmtSignature:
    """A TPMT_SIGNATURE (Part 2 §11.3.4) for ECDSA (``r``, ``s``) or RSASSA/RSAPSS (``rsa_signature``)."""

    signature_algorithm: TpmAlgorithm
    hash_algorithm: int
    rsa_signature: bytes = b""
    ecdsa_r: bytes = b""
    ecdsa_s: bytes = b""


class _Reader:
    """Big-endian reads with bounds checks (Part 1 §18: canonical TPM marshaling)."""

    def __init__(self, data: bytes, what: str) -> None:
        self._data = bytes(data)
        self._offset = 0
        self._what = what

    def take(self, count: int, field: str) -> bytes:
        end = self._offset + count
        if end > len(self._data):
            raise TpmStructureError(f"{self._what} is truncated in {field} (needs byte {end})", claim=field)
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk

    def uint(self, size: int, field: str) -> int:
        return int.from_bytes(self.take(size, field), "big")

    def sized(self, field: str, maximum: int) -> bytes:
        """A TPM2B_*: UINT16 size then that many bytes, at most ``maximum``."""
        size = self.uint(2, field)
        if size > maximum:
            raise TpmStructureError(f"{self._what} {field} is {size} bytes, over its {maximum}-byte limit", claim=field)
        return self.take(size, field)

    def finish(self) -> None:
        if self._offset != len(self._data):
            extra = len(self._data) - self._offset
            raise TpmStructureError(f"{self._what} has {extra} trailing byte(s)")


def _pcr_selection(reader: _Reader) -> tuple[PcrSelection, ...]:
    # Part 2 §10.9.7 TPML_PCR_SELECTION: UINT32 count, then TPMS_PCR_SELECTION[count].
    count = reader.uint(4, "pcrSelect")
    if count > _MAX_BANKS:
        raise TpmStructureError(f"TPML_PCR_SELECTION count {count} exceeds {_MAX_BANKS}", claim="pcrSelect")
    selections = []
    for _ in range(count):
        # Part 2 §10.6.2 TPMS_PCR_SELECTION: TPMI_ALG_HASH hash, UINT8 sizeofSelect, BYTE pcrSelect[].
        hash_algorithm = reader.uint(2, "pcrSelect")
        size_of_select = reader.uint(1, "pcrSelect")
        if not 1 <= size_of_select <= _MAX_SELECT:
            raise TpmStructureError(f"sizeofSelect {size_of_select} is outside 1..{_MAX_SELECT}", claim="pcrSelect")
        bitmap = reader.take(size_of_select, "pcrSelect")
        # Part 2 §10.6.1: "PCR n is selected when bit (n mod 8) of octet (n / 8) is SET".
        pcrs = tuple(index for index in range(8 * size_of_select) if bitmap[index // 8] >> (index % 8) & 1)
        selections.append(PcrSelection(hash_algorithm=hash_algorithm, pcrs=pcrs))
    return tuple(selections)


def parse_attest(data: bytes) -> TpmsAttest:
    """Parse a marshalled TPMS_ATTEST that must be a quote (Part 2 §10.12.12)."""
    reader = _Reader(data, "TPMS_ATTEST")
    magic = reader.uint(4, "magic")
    if magic != TPM_GENERATED_VALUE:  # Part 2 §10.12.12: magic "shall be TPM_GENERATED_VALUE"
        raise TpmStructureError(f"TPMS_ATTEST magic 0x{magic:08x} is not TPM_GENERATED_VALUE", claim="magic")
    attest_type = reader.uint(2, "type")
    if attest_type != TPM_ST_ATTEST_QUOTE:
        raise TpmStructureError(f"TPMS_ATTEST type 0x{attest_type:04x} is not TPM_ST_ATTEST_QUOTE", claim="type")
    qualified_signer = reader.sized("qualifiedSigner", _TPMT_HA_SIZE)  # TPM2B_NAME, §10.5.3
    extra_data = reader.sized("extraData", _TPMT_HA_SIZE)  # TPM2B_DATA, §10.4.3
    clock = reader.uint(8, "clockInfo")  # TPMS_CLOCK_INFO, §10.11.1
    reset_count = reader.uint(4, "clockInfo")
    restart_count = reader.uint(4, "clockInfo")
    safe = reader.uint(1, "clockInfo")
    if safe not in (0, 1):  # TPMI_YES_NO, §9.2
        raise TpmStructureError(f"clockInfo.safe is {safe}, not YES/NO", claim="clockInfo")
    firmware_version = reader.uint(8, "firmwareVersion")
    selections = _pcr_selection(reader)  # TPMS_QUOTE_INFO, §10.12.4
    pcr_digest = reader.sized("pcrDigest", _MAX_DIGEST)
    reader.finish()
    return TpmsAttest(
        qualified_signer=qualified_signer,
        extra_data=extra_data,
        clock_info=ClockInfo(clock=clock, reset_count=reset_count, restart_count=restart_count, safe=bool(safe)),
        firmware_version=firmware_version,
        pcr_selections=selections,
        pcr_digest=pcr_digest,
    )


def parse_signature(data: bytes) -> TpmtSignature:
    """Parse a marshalled TPMT_SIGNATURE (Part 2 §11.3.4): ECDSA, RSASSA or RSAPSS."""
    reader = _Reader(data, "TPMT_SIGNATURE")
    algorithm = reader.uint(2, "sigAlg")
    if algorithm in (TpmAlgorithm.RSASSA, TpmAlgorithm.RSAPSS):
        # §11.3.1 TPMS_SIGNATURE_RSA: TPMI_ALG_HASH hash, TPM2B_PUBLIC_KEY_RSA sig.
        hash_algorithm = reader.uint(2, "hash")
        signature = reader.sized("sig", _MAX_RSA_BYTES)
        reader.finish()
        return TpmtSignature(
            signature_algorithm=TpmAlgorithm(algorithm), hash_algorithm=hash_algorithm, rsa_signature=signature
        )
    if algorithm == TpmAlgorithm.ECDSA:
        # §11.3.2 TPMS_SIGNATURE_ECC: hash, TPM2B_ECC_PARAMETER signatureR, signatureS.
        hash_algorithm = reader.uint(2, "hash")
        r = reader.sized("signatureR", _MAX_ECC_PARAMETER)
        s = reader.sized("signatureS", _MAX_ECC_PARAMETER)
        reader.finish()
        return TpmtSignature(
            signature_algorithm=TpmAlgorithm.ECDSA, hash_algorithm=hash_algorithm, ecdsa_r=r, ecdsa_s=s
        )
    raise TpmStructureError(
        f"TPMT_SIGNATURE scheme {TpmAlgorithm.name_of(algorithm)} is not ECDSA, RSASSA or RSAPSS", claim="sigAlg"
    )
