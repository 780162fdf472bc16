"""kcwt (CWT credentials by value) and x5bag, and the App. G long PLAINTEXT_2.

Outside truth: RFC 9529 Trace 2's CCS CRED_R and its P-256 key (§3.4) as a CWT
payload; RFC 9529 Trace 1's X.509 certificates, Ed25519 keys and x5t thumbprints
(§2.2, §2.3); the App. G keystream is recomputed here with the standard library's
HMAC (RFC 5869 §2.3) from PRK_2e and TH_2.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

import pytest

from edhoc_ra import (
    Credential,
    CredentialKind,
    CredentialRequested,
    EadItem,
    EdhocConfig,
    HandshakeCompleted,
    IdCred,
    Initiator,
    LocalCredential,
    Method,
    Responder,
    SessionContext,
    State,
)
from ratscore.crypto import CryptoProvider, KeyType
from ratscore.errors import DecodeError

from .helpers import Pair, make_pair, run_handshake
from .rfc9529_vectors import TRACE_1, TRACE_2


def _hex(table: dict[str, str], name: str) -> bytes:
    return bytes.fromhex(table[name])


CRED_R_CCS = _hex(TRACE_2, "CRED_R (CCS, CBOR)")
G_R = b"\x04" + _hex(TRACE_2, "G_R x") + _hex(TRACE_2, "G_R y")
CERT_R = _hex(TRACE_1, "CRED_R (DER cert, raw; CBOR = 58f1 || raw)")
CERT_I = _hex(TRACE_1, "CRED_I (DER cert, raw)")
# RFC 9529 §2.2/§2.3: ID_CRED_R = {34: [-15, h'79f2a41b510c1f9b']}, ID_CRED_I = {34: [-15, h'c24ab2fd7643c79f']}
X5T_R = [-15, bytes.fromhex("79f2a41b510c1f9b")]
X5T_I = [-15, bytes.fromhex("c24ab2fd7643c79f")]


def cwt_around(claims: bytes, signature: bytes = bytes(64)) -> bytes:
    """An untagged COSE_Sign1 (RFC 9052 §4.2) written out byte by byte:
    [ << {1: -7} >>, {}, << claims >>, signature ]."""
    assert 24 <= len(claims) < 256
    return b"\x84" + b"\x43\xa1\x01\x26" + b"\xa0" + b"\x58" + bytes([len(claims)]) + claims + b"\x58\x40" + signature


# -- kcwt ---------------------------------------------------------------------------------
def test_cwt_credential_from_rfc_claims(crypto: CryptoProvider) -> None:
    cwt = cwt_around(CRED_R_CCS)
    credential = Credential.from_cwt(cwt, crypto)
    assert credential.kind is CredentialKind.CWT
    assert credential.cred == cwt  # RFC 9528 §3.5.2: CRED_x is the untagged CWT itself
    assert credential.public_key.key_type is KeyType.P256
    assert credential.public_key.data == G_R
    assert credential.kid == b"\x32"
    assert credential.cwt_claims == CRED_R_CCS


def test_kcwt_id_cred(crypto: CryptoProvider) -> None:
    cwt = cwt_around(CRED_R_CCS)
    credential = Credential.from_cwt(cwt, crypto)
    id_cred = IdCred.by_value_cwt(credential)
    assert id_cred.encoded == b"\xa1\x0d" + cwt  # {13: CWT} (RFC 9528 §3.5.3.1, §10.6)
    assert not id_cred.is_reference
    assert id_cred.plaintext_encoding() == id_cred.encoded  # only a lone kid is compacted
    assert id_cred.credential_by_value(crypto) == credential
    assert id_cred.matches(credential, crypto)
    other = Credential.from_cwt(cwt_around(CRED_R_CCS, signature=b"\x01" * 64), crypto)
    assert not id_cred.matches(other, crypto)
    assert not id_cred.matches(Credential.from_ccs(CRED_R_CCS, crypto), crypto)


@pytest.mark.parametrize(
    "bad",
    [
        b"\xd2" + cwt_around(CRED_R_CCS),  # tagged COSE_Sign1: CRED_x must be untagged
        b"\x83\x43\xa1\x01\x26\xa0\x40",  # three items
        cwt_around(b"\xa1\x02\x78\x18" + b"a" * 24),  # claims without 'cnf'
        b"\x84\x40\xa0\xa0\x40",  # payload is not a bstr
    ],
    ids=["tagged", "three-items", "no-cnf", "payload-not-bstr"],
)
def test_cwt_credential_rejects(crypto: CryptoProvider, bad: bytes) -> None:
    with pytest.raises(DecodeError):
        Credential.from_cwt(bad, crypto)


def _cwt_local(crypto: CryptoProvider, kid: bytes) -> LocalCredential:
    key = crypto.generate_private_key(KeyType.P256)
    claims = Credential.from_public_key(key.public_key(), kid=kid, subject="cwt test").cred
    credential = Credential.from_cwt(cwt_around(claims), crypto)
    return LocalCredential(credential=credential, id_cred=IdCred.by_value_cwt(credential), private_key=key)


def test_handshake_with_kcwt_both_ways(crypto: CryptoProvider) -> None:
    """Method 3, both ID_CRED = {13: CWT}; no resolver, so the application sees the
    offered CWT in CredentialRequested and approves it."""
    initiator_local, responder_local = _cwt_local(crypto, b"\x2b"), _cwt_local(crypto, b"\x32")

    def config(local: LocalCredential) -> EdhocConfig:
        return EdhocConfig(method=Method.STAT_STAT, credential=local, suites=(2,))

    pair = Pair(
        Initiator(config(initiator_local), crypto=crypto),
        Responder(config(responder_local), crypto=crypto),
        initiator_local,
        responder_local,
    )
    run_handshake(pair)
    requests = [e for e in pair.initiator_events + pair.responder_events if isinstance(e, CredentialRequested)]
    assert [r.id_cred.encoded[:2] for r in requests] == [b"\xa1\x0d", b"\xa1\x0d"]
    assert [r.offered for r in requests] == [responder_local.credential, initiator_local.credential]
    completed = [e for e in pair.initiator_events + pair.responder_events if isinstance(e, HandshakeCompleted)]
    assert [e.peer_credential.kind for e in completed] == [CredentialKind.CWT, CredentialKind.CWT]
    assert pair.initiator.exporter(0, b"", 16) == pair.responder.exporter(0, b"", 16)


# -- x5bag ----------------------------------------------------------------------------------
def test_x5bag_with_x5t(crypto: CryptoProvider) -> None:
    credential_r = Credential.from_x509(CERT_R, crypto)
    id_cred = IdCred.x5bag([CERT_I, CERT_R], credential_r, crypto)
    # {32: [cert_I, cert_R], 34: [-15, x5t]}: keys in deterministic order (RFC 8949 §4.2.1)
    expected = (
        b"\xa2\x18\x20\x82\x58\xf1" + CERT_I + b"\x58\xf1" + CERT_R
        + b"\x18\x22\x82\x2e\x48" + bytes.fromhex("79f2a41b510c1f9b")
    )
    assert len(CERT_I) == len(CERT_R) == 0xF1
    assert id_cred.encoded == expected
    assert id_cred.parameters[34] == X5T_R
    assert id_cred.certificate_bag == (CERT_I, CERT_R)
    assert id_cred.is_reference  # the bag does not say which certificate is CRED_R
    assert id_cred.credential_by_value(crypto) is None
    found = id_cred.bag_certificate(crypto)
    assert found is not None and found.certificate == CERT_R
    assert id_cred.matches(credential_r, crypto)
    assert not id_cred.matches(Credential.from_x509(CERT_I, crypto), crypto)


def test_x5bag_single_certificate_and_malformed(crypto: CryptoProvider) -> None:
    credential_i = Credential.from_x509(CERT_I, crypto)
    single = IdCred.x5bag([CERT_I], credential_i, crypto)
    assert single.certificate_bag == (CERT_I,)  # COSE_X509 = bstr for one certificate (RFC 9360 §2)
    assert single.parameters[34] == X5T_I
    with pytest.raises(DecodeError):
        _ = IdCred.decode(b"\xa1\x18\x20\x81\x41\x00").certificate_bag  # one-element array
    with pytest.raises(DecodeError):
        _ = IdCred.decode(b"\xa1\x18\x20\x01").certificate_bag  # not a bstr
    no_match = IdCred.decode(b"\xa2\x18\x20\x41\x00\x18\x22\x82\x2e\x48" + bytes(8))
    assert no_match.bag_certificate(crypto) is None


def test_handshake_with_x5bag_rfc9529_trace_1_keys(crypto: CryptoProvider) -> None:
    """Method 0, suite 0, RFC 9529 Trace 1 certificates and Ed25519 keys; each side sends
    an x5bag holding both certificates plus the x5t of its own; the resolver takes the
    named certificate out of the bag (path validation would happen there)."""
    credential_i, credential_r = Credential.from_x509(CERT_I, crypto), Credential.from_x509(CERT_R, crypto)
    bag = [CERT_I, CERT_R]

    def resolve(id_cred: IdCred) -> Credential | None:
        return id_cred.bag_certificate(crypto)

    def config(credential: Credential, secret: str) -> EdhocConfig:
        key = crypto.load_private_key(KeyType.ED25519, _hex(TRACE_1, secret))
        local = LocalCredential(credential=credential, id_cred=IdCred.x5bag(bag, credential, crypto), private_key=key)
        return EdhocConfig(method=Method.SIG_SIG, credential=local, suites=(0,), credential_resolver=resolve)

    initiator = Initiator(config(credential_i, "SK_I (Ed25519 priv)"), crypto=crypto)
    responder = Responder(config(credential_r, "SK_R (Ed25519 priv)"), crypto=crypto)
    pair = run_handshake(Pair(initiator, responder, initiator.config.credential, responder.config.credential))
    assert initiator.state is State.COMPLETED and responder.state is State.COMPLETED
    assert initiator.peer_credential == credential_r and responder.peer_credential == credential_i
    assert pair.initiator.exporter(0, b"", 16) == pair.responder.exporter(0, b"", 16)


# -- App. G: PLAINTEXT_2 longer than 255 * hash_length ---------------------------------
class BigEad2:
    """Produces one EAD_2 item of ``size`` bytes; consumes it on the other side."""

    labels = (77,)

    def __init__(self, size: int) -> None:
        self.size = size
        self.received: list[int] = []

    def produce(self, context: SessionContext) -> Sequence[EadItem]:
        return [EadItem(label=77, value=bytes(range(256)) * (self.size // 256) + bytes(self.size % 256))] if (
            context.message_number == 2
        ) else []

    def consume(self, items: Sequence[EadItem], context: SessionContext) -> None:
        self.received.extend(len(item.value or b"") for item in items)

    def message_verified(self, items: Sequence[EadItem], context: SessionContext) -> None:
        pass


def _hkdf_expand_sha256(prk: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 §2.3 with the stdlib only (independent of the code under test)."""
    output, block, counter = b"", b"", 1
    while len(output) < length:
        block = hmac.digest(prk, block + info + bytes([counter]), "sha256")
        output += block
        counter += 1
    return output[:length]


def _info(label: int, context: bytes, length: int) -> bytes:
    """info = (int label, bstr context, uint length) for these sizes, written out by hand."""
    label_bytes = bytes([label]) if label >= 0 else bytes([0x20 - 1 - label])  # -1 -> 0x20
    assert len(context) == 32 and 256 <= length < 65536
    return label_bytes + b"\x58\x20" + context + b"\x19" + length.to_bytes(2, "big")


@pytest.mark.parametrize("ead_size", [8100, 8500], ids=["one-part", "two-parts"])
def test_long_plaintext_2_app_g(crypto: CryptoProvider, ead_size: int) -> None:
    handler = BigEad2(ead_size)
    logs: dict[str, dict[str, bytes]] = {"initiator": {}, "responder": {}}
    overrides = {"max_ead_size": 9000, "max_message_size": 10000, "ead_handlers": (handler,)}
    pair = make_pair(
        crypto,
        Method.STAT_STAT,
        0,  # X25519 keeps the pure backend cheap; the keystream is SHA-256 either way
        initiator_overrides={**overrides, "debug_log": logs["initiator"].__setitem__},
        responder_overrides={**overrides, "debug_log": logs["responder"].__setitem__},
    )
    run_handshake(pair)
    assert pair.initiator.state is State.COMPLETED and pair.responder.state is State.COMPLETED
    assert handler.received == [ead_size]
    assert pair.initiator.exporter(0, b"", 16) == pair.responder.exporter(0, b"", 16)

    log = logs["responder"]
    length = len(log["PLAINTEXT_2"])
    part = 255 * 32  # App. G: parts of 255 * hash_length bytes
    assert (length > part) == (ead_size == 8500)
    prk_2e, th_2 = log["PRK_2e"], log["TH_2"]
    # RFC 9528 App. G: KEYSTREAM_2 = OKM(0) || OKM(1) ..., OKM(i) = EDHOC_KDF(PRK_2e, -i, TH_2, len(P(i)))
    expected = b""
    for index, start in enumerate(range(0, length, part)):
        size = min(part, length - start)
        if size < 256:  # only the sizes _info writes; the test sizes avoid the others
            pytest.fail("choose EAD sizes whose last part is >= 256 bytes")
        expected += _hkdf_expand_sha256(prk_2e, _info(-index, th_2, size), size)
    assert log["KEYSTREAM_2"] == expected
    assert logs["initiator"]["KEYSTREAM_2"] == expected
