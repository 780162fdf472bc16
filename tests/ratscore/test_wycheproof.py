"""Wycheproof through the provider interface: every vector, both backends, one policy.

Each test walks a whole file (or the groups our API claims), gives every vector
its expected verdict and collects mismatches, so one run names every failing
tcId.  Counts are printed (``pytest -s``) and asserted non-zero, never pinned.

Policy for "acceptable" vectors (Wycheproof leaves the choice to the protocol):

* X25519/X448 ``ZeroSharedSecret``: must be rejected (RFC 8446 §7.4.2,
  RFC 9528 §9.5 require refusing an all-zero result).  Every other acceptable
  X25519/X448 vector (twist points, non-canonical u) must yield the RFC 7748 value.
* Ed25519/Ed448 small- and mixed-order public keys: accepted, as OpenSSL does
  (cofactorless verification with an exact R comparison); both backends agree.
* ECDH compressed public points: accepted (SEC1 allows them; EDHOC and COSE
  use compressed or x-only keys).
* RSA PKCS#1 v1.5 ``MissingNull`` (DigestInfo without NULL parameters):
  rejected; we compare the whole re-encoded EM (RFC 8017 §8.2.2 step 4).
* Parameters our API does not offer (GCM nonces other than 96 bits, AES-192,
  CCM tag/nonce sizes no protocol here uses, RSA moduli outside 2048-4096 bits,
  PSS salts other than the hash length) are filtered out by group, and API-level
  rejection of such parameters is tested separately.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import pytest

from ratscore.crypto import (
    AeadAlgorithm,
    CryptoProvider,
    EcdsaEncoding,
    HashAlgorithm,
    KeyType,
    PublicKey,
    SignatureAlgorithm,
)
from ratscore.errors import CryptoError, DecryptError, InvalidPublicKey
from tests.vectors import WycheproofCase, wycheproof_cases


class _Tally:
    def __init__(self, label: str, backend: str) -> None:
        self.label = label
        self.backend = backend
        self.results: Counter[str] = Counter()
        self.failures: list[str] = []

    def check(self, case: WycheproofCase, ok: bool, detail: str = "") -> None:
        self.results[case.result] += 1
        if not ok:
            self.failures.append(f"tcId {case.tc_id} ({case.result}, {','.join(case.flags)}) {detail}")

    def finish(self) -> None:
        total = sum(self.results.values())
        summary = ", ".join(f"{count} {name}" for name, count in sorted(self.results.items()))
        print(f"wycheproof {self.label} [{self.backend}]: {total} vectors ({summary})")
        assert total > 0, f"no vectors loaded from {self.label}"
        assert not self.failures, f"{len(self.failures)} mismatches in {self.label}:\n" + "\n".join(
            self.failures[:20]
        )


def _raises(call: Callable[[], object], error: type[BaseException] = CryptoError) -> bool:
    try:
        call()
    except error:
        return True
    return False


# -- key agreement --------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "key_type"),
    [("x25519_test.json", KeyType.X25519), ("x448_test.json", KeyType.X448)],
)
def test_xdh(crypto: CryptoProvider, file_name: str, key_type: KeyType) -> None:
    tally = _Tally(file_name, crypto.name)
    for case in wycheproof_cases("Protocol", file_name):
        key = crypto.load_private_key(key_type, case.hex("private"))
        peer = PublicKey(key_type=key_type, data=case.hex("public"))
        must_reject = case.result == "invalid" or "ZeroSharedSecret" in case.flags
        if must_reject:
            tally.check(case, _raises(lambda: key.exchange(peer), InvalidPublicKey), "accepted")
        else:
            try:
                shared = key.exchange(peer)
            except CryptoError as exc:
                tally.check(case, False, f"raised {exc!r}")
                continue
            tally.check(case, shared == case.hex("shared"), "wrong shared secret")
    tally.finish()


def _ec_scalar(key_type: KeyType, private_hex: str) -> bytes:
    # Wycheproof writes scalars as signed big-endian hex (a leading 00 may appear).
    return int(private_hex, 16).to_bytes(key_type.size, "big")


@pytest.mark.parametrize(
    ("file_name", "key_type"),
    [("ecdh_secp256r1_ecpoint_test.json", KeyType.P256), ("ecdh_secp384r1_ecpoint_test.json", KeyType.P384)],
)
def test_ecdh_ecpoint(crypto: CryptoProvider, file_name: str, key_type: KeyType) -> None:
    tally = _Tally(file_name, crypto.name)
    for case in wycheproof_cases("Protocol", file_name):
        key = crypto.load_private_key(key_type, _ec_scalar(key_type, case.test["private"]))

        def agree(key: object = key, case: WycheproofCase = case) -> bytes:
            peer = crypto.load_public_key(key_type, case.hex("public"))
            return key.exchange(peer)  # type: ignore[attr-defined, no-any-return]  # key is a PrivateKey

        if case.result == "invalid":
            tally.check(case, _raises(agree, InvalidPublicKey), "accepted")
            continue
        try:
            shared = agree()
        except CryptoError as exc:
            tally.check(case, False, f"raised {exc!r}")
            continue
        tally.check(case, shared == case.hex("shared"), "wrong shared secret")
    tally.finish()


# -- signatures -----------------------------------------------------------------


def _verify_cases(
    crypto: CryptoProvider,
    label: str,
    cases: Iterable[WycheproofCase],
    public_key_of: Callable[[WycheproofCase], PublicKey],
    algorithm: SignatureAlgorithm,
    encoding: EcdsaEncoding = EcdsaEncoding.DER,
    accept_acceptable: bool = True,
) -> None:
    tally = _Tally(label, crypto.name)
    for case in cases:
        expect_valid = case.result == "valid" or (case.result == "acceptable" and accept_acceptable)

        def verify(case: WycheproofCase = case) -> None:
            public_key = public_key_of(case)
            crypto.verify(public_key, case.hex("sig"), case.hex("msg"), algorithm, encoding=encoding)

        if expect_valid:
            try:
                verify()
            except CryptoError as exc:
                tally.check(case, False, f"rejected: {exc!r}")
                continue
            tally.check(case, True)
        else:
            tally.check(case, _raises(verify), "accepted")
    tally.finish()


@pytest.mark.parametrize(
    ("file_name", "key_type", "algorithm"),
    [
        ("ed25519_test.json", KeyType.ED25519, SignatureAlgorithm.ED25519),
        ("ed448_test.json", KeyType.ED448, SignatureAlgorithm.ED448),
    ],
)
def test_eddsa(
    crypto: CryptoProvider, file_name: str, key_type: KeyType, algorithm: SignatureAlgorithm
) -> None:
    def public_key_of(case: WycheproofCase) -> PublicKey:
        return crypto.load_public_key(key_type, bytes.fromhex(case.group["publicKey"]["pk"]))

    _verify_cases(crypto, file_name, wycheproof_cases("Signature", file_name), public_key_of, algorithm)


_ECDSA_FILES = [
    ("ecdsa_secp256r1_sha256_test.json", KeyType.P256, SignatureAlgorithm.ECDSA_SHA256, EcdsaEncoding.DER),
    ("ecdsa_secp256r1_sha256_p1363_test.json", KeyType.P256, SignatureAlgorithm.ECDSA_SHA256, EcdsaEncoding.RAW),
    ("ecdsa_secp256r1_sha512_test.json", KeyType.P256, SignatureAlgorithm.ECDSA_SHA512, EcdsaEncoding.DER),
    ("ecdsa_secp384r1_sha384_test.json", KeyType.P384, SignatureAlgorithm.ECDSA_SHA384, EcdsaEncoding.DER),
    ("ecdsa_secp384r1_sha384_p1363_test.json", KeyType.P384, SignatureAlgorithm.ECDSA_SHA384, EcdsaEncoding.RAW),
    ("ecdsa_secp384r1_sha256_test.json", KeyType.P384, SignatureAlgorithm.ECDSA_SHA256, EcdsaEncoding.DER),
    ("ecdsa_secp384r1_sha512_test.json", KeyType.P384, SignatureAlgorithm.ECDSA_SHA512, EcdsaEncoding.DER),
]


@pytest.mark.parametrize(("file_name", "key_type", "algorithm", "encoding"), _ECDSA_FILES, ids=str)
def test_ecdsa(
    crypto: CryptoProvider,
    file_name: str,
    key_type: KeyType,
    algorithm: SignatureAlgorithm,
    encoding: EcdsaEncoding,
) -> None:
    def public_key_of(case: WycheproofCase) -> PublicKey:
        return crypto.load_public_key(key_type, bytes.fromhex(case.group["publicKey"]["uncompressed"]))

    _verify_cases(crypto, file_name, wycheproof_cases("Signature", file_name), public_key_of, algorithm, encoding)


_RSA_HASHES = {"SHA-256": "SHA256", "SHA-384": "SHA384", "SHA-512": "SHA512"}


def _rsa_public_key(crypto: CryptoProvider, case: WycheproofCase) -> PublicKey:
    return crypto.load_public_key(KeyType.RSA, bytes.fromhex(case.group["publicKeyAsn"]))


@pytest.mark.parametrize(
    "file_name",
    [
        "rsa_pss_2048_sha256_mgf1_32_test.json",
        "rsa_pss_2048_sha384_mgf1_48_test.json",
        "rsa_pss_3072_sha256_mgf1_32_test.json",
        "rsa_pss_4096_sha256_mgf1_32_test.json",
        "rsa_pss_4096_sha384_mgf1_48_test.json",
        "rsa_pss_4096_sha512_mgf1_64_test.json",
        "rsa_pss_misc_test.json",
    ],
)
def test_rsa_pss(crypto: CryptoProvider, file_name: str) -> None:
    # Our PSS is RFC 8446's: MGF1 with the message hash and a salt as long as the hash.
    def ours(case: WycheproofCase) -> bool:
        group = case.group
        sha = group["sha"]
        return (
            sha in _RSA_HASHES
            and group["mgf"] == "MGF1"
            and group["mgfSha"] == sha
            and group["sLen"] == HashAlgorithm[_RSA_HASHES[sha]].digest_size
            and 2048 <= group["keySize"] <= 4096
        )

    cases = [case for case in wycheproof_cases("Signature", file_name) if ours(case)]
    by_hash = Counter(case.group["sha"] for case in cases)
    for sha in by_hash:
        algorithm = SignatureAlgorithm[f"RSA_PSS_{_RSA_HASHES[sha]}"]
        _verify_cases(
            crypto,
            f"{file_name} {sha}",
            [case for case in cases if case.group["sha"] == sha],
            lambda case: _rsa_public_key(crypto, case),
            algorithm,
        )
    assert by_hash, f"no group of {file_name} matches our PSS parameters"


@pytest.mark.parametrize(
    ("file_name", "hash_name"),
    [
        ("rsa_signature_2048_sha256_test.json", "SHA256"),
        ("rsa_signature_2048_sha384_test.json", "SHA384"),
        ("rsa_signature_2048_sha512_test.json", "SHA512"),
        ("rsa_signature_3072_sha256_test.json", "SHA256"),
        ("rsa_signature_3072_sha384_test.json", "SHA384"),
        ("rsa_signature_3072_sha512_test.json", "SHA512"),
        ("rsa_signature_4096_sha256_test.json", "SHA256"),
        ("rsa_signature_4096_sha384_test.json", "SHA384"),
        ("rsa_signature_4096_sha512_test.json", "SHA512"),
    ],
)
def test_rsa_pkcs1v15(crypto: CryptoProvider, file_name: str, hash_name: str) -> None:
    _verify_cases(
        crypto,
        file_name,
        wycheproof_cases("Signature", file_name),
        lambda case: _rsa_public_key(crypto, case),
        SignatureAlgorithm[f"RSA_PKCS1_{hash_name}"],
        accept_acceptable=False,
    )


def test_rsa_outside_policy_sizes_refused(crypto: CryptoProvider) -> None:
    # 8192-bit keys are valid RSA but outside our 2048..4096 verification policy.
    case = next(iter(wycheproof_cases("Signature", "rsa_signature_8192_sha256_test.json")))
    with pytest.raises(InvalidPublicKey):
        _rsa_public_key(crypto, case)


# -- AEAD -----------------------------------------------------------------------

_GCM = {128: AeadAlgorithm.AES_128_GCM, 256: AeadAlgorithm.AES_256_GCM}
_CCM = {
    (96, 128): AeadAlgorithm.AES_128_CCM,
    (96, 64): AeadAlgorithm.AES_128_CCM_8,
    (104, 64): AeadAlgorithm.AES_CCM_16_64_128,
    (104, 128): AeadAlgorithm.AES_CCM_16_128_128,
}


def _aead_cases(
    crypto: CryptoProvider, file_name: str, algorithm_of: Callable[[dict[str, object]], AeadAlgorithm | None]
) -> None:
    tally = _Tally(file_name, crypto.name)
    for case in wycheproof_cases("Cipher", file_name):
        algorithm = algorithm_of(case.group)
        if algorithm is None:
            continue
        aead = crypto.aead(algorithm, case.hex("key"))
        nonce, aad = case.hex("iv"), case.hex("aad")
        sealed = case.hex("ct") + case.hex("tag")
        if case.result == "valid":
            ok = aead.encrypt(nonce, case.hex("msg"), aad) == sealed
            ok = ok and aead.decrypt(nonce, sealed, aad) == case.hex("msg")
            tally.check(case, ok, "wrong output")
        else:
            tally.check(case, _raises(lambda: aead.decrypt(nonce, sealed, aad), DecryptError), "decrypted")
    tally.finish()


def test_aes_gcm(crypto: CryptoProvider) -> None:
    def algorithm_of(group: dict[str, object]) -> AeadAlgorithm | None:
        if group["ivSize"] != 96 or group["tagSize"] != 128:
            return None  # other nonce sizes: see test_aead_rejects_wrong_nonce_length
        return _GCM.get(int(str(group["keySize"])))

    _aead_cases(crypto, "aes_gcm_test.json", algorithm_of)


def test_aes_ccm(crypto: CryptoProvider) -> None:
    def algorithm_of(group: dict[str, object]) -> AeadAlgorithm | None:
        if group["keySize"] != 128:
            return None
        return _CCM.get((int(str(group["ivSize"])), int(str(group["tagSize"]))))

    _aead_cases(crypto, "aes_ccm_test.json", algorithm_of)


def test_chacha20_poly1305(crypto: CryptoProvider) -> None:
    def algorithm_of(group: dict[str, object]) -> AeadAlgorithm | None:
        return AeadAlgorithm.CHACHA20_POLY1305 if group["ivSize"] == 96 else None

    _aead_cases(crypto, "chacha20_poly1305_test.json", algorithm_of)


@pytest.mark.parametrize("algorithm", list(AeadAlgorithm), ids=lambda a: a.label)
def test_aead_rejects_wrong_nonce_length(crypto: CryptoProvider, algorithm: AeadAlgorithm) -> None:
    aead = crypto.aead(algorithm, bytes(algorithm.key_size))
    for size in (0, algorithm.nonce_size - 1, algorithm.nonce_size + 1):
        with pytest.raises(CryptoError):
            aead.encrypt(bytes(size), b"data", b"")
        with pytest.raises(CryptoError):
            aead.decrypt(bytes(size), bytes(32), b"")
    with pytest.raises(CryptoError):
        crypto.aead(algorithm, bytes(algorithm.key_size + 1))


# -- HKDF -----------------------------------------------------------------------


@pytest.mark.parametrize("hash_name", ["SHA256", "SHA384", "SHA512"])
def test_hkdf(crypto: CryptoProvider, hash_name: str) -> None:
    algorithm = HashAlgorithm[hash_name]
    file_name = f"hkdf_{hash_name.lower()}_test.json"
    tally = _Tally(file_name, crypto.name)
    for case in wycheproof_cases("Protocol", file_name):

        def derive(case: WycheproofCase = case) -> bytes:
            prk = crypto.hkdf_extract(algorithm, case.hex("salt"), case.hex("ikm"))
            return crypto.hkdf_expand(algorithm, prk, case.hex("info"), int(case.test["size"]))

        if case.result == "invalid":
            tally.check(case, _raises(derive), "derived")
        else:
            tally.check(case, derive() == case.hex("okm"), "wrong okm")
    tally.finish()
