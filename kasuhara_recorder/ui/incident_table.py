"""The incident list's table model: pages of ``IncidentRow`` loaded as the view scrolls
(``canFetchMore``/``fetchMore``), sorted by the store when a header is clicked (``sort``).

Every page is asked for on the window's TaskRunner, never on the GUI thread (the central
store is a network away); an answer to a question no longer asked (filters changed meanwhile)
is dropped by its generation number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import LOCATIONS, STATUSES
from kasuhara_recorder.store.incident_query import IncidentPage, IncidentQuery, IncidentRow
from kasuhara_recorder.ui.format import clock
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.incidents")
PAGE = 100
_Index = QModelIndex | QPersistentModelIndex

# column key, the store's sort key for it (None: not sortable)
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("occurred_at", "occurred_at"), ("id", "id"), ("status", "status"),
    ("department", "department"), ("location", "location"), ("categories", None),
    ("duration", "duration"), ("legal_hold", "legal_hold"), ("recordings", "recordings"),
    ("title", None), ("workstation", None),
)  # fmt: skip


class IncidentTableModel(QAbstractTableModel):
    loaded = Signal()  # a page arrived (the first after a new query, or the next one)
    failed = Signal(object)  # the exception a page load raised

    def __init__(
        self,
        load: Callable[[IncidentQuery], IncidentPage],
        tasks: TaskRunner,
        profile: PolicyProfile,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._load = load
        self._tasks = tasks
        self._profile = profile
        self.query = IncidentQuery(limit=PAGE)
        self.rows: list[IncidentRow] = []
        self.total = 0
        self.loading = False
        self._generation = 0
        self.show_workstation = False

    # --- questions ------------------------------------------------------------------------
    def set_loader(self, load: Callable[[IncidentQuery], IncidentPage], central: bool) -> None:
        self._load = load
        self.show_workstation = central
        self.beginResetModel()
        self.endResetModel()

    def reload(self, query: IncidentQuery) -> None:
        """Ask ``query`` from its first page; what is shown now goes at once."""
        self._generation += 1
        self.query = replace(query, offset=0, limit=PAGE)
        self.beginResetModel()
        self.rows, self.total = [], 0
        self.endResetModel()
        self._ask(self.query, reset=True)

    def _ask(self, q: IncidentQuery, reset: bool) -> None:
        generation = self._generation
        self.loading = True
        load = self._load
        self._tasks.run(
            lambda: load(q),
            on_done=lambda page: self._arrived(generation, page, reset),
            on_error=lambda e: self._load_failed(generation, e),
        )

    def _arrived(self, generation: int, page: IncidentPage, reset: bool) -> None:
        if generation != self._generation:
            return  # filters changed meanwhile: a newer question is on its way
        self.loading = False
        self.total = page.total
        if page.rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self.loaded.emit()

    def _load_failed(self, generation: int, e: BaseException) -> None:
        if generation == self._generation:
            self.loading = False
            self.failed.emit(e)

    # --- Qt's lazy loading and sorting -----------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.loading and len(self.rows) < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._ask(self.query.page(len(self.rows)), reset=False)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self.query.sort and descending == self.query.descending and self.rows:
            return
        self.reload(replace(self.query, sort=key, descending=descending))

    # --- what the view shows ---------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS) - (0 if self.show_workstation else 1)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        labels = {
            "occurred_at": self.tr("発生日時"), "id": self.tr("事案番号"),
            "status": self.tr("状態"), "department": self.tr("所属"), "location": self.tr("場所"),
            "categories": self.tr("分類"), "duration": self.tr("時間"),
            "legal_hold": self.tr("保全"), "recordings": self.tr("録音"),
            "title": self.tr("概要"), "workstation": self.tr("端末"),
        }  # fmt: skip
        return labels[COLUMNS[section][0]]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        over = (row.duration_seconds or 0) > self._profile.rules.limit_seconds
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key, over)
        if role == Qt.ItemDataRole.ToolTipRole and key == "categories":
            return "\n".join(self._category(c) for c in row.categories)
        if role == Qt.ItemDataRole.ToolTipRole and key == "duration" and over:
            return self.tr("§4(1) の時間（%1 分）を超えています").replace(
                "%1", str(self._profile.rules.interaction_limit_minutes)
            )
        if role == Qt.ItemDataRole.ForegroundRole and key == "duration" and over:
            return QColor("#c62828")
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def _text(self, row: IncidentRow, key: str, over: bool) -> str:
        if key == "occurred_at":
            return row.occurred_at[:16].replace("T", " ")
        if key == "status":
            return localized(STATUSES[row.status]) if row.status in STATUSES else row.status
        if key == "location":
            return localized(LOCATIONS[row.location]) if row.location in LOCATIONS else row.location
        if key == "categories":
            return "、".join(self._category(c) for c in row.categories)
        if key == "duration":
            if row.duration_seconds is None:
                return ""
            return clock(row.duration_seconds) + (" ⚠" if over else "")
        if key == "legal_hold":
            return self.tr("保全中") if row.legal_hold else ""
        if key == "recordings":
            return str(row.recordings)
        return str(getattr(row, key))

    def _category(self, code: str) -> str:
        try:
            return localized(self._profile.category(code).label)
        except KeyError:
            return code

    def incident_id(self, row: int) -> str:
        return self.rows[row].id
