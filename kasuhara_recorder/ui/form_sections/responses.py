"""対応 (§4): each response of the policy profile, ticked when it was taken, with its time, who
took it and a note."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QTime
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QGridLayout, QLineEdit, QPushButton, QWidget

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import IncidentDraft, ResponseAction
from kasuhara_recorder.ui.form_sections.section import FormSection
from kasuhara_recorder.ui.form_sections.times import to_iso, to_qdatetime
from kasuhara_recorder.ui.i18n import localized

_NOT_SET = QDateTime(QDate(2000, 1, 1), QTime(0, 0))  # a row's "no time yet", shown as "—"


class ResponseRow:
    """One §4 response: done?, when, who, a note. Unticked, the time shows a dash (not Qt's
    minimum date); a time typed survives an accidental untick and comes back on a retick."""

    def __init__(self, parent: QWidget, code: str, label: str, tip: str, actor: str) -> None:
        self.code = code
        self.check = QCheckBox(label, parent)
        self.check.setToolTip(tip)
        self.check.setObjectName(f"response:{code}")
        self.at = QDateTimeEdit(parent)
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at.setMinimumDateTime(_NOT_SET)
        self.at.setSpecialValueText("—")
        self._typed_at: QDateTime | None = None  # kept across an accidental uncheck
        self.by = QLineEdit(parent)
        self.by.setPlaceholderText(QCoreApplication.translate("ResponsesSection", "対応者"))
        self.note = QLineEdit(parent)
        self.note.setPlaceholderText(QCoreApplication.translate("ResponsesSection", "メモ"))
        self.now = QPushButton(QCoreApplication.translate("ResponsesSection", "現在時刻"), parent)
        self.now.setToolTip(
            QCoreApplication.translate("ResponsesSection", "この対応の時刻を今にします")
        )
        self.now.clicked.connect(lambda: self.at.setDateTime(QDateTime.currentDateTime()))
        self.check.toggled.connect(self._toggled)
        self._actor = actor
        self._toggled(False)

    def _toggled(self, on: bool) -> None:
        for w in (self.at, self.by, self.note, self.now):
            w.setEnabled(on)
        if not on:
            if self.at.dateTime() != _NOT_SET:
                self._typed_at = self.at.dateTime()
            self.at.setDateTime(_NOT_SET)
            return
        if not self.by.text():
            self.by.setText(self._actor)
        self.at.setDateTime(self._typed_at or QDateTime.currentDateTime())

    def value(self) -> ResponseAction | None:
        if not self.check.isChecked():
            return None
        return ResponseAction(
            code=self.code, at=to_iso(self.at.dateTime()), by=self.by.text().strip(),
            note=self.note.text().strip(),
        )  # fmt: skip

    def load(self, r: ResponseAction | None) -> None:
        self.check.setChecked(r is not None)
        self._typed_at = None  # after the untick above, which keeps the time it showed
        if r is None:
            self._toggled(False)  # also when it was unchecked already
        else:
            self.at.setDateTime(to_qdatetime(r.at) if r.at else QDateTime.currentDateTime())
            self.by.setText(r.by)
            self.note.setText(r.note)

    def set_editable(self, editable: bool) -> None:
        for w in (self.at, self.by, self.note, self.now):
            w.setEnabled(editable and self.check.isChecked())


class ResponsesSection(FormSection):
    key = "responses"
    fields = ("responses",)

    def __init__(self, profile: PolicyProfile, actor: str, parent=None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("対応（方針 4）：行ったものにチェックし、時刻と対応者を入力"))
        grid = QGridLayout(self)
        self.rows: dict[str, ResponseRow] = {}
        for i, resp in enumerate(profile.responses):
            row = ResponseRow(
                self, resp.code, localized(resp.label),
                localized(resp.description), actor,
            )  # fmt: skip
            self.rows[resp.code] = row
            grid.addWidget(row.check, 2 * i, 0, 1, 4)
            grid.addWidget(row.at, 2 * i + 1, 0)
            grid.addWidget(row.now, 2 * i + 1, 1)
            grid.addWidget(row.by, 2 * i + 1, 2)
            grid.addWidget(row.note, 2 * i + 1, 3)
        grid.setColumnStretch(3, 1)
        grid.addWidget(self.error_label, 2 * len(self.rows), 0, 1, 4)
        self.watch_changes()

    def _fill(self, d: IncidentDraft) -> None:
        by_code = {r.code: r for r in d.responses}
        for code, row in self.rows.items():
            row.load(by_code.get(code))

    def read(self, draft: IncidentDraft) -> IncidentDraft:
        return draft.with_changes(
            responses=tuple(v for row in self.rows.values() if (v := row.value()))
        )

    def set_editable(self, editable: bool) -> None:
        super().set_editable(editable)
        for row in self.rows.values():  # a row's time, who and note only once it is ticked
            row.set_editable(editable)
