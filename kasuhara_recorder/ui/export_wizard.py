"""事案 → 証拠パッケージを書き出す: the evidence officer's export wizard.

Pages: the incident, the recipient kind (警察/弁護士/その他), unlock the organisation identity,
the destination file, then the export itself with a progress bar and 中止. Everything runs
through ``service.export`` (the same path as the CLI) on the task runner, never on the GUI
thread. The passphrase is read once, cleared from its field at once and never logged; the
unlocked identity lives only in this wizard and is dropped when it closes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from pathlib import Path
from typing import cast

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from kasuhara_recorder.bundle.errors import BundleExists, ExportCancelled, ExportRefused
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.store.incident_codes import STATUSES
from kasuhara_recorder.text import Text
from kasuhara_recorder.ui.elided_label import ElidedLabel
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.task_runner import TaskHandle, TaskRunner
from kasuhara_recorder.ui.unlock_failure import unlock_failure_text

log = logging.getLogger("kasuhara.ui.export")

PAGE_INCIDENT, PAGE_RECIPIENT, PAGE_UNLOCK, PAGE_DESTINATION, PAGE_RUN = range(5)
RECIPIENT_ORDER = ("police", "lawyer", "other")
POLL_MS = 100

ERROR_STYLE = (
    "QLabel { color: #b71c1c; background: #ffebee; padding: 6px;"
    " border: 1px solid #ef9a9a; border-radius: 4px; }"
)
OK_STYLE = (
    "QLabel { color: #1b5e20; background: #e8f5e9; padding: 6px;"
    " border: 1px solid #a5d6a7; border-radius: 4px; }"
)


def default_bundle_name(incident_id: str, today: dt.date | None = None) -> str:
    return f"kasuhara-{incident_id}-{(today or dt.date.today()):%Y%m%d}.zip"


def default_folder() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if docs and Path(docs).is_dir():
        return Path(docs)
    return Path.home()


def _message_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _show(label: QLabel, text: str, ok: bool = False) -> None:
    label.setText(text)
    label.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
    label.setVisible(bool(text))


class IncidentPage(QWizardPage):
    def __init__(self, incidents: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("事案を選ぶ"))
        self.setSubTitle(self.tr("証拠パッケージに書き出す事案を選んでください。"))
        self.list = QListWidget(self)
        self.list.setObjectName("incident_list")
        for inc in incidents:
            status = localized(STATUSES.get(inc.status, Text.same(inc.status)))
            when = inc.draft.occurred_at[:16].replace("T", " ")
            parts = [inc.id, when, inc.draft.department, status]
            item = QListWidgetItem("   ".join(p for p in parts if p))
            item.setData(Qt.ItemDataRole.UserRole, inc.id)
            self.list.addItem(item)
        self.list.currentItemChanged.connect(lambda *_: self.completeChanged.emit())
        self.list.itemDoubleClicked.connect(lambda _i: self.wizard().next())
        self.empty = QLabel(self.tr("事案はまだありません。"), self)
        self.empty.setVisible(not incidents)
        lay = QVBoxLayout(self)
        lay.addWidget(self.list)
        lay.addWidget(self.empty)

    def incident_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, incident_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == incident_id:
                self.list.setCurrentRow(row)

    def isComplete(self) -> bool:
        return self.incident_id() is not None


class RecipientPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("渡す相手"))
        self.setSubTitle(
            self.tr("証拠パッケージを渡す相手の種類を選んでください（報告書に記載されます）。")
        )
        labels = {
            "police": self.tr("警察"),
            "lawyer": self.tr("弁護士"),
            "other": self.tr("その他"),
        }
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        lay = QVBoxLayout(self)
        for i, code in enumerate(RECIPIENT_ORDER):
            b = QRadioButton(labels[code], self)
            b.setObjectName(f"recipient:{code}")
            self.group.addButton(b, i)
            self.buttons[code] = b
            lay.addWidget(b)
        self.buttons["police"].setChecked(True)
        lay.addStretch(1)

    def kind(self) -> str:
        for code, b in self.buttons.items():
            if b.isChecked():
                return code
        return "other"


class UnlockPage(QWizardPage):
    """Unlocking takes a moment (scrypt), so it runs on the task runner; 次へ waits for it."""

    def __init__(self, tasks: TaskRunner, service, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks, self.export = tasks, service.export
        self.identity = None
        self.unlocked_file: str | None = None
        self.busy = False
        self.setTitle(self.tr("組織の鍵を開く"))
        self.setSubTitle(
            self.tr(
                "録音を復号するため、証拠管理担当者が組織の鍵ファイルとパスフレーズを"
                "入力してください。"
            )
        )
        self.identity_edit = QLineEdit(self)
        self.identity_edit.setObjectName("identity_file")
        self.identity_edit.setPlaceholderText("org-identity.age")
        self.identity_edit.textChanged.connect(self._identity_changed)
        browse = QPushButton(self.tr("参照…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.identity_edit, 1)
        row.addWidget(browse)
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.message = _message_label(self)
        self.message.setObjectName("unlock_message")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("組織の鍵ファイル:"), self))
        lay.addLayout(row)
        lay.addWidget(QLabel(self.tr("パスフレーズ:"), self))
        lay.addWidget(self.passphrase)
        lay.addWidget(self.message)
        lay.addStretch(1)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("組織の鍵ファイルを選ぶ"),
            self.identity_edit.text() or str(Path.home()),
            self.tr("組織の鍵 (*.age);;すべてのファイル (*)"),
        )
        if path:
            self.identity_edit.setText(path)

    def _identity_changed(self, _text: str) -> None:
        if self.identity is not None and self.identity_edit.text() != self.unlocked_file:
            self.identity = None  # another key file: unlock again
            _show(self.message, "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.busy:
            return False
        return self.identity is not None or (
            bool(self.identity_edit.text().strip()) and bool(self.passphrase.text())
        )

    def validatePage(self) -> bool:
        if self.identity is not None:
            return True
        if self.busy:
            return False
        path = Path(self.identity_edit.text().strip())
        passphrase = self.passphrase.text()
        self.passphrase.clear()  # read once; never kept in the widget
        if not passphrase:
            return False
        self.busy = True
        self.identity_edit.setEnabled(False)
        self.passphrase.setEnabled(False)
        _show(self.message, self.tr("鍵を開いています…"), ok=True)
        self.completeChanged.emit()
        export = self.export

        def unlock():
            return export.unlock(path, passphrase)

        self.tasks.run(unlock, on_done=lambda ident: self._unlocked(ident, str(path)),
                       on_error=self._failed)  # fmt: skip
        return False

    def _end_busy(self) -> None:
        self.busy = False
        self.identity_edit.setEnabled(True)
        self.passphrase.setEnabled(True)
        self.completeChanged.emit()

    def _unlocked(self, identity, path: str) -> None:
        self.identity, self.unlocked_file = identity, path
        self._end_busy()
        _show(self.message, self.tr("鍵を開きました。"), ok=True)
        self.wizard().next()

    def _failed(self, e: BaseException) -> None:
        self._end_busy()
        text = unlock_failure_text(e)
        _show(self.message, text)
        self.passphrase.setFocus()

    def forget(self) -> None:
        self.identity = None
        self.passphrase.clear()


class DestinationPage(QWizardPage):
    """The bundle's file. An existing file of that name is replaced only when the officer says
    so in the box asking (``overwrite_asked``); キャンセル keeps it, and the page stays."""

    overwrite_asked = Signal(object)  # the QMessageBox, for tests and screenshots

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confirmed: Path | None = None  # the existing file the officer agreed to replace
        self.setTitle(self.tr("保存先"))
        self.setSubTitle(self.tr("証拠パッケージ（ZIP ファイル）の保存先を選んでください。"))
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("destination")
        self.path_edit.textChanged.connect(self._path_changed)
        browse = QPushButton(self.tr("参照…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        note = QLabel(
            self.tr(
                "USB メモリなど、渡す媒体に直接保存できます。"
                "書き出したファイルには録音の音声がそのまま入ります。"
                "渡す相手以外の目に触れない場所に保存してください。"
            ),
            self,
        )
        note.setWordWrap(True)
        self.message = _message_label(self)
        self.message.setObjectName("destination_message")
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(note)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("書き出す"))

    def initializePage(self) -> None:
        wizard = cast(ExportWizard, self.wizard())
        name = default_bundle_name(wizard.incident_id() or "incident")
        current = self.path_edit.text().strip()
        if not current:
            self.path_edit.setText(str(wizard.folder / name))
        elif Path(current).name.startswith("kasuhara-"):  # our default: follow the incident
            self.path_edit.setText(str(Path(current).with_name(name)))
        _show(self.message, "")

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("証拠パッケージの保存先"),
            self.path_edit.text(),
            self.tr("ZIP ファイル (*.zip)"),
        )
        if path:
            if not path.lower().endswith(".zip"):
                path += ".zip"
            self.path_edit.setText(path)

    def path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:
        p = self.path()
        if not p.parent.is_dir():
            _show(
                self.message,
                self.tr("保存先のフォルダ %1 がありません。別の保存先を選んでください。").replace(
                    "%1", str(p.parent)
                ),
            )
            return False
        if p.is_dir():
            _show(self.message, self.tr("フォルダではなく、ファイル名を指定してください。"))
            return False
        if os.path.lexists(p) and self.confirmed != p:
            self._ask_overwrite(p)  # not modal-blocking: the answer moves on, or stays here
            return False
        return True

    def overwrite(self) -> bool:
        """Replace the file at the destination: only the one the officer agreed to replace."""
        return self.confirmed is not None and self.confirmed == self.path()

    def _path_changed(self, _text: str) -> None:
        if self.confirmed is not None and self.confirmed != self.path():
            self.confirmed = None  # another name: ask again if that one exists too
        self.completeChanged.emit()

    def _ask_overwrite(self, p: Path) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("上書きの確認"),
            self.tr(
                "保存先に同じ名前のファイル「%1」がすでにあります。\n"
                "置き換えますか？ 置き換えた元のファイルは元に戻せません。"
            ).replace("%1", p.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("OverwriteConfirm")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("置き換える"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter keeps the file
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._overwrite_answered(box, p))
        box.open()
        self.overwrite_asked.emit(box)

    def _overwrite_answered(self, box: QMessageBox, p: Path) -> None:
        if box.clickedButton() is box.button(QMessageBox.StandardButton.Yes) and p == self.path():
            self.confirmed = p
            _show(self.message, "")
            self.wizard().next()
            return
        _show(
            self.message,
            self.tr(
                "「%1」は置き換えずにそのまま残しています。別のファイル名を指定してください。"
            ).replace("%1", p.name),
        )


class RunPage(QWizardPage):
    """Runs the export; shows the result, or what went wrong and what to do."""

    finished_export = Signal(bool)  # True when a bundle was written

    def __init__(self, tasks: TaskRunner, service, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks, self.export = tasks, service.export
        self.handle: TaskHandle | None = None
        self.cancel_event = threading.Event()
        self.latest = None  # last ExportProgress, written by the worker, read by the timer
        self.result = None
        self.running = False
        self.setTitle(self.tr("書き出し"))
        self.step = QLabel(self)
        self.step.setObjectName("export_step")
        self.step.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(self.tr("中止"), self)
        self.cancel_button.setObjectName("export_cancel")
        self.cancel_button.clicked.connect(self.request_cancel)
        bar_row = QHBoxLayout()
        bar_row.addWidget(self.bar, 1)
        bar_row.addWidget(self.cancel_button)
        self.message = _message_label(self)
        self.message.setObjectName("export_message")
        self.path_label = ElidedLabel(self)  # a long path must not widen the wizard
        self.path_label.setObjectName("bundle_path")
        # The two values the officer tells the recipient by another channel, in groups of four
        # to read aloud; verify (CLI, dialog, verify.html) shows the same two in the same form.
        self.fingerprint_label = QLabel(self)
        self.fingerprint_label.setObjectName("signing_fingerprint")
        self.sha_label = QLabel(self)
        self.sha_label.setObjectName("bundle_sha256")
        for label in (self.fingerprint_label, self.sha_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(self.tr("保存先のフォルダを開く"), self)
        self.open_button.setObjectName("open_folder")
        self.open_button.clicked.connect(self.open_folder)
        self.retry_button = QPushButton(self.tr("保存先を選び直す"), self)
        self.retry_button.setObjectName("export_retry")
        self.retry_button.clicked.connect(lambda: self.wizard().back())
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.step)
        lay.addLayout(bar_row)
        lay.addWidget(self.message)
        lay.addWidget(self.path_label)
        lay.addWidget(self.fingerprint_label)
        lay.addWidget(self.sha_label)
        lay.addLayout(buttons)
        lay.addStretch(1)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)

    def initializePage(self) -> None:
        wizard = cast(ExportWizard, self.wizard())
        self.result, self.latest = None, None
        self.setSubTitle(
            self.tr("事案 %1 を証拠パッケージに書き出します。").replace(
                "%1", wizard.incident_id() or ""
            )
        )
        self.cancel_event = threading.Event()
        for w in (self.path_label, self.fingerprint_label, self.sha_label, self.open_button,
                  self.retry_button):  # fmt: skip
            w.hide()
        _show(self.message, "")
        self.bar.setValue(0)
        self.step.setText(self.tr("準備しています…"))
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.running = True
        self.completeChanged.emit()

        export, cancel = self.export, self.cancel_event
        incident_id, identity = wizard.incident_id(), wizard.unlock_page.identity
        out, kind = wizard.destination_page.path(), wizard.recipient_page.kind()
        overwrite = wizard.destination_page.overwrite()

        def progress(p) -> None:  # worker thread: only store it; the timer shows it
            self.latest = p

        def work():  # the bundle's SHA-256 comes with it, computed as the CLI's is
            return export.export(
                incident_id, identity, out, recipient_kind=kind, progress=progress,
                cancel=cancel, overwrite=overwrite,
            )  # fmt: skip

        # Our own cancel event (not the handle's), so the cancelled result still comes back
        # and the page can say that nothing was written.
        self.handle = self.tasks.run(work, on_done=self._done, on_error=self._failed)
        self.timer.start()

    def _poll(self) -> None:
        p = self.latest
        if p is None or not self.running:
            return
        self.bar.setValue(int(p.fraction * 1000))
        step = localized(p.step)
        self.step.setText(self.tr("書き出し中: %1").replace("%1", step))

    def request_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.cancel_button.setEnabled(False)
            self.step.setText(self.tr("中止しています…"))

    def _end(self) -> None:
        self.running = False
        self.timer.stop()
        self.cancel_button.hide()
        self.handle = None

    @property
    def bundle_sha256(self) -> str:
        return self.result.bundle_sha256 if self.result is not None else ""

    def _done(self, result) -> None:
        self._end()
        self.result = result
        self.bar.setValue(1000)
        self.step.setText(self.tr("書き出しが完了しました。"))
        _show(
            self.message,
            self.tr(
                "証拠パッケージを書き出しました。渡すときは、下の 2 つの値を、パッケージとは"
                "別の手段（電話・文書など）で相手に伝えてください。相手は verify.html や"
                " README.txt で同じ 2 つの値を確かめ、受け取ったファイルがこの署名鍵で作られた"
                "そのものであることを確認できます。"
            ),
            ok=True,
        )
        self.path_label.set_full_text(
            self.tr("ファイル: %1").replace("%1", str(result.path)), str(result.path)
        )
        fingerprint, sha = result.handover.shown()  # as the CLI prints them
        self.fingerprint_label.setText(
            self.tr("署名鍵のフィンガープリント:\n%1").replace("%1", fingerprint)
        )
        self.sha_label.setText(self.tr("ZIP ファイルの SHA-256:\n%1").replace("%1", sha))
        for w in (self.path_label, self.fingerprint_label, self.sha_label, self.open_button):
            w.show()
        self.completeChanged.emit()
        self.finished_export.emit(True)

    def _failed(self, e: BaseException) -> None:
        self._end()
        self.bar.setValue(0)
        if isinstance(e, ExportCancelled):
            self.step.setText(self.tr("中止しました。"))
            text = self.tr("書き出しを中止しました。ファイルは作成されていません。")
        elif isinstance(e, ExportRefused):
            self.step.setText(self.tr("書き出せませんでした。"))
            text = self.tr(
                "%1 の確認に失敗したため、書き出しを中止しました（ファイルは作成されて"
                "いません）。\n証拠のデータが改ざんされたか壊れている可能性があります。"
                "この端末のデータを変更せずに、情報システム担当者と証拠管理担当者に連絡してください。"
            ).replace("%1", localized(e.item) if isinstance(e.item, Text) else e.item)
            text += "\n" + localized(e.text)
        elif isinstance(e, BundleExists):  # it appeared after the destination page
            self.step.setText(self.tr("書き出せませんでした。"))
            text = self.tr(
                "保存先に同じ名前のファイル「%1」ができていたため、置き換えずに中止しました。"
                "そのファイルはそのままです。保存先を選び直してください。"
            ).replace("%1", Path(e.path).name)
            self.retry_button.show()
        elif isinstance(e, OSError):
            self.step.setText(self.tr("書き出せませんでした。"))
            text = self.tr(
                "保存先に書き込めませんでした（%1）。ファイルは作成されていません。\n"
                "空き容量や書き込み禁止を確かめるか、別の保存先を選んで、もう一度書き出してください。"
            ).replace("%1", e.strerror or type(e).__name__)
            self.retry_button.show()
        elif isinstance(e, KasuharaError):
            self.step.setText(self.tr("書き出せませんでした。"))
            text = localized(e.text)
            self.retry_button.show()
        else:
            log.error("export failed", exc_info=e)
            self.step.setText(self.tr("書き出せませんでした。"))
            text = self.tr(
                "予期しないエラーで書き出せませんでした。ファイルは作成されていません。"
                "詳しくはログを確認してください。"
            )
        if isinstance(e, ExportCancelled):
            self.retry_button.show()
        _show(self.message, text)
        self.completeChanged.emit()
        self.finished_export.emit(False)

    def open_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.path.parent)))

    def isComplete(self) -> bool:
        return not self.running


class ExportWizard(QWizard):
    def __init__(
        self,
        service,
        tasks: TaskRunner | None = None,
        parent: QWidget | None = None,
        incident_id: str | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ExportWizard")
        self.setWindowTitle(self.tr("証拠パッケージを書き出す"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.DisabledBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        # The last page has one way out, 閉じる; while it runs, its own 中止 (and closing the
        # window) stops the export.
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 戻る"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("次へ >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("閉じる"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("キャンセル"))
        self.tasks = tasks or TaskRunner(self)
        self.folder = folder or default_folder()
        incidents = service.incidents.list()
        self.incident_page = IncidentPage(incidents, self)
        self.recipient_page = RecipientPage(self)
        self.unlock_page = UnlockPage(self.tasks, service, self)
        self.destination_page = DestinationPage(self)
        self.run_page = RunPage(self.tasks, service, self)
        for pid, page in (
            (PAGE_INCIDENT, self.incident_page),
            (PAGE_RECIPIENT, self.recipient_page),
            (PAGE_UNLOCK, self.unlock_page),
            (PAGE_DESTINATION, self.destination_page),
            (PAGE_RUN, self.run_page),
        ):
            self.setPage(pid, page)
        if incident_id:
            self.incident_page.select(incident_id)
        self.setMinimumSize(640, 440)
        self.finished.connect(lambda _r: self.unlock_page.forget())

    def incident_id(self) -> str | None:
        return self.incident_page.incident_id()

    def reject(self) -> None:
        """キャンセル or closing while the export runs asks it to stop; the page then says
        that nothing was written, and the wizard can be closed."""
        if self.run_page.running:
            self.run_page.request_cancel()
            return
        super().reject()
