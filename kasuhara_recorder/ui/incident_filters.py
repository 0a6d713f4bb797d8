"""The incident list's filter bar: search text, status, category, department, channel, a date
range, over the §4(1) limit, legal hold. It only says what is asked (``query()``) and when
that changed (``changed``, typing debounced); the list window runs the question."""

from __future__ import annotations

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import LOCATIONS, STATUSES
from kasuhara_recorder.store.incident_query import IncidentQuery
from kasuhara_recorder.ui.i18n import localized

TYPING_MS = 250  # after the last key press
_NO_DATE = QDate(2000, 1, 1)  # the date edits' "no limit", shown blank


class IncidentFilterBar(QWidget):
    changed = Signal()

    def __init__(
        self, profile: PolicyProfile, departments: tuple[str, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("IncidentFilterBar")
        self._limit_seconds = profile.rules.limit_seconds
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_MS)
        self._typing.timeout.connect(self.changed)

        self.search = QLineEdit(self)
        self.search.setObjectName("IncidentSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("事案番号・要求・経過・場所・相手の特徴で検索"))
        self.search.textChanged.connect(lambda _t: self._typing.start())
        self.status = self._combo(
            "StatusFilter", [(localized(t), code) for code, t in STATUSES.items()]
        )
        self.category = self._combo(
            "CategoryFilter",
            [(localized(c.label), c.code) for c in profile.categories],
        )
        self.department = self._combo("DepartmentFilter", [(d, d) for d in departments if d])
        self.department.setEditable(True)  # another department typed in: exact name
        self.department.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        typed = self.department.lineEdit()
        assert typed is not None  # an editable combo box has one
        typed.editingFinished.connect(self.changed)
        self.channel = self._combo(
            "ChannelFilter", [(localized(t), code) for code, t in LOCATIONS.items()]
        )
        self.date_from = self._date("DateFrom")
        self.date_to = self._date("DateTo")
        self.over_limit = QCheckBox(
            self.tr("§4(1) の時間超過（%1 分超）").replace(
                "%1", str(profile.rules.interaction_limit_minutes)
            ),
            self,
        )
        self.over_limit.setObjectName("OverLimitFilter")
        self.over_limit.toggled.connect(self.changed)
        self.legal_hold = QCheckBox(self.tr("保全中のみ"), self)
        self.legal_hold.setObjectName("LegalHoldFilter")
        self.legal_hold.toggled.connect(self.changed)
        self.clear_button = QPushButton(self.tr("条件をクリア"), self)
        self.clear_button.clicked.connect(self.clear)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.search, 0, 0, 1, 6)
        grid.addWidget(self.clear_button, 0, 6)
        row = (
            (self.tr("状態"), self.status), (self.tr("分類"), self.category),
            (self.tr("所属"), self.department),
        )  # fmt: skip
        for i, (label, w) in enumerate(row):
            grid.addWidget(QLabel(label, self), 1, i * 2)
            grid.addWidget(w, 1, i * 2 + 1)
        grid.addWidget(QLabel(self.tr("場所"), self), 2, 0)
        grid.addWidget(self.channel, 2, 1)
        grid.addWidget(QLabel(self.tr("発生日"), self), 2, 2)
        grid.addWidget(self.date_from, 2, 3)
        grid.addWidget(QLabel(self.tr("〜"), self), 2, 4)
        grid.addWidget(self.date_to, 2, 5)
        grid.addWidget(self.over_limit, 3, 0, 1, 3)
        grid.addWidget(self.legal_hold, 3, 3, 1, 3)
        for col in (1, 3, 5):
            grid.setColumnStretch(col, 1)

    def _combo(self, name: str, items: list[tuple[str, str]]) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.addItem(self.tr("すべて"), "")
        for label, code in items:
            box.addItem(label, code)
        box.activated.connect(lambda _i: self.changed.emit())
        return box

    def _date(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(self.tr("指定なし"))
        edit.setDate(_NO_DATE)
        edit.dateChanged.connect(lambda _d: self.changed.emit())
        return edit

    def set_departments(self, departments: list[str]) -> None:
        """The departments offered (from the store); what is chosen or typed stays."""
        box, text = self.department, self.department.currentText()
        box.blockSignals(True)
        while box.count() > 1:
            box.removeItem(1)
        for d in departments:
            box.addItem(d, d)
        box.setEditText(text)
        box.blockSignals(False)

    @staticmethod
    def _chosen(box: QComboBox) -> tuple[str, ...]:
        if box.isEditable():  # a department listed, or one typed in
            text = box.currentText().strip()
            if not text or text == box.itemText(0):
                return ()
            i = box.findText(text)
            return (box.itemData(i) if i >= 0 else text,)
        code = box.currentData()
        return (code,) if code else ()

    @staticmethod
    def _day(edit: QDateEdit) -> str:
        d = edit.date()
        return "" if d == _NO_DATE else d.toString("yyyy-MM-dd")

    def query(self) -> IncidentQuery:
        """What the bar asks now (the first page, sorted by time, newest first)."""
        return IncidentQuery(
            text=self.search.text().strip(),
            statuses=self._chosen(self.status),
            categories=self._chosen(self.category),
            departments=self._chosen(self.department),
            channels=self._chosen(self.channel),
            occurred_from=self._day(self.date_from),
            occurred_to=self._day(self.date_to),
            over_limit=True if self.over_limit.isChecked() else None,
            limit_seconds=self._limit_seconds,
            legal_hold=True if self.legal_hold.isChecked() else None,
        )

    def clear(self) -> None:
        widgets = (self.search, self.status, self.category, self.department, self.channel,
                   self.date_from, self.date_to, self.over_limit, self.legal_hold)  # fmt: skip
        for w in widgets:
            w.blockSignals(True)
        self.search.clear()
        for box in (self.status, self.category, self.department, self.channel):
            box.setCurrentIndex(0)
        self.department.setEditText(self.department.itemText(0))
        for edit in (self.date_from, self.date_to):
            edit.setDate(_NO_DATE)
        self.over_limit.setChecked(False)
        self.legal_hold.setChecked(False)
        for w in widgets:
            w.blockSignals(False)
        self._typing.stop()
        self.changed.emit()
