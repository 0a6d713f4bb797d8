"""設定 (ファイル → 設定…): the input presets (each tested with the level meter), the microphone
kept open and the pre-event seconds; the data folder (shown: another folder is another start,
see below), the language, the policy profile, the idle-lock minutes, the central store (shown)
and its warning hours; the roles (OS user, role, departments).

Saving goes through ``service.settings_changes.save`` on the task runner, which checks every
value and names the field that is wrong (the dialog then shows its tab and puts the cursor
there) and enters ``settings.change`` in the audit chain. The roles table takes edits only
where the PC has no roles yet or from an evidence officer; the service refuses the rest too.

The data folder is not changed here: it holds the evidence, the keys and the chain, and the app
runs on one at a time. Another folder is another start of the app (``--data-dir`` or
``KASUHARA_DATA_DIR`` in the shortcut IT installs); the dialog says so.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.config import (
    MAX_IDLE_LOCK_MINUTES,
    MAX_PRE_EVENT_S,
    MAX_RETENTION_DAYS,
    RoleGrant,
    Settings,
)
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.device_check import DeviceCheck
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.setup_dialog import ERROR_STYLE
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.settings")

ROLE_CHOICES = ("supervisor", "officer", "counter")
DEPARTMENT_SEPARATORS = ("、", ",", "，")


def split_departments(text: str) -> tuple[str, ...]:
    for sep in DEPARTMENT_SEPARATORS[1:]:
        text = text.replace(sep, DEPARTMENT_SEPARATORS[0])
    return tuple(d.strip() for d in text.split(DEPARTMENT_SEPARATORS[0]) if d.strip())


class SettingsDialog(QDialog):
    saved = Signal(object)  # SettingsChange

    def __init__(self, service, parent=None) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = TaskRunner(self)
        self.busy = False
        self.setObjectName("SettingsDialog")
        self.setWindowTitle(self.tr("設定"))
        s = service.settings
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._devices_tab(s), self.tr("録音装置"))
        self.tabs.addTab(self._workstation_tab(s), self.tr("端末"))
        self.tabs.addTab(self._roles_tab(s), self.tr("役割"))
        self.tabs.addTab(self._organisation_tab(s), self.tr("組織"))

        self.message = QLabel(self)
        self.message.setObjectName("settings_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("保存"))
        self.save_button.setObjectName("settings_save")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(680)
        recording = service.recording
        self.tasks.run(recording.input_devices, on_done=self._devices_listed,
                       on_error=lambda e: log.info("no input devices listed: %s", e))  # fmt: skip

    # --- 録音装置 ---------------------------------------------------------------------------
    def _devices_tab(self, s: Settings) -> QWidget:
        tab = QWidget(self)
        self.counter = DeviceCheck("counter", self.service, self.tasks, tab)
        self.phone = DeviceCheck("phone", self.service, self.tasks, tab)
        lay = QVBoxLayout(tab)
        for title, row in ((self.tr("窓口"), self.counter), (self.tr("電話"), self.phone)):
            box = QGroupBox(title, tab)
            QVBoxLayout(box).addWidget(row)
            lay.addWidget(box)
        self.keep_input_open = QCheckBox(self.tr("待機中もマイクを開いておく"), tab)
        self.keep_input_open.setObjectName("keep_input_open")
        self.keep_input_open.setChecked(s.keep_input_open)
        note = QLabel(
            self.tr(
                "録音開始の瞬間から録音できます。音声はメモリ内だけで扱い保存しませんが、"
                "パソコンのマイク使用中の表示は点灯したままになります。"
            ),
            tab,
        )
        note.setWordWrap(True)
        self.pre_event = QSpinBox(tab)
        self.pre_event.setObjectName("pre_event_seconds")
        self.pre_event.setRange(0, MAX_PRE_EVENT_S)
        self.pre_event.setSuffix(self.tr(" 秒"))
        self.pre_event.setSpecialValueText(self.tr("しない"))
        self.pre_event.setValue(s.pre_event_seconds)
        # a wrapped label in a form row of its own gets a tall empty row: under the box instead
        mic = QVBoxLayout()
        mic.addWidget(self.keep_input_open)
        mic.addWidget(note)
        form = QFormLayout()
        form.addRow(self.tr("マイク:"), mic)
        form.addRow(self.tr("事前録音:"), self.pre_event)
        lay.addLayout(form)
        lay.addStretch(1)
        return tab

    def _devices_listed(self, devices: list) -> None:
        names = [d.name for d in devices]
        self.counter.set_devices(names)
        self.phone.set_devices(names)

    # --- 端末 -----------------------------------------------------------------------------
    def _workstation_tab(self, s: Settings) -> QWidget:
        tab = QWidget(self)
        self.staff_name = QLineEdit(s.staff_name, tab)
        self.staff_name.setObjectName("staff_name")
        self.department = QLineEdit(s.department, tab)
        self.department.setObjectName("department")

        root = str(self.service.paths.root)
        self.data_folder = QLineEdit(root, tab)
        self.data_folder.setObjectName("data_folder")
        self.data_folder.setReadOnly(True)
        show_folder = QPushButton(self.tr("フォルダを開く"), tab)
        show_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(root)))
        folder_line = QHBoxLayout()
        folder_line.addWidget(self.data_folder, 1)
        folder_line.addWidget(show_folder)
        folder_row = QVBoxLayout()
        folder_row.addLayout(folder_line)
        folder_note = QLabel(
            self.tr(
                "録音・鍵・監査記録はこのフォルダにあります。別のフォルダを使うには、アプリを"
                "終了し、--data-dir フォルダ を付けて起動するか、環境変数 KASUHARA_DATA_DIR を"
                "設定してから起動します（情報システム担当者がショートカットで設定します）。"
            ),
            tab,
        )
        folder_note.setWordWrap(True)
        folder_row.addWidget(folder_note)

        self.language = QComboBox(tab)
        self.language.setObjectName("language")
        self.language.addItem("日本語", "ja")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(s.language)))

        self.profile = QLineEdit(s.profile, tab)
        self.profile.setObjectName("profile")
        self.profile.setPlaceholderText(self.tr("同梱の対応方針（坂出市の基本方針）"))
        browse = QPushButton(self.tr("参照…"), tab)
        browse.clicked.connect(self._choose_profile)
        bundled = QPushButton(self.tr("同梱のものに戻す"), tab)
        bundled.clicked.connect(self.profile.clear)
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile, 1)
        profile_row.addWidget(browse)
        profile_row.addWidget(bundled)

        self.idle_lock = QSpinBox(tab)
        self.idle_lock.setObjectName("idle_lock_minutes")
        self.idle_lock.setRange(1, MAX_IDLE_LOCK_MINUTES)
        self.idle_lock.setSuffix(self.tr(" 分"))
        self.idle_lock.setValue(s.idle_lock_minutes)
        self.central_url = QLineEdit(
            s.central_url or self.tr("なし（この端末は単独で動作します）"), tab
        )
        self.central_url.setObjectName("central_url")
        self.central_url.setReadOnly(True)
        self.central_warn = QSpinBox(tab)
        self.central_warn.setObjectName("central_warn_hours")
        self.central_warn.setRange(1, 24 * 365)
        self.central_warn.setSuffix(self.tr(" 時間"))
        self.central_warn.setValue(s.central_warn_hours)
        self.central_warn.setEnabled(bool(s.central_url))

        form = QFormLayout(tab)
        form.addRow(self.tr("職員名:"), self.staff_name)
        form.addRow(self.tr("所属:"), self.department)
        form.addRow(self.tr("データフォルダ:"), folder_row)
        form.addRow(self.tr("言語:"), self.language)
        form.addRow(self.tr("対応方針ファイル:"), profile_row)
        form.addRow(self.tr("鍵の自動ロック:"), self.idle_lock)
        form.addRow(self.tr("中央保管庫:"), self.central_url)
        form.addRow(self.tr("未接続の警告まで:"), self.central_warn)
        return tab

    def _choose_profile(self) -> None:
        from kasuhara_recorder.ui.file_dialog import open_file

        start = Path(self.profile.text()).parent if self.profile.text() else Path.home()
        path = open_file(self, self.tr("対応方針ファイルを選ぶ"), start,
                         self.tr("対応方針 (*.toml);;すべてのファイル (*)"))  # fmt: skip
        if path is not None:
            self.profile.setText(str(path))

    # --- 組織 -----------------------------------------------------------------------------
    def _organisation_tab(self, s: Settings) -> QWidget:
        """Retention, the time-stamping authority, the name on the poster: the organisation's
        settings, changed only by an evidence officer (or where no role is set up)."""
        tab = QWidget(self)
        self.organisation_name = QLineEdit(s.organisation_name, tab)
        self.organisation_name.setObjectName("organisation_name")
        self.organisation_name.setPlaceholderText(self.tr("対応方針の団体名（坂出市）"))
        self.retention_routine = QSpinBox(tab)
        self.retention_routine.setObjectName("retention_routine_days")
        self.retention_routine.setRange(1, MAX_RETENTION_DAYS)
        self.retention_routine.setSuffix(self.tr(" 日"))
        self.retention_routine.setValue(s.retention_routine_days)
        self.retention_closed = QSpinBox(tab)
        self.retention_closed.setObjectName("retention_closed_days")
        self.retention_closed.setRange(1, MAX_RETENTION_DAYS)
        self.retention_closed.setSuffix(self.tr(" 日"))
        self.retention_closed.setValue(s.retention_closed_days)
        retention_note = QLabel(
            self.tr(
                "保存期間を過ぎたものは起動時と同期の前に削除され、1 件ずつ監査記録に残ります。"
                "リーガルホールド中の事案のものは、期間にかかわらず削除されません。"
            ),
            tab,
        )
        retention_note.setWordWrap(True)
        self.tsa_url = QLineEdit(s.tsa_url, tab)
        self.tsa_url.setObjectName("tsa_url")
        self.tsa_url.setPlaceholderText(self.tr("なし（https://… 認定タイムスタンプ局の URL）"))
        self.tsa_ca = QLineEdit(s.tsa_ca, tab)
        self.tsa_ca.setObjectName("tsa_ca")
        browse = QPushButton(self.tr("参照…"), tab)
        browse.clicked.connect(self._choose_tsa_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.tsa_ca, 1)
        ca_row.addWidget(browse)
        self.tsa_clock_warn = QSpinBox(tab)
        self.tsa_clock_warn.setObjectName("tsa_clock_warn_minutes")
        self.tsa_clock_warn.setRange(1, 24 * 60)
        self.tsa_clock_warn.setSuffix(self.tr(" 分"))
        self.tsa_clock_warn.setValue(s.tsa_clock_warn_minutes)

        form = QFormLayout(tab)
        form.addRow(self.tr("団体名（ポスター）:"), self.organisation_name)
        form.addRow(self.tr("添付されていない録音の保存:"), self.retention_routine)
        form.addRow(self.tr("完了した事案の録音・添付の保存:"), self.retention_closed)
        form.addRow("", retention_note)
        form.addRow(self.tr("タイムスタンプ局:"), self.tsa_url)
        form.addRow(self.tr("タイムスタンプ局の CA 証明書:"), ca_row)
        form.addRow(self.tr("端末の時計のずれの警告:"), self.tsa_clock_warn)
        self.organisation_editable = self.service.settings_changes.may_edit_organisation()
        if not self.organisation_editable:
            for w in (self.organisation_name, self.retention_routine, self.retention_closed,
                      self.tsa_url, self.tsa_ca, browse, self.tsa_clock_warn):  # fmt: skip
                w.setEnabled(False)
            locked = QLabel(self.tr("組織の設定は証拠管理担当者だけが変更できます。"), tab)
            locked.setObjectName("organisation_locked")
            locked.setWordWrap(True)
            form.addRow("", locked)
        return tab

    def _choose_tsa_ca(self) -> None:
        from kasuhara_recorder.ui.file_dialog import open_file

        start = Path(self.tsa_ca.text()).parent if self.tsa_ca.text() else Path.home()
        path = open_file(self, self.tr("タイムスタンプ局の CA 証明書を選ぶ"), start,
                         self.tr("証明書 (*.pem *.crt);;すべてのファイル (*)"))  # fmt: skip
        if path is not None:
            self.tsa_ca.setText(str(path))

    # --- 役割 -----------------------------------------------------------------------------
    def _roles_tab(self, s: Settings) -> QWidget:
        tab = QWidget(self)
        self.roles_editable = self.service.settings_changes.may_edit_roles()
        if self.roles_editable and not s.roles:
            text = self.tr(
                "この端末には役割がまだ設定されていないため、誰でもすべての操作ができます。"
                "所属長と証拠管理担当の OS ユーザーを登録してください。登録後は証拠管理担当だけが"
                "変更できます。"
            )
        elif self.roles_editable:
            text = self.tr("所属長と証拠管理担当の OS ユーザーです。一覧にない人は窓口の職員です。")
        else:
            text = self.tr("役割は証拠管理担当だけが変更できます。")
        note = QLabel(text, tab)
        note.setWordWrap(True)
        self.roles = QTableWidget(0, 3, tab)
        self.roles.setObjectName("roles")
        self.roles.setHorizontalHeaderLabels(
            [self.tr("OS ユーザー"), self.tr("役割"), self.tr("担当の所属（、で区切る）")]
        )
        header = self.roles.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.roles.setColumnWidth(0, 180)
        self.roles.verticalHeader().hide()
        self.roles.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for g in s.roles:
            self.add_role_row(g)
        self.add_role = QPushButton(self.tr("追加"), tab)
        self.add_role.setObjectName("add_role")
        self.add_role.clicked.connect(lambda: self.add_role_row(RoleGrant("", "supervisor")))
        self.remove_role = QPushButton(self.tr("削除"), tab)
        self.remove_role.clicked.connect(self._remove_role_row)
        row = QHBoxLayout()
        row.addWidget(self.add_role)
        row.addWidget(self.remove_role)
        row.addStretch(1)
        lay = QVBoxLayout(tab)
        lay.addWidget(note)
        lay.addWidget(self.roles, 1)
        lay.addLayout(row)
        for w in (self.add_role, self.remove_role):
            w.setEnabled(self.roles_editable)
        if not self.roles_editable:
            self.roles.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        return tab

    def _role_label(self, code: str) -> str:
        from kasuhara_recorder.app.roles import ROLE_LABELS

        return localized(ROLE_LABELS[code])

    def add_role_row(self, grant: RoleGrant) -> int:
        r = self.roles.rowCount()
        self.roles.insertRow(r)
        self.roles.setItem(r, 0, QTableWidgetItem(grant.user))
        combo = QComboBox(self.roles)
        for code in ROLE_CHOICES:
            combo.addItem(self._role_label(code), code)
        combo.setCurrentIndex(max(0, combo.findData(grant.role)))
        combo.setEnabled(self.roles_editable)
        self.roles.setCellWidget(r, 1, combo)
        self.roles.setItem(r, 2, QTableWidgetItem("、".join(grant.departments)))
        return r

    def _remove_role_row(self) -> None:
        rows = sorted({i.row() for i in self.roles.selectedIndexes()}, reverse=True)
        for r in rows or [self.roles.rowCount() - 1]:
            if r >= 0:
                self.roles.removeRow(r)

    def read_roles(self) -> tuple[RoleGrant, ...]:
        out = []
        for r in range(self.roles.rowCount()):
            user = self.roles.item(r, 0)
            deps = self.roles.item(r, 2)
            combo = self.roles.cellWidget(r, 1)
            assert isinstance(combo, QComboBox)
            out.append(
                RoleGrant(
                    user=(user.text() if user else "").strip(),
                    role=str(combo.currentData()),
                    departments=split_departments(deps.text() if deps else ""),
                )
            )
        return tuple(out)

    # --- saving ---------------------------------------------------------------------------
    def read(self) -> Settings:
        """The settings as the dialog holds them (not checked yet)."""
        return self.service.settings.with_changes(
            counter=self.counter.read(), phone=self.phone.read(),
            keep_input_open=self.keep_input_open.isChecked(),
            pre_event_seconds=self.pre_event.value(),
            staff_name=self.staff_name.text().strip(), department=self.department.text().strip(),
            language=self.language.currentData(), profile=self.profile.text().strip(),
            idle_lock_minutes=self.idle_lock.value(), central_warn_hours=self.central_warn.value(),
            roles=self.read_roles(), organisation_name=self.organisation_name.text().strip(),
            retention_routine_days=self.retention_routine.value(),
            retention_closed_days=self.retention_closed.value(),
            tsa_url=self.tsa_url.text().strip(), tsa_ca=self.tsa_ca.text().strip(),
            tsa_clock_warn_minutes=self.tsa_clock_warn.value(),
        )  # fmt: skip

    def _show_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def save(self) -> None:
        if self.busy:
            return
        new = self.read()
        self.busy = True
        self.save_button.setEnabled(False)
        self._show_error("")
        changes = self.service.settings_changes
        self.tasks.run(lambda: changes.save(new), on_done=self._saved, on_error=self._refused)

    def _saved(self, change) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        self.saved.emit(change)
        self.accept()

    def _refused(self, e: BaseException) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        if isinstance(e, KasuharaError):
            self._show_error(localized(e.text))
            self._show_field(str(getattr(e, "field", "")))
        else:
            log.error("saving the settings failed", exc_info=e)
            self._show_error(
                self.tr("設定を保存できませんでした。詳しくはログを確認してください。")
            )

    def _show_field(self, field: str) -> None:
        """The tab of the field named wrong, and the cursor in it."""
        name = field.split(".")[0].split("[")[0]
        widgets: dict[str, QWidget] = {
            "counter": self.counter, "phone": self.phone, "pre_event_seconds": self.pre_event,
            "keep_input_open": self.keep_input_open, "staff_name": self.staff_name,
            "department": self.department, "language": self.language, "profile": self.profile,
            "idle_lock_minutes": self.idle_lock, "central_warn_hours": self.central_warn,
            "roles": self.roles, "organisation_name": self.organisation_name,
            "retention_routine_days": self.retention_routine,
            "retention_closed_days": self.retention_closed, "tsa_url": self.tsa_url,
            "tsa_ca": self.tsa_ca, "tsa_clock_warn_minutes": self.tsa_clock_warn,
        }  # fmt: skip
        widget = widgets.get(name)
        if widget is None:
            return
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if tab is not None and tab.isAncestorOf(widget):
                self.tabs.setCurrentIndex(i)
        if name == "roles" and "[" in field:
            self.roles.setCurrentCell(int(field.split("[")[1].split("]")[0]), 0)
        widget.setFocus()

    def done(self, r: int) -> None:
        self.counter.shut_down()
        self.phone.shut_down()
        self.tasks.wait()
        super().done(r)
