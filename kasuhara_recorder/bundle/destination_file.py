"""The bundle's file on the destination while it is written, and how it gets its name.

Where the OS allows it (Linux ``O_TMPFILE``: ext4, xfs, btrfs, tmpfs…) the bundle is written to
an unnamed file in the destination folder and linked under its name only when complete: a
SIGKILL or a power cut before that leaves no file at all (the kernel frees an inode no name
points to). Everywhere else (vfat/exFAT sticks, SMB shares, Windows) it is a hidden partial file
``.<name>.<marker>.partial``, recorded in the data folder before it is created
(``partial_ledger``) and renamed at the end; what a kill leaves, the next start removes.

An existing file at the bundle's name is replaced only when asked (``overwrite``); otherwise
the name is taken without replacing anything: ``linkat``/``link`` fail if it exists, which
also covers a file that appeared while the export ran.

The OS-specific calls are the platform seam's ``open_unnamed`` and ``link_unnamed``, looked up
here by name at call time, so a test can make ``destination_file.open_unnamed`` say "not here"
and run the portable path.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from kasuhara_recorder.atomic_file import fsync_dir
from kasuhara_recorder.bundle.partial_ledger import HeldRecord, new_marker, partial_name
from kasuhara_recorder.platform_seam import BINARY, link_unnamed, make_private, open_unnamed

_T = TypeVar("_T")

__all__ = ["BundleExistsError", "BundleFile", "link_unnamed", "open_unnamed"]

# errno values saying "no hard links here" (vfat: EPERM, SMB: EOPNOTSUPP / ENOSYS, …)
_NO_LINK = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV, errno.EINVAL}


class BundleExistsError(FileExistsError):
    """The bundle's name was taken (by a file that appeared while the export ran)."""


class BundleFile:
    """``open()`` → write the ZIP → ``commit()`` names it; ``discard()`` on any failure."""

    def __init__(self, out_path: Path, held: HeldRecord | None, *, overwrite: bool) -> None:
        self.out_path = Path(out_path)
        self.folder = self.out_path.parent
        self.held = held
        self.overwrite = overwrite
        self.unnamed = False
        self.named: Path | None = None  # a name of ours on the destination, to remove on failure
        self.file: BinaryIO | None = None
        self.finished: os.stat_result | None = None  # the bundle once it has its name
        # Without a ledger (a caller outside the app service) the name is still random and
        # cleaned up on failure; only a kill can leave it.
        self.partial_path = (
            held.record.partial
            if held is not None
            else self.folder / partial_name(self.out_path.name, new_marker())
        )

    def open(self) -> BinaryIO:
        from kasuhara_recorder.bundle import destination_file as seam  # the test seam

        fd = seam.open_unnamed(self.folder)
        if fd is not None:
            self.unnamed = True
        else:
            path = self.partial_path
            flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | BINARY
            fd = os.open(path, flags, 0o600)
            self.named = path
        # Plaintext audio: private until it is handed over. A FAT stick refuses the mode
        # change (EPERM) and cannot hold it anyway; Windows (Python 3.11) has no fchmod.
        make_private(fd)
        self.file = os.fdopen(fd, "w+b")
        return self.file

    def sync(self) -> os.stat_result:
        """Flush and fsync the complete file; its stat (inode and size)."""
        f = self.file
        if f is None:
            raise RuntimeError("sync() before open()")
        f.flush()
        os.fsync(f.fileno())
        return os.fstat(f.fileno())

    def read_back(self, digest: Callable[[BinaryIO], _T]) -> _T:
        """``digest(f)`` of the complete file read from its start (after ``sync``)."""
        f = self.file
        if f is None:
            raise RuntimeError("read_back() before open()")
        f.seek(0)
        return digest(f)

    def name(self) -> None:
        """Give the complete, synced file the bundle's name. BundleExistsError if the name is
        taken and ``overwrite`` is off (nothing is replaced then)."""
        f = self.file
        if f is None:
            raise RuntimeError("name() before open()")
        st = os.fstat(f.fileno())
        if self.unnamed:
            self._name_unnamed(f.fileno())
        else:
            self._name_partial()
        self.finished = st
        f.close()
        self.file = None
        fsync_dir(self.folder)

    def _name_unnamed(self, fd: int) -> None:
        from kasuhara_recorder.bundle import destination_file as seam

        if not self.overwrite:
            try:
                seam.link_unnamed(fd, self.folder, self.out_path.name)
            except FileExistsError:
                raise BundleExistsError(errno.EEXIST, "exists", str(self.out_path)) from None
            return
        hidden = self.partial_path  # recorded: a kill before the rename leaves nothing for long
        seam.link_unnamed(fd, self.folder, hidden.name)
        self.named = hidden
        os.replace(hidden, self.out_path)
        self.named = None

    def _name_partial(self) -> None:
        if self.named is None:
            raise RuntimeError("no partial file to name")
        if self.overwrite:
            os.replace(self.named, self.out_path)
            self.named = None
            return
        try:
            os.link(self.named, self.out_path)  # never replaces
        except FileExistsError:
            raise BundleExistsError(errno.EEXIST, "exists", str(self.out_path)) from None
        except OSError as e:
            if e.errno not in _NO_LINK:
                raise
            # No hard links (FAT, some shares): look, then rename. Windows' rename refuses an
            # existing name itself; on POSIX a file appearing between the two calls is replaced.
            try:
                if os.path.lexists(self.out_path):
                    raise FileExistsError(errno.EEXIST, "exists", str(self.out_path))
                os.rename(self.named, self.out_path)
            except FileExistsError:
                raise BundleExistsError(errno.EEXIST, "exists", str(self.out_path)) from None
            self.named = None
            return
        os.unlink(self.named)
        self.named = None

    def discard(self) -> bool:
        """After any failure: nothing of ours stays on the destination (an unnamed file goes
        with its last descriptor; a named partial, or the bundle this export had just named,
        is removed). False if a file of ours could not be removed."""
        clean = True
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
            self.file = None
        if self.named is not None:
            try:
                os.unlink(self.named)
            except FileNotFoundError:
                pass
            except OSError:
                clean = False
            self.named = None
        if self.finished is not None:
            try:
                st = os.lstat(self.out_path)
                if (st.st_ino, st.st_size) == (self.finished.st_ino, self.finished.st_size):
                    os.unlink(self.out_path)
            except FileNotFoundError:
                pass
            except OSError:
                clean = False
            self.finished = None
        fsync_dir(self.folder)
        return clean
