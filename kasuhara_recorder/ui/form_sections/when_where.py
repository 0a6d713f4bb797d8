"""いつ・どこで: when it happened and for how long, where, the department, and whether it was
recorded from start to end (§4(2))."""

from __future__ import annotations

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateTimeEdit, QFormLayout, QLineEdit, QTimeEdit

from kasuhara_recorder.store.incident_model import LOCATIONS, IncidentDraft
from kasuhara_recorder.ui.form_sections.section import FormSection
from kasuhara_recorder.ui.form_sections.times import to_iso, to_qdatetime
from kasuhara_recorder.ui.i18n import localized


class WhenWhereSection(FormSection):
    key = "when"
    fields = (
        "occurred_at", "duration_seconds", "location", "at_office", "location_detail",
        "department", "recorded_from_start",
    )  # fmt: skip

    # The location's code ("" while none is chosen), also when a draft is loaded: the staff
    # list's §4(2) warning depends on it.
    location_changed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("いつ・どこで"))
        form = QFormLayout(self)
        self.occurred_at = QDateTimeEdit(self)
        self.occurred_at.setObjectName("occurred_at")
        self.occurred_at.setCalendarPopup(True)
        self.occurred_at.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        # h:mm:ss, as the recording's length is shown everywhere else (a 14 s recording read
        # "0 分" in minutes); the policy's limit is an hour.
        self.duration = QTimeEdit(self)
        self.duration.setObjectName("duration")
        self.duration.setDisplayFormat("H:mm:ss")
        self.duration.setTimeRange(QTime(0, 0), QTime(23, 59, 59))
        self.location = QComboBox(self)
        self.location.setObjectName("location")
        self.location.addItem(self.tr("（選んでください）"), "")
        for code, label in LOCATIONS.items():
            self.location.addItem(localized(label), code)
        self.location.currentIndexChanged.connect(
            lambda _i: self.location_changed.emit(self.location_code())
        )
        self.at_office = QCheckBox(
            self.tr("庁舎内（方針 4(2)：面談は原則として庁舎等で行う）"), self
        )
        self.at_office.setObjectName("at_office")
        self.location_detail = QLineEdit(self)
        self.location_detail.setObjectName("location_detail")
        self.location_detail.setPlaceholderText(self.tr("例：1階 市民課窓口 3番"))
        self.department = QLineEdit(self)
        self.department.setObjectName("department")
        self.department.setPlaceholderText(self.tr("例：市民課 住民係"))
        self.recorded_from_start = QCheckBox(self.tr("開始から終了まで録音した（方針 4(2)）"), self)
        self.recorded_from_start.setObjectName("recorded_from_start")
        form.addRow(self.tr("発生日時"), self.occurred_at)
        form.addRow(self.tr("対応時間"), self.duration)
        form.addRow(self.tr("場所"), self.location)
        form.addRow("", self.at_office)
        form.addRow(self.tr("場所の詳細"), self.location_detail)
        form.addRow(self.tr("所属"), self.department)
        form.addRow("", self.recorded_from_start)
        form.addRow(self.error_label)
        self.watch_changes()

    def location_code(self) -> str:
        return self.location.currentData() or ""

    def _fill(self, d: IncidentDraft) -> None:
        self.occurred_at.setDateTime(to_qdatetime(d.occurred_at))
        self.duration.setTime(QTime(0, 0).addSecs(int(d.duration_seconds or 0)))
        self.location.setCurrentIndex(max(0, self.location.findData(d.location)))
        self.at_office.setChecked(d.at_office)
        self.location_detail.setText(d.location_detail)
        self.department.setText(d.department)
        self.recorded_from_start.setChecked(d.recorded_from_start)

    def read(self, draft: IncidentDraft) -> IncidentDraft:
        seconds = QTime(0, 0).secsTo(self.duration.time())
        # 0:00:00 in a draft that had no duration: still not entered (not "0 seconds")
        duration = None if draft.duration_seconds is None and seconds == 0 else seconds
        return draft.with_changes(
            occurred_at=to_iso(self.occurred_at.dateTime()),
            duration_seconds=duration,
            location=self.location_code(),
            at_office=self.at_office.isChecked(),
            location_detail=self.location_detail.text().strip(),
            department=self.department.text().strip(),
            recorded_from_start=self.recorded_from_start.isChecked(),
        )
