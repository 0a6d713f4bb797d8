"""経過: what happened, in order; the live tags stamped while recording, whose notes can be
edited here (a marker itself is never added or removed on the form); injuries or damage."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import IncidentDraft, Marker
from kasuhara_recorder.ui.form_sections.section import FormSection
from kasuhara_recorder.ui.format import offset
from kasuhara_recorder.ui.i18n import localized
from kasuhara_recorder.ui.tag_panel import short_label


class EventsSection(FormSection):
    key = "narrative"
    fields = ("narrative", "markers", "injuries")

    def __init__(self, profile: PolicyProfile, parent=None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("経過"))
        self._profile = profile
        self._markers: list[Marker] = []  # as loaded; the table holds their notes
        lay = QVBoxLayout(self)
        self.narrative = QPlainTextEdit(self)
        self.narrative.setObjectName("narrative")
        self.narrative.setPlaceholderText(self.tr("何があったかを時間の順に書いてください"))
        self.narrative.setMinimumHeight(120)
        lay.addWidget(self.narrative)
        lay.addWidget(QLabel(self.tr("録音中のタグ（メモは編集できます）"), self))
        self.marker_table = QTableWidget(0, 3, self)
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
        lay.addWidget(QLabel(self.tr("けが・物の損害"), self))
        self.injuries = QPlainTextEdit(self)
        self.injuries.setObjectName("injuries")
        self.injuries.setPlaceholderText(self.tr("なければ空欄"))
        self.injuries.setFixedHeight(56)
        lay.addWidget(self.injuries)
        lay.addWidget(self.error_label)
        self.watch_changes()

    def _fill(self, d: IncidentDraft) -> None:
        self.narrative.setPlainText(d.narrative)
        self.injuries.setPlainText(d.injuries)
        self._markers = list(d.markers)
        self.marker_table.setRowCount(0)
        for m in d.markers:
            r = self.marker_table.rowCount()
            self.marker_table.insertRow(r)
            try:
                label = localized(self._profile.category(m.code).label)
            except KeyError:
                label = m.code
            for col, text in enumerate((offset(m.offset_ms), short_label(label), m.note)):
                item = QTableWidgetItem(text)
                if col < 2:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.marker_table.setItem(r, col, item)

    def read(self, draft: IncidentDraft) -> IncidentDraft:
        markers = []
        for r, m in enumerate(self._markers):
            item = self.marker_table.item(r, 2)
            markers.append(replace(m, note=item.text() if item else m.note))
        return draft.with_changes(
            narrative=self.narrative.toPlainText().strip(),
            injuries=self.injuries.toPlainText().strip(),
            markers=tuple(markers),
        )
