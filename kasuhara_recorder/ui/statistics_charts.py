"""The statistics view's two charts (QtCharts, from PySide6-Addons): incidents by §3 category as
horizontal bars, incidents by month as a line. Each is a ``QChartView`` a manager copies as an
image (``chart_image``) into a report."""

from __future__ import annotations

import unicodedata

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QFont, QImage, QPainter
from PySide6.QtWidgets import QWidget

LABEL_WIDTH = 26  # a category's label is cut here on the axis (the table has it in full)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _cut(label: str, width: int) -> str:
    if _width(label) <= width:
        return label
    out = ""
    for c in label:
        if _width(out + c) > width - 1:
            break
        out += c
    return out + "…"


def short_labels(labels: list[str], width: int = LABEL_WIDTH) -> list[str]:
    """Labels cut to ``width`` (a Japanese character counts two), each still unique: the axis
    merges equal categories, which would shift every bar after them."""
    out = [_cut(x, width) for x in labels]
    while len(set(out)) < len(out):
        seen = {x for x in out if out.count(x) > 1}
        width += 2
        out = [_cut(x, width) if o in seen else o for x, o in zip(labels, out, strict=True)]
        if width > 400:  # equal labels: number them
            out = [f"{o} ({n})" for n, o in enumerate(out, 1)]
    return out


def _value_axis(top: int) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(1, top))
    axis.setLabelFormat("%d")
    axis.applyNiceNumbers()
    return axis


class ChartView(QChartView):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(320)
        self.values: list[int] = []  # what is drawn, for the tests and the accessible name
        self.labels: list[str] = []

    def _clear(self) -> QChart:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        return chart

    def show_bars(self, labels: list[str], values: list[int], name: str) -> None:
        """Horizontal bars, the first label at the top."""
        chart = self._clear()
        self.labels, self.values = labels, values
        bars = QBarSet(name)
        bars.append([float(v) for v in reversed(values)])
        bars.setLabelColor(Qt.GlobalColor.black)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append(list(reversed(short_labels(labels))))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        cats.setLabelsFont(small)  # one line a category, none cut to "…"
        self.setMinimumHeight(max(320, 30 * len(labels) + 80))
        chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(cats)
        axis = _value_axis(int(max(values, default=0) * 1.15) + 1)
        chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis)

    def show_line(self, labels: list[str], values: list[int], name: str) -> None:
        chart = self._clear()
        self.labels, self.values = labels, values
        series = QLineSeries()
        series.setName(name)
        for i, v in enumerate(values):
            series.append(float(i), float(v))
        series.setPointsVisible(True)
        series.setPointLabelsVisible(True)
        series.setPointLabelsFormat("@yPoint")
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append(labels or [""])
        cats.setLabelsAngle(-60 if max(map(len, labels), default=0) * len(labels) > 40 else 0)
        chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(cats)
        axis = _value_axis(int(max(values, default=0) * 1.15) + 1)
        chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis)

    def axis_labels(self) -> list[str]:
        """The categories on the chart's category axis, as drawn from top or left."""
        for axis in self.chart().axes():
            if isinstance(axis, QBarCategoryAxis):
                cats = list(axis.categories())
                return cats[::-1] if axis.alignment() == Qt.AlignmentFlag.AlignLeft else cats
        return []

    def chart_image(self) -> QImage:
        """The chart as drawn, for the clipboard and the PDF."""
        return self.grab().toImage()
