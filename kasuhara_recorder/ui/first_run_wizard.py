"""初期設定 (the first-run wizard): from an empty data folder to a window ready to record.

Shown when the app starts on a data folder that is not set up (and from the set-up banner):

1. 組織の公開鍵 — the recipients IT set for the PC (machine.json, machine_settings.py), shown
   and not asked; else the organisation recipient the evidence officer gave (pasted, or read from
   org-recipient.txt); or, for an evaluation only, a new organisation identity made here
   (``evidence/org_identity.init_org``: the passphrase twice, strength-checked, and where the
   private identity file goes);
2. (evaluation only) where the private key went, said plainly: it belongs with the evidence
   officer, not on the counter PC; the folder can be shown;
3. 端末 — the workstation name, department (IT's, if set) and staff name;
4. 録音装置 — the 窓口 and 電話 presets, each tested on the level meter (ui/device_check.py);
5. 中央保管庫 — the URL IT gave, if any (machine.json's pre-filled; its TSA is configured
   too). 完了 runs what ``kasuhara-recorder setup`` runs
   (``workstation.setup``, the settings, ``join_central``) on the task runner; a failure to
   join is shown and can be skipped: the PC then works alone until it joins later.

Every page checks what it holds before it lets the person on, and says in Japanese what is
wrong. Nothing is saved to the data folder before 完了 (only the evaluation identity, where the
person chose, when it is made).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.evidence.org_identity import BadRecipient, parse_recipient, read_recipients
from kasuhara_recorder.machine_settings import MachineSettings
from kasuhara_recorder.platform_seam import host_name
from kasuhara_recorder.ui.device_check import DeviceCheck
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.setup_dialog import ERROR_STYLE, recipient_lines
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.first_run")

PAGE_RECIPIENT, PAGE_ORG_CREATED, PAGE_WORKSTATION, PAGE_DEVICES, PAGE_CENTRAL = range(5)
NOTE_STYLE = "QLabel { background: #fff8e1; border: 1px solid #f9a825; padding: 8px; }"


def _message_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("page_message")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _show(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def _error_text(e: BaseException, fallback: str) -> str:
    if isinstance(e, KasuharaError):
        return localized(e.text)
    log.error("first-run step failed", exc_info=e)
    return fallback


def _intro(page: QWizardPage, text: str) -> QLabel:
    """What the page is for, wrapped (a classic wizard's subtitle is cut after one line)."""
    label = QLabel(text, page)
    label.setObjectName("page_intro")
    label.setWordWrap(True)
    return label


def _machine_settings(service) -> tuple[MachineSettings, str]:
    """IT's machine.json, or none and the reason to show: a broken file does not stop the
    wizard from opening; it is said on the first page, and 完了 is refused with the same
    words until IT writes it again (whether IT's recipients would be dropped cannot be told)."""
    try:
        return service.machine_settings(), ""
    except KasuharaError as e:
        log.error("machine settings unusable in the first-run wizard: %s", e.message("en"))
        return MachineSettings(), localized(e.text)


def default_key_folder() -> Path:
    return Path.home() / "kasuhara-org-key"


class RecipientPage(QWizardPage):
    """組織の公開鍵: import the officer's recipient, or make an evaluation identity."""

    def __init__(
        self,
        service,
        tasks: TaskRunner,
        machine: MachineSettings,
        machine_error: str = "",
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = tasks
        self.busy = False
        # IT's recipients (machine.json): shown, not asked; no key file for the worker to find
        self.it_recipients = list(machine.org_recipients)
        self.recipients: list[str] = []
        self.org_files = None  # OrgIdentityFiles, once made here
        self.setTitle(self.tr("組織の公開鍵"))
        self.intro = _intro(
            self,
            self.tr(
                "録音は組織の公開鍵（受取人）あてに暗号化され、この端末では復号できません。"
                "証拠管理担当から受け取った公開鍵を登録してください。"
            )
            if not self.it_recipients
            else self.tr(
                "録音は組織の公開鍵（受取人）あてに暗号化され、この端末では復号できません。"
                "この端末の公開鍵は情報システム担当が設定済みです。「次へ」を押してください。"
            ),
        )
        self.import_choice = QRadioButton(
            self.tr("受け取った公開鍵を登録する（通常はこちら）"), self
        )
        self.import_choice.setObjectName("import_choice")
        self.evaluate_choice = QRadioButton(
            self.tr("評価用に、新しい組織の鍵をこの場で作る（本番では使わないでください）"), self
        )
        self.evaluate_choice.setObjectName("evaluate_choice")
        group = QButtonGroup(self)
        group.addButton(self.import_choice)
        group.addButton(self.evaluate_choice)
        self.import_choice.setChecked(True)

        self.import_box = QGroupBox(self)
        self.recipients_edit = QPlainTextEdit(self.import_box)
        self.recipients_edit.setObjectName("recipients")
        self.recipients_edit.setPlaceholderText(self.tr("age1… で始まる公開鍵を 1 行に 1 つ"))
        self.recipients_edit.setTabChangesFocus(True)
        self.recipients_edit.setMinimumHeight(70)
        file_button = QPushButton(self.tr("org-recipient.txt を読み込む…"), self.import_box)
        file_button.clicked.connect(self._choose_file)
        lay = QVBoxLayout(self.import_box)
        lay.addWidget(self.recipients_edit)
        lay.addWidget(file_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.evaluate_box = QGroupBox(self)
        self.passphrase = QLineEdit(self.evaluate_box)
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again = QLineEdit(self.evaluate_box)
        self.passphrase_again.setObjectName("passphrase_again")
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_folder = QLineEdit(str(default_key_folder()), self.evaluate_box)
        self.key_folder.setObjectName("key_folder")
        browse = QPushButton(self.tr("参照…"), self.evaluate_box)
        browse.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.key_folder, 1)
        folder_row.addWidget(browse)
        advice = QLabel(
            self.tr(
                "パスフレーズは 12 文字以上。関係のない単語を 4 つ以上、空白で区切って並べると、"
                "覚えやすく強くなります。忘れると録音を開けません。"
            ),
            self.evaluate_box,
        )
        advice.setWordWrap(True)
        form = QFormLayout(self.evaluate_box)
        form.addRow(self.tr("パスフレーズ:"), self.passphrase)
        form.addRow(self.tr("もう一度:"), self.passphrase_again)
        form.addRow("", advice)
        form.addRow(self.tr("秘密鍵の保存先:"), folder_row)

        self.it_box = QGroupBox(self.tr("情報システム担当が設定した組織の公開鍵"), self)
        self.it_box.setObjectName("it_recipients")
        it_text = QLabel(
            self.tr(
                "この端末の録音は、情報システム担当が端末共通の設定で指定した次の公開鍵あてに"
                "暗号化されます。入力は不要です。"
            )
            + "\n"
            + "\n".join(self.it_recipients),
            self.it_box,
        )
        it_text.setObjectName("it_recipients_text")
        it_text.setWordWrap(True)
        it_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self.it_box).addWidget(it_text)

        self.message = _message_label(self)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.it_box)
        lay.addWidget(self.import_choice)
        lay.addWidget(self.import_box)
        lay.addWidget(self.evaluate_choice)
        lay.addWidget(self.evaluate_box)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.evaluate_choice.toggled.connect(self._choice_changed)
        self._choice_changed()
        by_it = bool(self.it_recipients)
        self.it_box.setVisible(by_it)
        for w in (self.import_choice, self.import_box, self.evaluate_choice, self.evaluate_box):
            w.setVisible(not by_it)
        if machine_error:
            _show(self.message, machine_error)

    def evaluating(self) -> bool:
        return not self.it_recipients and self.evaluate_choice.isChecked()

    def _choice_changed(self, _on: bool = False) -> None:
        self.import_box.setEnabled(not self.evaluating())
        self.evaluate_box.setEnabled(self.evaluating())
        _show(self.message, "")

    def _choose_file(self) -> None:
        from kasuhara_recorder.ui.file_dialog import open_file

        path = open_file(self, self.tr("受取人ファイルを選ぶ"), Path.home(),
                         self.tr("受取人ファイル (*.txt);;すべてのファイル (*)"))  # fmt: skip
        if path is not None:
            self.load_file(path)

    def load_file(self, path: Path) -> bool:
        """Add the recipients in ``path`` to the box (a bad file changes nothing)."""
        try:
            found = read_recipients(str(path))
        except KasuharaError as e:
            _show(self.message, self._bad_recipient(e))
            return False
        have = recipient_lines(self.recipients_edit.toPlainText())
        self.recipients_edit.setPlainText("\n".join(dict.fromkeys([*have, *found])))
        _show(self.message, "")
        return True

    def _bad_recipient(self, e: KasuharaError) -> str:
        return (
            self.tr(
                "組織の公開鍵が正しくありません。age1 で始まる公開鍵（org-recipient.txt の中身）を"
                "そのまま貼り付けてください。"
            )
            + "\n"
            + localized(e.text)
        )

    def _choose_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, self.tr("秘密鍵の保存先"), str(Path.home()))
        if folder:
            self.key_folder.setText(folder)

    def isComplete(self) -> bool:
        return not self.busy

    def nextId(self) -> int:
        return PAGE_ORG_CREATED if self.evaluating() else PAGE_WORKSTATION

    def validatePage(self) -> bool:
        if self.busy:
            return False
        if self.evaluating():
            return self._validate_evaluation()
        if self.it_recipients:
            self.recipients = list(self.it_recipients)
            return True
        lines = recipient_lines(self.recipients_edit.toPlainText())
        if not lines:
            _show(self.message, self.tr("組織の公開鍵（age1…）を 1 つ以上入力してください。"))
            return False
        try:
            self.recipients = list(dict.fromkeys(parse_recipient(ln) for ln in lines))
        except BadRecipient as e:
            _show(self.message, self._bad_recipient(e))
            return False
        _show(self.message, "")
        return True

    def _validate_evaluation(self) -> bool:
        if self.org_files is not None:  # made already (the person came back): keep it
            self.recipients = [self.org_files.recipient]
            return True
        phrase, again = self.passphrase.text(), self.passphrase_again.text()
        folder_text = self.key_folder.text().strip()
        problem = self._evaluation_problem(phrase, again, folder_text)
        if problem:
            _show(self.message, problem)
            return False
        self.busy = True
        self.completeChanged.emit()
        _show(self.message, "")
        folder = Path(folder_text).expanduser()

        def make():
            from kasuhara_recorder.evidence.org_identity import init_org

            return init_org(folder, phrase)

        self.tasks.run(make, on_done=self._made, on_error=self._make_failed)
        return False

    def _evaluation_problem(self, phrase: str, again: str, folder: str) -> str:
        from kasuhara_recorder.evidence.passphrase import PassphraseTooWeak, check_new_passphrase

        if not phrase:
            return self.tr("パスフレーズを入力してください。")
        if phrase != again:
            self.passphrase_again.clear()
            return self.tr("2 回入力したパスフレーズが一致しません。もう一度入力してください。")
        if phrase != phrase.strip():
            return self.tr("パスフレーズの前後に空白があります。取り除いてください。")
        try:
            check_new_passphrase(phrase)
        except PassphraseTooWeak as e:
            return localized(e.text)
        if not folder:
            return self.tr("秘密鍵の保存先のフォルダを入力してください。")
        path = Path(folder).expanduser()
        root = self.service.paths.root
        if path == root or root in path.parents:
            return self.tr(
                "秘密鍵をデータフォルダの中に置くことはできません。別のフォルダ（USB メモリなど）"
                "を選んでください。"
            )
        existing = next((p for p in (path, *path.parents) if p.exists()), None)
        if existing is not None and not existing.is_dir():
            return self.tr("%1 はフォルダではありません。").replace("%1", str(existing))
        return ""

    def _made(self, files) -> None:
        self.busy = False
        self.org_files = files
        self.recipients = [files.recipient]
        self.passphrase.clear()  # never kept in the widget
        self.passphrase_again.clear()
        self.evaluate_box.setEnabled(False)
        self.import_choice.setEnabled(False)  # the wizard now goes on with this identity
        self.completeChanged.emit()
        self.wizard().next()

    def _make_failed(self, e: BaseException) -> None:
        self.busy = False
        self.completeChanged.emit()
        _show(
            self.message,
            _error_text(e, self.tr("鍵を作れませんでした。詳しくはログを確認してください。")),
        )


class OrgCreatedPage(QWizardPage):
    """Where the evaluation identity went, and whose it is."""

    def __init__(self, recipient_page: RecipientPage, parent=None) -> None:
        super().__init__(parent)
        self.recipient_page = recipient_page
        self.setTitle(self.tr("組織の鍵を作成しました"))
        self.text = QLabel(self)
        self.text.setObjectName("org_created_text")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning = QLabel(
            self.tr(
                "この秘密鍵ファイルは証拠管理担当者が保管するものです。窓口の端末に置いたままに"
                "しないでください。評価が終わったら証拠管理担当者に渡し（USB メモリなど）、"
                "この端末からは削除してください。パスフレーズを忘れると、録音は誰にも開けません。"
            ),
            self,
        )
        self.warning.setObjectName("org_created_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(NOTE_STYLE)
        self.show_button = QPushButton(self.tr("秘密鍵のフォルダを開く"), self)
        self.show_button.setObjectName("show_key_folder")
        self.show_button.clicked.connect(self._show_folder)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(self.warning)
        lay.addWidget(self.show_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addStretch(1)

    def initializePage(self) -> None:
        files = self.recipient_page.org_files
        if files is None:
            return
        self.text.setText(
            self.tr(
                "秘密鍵（パスフレーズで保護）を次の場所に保存しました:\n%1\n\n"
                "各端末に登録する公開鍵（受取人）:\n%2\n%3"
            )
            .replace("%1", str(files.identity))
            .replace("%2", str(files.recipient_file))
            .replace("%3", files.recipient)
        )

    def _show_folder(self) -> None:
        files = self.recipient_page.org_files
        if files is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(files.identity.parent)))

    def nextId(self) -> int:
        return PAGE_WORKSTATION


class WorkstationPage(QWizardPage):
    def __init__(self, service, machine: MachineSettings, parent=None) -> None:
        super().__init__(parent)
        s = service.settings
        self.setTitle(self.tr("端末"))
        self.intro = _intro(
            self, self.tr("この端末の名前と、使う職員の所属・名前を入力してください。")
        )
        self.workstation_name = QLineEdit(s.workstation_name or host_name(), self)
        self.workstation_name.setObjectName("workstation_name")
        self.department = QLineEdit(s.department or machine.department, self)
        self.department.setObjectName("department")
        self.staff_name = QLineEdit(s.staff_name, self)
        self.staff_name.setObjectName("staff_name")
        self.message = _message_label(self)
        form = QFormLayout()
        form.addRow(self.tr("端末名:"), self.workstation_name)
        form.addRow(self.tr("所属:"), self.department)
        form.addRow(self.tr("職員名:"), self.staff_name)
        note = QLabel(
            self.tr("端末名は録音の証明（署名）と監査記録に記録されます。所属は事案票に入ります。"),
            self,
        )
        note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(self.message)
        lay.addStretch(1)

    def validatePage(self) -> bool:
        if not self.workstation_name.text().strip():
            _show(self.message, self.tr("端末名を入力してください。"))
            self.workstation_name.setFocus()
            return False
        if not self.department.text().strip():
            _show(self.message, self.tr("所属を入力してください（例: 市民課 住民係）。"))
            self.department.setFocus()
            return False
        _show(self.message, "")
        return True


class DevicesPage(QWizardPage):
    def __init__(self, service, tasks: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = tasks
        self.setTitle(self.tr("録音装置"))
        self.intro = _intro(
            self,
            self.tr(
                "窓口と電話で使う入力装置を選び、「テスト」で音声が届くか確かめてください"
                "（テストの音声は保存しません）。"
            ),
        )
        self.counter = DeviceCheck("counter", service, tasks, self)
        self.phone = DeviceCheck("phone", service, tasks, self)
        self.message = _message_label(self)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        for title, row in ((self.tr("窓口"), self.counter), (self.tr("電話"), self.phone)):
            box = QGroupBox(title, self)
            QVBoxLayout(box).addWidget(row)
            lay.addWidget(box)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self._listed = False

    def initializePage(self) -> None:
        if self._listed:
            return
        self._listed = True
        recording = self.service.recording
        self.tasks.run(recording.input_devices, on_done=self._devices_listed,
                       on_error=self._no_devices)  # fmt: skip

    def _devices_listed(self, devices: list) -> None:
        names = [d.name for d in devices]
        self.counter.set_devices(names)
        self.phone.set_devices(names)
        if not devices:
            _show(self.message, self.tr("入力装置が見つかりません。マイクをつないでください。"))

    def _no_devices(self, e: BaseException) -> None:
        _show(self.message, _error_text(e, self.tr("入力装置を調べられませんでした。")))

    def validatePage(self) -> bool:
        if self.counter.testing or self.phone.testing:
            _show(self.message, self.tr("テストが終わるまでお待ちください。"))
            return False
        s = self.service.settings.with_changes(counter=self.counter.read(), phone=self.phone.read())
        try:
            self.service.settings_changes.check(s)
        except KasuharaError as e:
            _show(self.message, localized(e.text))
            return False
        _show(self.message, "")
        return True


class CentralPage(QWizardPage):
    def __init__(self, central_url: str = "", parent=None) -> None:
        super().__init__(parent)
        self.busy = False
        self.setTitle(self.tr("中央保管庫"))
        self.intro = _intro(
            self,
            self.tr(
                "情報システム担当者から中央保管庫の接続先を受け取っている場合だけ入力します。"
                "空欄のままなら、この端末は単独で動作します（後から参加できます）。"
            ),
        )
        self.url = QLineEdit(central_url, self)  # IT's (machine.json), if it set one
        self.url.setObjectName("central_url")
        self.url.setPlaceholderText("postgresql://counter01@db.example.lg.jp/kasuhara")
        self.skip = QCheckBox(
            self.tr("中央保管庫には後で参加する（それまでこの端末は単独で動作します）"), self
        )
        self.skip.setObjectName("skip_central")
        self.skip.hide()
        self.message = _message_label(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("接続先:"), self.url)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addWidget(self.message)
        lay.addWidget(self.skip)
        lay.addStretch(1)

    def isComplete(self) -> bool:
        return not self.busy

    def validatePage(self) -> bool:
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        return wizard.finish_setup()


class FirstRunWizard(QWizard):
    setup_done = Signal(object)  # SetupResult

    def __init__(self, service, parent=None) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = TaskRunner(self)
        self.result_ = None  # SetupResult once workstation.setup ran
        self.joined: str | None = None  # the central join's outcome
        self.setObjectName("FirstRunWizard")
        self.setWindowTitle(self.tr("初期設定"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 戻る"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("次へ >"))
        self.setButtonText(
            QWizard.WizardButton.FinishButton, self.tr("完了して録音を使えるようにする")
        )
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("後で設定する"))
        self.machine, machine_error = _machine_settings(service)
        self.recipient_page = RecipientPage(service, self.tasks, self.machine, machine_error, self)
        self.org_created_page = OrgCreatedPage(self.recipient_page, self)
        self.workstation_page = WorkstationPage(service, self.machine, self)
        self.devices_page = DevicesPage(service, self.tasks, self)
        self.central_page = CentralPage(service.settings.central_url or self.machine.central, self)
        for pid, page in (
            (PAGE_RECIPIENT, self.recipient_page),
            (PAGE_ORG_CREATED, self.org_created_page),
            (PAGE_WORKSTATION, self.workstation_page),
            (PAGE_DEVICES, self.devices_page),
            (PAGE_CENTRAL, self.central_page),
        ):
            self.setPage(pid, page)
        self.setMinimumSize(720, 560)

    def finish_setup(self) -> bool:
        """完了: what ``kasuhara-recorder setup [--central URL]`` does, on the task runner. The
        wizard closes by itself when it is done; a failed central join stays on its page."""
        page = self.central_page
        if page.busy:
            return False
        if self.result_ is not None and self.joined is not None:  # done: QWizard.done asks
            return True
        if self.result_ is not None and page.skip.isChecked():  # set up; joining later
            self.joined = ""
            self.setup_done.emit(self.result_)
            return True
        url = "" if page.skip.isChecked() else page.url.text().strip()
        service, ws, dev = self.service, self.workstation_page, self.devices_page
        recipients = list(self.recipient_page.recipients)
        name = ws.workstation_name.text().strip()
        changes = {
            "staff_name": ws.staff_name.text().strip(),
            "department": ws.department.text().strip(),
            "counter": dev.counter.read(), "phone": dev.phone.read(),
        }  # fmt: skip
        done_before = self.result_
        machine = self.machine

        def work():
            result = done_before
            if result is None:
                service.save_settings(service.settings.with_changes(**changes))
                result = service.workstation.setup(recipients, name)
                if machine.tsa_url and not service.settings.tsa_url:  # IT's TSA, as setup does
                    fingerprint = service.identity.key.fingerprint
                    service.timestamps.configure(machine.tsa_url, machine.tsa_ca, fingerprint)
            joined, failure = None, None
            if url:
                try:
                    joined = service.join_central(url)
                except KasuharaError as e:  # the PC works alone until it joins
                    failure = e
            return result, joined, failure

        page.busy = True
        page.completeChanged.emit()
        _show(page.message, "")
        page.status.setText(
            self.tr("設定しています…")
            if not url
            else self.tr("設定し、中央保管庫に接続しています…")
        )
        self.tasks.run(work, on_done=self._finished, on_error=self._failed)
        return False

    def _finished(self, outcome) -> None:
        result, joined, failure = outcome
        page = self.central_page
        page.busy = False
        page.completeChanged.emit()
        page.status.setText("")
        self.result_ = result
        if failure is not None:
            _show(
                page.message,
                self.tr("この端末は設定しましたが、中央保管庫に参加できませんでした。")
                + "\n"
                + localized(failure.text)
                + "\n"
                + self.tr(
                    "接続先を直して「完了」を押すか、下の「後で参加する」を選んで完了してください。"
                ),
            )
            page.skip.show()
            return
        self.joined = joined or ""
        self.setup_done.emit(result)
        self.accept()

    def _failed(self, e: BaseException) -> None:
        page = self.central_page
        page.busy = False
        page.completeChanged.emit()
        page.status.setText("")
        _show(
            page.message,
            self.tr("設定できませんでした。何も録音できる状態にはなっていません。")
            + "\n"
            + _error_text(e, self.tr("詳しくはログを確認してください。")),
        )

    def done(self, r: int) -> None:
        super().done(r)  # QWizard's asks the last page first (validatePage): it may stay open
        if not self.isVisible():
            self.devices_page.counter.shut_down()
            self.devices_page.phone.shut_down()
            self.tasks.wait()
