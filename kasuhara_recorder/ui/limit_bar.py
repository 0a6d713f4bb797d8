"""The §4(1) bar: time used of the interaction limit; amber from the warning time, red at it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from kasuhara_recorder.ui.format import clock

NORMAL, WARNING, LIMIT = "normal", "warning", "limit"
_COLORS = {NORMAL: "#2e7d32", WARNING: "#f0a000", LIMIT: "#d32f2f"}


def state_for(elapsed: float, warning_seconds: int, limit_seconds: int) -> str:
    if elapsed >= limit_seconds:
        return LIMIT
    if elapsed >= warning_seconds:
        return WARNING
    return NORMAL


class LimitBar(QWidget):
    def __init__(self, warning_seconds: int, limit_seconds: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.warning_seconds, self.limit_seconds = warning_seconds, limit_seconds
        self.state = NORMAL
        self.bar = QProgressBar(self)
        self.bar.setRange(0, limit_seconds)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(14)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.bar)
        lay.addWidget(self.caption)
        self.set_elapsed(0.0, None)

    def set_elapsed(self, elapsed: float, state: str | None) -> None:
        """``state`` comes from the recording's policy timer when it has one."""
        self.state = state or state_for(elapsed, self.warning_seconds, self.limit_seconds)
        self.bar.setValue(min(int(elapsed), self.limit_seconds))
        self.bar.setStyleSheet(
            "QProgressBar { border: 1px solid #888; border-radius: 3px; background: #eee; }"
            f"QProgressBar::chunk {{ background: {_COLORS[self.state]}; }}"
        )
        limit = clock(self.limit_seconds)
        if self.state == LIMIT:
            text = self.tr(
                "面談・電話の目安時間 %1 を超えました（方針 4(1)）。対応の終了を検討してください。"
            )
            self.caption.setStyleSheet(f"color: {_COLORS[LIMIT]}; font-weight: bold;")
            self.caption.setText(text.replace("%1", limit))
        elif self.state == WARNING:
            left = clock(max(0, self.limit_seconds - int(elapsed)))
            text = self.tr("目安時間 %1 まで残り %2（方針 4(1)）")
            self.caption.setStyleSheet("color: #9a6200; font-weight: bold;")
            self.caption.setText(text.replace("%1", limit).replace("%2", left))
        else:
            text = self.tr("面談・電話は原則 %1 以内（方針 4(1)）")
            self.caption.setStyleSheet("")
            self.caption.setText(text.replace("%1", limit))
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft)
