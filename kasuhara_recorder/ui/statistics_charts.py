"""The statistics view's two charts (QtCharts, from PySide6-Addons): incidents by §3 category as
horizontal bars, incidents by month as a line. Each is a ``QChartView`` a manager copies as an
image (``chart_image``) into a report."""

from __future__ import annotations

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

LABEL_CHARS = 12  # a category's label is cut here on the axis (the table has it in full)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


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
        cats.append([_short(x) for x in reversed(labels)])
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

    def chart_image(self) -> QImage:
        """The chart as drawn, for the clipboard and the PDF."""
        return self.grab().toImage()
