"""The vault folder: the one owner of every file name of a recording or attachment.

``<id>.age`` (sealed), ``<id>.age.journal``, the live tail slots ``<id>.age.tail.0``/``.1``, a
recovered recording's kept tail ``<id>.age.tail``, ``<id>.pending.json`` (metadata while it
runs), ``<id>.manifest.json`` + ``.sig``, its RFC 3161 token ``<id>.manifest.json.tsr``, and
``attachments/<id>.age`` (docs/FORMAT.md). The
names are part of the evidence format, so they live here in ``evidence/``, below everything
that reads them; nothing else builds one by hand.

Light on purpose: the window asks ``may_need_recovery()`` at start-up, before the crypto stack
is loaded, so the sealed writer is imported only by ``seal_file``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kasuhara_recorder.evidence.sealed_writer import SealResult

SEALED = ".age"
PENDING = ".pending.json"
MANIFEST = ".manifest.json"
SIGNATURE = ".sig"
TIMESTAMP = ".tsr"  # an RFC 3161 TimeStampResp over the file it is named after
TAIL_SLOTS = 2  # the newest journalled tail is never the one being rewritten
SEAL_BLOCK = 1024 * 1024  # a file sealed into the vault is read this much at a time


def sealed_name(recording_id: str) -> str:
    """The sealed file of a recording, as its manifest names it (``sealed_file``)."""
    return f"{recording_id}{SEALED}"


# --- the companions of a sealed file, named from its path (the writer knows only that) -------
def journal_path(sealed_path: Path) -> Path:
    return Path(str(sealed_path) + ".journal")


def tail_slot_path(sealed_path: Path, slot: int) -> Path:
    """Where a live writer keeps its sealed tail, alternating between two slots."""
    return Path(f"{sealed_path}.tail.{slot}")


def tail_member_path(sealed_path: Path) -> Path:
    """The tail of a recovered recording, once recovery has kept it: ``<id>.age.tail``."""
    return Path(f"{sealed_path}.tail")


def reserve_path(sealed_path: Path) -> Path:
    """The writer's disk-full reserve: deleted on ENOSPC so the final chunk still fits."""
    return sealed_path.parent / f".{sealed_path.name}.reserve"


@dataclass(frozen=True)
class ManifestFiles:
    manifest: Path
    signature: Path


@dataclass(frozen=True)
class Vault:
    """The vault folder of one data folder (``DataPaths.vault``)."""

    root: Path

    # --- names -------------------------------------------------------------------------------
    def sealed(self, recording_id: str) -> Path:
        return self.root / sealed_name(recording_id)

    def journal(self, recording_id: str) -> Path:
        return journal_path(self.sealed(recording_id))

    def tail_slots(self, recording_id: str) -> tuple[Path, ...]:
        return tuple(tail_slot_path(self.sealed(recording_id), k) for k in range(TAIL_SLOTS))

    def pending(self, recording_id: str) -> Path:
        return self.root / f"{recording_id}{PENDING}"

    def manifest(self, recording_id: str) -> ManifestFiles:
        base = self.root / f"{recording_id}{MANIFEST}"
        return ManifestFiles(base, Path(str(base) + SIGNATURE))

    def manifest_timestamp(self, recording_id: str) -> Path:
        """The RFC 3161 token over ``<id>.manifest.json``: ``<id>.manifest.json.tsr``."""
        return Path(str(self.manifest(recording_id).manifest) + TIMESTAMP)

    def file(self, name: str) -> Path:
        """A file a manifest or a row names (``sealed_file``, a tail's ``file``)."""
        return self.root / name

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"

    def attachment(self, attachment_id: str) -> Path:
        return self.attachments / f"{attachment_id}{SEALED}"

    # --- what is there -------------------------------------------------------------------------
    def unfinished_ids(self) -> set[str]:
        """Recordings a crash may have left open: a sealed file whose journal is missing or not
        closed (and no live writer holds), or a pending file beside a sealed file."""
        from kasuhara_recorder.evidence.sealed_writer import find_unfinished

        rids = {p.name.removesuffix(SEALED) for p in find_unfinished(self.root)}
        for pend in self.root.glob(f"*{PENDING}"):
            rid = pend.name.removesuffix(PENDING)
            if self.sealed(rid).exists():
                rids.add(rid)
        return rids

    def may_need_recovery(self) -> bool:
        """A cheap look before recovery: every stopped (or recovered) recording has its manifest
        beside its sealed file; one without it, or a pending file, is worth a full look."""
        try:
            names = set(os.listdir(self.root))
        except (FileNotFoundError, NotADirectoryError):
            return False
        return any(
            n.endswith(PENDING)
            or (n.endswith(SEALED) and f"{n.removesuffix(SEALED)}{MANIFEST}" not in names)
            for n in names
        )

    # --- removal -------------------------------------------------------------------------------
    def discard(self, recording_id: str) -> None:
        """A recording that never captured anything (the device refused to start): its sealed
        file, journal, tail slots and pending file go; it was never entered anywhere."""
        for p in (self.sealed(recording_id), self.journal(recording_id),
                  *self.tail_slots(recording_id), self.pending(recording_id)):  # fmt: skip
            p.unlink(missing_ok=True)

    def audio_files(self, recording_id: str, tail_file: str | None = None) -> tuple[Path, ...]:
        """Every file that holds a recording's audio (sealed): what retention deletes. The
        manifest and its signature stay, the record that the recording existed."""
        tail = (self.file(tail_file),) if tail_file else ()
        return (self.sealed(recording_id), *tail, self.journal(recording_id),
                *self.tail_slots(recording_id), self.pending(recording_id))  # fmt: skip

    @staticmethod
    def remove_files(paths: Sequence[Path]) -> int:
        """Delete the files that are there; the bytes they held."""
        freed = 0
        for p in paths:
            try:
                size = p.stat().st_size
                p.unlink()
            except FileNotFoundError:
                continue
            freed += size
        return freed

    @staticmethod
    def remove_sealed(sealed_path: Path) -> None:
        """A half-made sealed file and its journal (nothing entered the chain yet)."""
        for p in (sealed_path, journal_path(sealed_path)):
            p.unlink(missing_ok=True)

    # --- sealing an existing file --------------------------------------------------------------
    def seal_file(self, source: Path, sealed_path: Path, recipients: Sequence[str]) -> SealResult:
        """Seal ``source`` byte for byte to ``sealed_path`` (an import, an attachment). On any
        failure the half-made file is removed and the error raised as it came (an OSError
        while reading ``source`` stays one, for the caller to name)."""
        from kasuhara_recorder.evidence.sealed_writer import SealedWriter

        writer = SealedWriter(sealed_path, list(recipients))
        try:
            with open(source, "rb", buffering=0) as f:
                buf = bytearray(SEAL_BLOCK)
                view = memoryview(buf)
                while n := f.readinto(buf):
                    writer.write(view[:n])
            return writer.close()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.close()
            self.remove_sealed(sealed_path)
            raise
