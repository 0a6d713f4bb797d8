"""Recording: start from a preset (窓口/電話) or a file, live tags, the §4(1) timer, stop = sealed.

``AppService.recording`` is the one way the GUI and the CLI record. A session owns a Recorder
(audio/) feeding a SealedWriter (evidence/); stopping it seals the file, signs the manifest and
enters it in the store and the audit chain. Nothing here decrypts: the counter PC holds only the
organisation's recipients.

While a recording runs, ``vault/<id>.pending.json`` (its capture record as begun: metadata and
tags, no audio) lets ``recover()`` close it as ``recovered`` after a crash, with the hash of its
last checkpoint (or of its last sealed tail). The sealed writer's journal lock is held from
before the sealed file exists until the recording is registered and its pending file gone;
``recover()`` claims that lock before it looks at a recording, so it never touches one another
process is recording.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kasuhara_recorder.app.recording_import import ImportResult, RecordingImporter
from kasuhara_recorder.app.recording_registry import RecordingRegistry
from kasuhara_recorder.app.workstation_identity import WorkstationIdentity
from kasuhara_recorder.atomic_file import write_atomic
from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.levels import Levels
from kasuhara_recorder.audio.policy_timer import Phase, PolicyTimer, TimerState
from kasuhara_recorder.audio.recorder import CaptureEvent, CaptureResult, EndReason, Recorder
from kasuhara_recorder.config import DataPaths, InputPreset, Settings
from kasuhara_recorder.errors import EvidenceError, KasuharaError, UsageError, failure_list
from kasuhara_recorder.evidence.manifest import (
    CaptureRecord,
    NoticeInfo,
    RecordingManifest,
    RecoveryInfo,
    TagEntry,
    new_recording_id,
    verify_manifest_bytes,
)
from kasuhara_recorder.evidence.sealed_writer import (
    SealedWriter,
    StreamInfo,
    claim,
    read_checkpoint,
    read_journal,
)
from kasuhara_recorder.evidence.sealed_writer import recover as recover_sealed
from kasuhara_recorder.evidence.vault import Vault
from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.interface import AuditStore, RecordingStore
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from kasuhara_recorder.app.incident_service import IncidentService
    from kasuhara_recorder.app.phone_notice import AnnouncementRun
    from kasuhara_recorder.audio.devices import InputDevice
    from kasuhara_recorder.audio.input_probe import InputProbe
    from kasuhara_recorder.audio.recorder import Source
    from kasuhara_recorder.audio.warm_input import WarmInput

log = logging.getLogger("kasuhara.app.recording")

CHANNELS = ("counter", "phone")
LOW_SPACE_HOURS = 2.0
# A checkpoint at every durable 64 KiB chunk (0.68 s at 48 kHz mono, 4.1 s at 8 kHz) ...
CHECKPOINT_INTERVAL_S = 0.5
# ... and the plaintext since then sealed as its own small age file this often: a crash loses
# about this much plus the time to seal it (and the 50 ms blocks in flight), at any rate.
TAIL_INTERVAL_S = 0.5
MONITOR_INTERVAL_S = 0.25
STATUS_BY_END = {
    EndReason.STOPPED: "complete",
    EndReason.SOURCE_ENDED: "complete",
    EndReason.DEVICE_LOST: "device_lost",
    EndReason.DISK_FULL: "disk_full",
    EndReason.VAULT_ERROR: "disk_full",  # the vault stopped taking data: same meaning
    EndReason.ENGINE_ERROR: "device_lost",
}


class LowDiskSpace(KasuharaError):
    template = Text(
        "保存先の空き容量が少なくなっています（あと約{hours}時間分）。{detail}",
        "low disk space in the vault: about {hours} hours of recording fit ({detail})",
    )
    fields = ("detail", "hours")


class UnknownTag(UsageError):
    template = Text(
        "タグ {detail} はポリシーにありません。",
        "tag {detail} is not a code of the policy profile",
    )


class RecordingError(EvidenceError):
    template = Text(
        "録音の保存中に問題が起きました: {detail}",
        "recording problem: {detail}",
    )


class RecoveryIncomplete(EvidenceError):
    """Some unfinished recordings could not be closed; the others were (``recovered``)."""

    template = Text(
        "{count} 件の録音を復旧できませんでした（ほかの {done} 件は復旧済みです）:\n{listing}",
        "{count} recording(s) could not be recovered ({done} others were):\n{listing}",
    )
    fields = ("recovered", "failed", "count", "done", "listing")
    recovered: list[RecoveredRecording]
    failed: list[tuple[str, KasuharaError]]

    def __init__(
        self, recovered: list[RecoveredRecording], failed: list[tuple[str, KasuharaError]]
    ) -> None:
        super().__init__(
            recovered, failed, len(failed), len(recovered), failure_list(failed),
            detail=", ".join(rid for rid, _ in failed),
        )  # fmt: skip


class RecordingFormatUnknown(EvidenceError):
    """Neither the pending file nor the journal says the format: recovery will not guess it."""

    template = Text(
        "録音 {detail} の形式（サンプリング周波数・チャンネル数）を示す記録が残っていないため、"
        "復旧できませんでした。ファイルは削除・移動せずに保全し、証拠管理担当者に連絡してください。",
        "recording {detail}: neither its pending file nor its journal records the sample rate "
        "and channels, so it was not recovered (no guess is made); keep its files as they are "
        "and tell the evidence officer",
    )


class RecordingNotRegistered(EvidenceError):
    """Sealed and kept, but not yet in the database: `recover` finishes it."""

    template = Text(
        "録音は封印して {path} に保存しましたが、データベースへの登録に失敗しました"
        "（{cause}）。原因を取り除いてから `kasuhara-recorder recover` を実行すると"
        "登録されます。",
        "the recording is sealed and kept in {path}, but registering it in the database failed "
        "({cause}); remove the cause and run `kasuhara-recorder recover` to register it",
    )
    fields = ("detail", "path", "cause")


# §4(1) timer events, and a start the audit log did not take
WARNING_TEXT = Text(
    "対応時間が{warning}分を超えました。あと{left}分で目安の{limit}分です。",
    "{warning} minutes passed; the {limit}-minute limit is in {left} minutes",
)
LIMIT_TEXT = Text(
    "対応時間が方針の目安（{limit}分）を超えました。対応の終了を検討してください（§4(1)）。",
    "the {limit}-minute limit (§4(1)) has passed",
)
START_NOT_LOGGED_TEXT = Text(
    "録音は続いていますが、開始を監査ログに記録できませんでした（{cause}）。",
    "recording goes on, but its start could not be logged ({cause})",
)


@dataclass(frozen=True)
class RecordingEvent:
    """Something the GUI shows while (or after) recording; polled, never pushed into Qt."""

    kind: str  # low_space, warning, limit, device_lost, disk_full, vault_error, source_ended,
    #            engine_error, start_not_logged, stop_failed, stopped
    text: Text
    at_s: float  # seconds since the start of the recording
    error: KasuharaError | None = None

    def message(self, lang: str = "ja") -> str:
        return self.text.pick(lang)


@dataclass(frozen=True)
class SpaceCheck:
    free_bytes: int
    bytes_per_hour: int

    @property
    def hours_fit(self) -> float:
        return self.free_bytes / self.bytes_per_hour

    @property
    def low(self) -> bool:
        return self.hours_fit < LOW_SPACE_HOURS


@dataclass(frozen=True)
class RecoveredRecording:
    manifest: RecordingManifest
    cut_bytes: int  # sealed bytes after the last checkpoint, dropped (never attested)
    # "checkpoint" (cut at a chunk), "tail" (with its sealed tail), "empty" (no audio was
    # durable before the crash: closed as an empty recording); "" when only registered
    recovered_from: str = ""


def _in_real_time(source: Any) -> bool:
    """A device, or a file fed at the pace a device would deliver it."""
    return bool(source.realtime or getattr(source, "paced", False))


def iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class SessionHooks:
    """What a session needs from the service that starts it, handed over when it is made."""

    profile: PolicyProfile
    vault: Vault
    audit: Callable[[], AuditStore]
    actor: Callable[[], str]
    clock: Callable[[], float]  # the §4(1) timer's
    finish: Callable[[RecordingSession, CaptureResult], RecordingManifest]  # seal, sign, enter
    attach: Callable[[RecordingManifest], None]  # a recording made for an incident: its tags


class RecordingSession:
    """One recording in progress. Thread-safe for the GUI: read properties from any thread."""

    def __init__(
        self,
        record: CaptureRecord,
        recorder: Recorder,
        writer: SealedWriter,
        on_event: Callable[[RecordingEvent], None] | None,
        *,
        hooks: SessionHooks,
    ) -> None:
        self._hooks = hooks
        self.record = record  # begun at the start; its tags grow while it runs
        self.id = record.id
        self.start_logged = True  # False when the database refused the start entry
        self.channel = record.channel
        self.incident_id = record.incident_id
        self.recorder = recorder
        self.format: AudioFormat = recorder.format
        self._writer = writer
        self._on_event = on_event
        self._events: queue.SimpleQueue[RecordingEvent] = queue.SimpleQueue()
        self._tags: list[TagEntry] = []
        self._notice = record.notice or NoticeInfo()
        self._tag_lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._manifest: RecordingManifest | None = None
        self._stop_error: KasuharaError | None = None
        self._stopped = threading.Event()
        self.timer = PolicyTimer(hooks.profile.rules, hooks.clock)
        self.capture: CaptureResult | None = None
        self.stop_latency_s: float | None = None
        self.pressed_at = time.monotonic()  # the worker's key press (set by start())
        self.announcement: AnnouncementRun | None = None  # the phone's 録音告知 (set by start())
        self._monitor = threading.Thread(target=self._watch, name="recording-monitor", daemon=True)

    # --- what the GUI reads --------------------------------------------------------------
    @property
    def levels(self) -> Levels:
        return self.recorder.levels

    @property
    def elapsed_s(self) -> float:
        return self.timer.elapsed_s

    @property
    def position_s(self) -> float:
        """Audio captured so far; tags are placed at this offset."""
        return self.recorder.position_s

    @property
    def timer_state(self) -> TimerState:
        return self.timer.state()

    @property
    def dropped_frames(self) -> int:
        return self.recorder.dropped_frames

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    @property
    def tags(self) -> tuple[TagEntry, ...]:
        with self._tag_lock:
            return tuple(self._tags)

    @property
    def notice(self) -> NoticeInfo:
        """The recording notice so far (kind ``none`` until it is played or given)."""
        with self._tag_lock:
            return self._notice

    def poll_events(self) -> list[RecordingEvent]:
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def wait_until_capture_ended(self, timeout: float | None = None) -> bool:
        """True once capture ended by itself (file end, device lost, disk full)."""
        return self.recorder.wait_until_ended(timeout)

    def wait_stopped(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    # --- actions -------------------------------------------------------------------------
    def tag(
        self, code: str, note: str = "", who: str | None = None, offset_ms: int | None = None
    ) -> TagEntry:
        """A live tag at the current position (or ``offset_ms``), entered in the audit chain."""
        hooks = self._hooks
        if not hooks.profile.is_known_code(code):
            raise UnknownTag(code)
        if self.stopped:
            raise UsageError(f"recording {self.id} has already stopped")
        if offset_ms is None:
            offset_ms = int(self.position_s * 1000)
        if offset_ms < 0:
            raise UsageError(f"negative tag offset {offset_ms}")
        actor = hooks.actor()
        entry = TagEntry(code=code, offset_ms=int(offset_ms), note=note, who=who or actor)
        with self._tag_lock:
            self._tags.append(entry)
            self.record = record = self.record.with_changes(tags=tuple(self._tags))
        write_atomic(hooks.vault.pending(self.id), record.pending_json())
        hooks.audit().append(actor, "recording.tag", f"recording:{self.id}", asdict(entry))
        return entry

    def give_notice(self, who: str | None = None, offset_ms: int | None = None) -> NoticeInfo:
        """The counter worker's 告知しました: the notice spoken at the current position (or
        ``offset_ms``), stamped like a tag and entered in the audit chain. Once per recording:
        a second call returns the first notice."""
        hooks = self._hooks
        if self.stopped:
            raise UsageError(f"recording {self.id} has already stopped")
        if offset_ms is None:
            offset_ms = int(self.position_s * 1000)
        if offset_ms < 0:
            raise UsageError(f"negative notice offset {offset_ms}")
        actor = hooks.actor()
        notice = NoticeInfo(
            kind="spoken", offset_ms=int(offset_ms), text=hooks.profile.notice.counter.ja,
            who=who or actor,
        )  # fmt: skip
        return self._set_notice(notice, actor)

    def notice_played(self, notice: NoticeInfo) -> NoticeInfo:
        """The phone announcement was played to the caller (its offset from the output's DAC
        time); entered in the audit chain."""
        return self._set_notice(notice, self._hooks.actor())

    def _set_notice(self, notice: NoticeInfo, actor: str) -> NoticeInfo:
        with self._tag_lock:
            if self._notice.kind != "none":
                return self._notice
            self._notice = notice
            self.record = record = self.record.with_changes(notice=notice)
        write_atomic(self._hooks.vault.pending(self.id), record.pending_json())
        self._hooks.audit().append(
            actor, "recording.notice", f"recording:{self.id}", notice.to_dict()
        )
        return notice

    def stop(self) -> RecordingManifest:
        """Stop, seal, sign and register. Idempotent; also called by itself on a fault."""
        with self._stop_lock:
            if self._manifest is not None:
                return self._manifest
            if self._stop_error is not None:
                raise self._stop_error
            t0 = time.monotonic()
            try:
                self._poll_announcement(closing=True)
            except KasuharaError:  # the notice is in the record; only its entry is missing
                log.exception("recording %s: the announcement's notice was not entered", self.id)
            try:
                self.capture = self.recorder.stop()
                self.timer.poll()
                self._manifest = self._hooks.finish(self, self.capture)
            except Exception as e:
                self._writer.release()  # recover() may finish it now
                # Never leave a caller without a typed answer; recover() can still close the
                # recording from its journal and pending file.
                log.exception("stopping recording %s failed", self.id)
                err = (
                    e
                    if isinstance(e, KasuharaError)
                    else RecordingError(f"{type(e).__name__}: {e}")
                )
                sealed = self._hooks.vault.sealed(self.id)
                if self.capture is not None and sealed.exists():
                    # The audio is safe; say so and how to finish, not only what failed.
                    err = RecordingNotRegistered(
                        err.message("en"), cause=err.text, path=str(sealed)
                    )
                self._stop_error = err
                self._stopped.set()
                self._post("stop_failed", err.text, err)
                raise err from e
            # Registered and its pending file gone: only now may another process look at it.
            self._writer.release()
            self.stop_latency_s = time.monotonic() - t0
            if self._manifest.incident_id:
                self._hooks.attach(self._manifest)
            self._stopped.set()
            self._post(
                "stopped", Text("録音を停止し、封印しました。", "recording stopped and sealed")
            )
            return self._manifest

    # --- internals -----------------------------------------------------------------------
    def _start(self) -> None:
        if self.announcement is not None:  # its search needs the recording from frame 0
            self.recorder.add_tap(self.announcement.listen(self.recorder.format))
        self.recorder.start()
        if self.announcement is not None:
            try:  # with the capture: played once the input delivers (app/phone_notice.py)
                self.announcement.start(
                    self.recorder.wait_for_audio,
                    lambda e: self._post("announcement_failed", e.text, e),
                )
            except KasuharaError as e:
                self.announcement = None
                self._post("announcement_failed", e.text, e)
        self.timer.start()
        self._monitor.start()

    def _poll_announcement(self, closing: bool = False) -> None:
        """Stamp the phone announcement once its first frame's DAC time is known; close its
        output once it has played (or the recording stops)."""
        run = self.announcement
        if run is None:
            return
        first = getattr(self.recorder.source, "first_sample_t", None)
        if self.notice.kind == "none":
            notice = run.notice(first, final=closing)
            if notice is not None:
                self.notice_played(notice)
        if closing or run.finished:
            run.close()
            if closing or self.notice.kind != "none":
                run.forget()
                self.announcement = None

    def _post(self, kind: str, text: Text, error: KasuharaError | None = None) -> RecordingEvent:
        ev = RecordingEvent(kind, text, self.elapsed_s, error)
        self._events.put(ev)
        if self._on_event is not None:
            try:
                self._on_event(ev)
            except Exception:  # a listener's bug must not stop the recording
                log.exception("recording event listener failed")
        return ev

    def _capture_event(self, ev: CaptureEvent) -> None:  # writer thread
        if ev.kind is EndReason.SOURCE_ENDED:
            self._post(
                "source_ended", Text("入力ファイルの終わりに達しました。", "input file ended")
            )
        elif ev.error is not None:
            self._post(ev.kind.value, ev.error.text, ev.error)

    def _watch(self) -> None:
        """Timer events, and stop-and-seal as soon as capture ended by itself."""
        rules = self._hooks.profile.rules
        while not self._stopped.wait(MONITOR_INTERVAL_S):
            try:
                self._poll_announcement()
            except KasuharaError:
                log.exception("recording %s: the announcement's notice was not entered", self.id)
            for phase in self.timer.poll():
                if phase is Phase.WARNING:
                    left = rules.interaction_limit_minutes - rules.warning_minutes
                    self._post("warning", WARNING_TEXT.format(
                        warning=rules.warning_minutes, left=left,
                        limit=rules.interaction_limit_minutes,
                    ))  # fmt: skip
                elif phase is Phase.OVER_LIMIT:
                    self._post("limit", LIMIT_TEXT.format(limit=rules.interaction_limit_minutes))
            if self.recorder.end_reason is not None:
                try:
                    self.stop()
                except KasuharaError:
                    pass  # logged and posted as a stop_failed event by stop()
                return


class RecordingService:
    def __init__(
        self,
        *,
        paths: DataPaths,
        settings: Callable[[], Settings],
        profile: PolicyProfile,
        vault: Vault,
        identity: WorkstationIdentity,
        registry: RecordingRegistry,
        importer: RecordingImporter,
        incidents: IncidentService,
        recordings: Callable[[], RecordingStore],
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
    ) -> None:
        self._paths = paths
        self._settings = settings
        self._profile = profile
        self._vault = vault
        self._identity = identity
        self._registry = registry
        self._importer = importer
        self._incidents = incidents
        self._recordings = recordings
        self._audit = audit
        self._actor = actor
        self._active: RecordingSession | None = None
        self._lock = threading.Lock()
        self.clock: Callable[[], float] = time.monotonic  # the §4(1) timer's clock (tests)
        self._warm: dict[str, Any] = {}  # channel → WarmInput (audio/warm_input.py)
        self._warm_lock = threading.Lock()  # warm_up runs on a worker beside start()

    # --- the input kept open while idle (the desktop app; never the CLI) -------------------
    def warm_up(self, channel: str) -> bool:
        """Open ``channel``'s preset device now and keep it running while idle (audio in
        memory only: the pre-event seconds), when the settings allow (keep_input_open), so
        the next recording starts at the key press. True if it is open. A device that cannot
        be opened is not an error here: 録音開始 will say so."""
        s = self._settings()
        if not s.keep_input_open or channel not in CHANNELS:
            self.cool_down()
            return False
        from kasuhara_recorder.audio.warm_input import WarmInput

        try:
            dev, fmt = self._preset_device(channel, None)
        except KasuharaError as e:
            log.info("input for %s not kept open: %s", channel, e.message("en"))
            return False
        with self._warm_lock:
            warm = self._warm.get(channel)
            if (
                warm is not None and warm.alive and (warm.device, warm.format) == (dev, fmt)
                and warm.pre_event_s == s.pre_event_seconds
            ):  # fmt: skip
                return True
            for ch in list(self._warm):  # one input open at a time: the chosen channel's
                self._close_warm(ch)
            if channel in self._warm:  # still recording from it: keep it as it is
                return True
            warm = WarmInput(dev, fmt, s.pre_event_seconds)
            try:
                warm.open()
            except KasuharaError as e:
                log.info("input for %s not kept open: %s", channel, e.message("en"))
                return False
            self._warm[channel] = warm
        log.info("input %s kept open for %s (pre-event %d s)", dev.name, channel,
                 s.pre_event_seconds)  # fmt: skip
        return True

    def cool_down(self, channel: str | None = None) -> None:
        """Close the input(s) kept open, except one a recording is still using."""
        with self._warm_lock:
            for ch in [channel] if channel else list(self._warm):
                self._close_warm(ch)

    def _close_warm(self, channel: str) -> None:
        warm = self._warm.get(channel)
        if warm is None:
            return
        active = self._active
        source = getattr(getattr(active, "recorder", None), "source", None)
        if active is not None and not active.stopped and getattr(source, "warm", None) is warm:
            return  # sealed first by its owner; closed at the next cool_down
        self._warm.pop(channel).close()

    def warm_input(self, channel: str) -> WarmInput | None:
        """The input kept open for ``channel``, if it is running."""
        with self._warm_lock:
            warm = self._warm.get(channel)
        return warm if warm is not None and warm.alive else None

    # --- checks --------------------------------------------------------------------------
    def space_check(self, fmt: AudioFormat) -> SpaceCheck:
        vault = self._vault.root
        vault.mkdir(parents=True, exist_ok=True)
        # age adds 16 bytes per 64 KiB chunk: 0.02 %, within rounding
        return SpaceCheck(shutil.disk_usage(vault).free, fmt.bytes_per_second * 3600)

    # --- start ---------------------------------------------------------------------------
    def start(
        self,
        channel: str = "counter",
        incident_id: str | None = None,
        device: str | None = None,
        input_file: Path | str | None = None,
        paced: bool = True,
        *,
        max_seconds: float | None = None,
        on_event: Callable[[RecordingEvent], None] | None = None,
        pressed_at: float | None = None,
    ) -> RecordingSession:
        """Start recording now. ``device`` overrides the channel's preset; ``input_file`` feeds
        a file through the same pipeline instead of a device. ``pressed_at`` (time.monotonic()
        of the worker's key press) is where a recording from the input kept open begins, less
        the pre-event seconds; the recording's start is then that moment, not the moment this
        call got to run."""
        if channel not in CHANNELS:
            raise UsageError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
        recipients = self._identity.recipients  # NotSetUp before anything opens
        # The database must be usable before audio is taken: a damaged or missing one is
        # reported now, not after the recording, when it could not be registered.
        audit = self._audit()
        if incident_id is not None:
            self._incidents.check_can_take_recording(incident_id)
        pressed = time.monotonic() if pressed_at is None else pressed_at
        source = self._source(channel, device, input_file, paced, max_seconds, pressed)
        with self._lock:
            if self._active is not None and not self._active.stopped:
                raise UsageError(f"recording {self._active.id} is still running")
            self._paths.ensure()
            space = self.space_check(source.format)
            now = dt.datetime.now().astimezone()
            rid = new_recording_id(now)
            record = CaptureRecord(
                id=rid,
                channel=channel,
                device=source.label,
                samplerate=source.format.samplerate,
                channels=source.format.channels,
                started_at=iso(now),
                incident_id=incident_id,
                staff=(self._actor(),),
                recipients=recipients,
                notice=NoticeInfo(),  # none, until it is given or played
            )
            write_atomic(self._vault.pending(rid), record.pending_json())
            try:
                writer = SealedWriter(
                    self._vault.sealed(rid),
                    recipients,
                    checkpoint_interval_s=CHECKPOINT_INTERVAL_S,
                    stream=StreamInfo(source.format.samplerate, source.format.channels),
                    # A file fed as fast as the sealer takes it (benches, long tests) has no
                    # "last second" to keep: its tail would be all that the pipeline holds.
                    tail_interval_s=TAIL_INTERVAL_S if _in_real_time(source) else None,
                    keep_lock=True,
                )
            except BaseException:
                self._vault.pending(rid).unlink(missing_ok=True)
                raise
            holder: list[RecordingSession] = []
            recorder = Recorder(source, writer, on_event=lambda ev: holder[0]._capture_event(ev))
            session = RecordingSession(record, recorder, writer, on_event, hooks=self._hooks())
            session.pressed_at = pressed
            holder.append(session)
            unreadable = None
            if channel == "phone" and input_file is None:
                from kasuhara_recorder.app.phone_notice import AnnouncementRun

                try:
                    session.announcement = AnnouncementRun.prepare(self._settings(), self._profile)
                except KasuharaError as e:  # never blocks the recording: said, and recorded
                    unreadable = e
            try:
                session._start()
            except BaseException:
                try:
                    writer.close()
                finally:
                    writer.release()
                    self._vault.discard(rid)
                raise
            self._active = session
        if unreadable is not None:
            session._post("announcement_failed", unreadable.text, unreadable)
        if space.low:
            err = LowDiskSpace(str(self._vault.root), hours=f"{space.hours_fit:.1f}")
            session._post("low_space", err.text, err)
        try:
            audit.append(
                self._actor(),
                "recording.start",
                f"recording:{rid}",
                {
                    "channel": channel,
                    "device": source.label,
                    "incident_id": incident_id,
                    "samplerate": source.format.samplerate,
                    "channels": source.format.channels,
                    "started_at": record.started_at,
                },
            )
        except KasuharaError as e:
            # Capture is running: never stop it or leave it without an owner for a log entry.
            # The stop entry carries the start time and says the start entry is missing.
            log.error("recording %s: the start entry was not logged: %s", rid, e.message("en"))
            session.start_logged = False
            session._post("start_not_logged", START_NOT_LOGGED_TEXT.format(cause=e.text), e)
        log.info("recording %s started on %s (%s)", rid, source.label, channel)
        return session

    def _source(
        self,
        channel: str,
        device: str | None,
        input_file: str | Path | None,
        paced: bool,
        max_seconds: float | None,
        pressed: float,
    ) -> Source:
        if input_file is not None:
            from kasuhara_recorder.audio.file_source import FileSource

            return FileSource(Path(input_file), paced=paced, max_seconds=max_seconds)
        from kasuhara_recorder.audio.stream_source import StreamSource

        warm = self.warm_input(channel)
        if warm is not None and device is None:
            from kasuhara_recorder.audio.warm_input import WarmSource

            return WarmSource(warm, pressed - warm.pre_event_s)
        dev, fmt = self._preset_device(channel, device)
        return StreamSource(dev, fmt)

    def input_devices(self) -> list[InputDevice]:
        """The input devices PortAudio lists now (PortAudioMissing, NoInputDevice)."""
        from kasuhara_recorder.audio.devices import list_input_devices

        return list_input_devices()

    def probe_input(self, channel: str, preset: InputPreset | None = None) -> InputProbe:
        """Open ``channel``'s input as its preset says (or ``preset``, not saved yet) for a
        level test: levels only, no audio kept or written. The caller closes it."""
        from kasuhara_recorder.audio.input_probe import InputProbe

        dev, fmt = self._preset_device(channel, None, preset)
        return InputProbe(dev, fmt).open()

    def _preset_device(
        self, channel: str, device: str | None, preset: InputPreset | None = None
    ) -> tuple[InputDevice, AudioFormat]:
        from kasuhara_recorder.audio.devices import resolve_input_device

        preset = preset or getattr(self._settings(), channel)
        dev = resolve_input_device(device if device is not None else preset.device)
        if preset.channels:
            channels = preset.channels
        elif channel == "counter":
            channels = 1
        else:  # a phone adapter: its own channels (caller and staff), at most stereo
            channels = max(1, min(dev.channels, 2))
        return dev, AudioFormat(samplerate=preset.samplerate, channels=channels)

    # --- stop ----------------------------------------------------------------------------
    def _attach_to_incident(self, manifest: RecordingManifest) -> None:
        """A recording made for an incident: its tags into the incident's draft. The recording
        is sealed and linked already, so a failure here is logged, never raised."""
        try:
            self._incidents.attach_captured(manifest)
        except Exception:
            log.exception("recording %s: adding its tags to incident %s failed",
                          manifest.id, manifest.incident_id)  # fmt: skip

    def _hooks(self) -> SessionHooks:
        return SessionHooks(
            profile=self._profile, vault=self._vault, audit=self._audit, actor=self._actor,
            clock=self.clock, finish=self._finish, attach=self._attach_to_incident,
        )  # fmt: skip

    def _finish(self, session: RecordingSession, cap: CaptureResult) -> RecordingManifest:
        p = session.record
        pre_event_ms = 0
        first = getattr(session.recorder.source, "first_sample_t", None)
        warm_from = getattr(session.recorder.source, "from_t", None)
        if first is not None and warm_from is not None and session.pressed_at > first:
            pre_event_ms = round((session.pressed_at - first) * 1000)  # the key press's offset
        # The first frame's time (not when this call ran), to the millisecond, and the end as
        # that plus the length: the manifest's start + duration_ms is its end exactly.
        start = cap.started_at.replace(microsecond=cap.started_at.microsecond // 1000 * 1000)
        end = start + dt.timedelta(milliseconds=cap.frames * 1000 // cap.format.samplerate)
        record = p.with_changes(
            started_at=iso(start),
            pre_event_ms=pre_event_ms,
            ended_at=iso(end),
            status=STATUS_BY_END[cap.end],
            dropped_frames=cap.dropped_frames,
            over_limit=session.timer.limit_passed,
            tags=session.tags,
            notice=session.notice,
        )
        extra: dict[str, Any] = {"end": cap.end.value, "overflows": cap.overflows}
        if not session.start_logged:
            extra["start_entry"] = "missing"
        if cap.error is not None:
            extra["error"] = cap.error.message("en")
        manifest = self._registry.finalize(cap.seal, record, extra=extra)
        self._vault.pending(p.id).unlink(missing_ok=True)
        return manifest

    # --- import ----------------------------------------------------------------------------
    def import_file(self, original: Path, incident_id: str | None = None) -> ImportResult:
        """Seal an existing recording byte for byte and enter it in the chain of custody."""
        return self._importer.import_file(original, incident_id)

    def close(self) -> None:
        """Seal a recording still running when the app closes; close the inputs kept open."""
        if self._active is not None and not self._active.stopped:
            self._active.stop()
        self.cool_down()

    # --- recovery ------------------------------------------------------------------------
    def recover(self) -> list[RecoveredRecording]:
        """Close every recording a crash left open, as ``recovered`` at its last checkpoint.

        A recording is looked at only while this call holds its journal's lock (``claim``):
        one a live writer holds, in this process or another, is left alone, and so is one
        another recovery is closing at the same moment."""
        if not self._vault.root.is_dir():
            if self._paths.root.exists() and not self._paths.root.is_dir():
                self._paths.ensure()  # a file where the data folder should be: say so
            return []
        # Unclosed journals (or none), and pending files left beside a sealed file.
        rids = self._vault.unfinished_ids()
        out, failed = [], []
        for rid in sorted(rids):
            if self._active is not None and self._active.id == rid:
                continue
            try:
                with claim(self._vault.sealed(rid)) as mine:
                    if not mine:
                        log.info("%s is held by a live writer or recovery: left alone", rid)
                        continue
                    done = self._close_one(rid)
                if done is not None:
                    out.append(done)
            except KasuharaError as e:
                # one damaged file must not keep the others open: go on, report it after
                log.error("could not recover %s: %s", rid, e.message("en"))
                failed.append((rid, e))
        if failed:
            raise RecoveryIncomplete(out, failed)
        return out

    def _close_one(self, rid: str) -> RecoveredRecording | None:
        """One recording, its journal claimed: looked at again now, since its owner may have
        finished it between the listing and the claim."""
        sealed = self._vault.sealed(rid)
        if not sealed.exists():
            return None
        pending = self._vault.pending(rid).exists()
        if self._vault.manifest(rid).manifest.exists():
            # Signed manifest written, but the database refused the row (locked, full,
            # damaged) or the process died before it went in
            return self._register_one(rid) if pending else None
        cp = read_checkpoint(sealed)
        if cp is not None and cp.closed and not pending:
            return None  # closed, and no recording of ours waits for it
        # Unclosed, or sealed and closed but the process died before the manifest was written
        return self._recover_one(rid)

    def _register_one(self, rid: str) -> RecoveredRecording | None:
        """Enter a recording whose signed manifest is in the vault but not in the database."""
        if self._recordings().get(rid) is None:
            files = self._vault.manifest(rid)
            data, sig = files.manifest.read_bytes(), files.signature.read_bytes()
            manifest = verify_manifest_bytes(
                data, sig, trusted_public_pem=self._identity.key.public_pem
            )  # only what this workstation signed goes in
            self._registry.register(
                manifest, data, sig, event="recording.stop", extra={"registered_by": "recover"}
            )
            if manifest.incident_id:
                self._attach_to_incident(manifest)
            result: RecoveredRecording | None = RecoveredRecording(manifest, 0)
            log.info("registered %s from its signed manifest", rid)
        else:
            result = None  # registered; only the pending file was left behind
        self._vault.pending(rid).unlink(missing_ok=True)
        return result

    def _recover_one(self, rid: str) -> RecoveredRecording:
        sealed = self._vault.sealed(rid)
        journal = read_journal(sealed)
        configured = tuple(self._settings().org_recipients)
        try:
            record = CaptureRecord.from_pending_json(self._vault.pending(rid).read_bytes())
        except (FileNotFoundError, ValueError, TypeError, KeyError):
            # No metadata survived: record what the files themselves prove, the format from
            # the journal's first line, and never a guessed sample rate.
            stream = journal.stream
            if stream is None:
                raise RecordingFormatUnknown(rid) from None
            record = CaptureRecord(
                id=rid, channel="counter", device="unknown", samplerate=stream.samplerate,
                channels=stream.channels,
                started_at=journal.opened_at or iso(dt.datetime.now().astimezone()),
                incident_id=None, staff=(), recipients=configured,
            )  # fmt: skip
        seal = recover_sealed(sealed, record.recipients or configured)
        now = iso(dt.datetime.now().astimezone())
        checkpoint_at = seal.checkpoint_written_at or now
        reason = (
            "no audio was durable before the crash: closed as an empty recording"
            if seal.recovered_from == "empty"
            else "unfinished at start-up"
        )
        record = record.with_changes(
            ended_at=checkpoint_at,
            status="recovered",
            recovery=RecoveryInfo(
                recovered_at=now, checkpoint_written_at=checkpoint_at, reason=reason
            ),
        )
        extra = {
            "checkpoint_written_at": checkpoint_at,
            "cut_bytes": seal.cut_bytes,
            "recovered_from": seal.recovered_from or "checkpoint",
        }
        subject = f"recording:{rid}"
        if not any(e.event == "recording.start" for e in self._audit().entries(subject)):
            extra["start_entry"] = "missing"  # killed before its start was logged: say so
        manifest = self._registry.finalize(seal, record, event="recording.recovered", extra=extra)
        self._vault.pending(rid).unlink(missing_ok=True)
        log.info(
            "recovered %s from its %s: %d frames, %d bytes cut",
            rid, seal.recovered_from, manifest.frames, seal.cut_bytes,
        )  # fmt: skip
        return RecoveredRecording(manifest, seal.cut_bytes, seal.recovered_from or "checkpoint")


__all__ = [
    "LowDiskSpace", "RecordingEvent", "RecordingFormatUnknown", "RecordingService",
    "RecordingSession", "RecoveredRecording", "SpaceCheck", "UnknownTag",
]  # fmt: skip
