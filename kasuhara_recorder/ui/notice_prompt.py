"""The counter's recording notice (録音告知): while a 窓口 recording runs, the sentence of the
policy profile the worker says to the visitor, and one 告知しました button (F8) that stamps the
notice into the recording like a live tag. Knows nothing of the session: it asks by a signal."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kasuhara_recorder.ui.format import offset

NOTICE_KEY = "F8"


class NoticePrompt(QFrame):
    notice_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoticePrompt")
        self.setStyleSheet(
            "QFrame#NoticePrompt { background: #e8f1fb; border: 1px solid #90b4dc;"
            " border-radius: 4px; }"
        )
        self.heading = QLabel(self.tr("録音の告知（相手に伝えてください）:"), self)
        self.sentence = QLabel(self)
        self.sentence.setObjectName("NoticeSentence")
        self.sentence.setWordWrap(True)
        f = self.sentence.font()
        f.setPointSize(max(f.pointSize(), 10) + 3)
        f.setBold(True)
        self.sentence.setFont(f)
        self.button = QPushButton(self.tr("告知しました  (%1)").replace("%1", NOTICE_KEY), self)
        self.button.setObjectName("NoticeButton")
        self.button.setToolTip(
            self.tr("告知した時刻を録音に記録します（クリックするか %1 キー）").replace(
                "%1", NOTICE_KEY
            )
        )
        self.button.clicked.connect(self._request)
        self.shortcut = QShortcut(QKeySequence(NOTICE_KEY), self)
        self.shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcut.activated.connect(self._request)
        self.done_label = QLabel(self)
        self.done_label.setObjectName("NoticeDone")
        self.done_label.setStyleSheet("color: #1b5e20;")
        self.done_label.hide()
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addWidget(self.done_label, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.sentence)
        lay.addLayout(row)

    def _request(self) -> None:
        if self.isVisible() and self.button.isEnabled():
            self.notice_requested.emit()

    def prompt(self, sentence: str) -> None:
        """A counter recording started: ask for the notice."""
        self.sentence.setText(sentence)
        self.button.setEnabled(True)
        self.done_label.hide()
        self.show()

    def show_given(self, offset_ms: int) -> None:
        self.button.setEnabled(False)
        self.done_label.setText(
            self.tr("告知を記録しました（%1）").replace("%1", offset(offset_ms))
        )
        self.done_label.show()
