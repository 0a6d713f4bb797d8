"""Hand-built hostile ZIP archives: each one is what an attacker could send as a "bundle".

Built with the stdlib zipfile where it can express the attack, else by patching bytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def _zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], method=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def traversal() -> bytes:
    return _zip([("README.txt", b"x"), ("../../etc/evil", b"x")])


def absolute() -> bytes:
    info = zipfile.ZipInfo("README.txt")
    data = _zip([(info, b"x")])
    # zipfile strips a leading "/" from names it writes, so patch the bytes afterwards.
    return data.replace(b"README.txt", b"/EADME.txt")


def drive_letter() -> bytes:
    return _zip([("C:/Windows/evil.dll", b"x")])


def backslash() -> bytes:
    data = _zip([("a/b/evil.txt", b"x")])
    return data.replace(b"a/b/evil.txt", b"..\\..\\evil.t")


def symlink() -> bytes:
    info = zipfile.ZipInfo("keys/link.pem")
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    return _zip([("README.txt", b"x"), (info, b"/etc/passwd")])


def duplicate() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("manifest.json", b"{}")
        z.writestr("MANIFEST.json", b"{}")
    return buf.getvalue()


def exact_duplicate() -> bytes:
    data = duplicate()
    return data.replace(b"MANIFEST.json", b"manifest.json")


def bomb_ratio() -> bytes:
    return _zip([("recordings/x.wav", b"\0" * (50 << 20))], zipfile.ZIP_DEFLATED)


def bomb_lying_size() -> bytes:
    """Declares 1000 bytes but inflates to 10 MB: the declared size must be enforced."""
    payload = b"A" * (10 << 20)
    data = bytearray(_zip([("big.txt", payload)], zipfile.ZIP_DEFLATED))
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(sig)
        struct.pack_into("<I", data, pos + off, 1000)
    return bytes(data)


def overlapping() -> bytes:
    """Two central entries pointing at the same local data (the "better zip bomb" pattern)."""
    data = bytearray(_zip([("a.txt", b"hello"), ("b.txt", b"hello")]))
    first_local = 0
    cd2 = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, cd2 + 42, first_local)
    return bytes(data)


def encrypted() -> bytes:
    data = bytearray(_zip([("README.txt", b"x")]))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(sig)
        flags = struct.unpack_from("<H", data, pos + off)[0]
        struct.pack_into("<H", data, pos + off, flags | 1)
    return bytes(data)


def truncated() -> bytes:
    return _zip([("README.txt", b"x" * 1000), ("SHA256SUMS", b"y")])[:-30]


def not_a_zip() -> bytes:
    return b"%PDF-1.7\n" + b"x" * 200


def empty_file() -> bytes:
    return b""


def deep_json() -> bytes:
    return _zip([("manifest.json", b"[" * 10_000 + b"]" * 10_000)])


def huge_json() -> bytes:
    body = b'{"a":"' + b"x" * (40 << 20) + b'"}'
    return _zip([("manifest.json", body)], zipfile.ZIP_DEFLATED)


def unsupported_method() -> bytes:
    return _zip([("README.txt", b"x" * 100)], zipfile.ZIP_BZIP2)


HOSTILE = {
    "traversal": traversal,
    "absolute": absolute,
    "drive_letter": drive_letter,
    "backslash": backslash,
    "symlink": symlink,
    "duplicate_case": duplicate,
    "duplicate_exact": exact_duplicate,
    "bomb_ratio": bomb_ratio,
    "bomb_lying_size": bomb_lying_size,
    "overlapping": overlapping,
    "encrypted": encrypted,
    "truncated": truncated,
    "not_a_zip": not_a_zip,
    "empty_file": empty_file,
    "deep_json": deep_json,
    "huge_json": huge_json,
    "unsupported_method": unsupported_method,
}


def crc_of(data: bytes) -> int:
    return zlib.crc32(data)
