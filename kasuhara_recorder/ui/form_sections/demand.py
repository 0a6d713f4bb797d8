"""要求の内容と妥当性 (§3(1)): what the other party demanded, and why the demand lacks validity
(the profile's validity categories), asked apart from the conduct (§2)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import IncidentDraft
from kasuhara_recorder.ui.form_sections.section import FormSection
from kasuhara_recorder.ui.i18n import localized


class DemandSection(FormSection):
    key = "demand"
    fields = ("demand", "validity", "validity_note")

    def __init__(self, profile: PolicyProfile, parent=None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("要求の内容と妥当性（方針 3(1)）"))
        lay = QVBoxLayout(self)
        self.demand = QPlainTextEdit(self)
        self.demand.setObjectName("demand")
        self.demand.setPlaceholderText(self.tr("相手方が何を求めたか"))
        self.demand.setFixedHeight(64)
        lay.addWidget(QLabel(self.tr("要求の内容"), self))
        lay.addWidget(self.demand)
        lay.addWidget(QLabel(self.tr("要求の内容が妥当性を欠く場合（該当するものを選択）"), self))
        self.validity_checks: dict[str, QCheckBox] = {}
        for cat in profile.categories_in("validity"):
            cb = QCheckBox(localized(cat.label), self)
            cb.setObjectName(f"validity:{cat.code}")
            cb.setToolTip(localized(cat.description))
            self.validity_checks[cat.code] = cb
            lay.addWidget(cb)
        self.validity_note = QLineEdit(self)
        self.validity_note.setObjectName("validity_note")
        self.validity_note.setPlaceholderText(
            self.tr("妥当性についての補足（例：要求には一部正当な点がある）")
        )
        lay.addWidget(self.validity_note)
        lay.addWidget(self.error_label)
        self.watch_changes()

    def _fill(self, d: IncidentDraft) -> None:
        self.demand.setPlainText(d.demand)
        for code, cb in self.validity_checks.items():
            cb.setChecked(code in d.validity)
        self.validity_note.setText(d.validity_note)

    def read(self, draft: IncidentDraft) -> IncidentDraft:
        return draft.with_changes(
            demand=self.demand.toPlainText().strip(),
            validity=tuple(c for c, cb in self.validity_checks.items() if cb.isChecked()),
            validity_note=self.validity_note.text().strip(),
        )
