"""NIST CAVP AES-CCM vectors through the provider, on every backend.

Wycheproof has no group with a 13-byte nonce and an 8-byte tag, which is exactly
COSE's AES-CCM-16-64-128 (EDHOC suites 0 and 2).  NIST SP 800-38C CAVP files in
the ``cryptography-vectors`` package do: ``VTT128.rsp`` varies the tag length, and
``DVPT128.rsp`` has decryption-verification cases with Pass/Fail verdicts.
"""

from __future__ import annotations

import pytest

from ratscore.crypto import AeadAlgorithm, CryptoProvider
from ratscore.errors import DecryptError
from tests.vectors import cavp_records, open_cryptography_vector

_OURS = {
    (12, 16): AeadAlgorithm.AES_128_CCM,
    (12, 8): AeadAlgorithm.AES_128_CCM_8,
    (13, 8): AeadAlgorithm.AES_CCM_16_64_128,
    (13, 16): AeadAlgorithm.AES_CCM_16_128_128,
}


def _hex(record: dict[str, str], field: str, length_field: str) -> bytes:
    # CAVP writes "00" for an empty field and gives its real length separately.
    return bytes.fromhex(record[field]) if int(record[length_field]) else b""


@pytest.mark.parametrize("file_name", ["VTT128.rsp", "VNT128.rsp", "VPT128.rsp", "VADT128.rsp"])
def test_ccm_encryption_vectors(crypto: CryptoProvider, file_name: str) -> None:
    checked: dict[AeadAlgorithm, int] = {}
    for record in cavp_records(open_cryptography_vector(f"ciphers/AES/CCM/{file_name}")):
        nonce = bytes.fromhex(record["Nonce"])
        algorithm = _OURS.get((len(nonce), int(record["Tlen"])))
        if algorithm is None:
            continue  # nonce/tag sizes no protocol here uses
        aad, payload = _hex(record, "Adata", "Alen"), _hex(record, "Payload", "Plen")
        sealed = bytes.fromhex(record["CT"])
        aead = crypto.aead(algorithm, bytes.fromhex(record["Key"]))
        assert aead.encrypt(nonce, payload, aad) == sealed, f"{file_name} Count {record['Count']}"
        assert aead.decrypt(nonce, sealed, aad) == payload
        checked[algorithm] = checked.get(algorithm, 0) + 1
    print(f"NIST CCM {file_name} [{crypto.name}]: " + ", ".join(f"{a.label} {n}" for a, n in checked.items()))
    assert checked, f"no vector of {file_name} matched our CCM variants"
    if file_name == "VTT128.rsp":
        assert checked.get(AeadAlgorithm.AES_CCM_16_64_128, 0) > 0


def test_ccm_decryption_verification(crypto: CryptoProvider) -> None:
    verdicts = {"pass": 0, "fail": 0}
    for record in cavp_records(open_cryptography_vector("ciphers/AES/CCM/DVPT128.rsp")):
        nonce = bytes.fromhex(record["Nonce"])
        algorithm = _OURS.get((len(nonce), int(record["Tlen"])))
        if algorithm is None:
            continue
        aad, sealed = _hex(record, "Adata", "Alen"), bytes.fromhex(record["CT"])
        aead = crypto.aead(algorithm, bytes.fromhex(record["Key"]))
        if record["Result"].lower().startswith("fail"):
            with pytest.raises(DecryptError):
                aead.decrypt(nonce, sealed, aad)
            verdicts["fail"] += 1
        else:
            assert aead.decrypt(nonce, sealed, aad) == _hex(record, "Payload", "Plen")
            verdicts["pass"] += 1
    print(f"NIST CCM DVPT128.rsp [{crypto.name}]: {verdicts}")
    assert verdicts["pass"] > 0
    assert verdicts["fail"] > 0
