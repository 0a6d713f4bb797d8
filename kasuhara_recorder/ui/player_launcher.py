"""How the main window opens the player (``MainWindow.open_player``): a role that may not
listen is told so; a locked key is unlocked first (``UnlockDialog``); the recording is opened
off the GUI thread (a recording only in the central store is fetched first) and shown in its
``PlayerWindow``, one per recording. When the officer's session locks itself (idle, minimised),
every player window closes, its decrypted audio with it."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.officer_lock_watch import OfficerLockWatch
from kasuhara_recorder.ui.player_window import PlayerWindow
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui")


class PlayerLauncher(QObject):
    shown = Signal(object)  # the UnlockDialog, PlayerWindow or message box shown
    refused = Signal(object)  # the error: a role, a locked key, a failed check

    def __init__(self, service, tasks: TaskRunner, window: QMainWindow) -> None:
        super().__init__(window)
        self.service, self.tasks, self.window = service, tasks, window
        self.players: dict[str, PlayerWindow] = {}
        self.watch = OfficerLockWatch(service.officer, window)
        self.watch.locked.connect(self._locked)

    def open(self, recording_id: str) -> None:
        from kasuhara_recorder.app.roles import RoleRefused

        try:
            self.service.roles.require("recording.listen")
        except RoleRefused as e:
            self._say(e)
            return
        if recording_id in self.players:
            w = self.players[recording_id]
            w.show()
            w.raise_()
            w.activateWindow()
            return
        if not self.service.officer.unlocked:
            from kasuhara_recorder.ui.unlock_dialog import UnlockDialog

            dialog = UnlockDialog(self.service, self.tasks, "playback", self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.unlocked.connect(lambda: self._open(recording_id))
            dialog.open()
            self.shown.emit(dialog)
            return
        self._open(recording_id)

    def _open(self, recording_id: str) -> None:
        self.watch.start()
        playback = self.service.playback
        self.tasks.run(lambda: playback.open(recording_id), on_done=self._show,
                       on_error=self._say)  # fmt: skip

    def _show(self, playback) -> None:
        rid = playback.recording_id
        if rid in self.players:  # opened twice meanwhile: keep the first
            playback.close()
            return
        w = PlayerWindow(playback, self.service.profile, self.service.officer.touch, self.window)
        w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        w.closed.connect(lambda r: self.players.pop(r, None))
        self.players[rid] = w
        w.show()
        self.shown.emit(w)

    def _say(self, e: BaseException) -> None:
        self.refused.emit(e)
        if isinstance(e, KasuharaError):
            text = localized(e.text)
        else:
            log.error("opening the player failed", exc_info=e)
            text = self.tr("録音を開けませんでした。詳しくはログを確認してください。")
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("録音の再生"), text,
                          QMessageBox.StandardButton.Ok, self.window)  # fmt: skip
        box.setObjectName("PlayerRefused")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.shown.emit(box)

    def _locked(self, reason: str) -> None:
        from kasuhara_recorder.app.officer_session import LOCK_REASONS

        for w in list(self.players.values()):
            w.close()
        self.window.statusBar().showMessage(
            self.tr("組織の鍵を閉じました（%1）。").replace(
                "%1", localized(LOCK_REASONS.get(reason, LOCK_REASONS["idle"]))
            ),
            15000,
        )

    def close_all(self) -> None:
        """The app closes: every player closed (their last segments entered), the key locked."""
        self.watch.stop()
        for w in list(self.players.values()):
            w.close()
        self.service.officer.lock("closed")
