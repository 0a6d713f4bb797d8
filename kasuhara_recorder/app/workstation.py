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
from kasuhara_recorder.platform_seam import host_name
from kasuhara_recorder.store.audit_log import AuditLog
from kasuhara_recorder.store.recordings import RecordingRepository
from kasuhara_recorder.text import Text

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
class RecipientChange:
    added: tuple[str, ...]
    retired: tuple[str, ...]
    recipients: tuple[str, ...]  # active after the change
    previous: tuple[str, ...]


class RecipientsWouldBeDropped(UsageError):
    """``setup`` given a list without some active recipient: refused, nothing changed."""

    template = Text(
        "この端末の封印先（組織の公開鍵）から次の受取人が外れてしまうため、設定を変更していません:\n"
        "{dropped}\n受取人を追加するだけなら kasuhara-recorder keys add-recipient を、"
        "外すなら keys retire-recipient を使ってください。一覧全体を置き換えるときだけ "
        "--replace-recipients を付けて setup を実行します。",
        "nothing was changed: this would drop these active recipients of this workstation:\n"
        "{dropped}\nto add one, use kasuhara-recorder keys add-recipient; to retire one, keys "
        "retire-recipient; to replace the whole list, run setup with --replace-recipients",
    )
    fields = ("detail", "dropped")

    def __init__(self, dropped: Sequence[str]) -> None:
        super().__init__(", ".join(dropped), dropped="\n".join(f"  {r}" for r in dropped))


class RecipientChangeRefused(UsageError):
    template = Text(
        "封印先を変更していません: {detail}",
        "recipients not changed: {detail}",
    )


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
    pre_event_ms: int = 0  # audio from before 録音開始 at the start (the pre-event buffer)


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
    def setup(
        self,
        org_recipients: Sequence[str],
        workstation_name: str | None,
        *,
        replace_recipients: bool = False,
    ) -> SetupResult:
        """Set up (or set up again) this workstation. An active recipient is never dropped
        silently: a list without one is refused (RecipientsWouldBeDropped) unless
        ``replace_recipients``; recipients only added are fine. Recordings keep the
        recipients they were sealed to, whatever changes later."""
        recipients = tuple(dict.fromkeys(parse_recipient(r) for r in org_recipients))
        if not recipients:
            raise UsageError("at least one organisation recipient (age1…) is needed")
        old = self.app.settings
        dropped = [r for r in old.org_recipients if r not in recipients and _is_recipient(r)]
        if dropped and not replace_recipients:
            raise RecipientsWouldBeDropped(dropped)
        paths = self.app.paths.ensure()
        created = not paths.workstation_key.exists()
        name = workstation_name or old.workstation_name or host_name()
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
                **({"replaced_recipients": dropped} if dropped else {}),
            },
        )
        return SetupResult(paths.root, name, self.key.fingerprint, recipients, created)

    # --- recipients ------------------------------------------------------------------------
    def add_recipients(self, new: Sequence[str]) -> RecipientChange:
        """Add recipients (a second officer, the sealed backup) to the active list; each one
        added is an audit entry. Recordings started from now on are sealed to them too."""
        before = self.recipients  # NotSetUp before set-up
        parsed = tuple(dict.fromkeys(parse_recipient(r) for r in new))
        added = tuple(r for r in parsed if r not in before)
        if not added:
            raise RecipientChangeRefused(
                Text(
                    "指定した受取人はすべて、すでに封印先に入っています",
                    "every recipient given is active already",
                ),
            )
        after = before + added
        self.app.save_settings(self.app.settings.with_changes(org_recipients=after))
        for r in added:
            self.audit.append(
                self.app.actor,
                "workstation.recipient_added",
                f"workstation:{self.key.fingerprint}",
                {"recipient": r, "recipients_before": list(before), "recipients": list(after)},
            )
        return RecipientChange(added, (), after, before)

    def retire_recipient(self, recipient: str) -> RecipientChange:
        """Stop sealing new recordings to ``recipient`` (an officer who left, a rotated key).
        Recordings made before stay sealed to it as well as to the others; it is an audit
        entry. The last active recipient cannot be retired."""
        before = self.recipients
        r = parse_recipient(recipient)
        if r not in before:
            raise RecipientChangeRefused(
                Text(
                    f"{r} は封印先に入っていません（現在の封印先: {', '.join(before)}）",
                    f"{r} is not an active recipient (active: {', '.join(before)})",
                ),
            )
        after = tuple(x for x in before if x != r)
        if not after:
            raise RecipientChangeRefused(
                Text(
                    "最後の受取人は外せません。先に新しい受取人を keys add-recipient で追加して"
                    "ください（録音を封印できる相手がいなくなります）",
                    "the last recipient cannot be retired: add the new one first with keys "
                    "add-recipient (recordings would have no one to be sealed to)",
                ),
            )
        self.app.save_settings(self.app.settings.with_changes(org_recipients=after))
        self.audit.append(
            self.app.actor,
            "workstation.recipient_retired",
            f"workstation:{self.key.fingerprint}",
            {"recipient": r, "recipients_before": list(before), "recipients": list(after)},
        )
        return RecipientChange((), (r,), after, before)

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
            pre_event_ms=min(meta.pre_event_ms, duration_ms),
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


def _is_recipient(text: str) -> bool:
    """A damaged settings entry (not an age1… key at all) is no recipient to keep."""
    try:
        parse_recipient(text)
    except BadRecipient:
        return False
    return True


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
