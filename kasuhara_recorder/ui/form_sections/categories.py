"""手段・態様 (§3(2)): the conduct (ア) and demands (イ) of the policy profile's live-tag groups,
ticked already for the tags stamped while recording."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QVBoxLayout

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import IncidentDraft
from kasuhara_recorder.ui.form_sections.section import FormSection
from kasuhara_recorder.ui.i18n import localized


class CategoriesSection(FormSection):
    key = "categories"
    fields = ("categories",)

    def __init__(self, profile: PolicyProfile, parent=None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("手段・態様（方針 3(2)）：録音中のタグから選択済み"))
        lay = QVBoxLayout(self)
        self.checks: dict[str, QCheckBox] = {}
        for group in profile.groups:
            if not group.live_tags:
                continue
            lay.addWidget(QLabel(f"<b>§{group.section} {localized(group.label)}</b>", self))
            grid = QGridLayout()
            for i, cat in enumerate(profile.categories_in(group.id)):
                cb = QCheckBox(localized(cat.label), self)
                cb.setObjectName(f"category:{cat.code}")
                cb.setToolTip(localized(cat.description))
                self.checks[cat.code] = cb
                grid.addWidget(cb, i // 2, i % 2)
            lay.addLayout(grid)
        lay.addWidget(self.error_label)
        self.watch_changes()

    def _fill(self, d: IncidentDraft) -> None:
        for code, cb in self.checks.items():
            cb.setChecked(code in d.categories)

    def read(self, draft: IncidentDraft) -> IncidentDraft:
        return draft.with_changes(
            categories=tuple(c for c, cb in self.checks.items() if cb.isChecked())
        )
