"""At start: the recordings a crash or power cut left open were closed as ``recovered``
(``app.recording.recover()``, run off the GUI thread by the main window). This box tells the
worker so in plain words and offers to attach each one to an incident."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from kasuhara_recorder.ui.format import clock


def _when(iso: str) -> str:
    """2026-11-25T10:02:03.123+09:00 → 2026-11-25 10:02:03 (local time as recorded)."""
    return iso[:19].replace("T", " ")


class RecoveryNotice(QMessageBox):
    def __init__(self, manifests: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RecoveryNotice")
        self.setIcon(QMessageBox.Icon.Information)
        self.setWindowTitle(self.tr("前回の録音を復旧しました"))
        self.setText(
            self.tr(
                "前回、アプリが途中で終了したため、停止されていない録音が %1 件ありました。"
                "止まる直前までの録音を復旧し、暗号化して封印しました。"
            ).replace("%1", str(len(manifests)))
        )
        lines = [
            self.tr("・開始 %1 ／ 復旧した長さ %2").replace("%1", _when(m.started_at))
            .replace("%2", clock(m.duration_ms / 1000))
            for m in manifests
        ]  # fmt: skip
        self.setInformativeText(
            "\n".join(lines)
            + "\n\n"
            + self.tr(
                "録音は消えずに保存されています。事案に関係する録音なら、"
                "「事案に登録する」から新しい事案または既存の事案に追加できます。"
            )
        )
        self.attach_button = self.addButton(
            self.tr("事案に登録する…"), QMessageBox.ButtonRole.AcceptRole
        )
        self.attach_button.setObjectName("RecoveryAttach")
        self.later_button = self.addButton(self.tr("閉じる"), QMessageBox.ButtonRole.RejectRole)
        self.later_button.setObjectName("RecoveryLater")
        self.setDefaultButton(self.attach_button)
        self.setWindowModality(Qt.WindowModality.WindowModal)

    def wants_attach(self) -> bool:
        return self.clickedButton() is self.attach_button
