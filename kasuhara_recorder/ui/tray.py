"""The tray icon: grey when idle, red while recording, so staff see at a glance that it is on."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


def dot_icon(color: str, size: int = 64) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(color))
    p.setPen(QColor("#ffffff"))
    p.drawEllipse(4, 4, size - 8, size - 8)
    p.end()
    return QIcon(pm)


class Tray(QObject):
    show_requested = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.idle_icon = dot_icon("#9e9e9e")
        self.recording_icon = dot_icon("#e53935")
        self.icon = QSystemTrayIcon(self.idle_icon, self)
        # Owned by the window, so it goes with it: a parentless menu lived on in a reference
        # cycle until the garbage collector freed it at some arbitrary moment.
        menu = QMenu(window)
        show = QAction(self.tr("ウィンドウを表示"), menu)
        show.triggered.connect(self.show_requested)
        menu.addAction(show)
        self.menu = menu
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(lambda _reason: self.show_requested.emit())
        self.recording = False
        self.set_recording(False)
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon.show()

    def set_recording(self, on: bool) -> None:
        self.recording = on
        self.icon.setIcon(self.recording_icon if on else self.idle_icon)
        self.icon.setToolTip(
            self.tr("カスハラ録音：録音中") if on else self.tr("カスハラ録音：待機中")
        )

    def hide(self) -> None:
        self.icon.hide()
