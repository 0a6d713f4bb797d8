"""One incident as a supervisor or officer reviews it: what the form says, its recordings (a
再生 button each for a role that may listen: ``play_requested``), tags, responses, attachments
and the custody history (the audit entries of the incident and its recordings); and the
review actions the role may take — move the status on (the allowed transitions only), set or
lift legal hold with a reason, record a response taken later. A button the role may not use
is not shown; the service refuses the call anyway.

Everything is read and written on the window's TaskRunner. An incident of another PC (from the
central store) is shown read-only: it is changed on the PC that made it, which syncs it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.store.incident_model import LOCATIONS, STATUSES, TRANSITIONS, Incident
from kasuhara_recorder.ui.format import clock, offset
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.recording_picker import channel_label, started
from kasuhara_recorder.ui.task_runner import TaskRunner

log = logging.getLogger("kasuhara.ui.detail")


@dataclass(frozen=True)
class DetailData:
    incident: Incident
    workstation: str  # the PC that made it; "" for this PC's own
    recordings: tuple[Any, ...]  # RecordingSummary (this PC) or recording ids (central)
    custody: tuple[Any, ...] | None  # AuditEntry; None: not shown (role, or central)


def load_detail(service, incident_id: str, central: bool, with_custody: bool) -> DetailData:
    """What the view shows, read off the GUI thread."""
    if central:
        inc, pc = service.central_incident(incident_id)
        return DetailData(inc, pc, tuple(inc.recordings), None)
    incidents = service.incidents
    inc = incidents.get(incident_id)
    custody = tuple(incidents.custody(incident_id)) if with_custody else None
    return DetailData(inc, "", tuple(incidents.recording_summaries(incident_id)), custody)


def _table(parent: QWidget, name: str, headers: list[str], stretch: int = -1) -> QTableWidget:
    """A read-only table whose ``stretch`` column (default: the last) takes the spare width."""
    t = QTableWidget(0, len(headers), parent)
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 10)
    h = t.horizontalHeader()
    stretch = stretch % len(headers)
    for col in range(len(headers)):
        mode = QHeaderView.ResizeMode.Stretch if col == stretch else (
            QHeaderView.ResizeMode.ResizeToContents)  # fmt: skip
        h.setSectionResizeMode(col, mode)
    return t


def _fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            t.setItem(r, c, QTableWidgetItem(text))


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


class IncidentDetail(QWidget):
    play_requested = Signal(str)  # recording id: MainWindow.open_player (the player's work)
    audit_requested = Signal(str)  # incident id: MainWindow.open_audit_viewer
    form_requested = Signal(str)  # incident id: the incident form (this PC's incidents)
    changed = Signal(str)  # incident id, after a review action was stored
    loaded = Signal()
    dialog_shown = Signal(object)  # LegalHoldDialog / ResponseDialog, for tests and screenshots
    failed = Signal(object)  # the error of a load or an action (also shown to the person)

    def __init__(self, service, incident_id: str, central: bool = False,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("IncidentDetail")
        self.service = service
        self.incident_id = incident_id
        self.central = central
        self.profile = service.profile
        self.role = service.roles.current()
        self.data: DetailData | None = None
        self.tasks = TaskRunner(self, max_threads=1)
        self.setWindowTitle(self.tr("事案 %1").replace("%1", incident_id))

        self.header = QLabel(self)
        self.header.setObjectName("DetailHeader")
        self.header.setWordWrap(True)
        f = self.header.font()
        f.setPointSize(f.pointSize() + 2)
        f.setBold(True)
        self.header.setFont(f)
        self.note = QLabel(self)
        self.note.setObjectName("DetailNote")
        self.note.setWordWrap(True)
        self.note.hide()

        self.tabs = QTabWidget(self)
        self.overview = QWidget(self.tabs)
        self.overview_form = QFormLayout(self.overview)
        self.overview_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.recordings = _table(self.tabs, "DetailRecordings",
                                 [self.tr("開始"), self.tr("種別"), self.tr("長さ"),
                                  self.tr("タグ"), self.tr("録音番号"), ""], stretch=4)  # fmt: skip
        self.markers = _table(self.tabs, "DetailMarkers",
                              [self.tr("位置"), self.tr("分類"), self.tr("記録者"),
                               self.tr("録音"), self.tr("メモ")])  # fmt: skip
        self.responses = _table(self.tabs, "DetailResponses",
                                [self.tr("日時"), self.tr("対応"), self.tr("対応者"),
                                 self.tr("メモ")])  # fmt: skip
        self.attachments = _table(self.tabs, "DetailAttachments",
                                  [self.tr("追加日時"), self.tr("追加者"), self.tr("種類"),
                                   self.tr("名前")])  # fmt: skip
        self.custody = _table(self.tabs, "DetailCustody",
                              [self.tr("日時"), self.tr("操作者"), self.tr("記録"),
                               self.tr("対象"), self.tr("内容")])  # fmt: skip
        self.tab_titles: dict[QWidget, str] = {
            self.overview: self.tr("記録内容"), self.recordings: self.tr("録音"),
            self.markers: self.tr("タグ"), self.responses: self.tr("対応（§4）"),
            self.attachments: self.tr("添付"), self.custody: self.tr("管理履歴"),
        }  # fmt: skip
        for page, title in self.tab_titles.items():
            self.tabs.addTab(page, title)
        self.play_buttons: dict[str, QPushButton] = {}

        self.status_choice = QComboBox(self)
        self.status_choice.setObjectName("StatusChoice")
        self.status_button = QPushButton(self.tr("状態を変更"), self)
        self.status_button.setObjectName("StatusButton")
        self.status_button.clicked.connect(self.change_status)
        self.hold_button = QPushButton(self)
        self.hold_button.setObjectName("HoldButton")
        self.hold_button.clicked.connect(self.ask_hold)
        self.respond_button = QPushButton(self.tr("対応を記録…"), self)
        self.respond_button.setObjectName("RespondButton")
        self.respond_button.clicked.connect(self.ask_response)
        self.audit_button = QPushButton(self.tr("監査記録…"), self)
        self.audit_button.clicked.connect(lambda: self.audit_requested.emit(self.incident_id))
        self.form_button = QPushButton(self.tr("事案票を開く"), self)
        self.form_button.clicked.connect(lambda: self.form_requested.emit(self.incident_id))
        self.close_button = QPushButton(self.tr("閉じる"), self)
        self.close_button.clicked.connect(self.close)
        actions = QHBoxLayout()
        for w in (self.status_choice, self.status_button, self.hold_button,
                  self.respond_button):  # fmt: skip
            actions.addWidget(w)
        actions.addStretch(1)
        for w in (self.audit_button, self.form_button, self.close_button):
            actions.addWidget(w)

        lay = QVBoxLayout(self)
        lay.addWidget(self.header)
        lay.addWidget(self.note)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(actions)
        self._show_actions(None)
        self.resize(1000, 640)
        self.reload()

    # --- reading -------------------------------------------------------------------------
    def reload(self) -> None:
        service, iid, central = self.service, self.incident_id, self.central
        custody = self.role.may("audit.view")
        self.tasks.run(lambda: load_detail(service, iid, central, custody),
                       on_done=self._loaded, on_error=self._failed)  # fmt: skip

    def _loaded(self, data: DetailData) -> None:
        self.data = data
        inc, d = data.incident, data.incident.draft
        status = localized(STATUSES[inc.status]) if inc.status in STATUSES else inc.status
        head = self.tr("事案 %1 ・ %2").replace("%1", inc.id).replace("%2", status)
        if inc.legal_hold:
            head += "  ⚖ " + self.tr("保全中")
        self.header.setText(head)
        if data.workstation:
            self.note.setText(
                self.tr(
                    "端末 %1 で作成された事案です（中央保管庫の最新版）。変更はその端末で行われ、"
                    "同期で届きます。"
                ).replace("%1", data.workstation)
            )
            self.note.show()
        self._fill_overview(inc)
        self._fill_recordings(data)
        _fill(self.markers, [
            [offset(m.offset_ms), self._category(m.code), m.who, m.recording_id, m.note]
            for m in d.markers
        ])  # fmt: skip
        _fill(self.responses, [
            [_when(r.at), self._response(r.code), r.by, r.note] for r in d.responses
        ])  # fmt: skip
        kinds = {"file": self.tr("ファイル"), "url": self.tr("URL")}
        _fill(self.attachments, [
            [_when(a.added_at), a.added_by, kinds.get(a.kind, a.kind),
             a.name + (self.tr("（提出後に追加）") if a.after_submit else "")]
            for a in inc.attachments
        ])  # fmt: skip
        if data.custody is None:
            self.tabs.setTabVisible(self.tabs.indexOf(self.custody), False)
        else:
            _fill(self.custody, [
                [_when(e.time), e.actor, event_label(e.event), e.subject, _summary(e.data)]
                for e in data.custody
            ])  # fmt: skip
            for row, e in enumerate(data.custody):
                item = QTableWidgetItem(event_label(e.event))
                item.setToolTip(e.event)
                self.custody.setItem(row, 2, item)
        for table, n in ((self.recordings, len(data.recordings)), (self.markers, len(d.markers)),
                         (self.responses, len(d.responses)),
                         (self.attachments, len(inc.attachments))):  # fmt: skip
            self.tabs.setTabText(self.tabs.indexOf(table), f"{self.tab_titles[table]} ({n})")
        self._show_actions(inc)
        self.loaded.emit()

    def _fill_overview(self, inc: Incident) -> None:
        form, d = self.overview_form, inc.draft
        while form.rowCount():
            form.removeRow(0)
        where = localized(LOCATIONS[d.location]) if d.location in LOCATIONS else d.location
        if d.location_detail:
            where += f"（{d.location_detail}）"
        duration = clock(d.duration_seconds) if d.duration_seconds is not None else ""
        if (d.duration_seconds or 0) > self.profile.rules.limit_seconds:
            duration += "  " + self.tr("§4(1) の時間を超過")
        party = "、".join(x for x in (d.other_party.name, d.other_party.description) if x)
        rows = (
            (self.tr("発生日時"), _when(d.occurred_at)), (self.tr("時間"), duration),
            (self.tr("場所"), where), (self.tr("所属"), d.department),
            (self.tr("対応職員"), "、".join(s.name for s in d.staff)),
            (self.tr("相手方"), party), (self.tr("要求内容"), d.demand),
            (self.tr("要求の正当性"), "、".join(self._category(c) for c in d.validity)),
            (self.tr("言動の分類"), "、".join(self._category(c) for c in d.categories)),
            (self.tr("経過"), d.narrative), (self.tr("負傷等"), d.injuries),
            (self.tr("提出日時"), _when(inc.submitted_at)),
        )  # fmt: skip
        for label, value in rows:
            text = QLabel(value, self.overview)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, text)

    def _fill_recordings(self, data: DetailData) -> None:
        t = self.recordings
        t.setRowCount(len(data.recordings))
        self.play_buttons = {}
        listen = self.role.may("recording.listen")
        for row, rec in enumerate(data.recordings):
            if isinstance(rec, str):  # central: the id only
                cells, rid = ["", "", "", "", rec], rec
            else:
                cells = [started(rec.started_at), channel_label(rec.channel),
                         offset(rec.duration_ms), str(rec.tags), rec.id]  # fmt: skip
                rid = rec.id
            for col, text in enumerate(cells):
                t.setItem(row, col, QTableWidgetItem(text))
            if listen:
                button = QPushButton(self.tr("再生"), t)
                button.setObjectName(f"play:{rid}")
                button.clicked.connect(lambda _=False, rid=rid: self.play_requested.emit(rid))
                t.setCellWidget(row, 5, button)
                self.play_buttons[rid] = button

    def _category(self, code: str) -> str:
        try:
            return localized(self.profile.category(code).label)
        except KeyError:
            return code

    def _response(self, code: str) -> str:
        try:
            return localized(self.profile.response(code).label)
        except KeyError:
            return code

    def _show_actions(self, inc: Incident | None) -> None:
        """Only what the role may do, and only on this PC's own incidents."""
        role, local = self.role, inc is not None and not self.central
        dept = inc.draft.department if inc is not None else ""
        mine = local and role.sees_department(dept)
        can_status = mine and role.may("incident.status") and inc is not None
        self.status_choice.clear()
        if can_status and inc is not None:
            for code in TRANSITIONS.get(inc.status, ()):
                if code != "submitted" or inc.status != "draft":  # 提出 is the form's
                    self.status_choice.addItem(localized(STATUSES[code]), code)
        can_status = can_status and self.status_choice.count() > 0
        self.status_choice.setVisible(can_status)
        self.status_button.setVisible(can_status)
        self.hold_button.setVisible(mine and role.may("incident.legal_hold"))
        if inc is not None:
            self.hold_button.setText(self.tr("保全を解除…") if inc.legal_hold
                                     else self.tr("保全を設定…"))  # fmt: skip
        self.respond_button.setVisible(
            mine and role.may("incident.respond") and inc is not None and inc.status != "draft"
        )
        self.audit_button.setVisible(role.may("audit.view"))
        self.form_button.setVisible(local and role.may("incident.edit"))

    # --- review actions --------------------------------------------------------------------
    def change_status(self) -> None:
        code = self.status_choice.currentData()
        if code:
            iid = self.incident_id
            self._act(lambda: self.service.incidents.set_status(iid, code))

    def ask_hold(self) -> None:
        from kasuhara_recorder.ui.legal_hold_dialog import LegalHoldDialog

        if self.data is None:
            return
        on = not self.data.incident.legal_hold
        dialog = LegalHoldDialog(self.incident_id, on, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        iid, incidents = self.incident_id, self.service.incidents

        def accepted() -> None:
            reason = dialog.reason_text()
            self._act(lambda: incidents.set_legal_hold(iid, on, reason))

        dialog.accepted.connect(accepted)
        dialog.open()
        self.dialog_shown.emit(dialog)

    def ask_response(self) -> None:
        from kasuhara_recorder.ui.response_dialog import ResponseDialog

        dialog = ResponseDialog(self.profile, self.service.actor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        iid, incidents = self.incident_id, self.service.incidents

        def accepted() -> None:
            response = dialog.response()
            self._act(lambda: incidents.add_response(iid, response))

        dialog.accepted.connect(accepted)
        dialog.open()
        self.dialog_shown.emit(dialog)

    def _act(self, fn) -> None:
        def done(_inc) -> None:
            self.changed.emit(self.incident_id)
            self.reload()

        self.tasks.run(fn, on_done=done, on_error=self._failed)

    def _failed(self, e: BaseException) -> None:
        self.failed.emit(e)
        if isinstance(e, KasuharaError):
            text = localized(e.text)
        else:
            log.error("incident %s: detail view failed", self.incident_id, exc_info=e)
            text = self.tr("詳しくはログを確認してください。")
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("事案"), text,
                          QMessageBox.StandardButton.Ok, self)  # fmt: skip
        box.setObjectName("DetailError")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def closeEvent(self, event) -> None:
        self.tasks.wait()
        super().closeEvent(event)


def event_label(event: str) -> str:
    """The chain's event code as a reviewer reads it (the code itself in the tooltip)."""
    labels = {
        "incident.create": QCoreApplication.translate("IncidentDetail", "事案票の作成"),
        "incident.update": QCoreApplication.translate("IncidentDetail", "下書きの保存"),
        "incident.submit": QCoreApplication.translate("IncidentDetail", "提出"),
        "incident.status": QCoreApplication.translate("IncidentDetail", "状態の変更"),
        "incident.legal_hold": QCoreApplication.translate("IncidentDetail", "保全の設定・解除"),
        "incident.response_add": QCoreApplication.translate("IncidentDetail", "対応の記録"),
        "incident.attachment_add": QCoreApplication.translate("IncidentDetail", "添付の追加"),
        "incident.recording_attach": QCoreApplication.translate("IncidentDetail", "録音の追加"),
        "recording.start": QCoreApplication.translate("IncidentDetail", "録音開始"),
        "recording.stop": QCoreApplication.translate("IncidentDetail", "録音停止（封印）"),
        "recording.tag": QCoreApplication.translate("IncidentDetail", "タグ付け"),
        "recording.routine": QCoreApplication.translate("IncidentDetail", "通常の録音として保存"),
        "recording.recovered": QCoreApplication.translate("IncidentDetail", "録音の復旧"),
        "recording.import": QCoreApplication.translate("IncidentDetail", "録音の取り込み"),
        "recording.listen": QCoreApplication.translate("IncidentDetail", "録音の再生"),
        "bundle.export": QCoreApplication.translate("IncidentDetail", "証拠パッケージの書き出し"),
        "bundle.partial_removed": QCoreApplication.translate(
            "IncidentDetail", "書きかけの書き出しの削除"
        ),
    }
    return labels.get(event, event)


def _summary(data: dict[str, Any]) -> str:
    """The few details of an audit entry a reviewer reads (reason, status, note, response)."""
    parts = []
    if "from" in data and "to" in data:
        parts.append(f"{data['from']} → {data['to']}")
    if "legal_hold" in data:
        on = QCoreApplication.translate("IncidentDetail", "保全を設定")
        off = QCoreApplication.translate("IncidentDetail", "保全を解除")
        parts.append("⚖ " + (on if data["legal_hold"] else off))
    for key in ("reason", "note"):
        if data.get(key):
            parts.append(str(data[key]))
    if isinstance(data.get("response"), dict):
        parts.append(str(data["response"].get("code", "")))
    if "recording" in data and isinstance(data["recording"], str):
        parts.append(data["recording"])
    return "  ".join(parts)
