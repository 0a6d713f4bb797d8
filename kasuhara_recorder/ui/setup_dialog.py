"""端末設定: what IT enters once per PC before anyone can record — the organisation's
recipients (age1… public keys, pasted or read from org-recipient.txt), the workstation name,
and the staff member and department signed in at this PC.

Every recipient is checked before anything is saved; then ``service.workstation.setup`` (the same
call as ``kasuhara-recorder setup``) runs on the task runner and the dialog closes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from kasuhara_recorder.config import MAX_PRE_EVENT_S
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.evidence.org_identity import BadRecipient, parse_recipient, read_recipients
from kasuhara_recorder.platform_seam import host_name
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.setup")

ERROR_STYLE = (
    "QLabel { color: #b71c1c; background: #ffebee; padding: 6px;"
    " border: 1px solid #ef9a9a; border-radius: 4px; }"
)


def recipient_lines(text: str) -> list[str]:
    """The non-empty, non-comment lines of the recipients box."""
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


class SetupDialog(QDialog):
    setup_done = Signal(object)  # SetupResult

    def __init__(self, service, tasks: TaskRunner | None = None, parent=None) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = tasks or TaskRunner(self)
        self.busy = False
        self.setObjectName("SetupDialog")
        self.setWindowTitle(self.tr("端末設定"))
        s = service.settings

        intro = QLabel(
            self.tr(
                "情報システム担当者が、この端末で録音を始める前に一度だけ設定します。"
                "録音は下の公開鍵（受取人）あてに暗号化され、この端末では復号できません。"
            ),
            self,
        )
        intro.setWordWrap(True)
        self.recipients = QPlainTextEdit(self)
        self.recipients.setObjectName("recipients")
        self.recipients.setPlaceholderText(self.tr("age1… で始まる公開鍵を 1 行に 1 つ"))
        self.recipients.setPlainText("\n".join(s.org_recipients))
        self.recipients.setTabChangesFocus(True)
        self.recipients.setMinimumHeight(90)
        file_button = QPushButton(self.tr("ファイルから読み込む…"), self)
        file_button.setObjectName("recipient_file")
        file_button.clicked.connect(self._choose_file)
        rec_col = QVBoxLayout()
        rec_col.addWidget(self.recipients)
        rec_row = QHBoxLayout()
        rec_row.addWidget(
            QLabel(self.tr("証拠管理担当から受け取った org-recipient.txt を選べます。"), self), 1
        )
        rec_row.addWidget(file_button)
        rec_col.addLayout(rec_row)

        self.workstation_name = QLineEdit(s.workstation_name or host_name(), self)
        self.workstation_name.setObjectName("workstation_name")
        self.staff_name = QLineEdit(s.staff_name, self)
        self.staff_name.setObjectName("staff_name")
        self.department = QLineEdit(s.department, self)
        self.department.setObjectName("department")
        # The microphone while idle: the organisation decides (the OS shows it in use).
        # A check box does not wrap: the short choice on it, the consequences in a label below.
        self.keep_input_open = QCheckBox(self.tr("待機中もマイクを開いておく"), self)
        input_note = QLabel(
            self.tr(
                "録音開始の瞬間から録音できます。音声はメモリ内だけで扱い保存しませんが、"
                "パソコンのマイク使用中の表示は点灯したままになります。"
            ),
            self,
        )
        input_note.setWordWrap(True)
        input_col = QVBoxLayout()
        input_col.addWidget(self.keep_input_open)
        input_col.addWidget(input_note)
        self.keep_input_open.setObjectName("keep_input_open")
        self.keep_input_open.setChecked(s.keep_input_open)
        self.pre_event = QSpinBox(self)
        self.pre_event.setObjectName("pre_event_seconds")
        self.pre_event.setRange(0, MAX_PRE_EVENT_S)
        self.pre_event.setSuffix(self.tr(" 秒"))
        self.pre_event.setSpecialValueText(self.tr("しない"))
        self.pre_event.setValue(s.pre_event_seconds if s.keep_input_open else 0)
        self.pre_event.setToolTip(
            self.tr(
                "録音開始を押す前の数秒間（最大 60 秒）も録音の初めに含めます。"
                "待機中の音声はメモリ内だけにあり、録音しなければ消えます。"
            )
        )
        self.pre_event.setEnabled(s.keep_input_open)
        self.keep_input_open.toggled.connect(self._input_toggled)
        form = QFormLayout()
        form.addRow(self.tr("組織の公開鍵（受取人）:"), rec_col)
        form.addRow(self.tr("端末名:"), self.workstation_name)
        form.addRow(self.tr("職員名:"), self.staff_name)
        form.addRow(self.tr("所属:"), self.department)
        form.addRow(self.tr("マイク:"), input_col)
        form.addRow(self.tr("事前録音:"), self.pre_event)

        self.message = QLabel(self)
        self.message.setObjectName("setup_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("保存して録音を使えるようにする"))
        self.save_button.setObjectName("setup_save")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(620)

    def _input_toggled(self, on: bool) -> None:
        self.pre_event.setEnabled(on)  # the buffer is the open input
        if not on:
            self.pre_event.setValue(0)

    def _show_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _choose_file(self) -> None:
        from kasuhara_recorder.ui.file_dialog import open_file

        path = open_file(
            self,
            self.tr("受取人ファイルを選ぶ"),
            Path.home(),
            self.tr("受取人ファイル (*.txt);;すべてのファイル (*)"),
        )
        if path is not None:
            self.load_file(path)

    def load_file(self, path: Path) -> bool:
        """Add the recipients in ``path`` to the box (a bad file changes nothing)."""
        try:
            found = read_recipients(str(path))
        except KasuharaError as e:
            self._show_error(self._bad_recipient_text(e))
            return False
        have = recipient_lines(self.recipients.toPlainText())
        self.recipients.setPlainText("\n".join(dict.fromkeys([*have, *found])))
        self._show_error("")
        return True

    def _bad_recipient_text(self, e: KasuharaError) -> str:
        return (
            self.tr(
                "組織の公開鍵が正しくありません。age1 で始まる公開鍵"
                "（org-recipient.txt の中身）をそのまま貼り付けてください。何も保存していません。"
            )
            + "\n"
            + localized(e.text)
        )

    def save(self) -> None:
        if self.busy:
            return
        lines = recipient_lines(self.recipients.toPlainText())
        if not lines:
            self._show_error(
                self.tr("組織の公開鍵（age1…）を 1 つ以上入力してください。何も保存していません。")
            )
            return
        try:
            recipients = [parse_recipient(ln) for ln in lines]
        except BadRecipient as e:
            self._show_error(self._bad_recipient_text(e))
            return
        name = self.workstation_name.text().strip()
        if not name:
            self._show_error(self.tr("端末名を入力してください。何も保存していません。"))
            return
        staff, department = self.staff_name.text().strip(), self.department.text().strip()
        keep, pre = self.keep_input_open.isChecked(), self.pre_event.value()
        self._show_error("")
        self.busy = True
        self.save_button.setEnabled(False)
        service = self.service

        def work():
            # recipients are already checked, so setup cannot fail half-way on them
            service.save_settings(
                service.settings.with_changes(
                    staff_name=staff, department=department, keep_input_open=keep,
                    pre_event_seconds=pre,
                )
            )  # fmt: skip
            return service.workstation.setup(recipients, name)

        self.tasks.run(work, on_done=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        self.setup_done.emit(result)
        self.accept()

    def _failed(self, e: BaseException) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        if isinstance(e, BadRecipient):
            text = self._bad_recipient_text(e)
        elif isinstance(e, KasuharaError):
            text = localized(e.text)
        elif isinstance(e, OSError):
            text = self.tr(
                "設定を保存できませんでした（%1）。データフォルダの空き容量と権限を確かめてください。"
            ).replace("%1", e.strerror or type(e).__name__)
        else:
            log.error("workstation setup failed", exc_info=e)
            text = self.tr("設定を保存できませんでした。詳しくはログを確認してください。")
        self._show_error(text)
