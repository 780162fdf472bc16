"""Complete EDHOC handshakes per second, ours against lakers-python, in one process.

What one "handshake" is (the workload of ``perf_baselines.md`` §4): both sides in
this process, method 3 (static DH both ways), message_1 to message_3 (no
message_4), credentials by reference (kid) resolved from a table, and two
EDHOC_Exporter calls per side (OSCORE Master Secret and Salt, RFC 9528 App. A.1).
Fresh engine objects per handshake; the long-term keys and configurations are
built once, as a server would.

Candidates, timed interleaved (``timing.py``; medians over rounds):

* ``lakers``: lakers-python (Rust, RustCrypto), suite 2, RFC 9529 Trace 2 keys;
* ``ours/crypto s2``: our engine on the ``cryptography`` backend, suite 2;
* ``ours/pure s2`` and ``ours/pure s0``: our engine on the pure backend, suites 2 and 0.

Ratios are lakers' time over ours (higher is better for us); the targets are the
issue's (``cryptography`` >= 1.5x lakers; pure >= 0.12x with suite 2, >= 0.17x
with suite 0).  Then the memory a Responder holds while it waits for message_3
(target 8 KiB), measured with ``tracemalloc`` and cross-checked by a deep
``sys.getsizeof`` walk.

Run: ``python benchmarks/edhoc_handshakes.py [--rounds N] [--skip-memory]``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import FunctionType, ModuleType
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.timing import Candidate, GroupResult, run_group
from edhoc_ra import (
    SUITES,
    Credential,
    EdhocConfig,
    IdCred,
    Initiator,
    LocalCredential,
    Method,
    Responder,
    State,
    get_suite,
)
from ratscore.crypto import CryptoProvider, get_provider

# RFC 9529 §3.3-§3.5 (Trace 2): the static DH keys and CCS credentials lakers' own tests use.
TRACE_2_SK_I = bytes.fromhex("fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b")
TRACE_2_SK_R = bytes.fromhex("72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac")
TRACE_2_CRED_I = bytes.fromhex(
    "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc"
    "8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257"
    "e6db3c2a93df21ff3affc8"
)
TRACE_2_CRED_R = bytes.fromhex(
    "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791"
    "a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072"
)
MEMORY_TARGET = 8 * 1024
OSCORE_SECRET_LENGTH, OSCORE_SALT_LENGTH = 16, 8  # App. A.1 defaults for suites 0 and 2


@dataclass(frozen=True, slots=True)
class OurSetup:
    """Configurations built once per (backend, suite), reused by every handshake."""

    crypto: CryptoProvider
    initiator_config: EdhocConfig
    responder_config: EdhocConfig


def our_setup(backend: str, suite_value: int) -> OurSetup:
    crypto = get_provider(backend)
    curve = get_suite(suite_value).dh_curve

    def local(kid: bytes) -> LocalCredential:
        key = crypto.generate_private_key(curve)
        credential = Credential.from_public_key(key.public_key(), kid=kid)
        return LocalCredential(credential=credential, id_cred=IdCred.by_kid(kid), private_key=key)

    initiator_local, responder_local = local(b"\x2b"), local(b"\x32")
    known = {b"\x2b": initiator_local.credential, b"\x32": responder_local.credential}

    def resolve(id_cred: IdCred) -> Credential | None:
        return known.get(id_cred.kid) if id_cred.kid is not None else None

    def config(mine: LocalCredential, connection_id: bytes) -> EdhocConfig:
        return EdhocConfig(
            method=Method.STAT_STAT,
            credential=mine,
            suites=(suite_value,),
            connection_id=connection_id,
            credential_resolver=resolve,
        )

    return OurSetup(crypto, config(initiator_local, b"\x0e"), config(responder_local, b"\x27"))


def our_handshake(setup: OurSetup) -> Callable[[], object]:
    def handshake() -> bytes:
        initiator = Initiator(setup.initiator_config, crypto=setup.crypto)
        responder = Responder(setup.responder_config, crypto=setup.crypto)
        initiator.start()
        responder.receive_message(initiator.messages_to_send()[0])
        responder.send_message_2()
        initiator.receive_message(responder.messages_to_send()[0])
        initiator.send_message_3()
        responder.receive_message(initiator.messages_to_send()[0])
        # Two exporter calls per side (RFC 9528 App. A.1: Master Secret, Master Salt).
        secret = initiator.exporter(0, b"", OSCORE_SECRET_LENGTH)
        initiator.exporter(1, b"", OSCORE_SALT_LENGTH)
        responder.exporter(0, b"", OSCORE_SECRET_LENGTH)
        responder.exporter(1, b"", OSCORE_SALT_LENGTH)
        return secret

    assert len(handshake()) == OSCORE_SECRET_LENGTH  # a warm-up run
    return handshake


def lakers_handshake(lakers: Any) -> Callable[[], object]:
    cred_i, cred_r = lakers.Credential(TRACE_2_CRED_I), lakers.Credential(TRACE_2_CRED_R)
    by_reference = lakers.CredentialTransfer.ByReference

    def handshake() -> bytes:
        initiator = lakers.EdhocInitiator()
        responder = lakers.EdhocResponder(TRACE_2_SK_R, cred_r)
        message_1 = initiator.prepare_message_1(b"\x0e")
        responder.process_message_1(message_1)
        message_2 = responder.prepare_message_2(by_reference, b"\x27")
        _c_r, id_cred_r, _ead_2 = initiator.parse_message_2(message_2)
        initiator.verify_message_2(TRACE_2_SK_I, cred_i, lakers.credential_check_or_fetch(id_cred_r, cred_r))
        message_3, _prk_out = initiator.prepare_message_3(by_reference)
        id_cred_i, _ead_3 = responder.parse_message_3(message_3)
        responder.verify_message_3(lakers.credential_check_or_fetch(id_cred_i, cred_i))
        initiator.completed_without_message_4()
        responder.completed_without_message_4()
        secret: bytes = initiator.edhoc_exporter(0, b"", OSCORE_SECRET_LENGTH)
        initiator.edhoc_exporter(1, b"", OSCORE_SALT_LENGTH)
        responder.edhoc_exporter(0, b"", OSCORE_SECRET_LENGTH)
        responder.edhoc_exporter(1, b"", OSCORE_SALT_LENGTH)
        return secret

    handshake()
    return handshake


# -- memory held by a Responder waiting for message_3 ---------------------------------
def _responders_waiting(setup: OurSetup, message_1: bytes, count: int) -> list[Responder]:
    responders = []
    for _ in range(count):
        responder = Responder(setup.responder_config, crypto=setup.crypto)
        responder.receive_message(message_1)
        responder.send_message_2()
        responder.messages_to_send()  # message_2 goes to the transport
        assert responder.state is State.WAIT_M3
        responders.append(responder)
    return responders


def tracemalloc_bytes_per_responder(setup: OurSetup, count: int) -> float:
    """Live allocations attributable to ``count`` Responders in WAIT_M3, divided by ``count``.

    message_1 is prepared before the first snapshot (it arrives from the network);
    one warm-up Responder runs first so lazily built tables and caches are not counted."""
    initiator = Initiator(setup.initiator_config, crypto=setup.crypto)
    initiator.start()
    message_1 = initiator.messages_to_send()[0]
    _responders_waiting(setup, message_1, 1)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        responders = _responders_waiting(setup, message_1, count)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
    stats = after.filter_traces(ignore).compare_to(before.filter_traces(ignore), "filename")
    total = sum(stat.size_diff for stat in stats)
    del responders
    return total / count


def _referents(obj: object) -> Iterable[object]:
    return gc.get_referents(obj)


def _reachable(roots: Iterable[object]) -> set[int]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        stack.extend(_referents(obj))
    return seen


def deep_size(root: object, shared: set[int]) -> int:
    """sys.getsizeof summed over everything reachable from ``root`` that is not shared
    (configuration, provider, classes, modules, functions)."""
    total = 0
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in shared or isinstance(obj, type | ModuleType | FunctionType):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(_referents(obj))
    return total


def deep_size_of_waiting_responder(setup: OurSetup) -> tuple[int, list[tuple[str, int]]]:
    initiator = Initiator(setup.initiator_config, crypto=setup.crypto)
    initiator.start()
    message_1 = initiator.messages_to_send()[0]
    (responder,) = _responders_waiting(setup, message_1, 1)
    import edhoc_ra.states as states_module

    shared = _reachable([setup.responder_config, setup.crypto, SUITES, states_module, State, Method])
    shared.add(id(message_1))  # the caller's buffer, not the responder's
    per_field: list[tuple[str, int]] = []
    for name in _field_names(responder):
        value = getattr(responder, name, None)
        size = deep_size(value, shared)
        if size:
            per_field.append((name, size))
    return deep_size(responder, shared), sorted(per_field, key=lambda item: -item[1])


def _field_names(obj: object) -> list[str]:
    names: list[str] = []
    for klass in type(obj).__mro__:
        names.extend(getattr(klass, "__slots__", ()))
    names.extend(getattr(obj, "__dict__", {}))
    return sorted(set(names) - {"__dict__", "__weakref__"})


# -- report ----------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (default 9)")
    parser.add_argument("--batch-seconds", type=float, default=0.15, help="time per batch (default 0.15 s)")
    parser.add_argument("--skip-memory", action="store_true", help="only the handshake rates")
    parser.add_argument("--memory-count", type=int, default=200, help="responders for the tracemalloc average")
    args = parser.parse_args(argv)

    misses = 0
    try:
        lakers = importlib.import_module("lakers")
    except ImportError:
        lakers = None
        print("lakers-python is not installed (pip install lakers-python): no ratios, our rates only")

    candidates: list[Candidate] = []
    if lakers is not None:
        candidates.append(Candidate("lakers", lakers_handshake(lakers)))
    candidates.append(Candidate("ours/crypto s2", our_handshake(our_setup("cryptography", 2))))
    candidates.append(Candidate("ours/pure s2", our_handshake(our_setup("pure", 2))))
    candidates.append(Candidate("ours/pure s0", our_handshake(our_setup("pure", 0))))
    result: GroupResult = run_group(
        "EDHOC method 3", candidates, rounds=args.rounds, batch_seconds=args.batch_seconds
    )
    targets = {"ours/crypto s2": 1.5, "ours/pure s2": 0.12, "ours/pure s0": 0.17}
    print(
        f"EDHOC method 3, m1-m3, credentials by kid, 2 exporter calls per side; "
        f"median of {args.rounds} interleaved rounds"
    )
    header = f"{'candidate':16} {'hs/s':>9} {'ms/hs':>8} {'vs lakers':>10} {'target':>8}  verdict"
    print(header)
    print("-" * len(header))
    for name, seconds in result.seconds_per_op.items():
        ratio_text, target_text, verdict = "-", "-", "info"
        if lakers is not None and name != "lakers":
            ratio = result.ratio("lakers", name)
            ratio_text, target_text = f"{ratio:.2f}x", f"{targets[name]:g}x"
            verdict = "ok" if ratio >= targets[name] else "MISS"
            misses += verdict == "MISS"
        print(f"{name:16} {1 / seconds:9.1f} {seconds * 1e3:8.3f} {ratio_text:>10} {target_text:>8}  {verdict}")

    if not args.skip_memory:
        print()
        print("memory held by one Responder waiting for message_3 (suite 2, method 3, kid), target 8 KiB:")
        for backend in ("cryptography", "pure"):
            setup = our_setup(backend, 2)
            traced = tracemalloc_bytes_per_responder(setup, args.memory_count)
            deep, fields = deep_size_of_waiting_responder(setup)
            verdict = "ok" if traced <= MEMORY_TARGET else "MISS"
            misses += verdict == "MISS"
            print(
                f"  {backend:12} tracemalloc {traced:7.0f} B (mean of {args.memory_count})  "
                f"deep getsizeof {deep:6d} B  {verdict}"
            )
            print("    largest fields: " + ", ".join(f"{name} {size}" for name, size in fields[:6]))
        print(
            "  (tracemalloc sees Python allocations only: key objects that live inside OpenSSL are"
            " counted by their Python wrapper)"
        )
    print(f"{misses} target(s) missed" if misses else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
