"""The main window: composes the record panel, the live tags and the tray, and runs the
after-stop flow. Thin by design — recording goes through the controller, incidents through
``service.incidents``; no SQL, crypto or audio here."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui import preload
from kasuhara_recorder.ui.format import clock
from kasuhara_recorder.ui.i18n import current_language, localized
from kasuhara_recorder.ui.record_panel import RecordPanel
from kasuhara_recorder.ui.recording_controller import RecordingController
from kasuhara_recorder.ui.sync_status import SyncStatusLine
from kasuhara_recorder.ui.tag_panel import TagPanel
from kasuhara_recorder.ui.task_runner import TaskRunner
from kasuhara_recorder.ui.tray import Tray

if TYPE_CHECKING:
    from kasuhara_recorder.ui.after_stop_dialog import AfterStopDialog
    from kasuhara_recorder.ui.audit_viewer import AuditViewer
    from kasuhara_recorder.ui.export_wizard import ExportWizard
    from kasuhara_recorder.ui.first_run_wizard import FirstRunWizard
    from kasuhara_recorder.ui.incident_form import IncidentForm
    from kasuhara_recorder.ui.incident_list import IncidentListWindow
    from kasuhara_recorder.ui.player_launcher import PlayerLauncher
    from kasuhara_recorder.ui.settings_dialog import SettingsDialog
    from kasuhara_recorder.ui.setup_dialog import SetupDialog
    from kasuhara_recorder.ui.verify_dialog import VerifyDialog
# Dialogs and the form are imported when first needed: startup shows only the recorder.

log = logging.getLogger("kasuhara.ui")
MAX_REOPENED_FORMS = 5  # more unsaved forms than that would bury the recorder at start


class MainWindow(QMainWindow):
    language_change_requested = Signal(str)
    incident_form_opened = Signal(object)  # IncidentForm
    after_stop_shown = Signal(object)  # AfterStopDialog, for tests and screenshots
    dialog_opened = Signal(object)  # ExportWizard, SetupDialog or VerifyDialog (same reason)
    recovery_finished = Signal(object)  # list of recovered manifests (empty: nothing to do)
    recovery_shown = Signal(object)  # RecoveryNotice, or the QMessageBox of a recovery error
    partial_exports_swept = Signal(object)  # what a killed export left: list of SweepOutcome
    retention_ran = Signal(object)  # RetentionResult of the run at start
    poster_saved = Signal(str)  # the poster PDF's path

    def __init__(self, service) -> None:
        super().__init__()
        self.service = service
        self.forms: dict[str, IncidentForm] = {}
        self.incident_list: IncidentListWindow | None = None
        self._quitting = False
        self._discarded = False
        self.recovering = False
        self._after_stop_queue: list = []  # recovered recordings waiting for the after-stop choice
        self._players: PlayerLauncher | None = None  # made when a recording is first played
        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("カスハラ録音"))
        profile = service.profile
        self.tasks = TaskRunner(self)
        self.controller = RecordingController(service, self.tasks, self)

        self.record_panel = RecordPanel(
            profile.rules.warning_seconds, profile.rules.limit_seconds, self
        )
        self.record_panel.notice_sentence = profile.notice.counter.ja  # the words to say
        self.tag_panel = TagPanel(profile, self)
        self.setup_banner = self._build_setup_banner()
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.addWidget(self.setup_banner)
        lay = QHBoxLayout()
        lay.addWidget(self.record_panel, 2)
        lay.addWidget(self.tag_panel, 3)
        outer.addLayout(lay, 1)
        self.setCentralWidget(central)
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label, 1)
        self.sync_line: SyncStatusLine | None = None  # only with a central store
        if service.settings.central_url:
            self.sync_line = SyncStatusLine(service, lambda: self.controller.active, self)
            self.statusBar().addPermanentWidget(self.sync_line)
        self.tray = Tray(self)
        self.tray.show_requested.connect(self.bring_forward)
        self._build_menus()

        rp, c = self.record_panel, self.controller
        rp.start_requested.connect(self.start_recording)
        rp.stop_requested.connect(self.stop_recording)
        rp.channel_changed.connect(self._channel_changed)
        c.busy.connect(rp.set_busy)
        c.started.connect(self._on_started)
        c.progress.connect(rp.show_progress)
        c.message.connect(rp.show_message)
        c.start_failed.connect(self._on_start_failed)
        c.tagged.connect(self.tag_panel.add_marker)
        c.stopped.connect(self._on_stopped)
        self.tag_panel.tag_requested.connect(c.tag)
        rp.notice_requested.connect(c.give_notice)
        c.notice_given.connect(rp.notice.show_given)
        self._show_device()
        self.status_label.setText(self._signed_in_text())
        self.show_setup_state()
        self.resize(1280, 700)
        self.record_panel.record_button.setFocus()
        self.recover_unfinished()

    # --- menus --------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("ファイル(&F)"))
        setup_action = QAction(self.tr("端末設定…"), self)
        setup_action.triggered.connect(self.open_setup)
        file_menu.addAction(setup_action)
        settings_action = QAction(self.tr("設定…"), self)
        settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(settings_action)
        poster_action = QAction(self.tr("録音告知のポスターを書き出す（PDF）…"), self)
        poster_action.triggered.connect(self.save_poster)
        file_menu.addAction(poster_action)
        announcement_action = QAction(self.tr("電話の録音告知を録音…"), self)
        announcement_action.triggered.connect(self.open_announcement)
        file_menu.addAction(announcement_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("終了(&Q)"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        incident_menu = self.menuBar().addMenu(self.tr("事案(&I)"))
        new_action = QAction(self.tr("新しい事案票（録音なし）"), self)
        new_action.triggered.connect(lambda: self.open_new_incident(None, []))
        list_action = QAction(self.tr("事案一覧…"), self)
        list_action.setShortcut(QKeySequence("Ctrl+L"))
        list_action.triggered.connect(self.open_incident_list)
        incident_menu.addAction(new_action)
        incident_menu.addAction(list_action)
        incident_menu.addSeparator()
        export_action = QAction(self.tr("証拠パッケージを書き出す…"), self)
        export_action.triggered.connect(lambda: self.open_export())
        verify_action = QAction(self.tr("証拠パッケージを検証する…"), self)
        verify_action.triggered.connect(self.open_verify)
        incident_menu.addAction(export_action)
        incident_menu.addAction(verify_action)
        export_action.setVisible(self.service.roles.current().may("export"))
        self.menu_actions = {
            "setup": setup_action, "export": export_action, "verify": verify_action,
            "incident_list": list_action, "settings": settings_action,
            "poster": poster_action, "announcement": announcement_action,
        }  # fmt: skip
        if self.service.roles.current().may("recording.listen"):  # officers (or no role set-up)
            play_action = QAction(self.tr("録音を再生…"), self)
            play_action.triggered.connect(self.choose_recording_to_play)
            incident_menu.addAction(play_action)
            self.menu_actions["play"] = play_action
        incident_menu.addSeparator()
        stats_action = QAction(self.tr("統計…"), self)  # supervisors and officers
        stats_action.triggered.connect(self.open_statistics)
        stats_action.setVisible(self.service.roles.current().may("statistics"))
        incident_menu.addAction(stats_action)
        self.menu_actions["statistics"] = stats_action
        if self.service.roles.current().may("audit.view"):
            audit_action = QAction(self.tr("監査記録…"), self)
            audit_action.triggered.connect(lambda: self.open_audit_viewer())
            incident_menu.addAction(audit_action)
            self.menu_actions["audit"] = audit_action
        view = self.menuBar().addMenu(self.tr("表示(&V)"))
        lang_menu = view.addMenu(self.tr("言語 / Language"))
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, label in (("ja", "日本語"), ("en", "English")):
            a = QAction(label, self, checkable=True)
            a.setChecked(code == current_language())
            a.triggered.connect(lambda _=False, code=code: self.request_language(code))
            group.addAction(a)
            lang_menu.addAction(a)
            self.language_actions[code] = a

    def open_announcement(self) -> None:
        """ファイル → 電話の録音告知を録音 (ui/announcement_dialog.py)."""
        from kasuhara_recorder.ui.announcement_dialog import AnnouncementDialog

        dialog = AnnouncementDialog(self.service, self)
        dialog.open()
        self.dialog_opened.emit(dialog)

    def save_poster(self, out: Path | None = None) -> None:
        """ファイル → 録音告知のポスター: the A4 poster (§5(1)) to a PDF the worker chooses."""
        import kasuhara_recorder.bundle.poster_pdf  # noqa: F401 - imported here, not on a worker
        from kasuhara_recorder.atomic_file import write_atomic
        from kasuhara_recorder.ui.file_dialog import save_file

        if out is None:
            out = save_file(
                self, self.tr("録音告知のポスターの保存先"),
                Path.home() / "recording-notice-poster.pdf", self.tr("PDF (*.pdf)"),
            )  # fmt: skip
        if out is None:
            return
        target = out

        def work() -> Path:
            write_atomic(target, self.service.poster_pdf())
            return target

        def done(path: Path) -> None:
            self.statusBar().showMessage(
                self.tr("ポスターを保存しました: %1").replace("%1", str(path)), 10_000
            )
            self.poster_saved.emit(str(path))

        def failed(e: BaseException) -> None:
            self.record_panel.show_message(
                self.tr("ポスターを保存できませんでした: %1").replace("%1", str(e)), True
            )

        self.tasks.run(work, on_done=done, on_error=failed)

    def request_language(self, lang: str) -> None:
        if lang == current_language():
            return
        if self.recovering:  # a second window must not recover the same files at once
            self.language_actions[current_language()].setChecked(True)
            return
        if self.controller.active:  # also while it starts or seals: the window is rebuilt
            QMessageBox.information(
                self,
                self.tr("言語の切り替え"),
                self.tr("録音中は言語を切り替えられません。停止してから切り替えてください。"),
            )
            self.language_actions[current_language()].setChecked(True)
            return
        self.language_change_requested.emit(lang)

    def _signed_in_text(self) -> str:
        s = self.service.settings
        who = s.staff_name or self.service.actor
        text = self.tr("職員: %1").replace("%1", who)
        if s.department:
            text += "  /  " + self.tr("所属: %1").replace("%1", s.department)
        return text

    def _channel_changed(self, _channel: str) -> None:
        self._show_device()
        self.keep_input_open()

    def keep_input_open(self) -> None:
        """Open the chosen channel's device and keep it running while idle (settings allow),
        off the GUI thread: a first open took up to 2 s. 録音開始 then records from the press."""
        if self._discarded or self.recovering or not self.is_set_up() or self.controller.active:
            return
        recording, channel = self.service.recording, self.record_panel.channel()
        if self.service.settings.keep_input_open and recording.warm_input(channel) is None:
            self.record_panel.set_input_note(None)  # until audio flows (up to 2 s)
        self.tasks.run(lambda: recording.warm_up(channel), on_done=self._input_kept_open)

    def _input_kept_open(self, kept_open: bool) -> None:
        if not self._discarded:
            s = self.service.settings
            self.record_panel.set_input_note(kept_open, s.pre_event_seconds if kept_open else 0)

    def _show_device(self) -> None:
        s = self.service.settings
        preset = s.phone if self.record_panel.channel() == "phone" else s.counter
        self.record_panel.set_device(preset.device or self.tr("既定の入力装置"))

    # --- set-up state -------------------------------------------------------------------------
    def _build_setup_banner(self) -> QFrame:
        banner = QFrame(self)
        banner.setObjectName("SetupBanner")
        banner.setStyleSheet(
            "QFrame#SetupBanner { background: #fff8e1; border: 2px solid #f9a825;"
            " border-radius: 6px; }"
        )
        text = QLabel(
            self.tr(
                "この端末は未設定です。録音はまだできません。"
                "情報システム担当者が「初期設定」で組織の公開鍵を登録すると、録音できるようになります。"
            ),
            banner,
        )
        text.setObjectName("SetupBannerText")
        text.setWordWrap(True)
        f = text.font()
        f.setPointSize(f.pointSize() + 2)
        f.setBold(True)
        text.setFont(f)
        self.setup_button = QPushButton(self.tr("初期設定…"), banner)
        self.setup_button.setObjectName("SetupButton")
        self.setup_button.setMinimumHeight(40)
        self.setup_button.clicked.connect(self.open_first_run_wizard)
        lay = QHBoxLayout(banner)
        lay.addWidget(text, 1)
        lay.addWidget(self.setup_button)
        return banner

    def is_set_up(self) -> bool:
        return self.service.is_set_up  # without loading the crypto stack before the first paint

    def show_setup_state(self) -> None:
        ready = self.is_set_up()
        self.setup_banner.setVisible(not ready)
        if not ready:
            reason = self.tr("この端末は未設定です。初期設定を行ってください。")
        else:
            reason = self.tr("前回の録音を確認しています。少しお待ちください。")
        self.record_panel.set_blocked(not ready or self.recovering, reason)
        self.status_label.setText(self._signed_in_text())

    # --- recovery at start ----------------------------------------------------------------------
    def recover_unfinished(self) -> None:
        """Close what a crash left open before 録音開始 is enabled; off the GUI thread, since it
        hashes whole files. A failure is shown and never keeps the worker from recording."""
        from kasuhara_recorder.bundle.partial_ledger import has_records

        recordings = self.service.vault.may_need_recovery()
        exports = has_records(self.service.paths.partial_exports)  # a killed export's leftovers
        if not recordings and not exports:  # the usual start: all closed
            QTimer.singleShot(0, self, lambda: self._recovered([]))
            return
        self.recovering = True
        self.show_setup_state()
        service = self.service

        def work() -> tuple[list, list]:
            swept = []
            if exports:
                try:  # plaintext on a stick first; never in the way of recovering recordings
                    swept = service.export.remove_partials()
                except Exception:
                    log.exception("removing what an interrupted export left failed")
            return swept, [r.manifest for r in service.recording.recover()] if recordings else []

        def done(outcome: tuple[list, list]) -> None:
            self._partial_exports_swept(outcome[0])
            self._recovered(outcome[1])

        self.tasks.run(work, on_done=done, on_error=self._recovery_failed)

    def _partial_exports_swept(self, outcomes: list) -> None:
        """Tell the officer what an interrupted export left (already entered in the chain)."""
        self.partial_exports_swept.emit(outcomes)
        removed = [o for o in outcomes if o.action == "removed"]
        if removed:
            self.statusBar().showMessage(
                self.tr("中断した書き出しが残したファイルを削除しました（%1 件）").replace(
                    "%1", str(len(removed))
                ),
                15000,
            )
        left = [o for o in outcomes if o.action in ("unreachable", "kept")]
        if not left or self._discarded:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("書きかけの証拠パッケージ"),
            self.tr(
                "前回中断した書き出しの書きかけのファイル（録音の音声を含みます）が、次の保存先に"
                "残っている可能性があります。その USB メモリや共有フォルダをつないで、アプリを起動"
                "し直してください（自動で削除します）。\n\n%1"
            ).replace("%1", "\n".join(str(o.path) for o in left)),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("PartialExportsLeft")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _recovery_over(self) -> None:
        self.recovering = False
        if not self._discarded:
            self.show_setup_state()
            self.reopen_unsaved_forms()
            # Load the recording stack now, a module at a time on this thread (workers never
            # import: ui/preload.py), rather than on the first press; then open the input.
            preload.load_in_steps(self, then=self._ready)

    def _ready(self) -> None:
        self.keep_input_open()
        if self.sync_line is not None and not self._discarded:
            self.sync_line.start()
        self._run_retention()

    def _run_retention(self) -> None:
        """Retention at start (app/retention.py): what is past its period goes, one audit entry
        each; off the GUI thread, and a failure never keeps anyone from recording."""
        if self._discarded or not self.is_set_up():
            return
        service = self.service

        def done(result) -> None:
            self.retention_ran.emit(result)
            if result.purged:
                self.statusBar().showMessage(
                    self.tr("保存期間を過ぎた録音・添付 %1 件を削除しました（監査記録に記載）")
                    .replace("%1", str(len(result.purged))),
                    15000,
                )  # fmt: skip

        self.tasks.run(
            lambda: service.retention.run(trigger="app_start"),
            on_done=done,
            on_error=lambda e: log.error("retention at start failed: %s", e),
        )

    def sync_soon(self) -> None:
        """Something new to send (a recording saved, an incident made): a sync shortly."""
        if self.sync_line is not None and not self._quitting:
            self.sync_line.sync_soon()

    def _recovered(self, manifests: list) -> None:
        self._recovery_over()
        self._timestamps_at_start()
        self.recovery_finished.emit(manifests)
        if not manifests or self._discarded:
            return
        from kasuhara_recorder.ui.recovery_notice import RecoveryNotice

        log.info("recovered at start: %s", ", ".join(m.id for m in manifests))
        box = RecoveryNotice(manifests, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._recovery_answered(box, manifests))
        box.open()
        self.recovery_shown.emit(box)

    def _timestamps_at_start(self) -> None:
        """RFC 3161 (app/timestamp_service.py): the requests no TSA answered yet, sent again,
        and the chain's head if none was stamped in 24 hours; on a worker, after recovery, so
        never in the way of 録音開始."""
        service = self.service
        if self._discarded or not service.is_set_up or not service.settings.tsa_url:
            return
        stamps = service.timestamps  # built here, on the GUI thread

        def work() -> None:
            stamps.retry()
            stamps.daily()

        self.tasks.run(
            work, on_error=lambda e: log.warning("time-stamps at start failed", exc_info=e)
        )

    def _recovery_answered(self, box, manifests: list) -> None:
        if not box.wants_attach():
            self.statusBar().showMessage(
                self.tr("復旧した録音は保存されています（%1 件）").replace(
                    "%1", str(len(manifests))
                ),
                10000,
            )
            return
        self._after_stop_queue = list(manifests)
        self._next_recovered()

    def _next_recovered(self) -> None:
        """One after-stop choice per recovered recording, the same flow as after 停止."""
        if not self._after_stop_queue or self.is_recording():
            self._after_stop_queue = []
            return
        manifest = self._after_stop_queue.pop(0)
        from kasuhara_recorder.store.incident_model import Marker

        markers = [Marker(code=t.code, offset_ms=t.offset_ms, note=t.note, who=t.who)
                   for t in manifest.tags]  # fmt: skip
        self.ask_after_stop(manifest, markers, then=self._next_recovered)

    def _recovery_failed(self, e: BaseException) -> None:
        self._recovery_over()
        self.recovery_finished.emit([])
        if self._discarded:
            return
        if isinstance(e, KasuharaError):
            detail = localized(e.text)
        else:
            log.error("recovery at start failed", exc_info=e)
            detail = self.tr("詳しくはログを確認してください。")
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("前回の録音を復旧できませんでした"),
            self.tr(
                "前回途中で終わった録音の復旧に失敗しました。新しい録音はこのまま行えます。\n"
                "録音ファイルは消さずに残しています。情報システム担当者に連絡してください。"
            )
            + "\n\n"
            + detail,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("RecoveryError")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.recovery_shown.emit(box)

    def reopen_unsaved_forms(self) -> None:
        """A form whose typing was never saved (the app was killed, or closed with the form
        open) comes back by itself with its restored banner: the worker may not remember to
        look for it. 下書き保存 or 提出 ends that."""
        incidents = self.service.incidents
        reopened = False
        for iid in incidents.drafts.ids()[:MAX_REOPENED_FORMS]:
            if iid in self.forms:
                continue
            try:
                inc = incidents.get(iid)
                unsaved = inc.status == "draft" and incidents.load_autosave(iid) != inc.draft
            except (KasuharaError, ValueError) as e:  # never keep the recorder from starting
                log.error("autosaved draft %s not reopened: %s", iid, e)
                continue
            if unsaved:
                self.open_incident(iid)
                reopened = True
        if reopened:  # F9 belongs to the recorder: keep it the active window
            self.raise_()
            self.activateWindow()

    def open_setup(self) -> SetupDialog | None:
        from kasuhara_recorder.ui.setup_dialog import SetupDialog

        if self.is_recording():
            QMessageBox.information(
                self,
                self.tr("端末設定"),
                self.tr("録音中は端末設定を変更できません。停止してから行ってください。"),
            )
            return None
        dialog = SetupDialog(self.service, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setup_done.connect(self._setup_done)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def open_first_run_wizard(self) -> FirstRunWizard | None:
        """初期設定: shown at start on a data folder not set up, and from the banner."""
        from kasuhara_recorder.ui.first_run_wizard import FirstRunWizard

        if self.is_recording():
            return None
        wizard = FirstRunWizard(self.service, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.setup_done.connect(self._setup_done)
        wizard.open()
        self.dialog_opened.emit(wizard)
        return wizard

    def _setup_done(self, result) -> None:
        if self.sync_line is None and self.service.settings.central_url:  # joined just now
            self.sync_line = SyncStatusLine(self.service, lambda: self.controller.active, self)
            self.statusBar().addPermanentWidget(self.sync_line)
            if not self.recovering:
                self.sync_line.start()
        self.show_setup_state()
        self.keep_input_open()
        self.statusBar().showMessage(
            self.tr("端末設定を保存しました。録音できます。（端末名: %1）").replace(
                "%1", result.workstation_name
            ),
            10000,
        )
        self.record_panel.record_button.setFocus()

    def open_settings(self) -> SettingsDialog | None:
        from kasuhara_recorder.ui.settings_dialog import SettingsDialog

        if self.controller.active:
            QMessageBox.information(
                self,
                self.tr("設定"),
                self.tr("録音中は設定を変更できません。停止してから行ってください。"),
            )
            return None
        dialog = SettingsDialog(self.service, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._settings_saved)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _settings_saved(self, change) -> None:
        if not change.changed:
            return
        self._show_device()
        self.status_label.setText(self._signed_in_text())
        self.keep_input_open()  # the new preset's device, or none
        text = self.tr("設定を保存しました。")
        if change.needs_restart:
            text += self.tr("対応方針はアプリを起動し直すと切り替わります。")
        self.statusBar().showMessage(text, 10000)
        if "language" in change.changed:
            self.request_language(change.settings.language)

    # --- evidence bundles -----------------------------------------------------------------------
    def open_export(self, incident_id: str | None = None) -> ExportWizard:
        from kasuhara_recorder.ui.export_wizard import ExportWizard

        wizard = ExportWizard(self.service, self.tasks, self, incident_id=incident_id)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.open()
        self.dialog_opened.emit(wizard)
        return wizard

    def open_verify(self) -> VerifyDialog:
        from kasuhara_recorder.ui.verify_dialog import VerifyDialog

        dialog = VerifyDialog(self.service.export, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def open_statistics(self):
        from kasuhara_recorder.ui.statistics_view import StatisticsView

        view = StatisticsView(self.service, self.tasks, self)
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.show()
        view.refresh()
        self.dialog_opened.emit(view)
        return view

    def open_audit_viewer(self, incident_id: str | None = None) -> AuditViewer | None:
        """The audit chain of ``incident_id`` (its recordings' and attachments' too), or all;
        refused with a message for a role without ``audit.view``."""
        from kasuhara_recorder.app.roles import ACTIONS, RoleRefused
        from kasuhara_recorder.ui.audit_viewer import AuditViewer

        role = self.service.roles.current()
        if not role.may("audit.view"):
            refusal = RoleRefused(role.user, role=role.label, action=ACTIONS["audit.view"])
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("監査記録"),
                localized(refusal.text),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setObjectName("AuditRefused")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.dialog_opened.emit(box)
            return None
        viewer = AuditViewer(self.service, self.tasks, self, incident_id=incident_id)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        self.dialog_opened.emit(viewer)
        return viewer

    # --- officer playback (ui/player_launcher.py) --------------------------------------------
    def open_player(self, recording_id: str) -> None:
        """Play a recording: refused for a role that may not listen, the key unlocked first."""
        if self._players is None:
            from kasuhara_recorder.ui.player_launcher import PlayerLauncher

            self._players = PlayerLauncher(self.service, self.tasks, self)
            self._players.shown.connect(self.dialog_opened.emit)
        self._players.open(recording_id)

    def choose_recording_to_play(self) -> None:
        from kasuhara_recorder.ui.recording_picker import RecordingPicker

        picker = RecordingPicker(self.service.incidents.all_recordings(), self, purpose="play")
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.accepted.connect(lambda: self.open_player(picker.recording_id() or ""))
        picker.open()
        self.dialog_opened.emit(picker)

    def bring_forward(self) -> None:
        """The tray's 表示, or a second start of the app on this data folder."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # --- recording ----------------------------------------------------------------------
    def is_recording(self) -> bool:
        return self.controller.recording

    def start_recording(self, channel: str, **options) -> None:
        self.tag_panel.clear_markers()
        self.record_panel.show_message("")
        self.controller.start(channel, **options)

    def stop_recording(self) -> None:
        self.controller.request_stop()

    def _on_started(self, channel: str) -> None:
        self.record_panel.show_recording(channel)
        self.tag_panel.set_enabled_tags(True)
        self.tray.set_recording(True)
        self.setWindowTitle(self.tr("● 録音中 — カスハラ録音"))

    def _on_start_failed(self, text: str) -> None:
        self.record_panel.show_idle()
        self.record_panel.show_message(text, severe=True)

    def _on_stopped(self, manifest, markers) -> None:
        self.record_panel.show_idle()
        self.tag_panel.set_enabled_tags(False)
        self.tray.set_recording(False)
        self.setWindowTitle(self.tr("カスハラ録音"))
        if manifest is None or self._quitting:
            return
        self.sync_soon()
        # notes typed into the marker list while recording win over the empty ones stamped
        markers = self.tag_panel.markers() or markers
        self.ask_after_stop(manifest, markers)

    def _summary(self, manifest, markers) -> str:
        text = (
            self.tr("録音 %1 ・ 長さ %2 ・ タグ %3 件")
            .replace("%1", str(getattr(manifest, "id", "")))
            .replace("%2", clock(getattr(manifest, "duration_ms", 0) / 1000))
            .replace("%3", str(len(markers)))
        )
        status = getattr(manifest, "status", "")
        # A recording cut short: the reason stays in view (the message it replaced in the
        # record panel is hidden behind this modal choice).
        if status == "device_lost":
            text += "\n" + self.tr(
                "録音装置が使えなくなったため、録音は途中で止まりました。止まるまでの録音は"
                "保存されています。マイクの接続を確認してください。"
            )
        elif status == "disk_full":
            text += "\n" + self.tr(
                "ディスクの空き容量がなくなったため、録音は途中で止まりました。保存できた部分"
                "までを封印しました。空き容量を確保してから、新しい録音を始めてください。"
            )
        if status == "recovered":
            text += "\n" + self.tr("（前回途中で終わったため復旧した録音です。開始 %1）").replace(
                "%1", str(manifest.started_at)[:19].replace("T", " ")
            )
        return text

    def ask_after_stop(self, manifest, markers, then=None) -> None:
        from kasuhara_recorder.ui.after_stop_dialog import AfterStopDialog

        open_incidents = [
            (i.id, f"{i.id}  {i.draft.occurred_at[:16].replace('T', ' ')}  {i.draft.department}")
            for i in self.service.incidents.list(open_only=True)
        ]
        dialog = AfterStopDialog(self._summary(manifest, markers), open_incidents, self)
        dialog.setModal(True)
        dialog.finished.connect(lambda _r: self._after_stop_chosen(dialog, manifest, markers, then))
        dialog.open()
        self.after_stop_shown.emit(dialog)

    def _after_stop_chosen(self, dialog: AfterStopDialog, manifest, markers, then=None) -> None:
        from kasuhara_recorder.ui.after_stop_dialog import EXISTING, NEW

        choice, incident_id = dialog.result_choice()
        dialog.deleteLater()
        try:
            if choice == NEW:
                self.open_new_incident(manifest, markers)
            elif choice == EXISTING and incident_id:
                self.service.incidents.attach_recording(incident_id, manifest, markers)
                self.open_incident(incident_id)
            else:
                self.service.incidents.keep_routine(manifest, markers)
                self.statusBar().showMessage(self.tr("通常の録音として保存しました"), 8000)
        except KasuharaError as e:
            QMessageBox.warning(
                self,
                self.tr("事案に登録できません"),
                localized(e.text)
                + "\n\n"
                + self.tr(
                    "録音は保存されています。事案票の「録音を追加…」から後で事案に追加できます。"
                ),
            )
        self.sync_soon()
        if then is not None:
            then()

    # --- incidents ----------------------------------------------------------------------
    def open_new_incident(self, manifest, markers) -> IncidentForm:
        incident = self.service.incidents.create_from_recording(manifest, markers)
        return self.open_incident(incident.id)

    def open_incident(self, incident_id: str) -> IncidentForm:
        from kasuhara_recorder.ui.incident_form import IncidentForm

        form = self.forms.get(incident_id)
        if form is None:
            form = IncidentForm(self.service, incident_id, None)
            form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            form.closed.connect(lambda iid: self.forms.pop(iid, None))
            self.forms[incident_id] = form
        else:  # e.g. a recording was just attached to it: show it, keep the unsaved typing
            form.refresh_from_store()
        form.show()
        form.raise_()
        self.incident_form_opened.emit(form)
        return form

    def open_incident_list(self) -> IncidentListWindow:
        """事案一覧 (ui/incident_list.py): one window, brought forward when open again. Its
        detail views' 再生 (``play_requested``) and 監査記録… (``audit_requested``) are for
        the player and the audit viewer."""
        from kasuhara_recorder.ui.incident_list import IncidentListWindow

        if self.incident_list is None:
            window = self.incident_list = IncidentListWindow(self.service)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.destroyed.connect(self._incident_list_gone)
            window.form_requested.connect(self.open_incident)
            window.play_requested.connect(self.open_player)
            window.audit_requested.connect(self.open_audit_viewer)
            window.incident_changed.connect(lambda _iid: self.sync_soon())
        self.incident_list.show()
        self.incident_list.raise_()
        self.dialog_opened.emit(self.incident_list)
        return self.incident_list

    def _incident_list_gone(self, _obj=None) -> None:
        self.incident_list = None

    # --- closing ----------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if self._discarded:
            event.accept()
            return
        if self.controller.stopping:
            # already sealing: nothing to ask; wait for it, then quit
            self._quitting = True
            self.controller.stop_and_wait()
        elif self.controller.active:  # recording, or starting to
            answer = QMessageBox.question(
                self,
                self.tr("録音中です"),
                self.tr("録音中です。録音を停止して封印（保存）してから終了しますか？"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self._quitting = True
            self.controller.stop_and_wait()
        if self.sync_line is not None:
            self.sync_line.close_down()
        for form in list(self.forms.values()):
            form.close()
        if self._players is not None:
            self._players.close_all()
        if self.incident_list is not None:
            self.incident_list.close()
        self.tasks.wait()
        self.tray.hide()
        event.accept()

    def discard(self) -> None:
        """Replaced by a new window (language switch): close without questions."""
        self._quitting = True
        self.controller.stop_and_wait()  # refused while recording; never leave one running
        if self.sync_line is not None:
            self.sync_line.close_down()
        for form in list(self.forms.values()):
            form.close()
        if self._players is not None:
            self._players.close_all()
        if self.incident_list is not None:
            self.incident_list.close()
        self._discarded = True
        self.tasks.wait()
        self.tray.hide()
        self.close()
        self.deleteLater()
