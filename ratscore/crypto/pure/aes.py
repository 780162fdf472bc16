"""AES block cipher (FIPS 197) for the pure-Python backend, with two fast paths.

NOT constant-time: every path indexes tables with secret bytes, which leaks through caches
and timing.  Use the ``cryptography`` backend when that matters.

Theory of operation
-------------------
A block is handled as a 128-bit big-endian int; byte ``4*c + r`` of the block is row ``r`` of
column ``c`` of the state (FIPS 197 §3.4).

*One block at a time* (``encrypt_block``, ``cbc_mac``, short keystreams).  A middle round is
sixteen table lookups and the round key.  Table ``_ROUND_TABLES[p]`` maps the byte at position
``p`` to its whole contribution to the next state: SubBytes, then the MixColumns column for its
row, already placed in the column ShiftRows moves it to.  The four bytes of one row land in four
different columns, so their contributions are added (exact, as the bits are disjoint, and
CPython 3.11 runs ``+`` on ints faster than ``^``); the four row sums are XORed.  The final
round does ShiftRows on the 16 bytes as ``(b * 5)[::5]`` (output byte ``4c + r`` is input byte
``(4c + 5r) mod 16``) and SubBytes with ``bytes.translate``.

``int.to_bytes`` and ``int.from_bytes`` default to big-endian since Python 3.11; the hot loops
rely on that to skip an argument.

*Many blocks at once* (``keystream_int`` for CTR mode).  All blocks of a message share one big
int in a "planar" layout: plane ``4r + c`` is ``n`` consecutive bytes holding byte (r, c) of
each of the ``n`` blocks, and the four planes of a row are adjacent.  Then

* SubBytes is one ``bytes.translate`` over the whole state;
* ShiftRows rotates the planes of row ``r`` by ``r`` places: a join of seven slices;
* MixColumns works on whole rows: shifting the int by one row's width lines row ``r + 1`` up
  with row ``r`` for every column of every block at once, and xtime is a SWAR shift-and-mask;
* AddRoundKey XORs an int in which each plane repeats one round-key byte.

That costs about 20 big-int operations per round however many blocks there are.  Blocks enter
and leave the layout by transposing bytes (``_blocks_to_planes``), so the first and last round
keys are applied to whole blocks and the counters are built as plain big-endian blocks.
"""

from __future__ import annotations

import struct

from ratscore.errors import CryptoError

__all__ = ["WIDE_THRESHOLD_BLOCKS", "Aes"]

# Keystreams of at most this many blocks use the one-block path (it is faster there).
WIDE_THRESHOLD_BLOCKS = 3


def _build_sbox() -> bytes:
    """FIPS 197 §5.1.1: multiplicative inverse in GF(2^8), then the affine transformation."""
    exp = [0] * 255
    log = [0] * 256
    value = 1
    for power in range(255):
        exp[power] = value
        log[value] = power
        value ^= (value << 1) ^ (0x11B if value & 0x80 else 0)  # multiply by 3, the generator
    sbox = bytearray(256)
    for x in range(256):
        inverse = exp[(255 - log[x]) % 255] if x else 0
        rotated = inverse
        result = inverse
        for _ in range(4):
            rotated = ((rotated << 1) | (rotated >> 7)) & 0xFF
            result ^= rotated
        sbox[x] = result ^ 0x63
    return bytes(sbox)


_SBOX = _build_sbox()


def _xtime(x: int) -> int:
    """Multiply by {02} in GF(2^8) (FIPS 197 §4.2.1)."""
    return ((x << 1) ^ 0x11B) if x & 0x80 else x << 1


def _build_round_tables() -> list[list[int]]:
    """One 256-entry table per input byte position: SubBytes + ShiftRows + MixColumns."""
    # FIPS 197 §5.1.3: a byte in row r contributes S(x) times column r of the MixColumns matrix.
    # Column 0 is (2, 1, 1, 3); column r is column 0 rotated down by r rows.
    column_zero = []
    for x in range(256):
        s = _SBOX[x]
        doubled = _xtime(s)
        column_zero.append((doubled << 24) | (s << 16) | (s << 8) | (doubled ^ s))
    by_row = [[((word >> 8 * row) | (word << (32 - 8 * row))) & 0xFFFFFFFF for word in column_zero] for row in range(4)]
    tables = []
    for position in range(16):
        column, row = divmod(position, 4)
        out_column = (column - row) % 4  # FIPS 197 §5.1.2: row r shifts left by r columns
        shift = 96 - 32 * out_column
        tables.append([word << shift for word in by_row[row]])
    return tables


_ROUND_TABLES = _build_round_tables()
_RCON = (0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36)  # FIPS 197 §5.2


def _sub_word(word: int) -> int:
    return int.from_bytes(word.to_bytes(4, "big").translate(_SBOX), "big")


def _expand_key(key: bytes) -> list[int]:
    """FIPS 197 §5.2 KeyExpansion, returned as one 128-bit int per round key."""
    words_in_key = len(key) // 4
    rounds = words_in_key + 6
    words = list(struct.unpack(f">{words_in_key}I", key))
    for i in range(words_in_key, 4 * (rounds + 1)):
        temp = words[i - 1]
        if i % words_in_key == 0:
            temp = _sub_word(((temp << 8) | (temp >> 24)) & 0xFFFFFFFF) ^ (_RCON[i // words_in_key - 1] << 24)
        elif words_in_key > 6 and i % words_in_key == 4:
            temp = _sub_word(temp)
        words.append(words[i - words_in_key] ^ temp)
    return [
        (words[i] << 96) | (words[i + 1] << 64) | (words[i + 2] << 32) | words[i + 3] for i in range(0, len(words), 4)
    ]


class _PlanarLayout:
    """Key-independent constants of the planar layout for ``n`` blocks (see module docstring)."""

    __slots__ = (
        "blocks",
        "counter_ramp",
        "final_slices",
        "first_slices",
        "length",
        "low_bit_of_bytes",
        "low_seven_bits_of_bytes",
        "low_three_rows",
        "low_two_rows",
        "plane_template",
        "row_bits",
        "shift_rows_slices",
    )

    def __init__(self, blocks: int) -> None:
        n = blocks
        self.blocks = n
        self.length = 16 * n
        self.row_bits = 32 * n
        self.low_three_rows = (1 << (96 * n)) - 1
        self.low_two_rows = (1 << (64 * n)) - 1
        self.low_bit_of_bytes = int.from_bytes(b"\x01" * self.length, "big")
        self.low_seven_bits_of_bytes = 0x7F * self.low_bit_of_bytes
        # Block i holds i: added to n copies of the first counter block, it counts the blocks.
        self.counter_ramp = int.from_bytes(b"".join(i.to_bytes(16, "big") for i in range(n)), "big")
        # Plane p filled with the byte value p: translate() turns it into a spread round key.
        self.plane_template = b"".join(bytes((plane,)) * n for plane in range(16))

        def plane(index: int) -> slice:
            return slice(index * n, (index + 1) * n)

        # FIPS 197 §5.1.2 ShiftRows: output (r, c) is input (r, c + r mod 4).  In the first round the
        # planes arrive ordered by block byte index 4c + r; later they are in planar order 4r + c.
        self.first_slices = tuple(plane(4 * ((column + row) % 4) + row) for row in range(4) for column in range(4))
        rotated_rows = []
        for row in range(4):
            start = 4 * n * row
            rotated_rows.append(slice(start + row * n, start + 4 * n))
            if row:
                rotated_rows.append(slice(start, start + row * n))
        self.shift_rows_slices = tuple(rotated_rows)
        # Last round: ShiftRows, with the planes reordered by block byte index for the transpose.
        self.final_slices = tuple(plane(4 * row + (column + row) % 4) for column in range(4) for row in range(4))


# Small caches keyed by message size in blocks; the oldest entry goes first.  Entries hold a few
# ints of the message's size, so a key keeps fewer sizes than the key-independent layouts.
_LAYOUT_CACHE: dict[int, _PlanarLayout] = {}
_LAYOUT_CACHE_LIMIT = 8
_KEY_CACHE_LIMIT = 4


def _planar_layout(blocks: int) -> _PlanarLayout:
    layout = _LAYOUT_CACHE.get(blocks)
    if layout is None:
        if len(_LAYOUT_CACHE) >= _LAYOUT_CACHE_LIMIT:
            _LAYOUT_CACHE.pop(next(iter(_LAYOUT_CACHE)), None)
        layout = _LAYOUT_CACHE[blocks] = _PlanarLayout(blocks)
    return layout


# Transposes between whole blocks (n rows of 16 bytes) and 16 planes of n bytes.  For a
# rows x columns matrix stored row by row, the transpose's byte j is byte j * columns modulo
# (size - 1), the last byte staying put: ``(m[:-1] * columns)[::columns] + m[-1:]``.  That is
# cheap while ``columns`` copies of the matrix are cheap; beyond, strided slices do it.


def _blocks_to_planes(data: bytes, blocks: int) -> bytes:
    """Plane p (bytes p*n .. p*n + n - 1) = byte p of every block."""
    if blocks <= 128:
        return (data[:-1] * 16)[::16] + data[-1:]
    return b"".join([data[position::16] for position in range(16)])


def _planes_to_blocks(planes: bytes, blocks: int) -> bytes:
    """The inverse of ``_blocks_to_planes``."""
    if blocks <= 96:
        return (planes[:-1] * blocks)[::blocks] + planes[-1:]
    out = bytearray(16 * blocks)
    for position in range(16):
        out[position::16] = planes[position * blocks : (position + 1) * blocks]
    return bytes(out)


class Aes:
    """AES-128, AES-192 or AES-256 with the key schedule computed once (FIPS 197)."""

    __slots__ = ("_planar_keys", "_round_keys")

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 24, 32):
            raise CryptoError("AES key must be 16, 24 or 32 bytes")
        self._round_keys = _expand_key(bytes(key))
        self._planar_keys: dict[int, tuple[int, list[int], int]] = {}

    def encrypt_block(self, block: bytes) -> bytes:
        """FIPS 197 §5.1 Cipher on one 16-byte block."""
        if len(block) != 16:
            raise CryptoError("AES block must be 16 bytes")
        return self._encrypt_int(int.from_bytes(block, "big")).to_bytes(16, "big")

    def _encrypt_int(self, block: int) -> int:
        t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15 = _ROUND_TABLES
        round_keys = self._round_keys
        state = block ^ round_keys[0]  # FIPS 197 §5.1.4 AddRoundKey
        for round_key in round_keys[1:-1]:
            b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15 = state.to_bytes(16)
            state = (
                (t0[b0] + t4[b4] + t8[b8] + t12[b12])
                ^ (t1[b1] + t5[b5] + t9[b9] + t13[b13])
                ^ (t2[b2] + t6[b6] + t10[b10] + t14[b14])
                ^ (t3[b3] + t7[b7] + t11[b11] + t15[b15])
                ^ round_key
            )
        # Final round: ShiftRows as a stride-5 walk, SubBytes, AddRoundKey.
        last = (state.to_bytes(16) * 5)[::5].translate(_SBOX)
        return int.from_bytes(last, "big") ^ round_keys[-1]

    def cbc_mac(self, data: bytes) -> bytes:
        """CBC-MAC with a zero IV over ``data`` (a whole number of blocks): the last cipher block.

        NIST SP 800-38C §6.1 step 4.  The chain is serial, so this is the one-block path with the
        round loop inlined; the first and last round keys are folded into the data blocks.
        """
        if len(data) % 16 or not data:
            raise CryptoError("CBC-MAC input must be a non-empty whole number of blocks")
        t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15 = _ROUND_TABLES
        round_keys = self._round_keys
        middle_keys = round_keys[1:-1]
        first_key = round_keys[0]
        last_key = round_keys[-1]
        from_bytes = int.from_bytes
        sbox = _SBOX
        # Block i+1 enters as (E_raw(i) ^ last_key) ^ m_{i+1} ^ first_key: fold both keys in once.
        folded = first_key ^ last_key
        following = [from_bytes(data[i : i + 16], "big") ^ folded for i in range(16, len(data), 16)]
        following.append(0)
        state = from_bytes(data[:16], "big") ^ first_key
        raw = 0
        for block in following:
            for round_key in middle_keys:
                b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15 = state.to_bytes(16)
                state = (
                    (t0[b0] + t4[b4] + t8[b8] + t12[b12])
                    ^ (t1[b1] + t5[b5] + t9[b9] + t13[b13])
                    ^ (t2[b2] + t6[b6] + t10[b10] + t14[b14])
                    ^ (t3[b3] + t7[b7] + t11[b11] + t15[b15])
                    ^ round_key
                )
            raw = from_bytes((state.to_bytes(16) * 5)[::5].translate(sbox))
            state = raw ^ block
        return (raw ^ last_key).to_bytes(16, "big")

    def keystream_int(self, counter_block: bytes, blocks: int) -> int:
        """CTR keystream E(c) || E(c+1) || ... for ``blocks`` blocks, as one big-endian int.

        The counter is the last 8 bytes of ``counter_block`` read big-endian (NIST SP 800-38A
        §6.5).  Callers guarantee their own counter field never wraps, so counting in 64 bits is
        the same as their standard incrementing function (GCM's inc32, CCM's L-byte counter).
        """
        if len(counter_block) != 16:
            raise CryptoError("counter block must be 16 bytes")
        first = int.from_bytes(counter_block[8:], "big")
        if first + blocks > 1 << 64:
            raise CryptoError("counter overflow")
        if blocks <= WIDE_THRESHOLD_BLOCKS:
            prefix = int.from_bytes(counter_block[:8], "big") << 64
            keystream = 0
            for counter in range(first, first + blocks):
                keystream = (keystream << 128) | self._encrypt_int(prefix | counter)
            return keystream
        return self._keystream_planar(counter_block[:8], first, blocks)

    def _planar_round_keys(self, layout: _PlanarLayout) -> tuple[int, list[int], int]:
        """Round keys for ``layout``, cached for the last few message sizes.

        The first and last keys are applied to whole blocks, so they simply repeat; the middle
        ones are spread over the planes.
        """
        cached = self._planar_keys.get(layout.blocks)
        if cached is None:
            if len(self._planar_keys) >= _KEY_CACHE_LIMIT:
                self._planar_keys.pop(next(iter(self._planar_keys)), None)
            round_keys = self._round_keys
            spread = []
            for round_key in round_keys[1:-1]:
                key_bytes = round_key.to_bytes(16, "big")
                # Plane 4r + c takes key byte 4c + r.
                by_plane = bytes(key_bytes[4 * column + row] for row in range(4) for column in range(4))
                spread.append(int.from_bytes(layout.plane_template.translate(by_plane + bytes(240)), "big"))
            first = int.from_bytes(round_keys[0].to_bytes(16, "big") * layout.blocks, "big")
            last = int.from_bytes(round_keys[-1].to_bytes(16, "big") * layout.blocks, "big")
            cached = self._planar_keys[layout.blocks] = (first, spread, last)
        return cached

    def _keystream_planar(self, prefix: bytes, first: int, blocks: int) -> int:
        layout = _planar_layout(blocks)
        first_key, middle_keys, last_key = self._planar_round_keys(layout)
        length = layout.length
        row_bits = layout.row_bits
        two_rows = 2 * row_bits
        three_rows = 3 * row_bits
        low_three_rows = layout.low_three_rows
        low_two_rows = layout.low_two_rows
        low_bits = layout.low_bit_of_bytes
        low_seven_bits = layout.low_seven_bits_of_bytes
        from_bytes = int.from_bytes
        sbox = _SBOX
        # Counter blocks prefix || counter, .., prefix || counter + n - 1, and §5.1.4 AddRoundKey.
        counter_blocks = from_bytes((prefix + first.to_bytes(8, "big")) * blocks) + layout.counter_ramp
        planes = _blocks_to_planes((counter_blocks ^ first_key).to_bytes(length), blocks)
        substituted = planes.translate(sbox)  # §5.1.1 SubBytes
        shift_rows = layout.first_slices
        for round_key in middle_keys:
            shifted = from_bytes(b"".join([substituted[part] for part in shift_rows]))  # §5.1.2
            shift_rows = layout.shift_rows_slices
            # §5.1.3 MixColumns, per byte: out_r = a_r ^ total ^ xtime(a_r ^ a_{r+1}) where
            # total = a_0 ^ a_1 ^ a_2 ^ a_3.  "Row r+1 under row r" is a left shift by one row.
            pairs = shifted ^ ((shifted & low_three_rows) << row_bits) ^ (shifted >> three_rows)
            total = pairs ^ ((pairs & low_two_rows) << two_rows) ^ (pairs >> two_rows)
            doubled = ((pairs & low_seven_bits) << 1) ^ (((pairs >> 7) & low_bits) * 0x1B)  # §4.2.1
            state = shifted ^ total ^ doubled ^ round_key
            substituted = state.to_bytes(length).translate(sbox)
        by_byte_index = b"".join([substituted[part] for part in layout.final_slices])
        return from_bytes(_planes_to_blocks(by_byte_index, blocks)) ^ last_key
