"""Atomic, private file writes: temp file, permissions first, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from kasuhara_recorder.platform_seam import fsync_dir, make_private

__all__ = ["fsync_dir", "make_private_dir", "write_atomic"]  # fsync_dir: the seam's, for callers


def write_atomic(path: Path, data: bytes, mode: int = 0o600, *, exclusive: bool = False) -> None:
    """``exclusive``: never replace an existing file (FileExistsError), even one another
    process made a moment ago (a hard link where a rename would overwrite)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        make_private(fd, mode)  # before any byte is written
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def make_private_dir(path: Path) -> Path:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path
