"""The workstation facade: set-up, the signing key, recipients, audit log, recordings, import.

Reached as ``app.workstation``. The recorder asks it for the recipients and a sealed writer, and
hands it the ``SealResult`` plus metadata when a recording stops; it builds, signs and writes the
manifest, stores the row and appends the audit entry in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import mimetypes
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kasuhara_recorder.config import SettingsError
from kasuhara_recorder.errors import NotSetUp, UsageError
from kasuhara_recorder.evidence.audit_chain import ChainReport
from kasuhara_recorder.evidence.manifest import (
    ImportInfo,
    RecordingManifest,
    RecoveryInfo,
    TagEntry,
    WorkstationInfo,
    new_recording_id,
    write_signed_manifest,
)
from kasuhara_recorder.evidence.org_identity import BadRecipient, parse_recipient
from kasuhara_recorder.evidence.sealed_writer import SealedWriter, SealResult, StreamInfo
from kasuhara_recorder.evidence.workstation_key import WorkstationKey, load_or_create
from kasuhara_recorder.store.audit_log import AuditLog
from kasuhara_recorder.store.recordings import RecordingRepository

if TYPE_CHECKING:
    from kasuhara_recorder.app.service import AppService

log = logging.getLogger("kasuhara.workstation")
IMPORT_BLOCK = 1024 * 1024


def iso_now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class SetupResult:
    data_dir: Path
    workstation_name: str
    fingerprint: str
    recipients: tuple[str, ...]
    created_key: bool


@dataclass(frozen=True)
class RecordingMeta:
    """What the recorder knows about a recording besides its hashes."""

    id: str
    channel: str  # counter / phone / import
    device: str
    samplerate: int
    channels: int
    started_at: str
    ended_at: str
    incident_id: str | None = None
    staff: tuple[str, ...] = ()
    dropped_frames: int = 0
    status: str = "complete"  # device_lost etc.; disk_full/recovered follow the SealResult
    over_limit: bool = False
    tags: tuple[TagEntry, ...] = ()
    sample_format: str = "s16le"
    recipients: tuple[str, ...] = ()  # default: the configured recipients
    recovery: RecoveryInfo | None = None
    import_info: ImportInfo | None = None
    frames: int | None = None  # default: from pcm_bytes / (2 × channels)
    duration_ms: int | None = None


@dataclass(frozen=True)
class ImportResult:
    id: str
    sealed_path: Path
    sha256: str  # of the original file
    sealed_sha256: str
    original: Path
    manifest: RecordingManifest = field(repr=False)


class WorkstationService:
    def __init__(self, app: AppService) -> None:
        self.app = app

    # --- set-up --------------------------------------------------------------------------
    def setup(self, org_recipients: Sequence[str], workstation_name: str | None) -> SetupResult:
        recipients = tuple(dict.fromkeys(parse_recipient(r) for r in org_recipients))
        if not recipients:
            raise UsageError("at least one organisation recipient (age1…) is needed")
        paths = self.app.paths.ensure()
        created = not paths.workstation_key.exists()
        old = self.app.settings
        name = workstation_name or old.workstation_name or os.uname().nodename
        self.app.save_settings(old.with_changes(workstation_name=name, org_recipients=recipients))
        self.__dict__.pop("key", None)
        self.__dict__.pop("audit", None)
        self.audit.append(
            self.app.actor,
            "workstation.setup",
            f"workstation:{self.key.fingerprint}",
            {
                "name": name,
                "recipients": list(recipients),
                "previous_recipients": list(old.org_recipients),
                "created_key": created,
            },
        )
        return SetupResult(paths.root, name, self.key.fingerprint, recipients, created)

    @property
    def is_set_up(self) -> bool:
        return self.app.is_set_up

    # --- what the recorder needs ---------------------------------------------------------
    @property
    def recipients(self) -> tuple[str, ...]:
        r = self.app.settings.org_recipients
        if not r:
            raise NotSetUp("no organisation recipient")
        for text in r:  # an edited settings.json: name the file, not only "bad recipient"
            try:
                parse_recipient(text)
            except BadRecipient as e:
                raise SettingsError(
                    str(self.app.paths.settings), "org_recipients", e.message("en")
                ) from None
        return tuple(r)

    @cached_property
    def key(self) -> WorkstationKey:
        return load_or_create(self.app.paths)

    @property
    def info(self) -> WorkstationInfo:
        return WorkstationInfo(
            self.app.settings.workstation_name,
            self.key.fingerprint,
            self.key.public_pem.decode("ascii"),
        )

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.app.database, self.key, self.app.settings.workstation_name)

    @cached_property
    def recordings(self) -> RecordingRepository:
        return RecordingRepository(self.app.database)

    def sealed_path(self, recording_id: str) -> Path:
        return self.app.paths.vault / f"{recording_id}.age"

    def open_writer(
        self,
        recording_id: str,
        *,
        checkpoint_interval_s: float = 1.0,
        stream: StreamInfo | None = None,
        tail_interval_s: float | None = None,
        keep_lock: bool = False,
    ) -> SealedWriter:
        """A sealed writer for ``vault/<id>.age``. Live recordings pass their ``stream`` format
        and a ``tail_interval_s`` (the not-yet-chunked tail made durable that often) and keep
        the journal locked until they are registered (``keep_lock``, then ``release()``)."""
        self.app.paths.ensure()
        return SealedWriter(
            self.sealed_path(recording_id),
            self.recipients,
            checkpoint_interval_s=checkpoint_interval_s,
            stream=stream,
            tail_interval_s=tail_interval_s,
            keep_lock=keep_lock,
        )

    def finalize_recording(
        self,
        result: SealResult,
        meta: RecordingMeta,
        *,
        event: str = "recording.stop",
        extra: Mapping[str, Any] | None = None,
    ) -> RecordingManifest:
        """Build, sign and write the manifest; store the row and the audit entry together."""
        status = meta.status
        if not result.complete:
            status = "recovered"
        elif result.disk_full:
            status = "disk_full"
        frames = meta.frames
        if frames is None:
            frames = result.pcm_bytes // (2 * meta.channels) if meta.channels else 0
        duration_ms = meta.duration_ms
        if duration_ms is None:
            duration_ms = frames * 1000 // meta.samplerate if meta.samplerate else 0
        manifest = RecordingManifest(
            id=meta.id,
            workstation=self.info,
            channel=meta.channel,
            device=meta.device,
            samplerate=meta.samplerate,
            channels=meta.channels,
            frames=frames,
            started_at=meta.started_at,
            ended_at=meta.ended_at,
            duration_ms=duration_ms,
            pcm_sha256=result.pcm_sha256,
            sealed_sha256=result.sealed_sha256,
            sealed_size=result.sealed_bytes,
            status=status,
            incident_id=meta.incident_id,
            staff=meta.staff,
            sample_format=meta.sample_format,
            dropped_frames=meta.dropped_frames,
            over_limit=meta.over_limit,
            recipients=meta.recipients or self.recipients,
            recovery=meta.recovery,
            import_info=meta.import_info,
            tags=meta.tags,
            tail=result.tail,
        )
        files = write_signed_manifest(self.app.paths.vault, manifest, self.key)
        data, sig = files.manifest.read_bytes(), files.signature.read_bytes()
        self.register_manifest(manifest, data, sig, event=event, extra=extra)
        return manifest

    def register_manifest(
        self,
        manifest: RecordingManifest,
        data: bytes,
        sig: bytes,
        *,
        event: str,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Store the row and the audit entry of a manifest already signed and in the vault."""
        with self.app.database.transaction():
            self.recordings.add(data, sig)
            self.audit.append(
                self.app.actor,
                event,
                f"recording:{manifest.id}",
                {
                    "status": manifest.status,
                    "pcm_sha256": manifest.pcm_sha256,
                    "sealed_sha256": manifest.sealed_sha256,
                    "sealed_size": manifest.sealed_size,
                    "frames": manifest.frames,
                    "dropped_frames": manifest.dropped_frames,
                    "manifest_sha256": _sha256(data),
                    **({"tail": manifest.tail.to_dict()} if manifest.tail is not None else {}),
                    **(extra or {}),
                },
            )

    # --- import --------------------------------------------------------------------------
    def import_file(self, original: Path, incident_id: str | None = None) -> ImportResult:
        """Seal an existing recording byte for byte and enter it in the chain of custody."""
        original = Path(original)
        try:
            st = original.stat()
        except OSError as e:
            raise UsageError(f"{original}: {e.strerror or e}") from None
        if not original.is_file():
            raise UsageError(f"{original}: not a file")
        recipients = self.recipients
        if incident_id is not None:
            self.app.incidents.check_can_take_recording(incident_id)
        rid = new_recording_id()
        samplerate, channels, frames = _audio_info(original)
        mtime = dt.datetime.fromtimestamp(st.st_mtime).astimezone()
        duration_ms = frames * 1000 // samplerate if samplerate else 0
        writer = self.open_writer(rid)
        try:
            with open(original, "rb", buffering=0) as f:
                buf = bytearray(IMPORT_BLOCK)
                view = memoryview(buf)
                while n := f.readinto(buf):
                    writer.write(view[:n])
            result = writer.close()
            if result.pcm_bytes != st.st_size:
                raise UsageError(f"{original}: the file changed while it was being imported")
        except BaseException as e:
            # Nothing entered the chain yet: remove the half-made sealed file.
            with contextlib.suppress(Exception):
                writer.close()
            for p in (writer.path, Path(str(writer.path) + ".journal")):
                p.unlink(missing_ok=True)
            if isinstance(e, OSError):
                raise UsageError(f"{original}: {e.strerror or e}") from None
            raise
        info = ImportInfo(
            original_name=original.name,
            original_size=st.st_size,
            original_sha256=result.pcm_sha256,
            original_mtime=mtime.isoformat(timespec="seconds"),
            media_type=mimetypes.guess_type(original.name)[0] or "",
        )
        started = mtime - dt.timedelta(milliseconds=duration_ms)  # the file time is its end
        meta = RecordingMeta(
            id=rid,
            channel="import",
            device="import",
            samplerate=samplerate,
            channels=channels,
            started_at=started.isoformat(timespec="milliseconds"),
            ended_at=mtime.isoformat(timespec="milliseconds"),
            incident_id=incident_id,
            status="imported",
            sample_format="original",
            recipients=recipients,
            import_info=info,
            frames=frames,
            duration_ms=duration_ms,
        )
        manifest = self.finalize_recording(
            result, meta, event="recording.import", extra={"original_name": original.name}
        )
        if incident_id is not None:
            self.app.incidents.attach_captured(manifest)
        return ImportResult(
            rid, result.path, result.pcm_sha256, result.sealed_sha256, original, manifest
        )

    # --- checks --------------------------------------------------------------------------
    def verify_audit(self) -> ChainReport:
        # The chain covers the audit table only: a damaged file elsewhere (recordings,
        # incidents) must not pass as "intact".
        problem = self.app.database.integrity_problem()
        if problem:
            from kasuhara_recorder.store.database import DatabaseDamaged

            raise DatabaseDamaged(self.app.paths.database, problem)
        return self.audit.verify()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _audio_info(path: Path) -> tuple[int, int, int]:
    """(samplerate, channels, frames) read from the header, or zeros when unreadable."""
    try:
        import soundfile

        info = soundfile.info(str(path))
        return int(info.samplerate), int(info.channels), int(info.frames)
    except Exception as e:  # noqa: BLE001 - any unreadable header: the bytes are still sealed
        log.info("no audio header in %s: %s", path.name, e)
        return 0, 0, 0
