"""The data folder's record of bundle files being written on a destination (a USB stick, a share).

A bundle holds plaintext audio. While it is written it is either an unnamed file (Linux
O_TMPFILE, ``destination_file``), which nothing can leave behind, or a hidden partial file,
which a SIGKILL or a power cut can. So before a partial name can exist on the destination, a
record naming it is written here (``<data>/partial-exports/<marker>.json``, atomically); it is
removed only after the finished bundle is in the audit chain. The next start of the app and
``kasuhara-recorder recover`` sweep what is left (``PartialLedger.sweep``): the exact file the
record names is removed, never another.

A live export holds an OS lock on ``<marker>.lock`` from before its record exists until after
it is removed; the kernel drops the lock when the process dies, however it dies. A sweep takes
that lock first, so it never touches a file another process (a CLI export, a second window) is
still writing. No POSIX-only import at module level: the lock call has a Windows branch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import re
import secrets
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from kasuhara_recorder.atomic_file import fsync_dir, make_private_dir, write_atomic
from kasuhara_recorder.platform_seam import remove_lock_file, try_lock

log = logging.getLogger("kasuhara.bundle.partial")

FORMAT = "kasuhara-partial-export"
_MARKER = re.compile(r"[0-9a-f]{16}")
_ZIP_START = b"PK\x03\x04"
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)


def new_marker() -> str:
    """64 random bits: the partial file's name carries it, so a sweep can tell it is ours."""
    return secrets.token_hex(8)


def partial_name(bundle_name: str, marker: str) -> str:
    """Hidden, and short enough that a name the disk allows (255 bytes) still does."""
    return f".{bundle_name[:40]}.{marker}.partial"


def has_records(folder: Path) -> bool:
    """A cheap look for the start-up: anything to sweep? (No lock, no parsing.)"""
    try:
        return any(n.endswith((".json", ".lock")) for n in os.listdir(folder))
    except OSError:
        return False


@dataclass(frozen=True)
class PartialRecord:
    marker: str
    partial: Path  # the hidden name on the destination (created at once, or only to replace)
    bundle: Path  # the bundle's own name
    bundle_id: str
    incident_id: str
    created_at: str
    folder_dev: int  # the destination folder's filesystem when the export began
    # Set just before the file is named into place: the finished bundle's identity, so a sweep
    # can tell our own bundle (killed before its chain entry) from a file put there later.
    ino: int | None = None
    size: int | None = None

    def to_json(self) -> bytes:
        d = asdict(self)
        d.update(format=FORMAT, partial=str(self.partial), bundle=str(self.bundle))
        # ensure_ascii keeps a name that is not UTF-8 (surrogate escapes) exactly
        return json.dumps(d, ensure_ascii=True, sort_keys=True).encode("ascii")

    @classmethod
    def from_json(cls, raw: bytes) -> PartialRecord:
        d = json.loads(raw)
        if not isinstance(d, dict) or d.pop("format", None) != FORMAT:
            raise ValueError("not a partial-export record")
        rec = cls(**{**d, "partial": Path(d["partial"]), "bundle": Path(d["bundle"])})
        if not _MARKER.fullmatch(rec.marker) or rec.partial.name != partial_name(
            rec.bundle.name, rec.marker
        ):
            raise ValueError("partial file name does not carry the record's marker")
        return rec


@dataclass(frozen=True)
class SweepOutcome:
    """What a sweep did with one record.

    ``removed``: a file of ours was removed (``complete``: the finished bundle, killed before its
    chain entry); ``completed``: the export is in the chain, only the record was left;
    ``gone``: nothing of ours is on the destination any more; ``unreachable``: the destination
    is not there (a stick not plugged in), the record is kept for the next start; ``kept``: a
    file there is not ours (or could not be removed), left alone."""

    action: str
    record: PartialRecord | None
    path: Path | None = None
    size: int = 0
    complete: bool = False
    detail: str = ""


def _names_this_file(fd: int, path: Path) -> bool:
    """The lock file still has this name (a sweep may have removed it just before we locked)."""
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _drop_lock_file(fd: int, path: Path) -> None:
    """Remove the lock file and release the lock (platform_seam.remove_lock_file)."""
    remove_lock_file(fd, path)


class HeldRecord:
    """The exporter's side: the record is on disk and its lock held until ``release()``."""

    def __init__(self, ledger: PartialLedger, record: PartialRecord, fd: int) -> None:
        self.ledger, self.record, self._fd = ledger, record, fd

    def update(self, **changes: Any) -> None:
        self.record = replace(self.record, **changes)
        write_atomic(self.ledger.record_path(self.record.marker), self.record.to_json())

    def keep(self) -> None:
        """Leave the record for the next start's sweep (a file we could not remove); the lock
        goes, so that sweep may act on it."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def release(self) -> None:
        """The export is over (in the chain, or cleaned up): the record goes, then the lock."""
        if self._fd < 0:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.ledger.record_path(self.record.marker))
        fsync_dir(self.ledger.folder)
        _drop_lock_file(self._fd, self.ledger.lock_path(self.record.marker))
        self._fd = -1


class PartialLedger:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def record_path(self, marker: str) -> Path:
        return self.folder / f"{marker}.json"

    def lock_path(self, marker: str) -> Path:
        return self.folder / f"{marker}.lock"

    # --- the exporter ---------------------------------------------------------------------
    def hold(self, bundle: Path, *, bundle_id: str, incident_id: str) -> HeldRecord:
        """Lock a new marker and write its record (durable) before any partial file exists."""
        make_private_dir(self.folder)
        bundle = Path(bundle)
        folder_dev = os.stat(bundle.parent).st_dev
        for _ in range(5):
            marker = new_marker()
            lock = self.lock_path(marker)
            fd = os.open(lock, _OPEN_FLAGS | os.O_EXCL, 0o600)
            if try_lock(fd) and _names_this_file(fd, lock):
                break
            os.close(fd)  # a sweep raced us for this fresh name: leave it to the sweep
        else:
            raise OSError(errno.EAGAIN, "could not lock a partial-export record", str(self.folder))
        record = PartialRecord(
            marker=marker,
            partial=bundle.parent / partial_name(bundle.name, marker),
            bundle=bundle,
            bundle_id=bundle_id,
            incident_id=incident_id,
            created_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            folder_dev=folder_dev,
        )
        try:
            write_atomic(self.record_path(marker), record.to_json())
        except BaseException:
            _drop_lock_file(fd, lock)
            raise
        return HeldRecord(self, record, fd)

    # --- the next start -------------------------------------------------------------------
    def sweep(
        self,
        completed: Callable[[PartialRecord], bool],
        on_removed: Callable[[SweepOutcome], None] = lambda o: None,
    ) -> list[SweepOutcome]:
        """Settle every record no live export holds. ``completed(record)``: the chain has the
        finished export (then its file is the bundle, kept). ``on_removed`` is called for each
        file removed, before its record goes (the caller enters it in the audit chain).
        Idempotent: a second sweep finds nothing (or the same unreachable destinations)."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        markers = sorted(
            {m for n in names if _MARKER.fullmatch(m := n.split(".", 1)[0])
             and n in (f"{m}.json", f"{m}.lock")}
        )  # fmt: skip
        outcomes = []
        for marker in markers:
            lock = self.lock_path(marker)
            try:
                fd = os.open(lock, _OPEN_FLAGS, 0o600)
            except OSError as e:
                log.warning("partial export %s: cannot open its lock: %s", marker, e)
                continue
            settled = False
            try:
                if not (try_lock(fd) and _names_this_file(fd, lock)):
                    continue  # a live export holds it
                found = self._settle(marker, completed, on_removed)
                settled = not any(o.action in ("unreachable", "kept") for o in found)
                outcomes.extend(found)
            finally:
                if settled:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(self.record_path(marker))
                    fsync_dir(self.folder)
                    _drop_lock_file(fd, lock)
                else:
                    os.close(fd)
        return outcomes

    def _settle(
        self,
        marker: str,
        completed: Callable[[PartialRecord], bool],
        on_removed: Callable[[SweepOutcome], None],
    ) -> list[SweepOutcome]:
        try:
            raw = self.record_path(marker).read_bytes()
        except FileNotFoundError:
            return []  # killed before its record was written, or after it was removed
        try:
            rec = PartialRecord.from_json(raw)
        except (ValueError, TypeError, KeyError) as e:
            # Written atomically, so not a torn write: never guess which file it meant.
            log.error("partial-export record %s unreadable, kept: %s", marker, e)
            return [SweepOutcome("kept", None, self.record_path(marker), detail=f"unreadable: {e}")]
        if rec.marker != marker:
            return [SweepOutcome("kept", None, self.record_path(marker), detail="marker mismatch")]
        if completed(rec):
            return [SweepOutcome("completed", rec, rec.bundle)]
        folder = rec.partial.parent
        try:
            folder_dev = os.stat(folder).st_dev
        except OSError:
            folder_dev = None
        removed: list[tuple[Path, SweepOutcome]] = []  # each with the file it names
        try:
            partial = _regular_file(rec.partial)
        except _NotOurs as e:
            return [SweepOutcome("kept", rec, rec.partial, detail=str(e))]
        if partial is not None:
            removed.append(
                (rec.partial, SweepOutcome("removed", rec, rec.partial, partial.st_size))
            )
        bundle = _our_bundle(rec)
        if bundle is not None:
            removed.append(
                (rec.bundle, SweepOutcome("removed", rec, rec.bundle, bundle.st_size, True))
            )
        if not removed:
            if folder_dev is None or folder_dev != rec.folder_dev:
                # Unplugged, or another disk mounted there: what we left may be on it still.
                return [SweepOutcome("unreachable", rec, rec.partial)]
            return [SweepOutcome("gone", rec, rec.partial)]
        result = []
        for path, o in removed:
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as e:  # read-only now, or no permission: try again next start
                log.error("cannot remove partial export %s: %s", o.path, e)
                result.append(replace(o, action="kept", detail=e.strerror or str(e)))
                continue
            fsync_dir(folder)
            log.warning("removed %s bundle file %s (%d bytes) left by an interrupted export",
                        "finished" if o.complete else "partial", o.path, o.size)  # fmt: skip
            on_removed(o)
            result.append(o)
        return result


class _NotOurs(Exception):
    pass


def _regular_file(path: Path) -> os.stat_result | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise _NotOurs(f"cannot look at it: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise _NotOurs("not a regular file")  # a link or folder put there: never followed
    return st


def _our_bundle(rec: PartialRecord) -> os.stat_result | None:
    """The bundle's own name holds the very file we finished: same inode and size, a ZIP."""
    if rec.ino is None or rec.size is None:
        return None  # never got as far as naming it
    try:
        st = _regular_file(rec.bundle)
    except _NotOurs:
        return None
    if st is None or st.st_ino != rec.ino or st.st_size != rec.size:
        return None
    try:
        with open(rec.bundle, "rb") as f:
            return st if f.read(4) == _ZIP_START else None
    except OSError:
        return None
