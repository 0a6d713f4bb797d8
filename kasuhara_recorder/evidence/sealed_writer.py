"""Streaming age sealer: PCM goes in, a standard age v1 file comes out, plaintext never on disk.

Three threads, so the two SHA-256s cost almost nothing next to encryption (two cores, SHA
extensions, and hashlib/pyrage/os.write all release the GIL on large buffers):

    producer (caller of write())   hashes the plaintext, writes it into an OS pipe
    encrypt thread                 pyrage.encrypt_io(pipe → pipe): header + 64 KiB STREAM chunks
    sink thread                    hashes the ciphertext, writes whole chunks to the file,
                                   fsyncs and appends a checkpoint to the journal

OS pipes rather than Python file objects: pyrage calls ``readinto`` every 8 KiB, and a
Python-level callback there costs more than the encryption itself; a raw pipe's ``readinto`` is C.

The journal ``<sealed>.journal`` (JSON lines, canonical JSON, fsynced, no audio) records after a
durable chunk, at most every ``checkpoint_interval_s``: the plaintext bytes covered by the
complete chunks on disk and the SHA-256 of exactly that prefix, plus the ciphertext bytes and
their SHA-256. A crash therefore leaves a file whose complete chunks decrypt (``age -d`` writes
them, then reports the cut) and whose plaintext prefix matches the last checkpoint. age cannot
make a partial chunk durable, so the loss on a crash is at most one 64 KiB chunk plus the
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
PIPE_SIZE = 1024 * 1024  # Linux default pipe-max-size for unprivileged users
RESERVE_BYTES = 4 * PIPE_SIZE  # ≥ everything in flight (two pipes, pyrage's chunk, our tail)
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


class CheckpointMismatch(EvidenceError):
    ja = "封印ファイル {detail} が最後のチェックポイントと一致しません（改ざんの可能性）。"
    en = "sealed file {detail} does not match its last checkpoint (possible tampering)"


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

        self._pt_hash = hashlib.sha256()
        self._pt_bytes = 0
        # Hasher copies at 64 KiB boundaries not yet covered by a durable chunk; bounded by
        # what is in flight between producer and sink.
        self._boundaries: collections.deque[tuple[int, object]] = collections.deque()
        self._lock = threading.Lock()

        self._ct_hash = hashlib.sha256()
        self._ct_bytes = 0
        self._error: BaseException | None = None
        self._disk_full = False
        self._closed = False
        self._result: SealResult | None = None

        self._open_files()
        r1, self._w1 = os.pipe()
        r2, w2 = os.pipe()
        for fd in (r1, r2):
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        self._encrypt_thread = threading.Thread(
            target=self._encrypt, args=(r1, w2), name="seal-encrypt", daemon=True
        )
        self._sink_thread = threading.Thread(
            target=self._sink, args=(r2,), name="seal-sink", daemon=True
        )
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
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._out = os.fdopen(fd, "wb", buffering=0)
            fsync_dir(self.path.parent)
        except FileExistsError as e:
            self._drop_reserve()
            raise UsageError(f"{e.filename} already exists") from None
        except OSError as e:
            self._drop_reserve()
            raise VaultWriteError(str(e), disk_full=e.errno in _DISK_FULL) from None

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
        # Hash first, with a copy at each 64 KiB boundary, so the sink always finds the
        # prefix hash for the chunks it makes durable.
        pos = 0
        h = self._pt_hash
        while pos < n:
            room = PT_CHUNK - self._pt_bytes % PT_CHUNK
            part = mv[pos : pos + room]
            h.update(part)
            self._pt_bytes += len(part)
            pos += len(part)
            if self._pt_bytes % PT_CHUNK == 0:
                with self._lock:
                    self._boundaries.append((self._pt_bytes, h.copy()))
        pos = 0
        try:
            while pos < n:
                pos += os.write(self._w1, mv[pos:])
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
        with contextlib.suppress(OSError):
            os.close(self._w1)
        self._encrypt_thread.join()
        self._sink_thread.join()
        self._drop_reserve()
        if self._error is not None:
            with contextlib.suppress(OSError):
                self._out.close()
                self._journal.close()
            self._raise_if_failed_hard()
        self._result = SealResult(
            path=self.path,
            pcm_bytes=self._pt_bytes,
            pcm_sha256=self._pt_hash.hexdigest(),
            sealed_bytes=self._ct_bytes,
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
    def _encrypt(self, r1: int, w2: int) -> None:
        # Buffered: pyrage asks for 8 KiB at a time; a C-level buffer turns that into one
        # pipe read per MiB instead of a syscall per 8 KiB.
        reader = io.BufferedReader(io.FileIO(r1, "rb", closefd=True), PIPE_SIZE)
        writer = io.FileIO(w2, "wb", closefd=True)
        try:
            pyrage.encrypt_io(reader, writer, self._recipients)
        except BaseException as e:  # noqa: BLE001 - handed to the producer, never dropped
            if self._error is None:
                self._error = e
        finally:
            reader.close()  # a blocked producer gets EPIPE instead of waiting forever
            with contextlib.suppress(OSError):
                writer.close()  # the sink sees EOF

    # --- sink thread ---------------------------------------------------------------------
    def _sink(self, r2: int) -> None:
        src = io.FileIO(r2, "rb", closefd=True)
        try:
            self._sink_loop(src)
        except BaseException as e:  # noqa: BLE001 - handed to the producer, never dropped
            if self._error is None:
                self._error = e
        finally:
            src.close()  # pyrage gets EPIPE if it is still writing

    def _sink_loop(self, src: io.FileIO) -> None:
        # One buffer, read into at ``filled``; whole chunks are written straight out of it and
        # the (< one chunk) remainder moved to the front: no other copy of the ciphertext.
        buf = bytearray(PIPE_SIZE + CT_CHUNK)
        view = memoryview(buf)
        filled = 0
        header_len: int | None = None
        last_checkpoint = 0.0
        while True:
            n = src.readinto(view[filled:])
            if not n:
                break
            filled += n
            start = 0
            if header_len is None:
                header_len = _header_end(view[:filled].tobytes())
                if header_len is None:
                    continue
                self._emit(view[:header_len])
                start = header_len
                self._checkpoint(header_len, closed=False)
                last_checkpoint = time.monotonic()
            whole = (filled - start) - (filled - start) % CT_CHUNK
            if whole:
                self._emit(view[start : start + whole])
                self._prune(header_len)
                now = time.monotonic()
                if now - last_checkpoint >= self._interval:
                    self._checkpoint(header_len, closed=False)
                    last_checkpoint = now
            rest = filled - start - whole
            if rest and start + whole:
                buf[:rest] = view[start + whole : filled]
            filled = rest
        if header_len is None:
            raise VaultWriteError("the encryptor produced no age header")
        if self._error is not None:
            return  # encryption failed: leave the last good checkpoint as the record
        if filled:
            self._emit(view[:filled])  # the final chunk
        self._checkpoint(header_len, closed=True)
        self._out.close()
        self._journal.close()
        fsync_dir(self.path.parent)

    def _emit(self, data: bytes | bytearray | memoryview) -> None:
        self._ct_hash.update(data)
        mv = memoryview(data)
        pos = 0
        while pos < len(mv):
            try:
                pos += self._out.write(mv[pos:])
            except OSError as e:
                if e.errno in _DISK_FULL and self._drop_reserve():
                    self._disk_full = True
                    continue
                raise VaultWriteError(str(e), disk_full=e.errno in _DISK_FULL) from None
        self._ct_bytes += len(mv)

    def _prune(self, header_len: int) -> None:
        covered = (self._ct_bytes - header_len) // CT_CHUNK * PT_CHUNK
        with self._lock:
            while self._boundaries and self._boundaries[0][0] < covered:
                self._boundaries.popleft()

    def _checkpoint(self, header_len: int, *, closed: bool) -> None:
        os.fsync(self._out.fileno())
        if closed:
            pcm_bytes, pcm_sha = self._pt_bytes, self._pt_hash.hexdigest()
        else:
            pcm_bytes = (self._ct_bytes - header_len) // CT_CHUNK * PT_CHUNK
            pcm_sha = EMPTY_SHA256
            if pcm_bytes:
                with self._lock:
                    while self._boundaries and self._boundaries[0][0] < pcm_bytes:
                        self._boundaries.popleft()
                    if not self._boundaries or self._boundaries[0][0] != pcm_bytes:
                        raise VaultWriteError(f"no plaintext hash at byte {pcm_bytes}")
                    pcm_sha = self._boundaries[0][1].hexdigest()
        record = {
            "v": JOURNAL_VERSION,
            "pcm_bytes": pcm_bytes,
            "pcm_sha256": pcm_sha,
            "sealed_bytes": self._ct_bytes,
            "sealed_sha256": self._ct_hash.copy().hexdigest(),
            "written_at": _now(),
            "closed": closed,
        }
        self._append_journal(record)

    def _append_journal(self, record: dict) -> None:
        line = canonical_json(record) + b"\n"
        while True:
            try:
                self._journal.write(line)
                os.fsync(self._journal.fileno())
                return
            except OSError as e:
                if e.errno in _DISK_FULL and self._drop_reserve():
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
        raise CheckpointMismatch(f"{sealed_path} (no journal checkpoint)")
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
