"""The waveform of a whole recording with its tag markers and the play position.

Draws the peaks (``audio.waveform.Peaks``) as far as they are decrypted (the rest grey, so the
officer sees it grow), a marker line with a flag per tag (capture tags blue, later ones green)
and the position in red. A click near a marker (``MARKER_HIT_PX``) asks to jump to that tag; a
click elsewhere asks to jump there (``seek_requested(ms)``); dragging follows the mouse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

MARKER_HIT_PX = 6
FLAG = 7  # marker flag size in px


@dataclass(frozen=True)
class Marker:
    offset_ms: int
    label: str
    later: bool = False


class WaveformView(QWidget):
    seek_requested = Signal(int)  # ms
    marker_clicked = Signal(int)  # index into the markers

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WaveformView")
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._peaks = None
        self._duration_ms = 0
        self._ready = -1
        self.markers: list[Marker] = []
        self.position_ms = 0

    def sizeHint(self) -> QSize:
        return QSize(900, 180)

    def set_peaks(self, peaks, duration_ms: int) -> None:
        self._peaks, self._duration_ms, self._ready = peaks, max(1, duration_ms), -1
        self.update()

    def set_markers(self, markers: list[Marker]) -> None:
        self.markers = list(markers)
        self.setToolTip("\n".join(f"{_mmss(m.offset_ms)}  {m.label}" for m in self.markers))
        self.update()

    def set_position(self, ms: int) -> None:
        if ms != self.position_ms:
            self.position_ms = ms
            self.update()

    def refresh(self) -> None:
        """Called on the player's timer: redraw when more of the waveform is ready."""
        if self._peaks is not None and self._peaks.ready != self._ready:
            self._ready = self._peaks.ready
            self.update()

    # --- geometry -------------------------------------------------------------------------
    def x_of(self, ms: int) -> float:
        return ms / self._duration_ms * max(1, self.width() - 1) if self._duration_ms else 0.0

    def ms_of(self, x: float) -> int:
        w = max(1, self.width() - 1)
        return int(round(min(max(x, 0.0), w) / w * self._duration_ms))

    def marker_at(self, x: float) -> int | None:
        best, best_d = None, MARKER_HIT_PX + 1.0
        for k, m in enumerate(self.markers):
            d = abs(self.x_of(m.offset_ms) - x)
            if d < best_d:
                best, best_d = k, d
        return best

    # --- mouse ----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self._duration_ms:
            return
        x = event.position().x()
        k = self.marker_at(x)
        if k is not None:
            self.marker_clicked.emit(k)
            self.seek_requested.emit(self.markers[k].offset_ms)
        else:
            self.seek_requested.emit(self.ms_of(x))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.ms_of(event.position().x()))

    # --- drawing --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), QColor("#fafafa"))
        top = FLAG * 2 + 2  # room for the marker flags
        mid, half = (top + h) / 2, (h - top) / 2 - 2
        p.setPen(QPen(QColor("#bdbdbd")))
        p.drawLine(0, int(mid), w, int(mid))
        peaks = self._peaks
        if peaks is not None and peaks.count:
            ready_x = int(peaks.ready / peaks.count * w)
            p.fillRect(QRectF(ready_x, top, w - ready_x, h - top), QColor("#eeeeee"))
            lows, highs = _columns(peaks, w)
            p.setPen(QPen(QColor("#1565c0")))
            for x in range(min(ready_x, len(lows))):
                y0 = mid - highs[x] / 32768 * half
                y1 = mid - lows[x] / 32768 * half
                p.drawLine(QPointF(x, y0), QPointF(x, y1))
        for m in self.markers:
            x = self.x_of(m.offset_ms)
            color = QColor("#2e7d32") if m.later else QColor("#6a1b9a")
            p.setPen(QPen(color, 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x, top), QPointF(x, h))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawPolygon(QPolygonF([QPointF(x - FLAG, 1), QPointF(x + FLAG, 1),
                                     QPointF(x, top - 1)]))  # fmt: skip
        x = self.x_of(self.position_ms)
        p.setPen(QPen(QColor("#d32f2f"), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, h))
        p.end()


def _columns(peaks, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest sample per pixel column, over the buckets ready."""
    n = peaks.ready
    if n <= 0 or width <= 0:
        return np.zeros(0), np.zeros(0)
    edges = (np.arange(width + 1) * peaks.count / width).astype(np.int64)
    starts = np.minimum(edges[:-1], n - 1)
    cols = int(np.searchsorted(edges[:-1], n, side="left"))
    starts = starts[:cols]
    return (np.minimum.reduceat(peaks.mins[:n], starts).astype(np.float64),
            np.maximum.reduceat(peaks.maxs[:n], starts).astype(np.float64))  # fmt: skip


def _mmss(ms: int) -> str:
    s = max(0, ms) // 1000
    return f"{s // 60:02d}:{s % 60:02d}"
