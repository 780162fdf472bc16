"""RFC 8448 §3, §5, §6: every key-schedule value, byte for byte, on both backends.

Each value is its own test (``test_value[<backend>-s3.master_secret]``), so a failure
names the step.  The inputs are the RFC's handshake messages and ephemeral keys; the
expected values are the RFC's (plus, where marked, the file's cross-checked
``selfcomputed`` exporter values)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atls.enums import CipherSuite
from atls.key_schedule import (
    KeySchedule,
    Transcript,
    derive_secret,
    encode_hkdf_label,
    finished_key,
    tls_exporter,
)
from atls.messages import Finished
from ratscore.crypto.types import CryptoProvider, HashAlgorithm, KeyType, PublicKey

from .rfc8448 import rfc8448

SUITE = CipherSuite.TLS_AES_128_GCM_SHA256
SHA256 = HashAlgorithm.SHA256

# The handshake messages of each trace, in transcript order, split at the key-schedule points.
TO_SERVER_HELLO = {
    "s3": ["s3.client_hello", "s3.server_hello"],
    "s5": ["s5.client_hello_1", "s5.hello_retry_request", "s5.client_hello_2", "s5.server_hello"],
    "s6": ["s6.client_hello", "s6.server_hello"],
}
TO_SERVER_FINISHED = {
    "s3": ["s3.encrypted_extensions", "s3.server_certificate", "s3.server_certificate_verify", "s3.server_finished"],
    "s5": ["s5.encrypted_extensions", "s5.server_certificate", "s5.server_certificate_verify", "s5.server_finished"],
    "s6": [
        "s6.encrypted_extensions",
        "s6.certificate_request",
        "s6.server_certificate",
        "s6.server_certificate_verify",
        "s6.server_finished",
    ],
}
TO_CLIENT_FINISHED = {
    "s3": ["s3.client_finished"],
    "s5": ["s5.client_finished"],
    "s6": ["s6.client_certificate", "s6.client_certificate_verify", "s6.client_finished"],
}
KEY_TYPE = {"s3": KeyType.X25519, "s5": KeyType.P256, "s6": KeyType.X25519}
KEY_NAME = {"s3": "x25519", "s5": "p256", "s6": "x25519"}

_cache: dict[tuple[str, str], dict[str, bytes]] = {}


def _compute(crypto: CryptoProvider, section: str) -> dict[str, bytes]:
    key = (crypto.name, section)
    if key in _cache:
        return _cache[key]
    s = section
    out: dict[str, bytes] = {}
    key_type = KEY_TYPE[s]
    client_private = crypto.load_private_key(key_type, rfc8448(f"{s}.client_{KEY_NAME[s]}_private_key"))
    server_private = crypto.load_private_key(key_type, rfc8448(f"{s}.server_{KEY_NAME[s]}_private_key"))
    client_public = PublicKey(key_type=key_type, data=rfc8448(f"{s}.client_{KEY_NAME[s]}_public_key"))
    server_public = PublicKey(key_type=key_type, data=rfc8448(f"{s}.server_{KEY_NAME[s]}_public_key"))
    out["client_public_key"] = client_private.public_key().data
    out["server_public_key"] = server_private.public_key().data
    shared = client_private.exchange(server_public)
    out["ecdhe_shared_secret"] = shared
    out["ecdhe_shared_secret.server_side"] = server_private.exchange(client_public)

    transcript = Transcript(crypto)
    messages = TO_SERVER_HELLO[s]
    transcript.update(rfc8448(messages[0]))
    if s == "s5":
        # RFC 8446 §4.4.1: ClientHello1 becomes message_hash once the HRR arrives.
        transcript.set_hash_algorithm(SHA256)
        transcript.replace_client_hello_with_message_hash()
    for name in messages[1:]:
        transcript.update(rfc8448(name))
    transcript.set_hash_algorithm(SHA256)
    hello_hash = transcript.digest()
    out["transcript_hash.server_hello"] = hello_hash

    schedule = KeySchedule(crypto, SUITE)
    out["early_secret"] = schedule.early_secret
    empty_hash = crypto.hash(SHA256, b"")
    out["derived_secret_for_handshake"] = derive_secret(crypto, SHA256, schedule.early_secret, b"derived", empty_hash)
    handshake = schedule.derive_handshake_secrets(shared, hello_hash)
    assert schedule.handshake_secret is not None
    out["handshake_secret"] = schedule.handshake_secret
    out["client_handshake_traffic_secret"] = handshake.client_handshake_traffic_secret
    out["server_handshake_traffic_secret"] = handshake.server_handshake_traffic_secret
    out["derived_secret_for_master"] = derive_secret(crypto, SHA256, schedule.handshake_secret, b"derived", empty_hash)
    for side in ("client", "server"):
        secret = out[f"{side}_handshake_traffic_secret"]
        keys = schedule.traffic_keys(secret)
        out[f"{side}_handshake_key"] = keys.key
        out[f"{side}_handshake_iv"] = keys.iv
        out[f"{side}_finished_key"] = finished_key(crypto, SHA256, secret)

    server_finished_messages = TO_SERVER_FINISHED[s]
    for name in server_finished_messages[:-1]:
        transcript.update(rfc8448(name))
    verify_data = schedule.finished_verify_data(handshake.server_handshake_traffic_secret, transcript.digest())
    out["server_finished_verify_data"] = verify_data
    out["server_finished"] = Finished(verify_data=verify_data).encode()
    transcript.update(rfc8448(server_finished_messages[-1]))
    finished_hash = transcript.digest()
    out["transcript_hash.server_finished"] = finished_hash

    application = schedule.derive_application_secrets(finished_hash)
    assert schedule.master_secret is not None
    out["master_secret"] = schedule.master_secret
    out["client_application_traffic_secret_0"] = application.client_application_traffic_secret
    out["server_application_traffic_secret_0"] = application.server_application_traffic_secret
    out["exporter_master_secret"] = application.exporter_master_secret
    for side in ("client", "server"):
        keys = schedule.traffic_keys(out[f"{side}_application_traffic_secret_0"])
        out[f"{side}_application_key"] = keys.key
        out[f"{side}_application_iv"] = keys.iv

    for name in TO_CLIENT_FINISHED[s][:-1]:
        transcript.update(rfc8448(name))
    verify_data = schedule.finished_verify_data(handshake.client_handshake_traffic_secret, transcript.digest())
    out["client_finished_verify_data"] = verify_data
    out["client_finished"] = Finished(verify_data=verify_data).encode()
    transcript.update(rfc8448(TO_CLIENT_FINISHED[s][-1]))
    out["resumption_master_secret"] = schedule.derive_resumption_master_secret(transcript.digest())

    if s == "s3":
        ems = application.exporter_master_secret
        out["selfcomputed.exporter_secret_exporter_test"] = derive_secret(
            crypto, SHA256, ems, b"EXPORTER-Test", empty_hash
        )
        out["selfcomputed.tls_exporter_exporter_test_empty_context_32"] = tls_exporter(
            crypto, SHA256, ems, b"EXPORTER-Test", b"", 32
        )
        out["selfcomputed.tls_exporter_via_exporter_object"] = schedule.exporter(ems).export(b"EXPORTER-Test", b"", 32)
    _cache[key] = out
    return out


# (our name, RFC 8448 name) per section.  One test per pair.
def _cases(section: str) -> list[tuple[str, str]]:
    s = section
    hs, ap = "handshake", "application"
    pairs = [
        ("client_public_key", f"{s}.client_{KEY_NAME[s]}_public_key"),
        ("server_public_key", f"{s}.server_{KEY_NAME[s]}_public_key"),
        ("ecdhe_shared_secret", f"{s}.ecdhe_shared_secret"),
        ("ecdhe_shared_secret.server_side", f"{s}.ecdhe_shared_secret"),
        ("transcript_hash.server_hello", f"{s}.client_handshake_traffic_secret.hash"),
        ("early_secret", f"{s}.early_secret"),
        ("derived_secret_for_handshake", f"{s}.derived_secret_for_handshake"),
        ("handshake_secret", f"{s}.handshake_secret"),
        ("client_handshake_traffic_secret", f"{s}.client_handshake_traffic_secret"),
        ("server_handshake_traffic_secret", f"{s}.server_handshake_traffic_secret"),
        ("derived_secret_for_master", f"{s}.derived_secret_for_master"),
        ("master_secret", f"{s}.master_secret"),
        ("transcript_hash.server_finished", f"{s}.client_application_traffic_secret_0.hash"),
        ("client_application_traffic_secret_0", f"{s}.client_application_traffic_secret_0"),
        ("server_application_traffic_secret_0", f"{s}.server_application_traffic_secret_0"),
        ("exporter_master_secret", f"{s}.exporter_master_secret"),
        ("resumption_master_secret", f"{s}.resumption_master_secret"),
        ("server_finished_key", f"{s}.server_finished_key"),
        ("client_finished_key", f"{s}.client_finished_key"),
        ("server_finished_verify_data", f"{s}.server_finished_verify_data"),
        ("client_finished_verify_data", f"{s}.client_finished_verify_data"),
        ("server_finished", f"{s}.server_finished"),
        ("client_finished", f"{s}.client_finished"),
    ]
    for side in ("client", "server"):
        for epoch in (hs, ap):
            pairs.append((f"{side}_{epoch}_key", f"{s}.{side}_{epoch}_key"))
            pairs.append((f"{side}_{epoch}_iv", f"{s}.{side}_{epoch}_iv"))
    if s == "s3":
        pairs += [
            ("selfcomputed.exporter_secret_exporter_test", "s3.selfcomputed.exporter_secret_exporter_test"),
            (
                "selfcomputed.tls_exporter_exporter_test_empty_context_32",
                "s3.selfcomputed.tls_exporter_exporter_test_empty_context_32",
            ),
            (
                "selfcomputed.tls_exporter_via_exporter_object",
                "s3.selfcomputed.tls_exporter_exporter_test_empty_context_32",
            ),
        ]
    return pairs


CASES = [(section, ours, theirs) for section in ("s3", "s5", "s6") for ours, theirs in _cases(section)]


@pytest.mark.parametrize(("section", "ours", "rfc_name"), CASES, ids=[f"{c[2]}<-{c[1]}" for c in CASES])
def test_value(crypto: CryptoProvider, section: str, ours: str, rfc_name: str) -> None:
    assert _compute(crypto, section)[ours].hex() == rfc8448(rfc_name).hex()


HKDF_LABEL_CASES: list[tuple[str, Callable[[], bytes]]] = [
    (
        "s3.derived_secret_for_handshake.info",
        lambda: encode_hkdf_label(b"derived", rfc8448("s3.derived_secret_for_handshake.hash"), 32),
    ),
    (
        "s3.client_handshake_traffic_secret.info",
        lambda: encode_hkdf_label(b"c hs traffic", rfc8448("s3.client_handshake_traffic_secret.hash"), 32),
    ),
    (
        "s3.server_application_traffic_secret_0.info",
        lambda: encode_hkdf_label(b"s ap traffic", rfc8448("s3.server_application_traffic_secret_0.hash"), 32),
    ),
    (
        "s3.exporter_master_secret.info",
        lambda: encode_hkdf_label(b"exp master", rfc8448("s3.exporter_master_secret.hash"), 32),
    ),
    ("s3.server_handshake_key.info", lambda: encode_hkdf_label(b"key", b"", 16)),
    ("s3.server_handshake_iv.info", lambda: encode_hkdf_label(b"iv", b"", 12)),
    ("s3.server_finished_key.info", lambda: encode_hkdf_label(b"finished", b"", 32)),
]


@pytest.mark.parametrize(("rfc_name", "build"), HKDF_LABEL_CASES, ids=[c[0] for c in HKDF_LABEL_CASES])
def test_hkdf_label_encoding(rfc_name: str, build: Callable[[], bytes]) -> None:
    """RFC 8446 §7.1 HkdfLabel, against the ``info`` the RFC 8448 trace prints."""
    assert build().hex() == rfc8448(rfc_name).hex()
