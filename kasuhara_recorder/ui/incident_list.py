"""事案一覧: the incidents the role may see, from this PC's store or (joined to one) the central
store, searched and filtered by the bar above (ui/incident_filters.py), sorted by a header click,
loaded a page at a time as the table scrolls (ui/incident_table.py). A double-click opens the
incident's detail (ui/incident_detail.py), whose signals this window passes on.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.incident_filters import IncidentFilterBar
from kasuhara_recorder.ui.incident_table import COLUMNS, IncidentTableModel
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.incidents")


class IncidentListWindow(QWidget):
    detail_opened = Signal(object)  # IncidentDetail, for tests and screenshots
    play_requested = Signal(str)  # recording id, from a detail's 再生
    audit_requested = Signal(str)  # incident id, from a detail's 監査記録…
    form_requested = Signal(str)  # incident id, from a detail's 事案票を開く
    incident_changed = Signal(str)  # a review action was stored (the main window syncs soon)

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("IncidentList")
        self.setWindowTitle(self.tr("事案一覧"))
        self.service = service
        self.details: dict[tuple[str, bool], QWidget] = {}
        self.tasks = TaskRunner(self, max_threads=1)  # pages arrive in the order asked
        role = service.roles.current()
        s = service.settings
        departments = role.departments or ((s.department,) if s.department else ())

        self.source = QComboBox(self)
        self.source.setObjectName("ListSource")
        self.source.addItem(self.tr("この端末の事案"), "local")
        if s.central_url:
            self.source.addItem(self.tr("中央保管庫（全端末）"), "central")
        self.source.setVisible(self.source.count() > 1)
        self.source.activated.connect(lambda _i: self._source_changed())
        self.role_label = QLabel(
            self.tr("%1 さん（%2）").replace("%1", role.user).replace("%2", localized(role.label)),
            self,
        )
        self.filters = IncidentFilterBar(service.profile, departments, self)
        self.model = IncidentTableModel(service.incidents.query, self.tasks, service.profile, self)
        self.view = QTableView(self)
        self.view.setObjectName("IncidentTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        self._fit_columns = True  # to the first page of each question
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.view.doubleClicked.connect(self._double_clicked)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("IncidentCount")
        self.message = QLabel(self)
        self.message.setObjectName("ListMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.open_button = QPushButton(self.tr("開く"), self)
        self.open_button.clicked.connect(self.open_selected)
        self.refresh_button = QPushButton(self.tr("再読み込み"), self)
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button = QPushButton(self.tr("閉じる"), self)
        self.close_button.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.source)
        top.addStretch(1)
        top.addWidget(self.role_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        for b in (self.open_button, self.refresh_button, self.close_button):
            bottom.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.filters)
        lay.addWidget(self.message)
        lay.addWidget(self.view, 1)
        lay.addLayout(bottom)

        self.filters.changed.connect(self.refresh)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._failed)
        self.resize(1200, 680)
        self.refresh()
        self.view.setSortingEnabled(True)
        self._load_departments()  # asks the model to sort: the same, already asked

    # --- the question ---------------------------------------------------------------------
    @property
    def central(self) -> bool:
        return self.source.currentData() == "central"

    def refresh(self) -> None:
        q = self.model.query
        self._fit_columns = True
        self.message.hide()
        self.count_label.setText(self.tr("読み込み中…"))
        self.model.reload(replace(self.filters.query(), sort=q.sort, descending=q.descending))

    def _source_changed(self) -> None:
        load = self.service.central_page if self.central else self.service.incidents.query
        self.model.set_loader(load, self.central)
        self.refresh()
        self._load_departments()

    def _load_departments(self) -> None:
        """The filter's departments, from the store listed (central: a network away)."""
        service = self.service
        load = service.central_departments if self.central else service.incidents.departments
        self.tasks.run(load, on_done=self.filters.set_departments,
                       on_error=lambda e: log.warning("departments not listed: %s", e))  # fmt: skip

    def _sort_indicator_changed(self, column: int, _order) -> None:
        if COLUMNS[column][1] is None:  # not sortable: the indicator stays where the sort is
            current = next(i for i, (_k, s) in enumerate(COLUMNS) if s == self.model.query.sort)
            order = (Qt.SortOrder.DescendingOrder if self.model.query.descending
                     else Qt.SortOrder.AscendingOrder)  # fmt: skip
            self.view.horizontalHeader().setSortIndicator(current, order)

    def _loaded(self) -> None:
        m = self.model
        if self._fit_columns and m.rows:
            self._fit_columns = False
            self.view.resizeColumnsToContents()
            cap = self.view.fontMetrics().horizontalAdvance("あ") * 16  # the rest in the tooltip
            for col in range(m.columnCount()):
                self.view.setColumnWidth(col, min(self.view.columnWidth(col), cap))
        self.count_label.setText(
            self.tr("%1 件（%2 件を表示）")
            .replace("%1", str(m.total))
            .replace("%2", str(len(m.rows)))
        )

    def _failed(self, e: BaseException) -> None:
        if isinstance(e, KasuharaError):
            text = localized(e.text)
        else:
            log.error("incident list failed", exc_info=e)
            text = self.tr("事案一覧を読み込めませんでした。詳しくはログを確認してください。")
        self.count_label.setText("")
        self.message.setText(text)
        self.message.show()

    # --- opening --------------------------------------------------------------------------
    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_detail(self.model.incident_id(index.row()))

    def open_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.open_detail(self.model.incident_id(rows[0].row()))

    def open_detail(self, incident_id: str):
        from kasuhara_recorder.ui.incident_detail import IncidentDetail

        key = (incident_id, self.central)
        detail = self.details.get(key)
        if detail is None:
            detail = IncidentDetail(self.service, incident_id, central=self.central)
            detail.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            detail.destroyed.connect(lambda _o=None, key=key: self.details.pop(key, None))
            detail.play_requested.connect(self.play_requested)
            detail.audit_requested.connect(self.audit_requested)
            detail.form_requested.connect(self.form_requested)
            detail.changed.connect(self._incident_changed)
            self.details[key] = detail
        detail.show()
        detail.raise_()
        self.detail_opened.emit(detail)
        return detail

    def _incident_changed(self, incident_id: str) -> None:
        self.incident_changed.emit(incident_id)
        self.refresh()

    def closeEvent(self, event) -> None:
        for detail in list(self.details.values()):
            detail.close()
        self.tasks.wait()
        super().closeEvent(event)
