"""The incident form: the whole policy on one scrollable page.

Sections follow what the policy asks (when; where; department; staff; the other party; the
demand and its validity §3(1); conduct and demands §3(2)ア/イ; the course of events; §4
responses with time and who; injuries or damage; attachments). Every edit is autosaved to the
drafts folder (off the GUI thread, atomically), so a crash loses nothing typed; 下書き保存 and
提出 write to the incident store, which enters each change in the audit chain.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.store.incident_model import (
    LOCATIONS,
    STATUSES,
    Incident,
    IncidentDraft,
    Marker,
    OtherParty,
    ResponseAction,
    StaffMember,
    with_attached_markers,
)
from kasuhara_recorder.ui.format import offset
from kasuhara_recorder.ui.tag_panel import short_label
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.form")
AUTOSAVE_MS = 300


_NOT_SET = QDateTime(QDate(2000, 1, 1), QTime(0, 0))  # a response row's "no time yet"


def _to_qdt(iso: str) -> QDateTime:
    try:
        t = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return QDateTime.currentDateTime()
    if t.tzinfo is not None:
        t = t.astimezone().replace(tzinfo=None)
    return QDateTime(t)


def _to_iso(q: QDateTime) -> str:
    return q.toPython().replace(microsecond=0).astimezone().isoformat()


class _ResponseRow:
    """One §4 response: done?, when, who, a note."""

    def __init__(self, form: IncidentForm, code: str, label: str, tip: str, stamps: bool):
        self.code = code
        self.check = QCheckBox(label, form)
        self.check.setToolTip(tip)
        self.check.setObjectName(f"response:{code}")
        self.at = QDateTimeEdit(form)
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        # Not done yet: the field shows a dash, not Qt's 2000-01-01 00:00 (its minimum).
        self.at.setMinimumDateTime(_NOT_SET)
        self.at.setSpecialValueText("—")
        self._typed_at: QDateTime | None = None  # kept across an accidental uncheck
        self.by = QLineEdit(form)
        self.by.setPlaceholderText(QCoreApplication.translate("IncidentForm", "対応者"))
        self.note = QLineEdit(form)
        self.note.setPlaceholderText(QCoreApplication.translate("IncidentForm", "メモ"))
        self.now = QPushButton(QCoreApplication.translate("IncidentForm", "現在時刻"), form)
        self.now.setToolTip(
            QCoreApplication.translate("IncidentForm", "この対応の時刻を今にします")
        )
        self.now.clicked.connect(lambda: self.at.setDateTime(QDateTime.currentDateTime()))
        self.stamps = stamps
        self.check.toggled.connect(self._toggled)
        self._actor = form.actor
        self._toggled(False)

    def _toggled(self, on: bool) -> None:
        for w in (self.at, self.by, self.note, self.now):
            w.setEnabled(on)
        if not on:
            if self.at.dateTime() != _NOT_SET:
                self._typed_at = self.at.dateTime()
            self.at.setDateTime(_NOT_SET)
            return
        if not self.by.text():
            self.by.setText(self._actor)
        self.at.setDateTime(self._typed_at or QDateTime.currentDateTime())

    def value(self) -> ResponseAction | None:
        if not self.check.isChecked():
            return None
        return ResponseAction(
            code=self.code, at=_to_iso(self.at.dateTime()), by=self.by.text().strip(),
            note=self.note.text().strip(),
        )  # fmt: skip

    def load(self, r: ResponseAction | None) -> None:
        self._typed_at = None
        self.check.setChecked(r is not None)
        if r is None:
            self._toggled(False)  # also when it was unchecked already
        else:
            self.at.setDateTime(_to_qdt(r.at) if r.at else QDateTime.currentDateTime())
            self.by.setText(r.by)
            self.note.setText(r.note)


class IncidentForm(QWidget):
    submitted = Signal(str)  # incident id
    closed = Signal(str)
    recording_picker_shown = Signal(object)  # RecordingPicker, for tests and screenshots
    submit_confirm_shown = Signal(object)  # SubmitConfirm, for tests and screenshots

    def __init__(self, service, incident_id: str, lang: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.service = service
        self.incidents = service.incidents
        self.profile = service.profile
        self.lang = lang
        self.actor = service.actor
        self.incident: Incident = self.incidents.get(incident_id)
        self.tasks = TaskRunner(self, max_threads=1)  # one writer: autosaves stay in order
        self._loading = False
        self._dirty = False
        self._issues_shown = False  # after a refused 提出, the problems follow the typing
        self.setObjectName("IncidentForm")
        self.resize(980, 720)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)

        self.section_errors: dict[str, QLabel] = {}
        body = QWidget(self)
        self.body_layout = QVBoxLayout(body)
        self._build_header()
        self._build_when_where()
        self._build_people()
        self._build_demand()
        self._build_categories()
        self._build_events()
        self._build_responses()
        self._build_attachments()
        self.body_layout.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.scroll = scroll

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
        self._connect_changes()
        self._update_staff_warning()

    # --- building -----------------------------------------------------------------------
    def _section(self, title: str, key: str) -> QGroupBox:
        box = QGroupBox(title, self)
        box.setObjectName(f"section:{key}")
        self.body_layout.addWidget(box)
        err = QLabel(box)
        err.setObjectName(f"error:{key}")
        err.setWordWrap(True)
        err.setStyleSheet("color: #b71c1c;")
        err.hide()
        self.section_errors[key] = err
        return box

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

    def _build_when_where(self) -> None:
        box = self._section(self.tr("いつ・どこで"), "when")
        form = QFormLayout(box)
        self.occurred_at = QDateTimeEdit(box)
        self.occurred_at.setObjectName("occurred_at")
        self.occurred_at.setCalendarPopup(True)
        self.occurred_at.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        # h:mm:ss, as the recording's length is shown everywhere else (a 14 s recording read
        # "0 分" in minutes); the policy's limit is an hour.
        self.duration = QTimeEdit(box)
        self.duration.setObjectName("duration")
        self.duration.setDisplayFormat("H:mm:ss")
        self.duration.setTimeRange(QTime(0, 0), QTime(23, 59, 59))
        self.location = QComboBox(box)
        self.location.setObjectName("location")
        self.location.addItem(self.tr("（選んでください）"), "")
        for code, (ja, en) in LOCATIONS.items():
            self.location.addItem(ja if self.lang == "ja" else en, code)
        self.at_office = QCheckBox(
            self.tr("庁舎内（方針 4(2)：面談は原則として庁舎等で行う）"), box
        )
        self.at_office.setObjectName("at_office")
        self.location_detail = QLineEdit(box)
        self.location_detail.setObjectName("location_detail")
        self.location_detail.setPlaceholderText(self.tr("例：1階 市民課窓口 3番"))
        self.department = QLineEdit(box)
        self.department.setObjectName("department")
        self.department.setPlaceholderText(self.tr("例：市民課 住民係"))
        self.recorded_from_start = QCheckBox(self.tr("開始から終了まで録音した（方針 4(2)）"), box)
        self.recorded_from_start.setObjectName("recorded_from_start")
        form.addRow(self.tr("発生日時"), self.occurred_at)
        form.addRow(self.tr("対応時間"), self.duration)
        form.addRow(self.tr("場所"), self.location)
        form.addRow("", self.at_office)
        form.addRow(self.tr("場所の詳細"), self.location_detail)
        form.addRow(self.tr("所属"), self.department)
        form.addRow("", self.recorded_from_start)
        form.addRow(self.section_errors["when"])

    def _build_people(self) -> None:
        box = self._section(self.tr("対応した職員と相手方"), "staff")
        lay = QVBoxLayout(box)
        self.staff_table = QTableWidget(0, 2, box)
        self.staff_table.setObjectName("staff")
        self.staff_table.setHorizontalHeaderLabels([self.tr("氏名"), self.tr("役割")])
        self.staff_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.staff_table.verticalHeader().setVisible(False)
        self.staff_table.setMinimumHeight(110)
        self.staff_table.setMaximumHeight(160)
        self.staff_name = QLineEdit(box)
        self.staff_name.setObjectName("staff_name")
        self.staff_name.setPlaceholderText(self.tr("職員の氏名"))
        self.staff_name.returnPressed.connect(self._add_staff)
        add = QPushButton(self.tr("職員を追加"), box)
        add.setObjectName("add_staff")
        add.clicked.connect(self._add_staff)
        remove = QPushButton(self.tr("選択した職員を削除"), box)
        remove.setObjectName("remove_staff")
        remove.clicked.connect(self._remove_staff)
        row = QHBoxLayout()
        row.addWidget(self.staff_name, 1)
        row.addWidget(add)
        row.addWidget(remove)
        self.staff_warning = QLabel(box)
        self.staff_warning.setObjectName("staff_warning")
        self.staff_warning.setWordWrap(True)
        self.staff_warning.setStyleSheet("color: #9a6200; font-weight: bold;")
        self.staff_warning.hide()
        lay.addWidget(QLabel(self.tr("対応した職員（面談は原則として複数の職員で対応）"), box))
        lay.addWidget(self.staff_table)
        lay.addLayout(row)
        lay.addWidget(self.staff_warning)
        party = QFormLayout()
        self.party_name = QLineEdit(box)
        self.party_name.setObjectName("party_name")
        self.party_name.setPlaceholderText(self.tr("分かる場合のみ"))
        self.party_description = QPlainTextEdit(box)
        self.party_description.setObjectName("party_description")
        self.party_description.setPlaceholderText(
            self.tr("年代、外見、用件、これまでの来庁・電話の有無など")
        )
        self.party_description.setFixedHeight(64)
        party.addRow(self.tr("相手方の氏名"), self.party_name)
        party.addRow(self.tr("相手方の特徴"), self.party_description)
        lay.addLayout(party)
        lay.addWidget(self.section_errors["staff"])

    def _build_demand(self) -> None:
        box = self._section(self.tr("要求の内容と妥当性（方針 3(1)）"), "demand")
        lay = QVBoxLayout(box)
        self.demand = QPlainTextEdit(box)
        self.demand.setObjectName("demand")
        self.demand.setPlaceholderText(self.tr("相手方が何を求めたか"))
        self.demand.setFixedHeight(64)
        lay.addWidget(QLabel(self.tr("要求の内容"), box))
        lay.addWidget(self.demand)
        lay.addWidget(QLabel(self.tr("要求の内容が妥当性を欠く場合（該当するものを選択）"), box))
        self.validity_checks: dict[str, QCheckBox] = {}
        for cat in self.profile.categories_in("validity"):
            cb = QCheckBox(cat.label(self.lang), box)
            cb.setObjectName(f"validity:{cat.code}")
            cb.setToolTip(cat.description_ja if self.lang == "ja" else cat.description_en)
            self.validity_checks[cat.code] = cb
            lay.addWidget(cb)
        self.validity_note = QLineEdit(box)
        self.validity_note.setObjectName("validity_note")
        self.validity_note.setPlaceholderText(
            self.tr("妥当性についての補足（例：要求には一部正当な点がある）")
        )
        lay.addWidget(self.validity_note)
        lay.addWidget(self.section_errors["demand"])

    def _build_categories(self) -> None:
        box = self._section(
            self.tr("手段・態様（方針 3(2)）：録音中のタグから選択済み"), "categories"
        )
        lay = QVBoxLayout(box)
        self.category_checks: dict[str, QCheckBox] = {}
        for group in self.profile.groups:
            if not group.live_tags:
                continue
            lay.addWidget(QLabel(f"<b>§{group.section} {group.label(self.lang)}</b>", box))
            grid = QGridLayout()
            for i, cat in enumerate(self.profile.categories_in(group.id)):
                cb = QCheckBox(cat.label(self.lang), box)
                cb.setObjectName(f"category:{cat.code}")
                cb.setToolTip(cat.description_ja if self.lang == "ja" else cat.description_en)
                self.category_checks[cat.code] = cb
                grid.addWidget(cb, i // 2, i % 2)
            lay.addLayout(grid)
        lay.addWidget(self.section_errors["categories"])

    def _build_events(self) -> None:
        box = self._section(self.tr("経過"), "narrative")
        lay = QVBoxLayout(box)
        self.narrative = QPlainTextEdit(box)
        self.narrative.setObjectName("narrative")
        self.narrative.setPlaceholderText(self.tr("何があったかを時間の順に書いてください"))
        self.narrative.setMinimumHeight(120)
        lay.addWidget(self.narrative)
        lay.addWidget(QLabel(self.tr("録音中のタグ（メモは編集できます）"), box))
        self.marker_table = QTableWidget(0, 3, box)
        self.marker_table.setObjectName("markers")
        self.marker_table.setHorizontalHeaderLabels(
            [self.tr("時刻"), self.tr("区分"), self.tr("メモ")]
        )
        h = self.marker_table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.marker_table.verticalHeader().setVisible(False)
        self.marker_table.setMaximumHeight(150)
        lay.addWidget(self.marker_table)
        lay.addWidget(QLabel(self.tr("けが・物の損害"), box))
        self.injuries = QPlainTextEdit(box)
        self.injuries.setObjectName("injuries")
        self.injuries.setPlaceholderText(self.tr("なければ空欄"))
        self.injuries.setFixedHeight(56)
        lay.addWidget(self.injuries)
        lay.addWidget(self.section_errors["narrative"])

    def _build_responses(self) -> None:
        box = self._section(
            self.tr("対応（方針 4）：行ったものにチェックし、時刻と対応者を入力"), "responses"
        )
        grid = QGridLayout(box)
        self.response_rows: dict[str, _ResponseRow] = {}
        for i, resp in enumerate(self.profile.responses):
            row = _ResponseRow(
                self, resp.code, resp.label(self.lang),
                resp.description_ja if self.lang == "ja" else resp.description_en,
                resp.stamps_time,
            )  # fmt: skip
            self.response_rows[resp.code] = row
            grid.addWidget(row.check, 2 * i, 0, 1, 4)
            grid.addWidget(row.at, 2 * i + 1, 0)
            grid.addWidget(row.now, 2 * i + 1, 1)
            grid.addWidget(row.by, 2 * i + 1, 2)
            grid.addWidget(row.note, 2 * i + 1, 3)
        grid.setColumnStretch(3, 1)
        grid.addWidget(self.section_errors["responses"], 2 * len(self.response_rows), 0, 1, 4)

    def _build_attachments(self) -> None:
        box = self._section(
            self.tr("添付（画像・PDF・SNS投稿のスクリーンショット・URL）と録音"), "attachments"
        )
        lay = QVBoxLayout(box)
        self.attachment_list = QListWidget(box)
        self.attachment_list.setObjectName("attachments")
        self.attachment_list.setMaximumHeight(110)
        self.attachment_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        add_file = QPushButton(self.tr("ファイルを添付…"), box)
        add_file.setObjectName("add_file")
        add_file.clicked.connect(self._choose_file)
        add_url = QPushButton(self.tr("URLを追加…"), box)
        add_url.setObjectName("add_url")
        add_url.clicked.connect(self._ask_url)
        note = QLabel(self.tr("添付ファイルは録音と同じく暗号化して封印されます。"), box)
        note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(add_file)
        row.addWidget(add_url)
        row.addWidget(note, 1)
        lay.addWidget(self.attachment_list)
        lay.addLayout(row)
        self.recording_list = QListWidget(box)
        self.recording_list.setObjectName("recordings")
        self.recording_list.setMaximumHeight(90)
        self.recording_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.add_recording_button = QPushButton(self.tr("録音を追加…"), box)
        self.add_recording_button.setObjectName("add_recording")
        self.add_recording_button.clicked.connect(self.choose_recording)
        rec_note = QLabel(
            self.tr("通常の録音として保存した録音や、復旧した録音を後から追加できます。"), box
        )
        rec_note.setWordWrap(True)
        rec_row = QHBoxLayout()
        rec_row.addWidget(self.add_recording_button)
        rec_row.addWidget(rec_note, 1)
        lay.addWidget(QLabel(self.tr("この事案の録音"), box))
        lay.addWidget(self.recording_list)
        lay.addLayout(rec_row)
        lay.addWidget(self.section_errors["attachments"])

    # --- loading and reading the fields ---------------------------------------------------
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

    def _show_incident_state(self) -> None:
        inc = self.incident
        ja, en = STATUSES.get(inc.status, (inc.status, inc.status))
        status = ja if self.lang == "ja" else en
        title = self.tr("事案 %1（%2）").replace("%1", inc.id).replace("%2", status)
        if inc.legal_hold:
            title += self.tr(" ・法的保全中")
        self.title_label.setText(title)
        self.setWindowTitle(title)
        self.attachment_list.clear()
        for a in inc.attachments:
            text = (
                a.url if a.kind == "url" else f"{a.name}  ({a.size:,} B, sha256 {a.sha256[:12]}…)"
            )
            if a.after_submit:
                text = (
                    self.tr("【提出後に追加 %1 %2】")
                    .replace("%1", a.added_at[:16].replace("T", " "))
                    .replace("%2", a.added_by)
                    + " "
                    + text
                )
            self.attachment_list.addItem(text)
        self._show_recordings()
        closed = inc.status == "closed"
        self.add_recording_button.setEnabled(not closed)
        self.add_recording_button.setToolTip(
            self.tr("完了した事案には録音を追加できません。") if closed else ""
        )
        editable = inc.status == "draft"
        self.submit_button.setEnabled(editable)
        self.save_button.setEnabled(editable)
        self._set_editable(editable)

    def _set_editable(self, editable: bool) -> None:
        """Only a draft takes edits (the store refuses the rest): a submitted form that still
        took typing, and said 自動保存しました, let the worker believe it was kept. Text stays
        selectable (read-only, not greyed); attachments and recordings may still be added."""
        body = self.scroll.widget()
        for w in body.findChildren(QLineEdit) + body.findChildren(QPlainTextEdit):
            w.setReadOnly(not editable)
        for w in (
            body.findChildren(QCheckBox) + body.findChildren(QComboBox)
            + body.findChildren(QDateTimeEdit)  # the duration's QTimeEdit too
        ):  # fmt: skip
            w.setEnabled(editable)
        for name in ("add_staff", "remove_staff"):
            body.findChild(QPushButton, name).setEnabled(editable)
        for row in self.response_rows.values():
            for w in (row.at, row.by, row.note, row.now):
                w.setEnabled(editable and row.check.isChecked())
        triggers = (
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        for table in (self.staff_table, self.marker_table):
            table.setEditTriggers(
                triggers if editable else QAbstractItemView.EditTrigger.NoEditTriggers
            )

    def set_draft(self, d: IncidentDraft) -> None:
        self._loading = True
        try:
            self.occurred_at.setDateTime(_to_qdt(d.occurred_at))
            self.duration.setTime(QTime(0, 0).addSecs(int(d.duration_seconds or 0)))
            i = self.location.findData(d.location)
            self.location.setCurrentIndex(max(0, i))
            self.at_office.setChecked(d.at_office)
            self.location_detail.setText(d.location_detail)
            self.department.setText(d.department)
            self.recorded_from_start.setChecked(d.recorded_from_start)
            self.staff_table.setRowCount(0)
            for s in d.staff:
                self._append_staff(s.name, s.role)
            self.party_name.setText(d.other_party.name)
            self.party_description.setPlainText(d.other_party.description)
            self.demand.setPlainText(d.demand)
            for code, cb in self.validity_checks.items():
                cb.setChecked(code in d.validity)
            self.validity_note.setText(d.validity_note)
            for code, cb in self.category_checks.items():
                cb.setChecked(code in d.categories)
            self.narrative.setPlainText(d.narrative)
            self.injuries.setPlainText(d.injuries)
            by_code = {r.code: r for r in d.responses}
            for code, row in self.response_rows.items():
                row.load(by_code.get(code))
            self._markers = list(d.markers)
            self.marker_table.setRowCount(0)
            for m in d.markers:
                r = self.marker_table.rowCount()
                self.marker_table.insertRow(r)
                try:
                    label = self.profile.category(m.code).label(self.lang)
                except KeyError:
                    label = m.code
                for col, text in enumerate((offset(m.offset_ms), short_label(label), m.note)):
                    item = QTableWidgetItem(text)
                    if col < 2:
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.marker_table.setItem(r, col, item)
        finally:
            self._loading = False

    def draft(self) -> IncidentDraft:
        staff, seen = [], set()
        for r in range(self.staff_table.rowCount()):
            name = self.staff_table.item(r, 0)
            role = self.staff_table.item(r, 1)
            person = _person(name.text()) if name else ""
            if person and person not in seen:  # a name edited into a duplicate counts once
                seen.add(person)
                staff.append(StaffMember(person, role.text().strip() if role else ""))
        markers = []
        for r, m in enumerate(self._markers):
            item = self.marker_table.item(r, 2)
            markers.append(
                Marker(m.code, m.offset_ms, item.text() if item else m.note, m.who, m.recording_id)
            )
        seconds = QTime(0, 0).secsTo(self.duration.time())
        old = self.incident.draft.duration_seconds
        duration = None if old is None and seconds == 0 else seconds  # 0:00:00: not entered
        return IncidentDraft(
            occurred_at=_to_iso(self.occurred_at.dateTime()),
            duration_seconds=duration,
            location=self.location.currentData() or "",
            at_office=self.at_office.isChecked(),
            location_detail=self.location_detail.text().strip(),
            department=self.department.text().strip(),
            staff=tuple(staff),
            other_party=OtherParty(
                self.party_name.text().strip(), self.party_description.toPlainText().strip()
            ),
            demand=self.demand.toPlainText().strip(),
            validity=tuple(c for c, cb in self.validity_checks.items() if cb.isChecked()),
            validity_note=self.validity_note.text().strip(),
            categories=tuple(c for c, cb in self.category_checks.items() if cb.isChecked()),
            narrative=self.narrative.toPlainText().strip(),
            responses=tuple(v for row in self.response_rows.values() if (v := row.value())),
            injuries=self.injuries.toPlainText().strip(),
            recorded_from_start=self.recorded_from_start.isChecked(),
            markers=tuple(markers),
        )

    # --- staff ---------------------------------------------------------------------------
    def _append_staff(self, name: str, role: str = "") -> None:
        r = self.staff_table.rowCount()
        self.staff_table.insertRow(r)
        self.staff_table.setItem(r, 0, QTableWidgetItem(name))
        self.staff_table.setItem(r, 1, QTableWidgetItem(role))

    def _staff_names(self) -> list[str]:
        names = []
        for r in range(self.staff_table.rowCount()):
            item = self.staff_table.item(r, 0)
            name = _person(item.text()) if item else ""
            if name and name not in names:
                names.append(name)
        return names

    def _add_staff(self) -> None:
        name = _person(self.staff_name.text())
        err = self.section_errors["staff"]
        if not name:
            return
        if name in self._staff_names():  # one person twice would count as two (§4(2))
            err.setText(self.tr("「%1」は既に一覧にあります。").replace("%1", name))
            err.show()
            return
        err.hide()
        self._append_staff(name)
        self.staff_name.clear()
        self._changed()

    def _remove_staff(self) -> None:
        rows = sorted({i.row() for i in self.staff_table.selectedIndexes()}, reverse=True)
        for r in rows:
            self.staff_table.removeRow(r)
        if rows:
            self._changed()

    def _update_staff_warning(self) -> None:
        count = len(self._staff_names())
        minimum = self.profile.rules.min_staff_meeting
        if self.location.currentData() == "meeting_room" and count < minimum:
            self.staff_warning.setText(
                self.tr(
                    "面談は原則として %1 人以上の職員で対応します（方針 4(2)）。現在 %2 人です。"
                )
                .replace("%1", str(minimum))
                .replace("%2", str(count))
            )
            self.staff_warning.show()
        else:
            self.staff_warning.hide()

    # --- change tracking and autosave ----------------------------------------------------
    def _connect_changes(self) -> None:
        for w in self.findChildren(QLineEdit):
            w.textEdited.connect(self._changed)
        for w in self.findChildren(QPlainTextEdit):
            w.textChanged.connect(self._changed)
        for w in self.findChildren(QCheckBox):
            w.toggled.connect(self._changed)
        for w in self.findChildren(QDateTimeEdit):
            w.dateTimeChanged.connect(self._changed)
        self.location.currentIndexChanged.connect(self._changed)
        self.staff_table.itemChanged.connect(self._changed)
        self.marker_table.itemChanged.connect(self._changed)

    def _changed(self, *_args) -> None:
        if self._loading or self.incident.status != "draft":
            return
        self._dirty = True
        self._update_staff_warning()
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
        by_section: dict[str, list[str]] = {k: [] for k in self.section_errors}
        for i in issues:
            if i.field == "staff" and self.staff_warning.isVisible():
                continue  # already shown live, next to the staff list
            key = _section_of(i.field)
            prefix = "⚠ " if i.severity == "warning" else "✖ "
            by_section.setdefault(key, []).append(prefix + i.message(self.lang))
        for key, label in self.section_errors.items():
            msgs = by_section.get(key, [])
            label.setText("\n".join(msgs))
            label.setVisible(bool(msgs))
        errors = [i for i in issues if i.severity == "error"]
        self._issues_shown = bool(issues)
        if errors:
            self.issues_label.setText(
                self.tr("提出できません。赤字の項目を直してください（%1 件）。").replace(
                    "%1", str(len(errors))
                )
                + "\n"
                + "\n".join("✖ " + i.message(self.lang) for i in errors)
            )
            self.issues_label.setStyleSheet("color: #b71c1c;")
            self.issues_label.show()
        else:
            self.issues_label.hide()

    def save_draft(self) -> bool:
        self.autosave_timer.stop()
        self.tasks.wait()  # an autosave still writing must not land after the discard below
        try:
            self.incident = self.incidents.save_draft(self.incident.id, self.draft())
        except KasuharaError as e:
            QMessageBox.warning(self, self.tr("保存できません"), e.message(self.lang))
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
            QMessageBox.warning(self, self.tr("提出できません"), e.message(self.lang))
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
        self.section_errors["attachments"].hide()
        self.autosave_label.setText(self.tr("添付しました"))

    def _attachment_failed(self, e: BaseException) -> None:
        if isinstance(e, KasuharaError):
            msg = e.message(self.lang)
        else:
            log.error("attachment failed", exc_info=e)
            msg = self.tr(
                "添付できませんでした。もう一度選んでください。"
                "続く場合は情報システム担当者にログを渡してください。"
            )
        label = self.section_errors["attachments"]
        label.setText("✖ " + msg)
        label.show()
        self.autosave_label.setText("")

    # --- recordings ----------------------------------------------------------------------------
    def _show_recordings(self) -> None:
        from kasuhara_recorder.ui.recording_picker import describe

        self.recording_list.clear()
        try:
            summaries = self.incidents.recording_summaries(self.incident.id)
        except KasuharaError as e:  # the bare ids still say which recordings there are
            log.error("recording summaries: %s", e.message("en"))
            self.recording_list.addItems(list(self.incident.recordings))
            return
        for rec in summaries:
            self.recording_list.addItem(describe(rec))
            item = self.recording_list.item(self.recording_list.count() - 1)
            item.setToolTip(self.tr("録音 %1").replace("%1", rec.id))

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
        self.section_errors["attachments"].hide()
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
    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.flush_autosave()
        self.tasks.wait()
        self.closed.emit(self.incident.id)
        super().closeEvent(event)


def _person(name: str) -> str:
    """A staff name as compared and stored: surrounding and repeated spaces dropped."""
    return " ".join(name.split())


def _section_of(field: str) -> str:
    head = field.split("[", 1)[0].split(".", 1)[0]
    return {
        "occurred_at": "when", "duration_seconds": "when", "location": "when",
        "at_office": "when", "department": "when", "staff": "staff", "other_party": "staff",
        "demand": "demand", "validity": "demand", "categories": "categories",
        "narrative": "narrative", "injuries": "narrative", "markers": "narrative",
        "responses": "responses", "attachments": "attachments",
    }.get(head, "narrative")  # fmt: skip
