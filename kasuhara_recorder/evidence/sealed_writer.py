"""Streaming age sealer: PCM goes in, a standard age v1 file comes out, plaintext never on disk.

Three threads, laid out for two cores. pyrage holds the GIL for as long as it encrypts and lets
go only inside the system calls made through our file objects, and every hand-off of the GIL
back to it costs a thread wake-up, so the other threads need the GIL seldom and briefly: large
blocks, the bytes hashed and moved inside calls that release it (``hashlib`` on ≥ 2 KiB,
``os.preadv``), no per-chunk work outside pyrage's thread.

    producer (caller of write())   hashes the plaintext, one ``update`` per block, and hands the
                                   block to the encrypt thread, which copies it once into
                                   pyrage's 1 MiB read buffer (no pipe: nothing to copy twice)
    encrypt thread                 ``pyrage.encrypt_io``: writes the header and each 64 KiB
                                   STREAM chunk straight to the sealed file, one ``os.write`` each
    sink thread                    woken per MiB of ciphertext (or for a checkpoint's chunk):
                                   reads it back from the page cache (``preadv`` into one 1 MiB
                                   buffer), hashes it, fsyncs and appends checkpoints

Measured on two cores (1 GiB in RAM): pyrage alone takes 1.3× the time of Debian ``age``; this
writer with both hashes about 2.1×; the pipe-to-pipe version before it 2.8×. The rest is the
GIL: the two hashes add 0.7 s of CPU per GiB that can only overlap pyrage between its writes.

The journal ``<sealed>.journal`` (JSON lines, canonical JSON, fsynced, no audio) records after a
durable chunk, at most every ``checkpoint_interval_s``: the plaintext bytes covered by complete
chunks on disk and the SHA-256 of exactly that prefix, plus the ciphertext bytes and their
SHA-256. Copies of the running hashes are taken only where a checkpoint will use them: once per
interval the producer copies its plaintext hasher at the next 64 KiB boundary (before pyrage
sees those bytes, so the copy always exists before the chunk that ends there), and the sink
splits its ciphertext hashing at the matching chunk end (header + k × 65552) and copies there.
The pair is checkpointed once that chunk is fsynced, so ``pcm_*`` and ``sealed_*`` always
describe the same cut. A crash therefore leaves a file whose complete chunks decrypt (``age -d``
writes them, then reports the cut) and whose plaintext prefix matches the last checkpoint. age
cannot make a partial chunk durable, so the loss on a crash is at most one 64 KiB chunk plus the
checkpoint interval (0.7 s at 48 kHz mono s16; more at low sample rates).

Disk full: a reserve file (``.<name>.reserve``) is written at start; on ENOSPC/EDQUOT it is
deleted so what is already in flight and the final chunk still fit ("stop, seal what fits").
The writer then refuses more data (``VaultWriteError(disk_full=True)``) and ``close()`` returns
a complete, decryptable file with ``SealResult.disk_full = True``.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import io
import json
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyrage

from kasuhara_recorder.atomic_file import fsync_dir
from kasuhara_recorder.errors import EvidenceError, UsageError
from kasuhara_recorder.evidence.canonical_json import canonical_json

PT_CHUNK = 64 * 1024  # age STREAM plaintext chunk
CT_CHUNK = PT_CHUNK + 16  # + Poly1305 tag
PIPE_SIZE = 1024 * 1024  # pyrage's input buffer
READ_BLOCK = 1024 * 1024  # the sink's read-back and hashing step
WAKE_BYTES = READ_BLOCK  # the sink is woken for this much new ciphertext (or a checkpoint cut)
RESERVE_BYTES = 4 * PIPE_SIZE  # ≥ everything in flight (pyrage's input buffer, its chunk, a block)
JOURNAL_VERSION = 1
EMPTY_SHA256 = hashlib.sha256().hexdigest()
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class VaultWriteError(EvidenceError):
    ja = "録音の保存に失敗しました（{detail}）。録音は保存済みの部分まで封印されます。"
    en = "could not write the sealed recording: {detail}"

    def __init__(self, detail: str, *, disk_full: bool = False) -> None:
        super().__init__(detail)
        self.disk_full = disk_full


class DiskFull(VaultWriteError):
    ja = "ディスクの空き容量がありません（{detail}）。保存できた部分までを封印しました。"
    en = "disk full: {detail}; sealed what fitted"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, disk_full=True)


class VaultOpenError(VaultWriteError):
    """The sealed file could not even be created: nothing was taken, nothing is sealed."""

    ja = (
        "封印ファイルを作成できないため、録音（取り込み）を始められませんでした（{detail}）。"
        "何も保存されていません。保管庫（vault）フォルダの空き容量と書き込み権限を確認してください。"
    )
    en = (
        "could not create the sealed file, so nothing was recorded or imported ({detail}); "
        "check the free space and write permission of the vault folder"
    )


class CheckpointMismatch(EvidenceError):
    ja = "封印ファイル {detail} が最後のチェックポイントと一致しません（改ざんの可能性）。"
    en = "sealed file {detail} does not match its last checkpoint (possible tampering)"


class NoCheckpoint(CheckpointMismatch):
    """The journal is missing, empty or unreadable: nothing attests any part of the file."""

    ja = (
        "封印ファイル {detail} の記録ジャーナル（.journal）がないか壊れているため、"
        "復旧に使えるチェックポイントがありません。ファイルは削除・移動せずに保全し、"
        "証拠管理担当者に連絡してください（age で復号はできます）。"
    )
    en = (
        "sealed file {detail} has no usable checkpoint (its .journal is missing or damaged); "
        "keep the file as it is and tell the evidence officer (age can still decrypt it)"
    )


@dataclass(frozen=True)
class SealResult:
    path: Path
    pcm_bytes: int
    pcm_sha256: str
    sealed_bytes: int
    sealed_sha256: str
    complete: bool  # False: cut by a crash and recovered up to the last checkpoint
    disk_full: bool = False  # stopped early because the disk filled; the file itself is complete


@dataclass(frozen=True)
class Checkpoint:
    pcm_bytes: int
    pcm_sha256: str
    sealed_bytes: int
    sealed_sha256: str
    written_at: str
    closed: bool
    recovered: bool = False  # closed by recover() after a crash, not by the writer


def journal_path(sealed_path: Path) -> Path:
    return Path(str(sealed_path) + ".journal")


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


def _header_end(buf: bytes | bytearray) -> int | None:
    """Length of the age header plus the 16-byte payload nonce, once all of it is in ``buf``."""
    mac = buf.find(b"\n--- ")
    if mac < 0:
        mac = 0 if buf.startswith(b"--- ") else -1
        if mac < 0:
            return None
    eol = buf.find(b"\n", mac + 1)
    if eol < 0 or len(buf) < eol + 1 + 16:
        return None
    return eol + 1 + 16


class _Snapshot:
    """A plaintext hasher copy at a 64 KiB boundary, waiting for its chunk to be hashed."""

    __slots__ = ("pcm_bytes", "pt_hash")

    def __init__(self, pcm_bytes: int, pt_hash: object) -> None:
        self.pcm_bytes = pcm_bytes
        self.pt_hash = pt_hash


class _CipherFile:
    """What pyrage writes into: the sealed file itself, one ``os.write`` per call.

    Runs on the encrypt thread. Counts what is written so the sink knows how far it may read
    back. Wakes a waiting sink only for a block's worth of ciphertext or for the chunk a
    checkpoint is waiting on: every wake-up is a GIL hand-off that pyrage pays for, and a sink
    woken per 64 KiB chunk slows encryption more than both hashes cost.
    """

    def __init__(self, owner: SealedWriter, fd: int) -> None:
        self._owner = owner
        self._fd = fd

    def write(self, data: bytes) -> int:
        owner = self._owner
        mv = memoryview(data)
        n = len(mv)
        pos = 0
        retried = False
        while pos < n:
            try:
                pos += os.write(self._fd, mv[pos:])
            except OSError as e:
                if e.errno in _DISK_FULL and not retried:
                    retried = True
                    owner._drop_reserve()
                    owner._disk_full = True
                    continue
                err = VaultWriteError(str(e), disk_full=e.errno in _DISK_FULL)
                if owner._error is None:
                    owner._error = err  # pyrage would turn it into a bare EncryptError
                raise err from None
        written = owner._ct_written = owner._ct_written + n
        if owner._sink_waiting:
            header_len = owner._header_len
            snaps = owner._snapshots
            if (
                header_len is None
                or written - owner._sink_pos >= WAKE_BYTES
                or (snaps and written >= header_len + snaps[0].pcm_bytes // PT_CHUNK * CT_CHUNK)
            ):
                owner._sink_waiting = False
                owner._wake.set()
        return n

    def flush(self) -> None:
        pass


class _PlainFeed(io.RawIOBase):
    """pyrage's input: the producer's own buffer, copied once, by the encrypt thread.

    ``put`` returns once the block has been copied into pyrage's 1 MiB read buffer, so the
    caller may reuse it; no pipe, so the producer spends nothing on moving the bytes.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._block: memoryview | None = None
        self._pos = 0
        self._eof = False
        self._stopped = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview) -> int:  # encrypt thread
        with self._cond:
            while self._block is None:
                if self._eof or self._stopped:
                    return 0
                self._cond.wait()
            block, pos = self._block, self._pos
            n = min(len(b), len(block) - pos)
            b[:n] = block[pos : pos + n]
            if pos + n == len(block):
                self._block = None
                self._cond.notify()
            else:
                self._pos = pos + n
            return n

    def put(self, mv: memoryview) -> None:  # producer
        with self._cond:
            if self._stopped:
                raise BrokenPipeError
            self._block, self._pos = mv, 0
            self._cond.notify()
            while self._block is not None:
                if self._stopped:
                    self._block = None
                    raise BrokenPipeError
                self._cond.wait()

    def finish(self) -> None:
        with self._cond:
            self._eof = True
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()


class SealedWriter:
    """Seal a byte stream to ``path`` for ``recipients`` (age1… strings) as it arrives.

    ``write`` is called from one producer thread; it blocks only when the pipeline is full.
    """

    def __init__(
        self, path: Path, recipients: Sequence[str], *, checkpoint_interval_s: float = 1.0
    ) -> None:
        self.path = Path(path)
        if not recipients:
            raise UsageError("no organisation recipient is configured")
        try:
            self._recipients = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
        except pyrage.RecipientError as e:
            raise UsageError(f"bad recipient: {e}") from None
        self._interval = checkpoint_interval_s
        self._journal_path = journal_path(self.path)
        self._reserve_path = self.path.parent / f".{self.path.name}.reserve"

        # producer
        self._pt_hash = hashlib.sha256()
        self._pt_bytes = 0
        self._snap_due = True  # copy the hasher at the next 64 KiB boundary
        self._next_snap = 0.0
        # Producer → sink, in boundary order; deque append/popleft are atomic under the GIL.
        self._snapshots: collections.deque[_Snapshot] = collections.deque()

        # encrypt thread → sink
        self._ct_written = 0
        self._enc_done = False
        self._sink_waiting = False
        self._sink_pos = 0  # ciphertext bytes the sink has hashed
        self._header_len: int | None = None  # set by the sink once the age header is on disk
        self._wake = threading.Event()

        self._ct_hash = hashlib.sha256()
        self._error: BaseException | None = None
        self._disk_full = False
        self._closed = False
        self._result: SealResult | None = None

        self._open_files()
        self._feed = _PlainFeed()
        self._encrypt_thread = threading.Thread(
            target=self._encrypt, name="seal-encrypt", daemon=True
        )
        self._sink_thread = threading.Thread(target=self._sink, name="seal-sink", daemon=True)
        self._encrypt_thread.start()
        self._sink_thread.start()

    # --- set-up --------------------------------------------------------------------------
    def _open_files(self) -> None:
        try:
            self._write_reserve()
            jfd = os.open(self._journal_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._journal = os.fdopen(jfd, "ab", buffering=0)
            # Held while writing: find_unfinished() skips a recording that is still live.
            fcntl.flock(self._journal.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._out_fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._back_fd = os.open(self.path, os.O_RDONLY)  # the sink reads back from here
            fsync_dir(self.path.parent)
        except FileExistsError as e:
            self._drop_reserve()
            raise UsageError(f"{e.filename} already exists") from None
        except OSError as e:
            self._drop_reserve()
            raise VaultOpenError(str(e), disk_full=e.errno in _DISK_FULL) from None

    def _write_reserve(self) -> None:
        block = bytes(PIPE_SIZE)
        with open(self._reserve_path, "wb") as f:
            for _ in range(RESERVE_BYTES // PIPE_SIZE):
                f.write(block)
            f.flush()
            os.fsync(f.fileno())

    def _drop_reserve(self) -> bool:
        try:
            os.unlink(self._reserve_path)
        except FileNotFoundError:
            return False
        return True

    # --- producer side -------------------------------------------------------------------
    @property
    def pcm_bytes(self) -> int:
        return self._pt_bytes

    @property
    def disk_full(self) -> bool:
        return self._disk_full

    def write(self, data: bytes | memoryview) -> None:
        if self._closed:
            raise VaultWriteError("writer already closed")
        self._raise_if_failed()
        mv = memoryview(data).cast("B")
        n = len(mv)
        if not n:
            return
        h = self._pt_hash
        pos = 0
        if not self._snap_due and time.monotonic() >= self._next_snap:
            self._snap_due = True
        while self._snap_due:
            # A checkpoint is due: copy the hasher at the next boundary inside this block.
            boundary = (self._pt_bytes // PT_CHUNK + 1) * PT_CHUNK
            k = boundary - self._pt_bytes
            if k > n - pos:
                break
            h.update(mv[pos : pos + k])
            pos += k
            self._pt_bytes = boundary
            self._snapshots.append(_Snapshot(boundary, h.copy()))
            self._snap_due = self._interval <= 0
            self._next_snap = time.monotonic() + self._interval
        if pos < n:
            h.update(mv[pos:])
            self._pt_bytes += n - pos
        # Only now to pyrage: the snapshot exists before pyrage can emit its chunk.
        try:
            self._feed.put(mv)
        except BrokenPipeError:
            self._raise_if_failed()
            raise VaultWriteError("the sealing pipeline stopped") from None

    def _raise_if_failed(self) -> None:
        if self._disk_full:
            raise DiskFull(str(self.path.parent))
        if self._error is not None:
            err = self._error
            if isinstance(err, VaultWriteError):
                raise err
            raise VaultWriteError(f"{type(err).__name__}: {err}") from err

    def close(self) -> SealResult:
        """Write the final chunk, fsync, mark the journal closed and return the hashes."""
        if self._result is not None:
            return self._result
        self._closed = True
        self._feed.finish()
        self._encrypt_thread.join()
        self._sink_thread.join()
        self._drop_reserve()
        for fd in (self._out_fd, self._back_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self._error is not None:
            with contextlib.suppress(OSError):
                self._journal.close()
            self._raise_if_failed_hard()
        self._result = SealResult(
            path=self.path,
            pcm_bytes=self._pt_bytes,
            pcm_sha256=self._pt_hash.hexdigest(),
            sealed_bytes=self._ct_written,
            sealed_sha256=self._ct_hash.hexdigest(),
            complete=True,
            disk_full=self._disk_full,
        )
        return self._result

    def _raise_if_failed_hard(self) -> None:
        err = self._error
        if isinstance(err, VaultWriteError):
            raise err
        raise VaultWriteError(f"{type(err).__name__}: {err}") from err

    def __enter__(self) -> SealedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- encrypt thread ------------------------------------------------------------------
    def _encrypt(self) -> None:
        # Buffered: pyrage asks for 8 KiB at a time; a C-level buffer turns that into one
        # Python-level read per producer block (or MiB) instead of one per 8 KiB.
        reader = io.BufferedReader(self._feed, PIPE_SIZE)
        try:
            pyrage.encrypt_io(reader, _CipherFile(self, self._out_fd), self._recipients)
        except BaseException as e:  # noqa: BLE001 - handed to the producer, never dropped
            if self._error is None:
                self._error = e
        finally:
            self._feed.stop()  # a blocked producer gets BrokenPipeError, never waits forever
            self._enc_done = True
            self._wake.set()

    # --- sink thread ---------------------------------------------------------------------
    def _sink(self) -> None:
        try:
            self._sink_loop()
        except BaseException as e:  # noqa: BLE001 - handed to the producer, never dropped
            if self._error is None:
                self._error = e

    def _wait_for_more(self, timeout: float | None) -> None:
        self._wake.wait(timeout)
        self._wake.clear()

    def _sink_loop(self) -> None:
        buf = bytearray(READ_BLOCK)
        view = memoryview(buf)
        ct = self._ct_hash
        hashed = 0  # file bytes fed to ``ct``
        header_len: int | None = None
        ready: tuple[int, str, int, str] | None = None  # newest hashed (pcm, sha, ct, sha)
        done_pcm = -1  # pcm_bytes of the last checkpoint written
        last_checkpoint = 0.0
        while True:
            # Order matters: ``done`` before ``avail`` (nothing is written after done), and
            # snapshots are looked at only after ``avail`` (a chunk's snapshot predates it).
            self._sink_waiting = True
            done = self._enc_done
            avail = self._ct_written
            if header_len is None and avail:
                header_len = _header_end(os.pread(self._back_fd, min(avail, READ_BLOCK), 0))
                self._header_len = header_len
            if header_len is None or avail == hashed:
                if done:
                    break
                timeout = None
                if ready is not None and ready[0] != done_pcm:
                    timeout = max(0.0, self._interval - (time.monotonic() - last_checkpoint))
                    if timeout == 0.0:
                        self._checkpoint(*ready)
                        done_pcm, last_checkpoint = ready[0], time.monotonic()
                        continue
                self._wait_for_more(timeout if timeout is not None else 1.0)
                continue
            self._sink_waiting = False
            while hashed < avail:
                cut = self._next_cut(header_len, hashed, ready is None)
                stop = avail if cut is None or cut[0] > avail else cut[0]
                while hashed < stop:
                    n = os.preadv(self._back_fd, [view[: min(READ_BLOCK, stop - hashed)]], hashed)
                    if n <= 0:
                        raise VaultWriteError("the sealed file is shorter than what was written")
                    ct.update(view[:n])
                    hashed += n
                self._sink_pos = hashed
                if cut is not None and hashed == cut[0]:
                    snap = cut[1]
                    if snap is None:
                        ready = (0, EMPTY_SHA256, hashed, ct.copy().hexdigest())
                    else:
                        self._snapshots.popleft()
                        pt_sha = snap.pt_hash.hexdigest()
                        ready = (snap.pcm_bytes, pt_sha, hashed, ct.copy().hexdigest())
                    if ready[0] == 0 or time.monotonic() - last_checkpoint >= self._interval:
                        self._checkpoint(*ready)
                        done_pcm, last_checkpoint = ready[0], time.monotonic()
        if header_len is None:
            if self._error is not None:
                return
            raise VaultWriteError("the encryptor produced no age header")
        if self._error is not None:
            return  # encryption failed: leave the last good checkpoint as the record
        self._checkpoint(
            self._pt_bytes, self._pt_hash.hexdigest(), hashed, ct.hexdigest(), closed=True
        )
        self._journal.close()
        fsync_dir(self.path.parent)

    def _next_cut(
        self, header_len: int, hashed: int, first: bool
    ) -> tuple[int, _Snapshot | None] | None:
        """The next file offset where a checkpoint can cut: the header end (pcm 0) first, then
        the chunk end of the oldest plaintext snapshot."""
        if first:
            return header_len, None
        snaps = self._snapshots
        while snaps:
            cut = header_len + snaps[0].pcm_bytes // PT_CHUNK * CT_CHUNK
            if cut >= hashed:
                return cut, snaps[0]
            snaps.popleft()  # cannot happen (a snapshot predates its chunk); never stall on it
        return None

    def _checkpoint(
        self, pcm_bytes: int, pcm_sha: str, sealed_bytes: int, sealed_sha: str, *, closed=False
    ) -> None:
        os.fsync(self._out_fd)  # everything written so far, which includes the cut
        record = {
            "v": JOURNAL_VERSION,
            "pcm_bytes": pcm_bytes,
            "pcm_sha256": pcm_sha,
            "sealed_bytes": sealed_bytes,
            "sealed_sha256": sealed_sha,
            "written_at": _now(),
            "closed": closed,
        }
        self._append_journal(record)

    def _append_journal(self, record: dict) -> None:
        line = canonical_json(record) + b"\n"
        retried = False
        while True:
            try:
                self._journal.write(line)
                os.fsync(self._journal.fileno())
                return
            except OSError as e:
                if e.errno in _DISK_FULL and not retried:
                    retried = True
                    self._drop_reserve()
                    self._disk_full = True
                    continue
                raise VaultWriteError(str(e), disk_full=e.errno in _DISK_FULL) from None


# --- reading journals, finding and recovering cut recordings -----------------------------
def _parse_checkpoint(line: bytes) -> Checkpoint | None:
    try:
        d = json.loads(line)
        return Checkpoint(
            pcm_bytes=int(d["pcm_bytes"]),
            pcm_sha256=str(d["pcm_sha256"]),
            sealed_bytes=int(d["sealed_bytes"]),
            sealed_sha256=str(d["sealed_sha256"]),
            written_at=str(d["written_at"]),
            closed=bool(d["closed"]),
            recovered=bool(d.get("recovered", False)),
        )
    except (ValueError, KeyError, TypeError):
        return None  # a line torn by the crash


def read_checkpoint(sealed_path: Path) -> Checkpoint | None:
    """The last complete checkpoint of ``sealed_path``'s journal, or None if there is none."""
    try:
        raw = journal_path(sealed_path).read_bytes()
    except FileNotFoundError:
        return None
    last = None
    for line in raw.split(b"\n"):
        if line.strip():
            cp = _parse_checkpoint(line)
            if cp is not None:
                last = cp
    return last


def _journal_in_use(jpath: Path) -> bool:
    try:
        fd = os.open(jpath, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock if we took it
    return False


def find_unfinished(vault: Path) -> list[Path]:
    """Sealed files whose journal is missing or not closed, skipping ones a live writer holds."""
    out = []
    for p in sorted(Path(vault).glob("*.age")):
        if _journal_in_use(journal_path(p)):
            continue
        cp = read_checkpoint(p)
        if cp is None or not cp.closed:
            out.append(p)
    return out


def _sha256_prefix(path: Path, n: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        left = n
        while left:
            block = f.read(min(left, PIPE_SIZE))
            if not block:
                break
            h.update(block)
            left -= len(block)
    return h.hexdigest()


def recover(sealed_path: Path) -> SealResult:
    """Close a crash-cut recording at its last checkpoint.

    Checks that the first ``sealed_bytes`` of the file hash to the checkpoint, truncates the file
    there (what follows was never attested) and marks the journal closed. The result has
    ``complete=False``: the file is an age stream without its final chunk, so ``age -d`` writes
    all of its audio (exactly ``pcm_bytes``, hashing to ``pcm_sha256``) and then reports the cut.
    """
    sealed_path = Path(sealed_path)
    cp = read_checkpoint(sealed_path)
    if cp is None:
        raise NoCheckpoint(str(sealed_path))
    size = sealed_path.stat().st_size
    if size < cp.sealed_bytes or _sha256_prefix(sealed_path, cp.sealed_bytes) != cp.sealed_sha256:
        raise CheckpointMismatch(str(sealed_path))
    if not cp.closed:
        with open(sealed_path, "r+b") as f:
            f.truncate(cp.sealed_bytes)
            f.flush()
            os.fsync(f.fileno())
        record = {
            "v": JOURNAL_VERSION,
            "pcm_bytes": cp.pcm_bytes,
            "pcm_sha256": cp.pcm_sha256,
            "sealed_bytes": cp.sealed_bytes,
            "sealed_sha256": cp.sealed_sha256,
            "written_at": _now(),
            "closed": True,
            "recovered": True,
            "cut_bytes": size - cp.sealed_bytes,
        }
        with open(journal_path(sealed_path), "ab") as j:
            j.write(canonical_json(record) + b"\n")
            j.flush()
            os.fsync(j.fileno())
    return SealResult(
        path=sealed_path,
        pcm_bytes=cp.pcm_bytes,
        pcm_sha256=cp.pcm_sha256,
        sealed_bytes=cp.sealed_bytes,
        sealed_sha256=cp.sealed_sha256,
        complete=cp.closed and not cp.recovered,  # a writer-closed file is whole
    )
