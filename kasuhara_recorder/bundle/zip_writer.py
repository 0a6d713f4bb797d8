"""A deterministic ZIP writer: the same files give the same bytes, every time, on every PC.

Entries' data lie in the order the caller adds them (the exporter streams recordings first); the
central directory, which is what tools list, is sorted by name. Each entry has a fixed
timestamp (1980-01-01 00:00, the ZIP epoch), fixed permissions (0644 regular file, Unix
creator), UTF-8 names, no data descriptors, no comments, no extra fields unless ZIP64 is needed,
and either stored or deflated at a fixed level. Big entries (recordings) are streamed: the local
header is written first and its CRC patched in afterwards, so the output must be seekable.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from kasuhara_recorder.bundle.zip_reader import ZipLimits, check_name

STORED, DEFLATED = 0, 8
DEFLATE_LEVEL = 6
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
_MADE_BY = (3 << 8) | 20  # Unix, spec 2.0
_MODE = 0o100644
_U32 = 0xFFFFFFFF


@dataclass(frozen=True)
class _Written:
    name: bytes
    method: int
    crc: int
    csize: int
    size: int
    offset: int


class ZipOutput(Protocol):
    """What the writer needs of its file: it goes back once per streamed entry for the CRC."""

    def write(self, data: bytes, /) -> int: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...
    def flush(self) -> None: ...


class DeterministicZipWriter:
    def __init__(self, out: ZipOutput) -> None:
        self._out = out
        self._entries: list[_Written] = []
        self._names: set[str] = set()
        self._pos = out.tell()
        if self._pos != 0:
            raise ValueError("the ZIP must start at offset 0 of its file")

    def _check(self, name: str) -> bytes:
        check_name(name.encode("utf-8"), 0x800, ZipLimits())
        if name in self._names or name.endswith("/"):
            raise ValueError(f"duplicate or directory entry {name!r}")
        self._names.add(name)
        return name.encode("utf-8")

    def _local_header(self, raw: bytes, method: int, crc: int, csize: int, size: int) -> bytes:
        zip64 = size >= _U32 or csize >= _U32
        extra = struct.pack("<HHQQ", 1, 16, size, csize) if zip64 else b""
        need = 45 if zip64 else 20
        head = struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            need,
            0x800,
            method,
            _DOS_TIME,
            _DOS_DATE,
            crc,
            _U32 if zip64 else csize,
            _U32 if zip64 else size,
            len(raw),
            len(extra),
        )
        return head + raw + extra

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    def add_bytes(self, name: str, data: bytes, *, deflate: bool = True) -> None:
        raw = self._check(name)
        crc = zlib.crc32(data)
        method = STORED
        body = data
        if deflate and data:
            c = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY)
            packed = c.compress(data) + c.flush()
            if len(packed) < len(data):
                method, body = DEFLATED, packed
        offset = self._pos
        self._emit(self._local_header(raw, method, crc, len(body), len(data)))
        self._emit(body)
        self._entries.append(_Written(raw, method, crc, len(body), len(data), offset))

    def add_stream(self, name: str, size: int, chunks: Iterable[bytes]) -> None:
        """A stored entry of exactly ``size`` bytes, written as the chunks arrive."""
        raw = self._check(name)
        offset = self._pos
        header = self._local_header(raw, STORED, 0, size, size)
        self._emit(header)
        crc = 0
        written = 0
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            written += len(chunk)
            self._emit(chunk)
        if written != size:
            raise ValueError(f"{name!r}: {written} bytes written, {size} announced")
        end = self._pos
        self._out.seek(offset + 14)
        self._out.write(struct.pack("<I", crc))
        self._out.seek(end)
        self._entries.append(_Written(raw, STORED, crc, size, size, offset))

    def finish(self) -> None:
        """Central directory sorted by name (local data may be in any order), then the end."""
        cd_start = self._pos
        for e in sorted(self._entries, key=lambda w: w.name):
            big = [e.size >= _U32, e.csize >= _U32, e.offset >= _U32]
            vals = [v for v, b in zip((e.size, e.csize, e.offset), big, strict=True) if b]
            extra = struct.pack("<HH", 1, 8 * len(vals)) + struct.pack(f"<{len(vals)}Q", *vals)
            extra = extra if vals else b""
            self._emit(
                struct.pack(
                    "<4sHHHHHHIIIHHHHHII",
                    b"PK\x01\x02",
                    _MADE_BY,
                    45 if vals else 20,
                    0x800,
                    e.method,
                    _DOS_TIME,
                    _DOS_DATE,
                    e.crc,
                    _U32 if big[1] else e.csize,
                    _U32 if big[0] else e.size,
                    len(e.name),
                    len(extra),
                    0,
                    0,
                    0,
                    _MODE << 16,
                    _U32 if big[2] else e.offset,
                )
                + e.name
                + extra
            )
        cd_size = self._pos - cd_start
        n = len(self._entries)
        if n >= 0xFFFF or cd_start >= _U32 or cd_size >= _U32:
            z64 = self._pos
            self._emit(
                struct.pack(
                    "<4sQHHIIQQQQ", b"PK\x06\x06", 44, _MADE_BY, 45, 0, 0, n, n, cd_size, cd_start
                )
            )
            self._emit(struct.pack("<4sIQI", b"PK\x06\x07", 0, z64, 1))
            self._emit(
                struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, _U32, _U32, 0)
            )
        else:
            self._emit(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, cd_size, cd_start, 0))
        self._out.flush()
