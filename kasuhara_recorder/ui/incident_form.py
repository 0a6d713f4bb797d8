"""The incident form's window: the whole policy on one scrollable page.

The page is the sections of ui/form_sections/, in the order the policy asks (when and where;
staff and the other party; the demand and its validity §3(1); conduct and demands §3(2)ア/イ;
the course of events with the live tags; §4 responses with time and who; attachments and
recordings). Each section loads and reads its own fields; this window folds them into the
draft, autosaves every edit to the drafts folder (off the GUI thread, atomically) so a crash
loses nothing typed, and writes 下書き保存 and 提出 to the incident store, which enters each
change in the audit chain. Only a draft takes edits.
"""

from __future__ import annotations

import logging
from functools import reduce
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.store.incident_model import (
    STATUSES,
    Incident,
    IncidentDraft,
    with_attached_markers,
)
from kasuhara_recorder.text import Text
from kasuhara_recorder.ui.form_sections.attachments import AttachmentsSection
from kasuhara_recorder.ui.form_sections.categories import CategoriesSection
from kasuhara_recorder.ui.form_sections.demand import DemandSection
from kasuhara_recorder.ui.form_sections.events import EventsSection
from kasuhara_recorder.ui.form_sections.people import PeopleSection
from kasuhara_recorder.ui.form_sections.responses import ResponsesSection
from kasuhara_recorder.ui.form_sections.section import FormSection
from kasuhara_recorder.ui.form_sections.when_where import WhenWhereSection
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.form")
AUTOSAVE_MS = 300


class IncidentForm(QWidget):
    submitted = Signal(str)  # incident id
    closed = Signal(str)
    recording_picker_shown = Signal(object)  # RecordingPicker, for tests and screenshots
    submit_confirm_shown = Signal(object)  # SubmitConfirm, for tests and screenshots

    def __init__(self, service, incident_id: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.service = service
        self.incidents = service.incidents
        self.profile = service.profile
        self.actor = service.actor
        self.incident: Incident = self.incidents.get(incident_id)
        self.tasks = TaskRunner(self, max_threads=1)  # one writer: autosaves stay in order
        self._dirty = False
        self._issues_shown = False  # after a refused 提出, the problems follow the typing
        self.setObjectName("IncidentForm")
        self.resize(980, 720)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)

        body = QWidget(self)
        self.body_layout = QVBoxLayout(body)
        self._build_header()
        profile = self.profile
        self.when_where = WhenWhereSection(body)
        self.people = PeopleSection(profile.rules.min_staff_meeting, body)
        self.demand_validity = DemandSection(profile, body)
        self.categories = CategoriesSection(profile, body)
        self.events = EventsSection(profile, body)
        self.responses = ResponsesSection(profile, self.actor, body)
        self.attachments = AttachmentsSection(body)
        self.sections: tuple[FormSection, ...] = (
            self.when_where, self.people, self.demand_validity, self.categories, self.events,
            self.responses, self.attachments,
        )  # fmt: skip
        self.section_errors: dict[str, QLabel] = {s.key: s.error_label for s in self.sections}
        for section in self.sections:
            self.body_layout.addWidget(section)
        self.body_layout.addStretch(1)
        # §4(2): the staff list warns for a meeting with too few staff
        self.when_where.location_changed.connect(self.people.set_location)
        self.attachments.file_requested.connect(self._choose_file)
        self.attachments.url_requested.connect(self._ask_url)
        self.attachments.recording_requested.connect(self.choose_recording)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.scroll = scroll  # type: ignore[assignment, method-assign]  # hides QWidget.scroll()

        self.issues_label = QLabel(self)
        self.issues_label.setObjectName("FormIssues")
        self.issues_label.setWordWrap(True)
        self.issues_label.hide()
        self.autosave_label = QLabel(self)
        self.autosave_label.setObjectName("AutosaveState")
        self.save_button = QPushButton(self.tr("下書き保存"), self)
        self.save_button.clicked.connect(self.save_draft)
        self.submit_button = QPushButton(self.tr("提出"), self)
        self.submit_button.setObjectName("SubmitButton")
        self.submit_button.clicked.connect(self.ask_to_submit)
        self.close_button = QPushButton(self.tr("閉じる"), self)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.autosave_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.close_button)

        lay = QVBoxLayout(self)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.issues_label)
        lay.addLayout(buttons)

        self._load_incident()
        for section in self.sections:
            section.changed.connect(self._changed)

    def _build_header(self) -> None:
        self.title_label = QLabel(self)
        f = self.title_label.font()
        f.setPointSize(f.pointSize() + 4)
        f.setBold(True)
        self.title_label.setFont(f)
        self.title_label.setWordWrap(True)
        self.restored_label = QLabel(self)
        self.restored_label.setObjectName("RestoredBanner")
        self.restored_label.setWordWrap(True)
        self.restored_label.setStyleSheet(
            "background: #e3f2fd; border: 1px solid #90caf9; padding: 6px; border-radius: 4px;"
        )
        self.restored_label.hide()
        self.body_layout.addWidget(self.title_label)
        self.body_layout.addWidget(self.restored_label)

    # --- the draft and the incident's state -------------------------------------------------
    def _load_incident(self) -> None:
        inc = self.incident
        draft = inc.draft
        restored = self.incidents.load_autosave(inc.id)
        if restored is not None and restored != draft:
            draft = with_attached_markers(restored, inc.draft)
            self.restored_label.setText(
                self.tr("前回閉じたときの入力内容（自動保存）を復元しました。")
            )
            self.restored_label.show()
        self.set_draft(draft)
        self._show_incident_state()

    def set_draft(self, d: IncidentDraft) -> None:
        for section in self.sections:
            section.load(d)

    def draft(self) -> IncidentDraft:
        """What the screen shows: each section's fields over the stored draft."""
        return reduce(lambda d, section: section.read(d), self.sections, self.incident.draft)

    def _show_incident_state(self) -> None:
        inc = self.incident
        status = localized(STATUSES.get(inc.status, Text.same(inc.status)))
        title = self.tr("事案 %1（%2）").replace("%1", inc.id).replace("%2", status)
        if inc.legal_hold:
            title += self.tr(" ・法的保全中")
        self.title_label.setText(title)
        self.setWindowTitle(title)
        self.attachments.show_attachments(inc.attachments)
        self._show_recordings()
        self.attachments.set_recordings_addable(inc.status != "closed")
        # Only a draft takes edits (the store refuses the rest): a submitted form that still
        # took typing, and said 自動保存しました, let the worker believe it was kept.
        editable = inc.status == "draft"
        self.submit_button.setEnabled(editable)
        self.save_button.setEnabled(editable)
        for section in self.sections:
            section.set_editable(editable)

    def _show_recordings(self) -> None:
        try:
            summaries = self.incidents.recording_summaries(self.incident.id)
        except KasuharaError as e:  # the bare ids still say which recordings there are
            log.error("recording summaries: %s", e.message("en"))
            self.attachments.show_recording_ids(self.incident.recordings)
            return
        self.attachments.show_recordings(summaries)

    # --- change tracking and autosave ----------------------------------------------------
    def _changed(self) -> None:
        if self.incident.status != "draft":
            return
        self._dirty = True
        if self._issues_shown:  # a problem fixed leaves the screen at once (validation is pure)
            self.show_issues(self.incidents.validate(self.draft()))
        self.autosave_label.setText(self.tr("入力中…"))
        self.autosave_timer.start()

    def autosave(self) -> None:
        """Write the draft file off the GUI thread; one writer thread keeps them in order."""
        if not self._dirty:
            return
        self._dirty = False
        draft, iid, incidents = self.draft(), self.incident.id, self.incidents
        self.tasks.run(
            lambda: incidents.autosave(iid, draft),  # the worker holds no widget
            on_done=lambda _r: self.autosave_label.setText(self.tr("自動保存しました")),
            on_error=self._autosave_failed,
        )

    def _autosave_failed(self, e: BaseException) -> None:
        log.error("autosave failed", exc_info=e)
        self.autosave_label.setText(
            self.tr("自動保存できませんでした。下書き保存を押してください。")
        )

    def flush_autosave(self) -> None:
        """Synchronous, for closing: nothing typed may be lost."""
        self.autosave_timer.stop()
        self.tasks.wait()
        if self._dirty:
            self._dirty = False
            self.incidents.autosave(self.incident.id, self.draft())

    # --- validation, save, submit -----------------------------------------------------------
    def show_issues(self, issues) -> None:
        by_section: dict[str, list[str]] = {s.key: [] for s in self.sections}
        for i in issues:
            if i.field == "staff" and self.people.staff_warning_shown():
                continue  # already shown live, next to the staff list
            prefix = "⚠ " if i.severity == "warning" else "✖ "
            by_section[self._section_of(i.field).key].append(prefix + localized(i.text))
        for section in self.sections:
            section.show_errors(by_section[section.key])
        errors = [i for i in issues if i.severity == "error"]
        self._issues_shown = bool(issues)
        if errors:
            self.issues_label.setText(
                self.tr("提出できません。赤字の項目を直してください（%1 件）。").replace(
                    "%1", str(len(errors))
                )
                + "\n"
                + "\n".join("✖ " + localized(i.text) for i in errors)
            )
            self.issues_label.setStyleSheet("color: #b71c1c;")
            self.issues_label.show()
        else:
            self.issues_label.hide()

    def _section_of(self, field: str) -> FormSection:
        """The section holding a problem's field ("responses[2].at" → 対応); 経過 otherwise."""
        head = field.split("[", 1)[0].split(".", 1)[0]
        return next((s for s in self.sections if head in s.fields), self.events)

    def save_draft(self) -> bool:
        self.autosave_timer.stop()
        self.tasks.wait()  # an autosave still writing must not land after the discard below
        try:
            self.incident = self.incidents.save_draft(self.incident.id, self.draft())
        except KasuharaError as e:
            QMessageBox.warning(self, self.tr("保存できません"), localized(e.text))
            return False
        # The store now holds what the screen shows; an autosave left behind (older than the
        # last typing) would come back on reopening as "restored" over the saved draft.
        self.incidents.discard_autosave(self.incident.id)
        self._dirty = False
        self.autosave_label.setText(self.tr("下書きを保存しました"))
        return True

    def ask_to_submit(self) -> None:
        """提出: what is missing is shown first; a complete form asks before it submits."""
        from kasuhara_recorder.ui.submit_confirm import SubmitConfirm

        issues = self.incidents.validate(self.draft())
        self.show_issues(issues)
        if any(i.severity == "error" for i in issues):
            return
        box = SubmitConfirm(sum(i.severity == "warning" for i in issues), self)
        box.setWindowModality(Qt.WindowModality.WindowModal)  # the recorder stays usable
        box.finished.connect(lambda _r: self._submit_answered(box))
        box.open()
        self.submit_confirm_shown.emit(box)

    def _submit_answered(self, box) -> None:
        box.deleteLater()
        if box.confirmed():
            self.submit()
        else:
            self.autosave_label.setText(self.tr("提出していません。下書きのままです。"))

    def submit(self) -> bool:
        """Submit now (after the worker confirmed); False with the issues shown if refused."""
        draft = self.draft()
        issues = self.incidents.validate(draft)
        self.show_issues(issues)
        if any(i.severity == "error" for i in issues):
            return False
        try:
            self.incident = self.incidents.submit(self.incident.id, draft)
        except KasuharaError as e:
            QMessageBox.warning(self, self.tr("提出できません"), localized(e.text))
            return False
        self._dirty = False
        self.autosave_timer.stop()
        self.tasks.wait()
        self.incidents.discard_autosave(self.incident.id)
        self._show_incident_state()
        self.autosave_label.setText(self.tr("提出しました"))
        self.submitted.emit(self.incident.id)
        return True

    # --- attachments -------------------------------------------------------------------------
    def _choose_file(self) -> None:
        from kasuhara_recorder.ui.file_dialog import open_file

        path = open_file(
            self, self.tr("添付するファイル"), Path.home(),
            self.tr("画像・PDF (*.png *.jpg *.jpeg *.gif *.webp *.pdf);;すべてのファイル (*)"),
        )  # fmt: skip
        if path is not None:
            self.attach_file(path)

    def attach_file(self, path: Path) -> None:
        """Sealing may take a while for a large file: off the GUI thread."""
        iid, incidents = self.incident.id, self.incidents
        self.autosave_label.setText(self.tr("添付ファイルを封印しています…"))
        self.tasks.run(
            lambda: incidents.add_file_attachment(iid, path),  # the worker holds no widget
            on_done=lambda _a: self._attachment_added(),
            on_error=self._attachment_failed,
        )

    def _ask_url(self) -> None:
        url, ok = QInputDialog.getText(self, self.tr("URLを追加"), self.tr("SNS投稿などのURL:"))
        if ok and url.strip():
            self.attach_url(url.strip())

    def attach_url(self, url: str) -> None:
        try:
            self.incidents.add_url_attachment(self.incident.id, url)
        except KasuharaError as e:
            self._attachment_failed(e)
            return
        self._attachment_added()

    def _attachment_added(self) -> None:
        self.incident = self.incidents.get(self.incident.id)
        self._show_incident_state()
        self.attachments.show_errors([])
        self.autosave_label.setText(self.tr("添付しました"))

    def _attachment_failed(self, e: BaseException) -> None:
        if isinstance(e, KasuharaError):
            msg = localized(e.text)
        else:
            log.error("attachment failed", exc_info=e)
            msg = self.tr(
                "添付できませんでした。もう一度選んでください。"
                "続く場合は情報システム担当者にログを渡してください。"
            )
        self.attachments.show_errors(["✖ " + msg])
        self.autosave_label.setText("")

    # --- recordings ----------------------------------------------------------------------------
    def choose_recording(self) -> None:
        """録音を追加…: the recordings no incident holds, in a small dialog (not modal to the
        app, so the main window keeps recording)."""
        from kasuhara_recorder.ui.recording_picker import RecordingPicker

        try:
            found = self.incidents.unattached_recordings()
        except KasuharaError as e:
            self._attachment_failed(e)
            return
        dialog = RecordingPicker(found, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self.attach_recording(dialog.recording_id()))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()
        self.recording_picker_shown.emit(dialog)

    def attach_recording(self, recording_id: str | None) -> None:
        """Attach through the service; a draft gains the recording's tags as markers (and
        their categories) without losing what is typed but not yet saved."""
        if not recording_id:
            return
        self.flush_autosave()  # from here on, the autosave file holds any unsaved typing
        screen = self.draft()
        try:
            after = self.incidents.attach_existing_recording(self.incident.id, recording_id)
        except KasuharaError as e:
            self._attachment_failed(e)
            return
        self._take_store_changes(after, screen)
        self.attachments.show_errors([])
        self.autosave_label.setText(self.tr("録音を追加しました"))

    def refresh_from_store(self) -> None:
        """The incident changed outside this form (a recording attached by the after-stop
        choice while the form was open): show it, keeping unsaved typing, so that the next
        save does not write back the markers as they were before."""
        self.flush_autosave()
        screen = self.draft()
        self._take_store_changes(self.incidents.get(self.incident.id), screen)

    def _take_store_changes(self, after: Incident, screen: IncidentDraft) -> None:
        self.incident = after
        if after.status == "draft":
            merged = with_attached_markers(screen, after.draft)
            if merged != screen:
                self.set_draft(merged)
                if self.incidents.load_autosave(after.id) is not None:
                    self._changed()  # the restored-on-reopen draft must have the markers too
        self._show_incident_state()

    # --- closing ---------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.flush_autosave()
        self.tasks.wait()
        self.closed.emit(self.incident.id)
        super().closeEvent(event)
