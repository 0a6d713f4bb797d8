"""保全（リーガルホールド）の設定・解除: asks why, since the chain keeps the reason for whoever
later asks why the incident was kept (or released). 設定/解除 stays disabled until a reason is
typed; the service refuses an empty one too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class LegalHoldDialog(QDialog):
    def __init__(self, incident_id: str, set_hold: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LegalHoldDialog")
        self.set_hold = set_hold
        if set_hold:
            self.setWindowTitle(self.tr("保全を設定"))
            text = self.tr(
                "事案 %1 を保全します（保存期間が過ぎても削除されません）。"
                "訴訟・捜査・照会など、保全する理由を入力してください。理由は監査記録に残ります。"
            )
        else:
            self.setWindowTitle(self.tr("保全を解除"))
            text = self.tr(
                "事案 %1 の保全を解除します（保存期間が過ぎると削除の対象になります）。"
                "解除する理由を入力してください。理由は監査記録に残ります。"
            )
        explain = QLabel(text.replace("%1", incident_id), self)
        explain.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("HoldReason")
        self.reason.setPlaceholderText(self.tr("理由（必須）"))
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(
            self.tr("保全する") if set_hold else self.tr("保全を解除する"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.ok_button.setObjectName("HoldOk")
        self.ok_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(
            self.tr("キャンセル"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(lambda: self.ok_button.setEnabled(bool(self.reason_text())))
        lay = QVBoxLayout(self)
        lay.addWidget(explain)
        lay.addWidget(self.reason, 1)
        lay.addWidget(self.buttons)
        self.resize(520, 260)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()
