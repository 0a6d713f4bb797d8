"""要求の内容と妥当性 (§3(1)) alone: the demand in words and the profile's validity reasons."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.store.incident_model import IncidentDraft
from kasuhara_recorder.ui.form_sections.demand import DemandSection
from tests.ui.conftest import changes, language, type_ja

PROFILE = load_profile()
DRAFT = IncidentDraft(
    demand="手数料を返せ", validity=("validity.unrelated",), validity_note="一部は正当"
)


def make(qtbot, lang: str = "ja") -> DemandSection:
    with language(lang):
        section = DemandSection(PROFILE)
    qtbot.addWidget(section)
    return section


def test_the_validity_reasons_are_the_profiles(qtbot):
    section = make(qtbot)
    validity = PROFILE.categories_in("validity")
    assert list(section.validity_checks) == [c.code for c in validity]
    assert [cb.text() for cb in section.validity_checks.values()] == [
        c.label.pick("ja") for c in validity
    ]
    en = make(qtbot, "en")
    assert en.validity_checks["validity.no_fault"].text() == validity[0].label.pick("en")


def test_a_draft_loaded_reads_back_unchanged(qtbot):
    section = make(qtbot)
    seen = changes(section)
    section.load(DRAFT)
    assert seen == [] and section.validity_checks["validity.unrelated"].isChecked()
    assert section.read(IncidentDraft(narrative="x")) == DRAFT.with_changes(narrative="x")


def test_what_is_typed_and_ticked_is_read(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft())
    seen = changes(section)
    type_ja(qtbot, section.demand, " 土下座で謝れ\n")
    qtbot.mouseClick(section.validity_checks["validity.no_fault"], Qt.MouseButton.LeftButton)
    type_ja(qtbot, section.validity_note, " 説明済み ")
    assert len(seen) >= 3
    read = section.read(IncidentDraft())
    assert (read.demand, read.validity, read.validity_note) == (
        "土下座で謝れ", ("validity.no_fault",), "説明済み",
    )  # fmt: skip


def test_read_only_takes_nothing(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    section.set_editable(False)
    assert section.demand.isReadOnly() and section.validity_note.isReadOnly()
    assert not any(cb.isEnabled() for cb in section.validity_checks.values())
    qtbot.keyClicks(section.demand, "x")
    assert section.read(IncidentDraft()) == DRAFT
