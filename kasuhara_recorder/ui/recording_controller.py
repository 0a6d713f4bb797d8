"""Between the panels and ``app.recording``: starts and stops a session off the GUI thread,
polls its levels, elapsed time, policy-timer phase and engine events on a 20 Hz QTimer (never
touching the stream), and stamps live tags. Emits signals the panels show."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui import preload
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.limit_bar import LIMIT, NORMAL, WARNING
from kasuhara_recorder.ui.task_runner import TaskRunner

if TYPE_CHECKING:
    from kasuhara_recorder.store.incident_model import Marker

log = logging.getLogger("kasuhara.ui.recording")
POLL_MS = 50
# A stop asked for (F9, the button) this soon after the press that started the recording is a
# double press, not a decision: ignored, so a hurried double F9 never seals an empty recording.
STOP_GUARD_S = 1.0
_PHASES = {"ok": NORMAL, "warning": WARNING, "over_limit": LIMIT}


class RecordingController(QObject):
    started = Signal(str)  # channel
    progress = Signal(float, object, object)  # elapsed s, level dBFS or None, limit-bar state
    tagged = Signal(object)  # Marker
    notice_given = Signal(int)  # the notice's offset in ms
    stopped = Signal(object, object)  # manifest, list[Marker]
    message = Signal(str, bool)  # text for staff, severe
    start_failed = Signal(str)
    busy = Signal(bool)

    def __init__(self, service, tasks: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self.service, self.tasks = service, tasks
        self.session = None
        self.channel = "counter"
        self.markers: list[Marker] = []
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self._stopping = False
        self._starting = False
        self.clock = time.monotonic  # the double-press guard's clock (injectable for tests)
        self._pressed_at = -STOP_GUARD_S  # clock() at the start press
        # The session a start task made, set on the worker before its callback is queued: a
        # window closed in between must still be able to seal it (the callback may never run).
        self._made = None

    @property
    def recording(self) -> bool:
        return self.session is not None

    @property
    def active(self) -> bool:
        """Recording, or starting or sealing one: the window must not go away now."""
        return self.session is not None or self._starting or self._stopping

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def stop_allowed(self) -> bool:
        """A worker's stop is taken: recording, and the start press is not a moment ago."""
        return self.session is not None and (self.clock() - self._pressed_at >= STOP_GUARD_S)

    def _text(self, e: BaseException) -> str:
        if isinstance(e, KasuharaError):
            return localized(e.text)
        log.error("recording engine error", exc_info=e)
        return self.tr(
            "録音装置で予期しないエラーが発生しました。もう一度録音開始を押してください。"
            "続く場合は情報システム担当者にログを渡してください。"
        )

    # --- start / stop ----------------------------------------------------------------------
    def start(self, channel: str, **options) -> None:
        if self.session is not None or self._stopping or self._starting:
            return
        self._starting = True
        self._pressed_at = self.clock()
        pressed = time.monotonic()  # where the recording begins (the input is kept open)
        self.busy.emit(True)
        self.channel = channel
        recording = self.service.recording  # built here, on the GUI thread, once

        def begin():
            self._made = recording.start(channel, pressed_at=pressed, **options)
            return self._made

        # only the recording stack; the rest (export, review, time-stamps) loads once started
        preload.pause()
        try:
            self.tasks.run(begin, on_done=self._started, on_error=self._start_error, a_start=True)
        except BaseException:
            preload.resume()
            raise

    def _started(self, session) -> None:
        preload.resume()
        self._starting = False
        self._made = None
        if session.stopped:  # sealed by stop_and_wait (window closed while it started)
            return
        self.session = session
        self.markers = []
        self.timer.start()
        self.busy.emit(False)
        self.started.emit(self.channel)

    def _start_error(self, e: BaseException) -> None:
        preload.resume()
        self._starting = False
        self.busy.emit(False)
        self.start_failed.emit(self._text(e))

    def request_stop(self) -> bool:
        """The worker's stop (F9, the button): ignored while starting and within the guard
        time of the start press (a double press). False when ignored."""
        if not self.stop_allowed:
            log.info("stop ignored: %.2f s after the start press", self.clock() - self._pressed_at)
            return False
        self.stop()
        return True

    def stop(self, on_done=None) -> None:
        """Seal off the GUI thread; ``stopped`` follows (also after an engine failure)."""
        if self.session is None or self._stopping:
            return
        self._stopping = True
        self.busy.emit(True)
        session = self.session

        def done(manifest) -> None:
            if self.session is not session:  # stop_and_wait finished it already
                return
            self._finish(manifest)
            if on_done is not None:
                on_done(manifest)

        def failed(e: BaseException) -> None:
            if self.session is not session:
                return
            self.message.emit(self._text(e), True)
            self._finish(None)
            if on_done is not None:
                on_done(None)

        self.tasks.run(session.stop, on_done=done, on_error=failed)

    def stop_and_wait(self) -> object:
        """For quitting: seal synchronously so nothing is lost when the process ends; also a
        recording still starting (its callback would come after the window is gone)."""
        if self.session is None and not self._starting:
            return None
        self.timer.stop()
        self.tasks.wait()
        if self.session is None and self._made is not None:
            self.session, self._made = self._made, None
        self._starting = False
        if self.session is None:
            return None
        try:
            manifest = self.session.stop()
        except Exception as e:  # noqa: BLE001 - reported, and the partial recording is kept
            self.message.emit(self._text(e), True)
            manifest = None
        self._finish(manifest)
        return manifest

    def _finish(self, manifest) -> None:
        self.poll()
        self.timer.stop()
        self.session = None
        self._stopping = False
        self.busy.emit(False)
        self.stopped.emit(manifest, list(self.markers))

    # --- live state ------------------------------------------------------------------------
    def poll(self) -> None:
        s = self.session
        if s is None:
            return
        level = s.levels.peak_dbfs
        phase = _PHASES.get(s.timer_state.phase.value)
        # The clock shows the recording's length (its audio), the figure the after-stop
        # choice, the form and the report give; the §4(1) bar keeps its own timer.
        self.progress.emit(s.position_s, level, phase)
        for event in s.poll_events():
            self._event(event)

    def _event(self, event) -> None:
        """Engine events as plain words: what happened, what to do, and that nothing is lost."""
        kind = event.kind
        if kind in ("stopped", "source_ended"):
            if kind == "stopped" and not self._stopping:
                self.stop()  # it stopped by itself (device lost, disk full): seal and ask
            return
        text = localized(event.text)
        severe = kind not in ("warning", "low_space")
        if kind in ("device_lost", "disk_full", "vault_error", "engine_error", "stop_failed"):
            text += self.tr("\nここまでの録音は保存されています。")
            if kind == "disk_full":
                text += self.tr("\n空き容量を確保してから、新しい録音を始めてください。")
            elif kind == "device_lost":
                text += self.tr("\nマイクの接続を確認してから、もう一度録音開始を押してください。")
        elif kind == "limit":
            text += self.tr("\n対応を終了し退去等を求めることができます（方針 4）。")
        self.message.emit(text, severe)

    def give_notice(self) -> int | None:
        """The counter's 告知しました: stamped at the current position; its offset, or None."""
        if self.session is None:
            return None
        try:
            notice = self.session.give_notice(self.service.actor)
        except KasuharaError as e:  # e.g. it stopped by itself a moment ago
            self.message.emit(self._text(e), False)
            return None
        offset_ms = int(notice.offset_ms or 0)
        self.notice_given.emit(offset_ms)
        return offset_ms

    def tag(self, code: str) -> Marker | None:
        if self.session is None:
            return None
        try:
            entry = self.session.tag(code, "", self.service.actor)
        except KasuharaError as e:  # e.g. it stopped by itself a moment ago
            self.message.emit(self._text(e), False)
            return None
        from kasuhara_recorder.store.incident_model import Marker

        marker = Marker(code=entry.code, offset_ms=entry.offset_ms, note="", who=entry.who)
        self.markers.append(marker)
        self.tagged.emit(marker)
        return marker
