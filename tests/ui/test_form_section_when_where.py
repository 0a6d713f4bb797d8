"""いつ・どこで alone: when, how long (h:mm:ss), where, the department, recorded from the start."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTime

from kasuhara_recorder.store.incident_model import IncidentDraft
from kasuhara_recorder.ui.form_sections.when_where import WhenWhereSection
from tests.ui.conftest import changes, language, local_iso, type_ja

DRAFT = IncidentDraft(
    occurred_at=local_iso(2026, 11, 25, 10, 0, 5), duration_seconds=1505, location="meeting_room",
    at_office=False, location_detail="2階 相談室", department="市民課", recorded_from_start=True,
)  # fmt: skip


def make(qtbot, lang: str = "ja") -> WhenWhereSection:
    with language(lang):
        section = WhenWhereSection()
    qtbot.addWidget(section)
    return section


def test_a_draft_loaded_reads_back_unchanged(qtbot):
    section = make(qtbot)
    seen = changes(section)
    section.load(DRAFT)
    assert seen == []  # loading is not an edit
    assert section.duration.text() == "0:25:05"
    assert section.location.currentData() == "meeting_room"
    assert section.read(IncidentDraft(duration_seconds=7)) == IncidentDraft(
        **{f: getattr(DRAFT, f) for f in section.fields}
    )


def test_typing_is_read_stripped_and_said(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    seen = changes(section)
    section.department.clear()
    type_ja(qtbot, section.department, "  税務課  ")
    qtbot.keyClicks(section.location_detail, " 3")
    assert seen
    read = section.read(DRAFT)
    assert read.department == "税務課" and read.location_detail == "2階 相談室 3"
    section.recorded_from_start.click()
    assert not section.read(DRAFT).recorded_from_start


def test_no_duration_stays_not_entered_until_one_is_typed(qtbot):
    """0:00:00 in a draft without a duration means not entered, not "0 seconds"."""
    section = make(qtbot)
    blank = IncidentDraft()
    section.load(blank)
    assert section.read(blank).duration_seconds is None
    section.duration.setTime(QTime(0, 1, 30))
    assert section.read(blank).duration_seconds == 90
    section.load(IncidentDraft(duration_seconds=0))
    assert section.read(IncidentDraft(duration_seconds=0)).duration_seconds == 0


def test_the_location_is_announced_when_chosen_and_when_loaded(qtbot):
    section = make(qtbot)
    with qtbot.waitSignal(section.location_changed) as sig:
        section.load(DRAFT)
    assert sig.args == ["meeting_room"]
    with qtbot.waitSignal(section.location_changed) as sig:
        section.location.setCurrentIndex(0)  # （選んでください）
    assert sig.args == [""] and section.read(DRAFT).location == ""


def test_location_names_follow_the_language(qtbot):
    en = make(qtbot, "en")
    names = [en.location.itemText(i) for i in range(1, en.location.count())]
    assert names == ["Counter", "Phone", "Meeting room", "Other"]


def test_read_only_takes_no_typing_and_no_choice(qtbot):
    section = make(qtbot)
    section.load(DRAFT)
    section.set_editable(False)
    seen = changes(section)
    qtbot.keyClicks(section.department, "x")
    assert section.department.isReadOnly() and section.department.text() == "市民課"
    for w in (section.location, section.occurred_at, section.duration, section.at_office):
        assert not w.isEnabled()
    qtbot.mouseClick(section.recorded_from_start, Qt.MouseButton.LeftButton)
    assert seen == [] and section.read(DRAFT) == DRAFT
    section.set_editable(True)
    assert section.location.isEnabled() and not section.department.isReadOnly()
