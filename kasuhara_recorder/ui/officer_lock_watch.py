"""Keeps the officer's session honest while the app runs: the officer's keys and clicks count
as activity (``officer.touch()``), the main window minimised is reported
(``officer.minimised``), and a timer asks the session to lock itself when due. Installed when
the key is first unlocked; on a counter PC it never is. ``locked`` tells the player windows to
close (their decrypted audio goes with them)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

CHECK_MS = 5000
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel}


class OfficerLockWatch(QObject):
    locked = Signal(str)  # the reason (app/officer_session.LOCK_REASONS)

    def __init__(self, officer, window: QWidget) -> None:
        super().__init__(window)
        self.officer, self.window = officer, window
        self.timer = QTimer(self)
        self.timer.setObjectName("OfficerLockCheck")
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self._filtering = False

    def start(self) -> None:
        """The key was unlocked: watch until it locks."""
        if not self._filtering:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
                self._filtering = True
        self.officer.minimised(self.window.isMinimized())
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self._filtering:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._filtering = False

    def check(self) -> None:
        reason = self.officer.lock_if_due()
        if reason is not None or not self.officer.unlocked:
            self.stop()
            self.locked.emit(reason or self.officer.locked_reason)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _ACTIVITY:
            self.officer.touch()
        elif kind == QEvent.Type.WindowStateChange and obj is self.window:
            self.officer.minimised(self.window.isMinimized())
        return False
