"""RFC 8439 known answers for the pure-Python ChaCha20, Poly1305 and ChaCha20-Poly1305.

Values are copied from RFC 8439: §2.4.2, §2.5.2, §2.8.2, Appendix A.2 (ChaCha20 test vectors
#1-#3), A.3 #1 and A.5.  Where a section prints an intermediate value (the one-time Poly1305
key), it gets its own assertion.
"""

from __future__ import annotations

import pytest

from ratscore.crypto.pure.chacha import ChaCha20Poly1305, chacha20_encrypt, poly1305_mac
from ratscore.errors import CryptoError


def unhex(text: str) -> bytes:
    """Hex as the RFC prints it: spaces, colons and line breaks allowed."""
    return bytes.fromhex(text.replace(":", " "))


SUNSCREEN = (
    b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
    b" sunscreen would be it."
)

CHACHA20_VECTORS = [
    (  # RFC 8439 §2.4.2
        "2.4.2",
        "00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17:18:19:1a:1b:1c:1d:1e:1f",
        "00:00:00:00:00:00:00:4a:00:00:00:00",
        1,
        SUNSCREEN,
        """
        6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81 e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
        f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57 16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
        07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e 52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
        5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42 87 4d
        """,
    ),
    (  # RFC 8439 A.2 Test Vector #1
        "A.2-1",
        "00" * 32,
        "00" * 12,
        0,
        bytes(64),
        """
        76 b8 e0 ad a0 f1 3d 90 40 5d 6a e5 53 86 bd 28 bd d2 19 b8 a0 8d ed 1a a8 36 ef cc 8b 77 0d c7
        da 41 59 7c 51 57 48 8d 77 24 e0 3f b8 d8 4a 37 6a 43 b8 f4 15 18 a1 1c c3 87 b6 69 b2 ee 65 86
        """,
    ),
    (  # RFC 8439 A.2 Test Vector #2
        "A.2-2",
        "00" * 31 + "01",
        "00 00 00 00 00 00 00 00 00 00 00 02",
        1,
        b"Any submission to the IETF intended by the Contributor for publication as all or part of an"
        b" IETF Internet-Draft or RFC and any statement made within the context of an IETF activity is"
        b' considered an "IETF Contribution". Such statements include oral statements in IETF sessions,'
        b" as well as written and electronic communications made at any time or place, which are"
        b" addressed to",
        """
        a3 fb f0 7d f3 fa 2f de 4f 37 6c a2 3e 82 73 70 41 60 5d 9f 4f 4f 57 bd 8c ff 2c 1d 4b 79 55 ec
        2a 97 94 8b d3 72 29 15 c8 f3 d3 37 f7 d3 70 05 0e 9e 96 d6 47 b7 c3 9f 56 e0 31 ca 5e b6 25 0d
        40 42 e0 27 85 ec ec fa 4b 4b b5 e8 ea d0 44 0e 20 b6 e8 db 09 d8 81 a7 c6 13 2f 42 0e 52 79 50
        42 bd fa 77 73 d8 a9 05 14 47 b3 29 1c e1 41 1c 68 04 65 55 2a a6 c4 05 b7 76 4d 5e 87 be a8 5a
        d0 0f 84 49 ed 8f 72 d0 d6 62 ab 05 26 91 ca 66 42 4b c8 6d 2d f8 0e a4 1f 43 ab f9 37 d3 25 9d
        c4 b2 d0 df b4 8a 6c 91 39 dd d7 f7 69 66 e9 28 e6 35 55 3b a7 6c 5c 87 9d 7b 35 d4 9e b2 e6 2b
        08 71 cd ac 63 89 39 e2 5e 8a 1e 0e f9 d5 28 0f a8 ca 32 8b 35 1c 3c 76 59 89 cb cf 3d aa 8b 6c
        cc 3a af 9f 39 79 c9 2b 37 20 fc 88 dc 95 ed 84 a1 be 05 9c 64 99 b9 fd a2 36 e7 e8 18 b0 4b 0b
        c3 9c 1e 87 6b 19 3b fe 55 69 75 3f 88 12 8c c0 8a aa 9b 63 d1 a1 6f 80 ef 25 54 d7 18 9c 41 1f
        58 69 ca 52 c5 b8 3f a3 6f f2 16 b9 c1 d3 00 62 be bc fd 2d c5 bc e0 91 19 34 fd a7 9a 86 f6 e6
        98 ce d7 59 c3 ff 9b 64 77 33 8f 3d a4 f9 cd 85 14 ea 99 82 cc af b3 41 b2 38 4d d9 02 f3 d1 ab
        7a c6 1d d2 9c 6f 21 ba 5b 86 2f 37 30 e3 7c fd c4 fd 80 6c 22 f2 21
        """,
    ),
    (  # RFC 8439 A.2 Test Vector #3
        "A.2-3",
        "1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0 47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 75 c0",
        "00 00 00 00 00 00 00 00 00 00 00 02",
        42,
        b"'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\n"
        b"All mimsy were the borogoves,\nAnd the mome raths outgrabe.",
        """
        62 e6 34 7f 95 ed 87 a4 5f fa e7 42 6f 27 a1 df 5f b6 91 10 04 4c 0d 73 11 8e ff a9 5b 01 e5 cf
        16 6d 3d f2 d7 21 ca f9 b2 1e 5f b1 4c 61 68 71 fd 84 c5 4f 9d 65 b2 83 19 6c 7f e4 f6 05 53 eb
        f3 9c 64 02 c4 22 34 e3 2a 35 6b 3e 76 43 12 a6 1a 55 32 05 57 16 ea d6 96 25 68 f8 7d 3f 3f 77
        04 c6 a8 d1 bc d1 bf 4d 50 d6 15 4b 6d a7 31 b1 87 b5 8d fd 72 8a fa 36 75 7a 79 7a c1 88 d1
        """,
    ),
]


@pytest.mark.parametrize(
    ("key", "nonce", "counter", "plaintext", "ciphertext"),
    [vector[1:] for vector in CHACHA20_VECTORS],
    ids=[vector[0] for vector in CHACHA20_VECTORS],
)
def test_chacha20_encryption_vectors(key: str, nonce: str, counter: int, plaintext: bytes, ciphertext: str) -> None:
    assert chacha20_encrypt(unhex(key), counter, unhex(nonce), plaintext) == unhex(ciphertext)
    assert chacha20_encrypt(unhex(key), counter, unhex(nonce), unhex(ciphertext)) == plaintext


def test_poly1305_rfc8439_2_5_2() -> None:
    key = unhex("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b")
    assert poly1305_mac(b"Cryptographic Forum Research Group", key) == unhex(
        "a8:06:1d:c1:30:51:36:c6:c2:2b:8b:af:0c:01:27:a9"
    )


def test_poly1305_rfc8439_a3_vector_1() -> None:
    # RFC 8439 A.3 Test Vector #1: all-zero key and text give an all-zero tag.
    assert poly1305_mac(bytes(64), bytes(32)) == bytes(16)


# RFC 8439 §2.8.2: key, nonce = constant || IV, AAD, ciphertext, tag.
AEAD_282_KEY = unhex("80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f")
AEAD_282_NONCE = unhex("07 00 00 00") + unhex("40 41 42 43 44 45 46 47")
AEAD_282_AAD = unhex("50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7")
AEAD_282_CIPHERTEXT = unhex(
    """
    d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2 a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6
    3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b 1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36
    92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58 fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc
    3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b 61 16
    """
)
AEAD_282_TAG = unhex("1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91")


def test_chacha20_poly1305_rfc8439_2_8_2() -> None:
    # §2.8.2 also prints the Poly1305 key: the first 32 bytes of block 0.
    assert chacha20_encrypt(AEAD_282_KEY, 0, AEAD_282_NONCE, bytes(32)) == unhex(
        "7b ac 2b 25 2d b4 47 af 09 b6 7a 55 a4 e9 55 84 0a e1 d6 73 10 75 d9 eb 2a 93 75 78 3e d5 53 ff"
    ), "Poly1305 key"
    aead = ChaCha20Poly1305(AEAD_282_KEY)
    sealed = AEAD_282_CIPHERTEXT + AEAD_282_TAG
    assert aead.encrypt(AEAD_282_NONCE, SUNSCREEN, AEAD_282_AAD) == sealed
    assert aead.decrypt(AEAD_282_NONCE, sealed, AEAD_282_AAD) == SUNSCREEN


def test_chacha20_poly1305_rfc8439_a5_decryption() -> None:
    key = unhex("1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0 47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 75 c0")
    ciphertext = unhex(
        """
        64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd 5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2
        4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0 bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf
        33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81 14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55
        97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38 36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4
        b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9 90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e
        af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a 0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a
        0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10
        49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30 30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29
        a6 ad 5c b4 02 2b 02 70 9b
        """
    )
    nonce = unhex("00 00 00 00 01 02 03 04 05 06 07 08")
    aad = unhex("f3 33 88 86 00 00 00 00 00 00 4e 91")
    tag = unhex("ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38")
    plaintext = unhex(
        """
        49 6e 74 65 72 6e 65 74 2d 44 72 61 66 74 73 20 61 72 65 20 64 72 61 66 74 20 64 6f 63 75 6d 65
        6e 74 73 20 76 61 6c 69 64 20 66 6f 72 20 61 20 6d 61 78 69 6d 75 6d 20 6f 66 20 73 69 78 20 6d
        6f 6e 74 68 73 20 61 6e 64 20 6d 61 79 20 62 65 20 75 70 64 61 74 65 64 2c 20 72 65 70 6c 61 63
        65 64 2c 20 6f 72 20 6f 62 73 6f 6c 65 74 65 64 20 62 79 20 6f 74 68 65 72 20 64 6f 63 75 6d 65
        6e 74 73 20 61 74 20 61 6e 79 20 74 69 6d 65 2e 20 49 74 20 69 73 20 69 6e 61 70 70 72 6f 70 72
        69 61 74 65 20 74 6f 20 75 73 65 20 49 6e 74 65 72 6e 65 74 2d 44 72 61 66 74 73 20 61 73 20 72
        65 66 65 72 65 6e 63 65 20 6d 61 74 65 72 69 61 6c 20 6f 72 20 74 6f 20 63 69 74 65 20 74 68 65
        6d 20 6f 74 68 65 72 20 74 68 61 6e 20 61 73 20 2f e2 80 9c 77 6f 72 6b 20 69 6e 20 70 72 6f 67
        72 65 73 73 2e 2f e2 80 9d
        """
    )
    # A.5 prints the one-time Poly1305 key too.
    assert chacha20_encrypt(key, 0, nonce, bytes(32)) == unhex(
        "bd f0 4a a9 5c e4 de 89 95 b1 4b b6 a1 8f ec af 26 47 8f 50 c0 54 f5 63 db c0 a2 1e 26 15 72 aa"
    ), "Poly1305 one-time key"
    aead = ChaCha20Poly1305(key)
    assert aead.decrypt(nonce, ciphertext + tag, aad) == plaintext
    assert aead.encrypt(nonce, plaintext, aad) == ciphertext + tag


def test_chacha20_rejects_bad_parameters() -> None:
    with pytest.raises(CryptoError):
        chacha20_encrypt(bytes(31), 0, bytes(12), b"")
    with pytest.raises(CryptoError):
        chacha20_encrypt(bytes(32), 0, bytes(8), b"")
    with pytest.raises(CryptoError):
        chacha20_encrypt(bytes(32), (1 << 32) - 1, bytes(12), bytes(65))  # the 32-bit counter would wrap
    with pytest.raises(CryptoError):
        chacha20_encrypt(bytes(32), -1, bytes(12), b"")
    with pytest.raises(CryptoError):
        poly1305_mac(b"", bytes(16))
