"""Byte-level builders for hostile .xlsx containers: a raw ZIP writer and a hand-made DEFLATE encoder.

Python's zipfile refuses to write most of what the corpus needs (unknown methods, a lying size, no central
directory, duplicate names), and zlib cannot make a compression bomb both small and fast. Everything
here is deterministic: fixed timestamps, fixed compression level.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

DOS_TIME = (8 << 11) | (0 << 5) | 0            # 08:00:00
DOS_DATE = ((2022 - 1980) << 9) | (1 << 5) | 15  # 2022-01-15


def deflate(data: bytes) -> bytes:
    """Raw DEFLATE (no zlib header), level 9: what a ZIP member of method 8 holds."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


@dataclass
class Member:
    """One ZIP entry. Unset fields are computed honestly; set ones lie on purpose."""

    name: str | bytes
    data: bytes = b""
    method: int = 8               # 0 stored, 8 deflate, anything else: unknown
    flags: int = 0                # bit 0 = encrypted
    raw: bytes | None = None      # the stored (compressed) bytes, when not derived from data
    crc: int | None = None
    size: int | None = None       # declared uncompressed size
    zip64_size: int | None = None  # declare this uncompressed size through a Zip64 extra field

    def encoded_name(self) -> bytes:
        return self.name if isinstance(self.name, bytes) else self.name.encode("utf-8")


def _payload(m: Member) -> tuple[bytes, int, int]:
    if m.raw is not None:
        body = m.raw
    elif m.method == 8:
        body = deflate(m.data)
    else:  # stored, or an unknown method whose bytes are just the data
        body = m.data
    crc = zlib.crc32(m.data) if m.crc is None else m.crc
    size = len(m.data) if m.size is None else m.size
    return body, crc, size


def build_zip(members: list[Member], *, central_directory: bool = True) -> bytes:
    """Local headers + data + central directory + end record, all with fixed times."""
    out = bytearray()
    central = bytearray()
    for m in members:
        body, crc, size = _payload(m)
        name = m.encoded_name()
        flags = m.flags | (0x800 if any(b > 0x7F for b in name) else 0)
        offset = len(out)
        csize, usize, extra, version = len(body), size, b"", 20
        if m.zip64_size is not None:
            extra = struct.pack("<HHQQ", 0x0001, 16, m.zip64_size, len(body))
            csize, usize, version = 0xFFFFFFFF, 0xFFFFFFFF, 45
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", version, flags, m.method, DOS_TIME, DOS_DATE,
                           crc, csize, usize, len(name), len(extra)) + name + extra
        out += body
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, version, flags, m.method, DOS_TIME, DOS_DATE,
                               crc, csize, usize, len(name), len(extra), 0, 0, 0, 0, offset) + name + extra
    if central_directory:
        cd_offset = len(out)
        out += central
        out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), cd_offset, 0)
    return bytes(out)


# --- a DEFLATE stream for a compression bomb -------------------------------------------------------
# A run of L bytes that repeats the last P bytes is one back-reference (length 258, distance P) after
# another. In a dynamic-Huffman block that uses only the symbols 285 (length 258) and end-of-block, and a
# single distance code, each reference costs 2 bits plus the distance's extra bits: 258 bytes for 2 bits
# when P <= 4, which is DEFLATE's ceiling (1032:1). zlib stops far below that and takes seconds per GB.

_DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
              3073, 4097, 6145, 8193, 12289, 16385, 24577]
_DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
_CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]


class BitWriter:
    """Least-significant-bit-first writer, as DEFLATE packs its bits."""

    def __init__(self) -> None:
        self.acc = 0
        self.n = 0
        self.out = bytearray()

    def bits(self, value: int, count: int) -> None:
        self.acc |= value << self.n
        self.n += count
        self._drain()

    def huff(self, code: int, length: int) -> None:
        """A Huffman code: most significant bit first."""
        self.bits(int(format(code, f"0{length}b")[::-1], 2), length)

    def bulk(self, pattern: bytes, reps: int) -> None:
        """Append pattern*reps as a bit string (pattern already LSB-first packed from bit 0)."""
        self.acc |= int.from_bytes(pattern * reps, "little") << self.n
        self.n += len(pattern) * 8 * reps
        self._drain()

    def _drain(self) -> None:
        nbytes = self.n // 8
        if nbytes:
            self.out += (self.acc & ((1 << (nbytes * 8)) - 1)).to_bytes(nbytes, "little")
            self.acc >>= nbytes * 8
            self.n -= nbytes * 8

    def sync(self) -> None:
        """An empty stored block: ends byte-aligned, like zlib's Z_SYNC_FLUSH."""
        self.bits(0, 3)
        if self.n:
            self.bits(0, 8 - self.n)
        self.out += b"\x00\x00\xff\xff"


def _repeat_block(distance: int, length: int) -> bytes:
    """A non-final dynamic block copying `length` bytes (a multiple of 258) from `distance` back, then a sync."""
    assert length % 258 == 0 and 1 <= distance <= 32768
    dcode = max(i for i, b in enumerate(_DIST_BASE) if b <= distance)
    extra_bits, extra_val = _DIST_EXTRA[dcode], distance - _DIST_BASE[dcode]
    bw = BitWriter()
    bw.bits(0, 1)          # BFINAL = 0
    bw.bits(2, 2)          # BTYPE = dynamic
    bw.bits(29, 5)         # HLIT: 286 literal/length codes
    bw.bits(dcode, 5)      # HDIST: dcode + 1 distance codes
    bw.bits(14, 4)         # HCLEN: 18 code-length codes
    cl_len = {0: 2, 1: 2, 17: 2, 18: 2}  # canonical: 0->00, 1->01, 17->10, 18->11
    cl_code = {0: 0, 1: 1, 17: 2, 18: 3}
    for sym in _CL_ORDER[:18]:
        bw.bits(cl_len.get(sym, 0), 3)

    def zeros(count: int) -> None:
        while count:
            if count >= 11:
                k = min(count, 138)
                bw.huff(cl_code[18], 2)
                bw.bits(k - 11, 7)
            elif count >= 3:
                k = count
                bw.huff(cl_code[17], 2)
                bw.bits(k - 3, 3)
            else:
                k = 1
                bw.huff(cl_code[0], 2)
            count -= k

    zeros(256)
    bw.huff(cl_code[1], 2)  # 256 (end of block): 1 bit
    zeros(28)
    bw.huff(cl_code[1], 2)  # 285 (length 258): 1 bit
    zeros(dcode)
    bw.huff(cl_code[1], 2)  # the one distance code: 1 bit
    # literal/length codes: 256 -> '0', 285 -> '1'; distance code -> '0' + extra bits
    pair_bits = 2 + extra_bits
    pair_val = 1 | (extra_val << 2)
    pairs = length // 258
    while bw.n and pairs:
        bw.bits(pair_val, pair_bits)
        pairs -= 1
    if bw.n == 0 and pairs >= 8:
        p = BitWriter()
        for _ in range(8):
            p.bits(pair_val, pair_bits)
        bw.bulk(bytes(p.out), pairs // 8)
        pairs %= 8
    for _ in range(pairs):
        bw.bits(pair_val, pair_bits)
    bw.huff(0, 1)  # end of block
    bw.sync()
    return bytes(bw.out)


class BombStream:
    """A raw DEFLATE stream built from literal pieces and long periodic runs, with its CRC and size."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.crc = 0
        self.size = 0
        self._tail = b""  # the last bytes written, to know what a run repeats

    def literal(self, data: bytes) -> None:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.parts.append(c.compress(data) + c.flush(zlib.Z_FULL_FLUSH))
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._tail = (self._tail + data)[-32768:]

    def repeat(self, period: int, length: int) -> None:
        """Continue the last `period` bytes for `length` more bytes (length a multiple of 258 and period)."""
        assert length % period == 0 and len(self._tail) >= period
        unit = self._tail[-period:]
        self.parts.append(_repeat_block(period, length))
        chunk = unit * max(1, (8 << 20) // period)
        left = length
        while left:
            piece = chunk[: min(left, len(chunk))]
            self.crc = zlib.crc32(piece, self.crc)
            left -= len(piece)
        self.size += length

    def finish(self) -> bytes:
        return b"".join(self.parts) + b"\x03\x00"  # an empty final fixed-Huffman block
