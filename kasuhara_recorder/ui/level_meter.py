"""A horizontal audio level meter: dBFS from -60 to 0, green/amber/red, with a peak hold."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DB = -60.0
HOLD_SECONDS = 1.5


def to_db(value: float | None) -> float:
    """dBFS clamped to the meter's range (silence and NaN show as the floor)."""
    if value is None or math.isnan(value):
        return FLOOR_DB
    return max(FLOOR_DB, min(0.0, float(value)))


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = FLOOR_DB
        self._peak_db = FLOOR_DB
        self._peak_at = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(18)
        self.setAccessibleName(self.tr("入力レベル"))

    def sizeHint(self) -> QSize:
        return QSize(300, 22)

    @property
    def level_db(self) -> float:
        return self._db

    def set_level(self, value: float) -> None:
        self._db = to_db(value)
        now = time.monotonic()
        if self._db >= self._peak_db or now - self._peak_at > HOLD_SECONDS:
            self._peak_db, self._peak_at = self._db, now
        self.update()

    def reset(self) -> None:
        self._db = self._peak_db = FLOOR_DB
        self.update()

    def _x(self, db: float, width: float) -> float:
        return width * (db - FLOOR_DB) / -FLOOR_DB

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.fillRect(r, QColor("#222"))
        w = r.width()
        x = self._x(self._db, w)
        for start, end, color in ((-60, -12, "#2e9e44"), (-12, -3, "#e0a800"), (-3, 0, "#d32f2f")):
            x0, x1 = self._x(start, w), min(self._x(end, w), x)
            if x1 > x0:
                p.fillRect(
                    QRectF(r.left() + x0, r.top() + 2, x1 - x0, r.height() - 4), QColor(color)
                )
        px = r.left() + self._x(self._peak_db, w)
        p.setPen(QColor("#fff"))
        p.drawLine(int(px), int(r.top() + 2), int(px), int(r.bottom() - 2))
        p.setPen(Qt.PenStyle.NoPen)
        p.end()
