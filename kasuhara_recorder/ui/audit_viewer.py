"""監査記録: the audit chain of one incident (its entries, its recordings' and attachments') or
of the whole PC, in a table that filters by event and by actor, and the chain check
(``audit verify``) run on the task runner, which selects the first broken entry.

Everything it reads comes from ``service.audit_trail`` (app/audit_trail.py), which refuses a
role without ``audit.view``; the dialog shows that refusal instead of a table.
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.audit")

SUMMARY_CHARS = 200
ALL = ""  # the filters' "everything" item
OK_STYLE = "QLabel { color: #1b5e20; background: #e8f5e9; padding: 6px; border-radius: 4px; }"
BAD_STYLE = (
    "QLabel { color: #b71c1c; background: #ffebee; padding: 6px;"
    " border: 1px solid #ef9a9a; border-radius: 4px; }"
)
_Index = QModelIndex | QPersistentModelIndex


def _value(v: object) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v) if len(v) <= 5 else f"[{len(v)}]"
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def summary(entry) -> str:
    """The entry's data, one line to read: ``key: value`` pairs (text that no longer parses,
    as a damaged row leaves it, is shown as stored)."""
    try:
        data = entry.data
    except (KasuharaError, ValueError):
        text = entry.data_json
    else:
        text = "  ".join(f"{k}: {_value(v)}" for k, v in data.items())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


class AuditModel(QAbstractTableModel):
    COLUMNS = 6

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.entries: list = []
        self.bad_seq: int | None = None
        self._headers = [
            self.tr("番号"), self.tr("日時"), self.tr("操作者"), self.tr("種類"),
            self.tr("対象"), self.tr("内容"),
        ]  # fmt: skip

    def set_entries(self, entries: list) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                return str(e.seq)
            if col == 1:
                return e.time[:19].replace("T", " ")
            return (e.actor, e.event, e.subject, summary(e))[col - 2] if col > 1 else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (4, 5):
            return e.subject if index.column() == 4 else e.data_json
        if role == Qt.ItemDataRole.BackgroundRole and e.seq == self.bad_seq:
            from PySide6.QtGui import QColor

            return QColor("#ffcdd2")
        return None


class AuditFilter(QSortFilterProxyModel):
    """Rows whose event and actor match the chosen ones (``ALL`` matches any)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.event_code = ALL  # not ``event``: that is QObject.event()
        self.actor_name = ALL

    def set_filter(self, event: str, actor: str) -> None:
        self.beginFilterChange()
        self.event_code, self.actor_name = event, actor
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: _Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, AuditModel)
        e = model.entries[row]
        return self.event_code in (ALL, e.event) and self.actor_name in (ALL, e.actor)


class AuditViewer(QDialog):
    loaded = Signal()  # the entries are in the table (or the refusal is shown)
    checked = Signal(object)  # ChainReport
    central_checked = Signal(object)  # CentralReport, or None when it could not run

    def __init__(
        self, service, tasks: TaskRunner | None = None, parent=None, incident_id: str | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = tasks or TaskRunner(self)
        self.incident_id = incident_id
        self.report = None
        self.busy = False
        self._handles: list = []  # cancelled when the dialog closes: no call back into it
        self.setObjectName("AuditViewer")
        self.setWindowTitle(self.tr("監査記録"))

        if incident_id:
            scope = self.tr("事案 %1 とその録音・添付ファイルの記録").replace("%1", incident_id)
        else:
            scope = self.tr("この端末のすべての記録")
        self.scope_label = QLabel(scope, self)
        self.scope_label.setWordWrap(True)
        self.event_filter = QComboBox(self)
        self.event_filter.setObjectName("event_filter")
        self.actor_filter = QComboBox(self)
        self.actor_filter.setObjectName("actor_filter")
        for combo in (self.event_filter, self.actor_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._filter_changed)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("種類:"), self))
        filters.addWidget(self.event_filter)
        filters.addSpacing(12)
        filters.addWidget(QLabel(self.tr("操作者:"), self))
        filters.addWidget(self.actor_filter)
        filters.addStretch(1)
        self.count_label = QLabel(self)
        filters.addWidget(self.count_label)

        self.model = AuditModel(self)
        self.proxy = AuditFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("audit_table")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(4, 290)  # a recording's id fits; a tooltip has the rest
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("audit_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.verify_button = QPushButton(self.tr("改ざんがないか確認する"), self)
        self.verify_button.setObjectName("audit_verify")
        self.verify_button.clicked.connect(self.verify)
        self.central_button = QPushButton(self.tr("中央保管庫の記録も確認する"), self)
        self.central_button.setObjectName("audit_verify_central")
        self.central_button.setToolTip(
            self.tr("すべての端末の記録・録音・中央の署名を中央保管庫で確認します。")
        )
        self.central_button.clicked.connect(self.verify_central)
        self.central_button.setVisible(service.audit_trail.has_central)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("閉じる"))
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.central_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        lay = QVBoxLayout(self)
        lay.addWidget(self.scope_label)
        lay.addLayout(filters)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.result_label)
        lay.addLayout(bottom)
        self.resize(1100, 600)
        self.reload()

    # --- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        trail, incident_id = self.service.audit_trail, self.incident_id
        self.busy = True
        handle = self.tasks.run(
            lambda: trail.entries(incident_id), on_done=self._loaded, on_error=self._failed
        )
        self._handles.append(handle)

    def _loaded(self, entries: list) -> None:
        self.busy = False
        self.model.set_entries(entries)
        self._fill(self.event_filter, sorted({e.event for e in entries}), self.tr("すべての種類"))
        self._fill(self.actor_filter, sorted({e.actor for e in entries}), self.tr("すべての人"))
        self._show_count()
        self.loaded.emit()

    def _fill(self, combo: QComboBox, values: list[str], everything: str) -> None:
        keep = combo.currentData() or ALL
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, ALL)
        for v in values:
            combo.addItem(v, v)
        combo.setCurrentIndex(max(0, combo.findData(keep)))
        combo.blockSignals(False)
        self._filter_changed()

    def _failed(self, e: BaseException) -> None:
        self.busy = False
        if isinstance(e, KasuharaError):
            text = localized(e.text)
        else:
            log.error("reading the audit trail failed", exc_info=e)
            text = self.tr("監査記録を読めませんでした。詳しくはログを確認してください。")
        self._show_result(text, ok=False)
        self.verify_button.setEnabled(False)
        self.loaded.emit()

    # --- filters --------------------------------------------------------------------------
    def set_filters(self, event: str = ALL, actor: str = ALL) -> None:
        """Choose the event and actor shown (``ALL``: any), as the two lists do."""
        self.event_filter.setCurrentIndex(max(0, self.event_filter.findData(event)))
        self.actor_filter.setCurrentIndex(max(0, self.actor_filter.findData(actor)))

    def _filter_changed(self, _index: int = 0) -> None:
        self.proxy.set_filter(self.event_filter.currentData() or ALL,
                              self.actor_filter.currentData() or ALL)  # fmt: skip
        self._show_count()

    def _show_count(self) -> None:
        self.count_label.setText(
            self.tr("%1 件中 %2 件を表示")
            .replace("%1", str(self.model.rowCount()))
            .replace("%2", str(self.proxy.rowCount()))
        )

    def shown_entries(self) -> list:
        """The entries in the table as filtered, top to bottom."""
        rows = range(self.proxy.rowCount())
        return [self.model.entries[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
                for r in rows]  # fmt: skip

    def selected_entry(self):
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.entries[self.proxy.mapToSource(rows[0]).row()]

    # --- the chain check ------------------------------------------------------------------
    def verify(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.verify_button.setEnabled(False)
        self._show_result(self.tr("確認しています…"), ok=True)
        trail, incident_id = self.service.audit_trail, self.incident_id

        def work():
            report = trail.verify()
            return report, trail.entries(incident_id)  # what is stored now, as checked

        self._handles.append(
            self.tasks.run(work, on_done=self._checked, on_error=self._check_failed)
        )

    def _checked(self, outcome) -> None:
        report, entries = outcome
        self.busy = False
        self.verify_button.setEnabled(True)
        self.report = report
        self.model.bad_seq = report.first_bad_seq
        self.model.set_entries(entries)
        self._show_count()
        text = localized(report.text)
        if not report.ok and not self._select_seq(report.first_bad_seq):
            text += "\n" + self.tr(
                "問題の記録はこの一覧にありません（別の事案の記録か、削除された記録です）。"
            )
        self._show_result(text, ok=report.ok)
        self.checked.emit(report)

    def _select_seq(self, seq: int | None) -> bool:
        """Show every row and select the entry ``seq``; False if it is not in the table."""
        row = next((i for i, e in enumerate(self.model.entries) if e.seq == seq), None)
        if row is None:
            return False
        self.set_filters(ALL, ALL)
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def _check_failed(self, e: BaseException) -> None:
        self.busy = False
        self.verify_button.setEnabled(True)
        if isinstance(e, KasuharaError):
            text = localized(e.text)
        else:
            log.error("audit chain check failed", exc_info=e)
            text = self.tr("確認できませんでした。詳しくはログを確認してください。")
        self._show_result(text, ok=False)
        self.checked.emit(None)

    def verify_central(self) -> None:
        """``audit verify --central`` on the task runner: every PC's chain in the centre."""
        if self.busy:
            return
        self.busy = True
        self.central_button.setEnabled(False)
        self._show_result(self.tr("中央保管庫を確認しています…"), ok=True)
        trail = self.service.audit_trail
        self._handles.append(
            self.tasks.run(
                trail.verify_central, on_done=self._central_checked, on_error=self._central_failed
            )  # fmt: skip
        )

    def _central_checked(self, report) -> None:
        self.busy = False
        self.central_button.setEnabled(True)
        self._show_result(localized(report.text), ok=report.ok)
        self.central_checked.emit(report)

    def _central_failed(self, e: BaseException) -> None:
        self.busy = False
        self.central_button.setEnabled(True)
        if isinstance(e, KasuharaError):
            text = localized(e.text)
        else:
            log.error("central audit check failed", exc_info=e)
            text = self.tr("確認できませんでした。詳しくはログを確認してください。")
        self._show_result(text, ok=False)
        self.central_checked.emit(None)

    def _show_result(self, text: str, ok: bool) -> None:
        self.result_label.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        self.result_label.setText(text)
        self.result_label.setVisible(bool(text))

    def done(self, r: int) -> None:
        for handle in self._handles:
            handle.cancel()
        super().done(r)
