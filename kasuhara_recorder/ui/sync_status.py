"""The main window's line about the central store, and the background sync that feeds it.

Shown only when the PC has a central store (``settings.central_url``): 同期済み, 送信待ち N 件,
each with the last contact, or a warning when the central store has not been reached for
``central_warn_hours`` (or never, once a sync failed): until then this PC's evidence is on its
own disk only. The tooltip holds the last error.

The sync (``service.sync.sync()``) runs on this line's own one-thread ``TaskRunner``, so it never
waits for, or holds up, the recorder's tasks: a timer every ``INTERVAL_MS``, once shortly after
the start and after each recording is saved; one at a time, none while a recording runs (the
stop asks for one), none once the window closes. An unreachable central store is the normal
offline case and only changes the line; a problem the sync found (a central store rolled back,
a fork of the audit chain) is logged and shown once, in a box that does not block the window.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from kasuhara_recorder.central.errors import CentralUnreachable
from kasuhara_recorder.errors import EvidenceError, KasuharaError
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.task_runner import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from kasuhara_recorder.app.sync_service import SyncReport, SyncStatus

log = logging.getLogger("kasuhara.ui.sync")

FIRST_SYNC_MS = 3_000  # after the start-up work (recovery, the preload), not in its way
INTERVAL_MS = 60_000
AFTER_SAVE_MS = 2_000  # a recording just saved (or filed under an incident)

_NORMAL = "QLabel#SyncStatus { color: #33691e; padding: 0 6px; }"
_WAITING = "QLabel#SyncStatus { color: #5d4037; padding: 0 6px; }"
_WARNING = (
    "QLabel#SyncStatus { background: #fff3e0; color: #b71c1c; border: 1px solid #ef6c00;"
    " border-radius: 4px; padding: 1px 6px; font-weight: bold; }"
)


def now_local() -> dt.datetime:
    return dt.datetime.now().astimezone()


def hours_since(last_contact: str, now: dt.datetime) -> float | None:
    """Hours from an ISO time (as the sync state writes it) to ``now``; None if never."""
    if not last_contact:
        return None
    try:
        then = dt.datetime.fromisoformat(last_contact)
    except ValueError:
        return None
    if then.tzinfo is None:
        then = then.astimezone()
    return max(0.0, (now - then).total_seconds() / 3600)


def contact_time(last_contact: str, now: dt.datetime) -> str:
    """14:05 today, 5/12 14:05 another day (the PC's local time)."""
    then = dt.datetime.fromisoformat(last_contact).astimezone(now.tzinfo)
    hm = f"{then.hour}:{then.minute:02d}"
    return hm if then.date() == now.date() else f"{then.month}/{then.day} {hm}"


class SyncStatusLine(QLabel):
    shown = Signal(object)  # the SyncStatus just shown (tests, screenshots)
    sync_finished = Signal(object)  # the SyncStatus after a sync ran (it failed or not)
    problem_shown = Signal(object)  # the QMessageBox of a sync problem

    def __init__(
        self,
        service,
        busy: Callable[[], bool],
        parent: QWidget | None = None,
        clock: Callable[[], dt.datetime] = now_local,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SyncStatus")
        self.service = service
        self.busy = busy  # a recording starts, runs or is sealed: no sync now
        self.clock = clock
        self.runner = TaskRunner(self, max_threads=1)
        self.status: SyncStatus | None = None
        self.warning = False
        self.error: BaseException | None = None  # this session's last failed sync
        self._handle: TaskHandle | None = None
        self._again = False
        self._closing = False
        self._problems_seen: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setObjectName("SyncTimer")
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.sync_now)
        self._soon = QTimer(self)
        self._soon.setObjectName("SyncSoonTimer")
        self._soon.setSingleShot(True)
        self._soon.timeout.connect(self.sync_now)
        self.setStyleSheet(_WAITING)
        self.setText(self.tr("中央保管庫: 確認しています…"))

    # --- when ---------------------------------------------------------------------------------
    def start(self) -> None:
        """The window is ready (recovery done, modules loaded): show the state, sync soon."""
        if self._closing or self._timer.isActive():
            return
        # Workers never import (ui/preload.py): the sync's own stack, loaded here on the GUI
        # thread, and only on a PC with a central store.
        importlib.import_module("psycopg")
        importlib.import_module("kasuhara_recorder.central.blobs_s3")  # boto3, for S3 stores
        self._timer.start()
        self._run(sync=False)
        self.sync_soon(FIRST_SYNC_MS)

    def sync_soon(self, ms: int = AFTER_SAVE_MS) -> None:
        if self._closing:
            return
        if not self._soon.isActive() or self._soon.remainingTime() > ms:
            self._soon.start(ms)

    def sync_now(self) -> None:
        if self._closing:
            return
        if self._handle is not None:  # one at a time: once more when this one is done
            self._again = True
            return
        if self.busy() or not self.service.is_set_up:
            return  # the stop (or the set-up) asks for the next one
        self._run(sync=True)

    def close_down(self) -> None:
        """The window closes: no new sync, no callback; a sync under way is finished first
        (the store it writes closes after the window)."""
        self._closing = True
        self._timer.stop()
        self._soon.stop()
        if self._handle is not None:
            self._handle.cancel()
        self.runner.wait()

    @property
    def running(self) -> bool:
        return self._handle is not None

    # --- the work (a worker thread) -------------------------------------------------------------
    def _run(self, sync: bool) -> None:
        if not self.service.is_set_up:
            return
        service = self.service.sync  # built here: the GUI thread, never a worker

        def work() -> tuple[SyncReport | None, BaseException | None, SyncStatus]:
            report, error = None, None
            if sync:
                try:
                    report = service.sync()
                except Exception as e:  # noqa: BLE001 - handed to the GUI thread with the state
                    error = e
            return report, error, service.status()

        self._handle = self.runner.run(work, on_done=self._done, on_error=self._failed)

    def _done(self, outcome: tuple[SyncReport | None, BaseException | None, SyncStatus]) -> None:
        self._handle = None
        report, error, status = outcome
        if report is not None or error is not None:
            self.error = error  # a sync ran: its outcome is the newest
        if error is not None:
            self._sync_failed(error)
        if report is not None and report.problems:
            texts = [localized(p.detail) for p in report.problems]
            for p in report.problems:
                log.error("sync problem (%s): %s", p.kind, p.detail.en)
            self._show_problems(texts)
        self.show_status(status)
        if report is not None or error is not None:
            self.sync_finished.emit(status)
        self._next()

    def _failed(self, e: BaseException) -> None:  # the state itself could not be read
        self._handle = None
        log.error("reading the sync state failed", exc_info=e)
        self.error = e
        self._next()

    def _next(self) -> None:
        if self._again and not self._closing:
            self._again = False
            self.sync_soon()

    def _sync_failed(self, e: BaseException) -> None:
        if isinstance(e, CentralUnreachable):  # offline: the normal case, the line says it
            log.info("central store not reached: %s", e.message("en"))
        elif isinstance(e, EvidenceError):  # refused chain, a blob that does not match
            log.error("sync stopped: %s", e.message("en"))
            self._show_problems([localized(e.text)])
        elif isinstance(e, KasuharaError):
            log.warning("sync failed: %s", e.message("en"))
        else:
            log.error("sync failed", exc_info=e)

    # --- what the worker sees -------------------------------------------------------------------
    def error_text(self) -> str:
        if self.error is None:
            stored = self.status.last_error if self.status is not None else None
            return localized(stored) if stored is not None else ""
        if isinstance(self.error, KasuharaError):
            return localized(self.error.text)
        return self.tr("同期に失敗しました。詳しくはログを確認してください。")

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        now = self.clock()
        hours = hours_since(status.last_contact, now)
        failed = status.last_error is not None or self.error is not None
        warn_after = self.service.settings.central_warn_hours
        self.warning = (hours is None and failed) or (hours is not None and hours > warn_after)
        if self.warning:
            if hours is None:
                since = self.tr("まだ一度も接続していません")
            else:
                since = self.tr("最後の接続から %1 時間").replace("%1", str(int(hours)))
            text = self.tr(
                "中央保管庫: 未接続 — %1。この端末の記録はこの PC のディスクにしかありません"
            ).replace("%1", since)
        else:
            if hours is None:
                when = self.tr("まだ接続していません")
            else:
                when = self.tr("最終接続 %1").replace("%1", contact_time(status.last_contact, now))
            if status.waiting:
                text = (
                    self.tr("中央保管庫: 送信待ち %1 件（%2）")
                    .replace("%1", str(status.waiting))
                    .replace("%2", when)
                )
            else:
                text = self.tr("中央保管庫: 同期済み（%1）").replace("%1", when)
        self.setStyleSheet(_WARNING if self.warning else _WAITING if status.waiting else _NORMAL)
        self.setText(text)
        self.setToolTip(self.error_text())
        self.shown.emit(status)

    def _show_problems(self, texts: list[str]) -> None:
        new = [t for t in texts if t not in self._problems_seen]
        if not new or self._closing:
            return
        self._problems_seen.update(new)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("中央保管庫の警告"),
            "\n\n".join(new)
            + "\n\n"
            + self.tr("録音はこのまま続けられます。記録はこの端末に保存されています。"),
            QMessageBox.StandardButton.Ok,
            self.window(),
        )
        box.setObjectName("SyncProblem")
        box.setWindowModality(Qt.WindowModality.NonModal)  # never in the way of 録音開始
        box.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.problem_shown.emit(box)
