"""対応 (§4) alone: a row per response of the profile; unticked, its time shows "—" and its
fields are off; ticked, who defaults to the signed-in user and the time to now; a time typed
survives an accidental untick."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt

from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.store.incident_model import IncidentDraft, ResponseAction
from kasuhara_recorder.ui.form_sections.responses import ResponsesSection
from tests.ui.conftest import STAFF, changes, local_iso, type_ja

PROFILE = load_profile()
POLICE = "response.police_call"
CALLED = ResponseAction(POLICE, local_iso(2026, 11, 25, 10, 20), "佐藤 次郎", "110番")


def make(qtbot) -> ResponsesSection:
    section = ResponsesSection(PROFILE, STAFF)
    qtbot.addWidget(section)
    return section


def shows_now(row, since: QDateTime) -> bool:
    """The row's time was set between ``since`` and now (to the minute it shows)."""
    at = row.at.dateTime()
    return since.addSecs(-60) <= at <= QDateTime.currentDateTime()


def fields_enabled(row) -> list[bool]:
    return [w.isEnabled() for w in (row.at, row.by, row.note, row.now)]


def test_a_row_per_response_of_the_profile_none_ticked(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft())
    assert list(section.rows) == [r.code for r in PROFILE.responses]
    row = section.rows[POLICE]
    assert row.check.text() == PROFILE.response(POLICE).label.pick("ja")
    assert not row.check.isChecked() and row.at.text() == "—"  # not Qt's 2000-01-01 00:00
    assert fields_enabled(row) == [False] * 4
    assert section.read(IncidentDraft()).responses == ()


def test_a_loaded_response_reads_back_unchanged(qtbot):
    section = make(qtbot)
    seen = changes(section)
    section.load(IncidentDraft(responses=(CALLED,)))
    assert seen == []
    row = section.rows[POLICE]
    assert row.check.isChecked() and row.at.text() == "2026-11-25 10:20"
    assert (row.by.text(), row.note.text()) == ("佐藤 次郎", "110番")
    assert fields_enabled(row) == [True] * 4
    assert section.read(IncidentDraft()).responses == (CALLED,)


def test_ticking_fills_in_who_and_now(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft())
    seen = changes(section)
    row = section.rows[POLICE]
    since = QDateTime.currentDateTime()
    qtbot.mouseClick(row.check, Qt.MouseButton.LeftButton)
    assert seen and row.by.text() == STAFF
    assert shows_now(row, since)
    type_ja(qtbot, row.note, " 警察に通報 ")
    (called,) = section.read(IncidentDraft()).responses
    assert (called.code, called.by, called.note) == (POLICE, STAFF, "警察に通報")


def test_an_untick_by_mistake_keeps_the_time_typed_for_the_retick(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft())
    row = section.rows[POLICE]
    row.check.setChecked(True)
    typed = QDateTime.currentDateTime().addSecs(-3600)
    row.at.setDateTime(typed)
    row.by.setText("佐藤 次郎")
    row.check.setChecked(False)  # by mistake
    assert row.at.text() == "—" and section.read(IncidentDraft()).responses == ()
    row.check.setChecked(True)
    assert row.at.dateTime() == typed and row.by.text() == "佐藤 次郎"


def test_now_sets_the_rows_time(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft(responses=(CALLED,)))
    row = section.rows[POLICE]
    seen = changes(section)
    since = QDateTime.currentDateTime()
    qtbot.mouseClick(row.now, Qt.MouseButton.LeftButton)
    assert seen and shows_now(row, since)


def test_loading_a_draft_without_it_unticks_a_row_and_forgets_its_time(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft(responses=(CALLED,)))
    section.load(IncidentDraft())
    row = section.rows[POLICE]
    assert not row.check.isChecked() and row.at.text() == "—"
    since = QDateTime.currentDateTime()
    row.check.setChecked(True)  # a new tick is now, not the other draft's time
    assert shows_now(row, since)


def test_read_only_rows_take_nothing_and_ticked_rows_come_back_on(qtbot):
    section = make(qtbot)
    section.load(IncidentDraft(responses=(CALLED,)))
    section.set_editable(False)
    called, other = section.rows[POLICE], section.rows["response.lawyer"]
    assert not called.check.isEnabled() and fields_enabled(called) == [False] * 4
    assert not other.check.isEnabled() and fields_enabled(other) == [False] * 4
    section.set_editable(True)
    assert fields_enabled(called) == [True] * 4  # ticked: its fields are back
    assert fields_enabled(other) == [False] * 4  # unticked: only the box
    assert other.check.isEnabled()
