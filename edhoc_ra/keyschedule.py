"""The EDHOC key schedule (RFC 9528 §4, §5.3.2, §5.4.2, App. G, App. H).

Theory of operation
-------------------
``KeySchedule`` binds a cipher suite to a crypto provider and offers the primitive
operations the message processing needs; it holds no session state.

* EDHOC_Extract / EDHOC_Expand are HKDF with the suite's SHA-2 hash, or KMAC256
  for the SHAKE256 suite 25 (§4.1.1, §4.1.2).
* EDHOC_KDF(PRK, label, context, length) = EDHOC_Expand(PRK, info, length) with
  ``info`` the CBOR sequence ``int(label) || bstr(context) || uint(length)``.
* The transcript hashes hash CBOR sequences: TH_2 = H(G_Y, H(message_1)),
  TH_3 = H(TH_2, PLAINTEXT_2, CRED_R), TH_4 = H(TH_3, PLAINTEXT_3, CRED_I)
  (§5.3.2, §5.4.2); byte strings among the inputs are CBOR-encoded, PLAINTEXT_x
  and CRED_x already are CBOR.
* KEYSTREAM_2 longer than EDHOC_Expand can deliver uses App. G: parts of
  255 * hash_length bytes keyed with labels 0, -1, -2, ...

A handshake runs some twenty EDHOC_KDF calls whose output fits one hash block, so
``kdf`` builds ``info || 0x01`` in one expression and makes a single HMAC call
(RFC 5869 §2.3, T(1)); ``schedule_for`` shares one ``KeySchedule`` per (suite,
provider) between sessions.
"""

from __future__ import annotations

import threading
from typing import Final

from ratscore.crypto import CryptoProvider, HashAlgorithm
from ratscore.crypto.kmac import kmac256
from ratscore.errors import UnsupportedAlgorithm

from .codec import BSTR_HEADS, encode_bstr, encode_int
from .suites import CipherSuite

__all__ = ["KeySchedule", "Label", "schedule_for"]

# Shortest CBOR uint heads (RFC 8949 §3.1, §4.2.1) for 0..255: one byte below 24,
# else 0x18 n.  _LENGTH_TAILS appends the HKDF block counter of T(1) (RFC 5869 §2.3:
# T(1) = HMAC-Hash(PRK, T(0) | info | 0x01)) to the info's closing length item.
_UINT_HEADS: Final = tuple(bytes((n,)) if n < 24 else bytes((0x18, n)) for n in range(256))
_LENGTH_TAILS: Final = tuple(head + b"\x01" for head in _UINT_HEADS)
_T1_COUNTER: Final = b"\x01"
_BSTR_HEADS: Final = BSTR_HEADS


class Label:
    """EDHOC_KDF info_label values (RFC 9528 §4.1.2 Figure 6, App. H)."""

    KEYSTREAM_2: Final = 0
    SALT_3E2M: Final = 1
    MAC_2: Final = 2
    K_3: Final = 3
    IV_3: Final = 4
    SALT_4E3M: Final = 5
    MAC_3: Final = 6
    PRK_OUT: Final = 7
    K_4: Final = 8
    IV_4: Final = 9
    PRK_EXPORTER: Final = 10
    KEY_UPDATE: Final = 11


class KeySchedule:
    """Suite-bound EDHOC primitives (see module doc)."""

    __slots__ = ("_algorithm", "_is_shake", "_one_block_limit", "crypto", "hash_length", "suite")

    def __init__(self, suite: CipherSuite, crypto: CryptoProvider) -> None:
        self.suite = suite
        self.crypto = crypto
        self._algorithm = suite.edhoc_hash
        self._is_shake = suite.edhoc_hash is HashAlgorithm.SHAKE256
        self.hash_length = suite.hash_length
        # Longest output of a single HMAC block; none for KMAC (suite 25)
        self._one_block_limit = -1 if self._is_shake else self.hash_length

    def hash(self, data: bytes) -> bytes:
        return self.crypto.hash(self._algorithm, data)

    def extract(self, salt: bytes, ikm: bytes) -> bytes:
        """EDHOC_Extract (RFC 9528 §4.1.1)."""
        if self._is_shake:
            return kmac256(salt, ikm, 64)  # KMAC256(salt, IKM, 512, "")
        return self.crypto.hkdf_extract(self._algorithm, salt, ikm)

    def expand(self, prk: bytes, info: bytes, length: int) -> bytes:
        """EDHOC_Expand (RFC 9528 §4.1.2)."""
        algorithm = self._algorithm
        if self._is_shake:
            return kmac256(prk, info, length)  # KMAC256(PRK, info, 8 * length, "")
        if length <= self.hash_length and len(prk) >= self.hash_length:
            # RFC 5869 §2.3: one block suffices, OKM = T(1) = HMAC-Hash(PRK, info | 0x01)
            return self.crypto.hmac(algorithm, prk, info + _T1_COUNTER)[:length]
        if algorithm.digest_size * 255 < length:
            raise UnsupportedAlgorithm("HKDF-Expand output is limited to 255 * hash_length bytes")
        return self.crypto.hkdf_expand(algorithm, prk, info, length)

    def kdf(self, prk: bytes, label: int, context: bytes, length: int) -> bytes:
        """EDHOC_KDF (RFC 9528 §4.1.2): info = (info_label: int, context: bstr, length: uint)."""
        size = len(context)
        # One expression tests label, size and length for 0..255 (a negative int or one
        # above 255 leaves bits set above bit 7): then every head comes from a table.
        small = not (label | size | length) >> 8
        if small and length <= self._one_block_limit and len(prk) >= self.hash_length:
            # RFC 5869 §2.3: one block suffices, OKM = T(1) = HMAC-Hash(PRK, info | 0x01)
            info_t1 = _UINT_HEADS[label] + _BSTR_HEADS[size] + context + _LENGTH_TAILS[length]
            return self.crypto.hmac(self._algorithm, prk, info_t1)[:length]
        if small:
            info = _UINT_HEADS[label] + _BSTR_HEADS[size] + context + _UINT_HEADS[length]
        else:
            info = encode_int(label) + encode_bstr(context) + encode_int(length)
        return self.expand(prk, info, length)

    def keystream_2(self, prk_2e: bytes, th_2: bytes, length: int) -> bytes:
        """KEYSTREAM_2 (§5.3.2), split per App. G when longer than 255 * hash_length."""
        part_length = 255 * self.hash_length
        if self._is_shake or length <= part_length:
            return self.kdf(prk_2e, Label.KEYSTREAM_2, th_2, length)
        parts = []
        for index, start in enumerate(range(0, length, part_length)):
            # App. G: OKM(i) = EDHOC_KDF(PRK_2e, -i, TH_2, length(P(i)))
            parts.append(self.kdf(prk_2e, -index, th_2, min(part_length, length - start)))
        return b"".join(parts)

    # -- transcript hashes (§5.3.2, §5.4.2) ---------------------------------------
    def th_2(self, g_y: bytes, hash_message_1: bytes) -> bytes:
        if len(g_y) < 256 and len(hash_message_1) < 256:
            data = _BSTR_HEADS[len(g_y)] + g_y + _BSTR_HEADS[len(hash_message_1)] + hash_message_1
        else:
            data = encode_bstr(g_y) + encode_bstr(hash_message_1)
        return self.crypto.hash(self._algorithm, data)

    def th_next(self, previous_th: bytes, plaintext: bytes, credential: bytes) -> bytes:
        """TH_3 = H(TH_2, PLAINTEXT_2, CRED_R) and TH_4 = H(TH_3, PLAINTEXT_3, CRED_I)."""
        if len(previous_th) < 256:
            data = _BSTR_HEADS[len(previous_th)] + previous_th + plaintext + credential
        else:
            data = encode_bstr(previous_th) + plaintext + credential
        return self.crypto.hash(self._algorithm, data)

    # -- outputs (§4.1.3, §4.2.1, App. H) -----------------------------------------
    def prk_exporter(self, prk_out: bytes) -> bytes:
        return self.kdf(prk_out, Label.PRK_EXPORTER, b"", self.hash_length)

    def key_update(self, prk_out: bytes, context: bytes) -> bytes:
        """App. H: new PRK_out = EDHOC_KDF(old PRK_out, 11, context, hash_length)."""
        return self.kdf(prk_out, Label.KEY_UPDATE, context, self.hash_length)


_SCHEDULES: dict[tuple[int, int], KeySchedule] = {}
_SCHEDULES_LOCK = threading.Lock()
_SCHEDULES_LIMIT: Final = 64


def schedule_for(suite: CipherSuite, crypto: CryptoProvider) -> KeySchedule:
    """The shared ``KeySchedule`` of ``suite`` on ``crypto`` (it holds no session state).

    Keyed by the provider's identity; the entry keeps the provider alive, so the id
    cannot be reused while the entry exists (checked anyway)."""
    key = (suite.value, id(crypto))
    schedule = _SCHEDULES.get(key)
    if schedule is not None and schedule.crypto is crypto and schedule.suite is suite:
        return schedule
    schedule = KeySchedule(suite, crypto)
    with _SCHEDULES_LOCK:
        if len(_SCHEDULES) >= _SCHEDULES_LIMIT:
            _SCHEDULES.clear()
        _SCHEDULES[key] = schedule
    return schedule
