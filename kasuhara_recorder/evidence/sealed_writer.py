"""Streaming age sealer: PCM goes in, a standard age v1 file comes out, plaintext never on disk.

Three threads, laid out for two cores. pyrage holds the GIL for as long as it encrypts and lets
go only inside the system calls made through our file objects, and every hand-off of the GIL
back to it costs a thread wake-up, so the other threads need the GIL seldom and briefly: large
blocks, the bytes hashed and moved inside calls that release it (``hashlib`` on ≥ 2 KiB,
``preadv`` through the platform seam), no per-chunk work outside pyrage's thread.

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
writes them, then reports the cut) and whose plaintext prefix matches the last checkpoint.

age cannot make a partial chunk durable (64 KiB is 0.7 s at 48 kHz mono s16 but 4.1 s at 8 kHz).
With ``tail_interval_s`` set (live recordings), the producer also keeps a copy of the plaintext
since the newest chunk checkpoint, and about once an interval hands it to a fourth thread
(``evidence/tail_sealer.py``) that seals it as its own small age file and journals it. A crash
then loses at most about one tail interval plus the time to seal it, at any sample rate.
``recover()`` cuts the main file at the checkpoint the tail starts from and keeps the tail as a
second sealed member (or, when no chunk was complete yet, as the sealed file itself).

The journal's lock is taken before the sealed file exists and held until ``release()`` (with
``keep_lock``) or ``close()``: recovery in any process never touches a file a live writer holds.

Disk full: a reserve file (``.<name>.reserve``) is written at start; on ENOSPC/EDQUOT it is
deleted so what is already in flight and the final chunk still fit ("stop, seal what fits").
The writer then refuses more data (``VaultWriteError(disk_full=True)``) and ``close()`` returns
a complete, decryptable file with ``SealResult.disk_full = True``.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import hashlib
import io
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyrage

from kasuhara_recorder.atomic_file import fsync_dir, write_atomic
from kasuhara_recorder.errors import EvidenceError, UsageError
from kasuhara_recorder.evidence.journal import (
    EMPTY_SHA256,
    Checkpoint,
    Journal,
    SealedTail,
    StreamInfo,
    TailCheckpoint,
    checkpoint_record,
    claim,
    journal_in_use,
    now_iso,
    open_record,
    read_checkpoint,
    read_journal,
    record_line,
    tail_record,
)
from kasuhara_recorder.evidence.tail_sealer import TailCopy, TailSealer
from kasuhara_recorder.evidence.vault import (
    SEALED,
    TAIL_SLOTS,
    journal_path,
    reserve_path,
    tail_member_path,
    tail_slot_path,
)
from kasuhara_recorder.platform_seam import BINARY, read_at, read_into_at, release, try_lock
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from _hashlib import HASH

PT_CHUNK = 64 * 1024  # age STREAM plaintext chunk
CT_CHUNK = PT_CHUNK + 16  # + Poly1305 tag
PIPE_SIZE = 1024 * 1024  # pyrage's input buffer
READ_BLOCK = 1024 * 1024  # the sink's read-back and hashing step
WAKE_BYTES = READ_BLOCK  # the sink is woken for this much new ciphertext (or a checkpoint cut)
RESERVE_BYTES = 4 * PIPE_SIZE  # ≥ everything in flight (pyrage's input buffer, its chunk, a block)
# The tail a live writer keeps is the audio since the newest chunk checkpoint: normally about a
# second. A writer fed far faster than real time (or one whose disk stalled for a minute) would
# keep the whole pipeline's worth; past this it keeps no tail and only whole chunks are durable.
TAIL_MAX_BYTES = 8 * 1024 * 1024
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class VaultWriteError(EvidenceError):
    template = Text(
        "録音の保存に失敗しました（{detail}）。録音は保存済みの部分まで封印されます。",
        "could not write the sealed recording: {detail}",
    )
    fields = ("detail",)
    defaults = {"disk_full": False}  # by keyword: the vault's disk filled up
    disk_full: bool


class DiskFull(VaultWriteError):
    template = Text(
        "ディスクの空き容量がありません（{detail}）。保存できた部分までを封印しました。",
        "disk full: {detail}; sealed what fitted",
    )
    defaults = {"disk_full": True}


class VaultOpenError(VaultWriteError):
    """The sealed file could not even be created: nothing was taken, nothing is sealed."""

    template = Text(
        "封印ファイルを作成できないため、録音（取り込み）を始められませんでした（{detail}）。"
        "何も保存されていません。保管庫（vault）フォルダの空き容量と書き込み権限を確認してください。",
        "could not create the sealed file, so nothing was recorded or imported ({detail}); "
        "check the free space and write permission of the vault folder",
    )


class CheckpointMismatch(EvidenceError):
    template = Text(
        "封印ファイル {detail} が最後のチェックポイントと一致しません（改ざんの可能性）。",
        "sealed file {detail} does not match its last checkpoint (possible tampering)",
    )


class NoCheckpoint(CheckpointMismatch):
    """The journal is missing, empty or unreadable: nothing attests any part of the file."""

    template = Text(
        "封印ファイル {detail} の記録ジャーナル（.journal）がないか壊れているため、"
        "復旧に使えるチェックポイントがありません。ファイルは削除・移動せずに保全し、"
        "証拠管理担当者に連絡してください（age で復号はできます）。",
        "sealed file {detail} has no usable checkpoint (its .journal is missing or damaged); "
        "keep the file as it is and tell the evidence officer (age can still decrypt it)",
    )


@dataclass(frozen=True)
class SealResult:
    path: Path
    pcm_bytes: int  # the whole recording's plaintext (main file + tail)
    pcm_sha256: str
    sealed_bytes: int  # of the main file, ``path``
    sealed_sha256: str
    complete: bool  # False: cut by a crash and recovered up to the last checkpoint
    disk_full: bool = False  # stopped early because the disk filled; the file itself is complete
    tail: SealedTail | None = None  # recovered: the rest of the audio, a second sealed file
    recovered_from: str | None = None  # recovered: "checkpoint", "tail" or "empty"
    checkpoint_written_at: str | None = None  # recovered: when its last audio became durable
    cut_bytes: int = 0  # recovered: sealed bytes dropped because nothing attested them


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

    def __init__(self, pcm_bytes: int, pt_hash: HASH) -> None:
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

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]  # pyrage: a memoryview
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

    ``stream``: the PCM format, written as the journal's first line (recovery reads the sample
    rate there). ``tail_interval_s``: seal the plaintext not yet in a complete chunk about this
    often (None: only whole chunks become durable, as for imports and attachments).
    ``keep_lock``: ``close()`` keeps the journal locked until ``release()``, so a recording
    is not taken for an unfinished one while its owner still registers it.
    """

    def __init__(
        self,
        path: Path,
        recipients: Sequence[str],
        *,
        checkpoint_interval_s: float = 1.0,
        stream: StreamInfo | None = None,
        tail_interval_s: float | None = None,
        keep_lock: bool = False,
    ) -> None:
        self.path = Path(path)
        if not recipients:
            raise UsageError("no organisation recipient is configured")
        try:
            self._recipients = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
        except pyrage.RecipientError as e:
            raise UsageError(f"bad recipient: {e}") from None
        self._interval = checkpoint_interval_s
        self._stream = stream
        self._keep_lock = keep_lock
        self._journal_path = journal_path(self.path)
        self._journal_lock = threading.Lock()  # the sink and the tail thread both append
        self._reserve_path = reserve_path(self.path)

        # producer
        self._pt_hash = hashlib.sha256()
        self._pt_bytes = 0
        self._snap_due = True  # copy the hasher at the next 64 KiB boundary
        self._next_snap = 0.0
        # Producer → sink, in boundary order; deque append/popleft are atomic under the GIL.
        self._snapshots: collections.deque[_Snapshot] = collections.deque()
        # The plaintext since ``_tail_base``, the newest chunk checkpoint the producer has seen
        # (``_durable_pcm``, set by the sink once journalled): what a tail seals.
        self._tail_interval = tail_interval_s
        self._tail_buf: bytearray | None = bytearray()
        self._tail_base = 0
        self._next_tail = 0.0
        self._durable_pcm = 0

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
        self._tail: TailSealer | None = None
        if tail_interval_s is not None:
            self._next_tail = time.monotonic() + tail_interval_s
            self._tail = TailSealer(
                self.path,
                self._recipients,
                durable_pcm=lambda: self._durable_pcm,
                journal=self._journal_tail,
                failed=self._tail_failed,
            )
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
            jfd = os.open(self._journal_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY, 0o600)
            self._journal = os.fdopen(jfd, "ab", buffering=0)
            # Held while writing (and, with keep_lock, until release()): recovery in any
            # process skips a recording that is still live. Taken before the sealed file
            # exists, so a sealed file without a locked journal has no live writer.
            if not try_lock(self._journal.fileno()):
                self._journal.close()
                raise OSError(errno.EBUSY, "another process holds the journal", str(self.path))
            if self._stream is not None:  # the format, before any audio: recovery reads it
                self._append_journal(open_record(self._stream))
            self._out_fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY, 0o600)
            self._back_fd = os.open(self.path, os.O_RDONLY | BINARY)  # the sink reads back here
            fsync_dir(self.path.parent)
        except FileExistsError as e:
            self._drop_reserve()
            raise UsageError(f"{e.filename} already exists") from None
        except OSError as e:
            self._drop_reserve()
            raise VaultOpenError(str(e), disk_full=e.errno in _DISK_FULL) from None
        except VaultWriteError as e:  # the journal's first line did not fit
            self._drop_reserve()
            raise VaultOpenError(e.detail, disk_full=e.disk_full) from None

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
        if self._tail is not None:
            self._keep_tail(mv)
        # Only now to pyrage: the snapshot exists before pyrage can emit its chunk.
        try:
            self._feed.put(mv)
        except BrokenPipeError:
            self._raise_if_failed()
            raise VaultWriteError("the sealing pipeline stopped") from None

    def _keep_tail(self, mv: memoryview) -> None:
        """Keep the plaintext since the newest chunk checkpoint; hand a copy to the tail
        thread when one is due. Costs a copy of the block and, once an interval, one of the
        tail (at most a few chunks): no hashing of the audio twice, no syscall."""
        buf, tail, interval = self._tail_buf, self._tail, self._tail_interval
        if tail is None or interval is None:
            return  # not reached: only a writer with a tail thread keeps one
        if buf is None:
            return  # gave up keeping a tail (see TAIL_MAX_BYTES)
        buf += mv
        durable = self._durable_pcm
        if durable > self._tail_base:
            del buf[: durable - self._tail_base]  # O(1) at the front of a bytearray
            self._tail_base = durable
        if len(buf) > TAIL_MAX_BYTES:
            self._tail_buf = None
            return
        now = time.monotonic()
        if now >= self._next_tail and self._pt_bytes > self._tail_base:
            self._next_tail = now + interval
            tail.offer(
                TailCopy(
                    self._tail_base, bytes(buf), self._pt_bytes, self._pt_hash.copy().hexdigest()
                )
            )

    def _journal_tail(self, t: TailCheckpoint) -> None:  # tail thread
        self._append_journal(tail_record(t))

    def _tail_failed(self, e: OSError) -> None:  # tail thread
        if e.errno in _DISK_FULL:
            self._drop_reserve()  # as for the main file: stop, seal what fits
            self._disk_full = True
        elif self._error is None:
            self._error = VaultWriteError(f"sealed tail: {e}")

    @property
    def tails_sealed(self) -> int:
        return self._tail.sealed if self._tail is not None else 0

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
        if self._tail is not None:
            self._tail.stop()  # no tail line after the closing line
        self._feed.finish()
        self._encrypt_thread.join()
        self._sink_thread.join()
        self._drop_reserve()
        for fd in (self._out_fd, self._back_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self._error is not None:
            self.release()  # the journal and the tail slots stay, for recover()
            self._raise_if_failed_hard()
        if self._tail is not None:  # the closing line covers everything: the tails are spent
            for slot in self._tail.slot_paths():
                slot.unlink(missing_ok=True)
        if not self._keep_lock:
            self.release()
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

    def release(self) -> None:
        """Drop the journal's lock (close it). Idempotent; ``close()`` calls it unless the
        writer was opened with ``keep_lock``."""
        if self._journal.closed:
            return
        with contextlib.suppress(OSError, ValueError):
            release(self._journal.fileno())
        with contextlib.suppress(OSError):
            self._journal.close()

    def _raise_if_failed_hard(self) -> None:
        err = self._error
        if isinstance(err, VaultWriteError):
            raise err
        raise VaultWriteError(f"{type(err).__name__}: {err}") from err

    def __enter__(self) -> SealedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.close()
        finally:
            self.release()

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
                header_len = _header_end(read_at(self._back_fd, min(avail, READ_BLOCK), 0))
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
                hashed = self._hash_file(view, hashed, stop)
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
        fsync_dir(self.path.parent)

    def _hash_file(self, view: memoryview, start: int, stop: int) -> int:
        """Feed the sealed file's bytes ``start``–``stop`` (read back) to its running hash."""
        pos = start
        while pos < stop:
            n = read_into_at(self._back_fd, view[: min(READ_BLOCK, stop - pos)], pos)
            if n <= 0:
                raise VaultWriteError("the sealed file is shorter than what was written")
            self._ct_hash.update(view[:n])
            pos += n
        return pos

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
        self,
        pcm_bytes: int,
        pcm_sha: str,
        sealed_bytes: int,
        sealed_sha: str,
        *,
        closed: bool = False,
    ) -> None:
        os.fsync(self._out_fd)  # everything written so far, which includes the cut
        self._append_journal(
            checkpoint_record(pcm_bytes, pcm_sha, sealed_bytes, sealed_sha, closed=closed)
        )
        if not closed:
            self._durable_pcm = pcm_bytes  # the producer's tail may start here now

    def _append_journal(self, record: dict[str, Any]) -> None:
        line = record_line(record)
        retried = False
        with self._journal_lock:
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


# --- finding and recovering cut recordings ------------------------------------------------
def find_unfinished(vault: Path) -> list[Path]:
    """Sealed files whose journal is missing or not closed, skipping ones a live writer holds."""
    out = []
    for p in sorted(Path(vault).glob(f"*{SEALED}")):
        if journal_in_use(p):
            continue
        cp = read_checkpoint(p)
        if cp is None or not cp.closed:
            out.append(p)
    return out


def _sha256_prefix(path: Path, n: int | None = None) -> str:
    """SHA-256 of the first ``n`` bytes of ``path`` (all of it when ``n`` is None)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        left = n
        while left is None or left:
            block = f.read(PIPE_SIZE if left is None else min(left, PIPE_SIZE))
            if not block:
                break
            h.update(block)
            if left is not None:
                left -= len(block)
    return h.hexdigest()


def _matches(path: Path, size: int, sha256: str) -> bool:
    try:
        return path.stat().st_size == size and _sha256_prefix(path) == sha256
    except FileNotFoundError:
        return False


def _closed_result(sealed_path: Path, cp: Checkpoint) -> SealResult:
    return SealResult(
        path=sealed_path,
        pcm_bytes=cp.pcm_bytes,
        pcm_sha256=cp.pcm_sha256,
        sealed_bytes=cp.sealed_bytes,
        sealed_sha256=cp.sealed_sha256,
        complete=cp.closed and not cp.recovered,  # a writer-closed file is whole
        tail=cp.tail,
        recovered_from=cp.recovered_from or ("checkpoint" if cp.recovered else None),
        checkpoint_written_at=cp.checkpoint_written_at or cp.written_at,
        cut_bytes=cp.cut_bytes,
    )


def _sweep_leftovers(sealed_path: Path) -> None:
    """What a killed writer leaves beside a recording whose journal is now closed: spent tail
    slots and the 4 MiB disk-full reserve."""
    for k in range(TAIL_SLOTS):
        tail_slot_path(sealed_path, k).unlink(missing_ok=True)
    reserve_path(sealed_path).unlink(missing_ok=True)


def recover(sealed_path: Path, recipients: Sequence[str] = ()) -> SealResult:
    """Close a crash-cut recording at the newest state its journal attests. Idempotent.

    Three outcomes (``recovered_from``), decided before anything is changed:

    ``checkpoint``  the newest chunk checkpoint covers the most: the file is truncated there
                    (what follows was never attested); ``age -d`` writes exactly its audio and
                    then reports the cut.
    ``tail``        a sealed tail covers more: the main file is cut at the chunk checkpoint the
                    tail starts from and the tail is kept beside it as ``<id>.age.tail`` (a
                    complete age file; the audio is the main file's, then the tail's), or, when
                    it starts at 0 (no chunk was complete yet), the tail becomes the sealed file.
    ``empty``       the journal is intact but no audio was durable yet (an early crash): the
                    file is replaced by an empty age file sealed to ``recipients``.

    Every file used is checked against the journal's hashes first; a mismatch raises
    CheckpointMismatch and changes nothing. The caller holds the journal (``claim``).
    """
    sealed_path = Path(sealed_path)
    j = read_journal(sealed_path)
    last = j.last_checkpoint
    if last is not None and last.closed:
        _sweep_leftovers(sealed_path)
        return _closed_result(sealed_path, last)
    size = sealed_path.stat().st_size
    plan = _plan(sealed_path, j, size, recipients)
    closing = plan()
    with open(journal_path(sealed_path), "ab") as f:
        f.write(record_line(closing))
        f.flush()
        os.fsync(f.fileno())
    _sweep_leftovers(sealed_path)
    fsync_dir(sealed_path.parent)
    cp = read_checkpoint(sealed_path)
    if cp is None or not cp.closed:  # cannot happen: the line was just fsynced
        raise VaultWriteError(f"{journal_path(sealed_path)}: the closing line did not stick")
    return _closed_result(sealed_path, cp)


def _closing_record(
    pcm_bytes: int,
    pcm_sha: str,
    sealed_bytes: int,
    sealed_sha: str,
    *,
    cut: int,
    source: str,
    attested_at: str,
    tail: SealedTail | None = None,
) -> dict[str, Any]:
    rec = checkpoint_record(pcm_bytes, pcm_sha, sealed_bytes, sealed_sha, closed=True)
    rec.update(
        recovered=True,
        cut_bytes=max(0, cut),
        recovered_from=source,
        checkpoint_written_at=attested_at,
    )
    if tail is not None:
        rec["tail"] = tail.to_dict()
    return rec


def _check_prefix(sealed_path: Path, size: int, cp: Checkpoint) -> None:
    if size < cp.sealed_bytes or _sha256_prefix(sealed_path, cp.sealed_bytes) != cp.sealed_sha256:
        raise CheckpointMismatch(str(sealed_path))


def _truncate(sealed_path: Path, n: int) -> None:
    with open(sealed_path, "r+b") as f:
        f.truncate(n)
        f.flush()
        os.fsync(f.fileno())


def _plan(
    sealed_path: Path, j: Journal, size: int, recipients: Sequence[str]
) -> Callable[[], dict[str, Any]]:
    """Check everything the outcome rests on; return the step that carries it out."""
    if not j.exists or (j.parsed_nothing and (j.size > 0 or size > 0)):
        # No journal, or one that says nothing but was written to, or a file with bytes but
        # an empty journal: nothing attests any of it. Kept as it is, for the officer.
        raise NoCheckpoint(str(sealed_path))
    cp = j.last_checkpoint
    t = j.last_tail
    if t is not None and (cp is None or t.pcm_bytes > cp.pcm_bytes):
        return _plan_tail(sealed_path, j, size, t)
    if cp is not None:
        _check_prefix(sealed_path, size, cp)

        def cut_at_checkpoint() -> dict[str, Any]:
            _truncate(sealed_path, cp.sealed_bytes)
            return _closing_record(
                cp.pcm_bytes, cp.pcm_sha256, cp.sealed_bytes, cp.sealed_sha256,
                cut=size - cp.sealed_bytes, source="checkpoint", attested_at=cp.written_at,
            )  # fmt: skip

        return cut_at_checkpoint
    # The journal is intact (its open line, or nothing at all beside an empty file) but the
    # crash came before any audio was durable: close it as an empty recording, truthfully.
    try:
        parsed = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    except pyrage.RecipientError as e:
        raise UsageError(f"bad recipient: {e}") from None
    if not parsed:
        raise UsageError("no organisation recipient to seal the empty recording to")
    attested_at = j.opened_at or now_iso()

    def close_empty() -> dict[str, Any]:
        data = pyrage.encrypt(b"", parsed)
        write_atomic(sealed_path, data)
        return _closing_record(
            0, EMPTY_SHA256, len(data), hashlib.sha256(data).hexdigest(),
            cut=size, source="empty", attested_at=attested_at,
        )  # fmt: skip

    return close_empty


def _plan_tail(
    sealed_path: Path, j: Journal, size: int, t: TailCheckpoint
) -> Callable[[], dict[str, Any]]:
    tail = t.tail
    base = tail.pcm_offset
    slot = sealed_path.parent / tail.file
    if slot.parent != sealed_path.parent or slot.name not in {
        tail_slot_path(sealed_path, k).name for k in range(TAIL_SLOTS)
    }:
        raise CheckpointMismatch(f"{sealed_path} (its journal names tail {tail.file!r})")
    final = sealed_path if base == 0 else tail_member_path(sealed_path)
    # A recovery cut short after the tail was moved into place finds it there.
    here = next(
        (p for p in (slot, final) if _matches(p, tail.sealed_size, tail.sealed_sha256)), None
    )
    if here is None:
        raise CheckpointMismatch(f"{slot} (the sealed tail its journal names)")
    if base == 0:

        def tail_is_the_file() -> dict[str, Any]:
            if here != final:
                os.replace(here, final)
                fsync_dir(sealed_path.parent)
            return _closing_record(
                t.pcm_bytes, t.pcm_sha256, tail.sealed_size, tail.sealed_sha256,
                cut=size if here != final else 0, source="tail", attested_at=t.written_at,
            )  # fmt: skip

        return tail_is_the_file
    cp = j.checkpoint_at(base)
    if cp is None or base % PT_CHUNK:
        raise CheckpointMismatch(f"{sealed_path} (the tail starts at {base}, no checkpoint there)")
    _check_prefix(sealed_path, size, cp)

    def cut_and_keep_tail() -> dict[str, Any]:
        if here != final:
            os.replace(here, final)
            fsync_dir(sealed_path.parent)
        _truncate(sealed_path, cp.sealed_bytes)
        return _closing_record(
            t.pcm_bytes, t.pcm_sha256, cp.sealed_bytes, cp.sealed_sha256,
            cut=size - cp.sealed_bytes, source="tail", attested_at=t.written_at,
            tail=SealedTail(
                file=final.name, pcm_offset=base, pcm_bytes=tail.pcm_bytes,
                pcm_sha256=tail.pcm_sha256, sealed_size=tail.sealed_size,
                sealed_sha256=tail.sealed_sha256,
            ),
        )  # fmt: skip

    return cut_and_keep_tail


__all__ = [
    "CT_CHUNK", "PT_CHUNK", "Checkpoint", "CheckpointMismatch", "DiskFull", "NoCheckpoint",
    "SealResult", "SealedTail", "SealedWriter", "StreamInfo", "VaultOpenError", "VaultWriteError",
    "claim", "find_unfinished", "journal_in_use", "journal_path", "read_checkpoint",
    "read_journal", "recover",
]  # fmt: skip
