"""組織の鍵を開く: the officer opens the organisation identity (its file and passphrase) for
this session (``service.officer``); used before playback. Unlocking takes a moment (scrypt),
so it runs on the task runner. A wrong passphrase says so, with how many times in a row it
failed on that file (every attempt is in the audit chain). The file's path is remembered in
the settings (``Settings.identity_file``); the passphrase is read once and never kept."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.ui.task_runner import TaskRunner
from kasuhara_recorder.ui.unlock_failure import unlock_failure_text

log = logging.getLogger("kasuhara.ui")
ERROR_STYLE = "color: #b71c1c; font-weight: bold;"
OK_STYLE = "color: #1b5e20;"


class UnlockDialog(QDialog):
    unlocked = Signal()

    def __init__(self, service, tasks: TaskRunner, purpose: str = "playback",
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.service, self.tasks, self.purpose = service, tasks, purpose
        self.busy = False
        self.setObjectName("UnlockDialog")
        self.setWindowTitle(self.tr("組織の鍵を開く"))
        intro = QLabel(
            self.tr(
                "録音を再生するには、証拠管理担当者が組織の鍵ファイルとパスフレーズを入力して"
                "ください。鍵はこのアプリの中だけで開き、しばらく操作がないと自動で閉じます。"
            ),
            self,
        )
        intro.setWordWrap(True)
        self.identity_edit = QLineEdit(self)
        self.identity_edit.setObjectName("identity_file")
        self.identity_edit.setPlaceholderText("org-identity.age")
        remembered = service.settings.identity_file
        if service.officer.identity_file is not None:
            remembered = str(service.officer.identity_file)
        self.identity_edit.setText(remembered)
        browse = QPushButton(self.tr("参照…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.identity_edit, 1)
        row.addWidget(browse)
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.unlock)
        self.message = QLabel(self)
        self.message.setObjectName("unlock_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.buttons = QDialogButtonBox(self)
        self.unlock_button = self.buttons.addButton(
            self.tr("鍵を開く"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.unlock_button.setObjectName("UnlockButton")
        self.buttons.addButton(self.tr("キャンセル"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.unlock)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(QLabel(self.tr("組織の鍵ファイル:"), self))
        lay.addLayout(row)
        lay.addWidget(QLabel(self.tr("パスフレーズ:"), self))
        lay.addWidget(self.passphrase)
        lay.addWidget(self.message)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(520)
        (self.passphrase if remembered else self.identity_edit).setFocus()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("組織の鍵ファイルを選ぶ"),
            self.identity_edit.text() or str(Path.home()),
            self.tr("組織の鍵 (*.age);;すべてのファイル (*)"),
        )
        if path:
            self.identity_edit.setText(path)

    def _show(self, text: str, ok: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setVisible(bool(text))
        self.adjustSize()  # a longer message (the attempt line) must not be cut off

    def unlock(self) -> None:
        if self.busy:
            return
        path_text = self.identity_edit.text().strip()
        passphrase = self.passphrase.text()
        self.passphrase.clear()  # read once; never kept in the widget
        if not path_text or not passphrase:
            self._show(self.tr("鍵ファイルとパスフレーズを入力してください。"))
            return
        self.busy = True
        self.unlock_button.setEnabled(False)
        self._show(self.tr("鍵を開いています…"), ok=True)
        service, path, purpose = self.service, Path(path_text), self.purpose

        def work() -> None:
            service.officer.unlock(path, passphrase, purpose=purpose)
            if service.settings.identity_file != str(path):  # remembered for next time
                service.save_settings(service.settings.with_changes(identity_file=str(path)))

        self.tasks.run(work, on_done=lambda _r: self._unlocked(), on_error=self._failed)

    def _unlocked(self) -> None:
        self.busy = False
        self.unlocked.emit()
        self.accept()

    def _failed(self, e: BaseException) -> None:
        self.busy = False
        self.unlock_button.setEnabled(True)
        text = unlock_failure_text(e)
        self._show(text)
        self.passphrase.setFocus()
