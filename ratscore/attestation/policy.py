"""The local verifier's policy file (JSON, or TOML read with ``tomllib``).

Schema (every section optional; a missing section means that kind of evidence is
not accepted).  Keys are the same in JSON; in TOML, tables as shown::

    policy_id = "example-policy"     # goes into the EAR's ear_appraisal_policy_ids
    freshness = "issued-nonce"       # "issued-nonce" | "single-use" | "none"
    nonce_lifetime = 300             # seconds an issued nonce stays valid
    nonce_capacity = 10000           # nonces remembered (issued and used), oldest dropped first
    ear_lifetime = 300               # seconds from iat to exp in produced EARs
    max_evidence_size = 65536        # bytes; larger encoded evidence is rejected unparsed

    [software]                       # the software attester (EAT in COSE_Sign1)
    trusted_keys = ["-----BEGIN PUBLIC KEY-----\\n...", {file = "keys/ak.pem"}, {spki = "3059..."}]
    binding = "eat_nonce"            # or "external_aad"
    [software.reference_values]      # measured-component name -> SHA-256 hex
    "python:/usr/bin/python3" = "9f86d0..."

    [tpm]                            # TPM 2.0 quotes
    trusted_aks = [{file = "keys/tpm-ak.pem"}]
    pcr_selection = "sha256:0,1,2,3,4,5,6,7"   # the quote must cover exactly this
    [tpm.reference_pcrs]             # "<bank>:<index>" -> value hex
    "sha256:0" = "0000..."

    [tsm]                            # configfs-tsm reports (structure + binder only)
    providers = ["tdx_guest", "sev_guest", "arm_cca_guest"]

``freshness``: ``issued-nonce`` accepts only nonces this verifier issued
(``LocalVerifier.issue_nonce``), each once and before it expires; ``single-use``
accepts any binder once (replay detection for binders that a hosting protocol
makes fresh, e.g. a TLS exporter value); ``none`` leaves freshness to the caller.
Trusted keys are PEM SubjectPublicKeyInfo text, ``{file = path}`` (relative to
the policy file) or ``{spki = hex DER}``.  Malformed policies raise ``PolicyError``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ratscore.crypto.encoding import pem_decode, public_key_from_spki
from ratscore.crypto.types import PublicKey
from ratscore.errors import CryptoError, DecodeError, LocalProtocolError

from .errors import DEFAULT_MAX_SIZE
from .protocols import Binding
from .tpm import parse_selection
from .tpm_structures import PcrSelection

__all__ = ["FRESHNESS_MODES", "Policy", "PolicyError", "SoftwarePolicy", "TpmPolicy", "TsmPolicy", "load_policy"]

FRESHNESS_MODES: Final = ("issued-nonce", "single-use", "none")


class PolicyError(LocalProtocolError):
    """The policy file is malformed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SoftwarePolicy:
    trusted_keys: tuple[PublicKey, ...]
    reference_values: Mapping[str, bytes] = field(default_factory=dict)
    binding: Binding = Binding.EAT_NONCE


@dataclass(frozen=True, slots=True, kw_only=True)
class TpmPolicy:
    trusted_aks: tuple[PublicKey, ...]
    pcr_selection: tuple[PcrSelection, ...] | None = None
    reference_pcrs: Mapping[tuple[int, int], bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class TsmPolicy:
    providers: frozenset[str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    software: SoftwarePolicy | None = None
    tpm: TpmPolicy | None = None
    tsm: TsmPolicy | None = None
    policy_id: str = "attested-stack:local"
    freshness: str = "issued-nonce"
    nonce_lifetime: int = 300
    nonce_capacity: int = 10_000
    ear_lifetime: int = 300
    max_evidence_size: int = DEFAULT_MAX_SIZE

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, base: Path = Path()) -> Policy:
        """Build a policy from parsed JSON/TOML (``base``: directory for relative key files)."""
        known = {"software", "tpm", "tsm", "policy_id", "freshness", "nonce_lifetime", "nonce_capacity",
                 "ear_lifetime", "max_evidence_size"}  # fmt: skip
        unknown = set(data) - known
        if unknown:
            raise PolicyError(f"unknown policy keys: {', '.join(sorted(unknown))}")
        freshness = _text(data, "freshness", "issued-nonce")
        if freshness not in FRESHNESS_MODES:
            raise PolicyError(f"freshness must be one of {', '.join(FRESHNESS_MODES)}")
        return cls(
            software=_software(data["software"], base) if "software" in data else None,
            tpm=_tpm(data["tpm"], base) if "tpm" in data else None,
            tsm=_tsm(data["tsm"]) if "tsm" in data else None,
            policy_id=_text(data, "policy_id", "attested-stack:local"),
            freshness=freshness,
            nonce_lifetime=_positive(data, "nonce_lifetime", 300),
            nonce_capacity=_positive(data, "nonce_capacity", 10_000),
            ear_lifetime=_positive(data, "ear_lifetime", 300),
            max_evidence_size=_positive(data, "max_evidence_size", DEFAULT_MAX_SIZE),
        )


def load_policy(path: Path) -> Policy:
    """Read a policy file: ``.toml`` with tomllib, anything else as JSON."""
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8")) if path.suffix == ".toml" else json.loads(raw)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise PolicyError(f"cannot read policy {path}: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError("a policy is a JSON object / TOML document")
    return Policy.from_mapping(data, base=path.parent)


def _text(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise PolicyError(f"{key} must be a string")
    return value


def _positive(data: Mapping[str, Any], key: str, default: int) -> int:
    value = data.get(key, default)
    if type(value) is not int or value <= 0:
        raise PolicyError(f"{key} must be a positive integer")
    return value


def _table(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise PolicyError(f"[{name}] must be a table / object")
    return value


def _hex(value: Any, what: str) -> bytes:
    try:
        return bytes.fromhex(value) if isinstance(value, str) else _fail(what)
    except ValueError:
        raise PolicyError(f"{what} is not hex") from None


def _fail(what: str) -> bytes:
    raise PolicyError(f"{what} must be a hex string")


def _key(entry: Any, base: Path) -> PublicKey:
    try:
        if isinstance(entry, str):
            return public_key_from_spki(pem_decode(entry, "PUBLIC KEY")[1])
        if isinstance(entry, dict) and set(entry) == {"file"} and isinstance(entry["file"], str):
            return public_key_from_spki(pem_decode((base / entry["file"]).read_bytes(), "PUBLIC KEY")[1])
        if isinstance(entry, dict) and set(entry) == {"spki"}:
            return public_key_from_spki(_hex(entry["spki"], "spki"))
    except (DecodeError, CryptoError, OSError) as exc:
        raise PolicyError(f"unusable trusted key: {exc}") from None
    raise PolicyError("a trusted key is PEM text, {file = path} or {spki = hex}")


def _keys(section: Mapping[str, Any], name: str, base: Path) -> tuple[PublicKey, ...]:
    entries = section.get(name)
    if not isinstance(entries, list) or not entries:
        raise PolicyError(f"{name} must be a non-empty list")
    return tuple(_key(entry, base) for entry in entries)


def _software(value: Any, base: Path) -> SoftwarePolicy:
    section = _table(value, "software")
    references = _table(section.get("reference_values", {}), "software.reference_values")
    try:
        binding = Binding(section.get("binding", Binding.EAT_NONCE.value))
    except ValueError:
        raise PolicyError("software.binding must be eat_nonce or external_aad") from None
    return SoftwarePolicy(
        trusted_keys=_keys(section, "trusted_keys", base),
        reference_values={name: _hex(digest, f"reference value {name!r}") for name, digest in references.items()},
        binding=binding,
    )


def _tpm(value: Any, base: Path) -> TpmPolicy:
    section = _table(value, "tpm")
    selection_text = section.get("pcr_selection")
    if selection_text is not None and not isinstance(selection_text, str):
        raise PolicyError("tpm.pcr_selection must be a string such as 'sha256:0,1,2'")
    references: dict[tuple[int, int], bytes] = {}
    for name, digest in _table(section.get("reference_pcrs", {}), "tpm.reference_pcrs").items():
        try:
            (bank,) = parse_selection(name)
            (index,) = bank.pcrs
        except (LocalProtocolError, ValueError):
            raise PolicyError(f"tpm.reference_pcrs key {name!r} is not '<bank>:<index>'") from None
        references[(bank.hash_algorithm, index)] = _hex(digest, f"PCR {name}")
    try:
        selection = parse_selection(selection_text) if selection_text else None
    except LocalProtocolError as exc:
        raise PolicyError(f"tpm.pcr_selection: {exc}") from None
    return TpmPolicy(
        trusted_aks=_keys(section, "trusted_aks", base), pcr_selection=selection, reference_pcrs=references
    )


def _tsm(value: Any) -> TsmPolicy:
    section = _table(value, "tsm")
    providers = section.get("providers")
    if providers is None:
        return TsmPolicy()
    if not isinstance(providers, list) or not all(isinstance(name, str) for name in providers):
        raise PolicyError("tsm.providers must be a list of provider names")
    return TsmPolicy(providers=frozenset(providers))
