"""提出 asks first: submitting hands the form to the supervisor and locks it for the worker.

A separate button beside 下書き保存 that acted at once was too easy to press by mistake. The
question says what changes, and キャンセル (the default, so Enter keeps the draft) changes
nothing."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


class SubmitConfirm(QMessageBox):
    def __init__(self, warnings: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("SubmitConfirm")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("事案票の提出"))
        self.setText(self.tr("この事案票を提出しますか？"))
        text = self.tr(
            "提出すると所属長の確認に回り、この画面では内容を変更できなくなります"
            "（添付ファイルと録音はあとからでも追加できます）。\n"
            "まだ書き足す場合は「キャンセル」を押してください。下書きのまま残ります。"
        )
        if warnings:
            text += "\n\n" + self.tr(
                "確認事項が %1 件あります（黄色の表示）。提出はできますが、内容を確かめてください。"
            ).replace("%1", str(warnings))
        self.setInformativeText(text)
        self.confirm_button = self.addButton(self.tr("提出する"), QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button = self.addButton(
            self.tr("キャンセル"), QMessageBox.ButtonRole.RejectRole
        )
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)

    def confirmed(self) -> bool:
        return self.clickedButton() is self.confirm_button
