"""Everything that differs between Windows and POSIX, in one place (DESIGN.md, Platforms).

City-hall counter PCs run Windows; development and CI run Debian. Code elsewhere calls these
functions and never ``fcntl``, ``msvcrt``, ``os.pread``/``os.preadv``, ``os.fdatasync``,
``os.fchmod``, ``O_TMPFILE``/``O_DIRECTORY``, ``/proc`` or a folder ``fsync`` itself, and
open files with ``BINARY`` in their flags (Windows' ``os.open`` is text mode without it).
Each function picks its branch by what the running Python offers, at call time:
tests/test_platform_seam.py runs recording, recovery, import, export and verify in processes
where the POSIX-only functions are removed (tests/support/posix_hidden.py), so the portable
branches run here too, and checks that no module outside this one names them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import threading
from pathlib import Path

_BUSY = {errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES}
# Windows' os.open translates line ends unless asked for binary mode; POSIX has no such flag.
BINARY = getattr(os, "O_BINARY", 0)
_seek_lock = threading.Lock()  # the portable positional read moves a shared file offset


def _module(name: str):
    """A module only some platforms have, or None (a test may hide one: sys.modules[n] = None)."""
    try:
        return __import__(name)
    except ImportError:
        return None


# --- file locks ------------------------------------------------------------------------------
def try_lock(fd: int) -> bool:
    """Take an exclusive lock on the open file ``fd`` without waiting; False if another
    process (or another descriptor) holds it. The OS drops it when the process dies."""
    fcntl = _module("fcntl")
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in _BUSY:
                return False
            raise
        return True
    msvcrt = _module("msvcrt")
    if msvcrt is not None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    return _portable_lock(fd)


# Neither flock nor msvcrt (or a test hiding both): locks between descriptors of this process,
# by file identity. Enough for one app per data folder, which ui/single_instance.py ensures.
_held: set[tuple[int, int]] = set()
_held_by_fd: dict[int, tuple[int, int]] = {}


def _portable_lock(fd: int) -> bool:
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    with _seek_lock:
        if key in _held:
            return False
        _held.add(key)
        _held_by_fd[fd] = key
    return True


def release(fd: int) -> None:
    """Release a lock ``try_lock`` took (closing the descriptor releases it too)."""
    fcntl = _module("fcntl")
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        return
    msvcrt = _module("msvcrt")
    if msvcrt is not None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    with _seek_lock:
        key = _held_by_fd.pop(fd, None)
        if key is not None:
            _held.discard(key)


def close_locked(fd: int) -> None:
    """Close a descriptor whose lock this process may hold."""
    release(fd)
    os.close(fd)


def remove_lock_file(fd: int, path: Path) -> None:
    """Remove a lock file and release its lock. POSIX: removed while still locked, so no other
    process can lock that name in between; Windows cannot remove an open file, so it is
    closed first."""
    if os.name == "nt":
        close_locked(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    with contextlib.suppress(OSError):
        os.unlink(path)
    close_locked(fd)


def is_locked(path: Path) -> bool:
    """Another holder has ``path`` locked (a live writer); False if it does not exist."""
    try:
        fd = os.open(path, os.O_RDONLY | BINARY)
    except FileNotFoundError:
        return False
    try:
        if try_lock(fd):
            release(fd)
            return False
        return True
    finally:
        os.close(fd)


@contextlib.contextmanager
def claim_lock(path: Path):
    """Hold ``path``'s lock for the body: yields True when taken (or when there is no file,
    so no holder), False (holding nothing) when another holder has it."""
    try:
        fd = os.open(path, os.O_RDONLY | BINARY)
    except FileNotFoundError:
        yield True
        return
    mine = False
    try:
        mine = try_lock(fd)
        yield mine
    finally:
        if mine:
            release(fd)
        os.close(fd)


# --- positional reads --------------------------------------------------------------------------
def read_at(fd: int, n: int, offset: int) -> bytes:
    """Up to ``n`` bytes at ``offset``, without moving the file offset where the OS allows."""
    if hasattr(os, "pread"):
        return os.pread(fd, n, offset)
    with _seek_lock:
        os.lseek(fd, offset, os.SEEK_SET)
        return os.read(fd, n)


def read_into_at(fd: int, buf: memoryview, offset: int) -> int:
    """Fill ``buf`` from ``offset`` (one call, as ``preadv``): the number of bytes read."""
    if hasattr(os, "preadv"):
        return os.preadv(fd, [buf], offset)
    with _seek_lock:
        os.lseek(fd, offset, os.SEEK_SET)
        data = os.read(fd, len(buf))
    buf[: len(data)] = data
    return len(data)


# --- durability and permissions ----------------------------------------------------------------
def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable. POSIX needs the folder fsynced;
    Windows cannot open a folder as a file and NTFS journals the name change itself."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # a file system that cannot (some network shares): the data itself is fsynced
    finally:
        os.close(fd)


def datasync(fd: int) -> None:
    """Make a file's data and length durable (``fdatasync``: not its times, where the OS can
    tell them apart); Windows has only ``fsync``."""
    sync = getattr(os, "fdatasync", None)
    if sync is None:
        os.fsync(fd)
    else:
        sync(fd)


def make_private(fd: int, mode: int = 0o600) -> None:
    """Owner-only permissions on an open file, before anything is written into it. Windows
    (no fchmod) gets them from the data folder's ACL; a FAT stick cannot hold them."""
    if hasattr(os, "fchmod"):
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode)


def set_pipe_size(fd: int, size: int) -> None:
    """A larger pipe buffer where Linux allows it (fewer wake-ups); elsewhere nothing."""
    fcntl = _module("fcntl")
    if fcntl is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)


# --- a file with no name until it is complete (Linux O_TMPFILE) ---------------------------------
# errno values saying "this filesystem or kernel has no O_TMPFILE" (an old kernel without it
# reads the flag as O_DIRECTORY and answers EISDIR)
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.ENOTSUP, errno.EISDIR, errno.EINVAL}


def _proc_fd(fd: int) -> str:
    return f"/proc/self/fd/{fd}"


def open_unnamed(folder: Path) -> int | None:
    """An unnamed file (O_TMPFILE) in ``folder`` that ``link_unnamed`` can name later, or None
    where the OS or the filesystem has none (then the caller uses a named partial file)."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:  # Windows, macOS
        return None
    try:
        fd = os.open(folder, flag | os.O_RDWR, 0o600)
    except OSError as e:
        if e.errno in _NO_TMPFILE:
            return None
        raise  # read-only, no permission, gone: the destination's error
    try:  # naming it needs /proc's link to the open file (absent in some containers)
        ok = os.stat(_proc_fd(fd)).st_ino == os.fstat(fd).st_ino
    except OSError:
        ok = False
    if not ok:
        os.close(fd)
        return None
    return fd


def link_unnamed(fd: int, folder: Path, name: str) -> None:
    """Give the unnamed file ``fd`` (from ``open_unnamed``) the name ``folder/name``;
    FileExistsError if it is taken.

    Through ``linkat(AT_FDCWD, "/proc/self/fd/N", dirfd, name, AT_SYMLINK_FOLLOW)``. CPython's
    ``os.link`` makes that call only when a ``dir_fd`` is given; without one it calls plain
    ``link()``, which does not follow /proc's magic link and fails with EXDEV."""
    dir_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.link(_proc_fd(fd), name, dst_dir_fd=dir_fd, follow_symlinks=True)
    finally:
        os.close(dir_fd)


# --- the machine-wide settings folder ------------------------------------------------------------
def machine_config_dir() -> Path:
    """Where IT's machine-wide settings (machine.json) live, for every user of the PC:
    Windows ``%ProgramData%\\Kasuhara Recorder`` (readable by users, written by the
    administrator's installer), elsewhere ``/etc/kasuhara-recorder``."""
    if os.name == "nt":
        base = os.environ.get("ProgramData") or os.environ.get("ALLUSERSPROFILE")
        base = base or r"C:\ProgramData"
        return Path(base) / "Kasuhara Recorder"
    return Path("/etc/kasuhara-recorder")


# --- names --------------------------------------------------------------------------------------
def host_name() -> str:
    """This computer's name (the default workstation name)."""
    return socket.gethostname() or "workstation"
