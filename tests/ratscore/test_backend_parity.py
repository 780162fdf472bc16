"""Differential tests: the pure and ``cryptography`` backends agree on every output,
and what one signs the other verifies.

Deterministic outputs (public keys, shared secrets, EdDSA and PKCS#1 v1.5
signatures, AEAD ciphertexts) must be byte-identical; randomised signatures
(ECDSA, PSS) must verify across backends in both directions.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratscore.crypto import (
    AeadAlgorithm,
    CryptoProvider,
    EcdsaEncoding,
    KeyType,
    PrivateKey,
    SignatureAlgorithm,
    get_provider,
)
from ratscore.crypto.policy import EC_ORDERS
from ratscore.errors import UnsupportedAlgorithm

_SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def backends() -> tuple[CryptoProvider, CryptoProvider]:
    try:
        return get_provider("pure"), get_provider("cryptography")
    except UnsupportedAlgorithm as exc:
        pytest.skip(f"parity needs both backends: {exc}")


@pytest.fixture(scope="module")
def rsa_private_der(backends: tuple[CryptoProvider, CryptoProvider]) -> bytes:
    # Generated once by the fast backend; the pure backend's keygen has its own test.
    return backends[1].generate_private_key(KeyType.RSA, rsa_bits=2048).private_bytes()


def _private_bytes_strategy(key_type: KeyType) -> st.SearchStrategy[bytes]:
    if key_type.is_ec:
        order = EC_ORDERS[key_type]
        return st.integers(min_value=1, max_value=order - 1).map(lambda n: n.to_bytes(key_type.size, "big"))
    size = {KeyType.X25519: 32, KeyType.X448: 56, KeyType.ED25519: 32, KeyType.ED448: 57}[key_type]
    return st.binary(min_size=size, max_size=size)


_NON_RSA = [k for k in KeyType if k is not KeyType.RSA]


@pytest.mark.parametrize("key_type", _NON_RSA, ids=lambda k: k.label)
def test_public_keys_agree(backends: tuple[CryptoProvider, CryptoProvider], key_type: KeyType) -> None:
    pure, fast = backends

    @_SETTINGS
    @given(private=_private_bytes_strategy(key_type))
    def check(private: bytes) -> None:
        a = pure.load_private_key(key_type, private)
        b = fast.load_private_key(key_type, private)
        assert a.public_key() == b.public_key()
        assert a.private_bytes() == b.private_bytes()

    check()


@pytest.mark.parametrize("key_type", [k for k in KeyType if k.can_exchange], ids=lambda k: k.label)
def test_key_agreement_agrees(backends: tuple[CryptoProvider, CryptoProvider], key_type: KeyType) -> None:
    pure, fast = backends

    @_SETTINGS
    @given(mine=_private_bytes_strategy(key_type), theirs=_private_bytes_strategy(key_type))
    def check(mine: bytes, theirs: bytes) -> None:
        peer = fast.load_private_key(key_type, theirs).public_key()
        assert pure.load_private_key(key_type, mine).exchange(peer) == fast.load_private_key(
            key_type, mine
        ).exchange(peer)

    check()


def _signing_cases() -> list[tuple[SignatureAlgorithm, KeyType, EcdsaEncoding]]:
    cases: list[tuple[SignatureAlgorithm, KeyType, EcdsaEncoding]] = []
    for algorithm in SignatureAlgorithm:
        for key_type in algorithm.compatible_key_types():
            encodings = list(EcdsaEncoding) if algorithm.is_ecdsa else [EcdsaEncoding.DER]
            cases.extend((algorithm, key_type, encoding) for encoding in encodings)
    return cases


@pytest.mark.parametrize(
    ("algorithm", "key_type", "encoding"),
    _signing_cases(),
    ids=lambda v: getattr(v, "label", getattr(v, "value", str(v))),
)
def test_signatures_cross_verify(
    backends: tuple[CryptoProvider, CryptoProvider],
    rsa_private_der: bytes,
    algorithm: SignatureAlgorithm,
    key_type: KeyType,
    encoding: EcdsaEncoding,
) -> None:
    pure, fast = backends
    strategy = st.just(rsa_private_der) if key_type is KeyType.RSA else _private_bytes_strategy(key_type)
    deterministic = algorithm in (
        SignatureAlgorithm.ED25519,
        SignatureAlgorithm.ED448,
    ) or algorithm.label.startswith("RSA-PKCS1")

    @settings(_SETTINGS, max_examples=4 if key_type is KeyType.RSA else 8)
    @given(private=strategy, message=st.binary(max_size=200))
    def check(private: bytes, message: bytes) -> None:
        keys: list[tuple[CryptoProvider, PrivateKey]] = [
            (pure, pure.load_private_key(key_type, private)),
            (fast, fast.load_private_key(key_type, private)),
        ]
        signatures = [key.sign(message, algorithm, encoding=encoding) for _, key in keys]
        for signature in signatures:
            for provider, key in keys:
                provider.verify(key.public_key(), signature, message, algorithm, encoding=encoding)
        if deterministic:
            assert signatures[0] == signatures[1]

    check()


@pytest.mark.parametrize("algorithm", list(AeadAlgorithm), ids=lambda a: a.label)
def test_aead_agrees(backends: tuple[CryptoProvider, CryptoProvider], algorithm: AeadAlgorithm) -> None:
    pure, fast = backends

    @_SETTINGS
    @given(
        key=st.binary(min_size=algorithm.key_size, max_size=algorithm.key_size),
        nonce=st.binary(min_size=algorithm.nonce_size, max_size=algorithm.nonce_size),
        plaintext=st.binary(max_size=300),
        aad=st.binary(max_size=64),
    )
    def check(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> None:
        sealed = pure.aead(algorithm, key).encrypt(nonce, plaintext, aad)
        assert sealed == fast.aead(algorithm, key).encrypt(nonce, plaintext, aad)
        assert fast.aead(algorithm, key).decrypt(nonce, sealed, aad) == plaintext
        assert pure.aead(algorithm, key).decrypt(nonce, sealed, aad) == plaintext

    check()


def test_generated_keys_cross_backend(backends: tuple[CryptoProvider, CryptoProvider]) -> None:
    # Keys generated by either backend load in the other with the same public key.
    for key_type in _NON_RSA:
        for source, target in (backends, backends[::-1]):
            key = source.generate_private_key(key_type)
            assert target.load_private_key(key_type, key.private_bytes()).public_key() == key.public_key()
