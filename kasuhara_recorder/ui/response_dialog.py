"""対応を記録: a supervisor records a §4 response taken after the form was handed in (ended the
interaction, called the police, consulted a lawyer, a warning letter, asked for a post's
removal): which (the policy profile's responses), when, who, a note."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import ResponseAction
from kasuhara_recorder.ui.form_sections.times import to_iso
from kasuhara_recorder.ui.i18n import localized


class ResponseDialog(QDialog):
    def __init__(self, profile: PolicyProfile, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ResponseDialog")
        self.setWindowTitle(self.tr("対応を記録"))
        self.code = QComboBox(self)
        self.code.setObjectName("ResponseCode")
        for r in profile.responses:
            self.code.addItem(localized(r.label), r.code)
            self.code.setItemData(
                self.code.count() - 1, localized(r.description), Qt.ItemDataRole.ToolTipRole
            )
        self.at = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.by = QLineEdit(actor, self)
        self.note = QLineEdit(self)
        self.note.setObjectName("ResponseNote")
        self.note.setPlaceholderText(self.tr("メモ（相手先、文書番号など）"))
        form = QFormLayout()
        form.addRow(self.tr("対応"), self.code)
        form.addRow(self.tr("日時"), self.at)
        form.addRow(self.tr("対応者"), self.by)
        form.addRow(self.tr("メモ"), self.note)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(
            self.tr("記録する"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setObjectName("ResponseOk")
        self.buttons.addButton(self.tr("キャンセル"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.resize(560, 220)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)

    def response(self) -> ResponseAction:
        return ResponseAction(
            code=str(self.code.currentData()), at=to_iso(self.at.dateTime()),
            by=self.by.text().strip(), note=self.note.text().strip(),
        )  # fmt: skip
