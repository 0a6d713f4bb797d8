"""A ZIP reader for bundles that come from outside: it never extracts, and refuses hostile input.

Only the central directory is trusted for listing, and every entry is cross-checked against its
local header. What it refuses (each a typed ``HostileArchive``, exit 2): non-ZIP or truncated
input, multi-disk archives, path traversal (``..``, absolute paths, drive letters, backslashes,
control characters), links and special files, duplicate names (also case-insensitively, as on
Windows and macOS), encrypted entries, methods other than stored/deflate, overlapping entries,
zip bombs (declared sizes beyond caps, compression ratio beyond a limit, more bytes inflating
than declared) and JSON that is too large or too deeply nested.

A CRC mismatch is different: the archive is readable but a file's bytes changed, so it is a
``DamagedEntry`` (exit 1) that names the file.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kasuhara_recorder.bundle.errors import (
    DamagedEntry,
    DuplicateEntry,
    EncryptedEntry,
    HostileJson,
    JsonTooDeep,
    LinkEntry,
    MalformedArchive,
    NotAZip,
    TruncatedArchive,
    UnreadableArchive,
    UnsafePath,
    UnsupportedEntry,
    ZipBomb,
)
from kasuhara_recorder.evidence.canonical_json import loads_strict

EOCD_SIG = b"PK\x05\x06"
ZIP64_EOCD_SIG = b"PK\x06\x06"
ZIP64_LOCATOR_SIG = b"PK\x06\x07"
CENTRAL_SIG = b"PK\x01\x02"
LOCAL_SIG = b"PK\x03\x04"
STORED, DEFLATED = 0, 8
CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")
_UNIX_CREATORS = {3, 19}  # Unix, OS X: external attributes hold st_mode


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 10_000
    max_name_bytes: int = 512
    max_entry_size: int = 64 << 30  # 64 GiB: an 8-hour stereo recording is ~5.5 GiB
    max_total_size: int = 256 << 30
    max_ratio: int = 100  # deflate; bundle text compresses ~3-10×, bombs ~1000×
    ratio_floor: int = 1 << 20  # entries below 1 MiB are not ratio-checked (caps still apply)
    max_json_bytes: int = 32 << 20
    max_kept_bytes: int = 128 << 20  # all files verify parses (manifests, keys, custody) together
    max_json_depth: int = 64


@dataclass(frozen=True)
class ZipEntry:
    name: str
    method: int
    flags: int
    crc32: int
    compressed_size: int
    size: int
    header_offset: int
    data_offset: int
    mode: int  # st_mode from the external attributes, 0 if the creator is not Unix


def check_name(raw: bytes, flags: int, limits: ZipLimits) -> str:
    """The entry name as text, or ``UnsafePath`` if it could escape or confuse an extractor."""
    if len(raw) > limits.max_name_bytes:
        raise UnsafePath(raw[:60].decode("utf-8", "replace") + "…", "name too long")
    try:
        name = raw.decode("utf-8") if flags & 0x800 else raw.decode("ascii")
    except UnicodeDecodeError:
        raise UnsafePath(raw.decode("utf-8", "replace"), "not UTF-8 (flag 11 unset)") from None
    if not name:
        raise UnsafePath(name, "empty name")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise UnsafePath(name, "control character")
    if "\\" in name:
        raise UnsafePath(name, "backslash")
    if name.startswith("/"):
        raise UnsafePath(name, "absolute path")
    if _DRIVE.match(name):
        raise UnsafePath(name, "drive letter")
    parts = name.rstrip("/").split("/")
    if any(p == ".." for p in parts):
        raise UnsafePath(name, "parent directory (..)")
    if any(p in ("", ".") for p in parts):
        raise UnsafePath(name, "empty or '.' path component")
    return name


class SafeZipReader:
    """Reads a ZIP from a path, bytes or a seekable binary file without writing anything."""

    def __init__(
        self, source: str | os.PathLike[str] | bytes | BinaryIO, limits: ZipLimits | None = None
    ) -> None:
        self.limits = limits or ZipLimits()
        self._owned = False
        if isinstance(source, bytes | bytearray | memoryview):
            self._f: BinaryIO = io.BytesIO(bytes(source))
        elif isinstance(source, str | os.PathLike):
            try:
                # A FIFO would block open() until something writes to it; a device is no bundle.
                if not stat.S_ISREG(os.stat(source).st_mode):
                    raise NotAZip(f"{source}: not a regular file")
                self._f = open(Path(source), "rb")  # closed by close()
            except OSError as e:
                raise NotAZip(f"{source}: {e.strerror}") from None
            self._owned = True
        else:
            self._f = source
        try:
            try:
                self._f.seek(0, os.SEEK_END)
                self.archive_size = self._f.tell()
            except OSError as e:
                raise UnreadableArchive(e.strerror or str(e)) from None
            self.entries: dict[str, ZipEntry] = {}
            self._load()
        except BaseException:
            self.close()
            raise

    # --- context manager ---------------------------------------------------------------
    def __enter__(self) -> SafeZipReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self._f.close()
            self._owned = False

    # --- structure ---------------------------------------------------------------------
    def _read_at(self, offset: int, n: int) -> bytes:
        data = self._read(offset, n)
        if len(data) != n:
            raise TruncatedArchive(f"needed {n} bytes at offset {offset}")
        return data

    def _read(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset``; an I/O error (a failing stick, a dropped network
        share) is the archive's, exit 2, not an unexpected error."""
        try:
            self._f.seek(offset)
            return self._f.read(n)
        except OSError as e:
            raise UnreadableArchive(e.strerror or str(e)) from None

    def _find_eocd(self) -> int:
        if self.archive_size < 22:
            raise NotAZip(f"{self.archive_size} bytes is too small")
        tail_len = min(self.archive_size, 22 + 0xFFFF)
        tail = self._read_at(self.archive_size - tail_len, tail_len)
        pos = tail.rfind(EOCD_SIG)
        while pos >= 0:
            comment_len = struct.unpack_from("<H", tail, pos + 20)[0]
            if pos + 22 + comment_len == tail_len:
                return self.archive_size - tail_len + pos
            pos = tail.rfind(EOCD_SIG, 0, pos)
        head = self._read_at(0, 4)
        if head == LOCAL_SIG:
            raise TruncatedArchive("end of central directory not found")
        raise NotAZip("no ZIP signature")

    def _load(self) -> None:
        eocd = self._find_eocd()
        (disk, cd_disk, n_disk, n_total, cd_size, cd_offset, _) = struct.unpack(
            "<HHHHIIH", self._read_at(eocd + 4, 18)
        )
        if 0xFFFF in (n_total, n_disk) or 0xFFFFFFFF in (cd_size, cd_offset):
            n_total, cd_size, cd_offset, disk, cd_disk, n_disk = self._zip64_eocd(eocd)
        if disk != 0 or cd_disk != 0 or n_disk != n_total:
            raise UnsupportedEntry("multi-disk archive")
        if n_total > self.limits.max_entries:
            raise ZipBomb(f"{n_total} entries (limit {self.limits.max_entries})")
        if cd_offset + cd_size > eocd:
            raise TruncatedArchive("central directory runs past its end record")
        cd = self._read_at(cd_offset, cd_size)
        pos = 0
        seen: dict[str, str] = {}
        spans: list[tuple[int, int, str]] = []
        total = 0
        for _ in range(n_total):
            entry, pos = self._central_entry(cd, pos)
            key = unicodedata.normalize("NFC", entry.name).casefold()
            if key in seen:
                raise DuplicateEntry(entry.name)
            seen[key] = entry.name
            total += entry.size
            if total > self.limits.max_total_size:
                raise ZipBomb(f"total expanded size over {self.limits.max_total_size} bytes")
            spans.append(
                (entry.header_offset, entry.data_offset + entry.compressed_size, entry.name)
            )
            if not entry.name.endswith("/"):
                self.entries[entry.name] = entry
        if pos != len(cd):
            raise MalformedArchive("central directory has trailing bytes")
        # Overlapping entries are how the most efficient zip bombs work; a real writer never does.
        spans.sort()
        for (_, end_a, name_a), (start_b, _, name_b) in zip(spans, spans[1:], strict=False):
            if start_b < end_a:
                raise ZipBomb(f"entries {name_a!r} and {name_b!r} overlap")
        if spans and spans[-1][1] > cd_offset:
            raise MalformedArchive("entry data runs into the central directory")
        ratio_budget = self.archive_size * self.limits.max_ratio + self.limits.ratio_floor
        if total > ratio_budget:
            raise ZipBomb(f"{total} bytes expanded from a {self.archive_size}-byte archive")

    def _zip64_eocd(self, eocd: int) -> tuple[int, int, int, int, int, int]:
        if eocd < 20:
            raise TruncatedArchive("ZIP64 locator missing")
        loc = self._read_at(eocd - 20, 20)
        if loc[:4] != ZIP64_LOCATOR_SIG:
            raise MalformedArchive("ZIP64 locator missing")
        _, rec_offset, _ = struct.unpack_from("<IQI", loc, 4)
        rec = self._read_at(rec_offset, 56)
        if rec[:4] != ZIP64_EOCD_SIG:
            raise MalformedArchive("ZIP64 end record missing")
        disk, cd_disk, n_disk, n_total, cd_size, cd_offset = struct.unpack_from("<IIQQQQ", rec, 16)
        return n_total, cd_size, cd_offset, disk, cd_disk, n_disk

    def _central_entry(self, cd: bytes, pos: int) -> tuple[ZipEntry, int]:
        if cd[pos : pos + 4] != CENTRAL_SIG or pos + 46 > len(cd):
            raise MalformedArchive(f"bad central directory record at {pos}")
        (
            made_by,
            _need,
            flags,
            method,
            _time,
            _date,
            crc,
            csize,
            size,
            name_len,
            extra_len,
            comment_len,
            disk,
            _iattr,
            eattr,
            offset,
        ) = struct.unpack_from("<HHHHHHIIIHHHHHII", cd, pos + 4)
        end = pos + 46 + name_len + extra_len + comment_len
        if end > len(cd):
            raise MalformedArchive("central directory record runs past its end")
        raw_name = cd[pos + 46 : pos + 46 + name_len]
        extra = cd[pos + 46 + name_len : pos + 46 + name_len + extra_len]
        name = check_name(raw_name, flags, self.limits)
        if flags & 0x1 or flags & 0x40 or method == 99:
            raise EncryptedEntry(name)
        if method not in (STORED, DEFLATED):
            raise UnsupportedEntry(f"{name!r}: compression method {method}")
        size, csize, offset = _apply_zip64(extra, size, csize, offset, name)
        if disk not in (0, 0xFFFF):
            raise UnsupportedEntry("multi-disk archive")
        mode = (eattr >> 16) & 0xFFFF if (made_by >> 8) in _UNIX_CREATORS else 0
        kind = mode & 0o170000
        is_dir = name.endswith("/")
        if kind and kind not in (0o100000, 0o040000):
            raise LinkEntry(name)
        if kind == 0o040000 and not is_dir:
            raise LinkEntry(name)
        if not is_dir and size > self.limits.max_entry_size:
            raise ZipBomb(f"{name!r} declares {size} bytes")
        if method == STORED and size != csize:
            raise MalformedArchive(f"{name!r}: stored entry with different sizes")
        if method == DEFLATED and size > self.limits.ratio_floor:
            if size > max(csize, 1) * self.limits.max_ratio:
                raise ZipBomb(f"{name!r}: ratio {size // max(csize, 1)}:1")
        data_offset = self._check_local(offset, name, raw_name, method, flags)
        if data_offset + csize > self.archive_size:
            raise TruncatedArchive(f"{name!r} runs past the end of the file")
        entry = ZipEntry(name, method, flags, crc, csize, size, offset, data_offset, mode)
        return entry, end

    def _check_local(self, offset: int, name: str, raw_name: bytes, method: int, flags: int) -> int:
        if offset + 30 > self.archive_size:
            raise TruncatedArchive(f"local header of {name!r} is past the end of the file")
        head = self._read_at(offset, 30)
        if head[:4] != LOCAL_SIG:
            raise MalformedArchive(f"no local header for {name!r} at offset {offset}")
        (_need, l_flags, l_method, _t, _d, _crc, _cs, _s, l_name_len, l_extra_len) = (
            struct.unpack_from("<HHHHHIIIHH", head, 4)
        )
        if l_method != method or (l_flags & 0x1) != (flags & 0x1):
            raise MalformedArchive(f"local and central headers of {name!r} disagree")
        if self._read_at(offset + 30, l_name_len) != raw_name:
            raise MalformedArchive(f"local header names a different file than {name!r}")
        return int(offset + 30 + l_name_len + l_extra_len)

    # --- content -----------------------------------------------------------------------
    def names(self) -> list[str]:
        return list(self.entries)

    def iter_chunks(self, name: str, chunk: int = CHUNK) -> Iterator[bytes]:
        """The entry's bytes in chunks; stops at the declared size and checks the CRC at the end."""
        e = self.entries[name]
        crc = 0
        produced = 0
        remaining = e.compressed_size
        offset = e.data_offset
        inflater = zlib.decompressobj(-15) if e.method == DEFLATED else None
        while remaining > 0:
            raw = self._read(offset, min(chunk, remaining))
            if not raw:
                raise TruncatedArchive(f"{name!r} ends early")
            offset += len(raw)
            remaining -= len(raw)
            if inflater is None:
                out = raw
                produced += len(out)
                crc = zlib.crc32(out, crc)
                yield out
                continue
            data = raw
            while data:
                try:
                    # Never inflate more than one byte past what the entry declares.
                    out = inflater.decompress(data, max(e.size - produced + 1, 1))
                except zlib.error as err:
                    raise DamagedEntry(name, f"deflate: {err}") from None
                produced += len(out)
                if produced > e.size:
                    raise ZipBomb(f"{name!r} inflates past its declared {e.size} bytes")
                crc = zlib.crc32(out, crc)
                if out:
                    yield out
                data = inflater.unconsumed_tail
        if inflater is not None:
            tail = inflater.flush()
            produced += len(tail)
            if produced > e.size:
                raise ZipBomb(f"{name!r} inflates past its declared {e.size} bytes")
            if tail:
                crc = zlib.crc32(tail, crc)
                yield tail
        if produced != e.size:
            raise DamagedEntry(name, f"{produced} bytes, the ZIP declares {e.size}")
        if crc != e.crc32:
            raise DamagedEntry(name, "CRC-32 mismatch")

    def read(self, name: str, max_bytes: int) -> bytes:
        e = self.entries[name]
        if e.size > max_bytes:
            raise ZipBomb(f"{name!r} is {e.size} bytes; at most {max_bytes} expected here")
        return b"".join(self.iter_chunks(name))

    def read_json(self, name: str) -> object:
        """Parse a JSON entry after checking its size and nesting depth (before the parser runs)."""
        raw = self.read(name, self.limits.max_json_bytes)
        return parse_json_limited(raw, name, self.limits.max_json_depth)


def _apply_zip64(extra: bytes, size: int, csize: int, offset: int, name: str) -> tuple[int, ...]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + length]
        if len(body) != length:
            raise MalformedArchive(f"{name!r}: extra field runs past its end")
        if tag == 0x0001:
            fields = [size, csize, offset]
            need = [v == 0xFFFFFFFF for v in fields]
            vals = []
            p = 0
            for flag, v in zip(need, fields, strict=True):
                if flag:
                    if p + 8 > len(body):
                        raise MalformedArchive(f"{name!r}: short ZIP64 extra field")
                    vals.append(struct.unpack_from("<Q", body, p)[0])
                    p += 8
                else:
                    vals.append(v)
            return tuple(vals)
        pos += 4 + length
    return size, csize, offset


def json_depth(raw: bytes) -> int:
    """Maximum nesting of arrays/objects in JSON text, counting only brackets outside strings."""
    depth = best = 0
    in_str = esc = False
    for b in raw:
        if in_str:
            if esc:
                esc = False
            elif b == 0x5C:
                esc = True
            elif b == 0x22:
                in_str = False
        elif b == 0x22:
            in_str = True
        elif b in (0x5B, 0x7B):
            depth += 1
            best = max(best, depth)
        elif b in (0x5D, 0x7D):
            depth -= 1
    return best


def parse_json_limited(raw: bytes, name: str, max_depth: int) -> object:
    """Strict JSON: UTF-8, depth-limited, no duplicate keys, no NaN/Infinity."""
    depth = json_depth(raw)
    if depth > max_depth:
        raise JsonTooDeep(name, f"nested {depth} levels deep (limit {max_depth})")

    try:
        # Floats are allowed here: a recipient's bundle is judged by its checks, not refused
        # for a number format.
        return loads_strict(raw, allow_float=True)
    except (ValueError, RecursionError) as e:
        raise HostileJson(name, str(e)) from None
