"""事案 → 統計…: the policy review's statistics (app/statistics.py) for supervisors and officers.

Period and department filters, the two charts (by §3 category, by month; 画像をコピー puts one
on the clipboard as an image for a report), every table of ``Statistics.tables()``, 印刷/PDF…
(the whole view as a Japanese A4 PDF, ui/statistics_pdf.py) and the incident list without
audio (CSV or Excel, personal data only for an officer who ticks it). The counting and the
writing run on the TaskRunner; the window only shows."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.file_dialog import save_file
from kasuhara_recorder.ui.i18n import current_language, localized
from kasuhara_recorder.ui.statistics_charts import ChartView
from kasuhara_recorder.ui.task_runner import TaskHandle, TaskRunner

log = logging.getLogger("kasuhara.ui.statistics")


def fiscal_year_start(today: dt.date) -> dt.date:
    """April 1 of the Japanese fiscal year (年度) that holds ``today``."""
    return dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def month_labels(months: list[str]) -> list[str]:
    """Short labels a narrow axis shows whole: the month alone ("4") within one year, else
    "25/4"; the chart's title and the table say which months."""
    one_year = len({m[:4] for m in months}) <= 1
    out = []
    for m in months:
        if len(m) != 7:
            out.append(m)
        else:
            out.append(str(int(m[5:])) if one_year else f"{m[2:4]}/{int(m[5:])}")
    return out


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class StatisticsView(QWidget):
    computed = Signal(object)  # Statistics
    failed = Signal(str)
    list_written = Signal(object)  # ListExport

    def __init__(self, service, tasks: TaskRunner | None = None, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.service = service
        self.tasks = tasks or TaskRunner(self)
        self.handle: TaskHandle | None = None
        self.statistics = None
        self.setObjectName("StatisticsView")
        self.setWindowTitle(self.tr("統計（方針の見直し用）"))

        today = dt.date.today()
        self.date_from = QDateEdit(_qdate(fiscal_year_start(today)), self)
        self.date_to = QDateEdit(_qdate(today), self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.department = QComboBox(self)
        self.department.setObjectName("statistics_department")
        self.department.setMinimumContentsLength(10)
        self.department.addItem(self.tr("すべての所属"), "")
        self.refresh_button = QPushButton(self.tr("集計"), self)
        self.refresh_button.setObjectName("statistics_refresh")
        self.refresh_button.clicked.connect(self.refresh)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("発生日:"), self))
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("〜", self))
        filters.addWidget(self.date_to)
        filters.addSpacing(12)
        filters.addWidget(QLabel(self.tr("所属:"), self))
        filters.addWidget(self.department)
        filters.addWidget(self.refresh_button)
        filters.addStretch(1)

        self.summary = QLabel(self)
        self.summary.setObjectName("statistics_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.category_chart = ChartView(self.tr("§3 分類別の件数"), self)
        self.month_chart = ChartView(self.tr("月別の件数"), self)
        charts = QHBoxLayout()
        self.copy_buttons: list[QPushButton] = []
        for chart, stretch in ((self.category_chart, 3), (self.month_chart, 2)):
            box = QVBoxLayout()
            box.addWidget(chart, 1)
            copy = QPushButton(self.tr("画像をコピー"), self)
            copy.setToolTip(self.tr("グラフを画像としてクリップボードにコピーします"))
            copy.clicked.connect(lambda _=False, c=chart: self.copy_chart(c))
            self.copy_buttons.append(copy)
            box.addWidget(copy, 0, Qt.AlignmentFlag.AlignRight)
            charts.addLayout(box, stretch)

        self.tables_box = QWidget(self)
        self.tables_grid = QGridLayout(self.tables_box)
        self.tables_grid.setContentsMargins(0, 0, 0, 0)
        self.tables: list[QTableWidget] = []

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.addWidget(self.summary)
        body.addLayout(charts)
        body.addWidget(self.tables_box, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)

        self.print_button = QPushButton(self.tr("印刷/PDF…"), self)
        self.print_button.clicked.connect(self._choose_pdf)
        export_box = QGroupBox(self.tr("事案一覧の書き出し（音声なし）"), self)
        self.personal = QCheckBox(self.tr("個人情報を含める（記録されます）"), export_box)
        role = service.roles.current()
        self.personal.setEnabled(role.may("incident.export_personal"))
        self.list_button = QPushButton(self.tr("CSV / Excel に書き出す…"), export_box)
        self.list_button.setEnabled(role.may("incident.export_list"))
        self.list_button.clicked.connect(self._choose_list)
        ex = QHBoxLayout(export_box)
        ex.addWidget(self.personal)
        ex.addWidget(self.list_button)
        close = QPushButton(self.tr("閉じる"), self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(export_box)
        bottom.addStretch(1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(close)

        lay = QVBoxLayout(self)
        lay.addLayout(filters)
        lay.addWidget(scroll, 1)
        lay.addLayout(bottom)
        self.resize(1200, 860)
        self._set_busy(False)

    # --- counting ---------------------------------------------------------------------------
    def period(self):
        from kasuhara_recorder.app.statistics import Period

        dep = self.department.currentData()
        return Period(_date(self.date_from.date()), _date(self.date_to.date()),
                      (dep,) if dep else ())  # fmt: skip

    def refresh(self) -> None:
        if self.handle is not None:
            return
        period = self.period()
        if period.end < period.start:
            self._show_error(self.tr("終了日が開始日より前です。"))
            return
        statistics = self.service.statistics
        self._set_busy(True)
        self.handle = self.tasks.run(
            lambda: statistics.compute(period), on_done=self._computed, on_error=self._failed
        )

    def _set_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.print_button.setEnabled(not busy and self.statistics is not None)
        for b in self.copy_buttons:
            b.setEnabled(not busy and self.statistics is not None)

    def _computed(self, stats) -> None:
        self.handle = None
        self.statistics = stats
        self._show(stats)
        self._set_busy(False)
        self.computed.emit(stats)

    def _failed(self, err: BaseException) -> None:
        self.handle = None
        self._set_busy(False)
        if not isinstance(err, KasuharaError):
            log.error("statistics failed", exc_info=err)
        self._show_error(localized(err.text) if isinstance(err, KasuharaError) else str(err))

    def _show_error(self, message: str) -> None:
        self.summary.setText(message)
        self.failed.emit(message)

    # --- showing ----------------------------------------------------------------------------
    def subtitle(self) -> str:
        s = self.statistics
        if s is None:
            return ""
        where = "、".join(s.departments) if s.departments else self.tr("すべての所属")
        source = self.tr("中央保管庫（全端末）") if s.source == "central" else self.tr("この端末")
        return (
            self.tr("発生日 %1 〜 %2 ／ %3 ／ 集計元: %4")
            .replace("%1", str(s.period.start or "…")).replace("%2", str(s.period.end or "…"))
            .replace("%3", where).replace("%4", source)
        )  # fmt: skip

    def _show(self, s) -> None:
        lang = current_language()
        self.summary.setText(
            self.subtitle() + "\n" + self.tr("事案 %1 件").replace("%1", str(s.total))
        )
        self._fill_departments(s)
        self.category_chart.show_bars(
            [c.label.pick(lang) for c in s.by_category], [c.count for c in s.by_category],
            self.tr("件数"),
        )  # fmt: skip
        self.month_chart.show_line(
            month_labels([c.key for c in s.by_month]), [c.count for c in s.by_month],
            self.tr("件数"),
        )  # fmt: skip
        for t in self.tables:
            self.tables_grid.removeWidget(t)
            t.deleteLater()
        self.tables = []
        for n, table in enumerate(s.tables()):
            widget = self._table_widget(table, lang)
            self.tables.append(widget)
            self.tables_grid.addWidget(widget, n // 2, n % 2)

    def _fill_departments(self, s) -> None:
        have = {self.department.itemData(i) for i in range(self.department.count())}
        role = self.service.roles.current()
        names = [d.key for d in s.by_department if d.key]
        if role.configured and role.code == "supervisor":
            names = list(role.departments)
        for name in sorted(set(names) - have):
            self.department.addItem(name, name)

    def _table_widget(self, table, lang: str) -> QTableWidget:
        from kasuhara_recorder.bundle.spreadsheet import cell_text

        w = QTableWidget(len(table.rows), len(table.headers), self.tables_box)
        w.setObjectName("statistics_table")
        w.setHorizontalHeaderLabels([h.pick(lang) for h in table.headers])
        w.verticalHeader().hide()
        w.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(cell_text(value, lang))
                if isinstance(value, int | float):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                w.setItem(r, c, item)
        w.resizeColumnsToContents()
        w.horizontalHeader().setSectionResizeMode(
            len(table.headers) - 1, QHeaderView.ResizeMode.Stretch
        )
        height = w.horizontalHeader().height() + sum(w.rowHeight(i) for i in range(w.rowCount()))
        w.setMinimumHeight(min(height + 4, 420))
        w.setToolTip(table.title.pick(lang))
        return w

    def table_titles(self) -> list[str]:
        return [t.toolTip() for t in self.tables]

    # --- copying, printing, the list --------------------------------------------------------
    def copy_chart(self, chart: ChartView) -> None:
        QGuiApplication.clipboard().setImage(chart.chart_image())

    def _choose_pdf(self) -> None:
        path = save_file(self, self.tr("統計を PDF に保存"), Path.home() / "統計.pdf",
                         self.tr("PDF (*.pdf)"))  # fmt: skip
        if path is not None:
            self.print_pdf(path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf"))

    def print_pdf(self, path: Path) -> Path:
        """The whole view as a PDF: period, both charts as drawn, every table."""
        from kasuhara_recorder.ui.statistics_pdf import write_statistics_pdf

        s = self.statistics
        if s is None:
            raise RuntimeError("nothing counted yet")
        write_statistics_pdf(
            Path(path), self.windowTitle(), self.subtitle(),
            [self.category_chart.chart_image(), self.month_chart.chart_image()],
            s.tables(), current_language(),
        )  # fmt: skip
        return Path(path)

    def _choose_list(self) -> None:
        path = save_file(self, self.tr("事案一覧の書き出し"), Path.home() / "事案一覧.xlsx",
                         self.tr("Excel (*.xlsx);;CSV (*.csv)"))  # fmt: skip
        if path is not None:
            self.export_list(path, self.personal.isChecked())

    def export_list(self, path: Path, with_personal: bool) -> TaskHandle:
        period, lang = self.period(), current_language()
        listing = self.service.incident_list
        self.list_button.setEnabled(False)

        def done(result) -> None:
            self.list_button.setEnabled(True)
            self.summary.setText(
                self.tr("事案 %1 件を書き出しました: %2")
                .replace("%1", str(result.rows)).replace("%2", str(result.path))
            )  # fmt: skip
            self.list_written.emit(result)

        def failed(err: BaseException) -> None:
            self.list_button.setEnabled(True)
            message = localized(err.text) if isinstance(err, KasuharaError) else str(err)
            QMessageBox.warning(self, self.tr("事案一覧の書き出し"), message)
            self.failed.emit(message)

        return self.tasks.run(lambda: listing.export(path, period, with_personal, lang),
                              on_done=done, on_error=failed)  # fmt: skip

    def closeEvent(self, event) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
        super().closeEvent(event)
