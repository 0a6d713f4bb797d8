"""対応した職員と相手方: the staff present (a name once only: one person twice would count as
two for §4(2)), the warning when a meeting has fewer staff than the policy asks, and the other
party."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from kasuhara_recorder.store.incident_model import IncidentDraft, OtherParty, StaffMember
from kasuhara_recorder.ui.form_sections.section import FormSection


def _person(name: str) -> str:
    """A staff name as compared and stored: surrounding and repeated spaces dropped."""
    return " ".join(name.split())


class PeopleSection(FormSection):
    key = "staff"
    fields = ("staff", "other_party")

    def __init__(self, min_staff_meeting: int, parent=None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("対応した職員と相手方"))
        self._min_staff_meeting = min_staff_meeting
        self._location = ""
        lay = QVBoxLayout(self)
        self.staff_table = QTableWidget(0, 2, self)
        self.staff_table.setObjectName("staff")
        self.staff_table.setHorizontalHeaderLabels([self.tr("氏名"), self.tr("役割")])
        self.staff_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.staff_table.verticalHeader().setVisible(False)
        self.staff_table.setMinimumHeight(110)
        self.staff_table.setMaximumHeight(160)
        self.staff_name = QLineEdit(self)
        self.staff_name.setObjectName("staff_name")
        self.staff_name.setPlaceholderText(self.tr("職員の氏名"))
        self.staff_name.returnPressed.connect(self.add_staff)
        self.add_button = QPushButton(self.tr("職員を追加"), self)
        self.add_button.setObjectName("add_staff")
        self.add_button.clicked.connect(self.add_staff)
        self.remove_button = QPushButton(self.tr("選択した職員を削除"), self)
        self.remove_button.setObjectName("remove_staff")
        self.remove_button.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        row.addWidget(self.staff_name, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        self.staff_warning = QLabel(self)
        self.staff_warning.setObjectName("staff_warning")
        self.staff_warning.setWordWrap(True)
        self.staff_warning.setStyleSheet("color: #9a6200; font-weight: bold;")
        self.staff_warning.hide()
        lay.addWidget(QLabel(self.tr("対応した職員（面談は原則として複数の職員で対応）"), self))
        lay.addWidget(self.staff_table)
        lay.addLayout(row)
        lay.addWidget(self.staff_warning)
        party = QFormLayout()
        self.party_name = QLineEdit(self)
        self.party_name.setObjectName("party_name")
        self.party_name.setPlaceholderText(self.tr("分かる場合のみ"))
        self.party_description = QPlainTextEdit(self)
        self.party_description.setObjectName("party_description")
        self.party_description.setPlaceholderText(
            self.tr("年代、外見、用件、これまでの来庁・電話の有無など")
        )
        self.party_description.setFixedHeight(64)
        party.addRow(self.tr("相手方の氏名"), self.party_name)
        party.addRow(self.tr("相手方の特徴"), self.party_description)
        lay.addLayout(party)
        lay.addWidget(self.error_label)
        # a name edited in the list: the warning first, so that it is current when the form
        # hears of the change
        self.staff_table.itemChanged.connect(self._update_warning)
        self.watch_changes()

    # --- the draft ---------------------------------------------------------------------------
    def _fill(self, d: IncidentDraft) -> None:
        self.staff_table.setRowCount(0)
        for s in d.staff:
            self._append(s.name, s.role)
        self.party_name.setText(d.other_party.name)
        self.party_description.setPlainText(d.other_party.description)
        self._update_warning()

    def read(self, draft: IncidentDraft) -> IncidentDraft:
        staff, seen = [], set()
        for r in range(self.staff_table.rowCount()):
            name = self.staff_table.item(r, 0)
            role = self.staff_table.item(r, 1)
            person = _person(name.text()) if name else ""
            if person and person not in seen:  # a name edited into a duplicate counts once
                seen.add(person)
                staff.append(StaffMember(person, role.text().strip() if role else ""))
        return draft.with_changes(
            staff=tuple(staff),
            other_party=OtherParty(
                self.party_name.text().strip(), self.party_description.toPlainText().strip()
            ),
        )

    def set_editable(self, editable: bool) -> None:
        super().set_editable(editable)
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable)

    # --- the staff list ------------------------------------------------------------------------
    def add_staff(self) -> None:
        """職員を追加 (or Enter in the name field): a name already listed is refused, with a
        message, since one person twice would count as two (§4(2))."""
        name = _person(self.staff_name.text())
        if not name or self.staff_name.isReadOnly():  # Enter in a name typed before 提出
            return
        if name in self.staff_names():
            self.show_errors([self.tr("「%1」は既に一覧にあります。").replace("%1", name)])
            return
        self.show_errors([])
        self._append(name)
        self.staff_name.clear()
        self._update_warning()
        self.changed.emit()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.staff_table.selectedIndexes()}, reverse=True)
        for r in rows:
            self.staff_table.removeRow(r)
        if rows:
            self._update_warning()
            self.changed.emit()

    def staff_names(self) -> list[str]:
        """The names listed, each once."""
        names = []
        for r in range(self.staff_table.rowCount()):
            item = self.staff_table.item(r, 0)
            name = _person(item.text()) if item else ""
            if name and name not in names:
                names.append(name)
        return names

    def _append(self, name: str, role: str = "") -> None:
        r = self.staff_table.rowCount()
        self.staff_table.insertRow(r)
        self.staff_table.setItem(r, 0, QTableWidgetItem(name))
        self.staff_table.setItem(r, 1, QTableWidgetItem(role))

    # --- §4(2): a meeting is held by several staff ----------------------------------------
    def set_location(self, code: str) -> None:
        """Where it happened (the when/where section's location code): the warning below the
        list is for meetings only."""
        self._location = code
        self._update_warning()

    def staff_warning_shown(self) -> bool:
        """The §4(2) count is already said next to the list (the form then leaves it out of the
        section's problems)."""
        return not self.staff_warning.isHidden()

    def _update_warning(self, *_args) -> None:
        count = len(self.staff_names())
        minimum = self._min_staff_meeting
        if self._location == "meeting_room" and count < minimum:
            self.staff_warning.setText(
                self.tr(
                    "面談は原則として %1 人以上の職員で対応します（方針 4(2)）。現在 %2 人です。"
                )
                .replace("%1", str(minimum))
                .replace("%2", str(count))
            )
            self.staff_warning.show()
        else:
            self.staff_warning.hide()
