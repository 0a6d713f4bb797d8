"""手段・態様 (§3(2)) alone: one box per live-tag category of the profile, ア and イ."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.store.incident_model import IncidentDraft
from kasuhara_recorder.ui.form_sections.categories import CategoriesSection
from tests.ui.conftest import changes, language

PROFILE = load_profile()


def make(qtbot, lang: str = "ja") -> CategoriesSection:
    with language(lang):
        section = CategoriesSection(PROFILE)
    qtbot.addWidget(section)
    return section


def test_the_boxes_are_the_profiles_live_tags_under_their_groups(qtbot):
    section = make(qtbot)
    assert list(section.checks) == [c.code for c in PROFILE.live_tag_categories()]
    headings = [w.text() for w in section.findChildren(QLabel) if w.text().startswith("<b>")]
    assert [h[3:].split()[0] for h in headings] == ["§3(2)ア", "§3(2)イ"]
    tip = section.checks["conduct.mental"].toolTip()
    assert tip == PROFILE.category("conduct.mental").description.ja
    en = make(qtbot, "en")
    assert en.checks["demand.apology"].text() == PROFILE.category("demand.apology").label.pick("en")


def test_loaded_ticks_read_back_in_the_profiles_order(qtbot):
    section = make(qtbot)
    seen = changes(section)
    section.load(IncidentDraft(categories=("demand.apology", "conduct.mental")))
    assert seen == []
    assert [c for c, cb in section.checks.items() if cb.isChecked()] == [
        "conduct.mental", "demand.apology",
    ]  # fmt: skip
    qtbot.mouseClick(section.checks["conduct.physical"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(section.checks["demand.apology"], Qt.MouseButton.LeftButton)
    assert len(seen) == 2
    assert section.read(IncidentDraft(narrative="x")) == IncidentDraft(
        narrative="x", categories=("conduct.physical", "conduct.mental")
    )


def test_read_only_boxes_cannot_be_ticked(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft(categories=("conduct.mental",)))
    section.set_editable(False)
    seen = changes(section)
    qtbot.mouseClick(section.checks["conduct.physical"], Qt.MouseButton.LeftButton)
    assert seen == [] and section.read(IncidentDraft()).categories == ("conduct.mental",)
    assert not any(cb.isEnabled() for cb in section.checks.values())
