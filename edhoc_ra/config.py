"""Configuration of one EDHOC endpoint (the application profile's parameters, RFC 9528 §3.9)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ratscore.errors import LocalProtocolError, UnsupportedAlgorithm

from .credentials import CredentialResolver, LocalCredential
from .ead import EadHandler
from .suites import Method, get_suite

__all__ = ["EdhocConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EdhocConfig:
    """Parameters of an Initiator or Responder.

    * ``suites``: for the Initiator, its supported suites in order of preference
      (RFC 9528 §5.2.2); for the Responder, the suites it supports.
    * ``connection_id``: C_I or C_R as a raw byte string; None = generated one-byte id.
    * ``use_message_4``: whether the application profile uses message_4 (§5.5).
    * ``credential_resolver``: if set, the engine asks it for the peer's credential
      instead of emitting ``CredentialRequested``.
    * ``require_distinct_connection_ids``: reject C_I == C_R (needed for OSCORE,
      RFC 9528 §3.3.3, RFC 9668 §4.1.3).
    * ``max_ead_size``: largest accepted EAD_x field, in bytes.
    * ``debug_log``: receives every intermediate value by its RFC 9529 name
      (TH_2, PRK_2e, K_3, ...).  It sees secrets: tests and debugging only.
    """

    method: Method
    credential: LocalCredential
    suites: tuple[int, ...] = (2, 3)
    connection_id: bytes | None = None
    use_message_4: bool = False
    ead_handlers: tuple[EadHandler, ...] = ()
    credential_resolver: CredentialResolver | None = None
    require_distinct_connection_ids: bool = True
    max_ead_size: int = 1024
    max_message_size: int = 65536
    debug_log: Callable[[str, bytes], None] | None = None

    def __post_init__(self) -> None:
        if not self.suites or len(set(self.suites)) != len(self.suites):
            raise LocalProtocolError("suites must be a non-empty list without duplicates")
        for suite in self.suites:
            try:
                get_suite(suite)
            except UnsupportedAlgorithm as exc:
                raise LocalProtocolError(str(exc)) from None
        if self.connection_id is not None and len(self.connection_id) > 64:
            raise LocalProtocolError("connection identifiers longer than 64 bytes are not supported")
