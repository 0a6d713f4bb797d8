"""The checkpoint journal of a sealed recording, ``<sealed>.journal``: its line types, reading it
back after a crash, and the lock a live writer holds on it (docs/FORMAT.md §3).

JSON lines, each the canonical JSON of one record and ``\\n``, appended and fsynced; no audio,
no key material. Three kinds of line:

``open``        the first line, before the sealed file exists: the PCM format, so recovery never
                has to guess a sample rate
(none)          a chunk checkpoint: the complete 64 KiB age chunks on disk and their hashes;
                the last line of a finished or recovered recording has ``closed: true``
``tail``        the plaintext since the last chunk checkpoint, sealed as its own small age file
                (``<sealed>.tail.0`` / ``.tail.1``, alternately), with its hashes

A line still being written when the process died (torn) is skipped, as is any line that does
not parse; a journal with bytes but no line that parses is damaged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kasuhara_recorder.evidence.vault import journal_path  # the vault owns every name
from kasuhara_recorder.platform_seam import claim_lock

JOURNAL_VERSION = 1
EMPTY_SHA256 = hashlib.sha256().hexdigest()


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class StreamInfo:
    """The PCM format of what is sealed, written in the journal's ``open`` line."""

    samplerate: int
    channels: int
    sample_format: str = "s16le"


@dataclass(frozen=True)
class SealedTail:
    """The second sealed member of a recording recovered with its tail: a complete age file
    whose plaintext is the recording's bytes ``pcm_offset`` … ``pcm_offset + pcm_bytes``."""

    file: str  # a plain name in the vault
    pcm_offset: int  # plaintext bytes in the main file before it (a multiple of 65536)
    pcm_bytes: int
    pcm_sha256: str
    sealed_size: int
    sealed_sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "pcm_offset": self.pcm_offset,
            "pcm_bytes": self.pcm_bytes,
            "pcm_sha256": self.pcm_sha256,
            "sealed_size": self.sealed_size,
            "sealed_sha256": self.sealed_sha256,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SealedTail:
        out = cls(
            file=d["file"],
            pcm_offset=d["pcm_offset"],
            pcm_bytes=d["pcm_bytes"],
            pcm_sha256=d["pcm_sha256"],
            sealed_size=d["sealed_size"],
            sealed_sha256=d["sealed_sha256"],
        )
        for name in ("pcm_offset", "pcm_bytes", "sealed_size"):
            v = getattr(out, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise TypeError(f"tail {name} is not a count")
        for name in ("file", "pcm_sha256", "sealed_sha256"):
            if not isinstance(getattr(out, name), str):
                raise TypeError(f"tail {name} is not a string")
        return out


@dataclass(frozen=True)
class Checkpoint:
    pcm_bytes: int
    pcm_sha256: str
    sealed_bytes: int
    sealed_sha256: str
    written_at: str
    closed: bool
    recovered: bool = False  # closed by recover() after a crash, not by the writer
    # Set on the closing line of a recovery only:
    tail: SealedTail | None = None  # the recording goes on in this second sealed member
    recovered_from: str | None = None  # "checkpoint", "tail" or "empty"
    checkpoint_written_at: str | None = None  # when the audio recovered was made durable
    cut_bytes: int = 0  # sealed bytes recovery dropped (never attested)


@dataclass(frozen=True)
class TailCheckpoint:
    """The recording's first ``pcm_bytes`` are the main file's first ``tail.pcm_offset`` plus
    the sealed tail ``tail.file``; ``pcm_sha256`` is the SHA-256 of all of them."""

    pcm_bytes: int
    pcm_sha256: str
    tail: SealedTail
    written_at: str


@dataclass(frozen=True)
class Journal:
    """What a journal says, read back (possibly after a crash)."""

    exists: bool
    size: int
    stream: StreamInfo | None  # from the ``open`` line
    opened_at: str | None
    checkpoints: tuple[Checkpoint, ...]  # in journal order, the closing line included
    last_tail: TailCheckpoint | None

    @property
    def parsed_nothing(self) -> bool:
        return self.stream is None and not self.checkpoints and self.last_tail is None

    @property
    def last_checkpoint(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None

    def checkpoint_at(self, pcm_bytes: int) -> Checkpoint | None:
        """The writer's chunk checkpoint that covers exactly ``pcm_bytes``."""
        for cp in reversed(self.checkpoints):
            if cp.pcm_bytes == pcm_bytes and not cp.closed:
                return cp
        return None


def record_line(record: dict[str, Any]) -> bytes:
    from kasuhara_recorder.evidence.canonical_json import canonical_json

    return canonical_json(record) + b"\n"


def open_record(stream: StreamInfo) -> dict[str, Any]:
    return {
        "v": JOURNAL_VERSION,
        "kind": "open",
        "samplerate": stream.samplerate,
        "channels": stream.channels,
        "sample_format": stream.sample_format,
        "written_at": now_iso(),
    }


def checkpoint_record(
    pcm_bytes: int, pcm_sha: str, sealed_bytes: int, sealed_sha: str, *, closed: bool
) -> dict[str, Any]:
    return {
        "v": JOURNAL_VERSION,
        "pcm_bytes": pcm_bytes,
        "pcm_sha256": pcm_sha,
        "sealed_bytes": sealed_bytes,
        "sealed_sha256": sealed_sha,
        "written_at": now_iso(),
        "closed": closed,
    }


def tail_record(t: TailCheckpoint) -> dict[str, Any]:
    return {
        "v": JOURNAL_VERSION,
        "kind": "tail",
        "pcm_bytes": t.pcm_bytes,
        "pcm_sha256": t.pcm_sha256,
        "tail": t.tail.to_dict(),
        "written_at": t.written_at,
    }


def _parse(
    line: bytes,
) -> tuple[StreamInfo, str] | Checkpoint | TailCheckpoint | None:
    try:
        d = json.loads(line)
        kind = d.get("kind")
        if kind == "open":
            info = StreamInfo(int(d["samplerate"]), int(d["channels"]), str(d["sample_format"]))
            return info, str(d["written_at"])
        if kind == "tail":
            return TailCheckpoint(
                pcm_bytes=int(d["pcm_bytes"]),
                pcm_sha256=str(d["pcm_sha256"]),
                tail=SealedTail.from_dict(d["tail"]),
                written_at=str(d["written_at"]),
            )
        if kind is not None:
            return None
        tail = d.get("tail")
        return Checkpoint(
            pcm_bytes=int(d["pcm_bytes"]),
            pcm_sha256=str(d["pcm_sha256"]),
            sealed_bytes=int(d["sealed_bytes"]),
            sealed_sha256=str(d["sealed_sha256"]),
            written_at=str(d["written_at"]),
            closed=bool(d["closed"]),
            recovered=bool(d.get("recovered", False)),
            tail=None if tail is None else SealedTail.from_dict(tail),
            recovered_from=d.get("recovered_from"),
            checkpoint_written_at=d.get("checkpoint_written_at"),
            cut_bytes=int(d.get("cut_bytes", 0)),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a line torn by the crash


def read_journal(sealed_path: Path) -> Journal:
    try:
        raw = journal_path(sealed_path).read_bytes()
    except FileNotFoundError:
        return Journal(False, 0, None, None, (), None)
    stream = opened_at = last_tail = None
    checkpoints = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        rec = _parse(line)
        if isinstance(rec, tuple):
            if stream is None:
                stream, opened_at = rec
        elif isinstance(rec, Checkpoint):
            checkpoints.append(rec)
        elif isinstance(rec, TailCheckpoint):
            last_tail = rec
    return Journal(True, len(raw), stream, opened_at, tuple(checkpoints), last_tail)


def read_checkpoint(sealed_path: Path) -> Checkpoint | None:
    """The last complete chunk checkpoint (or closing line) of ``sealed_path``'s journal."""
    return read_journal(sealed_path).last_checkpoint


def read_stream_info(sealed_path: Path) -> StreamInfo | None:
    return read_journal(sealed_path).stream


# --- the live writer's lock ----------------------------------------------------------------
# One exclusive, non-blocking lock on the journal (the platform seam's: flock, or msvcrt on
# Windows), held by the writer from before the sealed file exists until the recording is
# registered, and by recovery while it works on a file.
def journal_in_use(sealed_path: Path) -> bool:
    """True while a live writer (this process or another) holds the recording's journal."""
    with claim(sealed_path) as mine:
        return not mine


@contextlib.contextmanager
def claim(sealed_path: Path) -> Iterator[bool]:
    """Hold the journal's lock for the body: yields False (and holds nothing) when a live
    writer or another recovery has it. A recording without a journal has no live writer (the
    writer creates and locks the journal before the sealed file)."""
    with claim_lock(journal_path(sealed_path)) as mine:
        yield mine
